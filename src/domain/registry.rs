//! Official Dutch identifiers: KvK (Chamber of Commerce) numbers and CBS municipality codes,
//! and IANA time zones.

/// A KvK number: exactly eight digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvkNumber(String);

impl KvkNumber {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value))
        } else {
            Err("must be a KvK number of 8 digits")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A CBS municipality code: `GM` and four digits, e.g. `GM0363` (Amsterdam).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CbsCode(String);

impl CbsCode {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_uppercase();
        let digits = value.strip_prefix("GM").unwrap_or_default();
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value))
        } else {
            Err("must be a CBS code: GM and 4 digits, like GM0363")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name known to the tz database, e.g. `Europe/Amsterdam`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        input
            .trim()
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| "must be an IANA time zone like Europe/Amsterdam")
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self(chrono_tz::Europe::Amsterdam)
    }
}

/// A 360Giving publisher prefix, as in `360G-<prefix>-<id>`: 2 to 40 lower-case letters, digits
/// and hyphens, starting and ending with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDataPrefix(String);

impl OpenDataPrefix {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim();
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        let edges_ok = !value.starts_with('-') && !value.ends_with('-');
        if (2..=40).contains(&value.len()) && value.bytes().all(allowed) && edges_ok {
            Ok(Self(value.to_owned()))
        } else {
            Err("must be 2 to 40 lower-case letters, digits and hyphens, like pactum-gm0344")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_official_identifiers() {
        assert_eq!(KvkNumber::parse("1234 5678").unwrap().as_str(), "12345678");
        assert!(KvkNumber::parse("1234567").is_err());
        assert!(KvkNumber::parse("1234567a").is_err());
        assert_eq!(CbsCode::parse("gm0363").unwrap().as_str(), "GM0363");
        assert!(CbsCode::parse("GM363").is_err());
        assert!(CbsCode::parse("XX0363").is_err());
        assert_eq!(TimeZone::parse("Europe/Amsterdam").unwrap().as_str(), "Europe/Amsterdam");
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert_eq!(OpenDataPrefix::parse("gemeente-utrecht").unwrap().as_str(), "gemeente-utrecht");
        assert!(OpenDataPrefix::parse("a").is_err());
        assert!(OpenDataPrefix::parse("Utrecht").is_err());
        assert!(OpenDataPrefix::parse("-utrecht").is_err());
        assert!(OpenDataPrefix::parse(&"a".repeat(41)).is_err());
    }
}
