//! Keyset pages of rows: how many to fetch, after which id, and the page that comes back with
//! the cursor of the next one. Ids are UUID v7, so id order is creation order and stable under
//! inserts. Reading the page request from a query string is the HTTP layer's job.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

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
    /// Ask the database for one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }
}

/// The opaque cursor that names the last id of a page.
pub fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// The id a cursor names; `None` when it is not one this service handed out.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let id = String::from_utf8(bytes).ok()?;
    uuid::Uuid::parse_str(&id).ok()?;
    Some(id)
}

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The same page with every item turned into another type.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }

    /// The same page with every item turned into another type, or the first error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        let items = self.items.into_iter().map(f).collect::<Result<_, E>>()?;
        Ok(Page { items, next_cursor: self.next_cursor })
    }

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
            rows.last().map(|r| encode_cursor(id_of(r)))
        } else {
            None
        };
        Self { items: rows.into_iter().map(to_item).collect(), next_cursor }
    }
}
