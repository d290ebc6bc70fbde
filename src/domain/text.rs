//! Free text with a length bound: trimmed, non-empty, at most `MAX` characters.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText<const MAX: usize>(String);

impl<const MAX: usize> BoundedText<MAX> {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim();
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.chars().count() > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err("must not contain control characters".into());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MAX: usize> fmt::Display for BoundedText<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of names stored in one text column: sorted, without duplicates, separated by spaces.
pub fn join_names<T: Copy + Ord + Into<&'static str>>(names: &[T]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.into_iter().map(Into::into).collect::<Vec<&str>>().join(" ")
}

/// Reads a stored set of names; a name that no longer parses is dropped, never widened.
pub fn split_names<T: std::str::FromStr>(stored: &str) -> Vec<T> {
    stored.split_whitespace().filter_map(|s| s.parse().ok()).collect()
}

/// Escapes text for HTML and XML, in element content and in quoted attributes.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::BoundedText;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(BoundedText::<5>::parse("  Anna ").expect("valid").as_str(), "Anna");
        assert!(BoundedText::<5>::parse("   ").is_err());
        assert!(BoundedText::<5>::parse("Annabel").is_err());
        assert!(BoundedText::<5>::parse("An\u{7}a").is_err());
        assert_eq!(BoundedText::<5>::parse("ëëëëë").expect("counts characters").as_str(), "ëëëëë");
    }
}
