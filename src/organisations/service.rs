//! Rules for partner organisations: valid names and KvK numbers, audited changes.

use crate::audit::{self, Actor, Event};
use crate::auth::policy::OrganisationScope;
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::{BoundedText, KvkNumber};
use crate::error::{ApiError, ErrorCode, FieldError};

use super::dto::{CreateOrganisation, OrganisationDto, UpdateOrganisation};
use super::repo::{self, OrganisationFilter, OrganisationRow};

pub fn scope(conn: &mut DbConnection, id: &str) -> Result<OrganisationScope, ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such organisation."))?;
    Ok(OrganisationScope { organisation_id: row.id, municipality_id: row.municipality_id })
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<OrganisationDto, ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such organisation."))?;
    OrganisationDto::try_from(row)
}

fn check_fields(name: &str, kvk_number: Option<&str>) -> Result<(String, Option<String>), ApiError> {
    let mut errors = Vec::new();
    let name = BoundedText::<200>::parse(name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
    let kvk = kvk_number
        .map(|k| KvkNumber::parse(k).map_err(|m| errors.push(FieldError::new("kvk_number", m))).ok());
    match (name, errors.is_empty()) {
        (Some(name), true) => Ok((name.into_inner(), kvk.flatten().map(|k| k.as_str().to_owned()))),
        _ => Err(ApiError::validation(errors)),
    }
}

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    before: Option<&OrganisationDto>,
    after: &OrganisationDto,
) -> Result<(), ApiError> {
    let json = |dto: &OrganisationDto| serde_json::to_value(dto).unwrap_or_default();
    audit::record(
        conn,
        actor,
        Event {
            action,
            entity_type: "organisation",
            entity_id: &after.id,
            municipality_id: Some(&after.municipality_id),
            network_id: None,
            changes: audit::changes(before.map(json).as_ref(), &json(after)),
        },
    )?;
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: CreateOrganisation,
) -> Result<OrganisationDto, ApiError> {
    let (name, kvk_number) = check_fields(&input.name, input.kvk_number.as_deref())?;
    let created = now();
    let row = OrganisationRow {
        id: uuid::Uuid::now_v7().to_string(),
        municipality_id: input.municipality_id.to_string(),
        name,
        kind: input.kind.as_str().to_owned(),
        kvk_number,
        version: 1,
        created_at: created,
        updated_at: created,
    };
    write_transaction(conn, |conn| {
        repo::insert(conn, &row)?;
        let dto = OrganisationDto::try_from(row.clone())?;
        record(conn, actor, "organisation.created", None, &dto)?;
        Ok(dto)
    })
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateOrganisation,
) -> Result<OrganisationDto, ApiError> {
    write_transaction(conn, |conn| {
        let before = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such organisation."))?;
        crate::db::version::check(expected_version, before.version)?;
        let name = change.name.clone().unwrap_or_else(|| before.name.clone());
        let kvk = change.kvk_number.clone().unwrap_or_else(|| before.kvk_number.clone());
        let (name, kvk_number) = check_fields(&name, kvk.as_deref())?;
        let after = OrganisationRow {
            name,
            kvk_number,
            kind: change.kind.map_or_else(|| before.kind.clone(), |k| k.as_str().to_owned()),
            version: before.version + 1,
            updated_at: now(),
            ..before.clone()
        };
        if !repo::update(conn, &after)? {
            return Err(ApiError::new(ErrorCode::PreconditionFailed, "The organisation changed meanwhile."));
        }
        let (before, after) = (OrganisationDto::try_from(before)?, OrganisationDto::try_from(after)?);
        record(conn, actor, "organisation.updated", Some(&before), &after)?;
        Ok(after)
    })
}

/// A page of the partner organisations the filter selects.
pub fn list(
    conn: &mut DbConnection,
    filter: &OrganisationFilter,
    page: &PageRequest,
) -> Result<Page<OrganisationDto>, ApiError> {
    Page::from_rows(repo::list(conn, filter)?, page, |r| &r.id, |r| r).try_map(OrganisationDto::try_from)
}
