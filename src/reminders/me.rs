//! A person's own deadlines: upcoming and overdue, as JSON and as an iCalendar feed (RFC 5545)
//! behind a personal token that can be regenerated so old links stop working.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::secrets;
use crate::db::schema::users;
use crate::db::{write_transaction, DbConnection};
use crate::error::ApiError;

use super::deadlines::{self, Deadline};

/// How far ahead the list and the feed look.
const AHEAD_DAYS: i64 = 120;

/// One of the signed-in person's deadlines.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyDeadline {
    /// `commitment`, `report`, `decision`, `tranche`, `agreement_review` or `agreement_end`.
    pub kind: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// The API path of the record.
    pub path: String,
}

/// The signed-in person's deadlines, overdue first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyDeadlines {
    pub items: Vec<MyDeadline>,
}

fn concerns(deadline: &Deadline, user_id: &str, today: NaiveDate) -> bool {
    deadline.recipients.iter().any(|r| r.user_id == user_id)
        || (deadline.due_on < today && deadline.escalation.iter().any(|r| r.user_id == user_id))
}

/// The caller's deadlines: overdue ones and those in the next months, soonest first.
pub fn mine(conn: &mut DbConnection, user_id: &str, today: NaiveDate) -> Result<Vec<MyDeadline>, ApiError> {
    let mut items: Vec<MyDeadline> = deadlines::open(conn)?
        .into_iter()
        .filter(|d| concerns(d, user_id, today) && d.due_on <= today + Duration::days(AHEAD_DAYS))
        .map(|d| MyDeadline {
            kind: d.kind.as_str().to_owned(),
            overdue: d.due_on < today,
            title: d.title,
            due_on: d.due_on,
            path: d.path,
        })
        .collect();
    items.sort_by(|a, b| (a.due_on, &a.path).cmp(&(b.due_on, &b.path)));
    Ok(items)
}

/// A new feed token for the user; the old one stops working. Returns the token.
pub fn new_token(conn: &mut DbConnection, user_id: &str) -> Result<String, ApiError> {
    let (token, hash) = secrets::new_token("cal_");
    write_transaction(conn, |conn| {
        diesel::update(users::table.find(user_id))
            .set(users::calendar_token_hash.eq(Some(hash)))
            .execute(conn)
    })?;
    Ok(token)
}

/// The user a feed token belongs to.
pub fn user_of_token(conn: &mut DbConnection, token: &str) -> Result<String, ApiError> {
    let refused =
        || ApiError::unauthenticated("This calendar link is not valid (any more). Make a new one in Pactum.");
    if !token.starts_with("cal_") || token.len() > 200 {
        return Err(refused());
    }
    users::table
        .filter(users::calendar_token_hash.eq(secrets::hash(token)))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .first(conn)
        .optional()?
        .ok_or_else(refused)
}

/// Escapes TEXT values (RFC 5545, 3.3.11).
fn text(value: &str) -> String {
    value.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n").replace('\r', "")
}

/// Folds a content line at 75 octets (RFC 5545, 3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// An iCalendar feed of the deadlines, one all-day event each.
pub fn ics(items: &[MyDeadline], public_url: &str) -> String {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Pactum//Deadlines//NL",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Pactum",
    ] {
        out.push_str(&fold(line));
    }
    for item in items {
        let summary = if item.title.is_empty() {
            item.kind.replace('_', " ")
        } else {
            format!("{}: {}", item.kind.replace('_', " "), item.title)
        };
        let uid = format!(
            "{}-{}@pactum",
            item.path.trim_start_matches('/').replace('/', "-"),
            item.due_on.format("%Y%m%d")
        );
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{uid}"),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", item.due_on.format("%Y%m%d")),
            format!("DTEND;VALUE=DATE:{}", (item.due_on + Duration::days(1)).format("%Y%m%d")),
            format!("SUMMARY:{}", text(&summary)),
            format!("URL:{public_url}{}", crate::domain::pages::page_of(&item.path)),
            "END:VEVENT".to_owned(),
        ] {
            out.push_str(&fold(&line));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_and_text_is_escaped() {
        let long = "x".repeat(200);
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(text("a;b,c\nd\\"), "a\\;b\\,c\\nd\\\\");
        let accents = fold(&"é".repeat(60));
        assert!(accents.split("\r\n").all(|l| l.len() <= 75));
    }
}
