//! Who takes part in a vision or an agreement: checking a list of parties against the
//! municipality, storing it, and the scope the policy needs.

use diesel::prelude::*;

use crate::auth::policy::RecordScope;
use crate::db::schema::{municipality_networks, organisations, record_parties};
use crate::db::DbConnection;
use crate::domain::{Party, PartyType};
use crate::error::{ApiError, FieldError};
use crate::networks::dto::LinkStatus;

pub const VISION: &str = "vision";
pub const AGREEMENT: &str = "agreement";
const MAX_PARTIES: usize = 50;

/// Validates the parties of a record of `municipality_id`: the municipality itself (added when
/// left out), networks it works with (an active link), and its partner organisations.
pub fn validate(
    conn: &mut DbConnection,
    municipality_id: &str,
    parties: &[Party],
) -> Result<Vec<Party>, ApiError> {
    if parties.len() > MAX_PARTIES {
        return Err(ApiError::invalid_field("parties", format!("at most {MAX_PARTIES} parties")));
    }
    let mut checked = vec![Party::new(PartyType::Municipality, municipality_id)];
    let mut errors = Vec::new();
    for (i, party) in parties.iter().enumerate() {
        let field = format!("parties[{i}]");
        if uuid::Uuid::parse_str(&party.id).is_err() {
            errors.push(FieldError::new(format!("{field}.id"), "must be a UUID"));
            continue;
        }
        let known = match party.party_type {
            PartyType::Municipality => party.id == municipality_id,
            PartyType::Network => municipality_networks::table
                .find((municipality_id, &party.id))
                .filter(municipality_networks::status.eq(LinkStatus::Active.as_str()))
                .select(municipality_networks::status)
                .first::<String>(conn)
                .optional()?
                .is_some(),
            PartyType::Organisation => organisations::table
                .find(&party.id)
                .select(organisations::municipality_id)
                .first::<String>(conn)
                .optional()?
                .is_some_and(|m| m == municipality_id),
        };
        if !known {
            let why = match party.party_type {
                PartyType::Municipality => "the only municipality party is the record's own municipality",
                PartyType::Network => "no network that works with this municipality (an active link)",
                PartyType::Organisation => "no partner organisation of this municipality",
            };
            errors.push(FieldError::new(field, why));
        } else if !checked.contains(party) {
            checked.push(party.clone());
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if checked.len() < 2 {
        return Err(ApiError::invalid_field(
            "parties",
            "name at least one network or organisation besides the municipality",
        ));
    }
    checked.sort();
    Ok(checked)
}

pub fn replace(
    conn: &mut DbConnection,
    record_type: &str,
    record_id: &str,
    parties: &[Party],
) -> QueryResult<()> {
    diesel::delete(
        record_parties::table
            .filter(record_parties::record_type.eq(record_type))
            .filter(record_parties::record_id.eq(record_id)),
    )
    .execute(conn)?;
    for party in parties {
        diesel::insert_into(record_parties::table)
            .values((
                record_parties::record_type.eq(record_type),
                record_parties::record_id.eq(record_id),
                record_parties::party_type.eq(party.party_type.as_str()),
                record_parties::party_id.eq(&party.id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The parties of each record named, sorted. A stored party type that does not parse is an
/// error, never a party quietly left out (the scope decides who may see the record).
pub fn of_records(
    conn: &mut DbConnection,
    record_type: &str,
    record_ids: &[String],
) -> Result<Vec<(String, Party)>, ApiError> {
    let rows: Vec<(String, String, String)> = record_parties::table
        .filter(record_parties::record_type.eq(record_type))
        .filter(record_parties::record_id.eq_any(record_ids))
        .select((record_parties::record_id, record_parties::party_type, record_parties::party_id))
        .order((record_parties::record_id, record_parties::party_type, record_parties::party_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(record, party_type, id)| {
            Ok((record, Party::new(crate::db::stored::parse("record_parties.party_type", &party_type)?, id)))
        })
        .collect()
}

/// The ids of the records of `record_type` that one of these networks or organisations is a
/// party to, as a subquery (`eq_any`): read on `record_parties_party`, its cost grows with
/// their records, not with the table.
#[diesel::dsl::auto_type(no_type_alias)]
pub fn records_of<'a>(record_type: &'a str, networks: &'a [String], organisations: &'a [String]) -> _ {
    let network: &'static str = PartyType::Network.as_str();
    let organisation: &'static str = PartyType::Organisation.as_str();
    record_parties::table
        .filter(record_parties::record_type.eq(record_type))
        .filter(record_parties::party_type.eq(network).and(record_parties::party_id.eq_any(networks)).or(
            record_parties::party_type.eq(organisation).and(record_parties::party_id.eq_any(organisations)),
        ))
        .select(record_parties::record_id)
}

/// Ids of the records of `record_type` that this party is a party to, newest first.
pub fn records_with(conn: &mut DbConnection, record_type: &str, party: &Party) -> QueryResult<Vec<String>> {
    record_parties::table
        .filter(record_parties::record_type.eq(record_type))
        .filter(record_parties::party_type.eq(party.party_type.as_str()))
        .filter(record_parties::party_id.eq(&party.id))
        .select(record_parties::record_id)
        .order(record_parties::record_id.desc())
        .load(conn)
}

/// The scope of a stored record from the parties stored with it: for a record that belongs to
/// it (a commitment of an agreement), without loading the record itself.
pub fn scope_of(
    conn: &mut DbConnection,
    record_type: &str,
    record_id: &str,
    municipality_id: &str,
) -> Result<RecordScope, ApiError> {
    let parties =
        of_records(conn, record_type, &[record_id.to_owned()])?.into_iter().map(|(_, p)| p).collect();
    Ok(RecordScope { municipality_id: municipality_id.to_owned(), parties })
}

pub fn scope(municipality_id: &str, parties: &[Party]) -> RecordScope {
    RecordScope { municipality_id: municipality_id.to_owned(), parties: parties.to_vec() }
}
