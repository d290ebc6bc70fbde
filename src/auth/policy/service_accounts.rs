//! What a service account may see and do: only its own municipality's records, and of those
//! only what its scopes name. People are judged in the parent module.

use crate::domain::Scope;

use super::{Action, Target};
use crate::auth::caller::ServiceAccountAccess;

/// The scopes that let a service account read grants (whoever decides or pays needs to see).
pub const GRANT_READERS: [Scope; 3] = [Scope::GrantsRead, Scope::GrantsWrite, Scope::PaymentsWrite];

impl ServiceAccountAccess {
    pub(super) fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Every scope of at least one of these sets.
    pub(super) fn holds_one_of(&self, sets: &[&[Scope]]) -> bool {
        sets.iter().any(|set| set.iter().all(|s| self.has(*s)))
    }

    /// Only its own municipality's records, and of those only the kinds its scopes read.
    pub(super) fn can_see(&self, target: Target<'_>) -> bool {
        let own = |id: &str| id == self.municipality_id;
        let reads_grants = GRANT_READERS.iter().any(|s| self.has(*s)) || self.has(Scope::ReportsRead);
        match target {
            Target::Municipality(id) => own(id),
            Target::Network(scope) => scope.links.iter().any(|(m, active)| *active && own(m)),
            Target::Organisation(scope) => own(&scope.municipality_id) && self.has(Scope::AgreementsRead),
            Target::Record(scope) => own(&scope.municipality_id) && self.has(Scope::AgreementsRead),
            Target::Grant(scope) => own(&scope.municipality_id) && reads_grants,
        }
    }

    /// Each action needs its scope; what no scope names (changing people, networks, agreements,
    /// funds) stays with people.
    pub(super) fn may(&self, action: Action, target: Target<'_>) -> bool {
        match (action, target) {
            (Action::Read, _) => true,
            (Action::ReadReports, Target::Grant(_)) => self.has(Scope::ReportsRead),
            (Action::ManageLifecycle, Target::Grant(_)) => self.has(Scope::GrantsWrite),
            (Action::Pay, Target::Grant(_) | Target::Municipality(_)) => self.has(Scope::PaymentsWrite),
            (Action::ReadAudit, Target::Municipality(_)) => self.has(Scope::AuditRead),
            (Action::ManageWebhooks, Target::Municipality(_)) => self.has(Scope::WebhooksManage),
            _ => false,
        }
    }
}
