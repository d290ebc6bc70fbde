//! Rules for municipalities: valid names, CBS codes and time zones, unique CBS codes,
//! optimistic concurrency, and an audit event for every change.

use crate::audit::{self, Actor, Event};
use crate::db::page::{Page, PageRequest, Reach};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::{BoundedText, CbsCode, OpenDataPrefix, TimeZone};
use crate::error::{ApiError, FieldError};

use super::dto::{CreateMunicipality, MunicipalityDto, UpdateMunicipality};
use super::repo::{self, MunicipalityRow};

fn field<T, E: Into<String>>(errors: &mut Vec<FieldError>, name: &str, parsed: Result<T, E>) -> Option<T> {
    parsed.map_err(|m| errors.push(FieldError::new(name, m))).ok()
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: CreateMunicipality,
) -> Result<MunicipalityDto, ApiError> {
    let mut errors = Vec::new();
    let name = field(&mut errors, "name", BoundedText::<200>::parse(&input.name));
    let cbs_code = input.cbs_code.as_deref().map(|c| field(&mut errors, "cbs_code", CbsCode::parse(c)));
    let time_zone = match input.time_zone.as_deref() {
        Some(tz) => field(&mut errors, "time_zone", TimeZone::parse(tz)),
        None => Some(TimeZone::default()),
    };
    let (Some(name), Some(time_zone), true) = (name, time_zone, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let created = now();
    let row = MunicipalityRow {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.into_inner(),
        cbs_code: cbs_code.flatten().map(|c| c.as_str().to_owned()),
        time_zone: time_zone.as_str().to_owned(),
        version: 1,
        created_at: created,
        updated_at: created,
        open_data_public: false,
        open_data_prefix: None,
    };
    write_transaction(conn, |conn| {
        ensure_cbs_code_free(conn, row.cbs_code.as_deref(), &row.id)?;
        repo::insert(conn, &row)?;
        let dto = MunicipalityDto::from(row.clone());
        audit::record(
            conn,
            actor,
            Event {
                action: "municipality.created",
                entity_type: "municipality",
                entity_id: &row.id,
                municipality_id: Some(&row.id),
                network_id: None,
                changes: audit::changes(None, &serde_json::to_value(&dto).unwrap_or_default()),
            },
        )?;
        Ok(dto)
    })
}

fn ensure_cbs_code_free(conn: &mut DbConnection, code: Option<&str>, id: &str) -> Result<(), ApiError> {
    match code {
        Some(code) if repo::cbs_code_taken(conn, code, id)? => {
            Err(ApiError::conflict(format!("Another municipality already has CBS code {code}.")))
        }
        _ => Ok(()),
    }
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<MunicipalityRow, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such municipality."))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateMunicipality,
) -> Result<MunicipalityDto, ApiError> {
    let mut errors = Vec::new();
    let name = change.name.as_deref().map(|n| field(&mut errors, "name", BoundedText::<200>::parse(n)));
    let cbs_code = change.cbs_code.map(|c| {
        c.map(|c| field(&mut errors, "cbs_code", CbsCode::parse(&c)).map(|c| c.as_str().to_owned()))
    });
    let time_zone =
        change.time_zone.as_deref().map(|tz| field(&mut errors, "time_zone", TimeZone::parse(tz)));
    let open_data_prefix = change.open_data_prefix.map(|p| {
        p.map(|p| {
            field(&mut errors, "open_data_prefix", OpenDataPrefix::parse(&p)).map(|p| p.as_str().to_owned())
        })
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    write_transaction(conn, |conn| {
        let before = find(conn, id)?;
        crate::db::version::check(expected_version, before.version)?;
        let mut after = before.clone();
        if let Some(Some(name)) = name {
            after.name = name.into_inner();
        }
        if let Some(code) = cbs_code {
            after.cbs_code = code.flatten();
        }
        if let Some(Some(tz)) = time_zone {
            after.time_zone = tz.as_str().to_owned();
        }
        if let Some(public) = change.open_data_public {
            after.open_data_public = public;
        }
        if let Some(prefix) = open_data_prefix {
            after.open_data_prefix = prefix.flatten();
        }
        after.version = before.version + 1;
        after.updated_at = now();
        ensure_cbs_code_free(conn, after.cbs_code.as_deref(), id)?;
        if !repo::update(conn, &after)? {
            return Err(ApiError::new(
                crate::error::ErrorCode::PreconditionFailed,
                "The record changed meanwhile.",
            ));
        }
        let before_json = serde_json::to_value(MunicipalityDto::from(before)).unwrap_or_default();
        let dto = MunicipalityDto::from(after);
        audit::record(
            conn,
            actor,
            Event {
                action: "municipality.updated",
                entity_type: "municipality",
                entity_id: id,
                municipality_id: Some(id),
                network_id: None,
                changes: audit::changes(Some(&before_json), &serde_json::to_value(&dto).unwrap_or_default()),
            },
        )?;
        Ok(dto)
    })
}

/// A page of the municipalities reached.
pub fn list(
    conn: &mut DbConnection,
    reach: &Reach,
    page: &PageRequest,
) -> Result<Page<MunicipalityDto>, ApiError> {
    let rows = repo::list(conn, reach, page.after_id.as_deref(), page.fetch_limit())?;
    Ok(Page::from_rows(rows, page, |r| &r.id, MunicipalityDto::from))
}
