//! The outbox: every email is written in the same transaction as the change that causes it,
//! under a dedupe key the database keeps unique, and a worker sends it (at least once, with
//! the same `Message-ID` every time, retried with backoff, `dead` after too many failures).

pub mod handlers;
pub mod mailer;
pub mod notices;
pub mod repo;
pub mod templates;
pub mod worker;

use actix_web::web;
use diesel::QueryResult;

use crate::db::DbConnection;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/outbox").route(web::get().to(handlers::list)))
        .service(web::resource("/api/v1/outbox/{id}/retry").route(web::post().to(handlers::retry)));
}

/// An email to queue.
#[derive(Debug, Clone)]
pub struct Email {
    /// e.g. `invitation`.
    pub kind: &'static str,
    /// The same key is queued once, however often the cause happens.
    pub dedupe_key: String,
    pub municipality_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An email in the outbox as its recipient reads it.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub kind: String,
    pub dedupe_key: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub status: String,
}

impl From<repo::OutboxRow> for Message {
    fn from(row: repo::OutboxRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            dedupe_key: row.dedupe_key,
            recipient: row.recipient,
            subject: row.subject,
            text: row.body_text,
            status: row.status,
        }
    }
}

/// The email queued under `dedupe_key`, readable (whatever form the body has at rest).
pub fn message(conn: &mut DbConnection, dedupe_key: &str) -> QueryResult<Option<Message>> {
    Ok(repo::find_by_dedupe_key(conn, dedupe_key)?.map(Message::from))
}

/// Every email to `recipient`, oldest first, readable.
pub fn messages_to(conn: &mut DbConnection, recipient: &str) -> QueryResult<Vec<Message>> {
    Ok(repo::to_recipient(conn, recipient)?.into_iter().map(Message::from).collect())
}

/// Queues an email in the caller's transaction; `false` when its dedupe key was queued before.
pub fn enqueue(conn: &mut DbConnection, email: &Email) -> QueryResult<bool> {
    repo::insert(conn, email)
}
