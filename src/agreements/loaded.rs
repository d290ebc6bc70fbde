//! An agreement as loaded with its versions and signatures: who may take which action on it
//! now, and the DTO the caller sees.

use crate::auth::policy::{ActionCheck, RecordScope};
use crate::auth::{Action, Caller, Target};
use crate::db::stored;
use crate::db::DbConnection;
use crate::domain::time::utc;
use crate::domain::workflow::{AgreementAction, AgreementState, AgreementStatus, VersionStatus};
use crate::domain::Party;
use crate::error::ApiError;
use crate::parties;

use super::content::AgreementContent;
use super::dto::{AgreementDto, SignatureDto, VersionDto};
use super::repo::{self, AgreementRow, SignatureRow, VersionRow};

/// An agreement with its versions and signatures.
pub struct LoadedAgreement {
    pub row: AgreementRow,
    pub versions: Vec<VersionRow>,
    pub signatures: Vec<SignatureRow>,
    /// The stored statuses of the agreement and of its amendment, read once.
    state: AgreementState,
}

impl LoadedAgreement {
    /// Reads the stored statuses; one the code does not know is an error.
    pub fn new(
        row: AgreementRow,
        versions: Vec<VersionRow>,
        signatures: Vec<SignatureRow>,
    ) -> Result<Self, ApiError> {
        let status = stored::parse("agreements.status", &row.status)?;
        let amendment = match row.pending_version.and_then(|n| versions.iter().find(|v| v.number == n)) {
            Some(version) => Some(version_status(version)?),
            None => None,
        };
        Ok(Self { row, versions, signatures, state: AgreementState { status, amendment } })
    }

    pub fn status(&self) -> AgreementStatus {
        self.state.status
    }

    pub fn versions_ref(&self) -> &[VersionRow] {
        &self.versions
    }

    pub(super) fn version(&self, number: i32) -> Option<&VersionRow> {
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

    pub(super) fn state(&self) -> AgreementState {
        self.state
    }

    /// The version under negotiation: the first one until it is signed, then an amendment.
    pub(super) fn negotiated(&self) -> Option<&VersionRow> {
        match self.status() {
            AgreementStatus::Draft | AgreementStatus::Proposed => self.version(self.row.current_version),
            _ => self.row.pending_version.and_then(|n| self.version(n)),
        }
    }

    pub(super) fn signed_by(&self, version: &VersionRow, party: &Party) -> bool {
        self.signatures.iter().any(|s| {
            s.version_number == version.number
                && s.party_type == party.party_type.as_str()
                && s.party_id == party.id
        })
    }

    /// Parties the caller acts for that have not signed the version under negotiation.
    pub(super) fn to_sign_by(&self, caller: &Caller) -> Vec<Party> {
        let Some(version) = self.negotiated() else { return Vec::new() };
        self.parties().into_iter().filter(|p| caller.represents(p) && !self.signed_by(version, p)).collect()
    }
}

/// A version's stored status.
pub(super) fn version_status(version: &VersionRow) -> Result<VersionStatus, ApiError> {
    stored::parse("agreement_versions.status", &version.status)
}

pub fn load(conn: &mut DbConnection, id: &str, lock: bool) -> Result<LoadedAgreement, ApiError> {
    let row = if lock { repo::lock(conn, id)? } else { repo::find(conn, id)? };
    let row = row.ok_or_else(|| ApiError::not_found("No such agreement."))?;
    let versions = repo::versions(conn, id)?;
    let signatures = repo::signatures(conn, id)?;
    LoadedAgreement::new(row, versions, signatures)
}

/// Loads an agreement the caller may see; 404 otherwise.
pub fn visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<LoadedAgreement, ApiError> {
    let loaded = load(conn, id, false)?;
    if !caller.can_see(Target::Record(&loaded.scope())) {
        return Err(ApiError::not_found("No such agreement."));
    }
    Ok(loaded)
}

fn permitted(caller: &Caller, loaded: &LoadedAgreement, action: AgreementAction) -> bool {
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

fn possible(caller: &Caller, loaded: &LoadedAgreement, action: AgreementAction) -> bool {
    if action == AgreementAction::Sign && loaded.to_sign_by(caller).is_empty() {
        return false;
    }
    loaded.state().next(action, false).is_some()
}

fn allowed_actions(caller: &Caller, loaded: &LoadedAgreement) -> Vec<AgreementAction> {
    AgreementAction::BY_PEOPLE
        .into_iter()
        .filter(|a| permitted(caller, loaded, *a) && possible(caller, loaded, *a))
        .collect()
}

/// Refuses an action the caller may not take now, naming the ones they may.
pub(super) fn authorize_action(
    caller: &Caller,
    loaded: &LoadedAgreement,
    action: AgreementAction,
) -> Result<(), ApiError> {
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

pub fn version_dto(loaded: &LoadedAgreement, version: &VersionRow) -> Result<VersionDto, ApiError> {
    let signatures = loaded
        .signatures
        .iter()
        .filter(|s| s.version_number == version.number)
        .map(|s| {
            Ok(SignatureDto {
                party: Party::new(
                    stored::parse("agreement_signatures.party_type", &s.party_type)?,
                    s.party_id.clone(),
                ),
                signed_by: s.signed_by.clone(),
                signed_at: utc(s.signed_at),
                content_hash: s.content_hash.clone(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(VersionDto {
        number: version.number,
        status: version_status(version)?,
        content: AgreementContent::parse(&version.content)?,
        content_hash: version.content_hash.clone(),
        signatures,
        created_at: utc(version.created_at),
        signed_at: version.signed_at.map(utc),
    })
}

pub fn to_dto(caller: &Caller, loaded: &LoadedAgreement) -> Result<AgreementDto, ApiError> {
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
