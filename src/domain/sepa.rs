//! SEPA values: a BIC, and text in the SEPA Latin character set that banks accept in a
//! credit transfer file (other letters are transliterated, the rest replaced).

use std::fmt;

/// A BIC (ISO 9362): 8 or 11 characters, stored compact and upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bic(String);

impl Bic {
    /// Checks the pattern of the pain.001 schema: `[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?`.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let invalid = "must be a BIC of 8 or 11 characters, like ABNANL2A";
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let b = compact.as_bytes();
        if b.len() != 8 && b.len() != 11 {
            return Err(invalid);
        }
        let bank_and_country = b[..6].iter().all(u8::is_ascii_uppercase);
        let location = (b[6].is_ascii_uppercase() || (b'2'..=b'9').contains(&b[6]))
            && (b[7].is_ascii_digit() || (b[7].is_ascii_uppercase() && b[7] != b'O'));
        let branch = b[8..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if bank_and_country && location && branch {
            Ok(Self(compact))
        } else {
            Err(invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a character is in the SEPA Latin set: `a-z A-Z 0-9 / - ? : ( ) . , ' +` and space.
fn is_sepa(c: char) -> bool {
    c.is_ascii_alphanumeric() || " /-?:().,'+".contains(c)
}

/// The SEPA spelling of a Latin letter with a diacritic, e.g. `ë` -> `e`, `ß` -> `ss`.
fn transliterate(c: char) -> Option<&'static str> {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ğ' => "g",
        'Ğ' => "G",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'ĳ' => "ij",
        'Ĳ' => "IJ",
        'ł' | 'ľ' | 'ĺ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' => "L",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ŕ' | 'ř' => "r",
        'Ŕ' | 'Ř' => "R",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        '&' => "+",
        '"' | '‘' | '’' | '`' | '´' => "'",
        '–' | '—' | '_' => "-",
        _ => return None,
    };
    Some(plain)
}

/// Whether `text` can be written in the SEPA set without losing letters (transliteration is
/// fine, a replacement is not).
pub fn is_representable(text: &str) -> bool {
    text.chars().all(|c| is_sepa(c) || transliterate(c).is_some())
}

/// `text` in the SEPA set, at most `max` characters: diacritics dropped, whitespace one space,
/// anything else a full stop.
pub fn sepa_text(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if is_sepa(c) {
            out.push(c);
        } else if c.is_whitespace() {
            out.push(' ');
        } else if let Some(plain) = transliterate(c) {
            out.push_str(plain);
        } else {
            out.push('.');
        }
    }
    let out: String = out.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    out.chars().take(max).collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bics_have_eight_or_eleven_characters() {
        assert_eq!(Bic::parse("abnanl2a").unwrap().as_str(), "ABNANL2A");
        assert_eq!(Bic::parse("RABO NL 2U XXX").unwrap().as_str(), "RABONL2UXXX");
        assert!(Bic::parse("ABNANL2").is_err(), "seven");
        assert!(Bic::parse("ABNANL2AXX").is_err(), "ten");
        assert!(Bic::parse("ABN1NL2A").is_err(), "digit in the bank code");
        assert!(Bic::parse("ABNANL1A").is_err(), "location may not start with 0 or 1");
        assert!(Bic::parse("ABNANL2O").is_err(), "location may not end with O");
        assert!(Bic::parse("").is_err());
    }

    #[test]
    fn text_is_transliterated_replaced_and_truncated() {
        assert_eq!(sepa_text("Stichting Ünïcode & Zoon", 70), "Stichting Unicode + Zoon");
        assert_eq!(sepa_text("Súdwest-Fryslân", 70), "Sudwest-Fryslan");
        assert_eq!(sepa_text("a<b>\"c\"\n  d", 70), "a.b.'c' d");
        assert_eq!(sepa_text("Ωmega €5", 70), ".mega .5");
        assert_eq!(sepa_text("abcdef", 3), "abc");
        assert_eq!(sepa_text("ab  cd", 3), "ab");
        assert!(is_representable("Gemeente 's-Hertogenbosch"));
        assert!(is_representable("Súdwest-Fryslân"));
        assert!(!is_representable("Gemeente <script>"));
        assert!(!is_representable("naam@example.nl"));
    }
}
