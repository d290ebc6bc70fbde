//! The queries behind a caller: a person in a live session with every membership, or the
//! service account behind an API token. Here, so that the extractor needs no area.

use std::sync::Arc;

use diesel::prelude::*;

use crate::db::schema::{
    municipality_memberships, network_memberships, organisation_memberships, service_account_tokens,
    service_accounts, sessions, users,
};
use crate::db::{read_snapshot, DbConnection};
use crate::domain::time::now;
use crate::domain::Scope;
use crate::error::ApiError;

use super::caller::{Caller, MunicipalityMembership, NetworkMembership, ServiceAccountAccess};
use super::known_access::{KnownAccess, Memberships};
use super::secrets;

/// What every service account's API token starts with, so a leaked one is recognisable (and
/// secret scanners can find it).
pub const SERVICE_ACCOUNT_TOKEN_PREFIX: &str = "pct_";

/// What of a user the caller carries.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub is_platform_admin: bool,
    pub page_language: Option<String>,
}

/// The caller behind a token: an enabled user in a live session, with every membership. One
/// query when the person's memberships are known at their current access version.
pub fn session_caller(
    conn: &mut DbConnection,
    known: &KnownAccess,
    user_id: &str,
    session_id: &str,
) -> QueryResult<Option<Caller>> {
    let found: Option<(Person, i64)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select((Person::as_select(), users::access_version))
        .first(conn)
        .optional()?;
    let Some((person, version)) = found else {
        return Ok(None);
    };
    let memberships = match known.get(&person.id, version) {
        Some(memberships) => memberships,
        None => {
            // Read after the version, so never older than it (a newer version read next time
            // reads them again).
            let memberships = Arc::new(read_snapshot(conn, |conn| memberships_of(conn, &person.id))?);
            known.keep(&person.id, version, memberships.clone());
            memberships
        }
    };
    let mut caller = with_memberships(person, &memberships);
    caller.session_id = Some(session_id.to_owned());
    Ok(Some(caller))
}

/// A person with their memberships.
pub fn person_caller(conn: &mut DbConnection, person: Person) -> QueryResult<Caller> {
    let memberships = memberships_of(conn, &person.id)?;
    Ok(with_memberships(person, &memberships))
}

/// Every role of a person (roles that no longer parse are skipped, never widened).
fn memberships_of(conn: &mut DbConnection, user_id: &str) -> QueryResult<Memberships> {
    let municipality_roles: Vec<(String, String)> = municipality_memberships::table
        .filter(municipality_memberships::user_id.eq(user_id))
        .select((municipality_memberships::municipality_id, municipality_memberships::role))
        .order(municipality_memberships::municipality_id)
        .load(conn)?;
    let network_roles: Vec<(String, String)> = network_memberships::table
        .filter(network_memberships::user_id.eq(user_id))
        .select((network_memberships::network_id, network_memberships::role))
        .order(network_memberships::network_id)
        .load(conn)?;
    let organisations: Vec<String> = organisation_memberships::table
        .filter(organisation_memberships::user_id.eq(user_id))
        .select(organisation_memberships::organisation_id)
        .order(organisation_memberships::organisation_id)
        .load(conn)?;
    Ok(Memberships {
        municipalities: municipality_roles
            .into_iter()
            .filter_map(|(municipality_id, role)| {
                Some(MunicipalityMembership { municipality_id, role: role.parse().ok()? })
            })
            .collect(),
        networks: network_roles
            .into_iter()
            .filter_map(|(network_id, role)| Some(NetworkMembership { network_id, role: role.parse().ok()? }))
            .collect(),
        organisations,
    })
}

fn with_memberships(person: Person, memberships: &Memberships) -> Caller {
    Caller {
        municipalities: memberships.municipalities.clone(),
        networks: memberships.networks.clone(),
        organisations: memberships.organisations.clone(),
        service_account: None,
        user_id: person.id,
        name: person.name,
        email: person.email,
        locale: person.locale,
        page_language: person.page_language,
        is_platform_admin: person.is_platform_admin,
        session_id: None,
        request_id: None,
    }
}

/// The live token with this hash and its active account (neither revoked nor expired):
/// `(token id, account id, account name, municipality id, scopes)`.
type LiveToken = (String, String, String, String, String);

/// The caller a bearer token stands for: its service account with its scopes in its
/// municipality; `None` for an unknown, revoked or expired token or an inactive account.
pub fn service_account_caller(conn: &mut DbConnection, token: &str) -> Result<Option<Caller>, ApiError> {
    let at = now();
    let live: Option<LiveToken> = service_account_tokens::table
        .inner_join(service_accounts::table)
        .filter(service_account_tokens::token_hash.eq(secrets::hash(token)))
        .filter(service_account_tokens::revoked_at.is_null())
        .filter(service_account_tokens::expires_at.is_null().or(service_account_tokens::expires_at.gt(at)))
        .filter(service_accounts::active.eq(true))
        .filter(service_accounts::expires_at.is_null().or(service_accounts::expires_at.gt(at)))
        .select((
            service_account_tokens::id,
            service_accounts::id,
            service_accounts::name,
            service_accounts::municipality_id,
            service_accounts::scopes,
        ))
        .first(conn)
        .optional()?;
    let Some((token_id, account_id, name, municipality_id, scopes)) = live else { return Ok(None) };
    touch_token(conn, &token_id, at)?;
    Ok(Some(Caller {
        email: format!("{account_id}@service-accounts.invalid"),
        user_id: account_id,
        name,
        locale: "en".to_owned(),
        page_language: None,
        is_platform_admin: false,
        session_id: None,
        request_id: None,
        municipalities: Vec::new(),
        networks: Vec::new(),
        organisations: Vec::new(),
        service_account: Some(ServiceAccountAccess {
            municipality_id,
            scopes: Scope::split(&scopes),
            token_id,
        }),
    }))
}

/// Notes a use of the token, at most once a minute so reads stay reads.
fn touch_token(conn: &mut DbConnection, id: &str, at: chrono::NaiveDateTime) -> QueryResult<()> {
    let stale = at - chrono::Duration::seconds(60);
    diesel::update(service_account_tokens::table.find(id).filter(
        service_account_tokens::last_used_at.is_null().or(service_account_tokens::last_used_at.lt(stale)),
    ))
    .set(service_account_tokens::last_used_at.eq(at))
    .execute(conn)
    .map(drop)
}
