//! An IBAN, checked with the ISO 13616 mod-97 check digits; stored compact and upper-case.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iban(String);

impl Iban {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let invalid = "must be a valid IBAN, like NL91 ABNA 0417 1643 00";
        if !(15..=34).contains(&compact.len()) || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid);
        }
        let (country, rest) = compact.split_at(2);
        if !country.bytes().all(|b| b.is_ascii_uppercase()) || !rest[..2].bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid);
        }
        // Move the first four characters to the end, letters become 10..35, then mod 97 == 1.
        let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
        let mut remainder: u32 = 0;
        for c in rearranged.chars() {
            let value = c.to_digit(36).ok_or(invalid)?;
            remainder =
                if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
        }
        if remainder == 1 {
            Ok(Self(compact))
        } else {
            Err(invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Iban;

    #[test]
    fn checks_the_mod_97_digits() {
        assert_eq!(Iban::parse("nl91 abna 0417 1643 00").unwrap().as_str(), "NL91ABNA0417164300");
        assert!(Iban::parse("GB82 WEST 1234 5698 7654 32").is_ok());
        assert!(Iban::parse("NL92ABNA0417164300").is_err(), "wrong check digits");
        assert!(Iban::parse("NL91ABNA04171643").is_err(), "too short for its digits");
        assert!(Iban::parse("NL91-ABNA-0417").is_err());
        assert!(Iban::parse("").is_err());
    }
}
