//! Reminder offsets per municipality: days before (negative), on (0) and after (positive).

use diesel::prelude::*;

use crate::db::schema::reminder_settings;
use crate::db::DbConnection;
use crate::domain::time::now;

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
