//! What a service account's tokens may do. People get their rights from roles; systems get
//! them from scopes, each naming one kind of record and whether it is read or changed. Every
//! operation of the API names the scopes that admit a token (`crate::auth::operations`, shown in
//! the spec); an operation no scope names is for people only.

/// One permission of a service account.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
pub enum Scope {
    /// Read funds with their ledgers and `grants.csv`, grants, tranches, settlements, payment
    /// batches and the open data of grants. `grants:write` and `payments:write` read them too:
    /// who decides or pays must see.
    #[serde(rename = "grants:read")]
    #[strum(serialize = "grants:read")]
    GrantsRead,
    /// Decide on grants: approve, reject, ask questions, cancel.
    #[serde(rename = "grants:write")]
    #[strum(serialize = "grants:write")]
    GrantsWrite,
    /// Mark tranches paid, make and confirm payment batches.
    #[serde(rename = "payments:write")]
    #[strum(serialize = "payments:write")]
    PaymentsWrite,
    /// Read visions, agreements, commitments and partner organisations.
    #[serde(rename = "agreements:read")]
    #[strum(serialize = "agreements:read")]
    AgreementsRead,
    /// Read the networks linked to the municipality (not their people: `members:read`).
    #[serde(rename = "networks:read")]
    #[strum(serialize = "networks:read")]
    NetworksRead,
    /// Read people: the municipality's staff, the members of its linked networks, the contacts
    /// of partner organisations (with `agreements:read`); not open invitations. Names and email
    /// addresses are personal data, so no other scope reads them.
    #[serde(rename = "members:read")]
    #[strum(serialize = "members:read")]
    MembersRead,
    /// Read spending reports, their receipts and expense lines (`expenses.csv`).
    #[serde(rename = "reports:read")]
    #[strum(serialize = "reports:read")]
    ReportsRead,
    /// Read the municipality's audit trail.
    #[serde(rename = "audit:read")]
    #[strum(serialize = "audit:read")]
    AuditRead,
    /// Manage the municipality's webhook subscriptions, for the events whose records the
    /// account's other scopes read.
    #[serde(rename = "webhooks:manage")]
    #[strum(serialize = "webhooks:manage")]
    WebhooksManage,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The stored form: sorted, without duplicates, separated by spaces.
    pub fn join(scopes: &[Scope]) -> String {
        super::text::join_names(scopes)
    }

    /// Reads the stored form; names that no longer parse are dropped, never widened.
    pub fn split(stored: &str) -> Vec<Scope> {
        super::text::split_names(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn scopes_round_trip_through_their_stored_form() {
        let stored = Scope::join(&[Scope::PaymentsWrite, Scope::GrantsRead, Scope::GrantsRead]);
        assert_eq!(stored, "grants:read payments:write");
        assert_eq!(Scope::split(&stored), vec![Scope::GrantsRead, Scope::PaymentsWrite]);
        assert_eq!(Scope::split("grants:read admin:all"), vec![Scope::GrantsRead]);
        assert_eq!(serde_json::to_string(&Scope::AuditRead).ok().as_deref(), Some("\"audit:read\""));
    }
}
