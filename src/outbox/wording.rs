//! The words of every workflow notice, in one place: one typed event per notice, its name in
//! the outbox dedupe key, and its subject and sentence in each language.

use crate::domain::Locale;

/// Every workflow notice Pactum sends, with the facts its wording needs.
pub enum NoticeEvent<'a> {
    /// A grant or report notice whose words its caller still writes. Temporary: the grant
    /// notices get variants of their own.
    Grant { name: &'static str, nl: (String, String), en: (String, String) },
    /// A version of an agreement is ready to be signed.
    AgreementProposed { title: &'a str },
    /// Every party has signed; the agreement starts later.
    AgreementSigned { title: &'a str },
    /// Every party has signed on or after the start date: the agreement is in force at once.
    AgreementSignedAndActivated { title: &'a str },
}

impl NoticeEvent<'_> {
    /// e.g. "agreement.proposed": the name in the outbox dedupe key.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Grant { name, .. } => name,
            Self::AgreementProposed { .. } => "agreement.proposed",
            Self::AgreementSigned { .. } => "agreement.signed",
            Self::AgreementSignedAndActivated { .. } => "agreement.signed_and_activated",
        }
    }

    /// Subject and one sentence, in the locale.
    pub fn wording(&self, locale: Locale) -> (String, String) {
        match (self, locale) {
            (Self::Grant { nl, .. }, Locale::Nl) => nl.clone(),
            (Self::Grant { en, .. }, Locale::En) => en.clone(),
            (Self::AgreementProposed { title }, Locale::Nl) => (
                format!("Klaar om te tekenen: {title}"),
                "Er staat een versie van de samenwerkingsafspraak klaar. Lees en teken hem in Pactum."
                    .to_owned(),
            ),
            (Self::AgreementProposed { title }, Locale::En) => (
                format!("Ready to sign: {title}"),
                "A version of the collaboration agreement is ready. Read and sign it in Pactum.".to_owned(),
            ),
            (Self::AgreementSigned { title } | Self::AgreementSignedAndActivated { title }, Locale::Nl) => (
                format!("Getekend door iedereen: {title}"),
                "Alle partijen hebben de samenwerkingsafspraak getekend.".to_owned(),
            ),
            (Self::AgreementSigned { title } | Self::AgreementSignedAndActivated { title }, Locale::En) => (
                format!("Signed by everyone: {title}"),
                "Every party has signed the collaboration agreement.".to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NoticeEvent;
    use crate::domain::Locale;

    #[test]
    fn signed_and_signed_and_activated_share_words_but_not_names() {
        let signed = NoticeEvent::AgreementSigned { title: "Taalcafé" };
        let activated = NoticeEvent::AgreementSignedAndActivated { title: "Taalcafé" };
        assert_ne!(signed.name(), activated.name());
        for locale in [Locale::Nl, Locale::En] {
            assert_eq!(signed.wording(locale), activated.wording(locale));
        }
        assert_eq!(signed.wording(Locale::Nl).0, "Getekend door iedereen: Taalcafé");
    }
}
