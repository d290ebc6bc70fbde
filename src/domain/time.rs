//! The clock, at the precision both databases keep (microseconds), in UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored UTC timestamp as the API shows it (RFC 3339, `Z`).
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}

/// Today's date in this IANA time zone (Amsterdam's when the zone is empty or unknown).
pub fn today_in(time_zone: &str) -> NaiveDate {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    Utc::now().with_timezone(&tz).date_naive()
}
