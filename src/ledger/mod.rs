//! The ledger: every change of money (commit on approval, release, payment, refund) is one
//! append-only entry, written in the same transaction as the change. Balances are derived from
//! it, and `verify` proves the counters the database constrains agree with it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::db::schema::{funds, grants, ledger_entries};
use crate::db::DbConnection;
use crate::domain::time::{now, utc};

crate::domain::text_enum! {
    /// Which way a ledger entry moves money.
    pub enum EntryKind {
        /// An approval takes money out of the fund's available budget.
        Commit,
        /// What an approval will not use any more (cancelled, settled lower) goes back.
        Release,
        /// A tranche paid to the network.
        Payment,
        /// Money the network paid back.
        Refund,
    }
}

/// One change of money to record.
pub struct Entry<'a> {
    pub municipality_id: &'a str,
    pub fund_id: &'a str,
    pub grant_id: &'a str,
    pub tranche_id: Option<&'a str>,
    pub kind: EntryKind,
    pub amount_cents: i64,
}

pub fn record(conn: &mut DbConnection, actor: &Actor, entry: Entry<'_>) -> QueryResult<()> {
    diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::id.eq(uuid::Uuid::now_v7().to_string()),
            ledger_entries::municipality_id.eq(entry.municipality_id),
            ledger_entries::fund_id.eq(entry.fund_id),
            ledger_entries::grant_id.eq(entry.grant_id),
            ledger_entries::tranche_id.eq(entry.tranche_id),
            ledger_entries::kind.eq(entry.kind.as_str()),
            ledger_entries::amount_cents.eq(entry.amount_cents),
            ledger_entries::actor_user_id.eq(actor.user_id.as_deref()),
            ledger_entries::request_id.eq(actor.request_id.as_deref()),
            ledger_entries::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Money totals by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub committed: i64,
    pub paid: i64,
    pub refunded: i64,
}

fn totals(rows: Vec<(String, i64)>) -> Totals {
    let mut totals = Totals::default();
    for (kind, amount) in rows {
        match kind.parse() {
            Ok(EntryKind::Commit) => totals.committed += amount,
            Ok(EntryKind::Release) => totals.committed -= amount,
            Ok(EntryKind::Payment) => totals.paid += amount,
            Ok(EntryKind::Refund) => totals.refunded += amount,
            Err(_) => {}
        }
    }
    totals
}

pub fn fund_totals(conn: &mut DbConnection, fund_id: &str) -> QueryResult<Totals> {
    let rows = ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .select((ledger_entries::kind, ledger_entries::amount_cents))
        .load(conn)?;
    Ok(totals(rows))
}

pub fn grant_totals(conn: &mut DbConnection, grant_id: &str) -> QueryResult<Totals> {
    let rows = ledger_entries::table
        .filter(ledger_entries::grant_id.eq(grant_id))
        .select((ledger_entries::kind, ledger_entries::amount_cents))
        .load(conn)?;
    Ok(totals(rows))
}

/// A fund's money, as `balances.*_cents`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Balances {
    pub budget_cents: i64,
    /// Approved for grants that are still live, paid or not.
    pub committed_cents: i64,
    pub paid_cents: i64,
    pub refunded_cents: i64,
    /// Budget not yet committed.
    pub available_cents: i64,
}

impl Balances {
    pub fn of(budget_cents: i64, totals: Totals) -> Self {
        Self {
            budget_cents,
            committed_cents: totals.committed,
            paid_cents: totals.paid,
            refunded_cents: totals.refunded,
            available_cents: budget_cents - totals.committed,
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ledger_entries)]
pub struct EntryRow {
    pub id: String,
    pub fund_id: String,
    pub grant_id: String,
    pub tranche_id: Option<String>,
    pub kind: String,
    pub amount_cents: i64,
    pub actor_user_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// One ledger entry: every change of money is one, written with the change it records.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryDto {
    pub id: String,
    pub fund_id: String,
    pub grant_id: String,
    pub tranche_id: Option<String>,
    pub kind: EntryKind,
    pub amount_cents: i64,
    pub actor_user_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<EntryRow> for EntryDto {
    type Error = crate::error::ApiError;

    fn try_from(row: EntryRow) -> Result<Self, Self::Error> {
        Ok(Self {
            kind: crate::db::stored::parse("ledger_entries.kind", &row.kind)?,
            id: row.id,
            fund_id: row.fund_id,
            grant_id: row.grant_id,
            tranche_id: row.tranche_id,
            amount_cents: row.amount_cents,
            actor_user_id: row.actor_user_id,
            created_at: utc(row.created_at),
        })
    }
}

/// Entries of a fund or a grant, oldest first, after `after_id`.
pub fn entries(
    conn: &mut DbConnection,
    fund_id: Option<&str>,
    grant_id: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let mut query = ledger_entries::table.select(EntryRow::as_select()).into_boxed();
    if let Some(fund_id) = fund_id {
        query = query.filter(ledger_entries::fund_id.eq(fund_id.to_owned()));
    }
    if let Some(grant_id) = grant_id {
        query = query.filter(ledger_entries::grant_id.eq(grant_id.to_owned()));
    }
    if let Some(after) = after_id {
        query = query.filter(ledger_entries::id.gt(after.to_owned()));
    }
    query.order(ledger_entries::id.asc()).limit(limit).load(conn)
}

/// Every place where a counter and the ledger disagree; empty when all is well.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let mut problems = Vec::new();
    let all_funds: Vec<(String, i64, i64, i64)> = funds::table
        .select((funds::id, funds::committed_cents, funds::paid_cents, funds::refunded_cents))
        .load(conn)?;
    for (id, committed, paid, refunded) in all_funds {
        let ledger = fund_totals(conn, &id)?;
        let counters = Totals { committed, paid, refunded };
        if ledger != counters {
            problems.push(format!("fund {id}: counters {counters:?} but ledger {ledger:?}"));
        }
    }
    let all_grants: Vec<(String, i64)> = grants::table.select((grants::id, grants::paid_cents)).load(conn)?;
    for (id, paid) in all_grants {
        let ledger = grant_totals(conn, &id)?;
        if ledger.paid != paid {
            problems.push(format!("grant {id}: paid {paid} but ledger payments {}", ledger.paid));
        }
    }
    Ok(problems)
}
