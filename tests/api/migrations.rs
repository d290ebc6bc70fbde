//! Both migration trees stay in step, and every `down.sql` exactly undoes its `up.sql`.

use std::collections::BTreeSet;
use std::path::Path;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};

use pactum::db::{migrations, DbConnection, DbTarget};

use crate::helpers::{Backend, TestDatabase};

fn folder_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| {
            let path = entry.path();
            for file in ["up.sql", "down.sql"] {
                assert!(path.join(file).is_file(), "{} lacks {file}", path.display());
            }
            entry.file_name().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn both_trees_have_the_same_migrations() {
    let sqlite = folder_names("sqlite");
    let postgres = folder_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must name the same folders");
}

#[derive(QueryableByName)]
struct SchemaLine {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Everything a migration can change, as sorted text lines.
fn schema(conn: &mut DbConnection) -> Vec<String> {
    let query = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS line FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> '__diesel_schema_migrations' ORDER BY 1"
        }
        DbConnection::Postgres(_) => {
            "SELECT line FROM (
                SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
                       || is_nullable || ' ' || coalesce(column_default, '') AS line
                  FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
                UNION ALL
                SELECT 'index ' || indexdef FROM pg_indexes
                 WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
                UNION ALL
                SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
                       || pg_get_constraintdef(oid)
                  FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace
                   AND conrelid::regclass::text <> '__diesel_schema_migrations'
                UNION ALL
                SELECT 'type ' || typname FROM pg_type
                 WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd')
                UNION ALL
                SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
            ) AS s ORDER BY 1"
        }
    };
    diesel::sql_query(query).load::<SchemaLine>(conn).unwrap().into_iter().map(|l| l.line).collect()
}

fn every_down_undoes_its_up(backend: Backend) {
    let Some(database) = TestDatabase::create(backend) else { return };
    let mut conn = connect(&database.target);
    let mut steps = 0;
    loop {
        let before = schema(&mut conn);
        let Some(version) = migrations::run_next(&mut conn).unwrap() else { break };
        let after = schema(&mut conn);
        assert_ne!(before, after, "{version} changes the schema");
        assert_eq!(migrations::revert_last(&mut conn).unwrap(), version);
        assert_eq!(schema(&mut conn), before, "down.sql of {version} restores the schema before it");
        assert_eq!(migrations::run_next(&mut conn).unwrap(), Some(version.clone()), "re-applies");
        assert_eq!(schema(&mut conn), after, "{version} applies again the same way");
        steps += 1;
    }
    assert_eq!(steps, folder_names("sqlite").len(), "every migration was exercised");
    assert!(migrations::run_pending(&mut conn).unwrap().is_empty(), "nothing left pending");
}

fn connect(target: &DbTarget) -> DbConnection {
    target.connect().unwrap()
}

#[test]
fn every_down_undoes_its_up_on_sqlite() {
    every_down_undoes_its_up(Backend::Sqlite);
}

#[test]
fn every_down_undoes_its_up_on_postgres() {
    every_down_undoes_its_up(Backend::Postgres);
}

/// Two instances starting together on one PostgreSQL: the advisory lock makes one migrate and
/// the other find nothing left to do, instead of both failing half-way.
#[test]
fn concurrent_migrations_on_postgres_are_serialized() {
    let Some(database) = TestDatabase::create(Backend::Postgres) else { return };
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let target = database.target.clone();
            std::thread::spawn(move || {
                migrations::run_pending(&mut connect(&target)).map_err(|e| e.to_string())
            })
        })
        .collect();
    let applied: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap().unwrap().len()).collect();
    assert_eq!(applied.iter().sum::<usize>(), folder_names("postgres").len(), "{applied:?}");
}
