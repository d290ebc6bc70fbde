//! Who hears of what in a grant's life: the officers of a new application; the network of a
//! question, a decision or its report; the treasurers of a payment. The words are the outbox's.

use crate::db::DbConnection;
use crate::domain::workflow::GrantAction;
use crate::error::ApiError;
use crate::outbox::notices::{self, Notice};
use crate::outbox::recipients::{municipality_people, network_people};
use crate::outbox::wording::NoticeEvent;

use super::repo::GrantRow;

/// Who hears of a change to a grant.
pub enum Audience {
    /// The municipality's admins and officers.
    Officers,
    /// The network's coordinators and treasurers.
    Network,
    /// The network's treasurers.
    Treasurer,
}

/// Queues a notice about the grant, in the transaction of the change.
pub fn notify(
    conn: &mut DbConnection,
    row: &GrantRow,
    version: i64,
    audience: Audience,
    event: NoticeEvent<'_>,
) -> Result<(), ApiError> {
    let recipients = match audience {
        Audience::Officers => {
            municipality_people(conn, &row.municipality_id, &["municipal_admin", "officer"])?
        }
        Audience::Network => network_people(conn, &row.network_id, &["coordinator", "treasurer"])?,
        Audience::Treasurer => network_people(conn, &row.network_id, &["treasurer"])?,
    };
    let notice = Notice {
        event,
        record_id: &row.id,
        version,
        municipality_id: Some(&row.municipality_id),
        path: format!("/api/v1/grants/{}", row.id),
    };
    notices::send(conn, &notice, &recipients)
}

/// The notice a workflow step sends, if any: a submission to the officers, a question or a
/// rejection to the network.
pub(super) fn after_step(
    conn: &mut DbConnection,
    row: &GrantRow,
    action: GrantAction,
) -> Result<(), ApiError> {
    let (audience, event) = match action {
        GrantAction::Submit => (
            Audience::Officers,
            NoticeEvent::GrantSubmitted { title: &row.title, decision_due_on: row.decision_due_on },
        ),
        GrantAction::RequestInfo => (
            Audience::Network,
            NoticeEvent::GrantInfoRequested {
                title: &row.title,
                question: row.info_question.as_deref().unwrap_or_default(),
            },
        ),
        GrantAction::Reject => (
            Audience::Network,
            NoticeEvent::GrantRejected {
                title: &row.title,
                reason: row.status_reason.as_deref().unwrap_or_default(),
            },
        ),
        _ => return Ok(()),
    };
    notify(conn, row, row.version, audience, event)
}
