//! The database: one connection type over SQLite and PostgreSQL, its pool, and the two kinds of
//! transaction every service uses. Queries run on actix's blocking pool, never on the event loop.

pub mod migrations;
pub mod page;
pub mod schema;
pub mod stored;
pub mod version;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, R2D2Connection};
use diesel::result::DatabaseErrorKind;
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::ApiError;

/// One connection to whichever backend the service was configured with.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend of [`DbConnection`], for naming boxed queries.
pub type Backend = <DbConnection as Connection>::Backend;

/// Which database `PACTUM_DATABASE_URL` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DbTargetError {
    #[error("the database URL must start with sqlite:// or postgres:// (got {0:?})")]
    UnknownScheme(String),
    #[error("the sqlite:// URL names no file")]
    EmptySqlitePath,
}

impl DbTarget {
    pub fn parse(url: &str) -> Result<Self, DbTargetError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbTargetError::EmptySqlitePath);
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            // Only the scheme is echoed: the rest of a URL may hold a password.
            let scheme = url.split("://").next().unwrap_or_default();
            Err(DbTargetError::UnknownScheme(scheme.chars().take(20).collect()))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Opens one connection, set up for Pactum: SQLite in WAL mode with foreign keys on and a
    /// busy timeout, so concurrent writers wait instead of failing.
    pub fn connect(&self) -> diesel::ConnectionResult<DbConnection> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConnection::Postgres),
            Self::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        diesel::ConnectionError::BadConnection(format!(
                            "cannot create the database folder {}: {e}",
                            dir.display()
                        ))
                    })?;
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Tells r2d2 how to open and check connections (the derive's `establish` would guess the
/// backend from the URL and could create a SQLite file named after a mistyped Postgres URL).
#[derive(Debug)]
pub struct ConnectionManager {
    target: DbTarget,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.target.connect().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The pool plus the knowledge of which backend it serves; cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    target: DbTarget,
}

impl Database {
    /// Builds the pool without connecting; `readyz` and the first query tell whether it works.
    pub fn new(target: DbTarget, max_connections: u32) -> Self {
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(5))
            // No ping on every checkout (a round trip per query on PostgreSQL); a connection
            // that breaks is discarded when it is returned, and the next checkout opens anew.
            .test_on_check_out(false)
            .build_unchecked(ConnectionManager { target: target.clone() });
        Self { pool, target }
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    /// Connections handed out right now, for the metrics endpoint.
    pub fn connections_in_use(&self) -> u32 {
        let state = self.pool.state();
        state.connections - state.idle_connections
    }

    /// Runs `work` on a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(ApiError::unavailable)?;
            work(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// A connection for work outside a request (CLI commands, start-up).
    pub fn connection(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, ApiError> {
        self.pool.get().map_err(ApiError::unavailable)
    }
}

/// A statement diesel's multi-connection cannot express (`RETURNING`), written once and run on
/// whichever backend the connection is: `per_backend!(conn, |c| statement.get_result(c))`.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// Several reads as one: on SQLite they share one read transaction (one snapshot of the WAL,
/// and one round of its shared-memory locks instead of one per statement); PostgreSQL runs them
/// as they come (a transaction there would cost two more round trips). Never write inside.
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => conn.transaction(work),
        DbConnection::Postgres(_) => work(conn),
    }
}

/// SQLite has one writer at a time. This process's writers queue here, in turn, before they
/// take SQLite's write lock: SQLite's own busy handler polls the lock with sleeps of up to
/// 100 ms, which made the slowest writes wait hundreds of milliseconds under load. Another
/// process writing to the same file (a `pactum remind` beside `serve`) still meets the busy
/// timeout.
static SQLITE_WRITER: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// How long a write waits for its turn, as SQLite's busy timeout.
const WRITE_WAIT: Duration = Duration::from_secs(5);

/// A transaction that writes. On SQLite it waits for its turn among this process's writers,
/// then starts with `BEGIN IMMEDIATE`, so it takes the write lock up front instead of failing
/// half-way with `SQLITE_BUSY`. Nested calls become savepoints.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    write_in_turn(conn, WRITE_WAIT, work)
}

fn write_in_turn<T, E, F>(conn: &mut DbConnection, wait: Duration, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    let depth = AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()
        .map_err(E::from)?;
    if depth.is_some() {
        return conn.transaction(work);
    }
    let Some(_turn) = SQLITE_WRITER.try_lock_for(wait) else {
        let locked = Box::new(crate::error::DATABASE_LOCKED.to_owned());
        return Err(E::from(diesel::result::Error::DatabaseError(DatabaseErrorKind::Unknown, locked)));
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE").map_err(E::from)?;
    let outcome = work(conn);
    let DbConnection::Sqlite(sqlite) = conn else {
        unreachable!("the connection's backend does not change inside a transaction")
    };
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(sqlite).map_err(E::from)?;
            Ok(value)
        }
        Err(err) => match AnsiTransactionManager::rollback_transaction(sqlite) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(err),
            Err(rollback_err) => Err(rollback_err.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_database_urls() {
        assert_eq!(
            DbTarget::parse("sqlite://./pactum-data/pactum.db").ok(),
            Some(DbTarget::Sqlite(PathBuf::from("./pactum-data/pactum.db")))
        );
        assert_eq!(
            DbTarget::parse("sqlite:///var/lib/pactum.db").ok(),
            Some(DbTarget::Sqlite(PathBuf::from("/var/lib/pactum.db")))
        );
        assert!(matches!(DbTarget::parse("postgresql://u@h/db"), Ok(DbTarget::Postgres(_))));
        assert!(matches!(DbTarget::parse("sqlite://"), Err(DbTargetError::EmptySqlitePath)));
        let err = DbTarget::parse("mysql://root:secret@h/db").expect_err("unknown scheme");
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn sqlite_writers_take_turns_and_one_kept_waiting_hears_the_database_is_busy() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let target = DbTarget::Sqlite(dir.path().join("turns.db"));
        let mut setup = target.connect().expect("opens");
        setup.batch_execute("CREATE TABLE counts (n INTEGER NOT NULL)").expect("creates");
        let insert = |conn: &mut DbConnection| conn.batch_execute("INSERT INTO counts VALUES (1)");
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let target = target.clone();
                std::thread::spawn(move || {
                    let mut conn = target.connect().expect("opens");
                    (0..25).try_for_each(|_| write_transaction(&mut conn, insert))
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("no panic").expect("every write commits");
        }
        let turn = SQLITE_WRITER.lock();
        let kept_waiting = write_in_turn(&mut setup, Duration::from_millis(20), insert).expect_err("busy");
        let answer = actix_web::ResponseError::status_code(&ApiError::from(kept_waiting));
        assert_eq!(answer, actix_web::http::StatusCode::SERVICE_UNAVAILABLE);
        drop(turn);
        write_transaction(&mut setup, insert).expect("its turn came");
        use diesel::RunQueryDsl;
        let DbConnection::Sqlite(sqlite) = &mut setup else { unreachable!("a SQLite target") };
        let counted: i64 =
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>("(SELECT COUNT(*) FROM counts)"))
                .get_result(sqlite)
                .expect("counts");
        assert_eq!(counted, 101, "every write, none twice");
    }
}
