//! The wording of every workflow notice, in one place: each event names the facts it needs and
//! says them in Dutch and English. The event's name is part of the outbox dedupe key.

use chrono::NaiveDate;

use crate::domain::money::euros;
use crate::domain::Locale;

/// Every workflow notice Pactum sends, with the facts its wording needs.
pub enum NoticeEvent<'a> {
    // Grants, their tranches and their spending reports.
    /// To the municipality's officers: an application to decide on.
    GrantSubmitted { title: &'a str, decision_due_on: Option<NaiveDate> },
    /// To the network: an officer's question.
    GrantInfoRequested { title: &'a str, question: &'a str },
    /// To the network: the award.
    GrantApproved { title: &'a str, approved_cents: i64 },
    /// To the network: the refusal and why.
    GrantRejected { title: &'a str, reason: &'a str },
    /// To the network's treasurers: money on its way.
    TranchePaid { title: &'a str, amount_cents: i64, paid_on: NaiveDate },
    /// To the network: what its report still needs.
    ReportChangesRequested { title: &'a str, reason: &'a str },
    /// To the network: its report is accepted.
    ReportAccepted { title: &'a str },

    // Agreements.
    /// To every party: a version to sign.
    AgreementProposed { title: &'a str },
    /// To every party: everyone signed.
    AgreementSigned { title: &'a str },
    /// To every party: everyone signed, on or after its start date, so it is in force at once.
    AgreementSignedAndActivated { title: &'a str },
}

/// An amount as Dutch readers write it: a decimal comma.
fn euros_nl(cents: i64) -> String {
    euros(cents).replace('.', ",")
}

impl NoticeEvent<'_> {
    /// e.g. "grant.submitted" — the name used in the outbox dedupe key.
    pub fn name(&self) -> &'static str {
        match self {
            Self::GrantSubmitted { .. } => "grant.submitted",
            Self::GrantInfoRequested { .. } => "grant.info_requested",
            Self::GrantApproved { .. } => "grant.approved",
            Self::GrantRejected { .. } => "grant.rejected",
            Self::TranchePaid { .. } => "grant.tranche_paid",
            Self::ReportChangesRequested { .. } => "report.changes_requested",
            Self::ReportAccepted { .. } => "report.accepted",
            Self::AgreementProposed { .. } => "agreement.proposed",
            Self::AgreementSigned { .. } => "agreement.signed",
            Self::AgreementSignedAndActivated { .. } => "agreement.signed_and_activated",
        }
    }

    /// Subject and one sentence, in the locale.
    pub fn wording(&self, locale: Locale) -> (String, String) {
        match locale {
            Locale::Nl => self.dutch(),
            Locale::En => self.english(),
        }
    }

    fn dutch(&self) -> (String, String) {
        match *self {
            Self::GrantSubmitted { title, decision_due_on } => (
                format!("Nieuwe aanvraag: {title}"),
                format!(
                    "Er is een aanvraag ingediend: {title}. Het besluit moet er uiterlijk {} zijn.",
                    decision_due_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            ),
            Self::GrantInfoRequested { title, question } => {
                (format!("Een vraag over uw aanvraag {title}"), format!("De gemeente vraagt: {question}"))
            }
            Self::GrantApproved { title, approved_cents } => (
                format!("Uw aanvraag {title} is toegekend"),
                format!("Goed nieuws: er is {} euro toegekend.", euros_nl(approved_cents)),
            ),
            Self::GrantRejected { title, reason } => {
                (format!("Uw aanvraag {title} is afgewezen"), format!("De reden: {reason}"))
            }
            Self::TranchePaid { title, amount_cents, paid_on } => (
                format!("Betaald: {title}"),
                format!("Er is {} euro overgemaakt op {paid_on}.", euros_nl(amount_cents)),
            ),
            Self::ReportChangesRequested { title, reason } => {
                (format!("Pas uw verantwoording aan: {title}"), format!("De gemeente vraagt: {reason}"))
            }
            Self::ReportAccepted { title } => (
                format!("Verantwoording goedgekeurd: {title}"),
                "De gemeente heeft uw verantwoording goedgekeurd. Dank u wel!".to_owned(),
            ),
            Self::AgreementProposed { title } => (
                format!("Klaar om te tekenen: {title}"),
                "Er staat een versie van de samenwerkingsafspraak klaar. Lees en teken hem in Pactum."
                    .to_owned(),
            ),
            Self::AgreementSigned { title } | Self::AgreementSignedAndActivated { title } => (
                format!("Getekend door iedereen: {title}"),
                "Alle partijen hebben de samenwerkingsafspraak getekend.".to_owned(),
            ),
        }
    }

    fn english(&self) -> (String, String) {
        match *self {
            Self::GrantSubmitted { title, decision_due_on } => (
                format!("New application: {title}"),
                format!(
                    "An application was submitted: {title}. The decision is due by {}.",
                    decision_due_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            ),
            Self::GrantInfoRequested { title, question } => (
                format!("A question about your application {title}"),
                format!("The municipality asks: {question}"),
            ),
            Self::GrantApproved { title, approved_cents } => (
                format!("Your application {title} was approved"),
                format!("Good news: {} euros were awarded.", euros(approved_cents)),
            ),
            Self::GrantRejected { title, reason } => {
                (format!("Your application {title} was rejected"), format!("The reason: {reason}"))
            }
            Self::TranchePaid { title, amount_cents, paid_on } => (
                format!("Paid: {title}"),
                format!("{} euros were transferred on {paid_on}.", euros(amount_cents)),
            ),
            Self::ReportChangesRequested { title, reason } => {
                (format!("Please change your report: {title}"), format!("The municipality asks: {reason}"))
            }
            Self::ReportAccepted { title } => (
                format!("Report accepted: {title}"),
                "The municipality accepted your report. Thank you!".to_owned(),
            ),
            Self::AgreementProposed { title } => (
                format!("Ready to sign: {title}"),
                "A version of the collaboration agreement is ready. Read and sign it in Pactum.".to_owned(),
            ),
            Self::AgreementSigned { title } | Self::AgreementSignedAndActivated { title } => (
                format!("Signed by everyone: {title}"),
                "Every party has signed the collaboration agreement.".to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_each_language_writes_them() {
        let paid_on = NaiveDate::from_ymd_opt(2027, 2, 3).unwrap();
        let event = NoticeEvent::TranchePaid { title: "Burendag", amount_cents: 123_456, paid_on };
        assert_eq!(event.name(), "grant.tranche_paid");
        assert_eq!(
            event.wording(Locale::Nl),
            ("Betaald: Burendag".to_owned(), "Er is 1234,56 euro overgemaakt op 2027-02-03.".to_owned())
        );
        assert_eq!(
            event.wording(Locale::En),
            ("Paid: Burendag".to_owned(), "1234.56 euros were transferred on 2027-02-03.".to_owned())
        );
    }
}
