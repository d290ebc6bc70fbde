//! Queries on networks, their tags (themes, neighbourhoods) and their municipality links.

use chrono::NaiveDateTime;
use diesel::dsl::{AsSelect, SqlTypeOf};
use diesel::prelude::*;

use crate::db::page::{read_apart, Reach};
use crate::db::schema::{municipality_networks, network_memberships, network_tags, networks};
use crate::db::{Backend, DbConnection};

use super::dto::LinkStatus;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = networks)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub legal_form: String,
    pub kvk_number: Option<String>,
    pub intermediary_name: Option<String>,
    pub intermediary_kvk_number: Option<String>,
    pub contact_email: String,
    pub listed_publicly: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When someone at the contact address confirmed it; until then no directory messages.
    pub contact_confirmed_at: Option<NaiveDateTime>,
}

pub const THEME: &str = "theme";
pub const NEIGHBOURHOOD: &str = "neighbourhood";

pub fn insert(conn: &mut DbConnection, row: &NetworkRow) -> QueryResult<()> {
    diesel::insert_into(networks::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<NetworkRow>> {
    networks::table.find(id).select(NetworkRow::as_select()).first(conn).optional()
}

/// Writes the row if its version is still `row.version - 1`.
pub fn update(conn: &mut DbConnection, row: &NetworkRow) -> QueryResult<bool> {
    let updated = diesel::update(networks::table.find(&row.id).filter(networks::version.eq(row.version - 1)))
        .set((
            networks::name.eq(&row.name),
            networks::kind.eq(&row.kind),
            networks::description.eq(&row.description),
            networks::legal_form.eq(&row.legal_form),
            networks::kvk_number.eq(&row.kvk_number),
            networks::intermediary_name.eq(&row.intermediary_name),
            networks::intermediary_kvk_number.eq(&row.intermediary_kvk_number),
            networks::contact_email.eq(&row.contact_email),
            networks::listed_publicly.eq(row.listed_publicly),
            networks::version.eq(row.version),
            networks::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// A new confirmation link for the contact address (only its hash is kept); the address counts
/// as unconfirmed until it is used.
pub fn await_contact_confirmation(
    conn: &mut DbConnection,
    id: &str,
    token_hash: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(networks::table.find(id))
        .set((
            networks::contact_confirmed_at.eq(None::<NaiveDateTime>),
            networks::contact_confirmation_hash.eq(token_hash),
            networks::contact_confirmation_expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The network whose unexpired confirmation link this is.
pub fn awaiting_confirmation(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<NetworkRow>> {
    networks::table
        .filter(networks::contact_confirmation_hash.eq(token_hash))
        .filter(networks::contact_confirmation_expires_at.gt(now))
        .select(NetworkRow::as_select())
        .first(conn)
        .optional()
}

/// Marks the contact address confirmed, once: `false` when the link was used meanwhile.
pub fn confirm_contact(
    conn: &mut DbConnection,
    id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated =
        diesel::update(networks::table.find(id).filter(networks::contact_confirmation_hash.eq(token_hash)))
            .set((
                networks::contact_confirmed_at.eq(now),
                networks::contact_confirmation_hash.eq(None::<String>),
                networks::contact_confirmation_expires_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    Ok(updated == 1)
}

/// A network as the directory shows it: listed, working with a municipality, with a confirmed
/// contact address.
pub fn find_in_directory(conn: &mut DbConnection, id: &str) -> QueryResult<Option<NetworkRow>> {
    let active = municipality_networks::table
        .filter(municipality_networks::status.eq("active"))
        .select(municipality_networks::network_id);
    networks::table
        .find(id)
        .filter(networks::listed_publicly.eq(true))
        .filter(networks::contact_confirmed_at.is_not_null())
        .filter(networks::id.eq_any(active))
        .select(NetworkRow::as_select())
        .first(conn)
        .optional()
}

/// Marks the contact address confirmed without a link: for seeded example data only.
pub fn confirm_contact_now(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(networks::table.find(id))
        .set(networks::contact_confirmed_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Counts one directory message to a network today, unless it already had `cap` today:
/// checking and counting are one statement, so parallel senders cannot pass the cap together.
pub fn count_directory_message(
    conn: &mut DbConnection,
    id: &str,
    today: chrono::NaiveDate,
    cap: i32,
) -> QueryResult<bool> {
    use diesel::dsl::case_when;
    let same_day = networks::directory_messages_on.eq(today).assume_not_null();
    let updated = diesel::update(
        networks::table.find(id).filter(
            networks::directory_messages_on
                .ne(today)
                .or(networks::directory_messages_on.is_null())
                .or(networks::directory_messages_sent.lt(cap)),
        ),
    )
    .set((
        networks::directory_messages_sent
            .eq(case_when(same_day, networks::directory_messages_sent + 1).otherwise(1)),
        networks::directory_messages_on.eq(today),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Replaces one kind of tag of a network, keeping the given order.
pub fn replace_tags(
    conn: &mut DbConnection,
    network_id: &str,
    tag_type: &str,
    values: &[String],
) -> QueryResult<()> {
    diesel::delete(
        network_tags::table
            .filter(network_tags::network_id.eq(network_id))
            .filter(network_tags::tag_type.eq(tag_type)),
    )
    .execute(conn)?;
    let rows: Vec<_> = values
        .iter()
        .zip(0..)
        .map(|(value, position): (&String, i32)| {
            (
                network_tags::network_id.eq(network_id),
                network_tags::tag_type.eq(tag_type),
                network_tags::value.eq(value),
                network_tags::position.eq(position),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(network_tags::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// `(network_id, tag_type, value)` for the given networks, in position order.
pub fn tags(conn: &mut DbConnection, network_ids: &[String]) -> QueryResult<Vec<(String, String, String)>> {
    network_tags::table
        .filter(network_tags::network_id.eq_any(network_ids))
        .order((network_tags::network_id, network_tags::tag_type, network_tags::position))
        .select((network_tags::network_id, network_tags::tag_type, network_tags::value))
        .load(conn)
}

/// `(network_id, municipality_id, status)` for the given networks.
pub fn links(conn: &mut DbConnection, network_ids: &[String]) -> QueryResult<Vec<(String, String, String)>> {
    municipality_networks::table
        .filter(municipality_networks::network_id.eq_any(network_ids))
        .order((municipality_networks::network_id, municipality_networks::municipality_id))
        .select((
            municipality_networks::network_id,
            municipality_networks::municipality_id,
            municipality_networks::status,
        ))
        .load(conn)
}

pub fn link_status(
    conn: &mut DbConnection,
    municipality_id: &str,
    network_id: &str,
) -> QueryResult<Option<String>> {
    municipality_networks::table
        .find((municipality_id, network_id))
        .select(municipality_networks::status)
        .first(conn)
        .optional()
}

pub fn insert_link(
    conn: &mut DbConnection,
    municipality_id: &str,
    network_id: &str,
    status: &str,
    requested_by: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(municipality_networks::table)
        .values((
            municipality_networks::municipality_id.eq(municipality_id),
            municipality_networks::network_id.eq(network_id),
            municipality_networks::status.eq(status),
            municipality_networks::requested_by.eq(requested_by),
            municipality_networks::created_at.eq(now),
            municipality_networks::decided_at.eq((status == "active").then_some(now)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn activate_link(
    conn: &mut DbConnection,
    municipality_id: &str,
    network_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(municipality_networks::table.find((municipality_id, network_id)))
        .set((municipality_networks::status.eq("active"), municipality_networks::decided_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn delete_link(conn: &mut DbConnection, municipality_id: &str, network_id: &str) -> QueryResult<()> {
    diesel::delete(municipality_networks::table.find((municipality_id, network_id))).execute(conn).map(drop)
}

pub struct NetworkFilter {
    /// Every network (platform admins, the public directory), or a caller's own and those
    /// linked to the municipalities reached.
    pub reach: Reach,
    /// Only an active link reaches a network through a municipality (a service account);
    /// its people also see the networks that asked to work with it (a requested link).
    pub active_links_only: bool,
    pub theme: Option<String>,
    pub kind: Option<String>,
    pub neighbourhood: Option<String>,
    pub name_contains: Option<String>,
    pub municipality_id: Option<String>,
    pub link_status: Option<String>,
    /// Only networks that chose to be listed publicly.
    pub listed_only: bool,
    pub after_id: Option<String>,
    pub limit: i64,
}

/// Whether anyone coordinates the network.
pub fn has_coordinator(conn: &mut DbConnection, network_id: &str) -> QueryResult<bool> {
    let coordinators: i64 = network_memberships::table
        .filter(network_memberships::network_id.eq(network_id))
        .filter(network_memberships::role.eq(crate::domain::NetworkRole::Coordinator.as_str()))
        .count()
        .get_result(conn)?;
    Ok(coordinators > 0)
}

/// A page of the networks reached: the caller's own, and per municipality reached those linked
/// to it (read apart on the links' key), merged.
pub fn list(conn: &mut DbConnection, filter: &NetworkFilter) -> QueryResult<Vec<NetworkRow>> {
    let Reach::Within { municipalities, networks: own, .. } = &filter.reach else {
        return page_query(filter).load(conn);
    };
    let reaching = if filter.active_links_only {
        vec![LinkStatus::Active.as_str()]
    } else {
        vec![LinkStatus::Requested.as_str(), LinkStatus::Active.as_str()]
    };
    let parts = municipalities
        .iter()
        .map(|municipality_id| {
            let linked = municipality_networks::table
                .filter(municipality_networks::municipality_id.eq(municipality_id))
                .filter(municipality_networks::status.eq_any(&reaching))
                .select(municipality_networks::network_id);
            page_query(filter).filter(networks::id.eq_any(linked))
        })
        .chain((!own.is_empty()).then(|| page_query(filter).filter(networks::id.eq_any(own))));
    read_apart(parts, filter.limit, |part| part.load(conn), |row: &NetworkRow| &row.id)
}

fn page_query(
    filter: &NetworkFilter,
) -> networks::BoxedQuery<'_, Backend, SqlTypeOf<AsSelect<NetworkRow, Backend>>> {
    let mut query = networks::table.select(NetworkRow::as_select()).into_boxed();
    for (tag_type, value) in [(THEME, &filter.theme), (NEIGHBOURHOOD, &filter.neighbourhood)] {
        if let Some(value) = value {
            let tagged = network_tags::table
                .filter(network_tags::tag_type.eq(tag_type))
                .filter(lower(network_tags::value).eq(value.to_lowercase()))
                .select(network_tags::network_id);
            query = query.filter(networks::id.eq_any(tagged));
        }
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(networks::kind.eq(kind));
    }
    if filter.listed_only {
        // The directory (as `find_in_directory`): listed, working with a municipality, with a
        // confirmed contact address.
        let active = municipality_networks::table
            .filter(municipality_networks::status.eq("active"))
            .select(municipality_networks::network_id);
        query = query
            .filter(networks::listed_publicly.eq(true))
            .filter(networks::contact_confirmed_at.is_not_null())
            .filter(networks::id.eq_any(active));
    }
    if let Some(text) = &filter.name_contains {
        let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        query = query.filter(lower(networks::name).like(format!("%{escaped}%")).escape('\\'));
    }
    if let Some(municipality_id) = &filter.municipality_id {
        let linked = municipality_networks::table
            .filter(municipality_networks::municipality_id.eq(municipality_id))
            .select(municipality_networks::network_id);
        query = match &filter.link_status {
            Some(status) => {
                query.filter(networks::id.eq_any(linked.filter(municipality_networks::status.eq(status))))
            }
            None => query.filter(networks::id.eq_any(linked)),
        };
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(networks::id.gt(after));
    }
    query.order(networks::id.asc()).limit(filter.limit)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<NetworkRow>> {
    networks::table.filter(networks::name.eq(name)).select(NetworkRow::as_select()).first(conn).optional()
}

/// Makes `user_id` a member of the network in `role` (its coordinator, when they register it).
pub fn insert_member(
    conn: &mut DbConnection,
    network_id: &str,
    user_id: &str,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(network_memberships::table)
        .values((
            network_memberships::network_id.eq(network_id),
            network_memberships::user_id.eq(user_id),
            network_memberships::role.eq(role),
            network_memberships::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}
