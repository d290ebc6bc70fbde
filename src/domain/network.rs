//! What kind of network this is and how it is organised.

text_enum! {
    /// What kind of informal network it is.
    pub enum NetworkKind {
        SelfOrganisation,
        VolunteerInitiative,
        CitizensInitiative,
        SocialEnterprise,
        ReligiousCommunity,
        CulturalCommunity,
        Other,
    }
}

text_enum! {
    /// `none` for the many networks without a legal entity; they may receive money through an
    /// intermediary organisation.
    pub enum LegalForm {
        None,
        Association,
        Foundation,
        Cooperative,
        Other,
    }
}
