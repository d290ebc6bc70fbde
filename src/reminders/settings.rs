//! Reminder offsets per municipality: days before (negative), on (0) and after (positive).

use diesel::prelude::*;

use crate::audit::{self, Actor, Event};
use crate::auth::{Action, Caller, Target};
use crate::db::schema::reminder_settings;
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::error::ApiError;

/// 14 and 3 days before, on the day, and 7 days after.
pub const DEFAULT_OFFSETS: [i32; 4] = [-14, -3, 0, 7];

pub fn offsets(conn: &mut DbConnection, municipality_id: &str) -> QueryResult<Vec<i32>> {
    let stored: Option<String> = reminder_settings::table
        .find(municipality_id)
        .select(reminder_settings::offsets)
        .first(conn)
        .optional()?;
    Ok(stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_else(|| DEFAULT_OFFSETS.to_vec()))
}

pub fn save(conn: &mut DbConnection, municipality_id: &str, offsets: &[i32]) -> QueryResult<()> {
    let json = serde_json::to_string(offsets).unwrap_or_default();
    diesel::delete(reminder_settings::table.find(municipality_id)).execute(conn)?;
    diesel::insert_into(reminder_settings::table)
        .values((
            reminder_settings::municipality_id.eq(municipality_id),
            reminder_settings::offsets.eq(json),
            reminder_settings::updated_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// The municipality's offsets, for its people.
pub fn read(conn: &mut DbConnection, caller: &Caller, municipality_id: &str) -> Result<Vec<i32>, ApiError> {
    caller.authorize(Action::Read, Target::Municipality(municipality_id))?;
    Ok(offsets(conn, municipality_id)?)
}

/// Changes the offsets, for the municipality's admins: 1 to 10 whole days between 90 before
/// and 90 after, kept in order without repeats.
pub fn change(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    mut wanted: Vec<i32>,
) -> Result<Vec<i32>, ApiError> {
    caller.authorize(Action::Update, Target::Municipality(municipality_id))?;
    if wanted.is_empty() || wanted.len() > 10 || wanted.iter().any(|o| !(-90..=90).contains(o)) {
        return Err(ApiError::invalid_field("offsets_days", "1 to 10 whole days between -90 and 90"));
    }
    wanted.sort_unstable();
    wanted.dedup();
    write_transaction(conn, |conn| {
        let before = offsets(conn, municipality_id)?;
        save(conn, municipality_id, &wanted)?;
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: "reminder_settings.updated",
                entity_type: "municipality",
                entity_id: municipality_id,
                municipality_id: Some(municipality_id),
                network_id: None,
                changes: serde_json::json!({"offsets_days": {"before": before, "after": wanted}}),
            },
        )?;
        Ok(wanted.clone())
    })
}
