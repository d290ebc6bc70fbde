//! Which scopes each operation of the API asks of a service account's token. The policy checks
//! this table on every request of a service account (`Caller::authorize_operation`), and the
//! spec shows it as each operation's security requirement, so the two cannot drift apart.

use crate::domain::Scope::{self, *};

/// What an operation asks of a service account. People are not limited by scopes: their roles
/// decide, per object, in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// No sign-in: public, or proven by a token of its own (invitations, calendar feeds).
    Open,
    /// For people only: no scope names it, so a service account gets 403.
    People,
    /// A service account needs every scope of one of these sets (OpenAPI reads a list of
    /// security requirements the same way).
    Scopes(&'static [&'static [Scope]]),
}

impl Need {
    /// The alternatives that admit a service account, e.g. `grants:read or grants:write`.
    pub fn describe(self) -> String {
        match self {
            Need::Open => "no scope".to_owned(),
            Need::People => "no scope (for people only)".to_owned(),
            Need::Scopes(sets) => describe(sets),
        }
    }
}

/// `grants:read or grants:write or payments:write`; `grants:write and reports:read`.
pub fn describe(sets: &[&[Scope]]) -> String {
    let sets: Vec<String> =
        sets.iter().map(|set| set.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" and ")).collect();
    sets.join(" or ")
}

/// Funds, grants, tranches, settlements, payment batches: whoever decides or pays must see.
pub const READ_GRANTS: &[&[Scope]] = &[&[GrantsRead], &[GrantsWrite], &[PaymentsWrite]];
pub const READ_REPORTS: &[&[Scope]] = &[&[ReportsRead]];
pub const READ_AGREEMENTS: &[&[Scope]] = &[&[AgreementsRead]];
pub const READ_NETWORKS: &[&[Scope]] = &[&[NetworksRead]];
pub const READ_MEMBERS: &[&[Scope]] = &[&[MembersRead]];
/// A partner organisation's contacts: people, of an organisation only `agreements:read` sees.
const READ_CONTACTS: &[&[Scope]] = &[&[MembersRead, AgreementsRead]];
const DECIDE: &[&[Scope]] = &[&[GrantsWrite]];
/// A first approval decides; the second, above the four-eyes threshold, is a payer's.
const APPROVE: &[&[Scope]] = &[&[GrantsWrite], &[PaymentsWrite]];
const PAY: &[&[Scope]] = &[&[PaymentsWrite]];
/// Accepting a report, or asking for changes, decides on what one reads.
const DECIDE_REPORTS: &[&[Scope]] = &[&[GrantsWrite, ReportsRead]];
/// The overview counts grants and what their reports reached.
const READ_OVERVIEW: &[&[Scope]] = &[&[GrantsRead, ReportsRead]];
const AUDIT: &[&[Scope]] = &[&[AuditRead]];
const WEBHOOKS: &[&[Scope]] = &[&[WebhooksManage]];

use Need::{Open, People, Scopes};

/// Every operation, as `(method, path as in the spec, need)`. Open invitations are part of
/// managing people, so no scope reads them. A route missing here is refused
/// to service accounts; a test checks that this table and the spec list the same operations.
pub const OPERATIONS: &[(&str, &str, Need)] = &[
    // Operations and signing in.
    ("GET", "/healthz", Open),
    ("GET", "/readyz", Open),
    ("GET", "/metrics", Open),
    ("GET", "/api/v1/openapi.json", Open),
    ("POST", "/api/v1/auth/login", Open),
    ("POST", "/api/v1/auth/refresh", Open),
    ("POST", "/api/v1/auth/logout", Open),
    ("POST", "/api/v1/invitations/{token}/accept", Open),
    ("GET", "/api/v1/me/calendar.ics", Open),
    ("GET", "/api/v1/public/networks", Open),
    ("POST", "/api/v1/public/networks/{id}/messages", Open),
    ("POST", "/api/v1/public/contact-confirmations/{token}", Open),
    ("POST", "/api/v1/auth/password-reset", Open),
    ("POST", "/api/v1/auth/password-reset/{token}", Open),
    ("POST", "/api/v1/me/password", People),
    ("GET", "/api/v1/me", People),
    ("PATCH", "/api/v1/me", People),
    ("GET", "/api/v1/me/reminders", People),
    ("POST", "/api/v1/me/calendar-token", People),
    // Municipalities.
    ("GET", "/api/v1/municipalities", People),
    ("POST", "/api/v1/municipalities", People),
    ("GET", "/api/v1/municipalities/{id}", People),
    ("PATCH", "/api/v1/municipalities/{id}", People),
    ("GET", "/api/v1/municipalities/{id}/reminder-settings", People),
    ("PATCH", "/api/v1/municipalities/{id}/reminder-settings", People),
    ("GET", "/api/v1/municipalities/{id}/open-data/360giving.json", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/municipalities/{id}/open-data/360giving.csv", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/municipalities/{id}/overview", Scopes(READ_OVERVIEW)),
    ("GET", "/api/v1/municipalities/{id}/members", Scopes(READ_MEMBERS)),
    ("POST", "/api/v1/municipalities/{id}/members", People),
    ("PATCH", "/api/v1/municipalities/{id}/members/{user_id}", People),
    ("DELETE", "/api/v1/municipalities/{id}/members/{user_id}", People),
    ("GET", "/api/v1/municipalities/{id}/invitations", People),
    ("POST", "/api/v1/municipalities/{id}/networks/{network_id}/accept", People),
    ("POST", "/api/v1/municipalities/{id}/networks/{network_id}/decline", People),
    // Service accounts manage no service accounts.
    ("GET", "/api/v1/municipalities/{id}/service-accounts", People),
    ("POST", "/api/v1/municipalities/{id}/service-accounts", People),
    ("GET", "/api/v1/municipalities/{id}/service-accounts/{sid}", People),
    ("PATCH", "/api/v1/municipalities/{id}/service-accounts/{sid}", People),
    ("GET", "/api/v1/municipalities/{id}/service-accounts/{sid}/tokens", People),
    ("POST", "/api/v1/municipalities/{id}/service-accounts/{sid}/tokens", People),
    ("POST", "/api/v1/municipalities/{id}/service-accounts/{sid}/tokens/{tid}/revoke", People),
    // Networks.
    ("GET", "/api/v1/networks", Scopes(READ_NETWORKS)),
    ("POST", "/api/v1/networks", People),
    ("GET", "/api/v1/networks/{id}", Scopes(READ_NETWORKS)),
    ("PATCH", "/api/v1/networks/{id}", People),
    ("POST", "/api/v1/networks/{id}/link-requests", People),
    ("GET", "/api/v1/networks/{id}/grants", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/networks/{id}/members", Scopes(READ_MEMBERS)),
    ("POST", "/api/v1/networks/{id}/contact-confirmation", People),
    ("POST", "/api/v1/networks/{id}/members", People),
    ("PATCH", "/api/v1/networks/{id}/members/{user_id}", People),
    ("DELETE", "/api/v1/networks/{id}/members/{user_id}", People),
    ("GET", "/api/v1/networks/{id}/invitations", People),
    // Partner organisations.
    ("GET", "/api/v1/organisations", Scopes(READ_AGREEMENTS)),
    ("POST", "/api/v1/organisations", People),
    ("GET", "/api/v1/organisations/{id}", Scopes(READ_AGREEMENTS)),
    ("PATCH", "/api/v1/organisations/{id}", People),
    ("GET", "/api/v1/organisations/{id}/contacts", Scopes(READ_CONTACTS)),
    ("POST", "/api/v1/organisations/{id}/contacts", People),
    ("DELETE", "/api/v1/organisations/{id}/contacts/{user_id}", People),
    // Visions.
    ("GET", "/api/v1/visions", Scopes(READ_AGREEMENTS)),
    ("POST", "/api/v1/visions", People),
    ("GET", "/api/v1/visions/{id}", Scopes(READ_AGREEMENTS)),
    ("PATCH", "/api/v1/visions/{id}", People),
    ("GET", "/api/v1/visions/{id}/revisions", Scopes(READ_AGREEMENTS)),
    ("POST", "/api/v1/visions/{id}/propose", People),
    ("POST", "/api/v1/visions/{id}/endorse", People),
    ("POST", "/api/v1/visions/{id}/archive", People),
    // Agreements and commitments.
    ("GET", "/api/v1/agreements", Scopes(READ_AGREEMENTS)),
    ("POST", "/api/v1/agreements", People),
    ("GET", "/api/v1/agreements/{id}", Scopes(READ_AGREEMENTS)),
    ("PATCH", "/api/v1/agreements/{id}", People),
    ("POST", "/api/v1/agreements/{id}/propose", People),
    ("POST", "/api/v1/agreements/{id}/request-changes", People),
    ("POST", "/api/v1/agreements/{id}/sign", People),
    ("POST", "/api/v1/agreements/{id}/suspend", People),
    ("POST", "/api/v1/agreements/{id}/resume", People),
    ("POST", "/api/v1/agreements/{id}/complete", People),
    ("POST", "/api/v1/agreements/{id}/terminate", People),
    ("POST", "/api/v1/agreements/{id}/amendments", People),
    ("GET", "/api/v1/agreements/{id}/versions", Scopes(READ_AGREEMENTS)),
    ("GET", "/api/v1/agreements/{id}/versions/{n}", Scopes(READ_AGREEMENTS)),
    ("GET", "/api/v1/agreements/{id}/versions/{n}/diff", Scopes(READ_AGREEMENTS)),
    ("GET", "/api/v1/agreements/{id}/versions/{n}/document", Scopes(READ_AGREEMENTS)),
    ("GET", "/api/v1/agreements/{id}/check-ins", Scopes(READ_AGREEMENTS)),
    ("POST", "/api/v1/agreements/{id}/check-ins", People),
    ("GET", "/api/v1/commitments", Scopes(READ_AGREEMENTS)),
    ("GET", "/api/v1/commitments/{id}", Scopes(READ_AGREEMENTS)),
    ("POST", "/api/v1/commitments/{id}/complete", People),
    ("POST", "/api/v1/commitments/{id}/miss", People),
    ("POST", "/api/v1/commitments/{id}/waive", People),
    // Funds and payment batches.
    ("GET", "/api/v1/funds", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/funds", People),
    ("GET", "/api/v1/funds/{id}", Scopes(READ_GRANTS)),
    ("PATCH", "/api/v1/funds/{id}", People),
    ("GET", "/api/v1/funds/{id}/ledger", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/funds/{id}/grants.csv", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/funds/{id}/payment-batches", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/funds/{id}/payment-batches", Scopes(PAY)),
    ("GET", "/api/v1/payment-batches/{id}", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/payment-batches/{id}/pain.001.xml", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/payment-batches/{id}/confirm", Scopes(PAY)),
    ("POST", "/api/v1/payment-batches/{id}/cancel", Scopes(PAY)),
    // Grants: networks apply (people), the municipality decides and pays.
    ("GET", "/api/v1/grants", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/grants", People),
    ("GET", "/api/v1/grants/{id}", Scopes(READ_GRANTS)),
    ("PATCH", "/api/v1/grants/{id}", People),
    ("POST", "/api/v1/grants/{id}/submit", People),
    ("POST", "/api/v1/grants/{id}/withdraw", People),
    ("POST", "/api/v1/grants/{id}/start-review", Scopes(DECIDE)),
    ("POST", "/api/v1/grants/{id}/request-info", Scopes(DECIDE)),
    ("POST", "/api/v1/grants/{id}/approve", Scopes(APPROVE)),
    ("POST", "/api/v1/grants/{id}/reject", Scopes(DECIDE)),
    ("POST", "/api/v1/grants/{id}/cancel", Scopes(DECIDE)),
    ("GET", "/api/v1/grants/{id}/ledger", Scopes(READ_GRANTS)),
    ("GET", "/api/v1/grants/{id}/tranches", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/grants/{id}/tranches", Scopes(DECIDE)),
    ("GET", "/api/v1/tranches/{id}", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/tranches/{id}/pay", Scopes(PAY)),
    ("POST", "/api/v1/tranches/{id}/cancel", Scopes(DECIDE)),
    ("POST", "/api/v1/grants/{id}/settle", Scopes(DECIDE)),
    ("GET", "/api/v1/grants/{id}/settlement", Scopes(READ_GRANTS)),
    ("POST", "/api/v1/grants/{id}/refunds", Scopes(PAY)),
    ("POST", "/api/v1/grants/{id}/close", Scopes(DECIDE)),
    ("GET", "/api/v1/grants/{id}/expenses.csv", Scopes(READ_REPORTS)),
    // Spending reports: networks write them (people), the municipality reads and decides.
    ("GET", "/api/v1/grants/{id}/reports", Scopes(READ_REPORTS)),
    ("POST", "/api/v1/grants/{id}/reports", People),
    ("GET", "/api/v1/reports/{id}", Scopes(READ_REPORTS)),
    ("PATCH", "/api/v1/reports/{id}", People),
    ("POST", "/api/v1/reports/{id}/submit", People),
    ("POST", "/api/v1/reports/{id}/request-changes", Scopes(DECIDE_REPORTS)),
    ("POST", "/api/v1/reports/{id}/accept", Scopes(DECIDE_REPORTS)),
    ("POST", "/api/v1/reports/{id}/receipts", People),
    ("GET", "/api/v1/receipts/{id}", Scopes(READ_REPORTS)),
    // Mail, the audit trail and webhooks.
    ("GET", "/api/v1/outbox", People),
    ("POST", "/api/v1/outbox/{id}/retry", People),
    ("GET", "/api/v1/audit-events", Scopes(AUDIT)),
    ("GET", "/api/v1/webhooks", Scopes(WEBHOOKS)),
    ("POST", "/api/v1/webhooks", Scopes(WEBHOOKS)),
    ("GET", "/api/v1/webhooks/{id}", Scopes(WEBHOOKS)),
    ("PATCH", "/api/v1/webhooks/{id}", Scopes(WEBHOOKS)),
    ("POST", "/api/v1/webhooks/{id}/rotate-secret", Scopes(WEBHOOKS)),
    ("GET", "/api/v1/webhooks/{id}/deliveries", Scopes(WEBHOOKS)),
    ("POST", "/api/v1/webhooks/{id}/deliveries/{did}/redeliver", Scopes(WEBHOOKS)),
];

/// The need of the operation at this route pattern (`/api/v1/grants/{id}`; parameter names do
/// not matter), or `None` when the table does not name it.
pub fn need(method: &str, pattern: &str) -> Option<Need> {
    let pattern = shape(pattern);
    OPERATIONS
        .iter()
        .find(|(m, path, _)| m.eq_ignore_ascii_case(method) && shape(path) == pattern)
        .map(|(_, _, need)| *need)
}

/// A path with every `{parameter}` written as `{}`.
fn shape(path: &str) -> String {
    let mut shaped = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                shaped.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            _ => shaped.push(c),
        }
    }
    shaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_find_their_operation_whatever_their_parameters_are_called() {
        assert_eq!(need("get", "/api/v1/grants/{grant_id}"), Some(Scopes(READ_GRANTS)));
        assert_eq!(need("POST", "/api/v1/networks"), Some(People));
        assert_eq!(need("GET", "/api/v1/webhooks/{id:.*}/deliveries"), Some(Scopes(WEBHOOKS)));
        assert_eq!(need("DELETE", "/api/v1/grants/{id}"), None);
        assert_eq!(describe(READ_GRANTS), "grants:read or grants:write or payments:write");
        assert_eq!(describe(DECIDE_REPORTS), "grants:write and reports:read");
    }

    #[test]
    fn every_operation_is_named_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (method, path, _) in OPERATIONS {
            assert!(seen.insert((method, shape(path))), "{method} {path} is named twice");
        }
    }
}
