//! The outbox: every email is written in the same transaction as the change that causes it,
//! under a dedupe key the database keeps unique, and a worker sends it (at least once, with
//! the same `Message-ID` every time, retried with backoff, `dead` after too many failures).

pub mod handlers;
pub mod notices;
pub mod recipients;
pub mod repo;
pub mod templates;
pub mod wording;
pub mod worker;

use actix_web::web;
use diesel::QueryResult;

use crate::auth::seal::SealKeys;
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::DbConnection;
use crate::error::ApiError;

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

impl Message {
    fn read(row: repo::OutboxRow, keys: &SealKeys) -> Result<Self, ApiError> {
        Ok(Self {
            text: keys.open(&row.body_text).map_err(ApiError::internal)?,
            id: row.id,
            kind: row.kind,
            dedupe_key: row.dedupe_key,
            recipient: row.recipient,
            subject: row.subject,
            status: row.status,
        })
    }
}

/// The email queued under `dedupe_key`, readable (a sealed body is opened).
pub fn message(
    conn: &mut DbConnection,
    keys: &SealKeys,
    dedupe_key: &str,
) -> Result<Option<Message>, ApiError> {
    repo::find_by_dedupe_key(conn, dedupe_key)?.map(|row| Message::read(row, keys)).transpose()
}

/// Every email to `recipient`, oldest first, readable.
pub fn messages_to(
    conn: &mut DbConnection,
    keys: &SealKeys,
    recipient: &str,
) -> Result<Vec<Message>, ApiError> {
    repo::to_recipient(conn, recipient)?.into_iter().map(|row| Message::read(row, keys)).collect()
}

/// Queues an email in the caller's transaction; `false` when its dedupe key was queued before.
pub fn enqueue(conn: &mut DbConnection, email: &Email) -> QueryResult<bool> {
    repo::insert(conn, email)
}

/// What a service needs to send an email with a one-time link in it (an invitation, a password
/// reset, a contact address to confirm): where links point, and the key that seals the email
/// in the outbox until it is sent, since the link is a secret.
#[derive(Clone, Copy)]
pub struct LinkMail<'a> {
    pub public_url: &'a str,
    pub keys: &'a SealKeys,
}

impl crate::config::Settings {
    /// For services that email a one-time link.
    pub fn link_mail(&self) -> LinkMail<'_> {
        LinkMail { public_url: &self.public_url, keys: &self.seal_keys }
    }
}

impl LinkMail<'_> {
    /// Queues the email with its body sealed; `false` when its dedupe key was queued before.
    pub fn enqueue(&self, conn: &mut DbConnection, email: &Email) -> QueryResult<bool> {
        let sealed =
            Email { text: self.keys.seal(&email.text), html: self.keys.seal(&email.html), ..email.clone() };
        repo::insert(conn, &sealed)
    }
}

/// A page of the outbox of these municipalities (all of it for `None`), optionally in one status.
/// The municipalities whose mail the caller reads (municipal admins and auditors); `None` for
/// platform admins (all mail).
pub fn readable_municipalities(caller: &Caller) -> Result<Option<Vec<String>>, ApiError> {
    if caller.is_platform_admin {
        return Ok(None);
    }
    let ids: Vec<String> = caller
        .municipalities
        .iter()
        .filter(|m| caller.may(Action::ReadAudit, Target::Municipality(&m.municipality_id)))
        .map(|m| m.municipality_id.clone())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::forbidden("The outbox is for platform admins, municipal admins and auditors."));
    }
    Ok(Some(ids))
}

/// Sends a dead email again, for a platform admin or an admin of its municipality: its attempts
/// start over. Others who may read it are refused; others still get "not found".
pub fn retry(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<repo::OutboxRow, ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such email."))?;
    let municipality = row.municipality_id.as_deref();
    let visible =
        caller.is_platform_admin || municipality.is_some_and(|m| caller.can_see(Target::Municipality(m)));
    if !visible {
        return Err(ApiError::not_found("No such email."));
    }
    let permitted = caller.is_platform_admin
        || municipality.is_some_and(|m| caller.may(Action::ManageMembers, Target::Municipality(m)));
    if !permitted {
        return Err(ApiError::forbidden("Only admins send mail again."));
    }
    if !repo::retry(conn, id)? {
        return Err(ApiError::invalid_transition(
            format!("Only dead mail is retried; this one is {}.", row.status),
            Vec::new(),
        ));
    }
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such email."))
}

pub fn list(
    conn: &mut DbConnection,
    municipality_ids: Option<&[String]>,
    status: Option<&str>,
    page: &PageRequest,
) -> Result<Page<repo::OutboxRow>, ApiError> {
    let rows = repo::list(conn, municipality_ids, status, page.after_id.as_deref(), page.fetch_limit())?;
    Ok(Page::from_rows(rows, page, |r| &r.id, |r| r))
}
