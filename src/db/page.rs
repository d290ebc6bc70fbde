//! Keyset pages of rows: how many to fetch, after which id, and the page that comes back with
//! the cursor of the next one. Ids are UUID v7, so id order is creation order and stable under
//! inserts. Reading the page request from a query string is the HTTP layer's job.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Where a caller's reading reaches: every record (a platform admin), or the records of some
/// municipalities, networks and partner organisations. A list reads each of them apart, on an
/// index that leads with it and ends with the id, so a page costs the same however large the
/// table grows; then [`read_apart`] makes one page of the parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Everywhere,
    Within { municipalities: Vec<String>, networks: Vec<String>, organisations: Vec<String> },
}

/// One page, in id order, of the pages `read` gives for each part (each in id order and at most
/// `limit` long): a record reached twice (through its municipality and its network) counts once.
pub fn read_apart<P, R, E>(
    parts: impl IntoIterator<Item = P>,
    limit: i64,
    mut read: impl FnMut(P) -> Result<Vec<R>, E>,
    id_of: impl Fn(&R) -> &str,
) -> Result<Vec<R>, E> {
    let pages = parts.into_iter().map(&mut read).collect::<Result<Vec<_>, E>>()?;
    Ok(merge(pages, limit, id_of))
}

fn merge<R>(parts: Vec<Vec<R>>, limit: i64, id_of: impl Fn(&R) -> &str) -> Vec<R> {
    let mut rows: Vec<R> = parts.into_iter().flatten().collect();
    rows.sort_by(|a, b| id_of(a).cmp(id_of(b)));
    rows.dedup_by(|a, b| id_of(a) == id_of(b));
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    rows
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_apart_keeps_id_order_counts_a_record_once_and_stops_at_the_limit() {
        let parts = vec![vec!["a", "c", "e"], vec!["b", "c", "d"], vec![]];
        let read = |part: Vec<&'static str>| Ok::<_, ()>(part);
        assert_eq!(read_apart(parts, 4, read, |r| r), Ok(vec!["a", "b", "c", "d"]));
        assert_eq!(read_apart(Vec::new(), 4, read, |r| r), Ok(Vec::new()));
        assert_eq!(read_apart([1, 2], 4, |_| Err::<Vec<&str>, _>("down"), |r| r), Err("down"));
    }
}
