//! The memberships of people who called lately, kept between requests while their access
//! version stands. A caller is then one query (the session, the person and the version), not
//! four. Every change to a membership bumps the person's version in the same transaction
//! (database triggers), so a removed role still stops working on the next request, on every
//! instance: the version read with the session no longer matches what is kept here.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::caller::{MunicipalityMembership, NetworkMembership};

/// Everything a person may do through their roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memberships {
    pub municipalities: Vec<MunicipalityMembership>,
    pub networks: Vec<NetworkMembership>,
    /// Partner organisations the person is a recorded contact of.
    pub organisations: Vec<String>,
}

/// People kept at most; past it the whole store starts afresh (a few MB at most, and every
/// caller is one lookup away from being known again).
const CAPACITY: usize = 10_000;

/// Memberships by user id, each with the access version it was read at.
#[derive(Default)]
pub struct KnownAccess {
    people: Mutex<HashMap<String, (i64, Arc<Memberships>)>>,
}

impl KnownAccess {
    /// The person's memberships, if they were read at this version.
    pub fn get(&self, user_id: &str, version: i64) -> Option<Arc<Memberships>> {
        let people = self.people.lock();
        let (known_version, memberships) = people.get(user_id)?;
        (*known_version == version).then(|| memberships.clone())
    }

    /// Keeps memberships read at `version`.
    pub fn keep(&self, user_id: &str, version: i64, memberships: Arc<Memberships>) {
        let mut people = self.people.lock();
        if people.len() >= CAPACITY && !people.contains_key(user_id) {
            people.clear();
        }
        people.insert(user_id.to_owned(), (version, memberships));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memberships_are_known_only_at_the_version_they_were_read_at() {
        let known = KnownAccess::default();
        let organisations =
            Arc::new(Memberships { organisations: vec!["o1".to_owned()], ..Memberships::default() });
        assert!(known.get("u1", 3).is_none());
        known.keep("u1", 3, organisations.clone());
        assert_eq!(known.get("u1", 3), Some(organisations));
        assert!(known.get("u1", 4).is_none(), "a newer version is read afresh");
        assert!(known.get("u2", 3).is_none());
    }

    #[test]
    fn a_full_store_starts_afresh() {
        let known = KnownAccess::default();
        for n in 0..CAPACITY {
            known.keep(&format!("u{n}"), 0, Arc::default());
        }
        known.keep("u0", 1, Arc::default());
        assert!(known.get("u1", 0).is_some(), "replacing one kept person clears nobody");
        known.keep("newcomer", 0, Arc::default());
        assert!(known.get("u1", 0).is_none());
        assert!(known.get("newcomer", 0).is_some());
    }
}
