//! Workflow notices: short emails that tell people something happened that concerns them (an
//! application to review, a question, a decision, a payment, an agreement to sign). Queued in
//! the transaction of the change, one per recipient per change. Links open the record's page
//! (people click them; systems have the API), written with a `{base_url}` placeholder that the
//! mailer fills in with `PACTUM_PUBLIC_URL`, in notices only; a placeholder in text that people
//! wrote is broken up first, so it stays text.

use super::recipients::Recipient;
use super::wording::NoticeEvent;
use crate::db::DbConnection;
use crate::domain::pages::page_of;
use crate::domain::Locale;
use crate::error::ApiError;

use super::{enqueue, templates, Email};

/// The outbox kind of every notice.
pub const KIND: &str = "notice";

/// Stands in the stored email where the public address goes (the mailer fills it in).
pub use crate::mail::BASE_URL;

/// What happened (its wording is in [`super::wording`]) and to which record.
pub struct Notice<'a> {
    pub event: NoticeEvent<'a>,
    pub record_id: &'a str,
    /// Makes the change unique (the record's version after it).
    pub version: i64,
    pub municipality_id: Option<&'a str>,
    /// The API path of the record.
    pub path: String,
}

/// Text with any `{base_url}` in it broken up, so the mailer never fills it in.
fn as_text(text: &str) -> String {
    text.replace(BASE_URL, "{base_url\u{200b}}")
}

pub fn send(conn: &mut DbConnection, notice: &Notice<'_>, recipients: &[Recipient]) -> Result<(), ApiError> {
    for recipient in recipients {
        let locale: Locale = recipient.locale.parse().unwrap_or_default();
        let (subject, sentence) = notice.event.wording(locale);
        // Subjects and sentences quote what people wrote (a grant's title): a placeholder typed
        // into it must stay text, so only the link below is ever filled in.
        let (subject, sentence) = (as_text(&subject), as_text(&sentence));
        let rendered =
            templates::notice(locale, &subject, &sentence, &format!("{BASE_URL}{}", page_of(&notice.path)));
        enqueue(
            conn,
            &Email {
                kind: KIND,
                dedupe_key: format!(
                    "notice:{}:{}:{}:{}",
                    notice.event.name(),
                    notice.record_id,
                    notice.version,
                    recipient.user_id
                ),
                municipality_id: notice.municipality_id.map(str::to_owned),
                recipient: recipient.email.clone(),
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
            },
        )?;
    }
    Ok(())
}
