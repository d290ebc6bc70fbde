//! What kind of date a reminder is about: the words of the reminder and its dedupe key
//! depend on it.

text_enum! {
    pub enum DeadlineKind {
        /// An open commitment's due date.
        Commitment,
        /// A grant's report due date.
        Report,
        /// The legal decision deadline of an application.
        Decision,
        /// A scheduled tranche's date.
        Tranche,
        /// An agreement's next review.
        AgreementReview,
        /// An agreement's end date.
        AgreementEnd,
        /// An invitation's expiry.
        Invitation,
    }
}
