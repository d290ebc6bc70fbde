//! An email address, trimmed and lower-cased so that uniqueness is case-insensitive.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// RFC 5321 caps a forward path at 254 characters.
const MAX_LEN: usize = 254;

impl Email {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err("must not be empty");
        }
        if value.chars().count() > MAX_LEN {
            return Err("must be at most 254 characters");
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err("must be an email address like name@example.nl");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let clean = !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if local.is_empty() || local.contains('@') || !domain_ok || !clean {
            return Err("must be an email address like name@example.nl");
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_case_and_space() {
        let email = Email::parse("  Fatima@Buurt.NL ").expect("valid");
        assert_eq!(email.as_str(), "fatima@buurt.nl");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in ["", "no-at", "@buurt.nl", "a@b", "a@.nl", "a@b..nl", "a b@c.nl", "a@b@c.nl"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@x.nl", "a".repeat(260))).is_err());
    }
}
