//! The roles a person can hold in a municipality or a network.

text_enum! {
    /// A role inside a municipality. Platform admin is a flag on the user, not a role here.
    pub enum MunicipalityRole {
        /// Manages the municipality's settings and its people.
        MunicipalAdmin,
        /// Grant officer: registers networks, drafts agreements, decides grants.
        Officer,
        /// Finance officer: second approver, marks payments.
        Finance,
        /// Reads everything of the municipality, including the audit trail; changes nothing.
        Auditor,
    }
}

text_enum! {
    /// A role inside an informal network.
    pub enum NetworkRole {
        /// Keeps the profile, manages members, signs and applies on the network's behalf.
        Coordinator,
        /// Volunteer treasurer: reports spending, sees payments.
        Treasurer,
        /// Reads what the network shares.
        Member,
    }
}
