//! Secrets that Pactum must use again (webhook signing secrets) and emails that carry a one-time
//! link until they are sent are sealed at rest: XChaCha20-Poly1305 under a key from
//! configuration (`PACTUM_SECRET_KEY`), so a copy of the database alone reveals none of them.
//!
//! A sealed value is `sealed:v1:<key id>:<base64url(nonce || ciphertext)>`. The key id tells
//! which key sealed it, so a previous key (`PACTUM_SECRET_KEY_PREVIOUS`) still opens old values
//! while `pactum secrets rotate` seals them again under the current one.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the value was sealed with key {0}, which is not configured")]
    UnknownKey(String),
    #[error("the sealed value is damaged or was not sealed with this key")]
    Damaged,
}

/// The current key, which seals and opens, and optionally the one before it, which only opens.
#[derive(Clone)]
pub struct SealKeys {
    current: Arc<Key>,
    previous: Option<Arc<Key>>,
}

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    /// A configured secret of any length (at least 32 bytes, checked by the settings) becomes a
    /// 256-bit key; its id is a short hash that says nothing about it.
    fn derive(secret: &[u8]) -> Self {
        let key = Sha256::new().chain_update(b"pactum seal key v1\0").chain_update(secret).finalize();
        let id = Sha256::digest(key).iter().take(4).map(|b| format!("{b:02x}")).collect();
        Self { id, cipher: XChaCha20Poly1305::new(&key) }
    }
}

impl fmt::Debug for SealKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKeys")
            .field("current", &self.current.id)
            .field("previous", &self.previous.as_ref().map(|k| &k.id))
            .finish()
    }
}

impl SealKeys {
    pub fn new(current: &[u8], previous: Option<&[u8]>) -> Self {
        Self { current: Arc::new(Key::derive(current)), previous: previous.map(|p| Arc::new(Key::derive(p))) }
    }

    /// A key that lives only as long as this process: for workers set up without settings.
    pub fn ephemeral() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self::new(&key, None)
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 encrypts any message under 256 GiB"));
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.current.id, URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The plain text of a sealed value; a value that is not sealed is returned as it is.
    pub fn open(&self, stored: &str) -> Result<String, SealError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let (id, encoded) = rest.split_once(':').ok_or(SealError::Damaged)?;
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| SealError::Damaged)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SealError::Damaged);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = key.cipher.decrypt(XNonce::from_slice(nonce), sealed).map_err(|_| SealError::Damaged)?;
        String::from_utf8(plain).map_err(|_| SealError::Damaged)
    }

    /// Whether a stored value needs sealing again under the current key (it is plain, or was
    /// sealed under an older one).
    pub fn needs_resealing(&self, stored: &str) -> bool {
        !stored.starts_with(&format!("{PREFIX}{}:", self.current.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &[u8] = b"an old secret key of at least thirty-two bytes";
    const NEW: &[u8] = b"a new secret key of at least thirty-two bytes!!";

    #[test]
    fn sealed_values_open_and_reveal_nothing() {
        let keys = SealKeys::new(NEW, None);
        let sealed = keys.seal("whsec_abc");
        assert!(sealed.starts_with("sealed:v1:") && !sealed.contains("whsec_abc"));
        assert_ne!(sealed, keys.seal("whsec_abc"), "a fresh nonce each time");
        assert_eq!(keys.open(&sealed).unwrap(), "whsec_abc");
        assert_eq!(keys.open("plain").unwrap(), "plain");
        assert!(!keys.needs_resealing(&sealed));
        let mut damaged = sealed.clone();
        damaged.pop();
        damaged.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.open(&damaged), Err(SealError::Damaged));
        assert!(!format!("{keys:?}").contains("thirty-two"));
    }

    #[test]
    fn a_previous_key_opens_until_values_are_sealed_again() {
        let before = SealKeys::new(OLD, None).seal("whsec_abc");
        let rotated = SealKeys::new(NEW, Some(OLD));
        assert_eq!(rotated.open(&before).unwrap(), "whsec_abc");
        assert!(rotated.needs_resealing(&before));
        let after = rotated.seal(&rotated.open(&before).unwrap());
        assert_eq!(SealKeys::new(NEW, None).open(&after).unwrap(), "whsec_abc");
        assert!(matches!(SealKeys::new(NEW, None).open(&before), Err(SealError::UnknownKey(_))));
    }
}
