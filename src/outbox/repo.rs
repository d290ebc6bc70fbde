//! Queries on the outbox, including the claim that hands each message to one worker: `FOR
//! UPDATE SKIP LOCKED` on PostgreSQL, the write lock of `BEGIN IMMEDIATE` on SQLite.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::page::read_apart;
use crate::db::schema::outbox;
use crate::db::{write_transaction, Backend, DbConnection};
use crate::domain::time::now;

use super::Email;

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub kind: String,
    pub dedupe_key: String,
    pub municipality_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_at: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, email: &Email) -> QueryResult<bool> {
    let at = now();
    let values = (
        outbox::id.eq(uuid::Uuid::now_v7().to_string()),
        outbox::kind.eq(email.kind),
        outbox::dedupe_key.eq(&email.dedupe_key),
        outbox::municipality_id.eq(&email.municipality_id),
        outbox::recipient.eq(&email.recipient),
        outbox::subject.eq(&email.subject),
        outbox::body_text.eq(&email.text),
        outbox::body_html.eq(&email.html),
        outbox::status.eq("queued"),
        outbox::next_attempt_at.eq(at),
        outbox::created_at.eq(at),
    );
    // ON CONFLICT DO NOTHING: a duplicate never aborts the caller's transaction.
    let inserted = match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(outbox::table)
            .values(values)
            .on_conflict(outbox::dedupe_key)
            .do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(sqlite) => diesel::insert_into(outbox::table)
            .values(values)
            .on_conflict(outbox::dedupe_key)
            .do_nothing()
            .execute(sqlite)?,
    };
    Ok(inserted == 1)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<OutboxRow>> {
    outbox::table.find(id).select(OutboxRow::as_select()).first(conn).optional()
}

pub fn find_by_dedupe_key(conn: &mut DbConnection, dedupe_key: &str) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .filter(outbox::dedupe_key.eq(dedupe_key))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

pub fn to_recipient(conn: &mut DbConnection, recipient: &str) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order(outbox::id.asc())
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Claims up to `limit` messages that are due, or whose claim is older than `stale_before`
/// (a worker died between claiming and sending): marks them `sending` for `worker`.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    at: NaiveDateTime,
    stale_before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    match conn {
        DbConnection::Postgres(pg) => pg.transaction(|pg| {
            diesel::sql_query(
                "UPDATE outbox SET status = 'sending', claimed_at = $1, claimed_by = $2, attempts = attempts + 1
                  WHERE id IN (SELECT id FROM outbox
                                WHERE (status = 'queued' AND next_attempt_at <= $1)
                                   OR (status = 'sending' AND claimed_at < $3)
                                ORDER BY next_attempt_at
                                LIMIT $4
                                FOR UPDATE SKIP LOCKED)
                 RETURNING *",
            )
            .bind::<Timestamp, _>(at)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(stale_before)
            .bind::<BigInt, _>(limit)
            .load::<OutboxRow>(pg)
        }),
        DbConnection::Sqlite(_) => write_transaction(conn, |conn| {
            let due: Vec<String> = outbox::table
                .filter(
                    outbox::status
                        .eq("queued")
                        .and(outbox::next_attempt_at.le(at))
                        .or(outbox::status.eq("sending").and(outbox::claimed_at.lt(stale_before))),
                )
                .order(outbox::next_attempt_at.asc())
                .limit(limit)
                .select(outbox::id)
                .load(conn)?;
            diesel::update(outbox::table.filter(outbox::id.eq_any(&due)))
                .set((
                    outbox::status.eq("sending"),
                    outbox::claimed_at.eq(at),
                    outbox::claimed_by.eq(worker),
                    outbox::attempts.eq(outbox::attempts + 1),
                ))
                .execute(conn)?;
            outbox::table.filter(outbox::id.eq_any(&due)).select(OutboxRow::as_select()).load(conn)
        }),
    }
}

/// Renews `worker`'s claim on a message just before it is sent (`claimed_at = at`); false when
/// another worker took the message over after the claim ran out, and then it is not sent here.
pub fn renew_claim(conn: &mut DbConnection, id: &str, worker: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table.find(id).filter(outbox::claimed_by.eq(worker)).filter(outbox::status.eq("sending")),
    )
    .set(outbox::claimed_at.eq(at))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Records a delivery, if this worker still holds the claim.
pub fn mark_sent(conn: &mut DbConnection, id: &str, worker: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        outbox::table.find(id).filter(outbox::claimed_by.eq(worker)).filter(outbox::status.eq("sending")),
    )
    .set((outbox::status.eq("sent"), outbox::sent_at.eq(at), outbox::last_error.eq(None::<String>)))
    .execute(conn)
    .map(drop)
}

/// Records a failure: back in the queue at `retry_at`, or `dead`.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    let status = if retry_at.is_some() { "queued" } else { "dead" };
    diesel::update(
        outbox::table.find(id).filter(outbox::claimed_by.eq(worker)).filter(outbox::status.eq("sending")),
    )
    .set((
        outbox::status.eq(status),
        outbox::next_attempt_at.eq(retry_at.unwrap_or_else(now)),
        outbox::last_error.eq(error),
    ))
    .execute(conn)
    .map(drop)
}

/// Puts a dead message back in the queue with a fresh count of attempts.
pub fn retry(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    let updated = diesel::update(outbox::table.find(id).filter(outbox::status.eq("dead")))
        .set((
            outbox::status.eq("queued"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now()),
            outbox::claimed_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// A page of the messages of these municipalities (`None`: all), read apart per municipality
/// on `outbox_municipality_status`.
pub fn list(
    conn: &mut DbConnection,
    municipalities: Option<&[String]>,
    status: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let page_query = |municipality_id: Option<&String>| {
        let mut query = outbox::table.select(OutboxRow::as_select()).into_boxed::<Backend>();
        if let Some(id) = municipality_id {
            query = query.filter(outbox::municipality_id.eq(id.clone()));
        }
        if let Some(status) = status {
            query = query.filter(outbox::status.eq(status.to_owned()));
        }
        if let Some(after) = after_id {
            query = query.filter(outbox::id.gt(after.to_owned()));
        }
        query.order(outbox::id.asc()).limit(limit)
    };
    let Some(ids) = municipalities else {
        return page_query(None).load(conn);
    };
    read_apart(ids, limit, |id| page_query(Some(id)).load(conn), |row: &OutboxRow| &row.id)
}

/// `(id, dedupe_key)` of the queued messages of one kind.
pub fn queued_of_kind(conn: &mut DbConnection, kind: &str) -> QueryResult<Vec<(String, String)>> {
    outbox::table
        .filter(outbox::kind.eq(kind))
        .filter(outbox::status.eq("queued"))
        .select((outbox::id, outbox::dedupe_key))
        .load(conn)
}

/// Cancels queued messages that should no longer go out.
pub fn cancel(conn: &mut DbConnection, ids: &[String]) -> QueryResult<usize> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)).filter(outbox::status.eq("queued")))
        .set(outbox::status.eq("cancelled"))
        .execute(conn)
}

/// How many messages are in each status, for the metrics, plus `failed`: queued again after a
/// failed attempt.
pub fn counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    let mut counts: Vec<(String, i64)> = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    let failed: i64 = outbox::table
        .filter(outbox::status.eq("queued"))
        .filter(outbox::attempts.gt(0))
        .count()
        .get_result(conn)?;
    counts.push(("failed".to_owned(), failed));
    Ok(counts)
}
