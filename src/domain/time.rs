//! The clock, at the precision both databases keep (microseconds), in UTC.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored UTC timestamp as the API shows it (RFC 3339, `Z`).
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}
