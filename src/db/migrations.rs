//! Schema migrations, embedded in the binary: one tree per backend with identical folder names.
//! On PostgreSQL an advisory lock serializes instances that start at the same time.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConnection;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Arbitrary but fixed: every Pactum instance takes this lock before it migrates.
const MIGRATION_LOCK_KEY: i64 = 0x7061_6374_756d; // "pactum"

type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions it applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let versions = |applied: Vec<diesel::migration::MigrationVersion<'_>>| {
        applied.iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    match conn {
        DbConnection::Sqlite(sqlite) => Ok(versions(sqlite.run_pending_migrations(SQLITE)?)),
        DbConnection::Postgres(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let outcome = pg.run_pending_migrations(POSTGRES).map(versions);
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            Ok(outcome?)
        }
    }
}

/// Reverts the newest applied migration (used by the migration tests).
pub fn revert_last(conn: &mut DbConnection) -> Result<String, MigrationError> {
    let version = match conn {
        DbConnection::Sqlite(sqlite) => sqlite.revert_last_migration(SQLITE)?,
        DbConnection::Postgres(pg) => pg.revert_last_migration(POSTGRES)?,
    };
    Ok(version.to_string())
}

/// Applies only the oldest pending migration (used by the migration tests).
pub fn run_next(conn: &mut DbConnection) -> Result<Option<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Sqlite(sqlite) => match sqlite.pending_migrations(SQLITE)?.first() {
            Some(next) => Some(sqlite.run_migration(next)?),
            None => None,
        },
        DbConnection::Postgres(pg) => match pg.pending_migrations(POSTGRES)?.first() {
            Some(next) => Some(pg.run_migration(next)?),
            None => None,
        },
    };
    Ok(applied.map(|v| v.to_string()))
}
