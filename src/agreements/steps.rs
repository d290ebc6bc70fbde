//! Carrying out an agreement action that has been checked, in small steps: the signature, the
//! version under negotiation, the amendment slot, the status; then the audit event, the
//! webhook events and the notices.

use chrono::{NaiveDate, NaiveDateTime};

use crate::audit::Actor;
use crate::auth::Caller;
use crate::commitments::service as commitments;
use crate::db::DbConnection;
use crate::domain::time::now;
use crate::domain::workflow::{AgreementAction, AgreementOutcome, AgreementStatus, VersionStatus};
use crate::domain::Party;
use crate::error::ApiError;

use super::content::AgreementContent;
use super::events::{self, AgreementEvent};
use super::loaded::{version_status, LoadedAgreement};
use super::repo::{self, AgreementRow, SignatureRow, VersionRow};

/// Carries out an action that has been checked: the state machine says where it leads.
/// `signer` is who signs (for `sign`); the date job passes none.
pub(super) fn apply(
    conn: &mut DbConnection,
    actor: &Actor,
    mut loaded: LoadedAgreement,
    action: AgreementAction,
    reason: Option<String>,
    signer: Option<(&Caller, Option<Party>)>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let before = loaded.state();
    let at = now();
    let mut changes = serde_json::json!({});
    let all_signed = match action {
        AgreementAction::Sign => sign(conn, actor, &mut loaded, signer, at, &mut changes)?,
        _ => false,
    };
    let outcome = before
        .next(action, all_signed)
        .ok_or_else(|| ApiError::invalid_transition("Not allowed now.", Vec::new()))?;
    settle_version(conn, &mut loaded, action, all_signed, at, &mut changes)?;
    settle_amendment(conn, actor, &mut loaded, action, outcome, &mut changes)?;
    let status = settle_status(&mut loaded.row, before.status, outcome.status, reason, today, &mut changes);
    loaded.row.status = status.as_str().to_owned();
    loaded.row.updated_at = at;
    repo::save(conn, &loaded.row)?;
    let event = AgreementEvent::of(action, before.status, status);
    events::record(conn, actor, &loaded.row, event, changes)?;
    events::publish(conn, &loaded.row, event)?;
    events::notify(conn, &loaded, event)
}

/// Records the signature of the party the signer names (or the one they act for) on the
/// version under negotiation; says whether every party has now signed it.
fn sign(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &mut LoadedAgreement,
    signer: Option<(&Caller, Option<Party>)>,
    at: NaiveDateTime,
    changes: &mut serde_json::Value,
) -> Result<bool, ApiError> {
    let (caller, party) = signer.ok_or_else(|| ApiError::internal(anyhow::anyhow!("sign without signer")))?;
    let open = loaded.to_sign_by(caller);
    let party = match party {
        Some(p) if open.contains(&p) => p,
        Some(p) if loaded.parties().contains(&p) && caller.represents(&p) => {
            return Err(ApiError::conflict("This party has already signed this version."));
        }
        Some(_) => {
            return Err(ApiError::invalid_field("party", "you do not act for this party of the agreement"))
        }
        None if open.len() == 1 => open[0].clone(),
        None => {
            return Err(ApiError::invalid_field(
                "party",
                "you act for several parties: name the one that signs",
            ))
        }
    };
    let version =
        loaded.negotiated().cloned().ok_or_else(|| ApiError::internal(anyhow::anyhow!("nothing to sign")))?;
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
    let all_signed = loaded.parties().iter().all(|p| loaded.signed_by(&version, p));
    changes["signed_for"] = serde_json::json!({"before": null, "after": {"party": party, "version": version.number, "content_hash": version.content_hash}});
    Ok(all_signed)
}

/// Moves the version under negotiation on; a version signed by everyone becomes the one in
/// force, with its dates and its commitments.
fn settle_version(
    conn: &mut DbConnection,
    loaded: &mut LoadedAgreement,
    action: AgreementAction,
    all_signed: bool,
    at: NaiveDateTime,
    changes: &mut serde_json::Value,
) -> Result<(), ApiError> {
    let Some(mut version) = loaded.negotiated().cloned() else { return Ok(()) };
    let version_status = version_status(&version)?;
    let Some(next) = version_status.next(action, all_signed).filter(|_| action.negotiates()) else {
        return Ok(());
    };
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
        commitments::sync_with_version(
            conn,
            &loaded.row.id,
            &loaded.row.municipality_id,
            &content.commitments,
            version.number,
            at,
        )?;
    }
    Ok(())
}

/// Opens an amendment (a copy of the version in force), or drops an unsigned one when the
/// agreement ends.
fn settle_amendment(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &mut LoadedAgreement,
    action: AgreementAction,
    outcome: AgreementOutcome,
    changes: &mut serde_json::Value,
) -> Result<(), ApiError> {
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
    Ok(())
}

/// The agreement's new status (a version signed on or after its start date is in force at
/// once) and the reason given for it.
fn settle_status(
    row: &mut AgreementRow,
    before: AgreementStatus,
    outcome: AgreementStatus,
    reason: Option<String>,
    today: NaiveDate,
    changes: &mut serde_json::Value,
) -> AgreementStatus {
    let mut status = outcome;
    if status == AgreementStatus::Signed && row.starts_on <= today {
        status = AgreementStatus::Active;
    }
    if status != before {
        changes["status"] = serde_json::json!({"before": before.as_str(), "after": status.as_str()});
    }
    if reason.is_some() {
        changes["reason"] = serde_json::json!({"before": row.status_reason, "after": reason});
        row.status_reason = reason;
    }
    status
}

/// A new draft version with `content`.
pub(super) fn new_version(
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

/// The agreement's dates are those of the version in force (or of its first draft).
pub(super) fn copy_dates(row: &mut AgreementRow, content: &AgreementContent) {
    row.starts_on = content.starts_on;
    row.ends_on = content.ends_on;
    row.next_review_on = content.next_review_on;
}
