//! Opaque bearer secrets (refresh tokens, invitation tokens): random, shown once, stored only
//! as a SHA-256 hash so a database leak does not leak usable tokens; and [`Secret`], for keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A value that must never reach a log line (a signing key, an SMTP URL with its password).
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(value: Vec<u8>) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A new token of 256 random bits behind a recognisable prefix, and its hash.
pub fn new_token(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let (a, hash_a) = super::new_token("prt_");
        let (b, _) = super::new_token("prt_");
        assert_ne!(a, b);
        assert!(a.starts_with("prt_") && a.len() >= 4 + 43);
        assert_eq!(super::hash(&a), hash_a);
        assert_eq!(hash_a.len(), 64);
    }
}
