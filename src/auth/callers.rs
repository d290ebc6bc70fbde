//! The queries behind a caller: a person in a live session with every membership, or the
//! service account behind an API token. Here, so that the extractor needs no area.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};

use crate::db::schema::{
    municipality_memberships, network_memberships, organisation_memberships, service_account_tokens,
    service_accounts, users,
};
use crate::db::DbConnection;
use crate::domain::time::now;
use crate::domain::Scope;
use crate::error::ApiError;

use super::caller::{Caller, MunicipalityMembership, NetworkMembership, ServiceAccountAccess};
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

/// The caller behind a token: an enabled user in a live session, with every membership, in one
/// statement (a round trip on PostgreSQL instead of four): a row for the person, then one per
/// membership. `$1` and `$2` are bound in the order they first appear, as SQLite numbers them.
const SESSION_CALLER: &str = "\
    SELECT 0 AS kind, u.id AS id, u.name AS detail, u.email AS email, u.locale AS locale, \
           u.page_language AS page_language, u.is_platform_admin AS is_platform_admin \
      FROM sessions s JOIN users u ON u.id = s.user_id \
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND u.disabled = FALSE \
    UNION ALL SELECT 1, municipality_id, role, NULL, NULL, NULL, NULL \
      FROM municipality_memberships WHERE user_id = $2 \
    UNION ALL SELECT 2, network_id, role, NULL, NULL, NULL, NULL \
      FROM network_memberships WHERE user_id = $2 \
    UNION ALL SELECT 3, organisation_id, NULL, NULL, NULL, NULL, NULL \
      FROM organisation_memberships WHERE user_id = $2 \
    ORDER BY 1, 2";

/// A row of [`SESSION_CALLER`]: the person (kind 0: `detail` is their name) or one membership
/// (1 a municipality, 2 a network: `detail` is the role; 3 an organisation).
#[derive(QueryableByName)]
struct CallerRow {
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    detail: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    locale: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    page_language: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    is_platform_admin: Option<bool>,
}

/// The caller behind a token: an enabled user in a live session, with every membership.
pub fn session_caller(
    conn: &mut DbConnection,
    user_id: &str,
    session_id: &str,
) -> QueryResult<Option<Caller>> {
    let rows: Vec<CallerRow> =
        diesel::sql_query(SESSION_CALLER).bind::<Text, _>(session_id).bind::<Text, _>(user_id).load(conn)?;
    let mut rows = rows.into_iter().peekable();
    let Some(person) = rows.next_if(|row| row.kind == 0) else {
        return Ok(None);
    };
    let person = Person {
        id: person.id,
        name: person.detail.unwrap_or_default(),
        email: person.email.unwrap_or_default(),
        locale: person.locale.unwrap_or_default(),
        page_language: person.page_language,
        is_platform_admin: person.is_platform_admin.unwrap_or(false),
    };
    let (mut municipalities, mut networks, mut organisations) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        match row.kind {
            1 => municipalities.push((row.id, row.detail.unwrap_or_default())),
            2 => networks.push((row.id, row.detail.unwrap_or_default())),
            _ => organisations.push(row.id),
        }
    }
    let mut caller = caller_of(person, municipalities, networks, organisations);
    caller.session_id = Some(session_id.to_owned());
    Ok(Some(caller))
}

/// A person with their memberships (roles that no longer parse are skipped, never widened).
pub fn person_caller(conn: &mut DbConnection, person: Person) -> QueryResult<Caller> {
    let municipality_roles: Vec<(String, String)> = municipality_memberships::table
        .filter(municipality_memberships::user_id.eq(&person.id))
        .select((municipality_memberships::municipality_id, municipality_memberships::role))
        .order(municipality_memberships::municipality_id)
        .load(conn)?;
    let network_roles: Vec<(String, String)> = network_memberships::table
        .filter(network_memberships::user_id.eq(&person.id))
        .select((network_memberships::network_id, network_memberships::role))
        .order(network_memberships::network_id)
        .load(conn)?;
    let organisations: Vec<String> = organisation_memberships::table
        .filter(organisation_memberships::user_id.eq(&person.id))
        .select(organisation_memberships::organisation_id)
        .order(organisation_memberships::organisation_id)
        .load(conn)?;
    Ok(caller_of(person, municipality_roles, network_roles, organisations))
}

/// A person with these memberships: `(municipality, role)`, `(network, role)` and
/// organisations. Roles that no longer parse are skipped, never widened.
fn caller_of(
    person: Person,
    municipality_roles: Vec<(String, String)>,
    network_roles: Vec<(String, String)>,
    organisations: Vec<String>,
) -> Caller {
    Caller {
        organisations,
        service_account: None,
        user_id: person.id,
        name: person.name,
        email: person.email,
        locale: person.locale,
        page_language: person.page_language,
        is_platform_admin: person.is_platform_admin,
        session_id: None,
        request_id: None,
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
