//! The languages of the pages. Every word comes from the Fluent files in `locales/` (Dutch at
//! B1 level first, English, and Arabic written right to left), so a further language is a
//! file, not code.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{langid, LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "nl",
        // Plain text in pages and tests: no invisible isolation marks around placeables.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Nl, Lang::En, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| code.trim().get(..2).is_some_and(|c| c.eq_ignore_ascii_case(l.code())))
    }

    /// Writing direction, for `<html dir>`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language's name in itself, for the language menu.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Nl => "Nederlands",
            Lang::En => "English",
            Lang::Ar => "العربية",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Nl => langid!("nl"),
            Lang::En => langid!("en"),
            Lang::Ar => langid!("ar"),
        }
    }

    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(&self.id(), key)
    }

    /// The text for `key`, if this language (or Dutch, the fallback) has one.
    pub fn try_t(self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.id(), key)
    }

    pub fn t_with(self, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from((*value).to_owned())))
            .collect();
        LOCALES.lookup_with_args(&self.id(), key, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn every_language_has_every_text() {
        let keys: Vec<String> = include_str!("../../locales/nl/pactum.ftl")
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
            .collect();
        assert!(keys.len() > 20);
        for file in [include_str!("../../locales/en/pactum.ftl"), include_str!("../../locales/ar/pactum.ftl")]
        {
            let theirs: Vec<String> =
                file.lines().filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned())).collect();
            assert_eq!(theirs, keys, "the same keys in the same order");
        }
        assert_eq!(Lang::En.t_with("home-greeting", &[("name", "Anna")]), "Hello Anna");
        assert_eq!(Lang::parse("ar-MA"), Some(Lang::Ar));
        assert_eq!(Lang::Ar.dir(), "rtl");
    }
}
