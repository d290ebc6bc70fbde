//! The parties an officer can choose for a vision or an agreement of their municipality: the
//! networks it works with (an active link) and its partner organisations, by name, as
//! checkboxes; and the parties a posted form ticked. The service checks them again.

use std::str::FromStr;

use crate::agreements::document::Names;
use crate::auth::Caller;
use crate::db::page::PageRequest;
use crate::db::DbConnection;
use crate::domain::{Party, PartyType};
use crate::error::ApiError;
use crate::organisations::repo::OrganisationFilter;
use crate::state::AppState;

use super::form::{Control, Field};

/// The most choices a form lists (as many as a record may have parties).
const MAX_CHOICES: i64 = 200;

/// A party that may take part, with its name.
pub struct PartyChoice {
    pub party: Party,
    pub name: String,
}

/// The municipality's linked networks and partner organisations, and the parties a record
/// already has (so a form never drops one), the municipality itself first.
pub fn for_municipality(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    current: &[Party],
) -> Result<Vec<PartyChoice>, ApiError> {
    let mut choices = Vec::new();
    for network in super::links::networks_with(conn, caller, municipality_id, "active")? {
        choices.push(PartyChoice { party: Party::new(PartyType::Network, network.id), name: network.name });
    }
    let filter = OrganisationFilter {
        reach: caller.reach(),
        municipality_id: Some(municipality_id.to_owned()),
        kind: None,
        after_id: None,
        limit: MAX_CHOICES,
    };
    let page = PageRequest { limit: MAX_CHOICES, after_id: None };
    for organisation in crate::organisations::service::list(conn, &filter, &page)?.items {
        choices.push(PartyChoice {
            party: Party::new(PartyType::Organisation, organisation.id),
            name: organisation.name,
        });
    }
    let municipality = Party::new(PartyType::Municipality, municipality_id);
    let missing: Vec<Party> = std::iter::once(&municipality)
        .chain(current)
        .filter(|p| !choices.iter().any(|c| &c.party == *p))
        .cloned()
        .collect();
    let names = Names::load(conn, &missing, &[])?;
    for party in missing {
        choices.push(PartyChoice { name: names.party(&party), party });
    }
    choices.sort_by_key(|c| (c.party.party_type != PartyType::Municipality, c.name.to_lowercase()));
    Ok(choices)
}

/// The choices for a new record of the municipality.
pub async fn for_new(
    state: &AppState,
    caller: &Caller,
    municipality_id: &str,
) -> Result<Vec<PartyChoice>, ApiError> {
    let (caller, municipality_id) = (caller.clone(), municipality_id.to_owned());
    state.db.run(move |conn| for_municipality(conn, &caller, &municipality_id, &[])).await
}

/// `network:{id}`: a party as a form field's value or name.
pub fn key(party: &Party) -> String {
    format!("{}:{}", party.party_type.as_str(), party.id)
}

/// A party from its key; `None` for anything else.
pub fn parse(key: &str) -> Option<Party> {
    let (party_type, id) = key.split_once(':')?;
    uuid::Uuid::parse_str(id).ok()?;
    Some(Party::new(PartyType::from_str(party_type).ok()?, id))
}

/// The field id of a party's checkbox.
fn checkbox_id(party: &Party) -> String {
    format!("party-{}-{}", party.party_type.as_str(), party.id)
}

/// A checkbox for every choice but the municipality (always a party), ticked when chosen.
pub fn checkboxes(choices: &[PartyChoice], chosen: &[Party]) -> Vec<Field> {
    choices
        .iter()
        .filter(|c| c.party.party_type != PartyType::Municipality)
        .map(|c| {
            let ticked = if chosen.contains(&c.party) { "yes" } else { "" };
            Field::new(checkbox_id(&c.party), c.name.clone(), Control::Checkbox).value(ticked).optional()
        })
        .collect()
}

/// The parties a posted form ticked (the municipality is added by the service).
pub fn ticked(form: &[(String, String)]) -> Vec<Party> {
    form.iter()
        .filter(|(_, value)| value == "yes")
        .filter_map(|(name, _)| {
            let rest = name.strip_prefix("party-")?;
            let (party_type, id) = rest.split_once('-')?;
            parse(&format!("{party_type}:{id}"))
        })
        .filter(|p| p.party_type != PartyType::Municipality)
        .collect()
}

/// The choices as options of a list: who owes a commitment.
pub fn options(choices: &[PartyChoice]) -> Vec<(String, String)> {
    choices.iter().map(|c| (key(&c.party), c.name.clone())).collect()
}

/// The names of the parties, joined for a line in a list.
pub fn names_of(names: &Names, parties: &[Party]) -> String {
    parties.iter().map(|p| names.party(p)).collect::<Vec<_>>().join(", ")
}
