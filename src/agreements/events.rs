//! What an agreement's step is called, and who hears of it: the audit event, the webhook
//! events of the municipality's subscribed systems, and the notices to the parties.

use crate::audit::{self, Actor, Event};
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::workflow::{AgreementAction, AgreementStatus};
use crate::error::ApiError;
use crate::outbox::notices::{self, Notice};
use crate::outbox::wording::NoticeEvent;
use crate::webhooks::{self, EventType};

use super::loaded::{load, to_dto, LoadedAgreement};
use super::repo::AgreementRow;

crate::domain::text_enum! {
    /// A step in an agreement's life, named as the audit trail (`agreement.<name>`) and the
    /// notice dedupe keys spell it.
    pub enum AgreementEvent {
        Created,
        Updated,
        Proposed,
        ChangesRequested,
        SignatureAdded,
        Signed,
        /// Signed by every party on or after the start date: in force at once.
        SignedAndActivated,
        AmendmentOpened,
        Suspended,
        Resumed,
        Completed,
        Terminated,
        Activated,
        Expired,
    }
}

impl AgreementEvent {
    /// What `action` did, given the agreement's status before and after it.
    pub fn of(action: AgreementAction, before: AgreementStatus, after: AgreementStatus) -> Self {
        use AgreementAction as A;
        match action {
            A::Sign if after == AgreementStatus::Active && before != after => Self::SignedAndActivated,
            A::Sign if after == AgreementStatus::Signed => Self::Signed,
            A::Sign => Self::SignatureAdded,
            A::Edit => Self::Updated,
            A::Propose => Self::Proposed,
            A::RequestChanges => Self::ChangesRequested,
            A::Amend => Self::AmendmentOpened,
            A::Suspend => Self::Suspended,
            A::Resume => Self::Resumed,
            A::Complete => Self::Completed,
            A::Terminate => Self::Terminated,
            A::Activate => Self::Activated,
            A::Expire => Self::Expired,
        }
    }

    /// The webhook events a subscribed system receives for this step.
    fn webhook_events(self) -> &'static [EventType] {
        use EventType as E;
        match self {
            Self::Proposed => &[E::AgreementProposed],
            Self::Signed => &[E::AgreementSigned],
            Self::SignedAndActivated => &[E::AgreementSigned, E::AgreementActivated],
            Self::Activated => &[E::AgreementActivated],
            Self::Terminated => &[E::AgreementTerminated],
            _ => &[],
        }
    }

    /// The notice the parties get of this step, if any.
    fn notice(self, title: &str) -> Option<NoticeEvent<'_>> {
        match self {
            Self::Proposed => Some(NoticeEvent::AgreementProposed { title }),
            Self::Signed => Some(NoticeEvent::AgreementSigned { title }),
            Self::SignedAndActivated => Some(NoticeEvent::AgreementSignedAndActivated { title }),
            _ => None,
        }
    }
}

/// Writes the audit event `agreement.<event>`.
pub(super) fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    row: &AgreementRow,
    event: AgreementEvent,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        actor,
        Event {
            action: &format!("agreement.{}", event.as_str()),
            entity_type: "agreement",
            entity_id: &row.id,
            municipality_id: Some(&row.municipality_id),
            network_id: None,
            changes,
        },
    )?;
    Ok(())
}

/// Tells the municipality's subscribed systems of the agreement's step, in its transaction.
pub(super) fn publish(
    conn: &mut DbConnection,
    row: &AgreementRow,
    event: AgreementEvent,
) -> Result<(), ApiError> {
    for event_type in event.webhook_events() {
        let published = webhooks::Event {
            event_type: *event_type,
            municipality_id: &row.municipality_id,
            path: format!("/api/v1/agreements/{}", row.id),
            dedupe_key: None,
        };
        webhooks::emit(conn, published, |conn| to_dto(&Caller::observer(), &load(conn, &row.id, false)?))?;
    }
    Ok(())
}

/// Queues a notice of the step to the people who act for the parties, in its transaction.
pub(super) fn notify(
    conn: &mut DbConnection,
    loaded: &LoadedAgreement,
    event: AgreementEvent,
) -> Result<(), ApiError> {
    let title = loaded.current().map(|c| c.title).unwrap_or_default();
    let Some(notice_event) = event.notice(&title) else { return Ok(()) };
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
    let notice = Notice {
        event: notice_event,
        record_id: &loaded.row.id,
        version: loaded.row.version,
        municipality_id: Some(&loaded.row.municipality_id),
        path: format!("/api/v1/agreements/{}", loaded.row.id),
    };
    notices::send(conn, &notice, &recipients)
}
