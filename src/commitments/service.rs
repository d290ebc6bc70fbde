//! Rules for commitments: the owing party's representative or an officer closes one, once.

use chrono::NaiveDateTime;
use strum::IntoEnumIterator;

use crate::audit::{self, Actor, Event};
use crate::auth::policy::{ActionCheck, RecordScope};
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::workflow::{CommitmentAction, CommitmentStatus};
use crate::domain::{BoundedText, Party};
use crate::error::ApiError;
use crate::parties::{self, AGREEMENT};

use super::dto::{CommitmentDto, CommitmentQuery};
use super::repo::{self, CommitmentFilter, CommitmentRow};
use super::terms::CommitmentTerms;

fn party(row: &CommitmentRow) -> Result<Party, ApiError> {
    Ok(Party::new(stored::parse("commitments.party_type", &row.party_type)?, row.party_id.clone()))
}

fn status(row: &CommitmentRow) -> Result<CommitmentStatus, ApiError> {
    stored::parse("commitments.status", &row.status)
}

/// The owing party's representative, or an officer of the municipality.
fn permitted(caller: &Caller, row: &CommitmentRow, scope: &RecordScope) -> Result<bool, ApiError> {
    Ok(caller.represents(&party(row)?) || caller.may(Action::ManageLifecycle, Target::Record(scope)))
}

fn allowed(
    caller: &Caller,
    row: &CommitmentRow,
    scope: &RecordScope,
) -> Result<Vec<CommitmentAction>, ApiError> {
    if !permitted(caller, row, scope)? {
        return Ok(Vec::new());
    }
    let status = status(row)?;
    Ok(CommitmentAction::iter().filter(|a| status.next(*a).is_some()).collect())
}

fn to_dto(caller: &Caller, row: CommitmentRow, scope: &RecordScope) -> Result<CommitmentDto, ApiError> {
    let allowed_actions = allowed(caller, &row, scope)?;
    Ok(CommitmentDto {
        party: party(&row)?,
        status: status(&row)?,
        allowed_actions,
        id: row.id,
        agreement_id: row.agreement_id,
        key: row.key,
        description: row.description,
        due_on: row.due_on,
        note: row.note,
        version: row.version,
        updated_at: utc(row.updated_at),
    })
}

/// Who may see a commitment: whoever may see its agreement, whose parties are stored with it.
fn agreement_scope(conn: &mut DbConnection, row: &CommitmentRow) -> Result<RecordScope, ApiError> {
    parties::scope_of(conn, AGREEMENT, &row.agreement_id, &row.municipality_id)
}

fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<(CommitmentRow, RecordScope), ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such commitment."))?;
    let scope = agreement_scope(conn, &row)?;
    if !caller.can_see(Target::Record(&scope)) {
        return Err(ApiError::not_found("No such commitment."));
    }
    Ok((row, scope))
}

/// The commitment as the API returns it, for no one in particular (webhook payloads).
pub fn published(conn: &mut DbConnection, id: &str) -> Result<CommitmentDto, ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such commitment."))?;
    let scope = agreement_scope(conn, &row)?;
    to_dto(&Caller::observer(), row, &scope)
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<CommitmentDto, ApiError> {
    let (row, scope) = visible(conn, caller, id)?;
    to_dto(caller, row, &scope)
}

pub fn act(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: CommitmentAction,
    note: Option<String>,
) -> Result<CommitmentDto, ApiError> {
    let note = match note {
        Some(text) => Some(
            BoundedText::<2000>::parse(&text).map_err(|m| ApiError::invalid_field("note", m))?.into_inner(),
        ),
        None if action == CommitmentAction::Waive => {
            return Err(ApiError::invalid_field("note", "say why it is waived"))
        }
        None => None,
    };
    write_transaction(conn, |conn| {
        let (mut row, scope) = visible(conn, caller, id)?;
        let before = status(&row)?;
        ActionCheck {
            record: "commitment",
            status: before.as_str(),
            action: action.as_str(),
            visible: true,
            permitted: permitted(caller, &row, &scope)?,
            possible: before.next(action).is_some(),
            allowed: allowed(caller, &row, &scope)?.iter().map(|a| a.as_str().to_owned()).collect(),
        }
        .verdict()?;
        let next = before.next(action).unwrap_or(before);
        row.status = next.as_str().to_owned();
        row.note = note.clone().or(row.note);
        row.version += 1;
        row.updated_at = now();
        if !repo::save(conn, &row)? {
            return Err(ApiError::conflict("The commitment changed meanwhile. Reload and try again."));
        }
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: &format!("commitment.{}", next.as_str()),
                entity_type: "commitment",
                entity_id: &row.id,
                municipality_id: Some(&row.municipality_id),
                network_id: None,
                changes: serde_json::json!({"status": {"before": before.as_str(), "after": next.as_str()}, "note": {"before": null, "after": note}}),
            },
        )?;
        to_dto(caller, row, &scope)
    })
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: CommitmentQuery,
    page: &PageRequest,
) -> Result<Page<CommitmentDto>, ApiError> {
    if query.party_id.is_some() != query.party_type.is_some() {
        return Err(ApiError::bad_request("party_type and party_id go together."));
    }
    caller.authorize_listing(&[crate::domain::Scope::AgreementsRead])?;
    let filter = CommitmentFilter {
        reach: caller.reach(),
        status: query.status.map(|s| s.as_str().to_owned()),
        due_before: query.due_before,
        party_type: query.party_type.map(|t| t.as_str().to_owned()),
        party_id: query.party_id.map(|p| p.to_string()),
        agreement_id: query.agreement_id.map(|a| a.to_string()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let rows = repo::list(conn, &filter)?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let mut items = Vec::with_capacity(page.items.len());
    for row in page.items {
        let scope = agreement_scope(conn, &row)?;
        items.push(to_dto(caller, row, &scope)?);
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// Makes the agreement's commitments those of the version now in force: same key keeps its
/// status, new keys start open, and open commitments the version dropped are waived.
pub fn sync_with_version(
    conn: &mut DbConnection,
    agreement_id: &str,
    municipality_id: &str,
    terms: &[CommitmentTerms],
    version_number: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let existing = repo::of_agreement(conn, agreement_id)?;
    for term in terms {
        let key = term.key.clone().unwrap_or_default();
        match existing.iter().find(|c| c.key == key) {
            Some(current) => repo::set_terms(conn, current, term, now)?,
            None => repo::insert(
                conn,
                &CommitmentRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    agreement_id: agreement_id.to_owned(),
                    municipality_id: municipality_id.to_owned(),
                    key,
                    party_type: term.party.party_type.as_str().to_owned(),
                    party_id: term.party.id.clone(),
                    description: term.description.clone(),
                    due_on: term.due_on,
                    status: CommitmentStatus::Open.as_str().to_owned(),
                    note: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )?,
        }
    }
    for current in &existing {
        let dropped = !terms.iter().any(|t| t.key.as_deref() == Some(&current.key));
        if dropped && status(current)? == CommitmentStatus::Open {
            let note = format!("Dropped by version {version_number} of the agreement.");
            repo::close(conn, current, CommitmentStatus::Waived, note, now)?;
        }
    }
    Ok(())
}
