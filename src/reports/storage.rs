//! Receipt files, stored by their SHA-256 under the data folder (the same file twice is stored
//! once), written to a temporary file first so a crash never leaves half a receipt.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// What a receipt is, recognised by its first bytes, never by its name.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn path_of(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("receipts").join(&sha256[..2]).join(sha256)
}

/// Stores the bytes; returns their SHA-256.
pub fn store(data_dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let digest = sha256(bytes);
    let path = path_of(data_dir, &digest);
    if path.exists() {
        return Ok(digest);
    }
    let dir = path.parent().unwrap_or(data_dir);
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(".{digest}.{}", uuid::Uuid::now_v7().simple()));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, &path)?;
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_receipts_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(b"MZ\x90\x00 an executable"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn stores_once_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let a = store(dir.path(), b"%PDF-1 receipt").unwrap();
        let b = store(dir.path(), b"%PDF-1 receipt").unwrap();
        assert_eq!(a, b);
        assert_eq!(std::fs::read(path_of(dir.path(), &a)).unwrap(), b"%PDF-1 receipt");
    }
}
