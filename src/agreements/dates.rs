//! The date job: agreements become active on their start date and expire after their end
//! date, in each municipality's time zone.

use crate::audit::Actor;
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::time::today_in;
use crate::domain::workflow::{AgreementAction, AgreementStatus};
use crate::error::ApiError;

use super::loaded::load;
use super::repo;
use super::steps::apply;

/// Activates signed agreements on their start date and expires those past their end date.
/// Safe to run as often as you like, on several instances at once: each change re-checks the
/// state under the row lock.
pub fn run_date_changes(conn: &mut DbConnection) -> Result<usize, ApiError> {
    let mut changed = 0;
    for agreement in repo::date_driven(conn)? {
        let today = today_in(&agreement.time_zone);
        let id = agreement.id;
        let status: AgreementStatus = stored::parse("agreements.status", &agreement.status)?;
        let due = match status {
            AgreementStatus::Signed if agreement.starts_on <= today => Some(AgreementAction::Activate),
            AgreementStatus::Active | AgreementStatus::Suspended
                if agreement.ends_on.is_some_and(|end| end < today) =>
            {
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
