//! Who gets told: the people who act for a municipality, a network or an organisation, as the
//! outbox addresses them (reminders, notices and digests all ask here).

use diesel::prelude::*;

use crate::db::schema::{municipality_memberships, network_memberships, organisation_memberships, users};
use crate::db::DbConnection;

/// Someone to remind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recipient {
    pub user_id: String,
    pub email: String,
    pub locale: String,
    /// Wants one email a day with all reminders instead of one each.
    pub digest: bool,
}

type UserContactRow = (String, String, String, String);

fn active_users(rows: Vec<UserContactRow>) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = rows
        .into_iter()
        .map(|(user_id, email, locale, preference)| Recipient {
            user_id,
            email,
            locale,
            digest: preference == "daily_digest",
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

pub fn municipality_people(
    conn: &mut DbConnection,
    municipality_id: &str,
    roles: &[&str],
) -> QueryResult<Vec<Recipient>> {
    let rows = municipality_memberships::table
        .inner_join(users::table)
        .filter(municipality_memberships::municipality_id.eq(municipality_id))
        .filter(municipality_memberships::role.eq_any(roles))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email, users::locale, users::notification_preference))
        .load(conn)?;
    Ok(active_users(rows))
}

pub fn network_people(
    conn: &mut DbConnection,
    network_id: &str,
    roles: &[&str],
) -> QueryResult<Vec<Recipient>> {
    let rows = network_memberships::table
        .inner_join(users::table)
        .filter(network_memberships::network_id.eq(network_id))
        .filter(network_memberships::role.eq_any(roles))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email, users::locale, users::notification_preference))
        .load(conn)?;
    Ok(active_users(rows))
}

fn organisation_contacts(conn: &mut DbConnection, organisation_id: &str) -> QueryResult<Vec<Recipient>> {
    let rows = organisation_memberships::table
        .inner_join(users::table)
        .filter(organisation_memberships::organisation_id.eq(organisation_id))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email, users::locale, users::notification_preference))
        .load(conn)?;
    Ok(active_users(rows))
}

/// The roles that act for a municipality.
pub const OFFICERS: [&str; 2] = ["municipal_admin", "officer"];

/// Those who act for a party.
pub fn representatives(
    conn: &mut DbConnection,
    party_type: &str,
    party_id: &str,
) -> QueryResult<Vec<Recipient>> {
    match party_type {
        "municipality" => municipality_people(conn, party_id, &OFFICERS),
        "network" => network_people(conn, party_id, &["coordinator"]),
        _ => organisation_contacts(conn, party_id),
    }
}
