//! Queries on webhook subscriptions, their outbox of deliveries and the attempts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::page::read_apart;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_subscriptions};
use crate::db::{Backend, DbConnection};

use super::events::EventType;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: String,
    pub municipality_id: String,
    pub url: String,
    pub event_types: String,
    pub description: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub active: bool,
    pub delivering_until: Option<NaiveDateTime>,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub dedupe_key: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: String,
    pub delivery_id: String,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

pub fn insert(conn: &mut DbConnection, row: &SubscriptionRow) -> QueryResult<()> {
    diesel::insert_into(webhook_subscriptions::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SubscriptionRow>> {
    webhook_subscriptions::table.find(id).select(SubscriptionRow::as_select()).first(conn).optional()
}

/// A page of the subscriptions of these municipalities (`None`: all), read apart per
/// municipality on `webhook_subscriptions_municipality`.
pub fn list(
    conn: &mut DbConnection,
    municipality_ids: Option<&[String]>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<SubscriptionRow>> {
    let page_query = |municipality_id: Option<&String>| {
        let mut query =
            webhook_subscriptions::table.select(SubscriptionRow::as_select()).into_boxed::<Backend>();
        if let Some(id) = municipality_id {
            query = query.filter(webhook_subscriptions::municipality_id.eq(id.clone()));
        }
        if let Some(after) = after_id {
            query = query.filter(webhook_subscriptions::id.gt(after.to_owned()));
        }
        query.order(webhook_subscriptions::id.asc()).limit(limit)
    };
    let Some(ids) = municipality_ids else {
        return page_query(None).load(conn);
    };
    read_apart(ids, limit, |id| page_query(Some(id)).load(conn), |row: &SubscriptionRow| &row.id)
}

/// Writes the row if its version is still `row.version - 1`.
pub fn update(conn: &mut DbConnection, row: &SubscriptionRow) -> QueryResult<bool> {
    let updated = diesel::update(
        webhook_subscriptions::table.find(&row.id).filter(webhook_subscriptions::version.eq(row.version - 1)),
    )
    .set((
        webhook_subscriptions::url.eq(&row.url),
        webhook_subscriptions::event_types.eq(&row.event_types),
        webhook_subscriptions::description.eq(&row.description),
        webhook_subscriptions::active.eq(row.active),
        webhook_subscriptions::version.eq(row.version),
        webhook_subscriptions::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A new signing secret; the current one goes on signing beside it until `until`.
pub fn rotate(
    conn: &mut DbConnection,
    row: &SubscriptionRow,
    secret: &str,
    until: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(webhook_subscriptions::table.find(&row.id))
        .set((
            webhook_subscriptions::secret.eq(secret),
            webhook_subscriptions::previous_secret.eq(&row.secret),
            webhook_subscriptions::previous_secret_until.eq(until),
            webhook_subscriptions::version.eq(row.version + 1),
            webhook_subscriptions::updated_at.eq(crate::domain::time::now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Active subscriptions of the municipality that asked for this type.
pub fn subscribers(
    conn: &mut DbConnection,
    municipality_id: &str,
    event_type: EventType,
) -> QueryResult<Vec<String>> {
    let rows: Vec<(String, String)> = webhook_subscriptions::table
        .filter(webhook_subscriptions::municipality_id.eq(municipality_id))
        .filter(webhook_subscriptions::active.eq(true))
        .select((webhook_subscriptions::id, webhook_subscriptions::event_types))
        .order(webhook_subscriptions::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, types)| EventType::split(types).contains(&event_type))
        .map(|(id, _)| id)
        .collect())
}

/// Queues a message unless this subscription already has one with the same dedupe key.
pub fn enqueue(conn: &mut DbConnection, row: &DeliveryRow) -> QueryResult<usize> {
    // ON CONFLICT DO NOTHING: a duplicate never aborts the caller's transaction.
    let target = (webhook_deliveries::subscription_id, webhook_deliveries::dedupe_key);
    match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(webhook_deliveries::table)
            .values(row)
            .on_conflict(target)
            .do_nothing()
            .execute(pg),
        DbConnection::Sqlite(sqlite) => diesel::insert_into(webhook_deliveries::table)
            .values(row)
            .on_conflict(target)
            .do_nothing()
            .execute(sqlite),
    }
}

pub fn deliveries(
    conn: &mut DbConnection,
    subscription_id: &str,
    status: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status.to_owned()));
    }
    if let Some(after) = after_id {
        query = query.filter(webhook_deliveries::id.gt(after.to_owned()));
    }
    query.order(webhook_deliveries::id.asc()).limit(limit).load(conn)
}

pub fn find_delivery(
    conn: &mut DbConnection,
    subscription_id: &str,
    id: &str,
) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

pub fn attempts_of(conn: &mut DbConnection, delivery_ids: &[String]) -> QueryResult<Vec<AttemptRow>> {
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
        .select(AttemptRow::as_select())
        .order(webhook_attempts::id.asc())
        .load(conn)
}

/// Puts a message back in the queue, to go out as soon as those before it have.
pub fn redeliver(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Subscriptions whose oldest waiting message is due: active, and not held by a worker.
pub fn due_subscriptions(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<Vec<String>> {
    webhook_deliveries::table
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(at))
        .filter(webhook_subscriptions::active.eq(true))
        .filter(
            webhook_subscriptions::delivering_until
                .is_null()
                .or(webhook_subscriptions::delivering_until.lt(at)),
        )
        .select(webhook_subscriptions::id)
        .distinct()
        .load(conn)
}

/// Takes the subscription's queue for `holder` until `until`; false when another worker holds it.
pub fn hold(
    conn: &mut DbConnection,
    id: &str,
    holder: &str,
    at: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(webhook_subscriptions::table.find(id).filter(
        webhook_subscriptions::delivering_until.is_null().or(webhook_subscriptions::delivering_until.lt(at)),
    ))
    .set((webhook_subscriptions::delivering_until.eq(until), webhook_subscriptions::delivering_by.eq(holder)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Extends `holder`'s hold to `until`; false when another worker took the queue over (the hold
/// ran out while this one was slow), and then this one must not post.
pub fn renew(conn: &mut DbConnection, id: &str, holder: &str, until: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        webhook_subscriptions::table.find(id).filter(webhook_subscriptions::delivering_by.eq(holder)),
    )
    .set(webhook_subscriptions::delivering_until.eq(until))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Lets go of the queue, if `holder` still holds it.
pub fn release(conn: &mut DbConnection, id: &str, holder: &str) -> QueryResult<()> {
    diesel::update(
        webhook_subscriptions::table.find(id).filter(webhook_subscriptions::delivering_by.eq(holder)),
    )
    .set((
        webhook_subscriptions::delivering_until.eq(None::<NaiveDateTime>),
        webhook_subscriptions::delivering_by.eq(None::<String>),
    ))
    .execute(conn)
    .map(drop)
}

/// The oldest message still waiting: the only one that may go out next.
pub fn head(conn: &mut DbConnection, subscription_id: &str) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .filter(webhook_deliveries::status.eq("pending"))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.asc())
        .first(conn)
        .optional()
}

/// Records an attempt and its outcome on the message.
pub fn record_attempt(
    conn: &mut DbConnection,
    delivery: &DeliveryRow,
    attempt: &AttemptRow,
    status: &str,
    next_attempt_at: NaiveDateTime,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(webhook_attempts::table).values(attempt).execute(conn)?;
        diesel::update(webhook_deliveries::table.find(&delivery.id))
            .set((
                webhook_deliveries::status.eq(status),
                webhook_deliveries::attempts.eq(delivery.attempts + 1),
                webhook_deliveries::next_attempt_at.eq(next_attempt_at),
                webhook_deliveries::last_status_code.eq(attempt.status_code),
                webhook_deliveries::last_error.eq(&attempt.error),
                webhook_deliveries::delivered_at.eq((status == "delivered").then_some(attempt.attempted_at)),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// Messages by status, for the metrics.
pub fn counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    webhook_deliveries::table
        .group_by(webhook_deliveries::status)
        .select((webhook_deliveries::status, diesel::dsl::count_star()))
        .load(conn)
}
