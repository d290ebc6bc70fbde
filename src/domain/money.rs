//! Money: integer euro cents, positive and bounded. Never floats.

/// The largest amount one field may hold: one billion euros.
pub const MAX_CENTS: i64 = 100_000_000_000;

/// A positive amount of cents, at most [`MAX_CENTS`].
pub fn positive_cents(value: i64) -> Result<i64, &'static str> {
    if value <= 0 {
        Err("must be a positive amount in cents")
    } else if value > MAX_CENTS {
        Err("is larger than the limit of 100000000000 cents")
    } else {
        Ok(value)
    }
}

/// Cents as euros with two decimals and a point, for CSV files.
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// An ISO 4217 code: three capital letters.
pub fn currency(value: &str) -> Result<String, &'static str> {
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(value.to_owned())
    } else {
        Err("must be an ISO 4217 code like EUR")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_positive_and_bounded() {
        assert!(positive_cents(0).is_err());
        assert!(positive_cents(-5).is_err());
        assert!(positive_cents(MAX_CENTS + 1).is_err());
        assert_eq!(positive_cents(125_000), Ok(125_000));
        assert_eq!(euros(125_005), "1250.05");
        assert_eq!(euros(-7), "-0.07");
        assert!(currency("eur").is_err());
    }
}
