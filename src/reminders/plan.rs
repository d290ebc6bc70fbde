//! The reminder pass: for every open deadline and every offset of its municipality that falls
//! on today (in the municipality's time zone), queue one email per recipient under a dedupe
//! key, so running the pass again, or on several instances, queues nothing twice. Queued
//! reminders of deadlines that moved or were met are cancelled.

use std::collections::{BTreeSet, HashMap};

use crate::db::{write_transaction, DbConnection};
use crate::domain::pages::page_of;
use crate::domain::{DeadlineKind, Locale};
use crate::error::ApiError;
use crate::outbox::{self, templates, Email};
use chrono::{Duration, NaiveDate};

use super::deadlines::{self, Deadline};
use super::settings;

/// A recipient's reminders of one day: who, which day, which deadlines at which offsets.
type Digest = (crate::outbox::recipients::Recipient, NaiveDate, Vec<(Deadline, i32)>);

/// What a pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub queued: usize,
    pub cancelled: usize,
}

/// Runs the pass for `today`, or for each municipality's own today when `None`.
pub fn run(conn: &mut DbConnection, public_url: &str, today: Option<NaiveDate>) -> Result<Planned, ApiError> {
    let open = deadlines::open(conn)?;
    let mut planned = Planned { cancelled: cancel_stale(conn, &open)?, ..Planned::default() };
    let mut offsets: HashMap<String, Vec<i32>> = HashMap::new();
    let mut local_today: HashMap<String, NaiveDate> = HashMap::new();
    // Reminders of those who asked for one email a day: user id -> (recipient, day, items).
    let mut digests: HashMap<String, Digest> = HashMap::new();
    for deadline in &open {
        if !offsets.contains_key(&deadline.municipality_id) {
            offsets.insert(
                deadline.municipality_id.clone(),
                settings::offsets(conn, &deadline.municipality_id)?,
            );
            let zone = crate::municipalities::repo::find(conn, &deadline.municipality_id)?
                .map(|m| m.time_zone)
                .unwrap_or_default();
            local_today.insert(
                deadline.municipality_id.clone(),
                today.unwrap_or_else(|| crate::domain::time::today_in(&zone)),
            );
        }
        let day = local_today[&deadline.municipality_id];
        if deadline.kind == DeadlineKind::Commitment && deadline.due_on < day {
            write_transaction(conn, |conn| overdue(conn, deadline))?;
        }
        for offset in &offsets[&deadline.municipality_id] {
            if deadline.due_on + Duration::days(i64::from(*offset)) != day
                || (*offset > 0 && !deadline.after_date)
            {
                continue;
            }
            let mut recipients = deadline.recipients.clone();
            if *offset > 0 {
                recipients.extend(deadline.escalation.iter().cloned());
                recipients.sort();
                recipients.dedup();
            }
            for recipient in recipients {
                if recipient.digest {
                    let entry = digests
                        .entry(recipient.user_id.clone())
                        .or_insert_with(|| (recipient.clone(), day, Vec::new()));
                    entry.2.push((deadline.clone(), *offset));
                    continue;
                }
                let locale: Locale = recipient.locale.parse().unwrap_or_default();
                let rendered = templates::reminder(
                    locale,
                    &deadline.due(),
                    *offset,
                    &format!("{public_url}{}", page_of(&deadline.path)),
                );
                let email = Email {
                    kind: "reminder",
                    dedupe_key: format!("{}{offset}:{}", deadline.key(), recipient.user_id),
                    municipality_id: Some(deadline.municipality_id.clone()),
                    recipient: recipient.email,
                    subject: rendered.subject,
                    text: rendered.text,
                    html: rendered.html,
                };
                if write_transaction(conn, |conn| outbox::enqueue(conn, &email))? {
                    planned.queued += 1;
                }
            }
        }
    }
    for (recipient, day, items) in digests.into_values() {
        let locale: Locale = recipient.locale.parse().unwrap_or_default();
        let entries: Vec<(templates::Due<'_>, i32, String)> = items
            .iter()
            .map(|(d, offset)| (d.due(), *offset, format!("{public_url}{}", page_of(&d.path))))
            .collect();
        let rendered = templates::digest(locale, day, &entries);
        let email = Email {
            kind: "digest",
            dedupe_key: format!("digest:{}:{day}", recipient.user_id),
            municipality_id: None,
            recipient: recipient.email,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        };
        if write_transaction(conn, |conn| outbox::enqueue(conn, &email))? {
            planned.queued += 1;
        }
    }
    Ok(planned)
}

/// Cancels queued reminders whose deadline is no longer open as it was (moved, met, gone).
fn cancel_stale(conn: &mut DbConnection, open: &[Deadline]) -> Result<usize, ApiError> {
    let valid: BTreeSet<String> = open.iter().map(Deadline::key).collect();
    let queued = outbox::repo::queued_of_kind(conn, "reminder")?;
    let stale: Vec<String> = queued
        .into_iter()
        .filter(|(_, key)| !deadline_key_of(key).is_some_and(|deadline| valid.contains(deadline)))
        .map(|(id, _)| id)
        .collect();
    if stale.is_empty() {
        return Ok(0);
    }
    Ok(outbox::repo::cancel(conn, &stale)?)
}

/// The part of a reminder's dedupe key (`reminder:kind:record:due:offset:user`) that names its
/// deadline ([`Deadline::key`]), up to and with the fourth colon.
fn deadline_key_of(dedupe_key: &str) -> Option<&str> {
    let end = dedupe_key.match_indices(':').nth(3)?.0;
    Some(&dedupe_key[..=end])
}

/// Tells subscribed systems, once per due date, that an open commitment is past it.
fn overdue(conn: &mut DbConnection, deadline: &Deadline) -> Result<usize, ApiError> {
    let event = crate::webhooks::Event {
        event_type: crate::webhooks::EventType::CommitmentOverdue,
        municipality_id: &deadline.municipality_id,
        path: deadline.path.clone(),
        dedupe_key: Some(format!("commitment.overdue:{}:{}", deadline.record_id, deadline.due_on)),
    };
    crate::webhooks::emit(conn, event, |conn| {
        crate::commitments::service::published(conn, &deadline.record_id)
    })
}

#[cfg(test)]
mod tests {
    use super::deadline_key_of;

    #[test]
    fn a_reminders_dedupe_key_names_its_deadline() {
        let deadline = "reminder:report:0190a1b2-0000-7000-8000-000000000001:2027-03-01:";
        assert_eq!(deadline_key_of(&format!("{deadline}-7:0190a1b2-user")), Some(deadline));
        assert_eq!(deadline_key_of(&format!("{deadline}3:invitation-0190")), Some(deadline));
        assert_eq!(deadline_key_of("reminder:report:0190"), None);
    }
}
