//! Keyset pagination: `limit` (1..=200, default 50) and an opaque `cursor` that names the last
//! item seen. Ids are UUID v7, so id order is creation order and stable under inserts.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    /// Return items after this id.
    pub after_id: Option<String>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_request(format!("limit must be between 1 and {MAX_LIMIT}.")));
        }
        let after_id = cursor.map(decode_cursor).transpose()?;
        Ok(Self { limit, after_id })
    }

    /// Ask the database for one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}

fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::bad_request("cursor is not valid; use next_cursor from the previous page.");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let id = String::from_utf8(bytes).map_err(|_| invalid())?;
    uuid::Uuid::parse_str(&id).map_err(|_| invalid())?;
    Ok(id)
}

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds the page from up to `limit + 1` rows, in id order.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        request: &PageRequest,
        id_of: impl Fn(&R) -> &str,
        to_item: impl FnMut(R) -> T,
    ) -> Self {
        let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| URL_SAFE_NO_PAD.encode(id_of(r)))
        } else {
            None
        };
        Self { items: rows.into_iter().map(to_item).collect(), next_cursor }
    }
}
