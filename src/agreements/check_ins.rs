//! Check-ins: a light log of the meetings that build the relationship, visible to every party.

use crate::audit::{self, Actor, Event};
use crate::auth::{Action, Caller, Target};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::BoundedText;
use crate::error::{ApiError, FieldError};

use super::dto::{CheckInDto, CheckInRequest};
use super::loaded;
use super::repo::{self, CheckInRow};

const MAX_ITEMS: usize = 50;
const MAX_NOTES: usize = 20_000;

fn to_dto(row: CheckInRow) -> CheckInDto {
    CheckInDto {
        id: row.id,
        agreement_id: row.agreement_id,
        held_on: row.held_on,
        participants: serde_json::from_str(&row.participants).unwrap_or_default(),
        notes: row.notes,
        agreed_actions: serde_json::from_str(&row.agreed_actions).unwrap_or_default(),
        created_by: row.created_by,
        created_at: utc(row.created_at),
    }
}

fn check_list(errors: &mut Vec<FieldError>, field: &str, items: &[String]) -> Vec<String> {
    if items.len() > MAX_ITEMS {
        errors.push(FieldError::new(field, format!("at most {MAX_ITEMS} entries")));
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            BoundedText::<500>::parse(item)
                .map_err(|m| errors.push(FieldError::new(format!("{field}[{i}]"), m)))
                .ok()
        })
        .map(BoundedText::into_inner)
        .collect()
}

/// Records a check-in; any party's representative may.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    agreement_id: &str,
    input: CheckInRequest,
) -> Result<CheckInDto, ApiError> {
    let mut errors = Vec::new();
    let participants = check_list(&mut errors, "participants", &input.participants);
    let agreed_actions = check_list(&mut errors, "agreed_actions", &input.agreed_actions);
    if input.notes.chars().count() > MAX_NOTES {
        errors.push(FieldError::new("notes", format!("must be at most {MAX_NOTES} characters")));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    write_transaction(conn, |conn| {
        let loaded = loaded::visible(conn, caller, agreement_id)?;
        caller.authorize(Action::Represent, Target::Record(&loaded.scope()))?;
        let row = CheckInRow {
            id: uuid::Uuid::now_v7().to_string(),
            agreement_id: agreement_id.to_owned(),
            municipality_id: loaded.row.municipality_id.clone(),
            held_on: input.held_on,
            participants: serde_json::to_string(&participants).unwrap_or_default(),
            notes: input.notes.trim().to_owned(),
            agreed_actions: serde_json::to_string(&agreed_actions).unwrap_or_default(),
            created_by: caller.user_id.clone(),
            created_at: now(),
        };
        repo::insert_check_in(conn, &row)?;
        let dto = to_dto(row);
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: "check_in.recorded",
                entity_type: "check_in",
                entity_id: &dto.id,
                municipality_id: Some(&loaded.row.municipality_id),
                network_id: None,
                changes: audit::changes(None, &serde_json::to_value(&dto).unwrap_or_default()),
            },
        )?;
        Ok(dto)
    })
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    agreement_id: &str,
) -> Result<Vec<CheckInDto>, ApiError> {
    loaded::visible(conn, caller, agreement_id)?;
    Ok(repo::check_ins(conn, agreement_id)?.into_iter().map(to_dto).collect())
}
