//! Values read back from the database as the types they were written from. A stored status that
//! no longer parses means the data and the code disagree: that is an error to see, never a
//! silent default.

use std::str::FromStr;

use crate::error::ApiError;

/// Parses a stored value (a status, a kind) into its type; an unknown value is an internal error
/// that names the column and the value, never a guess.
pub fn parse<T: FromStr>(column: &'static str, value: &str) -> Result<T, ApiError> {
    value
        .parse()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("unknown {column} {value:?} in the database")))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::domain::workflow::GrantStatus;

    #[test]
    fn a_known_value_parses_and_an_unknown_one_is_an_error() {
        assert_eq!(parse::<GrantStatus>("grants.status", "submitted").unwrap(), GrantStatus::Submitted);
        assert!(parse::<GrantStatus>("grants.status", "lost").is_err());
    }
}
