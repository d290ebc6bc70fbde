//! `pactum secrets rotate`: seals every secret at rest again under the current key, so the
//! previous key (`PACTUM_SECRET_KEY_PREVIOUS`) can be dropped. It also seals what earlier
//! versions of Pactum kept in clear: webhook signing secrets and emails with one-time links.

use diesel::prelude::*;

use crate::db::schema::{outbox, webhook_subscriptions};
use crate::db::{write_transaction, DbConnection};
use crate::error::ApiError;

use super::seal::SealKeys;

/// Emails that carry a one-time link, and so are sealed.
pub const LINK_EMAIL_KINDS: [&str; 3] = ["invitation", "password_reset", "contact_confirmation"];

/// How many values were sealed again.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    pub webhook_secrets: usize,
    pub emails: usize,
}

/// The stored value sealed under the current key, or `None` when it already is.
fn resealed(keys: &SealKeys, stored: &str) -> Result<Option<String>, ApiError> {
    if !keys.needs_resealing(stored) {
        return Ok(None);
    }
    let plain = keys.open(stored).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    Ok(Some(keys.seal(&plain)))
}

pub fn reseal_all(conn: &mut DbConnection, keys: &SealKeys) -> Result<Resealed, ApiError> {
    write_transaction(conn, |conn| {
        let mut done = Resealed::default();
        let subscriptions: Vec<(String, String, Option<String>)> = webhook_subscriptions::table
            .select((
                webhook_subscriptions::id,
                webhook_subscriptions::secret,
                webhook_subscriptions::previous_secret,
            ))
            .load(conn)?;
        for (id, secret, previous) in subscriptions {
            let new_secret = resealed(keys, &secret)?;
            let new_previous = previous.as_deref().map(|p| resealed(keys, p)).transpose()?.flatten();
            if new_secret.is_none() && new_previous.is_none() {
                continue;
            }
            diesel::update(webhook_subscriptions::table.find(&id))
                .set((
                    webhook_subscriptions::secret.eq(new_secret.unwrap_or(secret)),
                    webhook_subscriptions::previous_secret.eq(new_previous.or(previous)),
                ))
                .execute(conn)?;
            done.webhook_secrets += 1;
        }
        let emails: Vec<(String, String, String)> = outbox::table
            .filter(outbox::kind.eq_any(LINK_EMAIL_KINDS))
            .select((outbox::id, outbox::body_text, outbox::body_html))
            .load(conn)?;
        for (id, text, html) in emails {
            let (Some(text), Some(html)) = (resealed(keys, &text)?, resealed(keys, &html)?) else { continue };
            diesel::update(outbox::table.find(&id))
                .set((outbox::body_text.eq(text), outbox::body_html.eq(html)))
                .execute(conn)?;
            done.emails += 1;
        }
        Ok(done)
    })
}
