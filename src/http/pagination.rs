//! Keyset pagination from the query string: `limit` (1..=200, default 50) and an opaque `cursor`
//! that names the last item seen. The page types themselves live in `db::page`.

pub use crate::db::page::{Page, PageRequest, DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::ApiError;

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_request(format!("limit must be between 1 and {MAX_LIMIT}.")));
        }
        let after_id = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after_id })
    }
}

fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    crate::db::page::decode_cursor(cursor)
        .ok_or_else(|| ApiError::bad_request("cursor is not valid; use next_cursor from the previous page."))
}
