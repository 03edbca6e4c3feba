//! Encryption of what a session holds that must stay secret (the token cache and pending
//! sign-ins): AES-256-GCM with a random nonce, under a key derived with HKDF-SHA256 from a
//! `SESSION_SECRET` key, with the session id as associated data — so a blob copied into another
//! session does not open. `SESSION_SECRET` may list several keys, newest first: blobs sealed
//! under an older key still open, and say so, so the caller re-seals them under the newest.
//!
//! Blob layout: `version (1) | key id (4) | nonce (12) | ciphertext | tag (16)`.

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::digest;
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};

const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 4;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;

/// Why a blob could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the sealed session data is truncated or of an unknown version")]
    Malformed,
    #[error("the sealed session data was made with a key that SESSION_SECRET no longer holds")]
    UnknownKey,
    #[error("the sealed session data does not authenticate (tampered, or moved between sessions)")]
    Forged,
}

struct DerivedKey {
    id: [u8; KEY_ID_LEN],
    key: RandomizedNonceKey,
}

struct Len32;

impl KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// Seals and opens session secrets.
pub struct Cipher {
    /// Newest first.
    keys: Vec<DerivedKey>,
}

/// An opened blob.
pub struct Opened {
    pub plaintext: Vec<u8>,
    /// Sealed under an older key: seal it again.
    pub stale_key: bool,
}

impl Cipher {
    /// Derives one AEAD key per secret. Secrets are validated for length by the config.
    pub fn new(secrets: &[String]) -> Cipher {
        let keys = secrets
            .iter()
            .map(|secret| {
                let mut bytes = [0u8; 32];
                Salt::new(HKDF_SHA256, b"graphnote session secrets v1")
                    .extract(secret.as_bytes())
                    .expand(&[b"token-cache aes-256-gcm"], Len32)
                    .and_then(|okm| okm.fill(&mut bytes))
                    .expect("HKDF of a 32-byte output cannot fail");
                let fingerprint = digest::digest(&digest::SHA256, &bytes);
                let mut id = [0u8; KEY_ID_LEN];
                id.copy_from_slice(&fingerprint.as_ref()[..KEY_ID_LEN]);
                DerivedKey {
                    id,
                    key: RandomizedNonceKey::new(&AES_256_GCM, &bytes)
                        .expect("a 32-byte AES-256 key"),
                }
            })
            .collect();
        Cipher { keys }
    }

    /// Seals `plaintext` for the session `session_id` under the newest key.
    pub fn seal(&self, plaintext: &[u8], session_id: &str) -> Vec<u8> {
        let newest = &self.keys[0];
        let mut body = plaintext.to_vec();
        let nonce = newest
            .key
            .seal_in_place_append_tag(Aad::from(session_id.as_bytes()), &mut body)
            .expect("AES-GCM sealing cannot fail for in-memory data");
        let mut blob = Vec::with_capacity(HEADER_LEN + body.len());
        blob.push(VERSION);
        blob.extend_from_slice(&newest.id);
        blob.extend_from_slice(nonce.as_ref());
        blob.extend_from_slice(&body);
        blob
    }

    /// Opens a blob sealed for `session_id`.
    pub fn open(&self, blob: &[u8], session_id: &str) -> Result<Opened, CryptoError> {
        if blob.len() < HEADER_LEN || blob[0] != VERSION {
            return Err(CryptoError::Malformed);
        }
        let id = &blob[1..1 + KEY_ID_LEN];
        let position = self
            .keys
            .iter()
            .position(|k| k.id == id)
            .ok_or(CryptoError::UnknownKey)?;
        let nonce = Nonce::try_assume_unique_for_key(&blob[1 + KEY_ID_LEN..HEADER_LEN])
            .map_err(|_| CryptoError::Malformed)?;
        let mut body = blob[HEADER_LEN..].to_vec();
        // Decrypted in place: keep the buffer (minus the tag) rather than copying it again.
        let len = self.keys[position]
            .key
            .open_in_place(nonce, Aad::from(session_id.as_bytes()), &mut body)
            .map_err(|_| CryptoError::Forged)?
            .len();
        body.truncate(len);
        Ok(Opened {
            plaintext: body,
            stale_key: position != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(c: char) -> String {
        std::iter::repeat_n(c, 32).collect()
    }

    #[test]
    fn round_trip_and_no_plaintext_in_the_blob() {
        let cipher = Cipher::new(&[secret('a')]);
        let blob = cipher.seal(b"refresh-token-value", "session-1");
        assert!(!blob.windows(7).any(|w| w == b"refresh"));
        let opened = cipher.open(&blob, "session-1").unwrap();
        assert_eq!(opened.plaintext, b"refresh-token-value");
        assert!(!opened.stale_key);
    }

    #[test]
    fn a_blob_moved_to_another_session_or_tampered_does_not_open() {
        let cipher = Cipher::new(&[secret('a')]);
        let mut blob = cipher.seal(b"x", "session-1");
        assert_eq!(
            cipher.open(&blob, "session-2").err(),
            Some(CryptoError::Forged)
        );
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert_eq!(
            cipher.open(&blob, "session-1").err(),
            Some(CryptoError::Forged)
        );
        assert_eq!(
            cipher.open(&[1, 2, 3], "session-1").err(),
            Some(CryptoError::Malformed)
        );
    }

    #[test]
    fn rotation_opens_old_blobs_and_flags_them() {
        let old = Cipher::new(&[secret('a')]);
        let blob = old.seal(b"x", "s");
        let rotated = Cipher::new(&[secret('b'), secret('a')]);
        assert!(rotated.open(&blob, "s").unwrap().stale_key);
        let resealed = rotated.seal(b"x", "s");
        let only_new = Cipher::new(&[secret('b')]);
        assert!(!only_new.open(&resealed, "s").unwrap().stale_key);
        assert_eq!(
            only_new.open(&blob, "s").err(),
            Some(CryptoError::UnknownKey)
        );
    }
}
