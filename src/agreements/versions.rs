//! Reading an agreement's versions and what changed between two of them: one place for the API
//! and the pages, so both show the same versions to the same people.

use crate::auth::Caller;
use crate::db::DbConnection;
use crate::error::ApiError;

use super::content::{self, VersionDiff};
use super::dto::VersionDto;
use super::loaded::{self, LoadedAgreement};

/// One version of an agreement already loaded.
pub fn find(loaded: &LoadedAgreement, number: i32) -> Result<VersionDto, ApiError> {
    let row = loaded
        .versions_ref()
        .iter()
        .find(|v| v.number == number)
        .ok_or_else(|| ApiError::not_found(format!("No version {number}.")))?;
    loaded::version_dto(loaded, row)
}

/// Every version of an agreement the caller may see, oldest first.
pub fn list(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<Vec<VersionDto>, ApiError> {
    let loaded = loaded::visible(conn, caller, id)?;
    loaded.versions_ref().iter().map(|v| loaded::version_dto(&loaded, v)).collect()
}

/// One version of an agreement the caller may see.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str, number: i32) -> Result<VersionDto, ApiError> {
    find(&loaded::visible(conn, caller, id)?, number)
}

/// What changed from version `against` (0: nothing before it) to version `number`.
pub fn diff(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    number: i32,
    against: i32,
) -> Result<VersionDiff, ApiError> {
    let loaded = loaded::visible(conn, caller, id)?;
    let after = find(&loaded, number)?;
    let before = if against == 0 { None } else { Some(find(&loaded, against)?.content) };
    Ok(content::diff(against, before.as_ref(), number, &after.content))
}
