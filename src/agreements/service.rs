//! Rules for agreements: shared drafting, proposal, signature by every party of one exact
//! version (its content hash), activation and expiry by date, amendments negotiated beside the
//! version in force, and an audit event for every change.

use chrono::NaiveDate;

use crate::audit::{self, Actor, Event};
use crate::auth::policy::{ActionCheck, RecordScope};
use crate::auth::{Action, Caller, Target};
use crate::commitments::repo as commitments_repo;
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, today_in, utc};
use crate::domain::workflow::{AgreementAction, AgreementState, AgreementStatus, VersionStatus};
use crate::domain::{BoundedText, Party, PartyType};
use crate::error::ApiError;
use crate::municipalities::repo as municipalities_repo;
use crate::outbox::wording::NoticeEvent;
use crate::parties::{self, AGREEMENT};
use crate::visions::repo as visions_repo;

use super::content::AgreementContent;
use super::dto::{AgreementDto, AgreementQuery, CreateAgreement, SignatureDto, UpdateAgreement, VersionDto};
use super::repo::{self, AgreementFilter, AgreementRow, SignatureRow, VersionRow};

/// An agreement with its versions and signatures.
pub struct Loaded {
    pub row: AgreementRow,
    pub versions: Vec<VersionRow>,
    pub signatures: Vec<SignatureRow>,
}

impl Loaded {
    pub fn status(&self) -> AgreementStatus {
        self.row.status.parse().unwrap_or(AgreementStatus::Terminated)
    }

    pub fn versions_ref(&self) -> &[VersionRow] {
        &self.versions
    }

    fn version(&self, number: i32) -> Option<&VersionRow> {
        self.versions.iter().find(|v| v.number == number)
    }

    pub fn current(&self) -> Result<AgreementContent, ApiError> {
        let version = self
            .version(self.row.current_version)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no current version")))?;
        AgreementContent::parse(&version.content)
    }

    pub fn parties(&self) -> Vec<Party> {
        self.current().map(|c| c.parties).unwrap_or_default()
    }

    pub fn scope(&self) -> RecordScope {
        parties::scope(&self.row.municipality_id, &self.parties())
    }

    fn state(&self) -> AgreementState {
        let amendment =
            self.row.pending_version.and_then(|n| self.version(n)).and_then(|v| v.status.parse().ok());
        AgreementState { status: self.status(), amendment }
    }

    /// The version under negotiation: the first one until it is signed, then an amendment.
    fn negotiated(&self) -> Option<&VersionRow> {
        match self.status() {
            AgreementStatus::Draft | AgreementStatus::Proposed => self.version(self.row.current_version),
            _ => self.row.pending_version.and_then(|n| self.version(n)),
        }
    }

    fn signed_by(&self, version: &VersionRow, party: &Party) -> bool {
        self.signatures.iter().any(|s| {
            s.version_number == version.number
                && s.party_type == party.party_type.as_str()
                && s.party_id == party.id
        })
    }

    /// Parties the caller acts for that have not signed the version under negotiation.
    fn to_sign_by(&self, caller: &Caller) -> Vec<Party> {
        let Some(version) = self.negotiated() else { return Vec::new() };
        self.parties().into_iter().filter(|p| caller.represents(p) && !self.signed_by(version, p)).collect()
    }
}

pub fn load(conn: &mut DbConnection, id: &str, lock: bool) -> Result<Loaded, ApiError> {
    let row = if lock { repo::lock(conn, id)? } else { repo::find(conn, id)? };
    let row = row.ok_or_else(|| ApiError::not_found("No such agreement."))?;
    let versions = repo::versions(conn, id)?;
    let signatures = repo::signatures(conn, id)?;
    Ok(Loaded { row, versions, signatures })
}

/// Loads an agreement the caller may see; 404 otherwise.
pub fn visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<Loaded, ApiError> {
    let loaded = load(conn, id, false)?;
    if !caller.can_see(Target::Record(&loaded.scope())) {
        return Err(ApiError::not_found("No such agreement."));
    }
    Ok(loaded)
}

fn permitted(caller: &Caller, loaded: &Loaded, action: AgreementAction) -> bool {
    use AgreementAction as A;
    let scope = loaded.scope();
    let target = Target::Record(&scope);
    match action {
        A::Edit | A::Propose | A::Amend => caller.may(Action::Update, target),
        A::RequestChanges | A::Sign => caller.may(Action::Represent, target),
        A::Suspend | A::Resume | A::Complete | A::Terminate => caller.may(Action::ManageLifecycle, target),
        A::Activate | A::Expire => false,
    }
}

fn possible(caller: &Caller, loaded: &Loaded, action: AgreementAction) -> bool {
    if action == AgreementAction::Sign && loaded.to_sign_by(caller).is_empty() {
        return false;
    }
    loaded.state().next(action, false).is_some()
}

fn allowed_actions(caller: &Caller, loaded: &Loaded) -> Vec<AgreementAction> {
    AgreementAction::BY_PEOPLE
        .into_iter()
        .filter(|a| permitted(caller, loaded, *a) && possible(caller, loaded, *a))
        .collect()
}

fn check(caller: &Caller, loaded: &Loaded, action: AgreementAction) -> Result<(), ApiError> {
    ActionCheck {
        record: "agreement",
        status: loaded.status().as_str(),
        action: action.as_str(),
        visible: caller.can_see(Target::Record(&loaded.scope())),
        permitted: permitted(caller, loaded, action),
        possible: possible(caller, loaded, action),
        allowed: allowed_actions(caller, loaded).iter().map(|a| a.as_str().to_owned()).collect(),
    }
    .verdict()
}

pub fn version_dto(loaded: &Loaded, version: &VersionRow) -> Result<VersionDto, ApiError> {
    Ok(VersionDto {
        number: version.number,
        status: version.status.parse().unwrap_or(VersionStatus::Draft),
        content: AgreementContent::parse(&version.content)?,
        content_hash: version.content_hash.clone(),
        signatures: loaded
            .signatures
            .iter()
            .filter(|s| s.version_number == version.number)
            .filter_map(|s| {
                Some(SignatureDto {
                    party: Party::new(s.party_type.parse().ok()?, s.party_id.clone()),
                    signed_by: s.signed_by.clone(),
                    signed_at: utc(s.signed_at),
                    content_hash: s.content_hash.clone(),
                })
            })
            .collect(),
        created_at: utc(version.created_at),
        signed_at: version.signed_at.map(utc),
    })
}

fn to_dto(caller: &Caller, loaded: &Loaded) -> Result<AgreementDto, ApiError> {
    let current = loaded
        .version(loaded.row.current_version)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no current version")))?;
    let amendment = loaded
        .row
        .pending_version
        .and_then(|n| loaded.version(n))
        .map(|v| version_dto(loaded, v))
        .transpose()?;
    Ok(AgreementDto {
        id: loaded.row.id.clone(),
        municipality_id: loaded.row.municipality_id.clone(),
        status: loaded.status(),
        status_reason: loaded.row.status_reason.clone(),
        current: version_dto(loaded, current)?,
        amendment,
        allowed_actions: allowed_actions(caller, loaded),
        version: loaded.row.version,
        created_at: utc(loaded.row.created_at),
        updated_at: utc(loaded.row.updated_at),
    })
}

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &AgreementRow,
    action: &str,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        actor,
        Event {
            action,
            entity_type: "agreement",
            entity_id: &row.id,
            municipality_id: Some(&row.municipality_id),
            network_id: None,
            changes,
        },
    )?;
    Ok(())
}

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
        let parties = parties::check(conn, &municipality_id, &input.parties)?;
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
        .check()?;
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
        record(conn, &Actor::from(caller), &row, "agreement.created", changes)?;
        to_dto(caller, &Loaded { row, versions: vec![version], signatures: Vec::new() })
    })
}

fn new_version(
    agreement_id: &str,
    number: i32,
    content: &AgreementContent,
    created_by: Option<String>,
) -> VersionRow {
    let at = now();
    VersionRow {
        agreement_id: agreement_id.to_owned(),
        number,
        status: VersionStatus::Draft.as_str().to_owned(),
        content: content.canonical_json(),
        content_hash: content.hash(),
        created_by,
        created_at: at,
        updated_at: at,
        signed_at: None,
    }
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
    let as_party = if caller.is_platform_admin {
        Vec::new()
    } else {
        parties::records_of_user(conn, &caller.user_id, AGREEMENT)?
    };
    let filter = AgreementFilter {
        visible_to: (!caller.is_platform_admin).then(|| caller.user_id.clone()),
        as_party,
        municipality_id: query.municipality_id.map(|m| m.to_string()),
        status: query.status.map(|s| s.as_str().to_owned()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let rows = repo::list(conn, &filter)?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let mut items = Vec::with_capacity(page.items.len());
    for row in page.items {
        let loaded = Loaded {
            versions: repo::versions(conn, &row.id)?,
            signatures: repo::signatures(conn, &row.id)?,
            row,
        };
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
        check(caller, &loaded, AgreementAction::Edit)?;
        crate::db::version::check(expected_version, loaded.row.version - 1)?;
        let mut version = loaded
            .negotiated()
            .cloned()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("nothing to edit")))?;
        let before = AgreementContent::parse(&version.content)?;
        let mut content = before.clone();
        let is_amendment = !matches!(loaded.status(), AgreementStatus::Draft | AgreementStatus::Proposed);
        if let Some(new_parties) = &change.parties {
            let checked = parties::check(conn, &loaded.row.municipality_id, new_parties)?;
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
        let content = content.check()?;
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
        record(conn, &Actor::from(caller), &loaded.row, "agreement.updated", changes)?;
        to_dto(caller, &load(conn, id, false)?)
    })
}

fn copy_dates(row: &mut AgreementRow, content: &AgreementContent) {
    row.starts_on = content.starts_on;
    row.ends_on = content.ends_on;
    row.next_review_on = content.next_review_on;
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
        check(caller, &loaded, action)?;
        let reason = required_reason(reason, action)?;
        let actor = Actor::from(caller);
        let today = municipality_today(conn, &loaded.row.municipality_id)?;
        apply(conn, &actor, loaded, action, reason, Some((caller, party)), today)?;
        to_dto(caller, &load(conn, id, false)?)
    })
}

/// Carries out an action that has been checked: the state machine says where it leads.
/// `signer` is who signs (for `sign`); the date job passes none.
fn apply(
    conn: &mut DbConnection,
    actor: &Actor,
    mut loaded: Loaded,
    action: AgreementAction,
    reason: Option<String>,
    signer: Option<(&Caller, Option<Party>)>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let before = loaded.state();
    let at = now();
    let mut changes = serde_json::json!({});
    let mut all_signed = false;
    if action == AgreementAction::Sign {
        let (caller, party) =
            signer.ok_or_else(|| ApiError::internal(anyhow::anyhow!("sign without signer")))?;
        let open = loaded.to_sign_by(caller);
        let party = match party {
            Some(p) if open.contains(&p) => p,
            Some(p) if loaded.parties().contains(&p) && caller.represents(&p) => {
                return Err(ApiError::conflict("This party has already signed this version."));
            }
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "party",
                    "you do not act for this party of the agreement",
                ))
            }
            None if open.len() == 1 => open[0].clone(),
            None => {
                return Err(ApiError::invalid_field(
                    "party",
                    "you act for several parties: name the one that signs",
                ))
            }
        };
        let version = loaded
            .negotiated()
            .cloned()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("nothing to sign")))?;
        let signature = SignatureRow {
            agreement_id: loaded.row.id.clone(),
            version_number: version.number,
            party_type: party.party_type.as_str().to_owned(),
            party_id: party.id.clone(),
            content_hash: version.content_hash.clone(),
            signed_by: actor.user_id.clone().unwrap_or_default(),
            signed_at: at,
        };
        repo::insert_signature(conn, &signature)?;
        loaded.signatures.push(signature);
        all_signed = loaded.parties().iter().all(|p| loaded.signed_by(&version, p));
        changes["signed_for"] = serde_json::json!({"before": null, "after": {"party": party, "version": version.number, "content_hash": version.content_hash}});
    }
    let outcome = before
        .next(action, all_signed)
        .ok_or_else(|| ApiError::invalid_transition("Not allowed now.", Vec::new()))?;

    // What happens to the version under negotiation.
    if let Some(mut version) = loaded.negotiated().cloned() {
        let version_status: VersionStatus = version.status.parse().unwrap_or(VersionStatus::Draft);
        if let Some(next) = version_status.next(action, all_signed).filter(|_| action.negotiates()) {
            if next != version_status || next == VersionStatus::Signed {
                if next == VersionStatus::Draft {
                    repo::clear_signatures(conn, &version.agreement_id, version.number)?;
                }
                version.status = next.as_str().to_owned();
                version.updated_at = at;
                if next == VersionStatus::Signed {
                    version.signed_at = Some(at);
                }
                repo::save_version(conn, &version)?;
            }
            if next == VersionStatus::Signed {
                let content = AgreementContent::parse(&version.content)?;
                if version.number != loaded.row.current_version {
                    changes["current_version"] =
                        serde_json::json!({"before": loaded.row.current_version, "after": version.number});
                    loaded.row.current_version = version.number;
                }
                copy_dates(&mut loaded.row, &content);
                commitments_repo::sync(
                    conn,
                    &loaded.row.id,
                    &loaded.row.municipality_id,
                    &content.commitments,
                    version.number,
                    at,
                )?;
            }
        }
    }
    if action == AgreementAction::Amend {
        let content = loaded.current()?;
        let number = loaded.versions.iter().map(|v| v.number).max().unwrap_or(1) + 1;
        let version = new_version(&loaded.row.id, number, &content, actor.user_id.clone());
        repo::insert_version(conn, &version)?;
        loaded.row.pending_version = Some(number);
        changes["amendment"] = serde_json::json!({"before": null, "after": number});
    } else if outcome.amendment.is_none() {
        if let Some(pending) = loaded.row.pending_version.take() {
            // Signed amendments became current above; an unsigned one ends with the agreement.
            if loaded.row.current_version != pending {
                repo::delete_version(conn, &loaded.row.id, pending)?;
            }
        }
    }
    let mut status = outcome.status;
    if status == AgreementStatus::Signed && loaded.row.starts_on <= today {
        // Signed on or after its start date: in force at once.
        status = AgreementStatus::Active;
    }
    if status != before.status {
        changes["status"] = serde_json::json!({"before": before.status.as_str(), "after": status.as_str()});
    }
    if reason.is_some() {
        changes["reason"] = serde_json::json!({"before": loaded.row.status_reason, "after": reason});
        loaded.row.status_reason = reason;
    }
    loaded.row.status = status.as_str().to_owned();
    loaded.row.updated_at = at;
    repo::save(conn, &loaded.row)?;
    let event = event_name(action, before.status, status);
    record(conn, actor, &loaded.row, &format!("agreement.{event}"), changes)?;
    publish(conn, &loaded.row, event)?;
    let title = loaded.current().map(|c| c.title).unwrap_or_default();
    let notice_event = match event {
        "proposed" => NoticeEvent::AgreementProposed { title: &title },
        "signed" => NoticeEvent::AgreementSigned { title: &title },
        "signed_and_activated" => NoticeEvent::AgreementSignedAndActivated { title: &title },
        _ => return Ok(()),
    };
    let mut recipients = Vec::new();
    for party in loaded.parties() {
        recipients.extend(crate::outbox::recipients::representatives(
            conn,
            party.party_type.as_str(),
            &party.id,
        )?);
    }
    recipients.sort();
    recipients.dedup();
    let notice = crate::outbox::notices::Notice {
        event: notice_event,
        record_id: &loaded.row.id,
        version: loaded.row.version,
        municipality_id: Some(&loaded.row.municipality_id),
        path: format!("/api/v1/agreements/{}", loaded.row.id),
    };
    crate::outbox::notices::send(conn, &notice, &recipients)
}

/// Tells the municipality's subscribed systems of the agreement's step, in its transaction.
fn publish(conn: &mut DbConnection, row: &AgreementRow, event: &str) -> Result<(), ApiError> {
    use crate::webhooks::EventType as E;
    let types: &[E] = match event {
        "proposed" => &[E::AgreementProposed],
        "signed" => &[E::AgreementSigned],
        "signed_and_activated" => &[E::AgreementSigned, E::AgreementActivated],
        "activated" => &[E::AgreementActivated],
        "terminated" => &[E::AgreementTerminated],
        _ => &[],
    };
    for event_type in types {
        let published = crate::webhooks::Event {
            event_type: *event_type,
            municipality_id: &row.municipality_id,
            path: format!("/api/v1/agreements/{}", row.id),
            dedupe_key: None,
        };
        crate::webhooks::emit(conn, published, |conn| {
            to_dto(&Caller::observer(), &load(conn, &row.id, false)?)
        })?;
    }
    Ok(())
}

fn event_name(action: AgreementAction, before: AgreementStatus, after: AgreementStatus) -> &'static str {
    use AgreementAction as A;
    match action {
        A::Sign if after == AgreementStatus::Active && before != after => "signed_and_activated",
        A::Sign if after == AgreementStatus::Signed => "signed",
        A::Sign => "signature_added",
        A::Edit => "updated",
        A::Propose => "proposed",
        A::RequestChanges => "changes_requested",
        A::Amend => "amendment_opened",
        A::Suspend => "suspended",
        A::Resume => "resumed",
        A::Complete => "completed",
        A::Terminate => "terminated",
        A::Activate => "activated",
        A::Expire => "expired",
    }
}

/// The date job: activates signed agreements on their start date and expires those past their
/// end date, in each municipality's time zone. Safe to run as often as you like, on several
/// instances at once: each change re-checks the state under the row lock.
pub fn run_date_changes(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let mut changed = 0;
    for agreement in repo::date_driven(conn)? {
        let today = today_in(&agreement.time_zone);
        let id = agreement.id;
        let due = match agreement.status.as_str() {
            "signed" if agreement.starts_on <= today => Some(AgreementAction::Activate),
            "active" | "suspended" if agreement.ends_on.is_some_and(|end| end < today) => {
                Some(AgreementAction::Expire)
            }
            _ => None,
        };
        let Some(action) = due else { continue };
        let done = write_transaction(conn, |conn| {
            let loaded = load(conn, &id, true)?;
            if loaded.state().next(action, false).is_none() {
                return Ok(false);
            }
            apply(conn, &Actor::default(), loaded, action, None, None, today)?;
            Ok::<_, ApiError>(true)
        })?;
        changed += usize::from(done);
    }
    Ok(changed)
}
