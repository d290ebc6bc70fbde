//! The queries behind the shared rate limits: one fixed window per key in `rate_limits`, counted
//! and read back by one atomic upsert, so parallel requests on any instance cannot all pass.

use chrono::NaiveDateTime;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel::upsert::excluded;

use crate::db::schema::rate_limits;
use crate::db::DbConnection;

/// Counts one request against `key` and returns the count in its window (this request included)
/// and when that window ends. A window that ended at `at` starts again with this request.
pub fn count(
    conn: &mut DbConnection,
    key: &str,
    at: NaiveDateTime,
    window: chrono::Duration,
) -> QueryResult<(i32, NaiveDateTime)> {
    let ended = rate_limits::window_ends_at.le(at);
    let values =
        (rate_limits::key.eq(key), rate_limits::count.eq(1), rate_limits::window_ends_at.eq(at + window));
    // Both assignments read the row as it was, so a window that ended restarts at 1.
    let changes = (
        rate_limits::count.eq(case_when(ended, 1.into_sql::<Integer>()).otherwise(rate_limits::count + 1)),
        rate_limits::window_ends_at
            .eq(case_when(ended, excluded(rate_limits::window_ends_at))
                .otherwise(rate_limits::window_ends_at)),
    );
    let returned = (rate_limits::count, rate_limits::window_ends_at);
    let upsert = diesel::insert_into(rate_limits::table)
        .values(values)
        .on_conflict(rate_limits::key)
        .do_update()
        .set(changes)
        .returning(returned);
    crate::per_backend!(conn, |c| upsert.get_result(c))
}

/// Forgets the window of `key` (a successful sign-in clears the account's failures).
pub fn forget(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.find(key)).execute(conn).map(drop)
}

/// Removes every window that ended before `at`; returns how many.
pub fn sweep(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rate_limits::table.filter(rate_limits::window_ends_at.lt(at))).execute(conn)
}
