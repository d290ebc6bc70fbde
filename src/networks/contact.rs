//! A network's contact address must be confirmed by someone who reads it before it receives
//! the messages that people send through the public directory: a one-time link goes to the
//! address when the network is registered, when the address changes, and when a coordinator
//! asks again. Only the link's hash is kept, and the email is sealed until it is sent.

use chrono::Duration;

use crate::audit::{self, Actor, Event};
use crate::auth::secrets;
use crate::db::DbConnection;
use crate::domain::time::{now, utc};
use crate::error::ApiError;
use crate::outbox::{templates, Email, LinkMail};

use super::dto::ContactConfirmed;
use super::repo::{self, NetworkRow};

pub const CONFIRMATION_DAYS: i64 = 7;
const TOKEN_PREFIX: &str = "ncf_";

/// A coordinator asks for a new confirmation link for the network's contact address.
pub fn resend_confirmation(
    conn: &mut DbConnection,
    caller: &crate::auth::Caller,
    network_id: &str,
    mail: LinkMail<'_>,
) -> Result<(), ApiError> {
    let scope = super::service::scope(conn, network_id)?;
    caller.authorize(crate::auth::Action::Update, crate::auth::Target::Network(&scope))?;
    crate::db::write_transaction(conn, |conn| {
        let network = repo::find(conn, network_id)?.ok_or_else(|| ApiError::not_found("No such network."))?;
        ask_confirmation(conn, &network, mail)
    })
}

/// Sends the contact address a new confirmation link, in the caller's transaction; the address
/// counts as unconfirmed until it is used.
pub fn ask_confirmation(
    conn: &mut DbConnection,
    network: &NetworkRow,
    mail: LinkMail<'_>,
) -> Result<(), ApiError> {
    let (token, token_hash) = secrets::new_token(TOKEN_PREFIX);
    let expires_at = now() + Duration::days(CONFIRMATION_DAYS);
    repo::await_contact_confirmation(conn, &network.id, &token_hash, expires_at)?;
    // A page with a button: following the link alone (as mail scanners do) confirms nothing.
    let link = format!("{}/contact-confirmations/{token}", mail.public_url);
    let api_url = format!("{}/api/v1/public/contact-confirmations/{token}", mail.public_url);
    // The address belongs to a network, whose people may read either language; Dutch first.
    let email = templates::contact_confirmation(
        crate::domain::Locale::Nl,
        &network.name,
        &link,
        &api_url,
        &expires_at.date().to_string(),
    );
    mail.enqueue(
        conn,
        &Email {
            kind: "contact_confirmation",
            dedupe_key: format!("contact_confirmation:{}:{token_hash}", network.id),
            municipality_id: None,
            recipient: network.contact_email.clone(),
            subject: email.subject,
            text: email.text,
            html: email.html,
        },
    )?;
    Ok(())
}

/// The name of the network whose unused, unexpired confirmation link this is.
pub fn network_awaiting(conn: &mut DbConnection, token: &str) -> Result<String, ApiError> {
    repo::awaiting_confirmation(conn, &secrets::hash(token), now())?
        .map(|n| n.name)
        .ok_or_else(|| ApiError::not_found("This confirmation link is unknown, used or expired."))
}

/// Confirms the contact address whose link this is; the link works once.
pub fn confirm(
    conn: &mut DbConnection,
    token: &str,
    request_id: Option<String>,
) -> Result<ContactConfirmed, ApiError> {
    let token_hash = secrets::hash(token);
    let unusable = || {
        ApiError::not_found("This confirmation link is unknown, used or expired. Ask the network's coordinator to send a new one.")
    };
    crate::db::write_transaction(conn, |conn| {
        let network = repo::awaiting_confirmation(conn, &token_hash, now())?.ok_or_else(unusable)?;
        let confirmed_at = now();
        if !repo::confirm_contact(conn, &network.id, &token_hash, confirmed_at)? {
            return Err(unusable());
        }
        audit::record(
            conn,
            &Actor { user_id: None, request_id },
            Event {
                action: "network.contact_confirmed",
                entity_type: "network",
                entity_id: &network.id,
                municipality_id: None,
                network_id: Some(&network.id),
                changes: serde_json::json!({"contact_email": {"before": null, "after": network.contact_email}}),
            },
        )?;
        Ok(ContactConfirmed {
            network_id: network.id,
            network_name: network.name,
            contact_email: network.contact_email,
            confirmed_at: utc(confirmed_at),
        })
    })
}
