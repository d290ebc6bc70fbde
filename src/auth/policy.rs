//! The one authorization policy. Every handler asks here whether the caller may take an action
//! on an object. An object the caller cannot see is a 404 (ids do not leak); a visible object
//! with a forbidden action is a 403. A service account is first held to the scopes its
//! operation names (`authorize_operation`, from the table in `operations`), then to its own
//! municipality's objects.

use crate::domain::{MunicipalityRole, NetworkRole, Party, PartyType, Scope};
use crate::error::ApiError;

use super::caller::Caller;
use super::operations::{self, Need};

mod action_check;
mod service_accounts;

pub use action_check::ActionCheck;
pub use service_accounts::GRANT_READERS;

/// What is being acted on, with what the policy needs to know about it.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Municipality(&'a str),
    Network(&'a NetworkScope),
    Organisation(&'a OrganisationScope),
    /// A vision or an agreement: owned by a municipality, shared with its parties.
    Record(&'a RecordScope),
    /// A grant: a network's application to a municipality's fund.
    Grant(&'a GrantScope),
}

/// A grant: the fund's municipality and the applying network.
#[derive(Debug, Clone, Default)]
pub struct GrantScope {
    pub municipality_id: String,
    pub network_id: String,
}

/// A partner organisation and the municipality it belongs to.
#[derive(Debug, Clone, Default)]
pub struct OrganisationScope {
    pub organisation_id: String,
    pub municipality_id: String,
}

/// A vision or agreement: its municipality and its parties.
#[derive(Debug, Clone, Default)]
pub struct RecordScope {
    pub municipality_id: String,
    pub parties: Vec<Party>,
}

/// A network and the municipalities it is linked to.
#[derive(Debug, Clone, Default)]
pub struct NetworkScope {
    pub network_id: String,
    /// `(municipality_id, active)`: a requested link is visible to the municipality, but
    /// gives it no say over the network until accepted.
    pub links: Vec<(String, bool)>,
    /// Whether someone coordinates the network now. Until someone does, an officer of a linked
    /// municipality may invite its first coordinator.
    pub has_coordinator: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the object and what belongs to it (members, links).
    Read,
    /// Change the object's own fields.
    Update,
    /// Invite people, change their role, remove them.
    ManageMembers,
    /// Invite someone as a network's coordinator: its coordinators, and, while it has none, an
    /// officer of a municipality it works with (to hand over a network they registered).
    InviteCoordinator,
    /// Register networks for a municipality and accept or decline link requests.
    ManageNetworks,
    /// Read the municipality's audit trail.
    ReadAudit,
    /// Act for a party of a record: endorse, sign, ask for changes.
    Represent,
    /// Move a record through its life: archive, suspend, resume, complete, terminate; decide
    /// on grants.
    ManageLifecycle,
    /// Set up and change the municipality's funds.
    ManageFunds,
    /// Create a fund or change its controls (budget, maximum grant, four-eyes threshold):
    /// the limits that keep officers' decisions in check are set above them.
    ManageFundControls,
    /// Mark payments and give the second approval above a fund's four-eyes threshold.
    Pay,
    /// Read a grant's spending reports and receipts.
    ReadReports,
    /// Create and change the municipality's webhook subscriptions.
    ManageWebhooks,
    /// Create service accounts and issue or revoke their API tokens.
    ManageServiceAccounts,
}

impl Caller {
    pub fn municipality_role(&self, municipality_id: &str) -> Option<MunicipalityRole> {
        self.municipalities.iter().find(|m| m.municipality_id == municipality_id).map(|m| m.role)
    }

    pub fn network_role(&self, network_id: &str) -> Option<NetworkRole> {
        self.networks.iter().find(|n| n.network_id == network_id).map(|n| n.role)
    }

    pub fn is_contact_of(&self, organisation_id: &str) -> bool {
        self.organisations.iter().any(|o| o == organisation_id)
    }

    /// Whether the caller may act for this party: an officer or admin of the municipality, a
    /// coordinator of the network, a contact of the organisation.
    pub fn represents(&self, party: &Party) -> bool {
        match party.party_type {
            PartyType::Municipality => {
                matches!(
                    self.municipality_role(&party.id),
                    Some(MunicipalityRole::MunicipalAdmin | MunicipalityRole::Officer)
                )
            }
            PartyType::Network => self.network_role(&party.id) == Some(NetworkRole::Coordinator),
            PartyType::Organisation => self.is_contact_of(&party.id),
        }
    }

    pub fn can_see(&self, target: Target<'_>) -> bool {
        if let Some(account) = &self.service_account {
            return account.can_see(target);
        }
        self.is_platform_admin
            || match target {
                Target::Municipality(id) => self.municipality_role(id).is_some(),
                Target::Network(scope) => {
                    self.network_role(&scope.network_id).is_some()
                        || scope.links.iter().any(|(m, _)| self.municipality_role(m).is_some())
                }
                Target::Organisation(scope) => {
                    self.is_contact_of(&scope.organisation_id)
                        || self.municipality_role(&scope.municipality_id).is_some()
                }
                Target::Grant(scope) => {
                    self.municipality_role(&scope.municipality_id).is_some()
                        || self.network_role(&scope.network_id).is_some()
                }
                Target::Record(scope) => {
                    self.municipality_role(&scope.municipality_id).is_some()
                        || scope.parties.iter().any(|p| match p.party_type {
                            PartyType::Municipality => self.municipality_role(&p.id).is_some(),
                            PartyType::Network => self.network_role(&p.id).is_some(),
                            PartyType::Organisation => self.is_contact_of(&p.id),
                        })
                }
            }
    }

    pub fn may(&self, action: Action, target: Target<'_>) -> bool {
        use MunicipalityRole::*;
        if let Some(account) = &self.service_account {
            return account.can_see(target) && account.may(action, target);
        }
        if self.is_platform_admin {
            return true;
        }
        match target {
            Target::Municipality(id) => {
                let Some(role) = self.municipality_role(id) else { return false };
                match action {
                    Action::Read => true,
                    Action::Update
                    | Action::ManageMembers
                    | Action::ManageWebhooks
                    | Action::ManageServiceAccounts => role == MunicipalAdmin,
                    Action::ManageNetworks => matches!(role, MunicipalAdmin | Officer),
                    Action::ReadAudit => matches!(role, MunicipalAdmin | Auditor),
                    Action::ManageFunds => matches!(role, MunicipalAdmin | Officer),
                    Action::ManageFundControls => role == MunicipalAdmin,
                    Action::Pay => matches!(role, MunicipalAdmin | Officer | Finance),
                    Action::Represent
                    | Action::ManageLifecycle
                    | Action::ReadReports
                    | Action::InviteCoordinator => false,
                }
            }
            Target::Network(scope) => {
                let own = self.network_role(&scope.network_id);
                let officer_of_linked = scope.links.iter().any(|(m, active)| {
                    *active && matches!(self.municipality_role(m), Some(MunicipalAdmin | Officer))
                });
                let coordinator = own == Some(NetworkRole::Coordinator);
                match action {
                    Action::Read => self.can_see(target),
                    // A network's people are managed by its coordinators only: no municipality
                    // role gives a say over them, nor a role in the network.
                    Action::Update | Action::ManageMembers => coordinator,
                    // The one exception: an officer who registered a network (or works with one
                    // left without a coordinator) may invite its first coordinator.
                    Action::InviteCoordinator => coordinator || (officer_of_linked && !scope.has_coordinator),
                    _ => false,
                }
            }
            Target::Organisation(scope) => {
                let officer =
                    matches!(self.municipality_role(&scope.municipality_id), Some(MunicipalAdmin | Officer));
                match action {
                    Action::Read => self.can_see(target),
                    Action::Update | Action::ManageMembers => officer,
                    _ => false,
                }
            }
            Target::Grant(scope) => {
                let role = self.municipality_role(&scope.municipality_id);
                let volunteer = matches!(
                    self.network_role(&scope.network_id),
                    Some(NetworkRole::Coordinator | NetworkRole::Treasurer)
                );
                match action {
                    Action::Read | Action::ReadReports => self.can_see(target),
                    // The network's coordinator or treasurer writes and submits the application.
                    Action::Update => volunteer,
                    Action::ManageLifecycle => matches!(role, Some(MunicipalAdmin | Officer)),
                    Action::Pay => matches!(role, Some(MunicipalAdmin | Officer | Finance)),
                    _ => false,
                }
            }
            Target::Record(scope) => {
                let officer =
                    matches!(self.municipality_role(&scope.municipality_id), Some(MunicipalAdmin | Officer));
                match action {
                    Action::Read => self.can_see(target),
                    // Drafting is shared: the municipality's officers and the coordinators of
                    // party networks.
                    Action::Update => {
                        officer
                            || scope.parties.iter().any(|p| {
                                p.party_type == PartyType::Network
                                    && self.network_role(&p.id) == Some(NetworkRole::Coordinator)
                            })
                    }
                    Action::Represent => scope.parties.iter().any(|p| self.represents(p)),
                    Action::ManageLifecycle => officer,
                    _ => false,
                }
            }
        }
    }

    /// The operation gate, before any object is looked up: a service account's token may call an
    /// operation only with the scopes the operation names (`operations::OPERATIONS`, shown as
    /// its security requirement in the spec); an operation no scope names, or a route the table
    /// does not know, is refused with 403. People pass: their roles decide per object.
    pub fn authorize_operation(&self, method: &str, route: Option<&str>) -> Result<(), ApiError> {
        let Some(account) = &self.service_account else { return Ok(()) };
        match route.and_then(|r| operations::need(method, r)) {
            Some(Need::Open) => Ok(()),
            Some(Need::Scopes(sets)) if account.holds_one_of(sets) => Ok(()),
            Some(Need::Scopes(sets)) => Err(ApiError::forbidden(format!(
                "This token's service account needs the scope {} for this operation.",
                operations::describe(sets)
            ))),
            Some(Need::People) | None => Err(ApiError::forbidden(
                "This operation is for people: no scope allows it to a service account.",
            )),
        }
    }

    /// Whether the caller may read records that these scope sets read (as in
    /// `operations::READ_GRANTS`): people always (their roles decide per object), a service
    /// account when it holds every scope of one set.
    pub fn reads_with(&self, sets: &[&[Scope]]) -> bool {
        self.service_account.as_ref().is_none_or(|account| account.holds_one_of(sets))
    }

    /// For lists, which the database filters to what the caller can see: a service account
    /// also needs one of the scopes for the kind of record listed. People pass.
    pub fn authorize_listing(&self, any_of: &[Scope]) -> Result<(), ApiError> {
        match &self.service_account {
            Some(account) if !any_of.iter().any(|s| account.scopes.contains(s)) => {
                let names: Vec<&str> = any_of.iter().map(|s| s.as_str()).collect();
                Err(ApiError::forbidden(format!(
                    "This token's service account needs the scope {}.",
                    names.join(" or ")
                )))
            }
            _ => Ok(()),
        }
    }

    /// The municipalities whose records the caller works with: their memberships, or a service
    /// account's own.
    pub fn municipality_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.municipalities.iter().map(|m| m.municipality_id.clone()).collect();
        ids.extend(self.service_account.iter().map(|a| a.municipality_id.clone()));
        ids
    }

    /// The networks the caller has a role in.
    pub fn network_ids(&self) -> Vec<String> {
        self.networks.iter().map(|n| n.network_id.clone()).collect()
    }

    /// `Ok` when allowed; else 404 for what the caller cannot see, 403 for what it can.
    pub fn authorize(&self, action: Action, target: Target<'_>) -> Result<(), ApiError> {
        if !self.can_see(target) {
            return Err(not_found(target));
        }
        if !self.may(action, target) {
            return Err(ApiError::forbidden(match self.service_account {
                Some(_) => "This token's scopes do not allow this.",
                None => "Your role does not allow this.",
            }));
        }
        Ok(())
    }
}

pub fn not_found(target: Target<'_>) -> ApiError {
    match target {
        Target::Municipality(_) => ApiError::not_found("No such municipality."),
        Target::Network(_) => ApiError::not_found("No such network."),
        Target::Organisation(_) => ApiError::not_found("No such organisation."),
        Target::Record(_) => ApiError::not_found("Not found."),
        Target::Grant(_) => ApiError::not_found("No such grant."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::caller::{MunicipalityMembership, NetworkMembership};

    fn caller(municipalities: &[(&str, MunicipalityRole)], networks: &[(&str, NetworkRole)]) -> Caller {
        Caller {
            user_id: "u".into(),
            name: "U".into(),
            email: "u@x.nl".into(),
            locale: "nl".into(),
            page_language: None,
            is_platform_admin: false,
            session_id: None,
            request_id: None,
            municipalities: municipalities
                .iter()
                .map(|(id, role)| MunicipalityMembership { municipality_id: (*id).into(), role: *role })
                .collect(),
            networks: networks
                .iter()
                .map(|(id, role)| NetworkMembership { network_id: (*id).into(), role: *role })
                .collect(),
            organisations: Vec::new(),
            service_account: None,
        }
    }

    #[test]
    fn outsiders_get_not_found_and_low_roles_forbidden() {
        let scope =
            NetworkScope { network_id: "n1".into(), links: vec![("m1".into(), true)], has_coordinator: true };
        let outsider =
            caller(&[("m2", MunicipalityRole::MunicipalAdmin)], &[("n2", NetworkRole::Coordinator)]);
        let err = outsider.authorize(Action::Read, Target::Network(&scope)).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);

        let member = caller(&[], &[("n1", NetworkRole::Member)]);
        assert!(member.authorize(Action::Read, Target::Network(&scope)).is_ok());
        let err = member.authorize(Action::Update, Target::Network(&scope)).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::Forbidden);

        let auditor = caller(&[("m1", MunicipalityRole::Auditor)], &[]);
        assert!(auditor.may(Action::ReadAudit, Target::Municipality("m1")));
        assert!(!auditor.may(Action::ManageNetworks, Target::Municipality("m1")));
        assert!(!auditor.may(Action::ManageMembers, Target::Network(&scope)));

        let officer = caller(&[("m1", MunicipalityRole::Officer)], &[]);
        assert!(officer.can_see(Target::Network(&scope)));
        let requested = NetworkScope {
            network_id: "n1".into(),
            links: vec![("m1".into(), false)],
            has_coordinator: false,
        };
        assert!(officer.can_see(Target::Network(&requested)), "an officer sees a link request");
        assert!(!officer.may(Action::ManageMembers, Target::Network(&requested)));
        assert!(!officer.may(Action::InviteCoordinator, Target::Network(&requested)), "not linked yet");
    }

    #[test]
    fn a_network_s_people_are_managed_by_its_coordinators_only() {
        let shared = |has_coordinator| NetworkScope {
            network_id: "n1".into(),
            links: vec![("m1".into(), true), ("m2".into(), true)],
            has_coordinator,
        };
        let coordinated = shared(true);
        let orphaned = shared(false);
        for role in [MunicipalityRole::MunicipalAdmin, MunicipalityRole::Officer] {
            let staff = caller(&[("m2", role)], &[]);
            assert!(staff.can_see(Target::Network(&coordinated)), "a linked municipality sees the network");
            for action in [Action::ManageMembers, Action::InviteCoordinator, Action::Update] {
                let err = staff.authorize(action, Target::Network(&coordinated)).unwrap_err();
                assert_eq!(err.code, crate::error::ErrorCode::Forbidden, "{role:?} {action:?}");
            }
            // Without a coordinator: the first one may be invited, nothing else.
            assert!(staff.may(Action::InviteCoordinator, Target::Network(&orphaned)), "{role:?}");
            assert!(!staff.may(Action::ManageMembers, Target::Network(&orphaned)), "{role:?}");
            assert!(!staff.may(Action::Update, Target::Network(&orphaned)), "{role:?}");
        }
        for role in [MunicipalityRole::Finance, MunicipalityRole::Auditor] {
            let staff = caller(&[("m1", role)], &[]);
            assert!(!staff.may(Action::InviteCoordinator, Target::Network(&orphaned)), "{role:?}");
        }
        let coordinator = caller(&[], &[("n1", NetworkRole::Coordinator)]);
        for action in [Action::ManageMembers, Action::InviteCoordinator, Action::Update] {
            assert!(coordinator.may(action, Target::Network(&coordinated)), "{action:?}");
        }
        let treasurer = caller(&[], &[("n1", NetworkRole::Treasurer)]);
        assert!(!treasurer.may(Action::ManageMembers, Target::Network(&coordinated)));
        assert!(!treasurer.may(Action::InviteCoordinator, Target::Network(&orphaned)));
        // A municipality role never reaches another municipality's grants.
        let other_grant = GrantScope { municipality_id: "m1".into(), network_id: "n1".into() };
        let officer_b = caller(&[("m2", MunicipalityRole::Officer)], &[]);
        let err = officer_b.authorize(Action::Read, Target::Grant(&other_grant)).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);
    }

    #[test]
    fn a_service_account_acts_by_scope_in_its_own_municipality_only() {
        use crate::auth::caller::ServiceAccountAccess;
        let mut system = caller(&[], &[]);
        system.service_account = Some(ServiceAccountAccess {
            municipality_id: "m1".into(),
            scopes: vec![Scope::GrantsRead, Scope::PaymentsWrite],
            token_id: "t".into(),
        });
        let own = GrantScope { municipality_id: "m1".into(), network_id: "n1".into() };
        let other = GrantScope { municipality_id: "m2".into(), network_id: "n1".into() };
        assert!(system.authorize(Action::Read, Target::Grant(&own)).is_ok());
        assert!(system.may(Action::Pay, Target::Grant(&own)));
        let err = system.authorize(Action::ManageLifecycle, Target::Grant(&own)).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::Forbidden);
        let err = system.authorize(Action::Read, Target::Grant(&other)).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);
        let record = RecordScope { municipality_id: "m1".into(), parties: Vec::new() };
        assert!(!system.can_see(Target::Record(&record)), "no agreements:read");
        assert!(!system.may(Action::ManageMembers, Target::Municipality("m1")));
        assert!(system.authorize_listing(&[Scope::GrantsRead]).is_ok());
        assert!(system.authorize_listing(&[Scope::AuditRead]).is_err());
        // A platform admin's powers do not come with a token.
        system.is_platform_admin = true;
        assert!(!system.can_see(Target::Grant(&other)));
    }

    #[test]
    fn a_service_account_calls_only_the_operations_its_scopes_name() {
        use crate::auth::caller::ServiceAccountAccess;
        let mut system = caller(&[], &[]);
        system.service_account = Some(ServiceAccountAccess {
            municipality_id: "m1".into(),
            scopes: vec![Scope::WebhooksManage],
            token_id: "t".into(),
        });
        assert!(system.authorize_operation("GET", Some("/api/v1/webhooks/{id}")).is_ok());
        assert!(system.authorize_operation("POST", Some("/api/v1/auth/logout")).is_ok(), "open");
        let err = system.authorize_operation("GET", Some("/api/v1/networks/{id}/members")).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::Forbidden);
        assert!(err.detail.contains("members:read"), "{}", err.detail);
        let err = system.authorize_operation("POST", Some("/api/v1/networks")).unwrap_err();
        assert!(err.detail.contains("for people"), "{}", err.detail);
        assert!(system.authorize_operation("GET", Some("/api/v1/not-in-the-table")).is_err());
        assert!(system.authorize_operation("GET", None).is_err());
        assert!(!system.reads_with(operations::READ_GRANTS));
        // People are held to their roles per object, not to scopes.
        let person = caller(&[("m1", MunicipalityRole::Auditor)], &[]);
        assert!(person.authorize_operation("POST", Some("/api/v1/networks")).is_ok());
        assert!(person.reads_with(operations::READ_GRANTS));
    }
}
