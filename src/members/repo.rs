//! Queries on memberships (of municipalities and of networks) and invitations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    invitations, municipality_memberships, network_memberships, organisation_memberships, users,
};
use crate::db::DbConnection;

use super::MembershipOwner;

pub fn insert_member(
    conn: &mut DbConnection,
    scope: &MembershipOwner,
    user_id: &str,
    role: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    match scope {
        MembershipOwner::Municipality(id) => diesel::insert_into(municipality_memberships::table)
            .values((
                municipality_memberships::municipality_id.eq(id),
                municipality_memberships::user_id.eq(user_id),
                municipality_memberships::role.eq(role),
                municipality_memberships::created_at.eq(now),
            ))
            .execute(conn),
        MembershipOwner::Network(id) => {
            return crate::networks::repo::insert_member(conn, id, user_id, role, now)
        }
        MembershipOwner::Organisation(id) => diesel::insert_into(organisation_memberships::table)
            .values((
                organisation_memberships::organisation_id.eq(id),
                organisation_memberships::user_id.eq(user_id),
                organisation_memberships::role.eq(role),
                organisation_memberships::created_at.eq(now),
            ))
            .execute(conn),
    }
    .map(drop)
}

/// `(user_id, name, email, role, since)` of every member, by name.
pub type MemberRow = (String, String, String, String, NaiveDateTime);

pub fn list_members(conn: &mut DbConnection, scope: &MembershipOwner) -> QueryResult<Vec<MemberRow>> {
    match scope {
        MembershipOwner::Municipality(id) => municipality_memberships::table
            .inner_join(users::table)
            .filter(municipality_memberships::municipality_id.eq(id))
            .select((
                users::id,
                users::name,
                users::email,
                municipality_memberships::role,
                municipality_memberships::created_at,
            ))
            .order((users::name, users::id))
            .load(conn),
        MembershipOwner::Network(id) => network_memberships::table
            .inner_join(users::table)
            .filter(network_memberships::network_id.eq(id))
            .select((
                users::id,
                users::name,
                users::email,
                network_memberships::role,
                network_memberships::created_at,
            ))
            .order((users::name, users::id))
            .load(conn),
        MembershipOwner::Organisation(id) => organisation_memberships::table
            .inner_join(users::table)
            .filter(organisation_memberships::organisation_id.eq(id))
            .select((
                users::id,
                users::name,
                users::email,
                organisation_memberships::role,
                organisation_memberships::created_at,
            ))
            .order((users::name, users::id))
            .load(conn),
    }
}

pub fn member_role(
    conn: &mut DbConnection,
    scope: &MembershipOwner,
    user_id: &str,
) -> QueryResult<Option<String>> {
    match scope {
        MembershipOwner::Municipality(id) => municipality_memberships::table
            .find((id, user_id))
            .select(municipality_memberships::role)
            .first(conn)
            .optional(),
        MembershipOwner::Network(id) => network_memberships::table
            .find((id, user_id))
            .select(network_memberships::role)
            .first(conn)
            .optional(),
        MembershipOwner::Organisation(id) => organisation_memberships::table
            .find((id, user_id))
            .select(organisation_memberships::role)
            .first(conn)
            .optional(),
    }
}

pub fn count_role(conn: &mut DbConnection, scope: &MembershipOwner, role: &str) -> QueryResult<i64> {
    match scope {
        MembershipOwner::Municipality(id) => municipality_memberships::table
            .filter(municipality_memberships::municipality_id.eq(id))
            .filter(municipality_memberships::role.eq(role))
            .count()
            .get_result(conn),
        MembershipOwner::Network(id) => network_memberships::table
            .filter(network_memberships::network_id.eq(id))
            .filter(network_memberships::role.eq(role))
            .count()
            .get_result(conn),
        MembershipOwner::Organisation(id) => organisation_memberships::table
            .filter(organisation_memberships::organisation_id.eq(id))
            .filter(organisation_memberships::role.eq(role))
            .count()
            .get_result(conn),
    }
}

pub fn set_role(
    conn: &mut DbConnection,
    scope: &MembershipOwner,
    user_id: &str,
    role: &str,
) -> QueryResult<()> {
    match scope {
        MembershipOwner::Municipality(id) => {
            diesel::update(municipality_memberships::table.find((id, user_id)))
                .set(municipality_memberships::role.eq(role))
                .execute(conn)
        }
        MembershipOwner::Network(id) => diesel::update(network_memberships::table.find((id, user_id)))
            .set(network_memberships::role.eq(role))
            .execute(conn),
        MembershipOwner::Organisation(id) => {
            diesel::update(organisation_memberships::table.find((id, user_id)))
                .set(organisation_memberships::role.eq(role))
                .execute(conn)
        }
    }
    .map(drop)
}

pub fn remove(conn: &mut DbConnection, scope: &MembershipOwner, user_id: &str) -> QueryResult<()> {
    match scope {
        MembershipOwner::Municipality(id) => {
            diesel::delete(municipality_memberships::table.find((id, user_id))).execute(conn)
        }
        MembershipOwner::Network(id) => {
            diesel::delete(network_memberships::table.find((id, user_id))).execute(conn)
        }
        MembershipOwner::Organisation(id) => {
            diesel::delete(organisation_memberships::table.find((id, user_id))).execute(conn)
        }
    }
    .map(drop)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: String,
    pub token_hash: String,
    pub municipality_id: Option<String>,
    pub network_id: Option<String>,
    pub organisation_id: Option<String>,
    pub email: String,
    pub name: String,
    pub role: String,
    pub invited_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub accepted_by: Option<String>,
}

impl InvitationRow {
    pub fn scope(&self) -> MembershipOwner {
        match (&self.municipality_id, &self.network_id, &self.organisation_id) {
            (Some(m), _, _) => MembershipOwner::Municipality(m.clone()),
            (None, Some(n), _) => MembershipOwner::Network(n.clone()),
            (None, None, o) => MembershipOwner::Organisation(o.clone().unwrap_or_default()),
        }
    }
}

pub fn insert_invitation(conn: &mut DbConnection, row: &InvitationRow) -> QueryResult<()> {
    diesel::insert_into(invitations::table).values(row).execute(conn).map(drop)
}

pub fn find_invitation_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Marks the invitation accepted; `false` when another request accepted it first.
pub fn claim_invitation(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(invitations::table.find(id).filter(invitations::accepted_at.is_null()))
        .set(invitations::accepted_at.eq(now))
        .execute(conn)?;
    Ok(updated == 1)
}

pub fn set_accepted_by(conn: &mut DbConnection, id: &str, user_id: &str) -> QueryResult<()> {
    diesel::update(invitations::table.find(id))
        .set(invitations::accepted_by.eq(user_id))
        .execute(conn)
        .map(drop)
}

/// Invitations of the scope that are neither accepted nor expired, newest last.
pub fn pending_invitations(
    conn: &mut DbConnection,
    scope: &MembershipOwner,
    now: NaiveDateTime,
) -> QueryResult<Vec<InvitationRow>> {
    let query = invitations::table
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .select(InvitationRow::as_select())
        .order(invitations::id.asc())
        .into_boxed();
    match scope {
        MembershipOwner::Municipality(id) => {
            query.filter(invitations::municipality_id.eq(id.clone())).load(conn)
        }
        MembershipOwner::Network(id) => query.filter(invitations::network_id.eq(id.clone())).load(conn),
        MembershipOwner::Organisation(id) => {
            query.filter(invitations::organisation_id.eq(id.clone())).load(conn)
        }
    }
}
