//! What the municipality's people read about one grant beyond the grant itself: its history
//! (the grant's audit events, oldest first, with the names of who acted) and the payee's IBAN,
//! masked for everyone but finance and the network that gave it.

use chrono::{DateTime, Utc};

use crate::audit::repo::AuditFilter;
use crate::auth::{Action, Caller, Target};
use crate::db::page::PageRequest;
use crate::db::DbConnection;
use crate::domain::time::utc;
use crate::domain::MunicipalityRole;
use crate::error::ApiError;

use super::dto::{GrantDto, Payee};
use super::record::visible;

/// Who made a recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Person {
        id: String,
        name: String,
    },
    /// Another system, through a service account's token.
    ServiceAccount,
    /// Pactum itself (the date job, reminders).
    System,
}

/// One recorded change to the grant.
#[derive(Debug, Clone)]
pub struct HistoryEvent {
    /// e.g. `grant.approved`, `grant.first_approval`.
    pub action: String,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

/// Whether the caller works for the grant's municipality (officer, finance, admin, auditor).
pub fn of_municipality(caller: &Caller, municipality_id: &str) -> bool {
    caller.municipalities.iter().any(|m| m.municipality_id == municipality_id)
}

/// The grant's history, for the people of its municipality (the network reads its own page
/// without it); 404 for a grant the caller may not see, 403 for the network's people.
pub fn history(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<Vec<HistoryEvent>, ApiError> {
    let (row, _) = visible(conn, caller, id, false)?;
    if !caller.is_platform_admin && !of_municipality(caller, &row.municipality_id) {
        return Err(ApiError::forbidden("A grant's history is for its municipality's people."));
    }
    let filter = AuditFilter {
        municipality_ids: Some(vec![row.municipality_id.clone()]),
        entity_type: Some("grant".to_owned()),
        entity_id: Some(row.id.clone()),
        since: None,
        after_id: None,
        limit: 1001,
    };
    let page = PageRequest { limit: 1000, after_id: None };
    let (events, service_accounts) = crate::audit::list(conn, &filter, &page)?;
    let people: Vec<String> = events
        .items
        .iter()
        .filter_map(|e| e.actor_user_id.clone())
        .filter(|id| !service_accounts.contains(id))
        .collect();
    let names = crate::identity::repo::user_names(conn, &people)?;
    Ok(events
        .items
        .into_iter()
        .map(|e| {
            let actor = match e.actor_user_id {
                None => Actor::System,
                Some(id) if service_accounts.contains(&id) => Actor::ServiceAccount,
                Some(id) => {
                    let name =
                        names.iter().find(|(u, _)| *u == id).map_or_else(|| id.clone(), |(_, n)| n.clone());
                    Actor::Person { id, name }
                }
            };
            HistoryEvent { action: e.action, actor, at: utc(e.created_at) }
        })
        .collect())
}

/// An IBAN with all but its country, check digits and last four characters hidden, grouped
/// by four: `NL91 **** **** **43 00`.
pub fn masked_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    let shown_end = compact.len().saturating_sub(4);
    let hidden: String =
        compact.iter().enumerate().map(|(i, c)| if i < 4 || i >= shown_end { *c } else { '*' }).collect();
    hidden
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The payee as the caller may read it: the whole IBAN for the municipality's finance people
/// (who pay it) and the network's coordinator and treasurer (who gave it); masked for others.
pub fn payee_for(caller: &Caller, grant: &GrantDto) -> Payee {
    let finance = caller
        .municipalities
        .iter()
        .any(|m| m.municipality_id == grant.municipality_id && m.role == MunicipalityRole::Finance);
    let scope = crate::auth::policy::GrantScope {
        municipality_id: grant.municipality_id.clone(),
        network_id: grant.network_id.clone(),
    };
    if finance || caller.may(Action::Update, Target::Grant(&scope)) {
        grant.payee.clone()
    } else {
        Payee { iban: masked_iban(&grant.payee.iban), name: grant.payee.name.clone() }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_iban_is_masked_but_for_its_start_and_end() {
        assert_eq!(super::masked_iban("NL91ABNA0417164300"), "NL91 **** **** **43 00");
        assert_eq!(super::masked_iban("NL91 ABNA 0417 1643 00"), "NL91 **** **** **43 00");
        assert_eq!(super::masked_iban("GB82WEST12345698765432"), "GB82 **** **** **** **54 32");
    }
}
