//! Rules for agreements: shared drafting, proposal, signature by every party of one exact
//! version (its content hash), and amendments negotiated beside the version in force. Each
//! action is checked here and carried out in `steps`; the date job lives in `dates`.

use chrono::NaiveDate;

use crate::audit::{self, Actor};
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, today_in};
use crate::domain::workflow::{AgreementAction, AgreementStatus, VersionStatus};
use crate::domain::{BoundedText, Party, PartyType};
use crate::error::ApiError;
use crate::municipalities::repo as municipalities_repo;
use crate::parties::{self, AGREEMENT};
use crate::visions::repo as visions_repo;

use super::content::AgreementContent;
use super::dto::{AgreementDto, AgreementQuery, CreateAgreement, UpdateAgreement};
use super::events::{self, AgreementEvent};
use super::loaded::{authorize_action, load, to_dto, visible, LoadedAgreement};
use super::repo::{self, AgreementFilter, AgreementRow};
use super::steps::{self, copy_dates, new_version};

fn check_vision(
    conn: &mut DbConnection,
    municipality_id: &str,
    vision_id: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(vision_id) = vision_id {
        let vision = visions_repo::find(conn, vision_id)?;
        if vision.is_none_or(|v| v.municipality_id != municipality_id) {
            return Err(ApiError::invalid_field("vision_id", "no vision of this municipality"));
        }
    }
    Ok(())
}

/// The local date in the municipality's time zone.
fn municipality_today(conn: &mut DbConnection, municipality_id: &str) -> Result<NaiveDate, ApiError> {
    let municipality = municipalities_repo::find(conn, municipality_id)?
        .ok_or_else(|| ApiError::not_found("No such municipality."))?;
    Ok(today_in(&municipality.time_zone))
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: CreateAgreement,
) -> Result<AgreementDto, ApiError> {
    let municipality_id = input.municipality_id.to_string();
    let mut claimed = input.parties.clone();
    claimed.push(Party::new(PartyType::Municipality, &municipality_id));
    caller.authorize(Action::Update, Target::Record(&parties::scope(&municipality_id, &claimed)))?;
    write_transaction(conn, |conn| {
        if municipalities_repo::find(conn, &municipality_id)?.is_none() {
            return Err(ApiError::not_found("No such municipality."));
        }
        let vision_id = input.vision_id.map(|v| v.to_string());
        check_vision(conn, &municipality_id, vision_id.as_deref())?;
        let parties = parties::validate(conn, &municipality_id, &input.parties)?;
        let content = AgreementContent {
            title: input.title.clone(),
            vision_id,
            parties,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            review_interval_months: input.review_interval_months,
            next_review_on: input.next_review_on,
            body: input.body.clone(),
            provisions: input.provisions.clone(),
            commitments: input.commitments.clone(),
        }
        .validate()?;
        let created = now();
        let row = AgreementRow {
            id: uuid::Uuid::now_v7().to_string(),
            municipality_id: municipality_id.clone(),
            status: AgreementStatus::Draft.as_str().to_owned(),
            status_reason: None,
            current_version: 1,
            pending_version: None,
            starts_on: content.starts_on,
            ends_on: content.ends_on,
            next_review_on: content.next_review_on,
            version: 1,
            created_by: Some(caller.user_id.clone()),
            created_at: created,
            updated_at: created,
        };
        repo::insert(conn, &row)?;
        let version = new_version(&row.id, 1, &content, Some(caller.user_id.clone()));
        repo::insert_version(conn, &version)?;
        parties::replace(conn, AGREEMENT, &row.id, &content.parties)?;
        let changes = audit::changes(None, &serde_json::to_value(&content).unwrap_or_default());
        events::record(conn, &Actor::from(caller), &row, AgreementEvent::Created, changes)?;
        to_dto(caller, &LoadedAgreement::new(row, vec![version], Vec::new())?)
    })
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<AgreementDto, ApiError> {
    to_dto(caller, &visible(conn, caller, id)?)
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: AgreementQuery,
    page: &PageRequest,
) -> Result<Page<AgreementDto>, ApiError> {
    caller.authorize_listing(&[crate::domain::Scope::AgreementsRead])?;
    let filter = AgreementFilter {
        reach: caller.reach(),
        municipality_id: query.municipality_id.map(|m| m.to_string()),
        status: query.status.map(|s| s.as_str().to_owned()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let rows = repo::list(conn, &filter)?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let mut items = Vec::with_capacity(page.items.len());
    for row in page.items {
        let (versions, signatures) = (repo::versions(conn, &row.id)?, repo::signatures(conn, &row.id)?);
        let loaded = LoadedAgreement::new(row, versions, signatures)?;
        items.push(to_dto(caller, &loaded)?);
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// Edits the version under negotiation; a proposed one returns to draft and loses its
/// signatures. A signed version is never edited: amend instead.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateAgreement,
) -> Result<AgreementDto, ApiError> {
    write_transaction(conn, |conn| {
        let mut loaded = load(conn, id, true)?;
        authorize_action(caller, &loaded, AgreementAction::Edit)?;
        crate::db::version::check(expected_version, loaded.row.version - 1)?;
        let mut version = loaded
            .negotiated()
            .cloned()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("nothing to edit")))?;
        let before = AgreementContent::parse(&version.content)?;
        let mut content = before.clone();
        let is_amendment = !matches!(loaded.status(), AgreementStatus::Draft | AgreementStatus::Proposed);
        if let Some(new_parties) = &change.parties {
            let checked = parties::validate(conn, &loaded.row.municipality_id, new_parties)?;
            if is_amendment && checked != before.parties {
                return Err(ApiError::invalid_field(
                    "parties",
                    "an amendment keeps the parties; make a new agreement instead",
                ));
            }
            content.parties = checked;
        }
        if let Some(vision_id) = change.vision_id {
            content.vision_id = vision_id.map(|v| v.to_string());
            check_vision(conn, &loaded.row.municipality_id, content.vision_id.as_deref())?;
        }
        if let Some(title) = change.title {
            content.title = title;
        }
        if let Some(starts_on) = change.starts_on {
            content.starts_on = starts_on;
        }
        if let Some(ends_on) = change.ends_on {
            content.ends_on = ends_on;
        }
        if let Some(interval) = change.review_interval_months {
            content.review_interval_months = interval;
        }
        if let Some(next_review_on) = change.next_review_on {
            content.next_review_on = next_review_on;
        }
        if let Some(body) = change.body {
            content.body = body;
        }
        if let Some(provisions) = change.provisions {
            content.provisions = provisions;
        }
        if let Some(commitments) = change.commitments {
            content.commitments = commitments;
        }
        let content = content.validate()?;
        version.content = content.canonical_json();
        version.content_hash = content.hash();
        version.status = VersionStatus::Draft.as_str().to_owned();
        version.updated_at = now();
        repo::save_version(conn, &version)?;
        repo::clear_signatures(conn, id, version.number)?;
        if !is_amendment {
            parties::replace(conn, AGREEMENT, id, &content.parties)?;
            loaded.row.status = AgreementStatus::Draft.as_str().to_owned();
            copy_dates(&mut loaded.row, &content);
        }
        loaded.row.updated_at = now();
        repo::save(conn, &loaded.row)?;
        let changes = audit::changes(
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            &serde_json::to_value(&content).unwrap_or_default(),
        );
        events::record(conn, &Actor::from(caller), &loaded.row, AgreementEvent::Updated, changes)?;
        to_dto(caller, &load(conn, id, false)?)
    })
}

fn required_reason(reason: Option<String>, action: AgreementAction) -> Result<Option<String>, ApiError> {
    let needs = matches!(
        action,
        AgreementAction::RequestChanges | AgreementAction::Suspend | AgreementAction::Terminate
    );
    match reason {
        Some(text) => BoundedText::<2000>::parse(&text)
            .map(|t| Some(t.into_inner()))
            .map_err(|m| ApiError::invalid_field("reason", m)),
        None if needs => Err(ApiError::invalid_field("reason", "say why")),
        None => Ok(None),
    }
}

/// Any action but editing: propose, request changes, sign, amend, suspend, resume, complete,
/// terminate.
pub fn act(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: AgreementAction,
    reason: Option<String>,
    party: Option<Party>,
) -> Result<AgreementDto, ApiError> {
    write_transaction(conn, |conn| {
        let loaded = load(conn, id, true)?;
        authorize_action(caller, &loaded, action)?;
        let reason = required_reason(reason, action)?;
        let actor = Actor::from(caller);
        let today = municipality_today(conn, &loaded.row.municipality_id)?;
        steps::apply(conn, &actor, loaded, action, reason, Some((caller, party)), today)?;
        to_dto(caller, &load(conn, id, false)?)
    })
}
