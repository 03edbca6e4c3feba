//! The token-signing keys: RSA 2048 keys with self-signed certificates, published as Entra
//! publishes them (JWKS with `kid` = `x5t` = SHA-1 thumbprint, `x5c`, `issuer`). The newest key
//! signs; rotation keeps older keys published until they are retired, so clients that cache a
//! JWKS see a new `kid` before an old one disappears.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One signing key and everything derived from it.
pub struct SigningKey {
    pub kid: String,
    /// The private key, parsed once. `jsonwebtoken::encode` parses and checks the RSA key
    /// again for every signature, which made each sign-in cost the emulator about 25 million
    /// instructions (two tokens) — the emulator, not the app, bounded the sign-in benchmark.
    /// RS256 (PKCS#1 v1.5) signatures are deterministic, so the tokens are the same bytes.
    key_pair: aws_lc_rs::signature::RsaKeyPair,
    pub decoding: DecodingKey,
    n: String,
    e: String,
    cert_der: Vec<u8>,
    stored: StoredKey,
}

/// What is kept on disk for a key: the private key and its certificate, as PEM.
#[derive(Clone, Serialize, Deserialize)]
struct StoredKey {
    private_key_pem: String,
    certificate_pem: String,
}

/// Why the key set could not be created or loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate a signing key: {0}")]
    Generate(String),
    #[error("signing key file {path} is unreadable: {reason}")]
    Load { path: String, reason: String },
}

impl SigningKey {
    /// Generates a fresh RSA 2048 key with a self-signed certificate.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "accounts.accesscontrol.windows.net",
        );
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Self::from_stored(StoredKey {
            private_key_pem: key_pair.serialize_pem(),
            certificate_pem: cert.pem(),
        })
        .map_err(KeyError::Generate)
    }

    fn from_stored(stored: StoredKey) -> Result<SigningKey, String> {
        let encoding = EncodingKey::from_rsa_pem(stored.private_key_pem.as_bytes())
            .map_err(|e| e.to_string())?;
        let jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).map_err(|e| e.to_string())?;
        let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
            return Err("not an RSA key".into());
        };
        let decoding =
            DecodingKey::from_rsa_components(&rsa.n, &rsa.e).map_err(|e| e.to_string())?;
        let key_der = pem_body(&stored.private_key_pem)?;
        let key_pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&key_der)
            .or_else(|_| aws_lc_rs::signature::RsaKeyPair::from_der(&key_der))
            .map_err(|e| format!("the signing key is not an RSA key: {e}"))?;
        let cert_der = pem_body(&stored.certificate_pem)?;
        let thumbprint = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &cert_der);
        Ok(SigningKey {
            kid: URL_SAFE_NO_PAD.encode(thumbprint.as_ref()),
            key_pair,
            decoding,
            n: rsa.n,
            e: rsa.e,
            cert_der,
            stored,
        })
    }

    /// The JWKS entry, with the issuer the key may sign for.
    fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": self.n,
            "e": self.e,
            "x5c": [STANDARD.encode(&self.cert_der)],
            "cloud_instance_name": "microsoftonline.com",
            "issuer": issuer,
        })
    }

    /// Signs claims as an RS256 JWT. `x5t` is added for v1-style (access) tokens.
    pub fn sign(&self, claims: &Value, with_x5t: bool) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("JWT".into());
        header.kid = Some(self.kid.clone());
        if with_x5t {
            header.x5t = Some(self.kid.clone());
        }
        // What `jsonwebtoken::encode` writes (base64url JSON header and claims, then the RS256
        // signature of both), with the key parsed once (see `key_pair`). Serialising a `Value`
        // and signing with a key we generated ourselves cannot fail.
        let part = |json: Vec<u8>| URL_SAFE_NO_PAD.encode(json);
        let mut token = part(serde_json::to_vec(&header).expect("a JWT header serialises"));
        token.push('.');
        token.push_str(&part(
            serde_json::to_vec(claims).expect("a JSON value serialises"),
        ));
        let mut signature = vec![0; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                token.as_bytes(),
                &mut signature,
            )
            .expect("signing with our own key");
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        token
    }

    /// The token `jsonwebtoken` itself makes for these claims (tests compare it with `sign`).
    #[cfg(test)]
    fn sign_with_jsonwebtoken(&self, claims: &Value, header: &Header) -> String {
        let encoding = EncodingKey::from_rsa_pem(self.stored.private_key_pem.as_bytes()).unwrap();
        jsonwebtoken::encode(header, claims, &encoding).expect("signing with our own key")
    }
}

/// The DER bytes inside a PEM block.
pub(crate) fn pem_body(pem_text: &str) -> Result<Vec<u8>, String> {
    let body: String = pem_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body.trim()).map_err(|e| e.to_string())
}

/// All published keys, newest (the signing key) first.
#[derive(Clone)]
pub struct KeySet {
    keys: Arc<RwLock<Vec<Arc<SigningKey>>>>,
    file: Option<PathBuf>,
}

impl KeySet {
    /// A key set kept only in memory.
    pub fn ephemeral() -> Result<KeySet, KeyError> {
        Ok(KeySet {
            keys: Arc::new(RwLock::new(vec![Arc::new(SigningKey::generate()?)])),
            file: None,
        })
    }

    /// A key set kept in `dir/signing-keys.json`, so tokens survive an emulator restart.
    pub fn persistent(dir: &Path) -> Result<KeySet, KeyError> {
        let file = dir.join("signing-keys.json");
        let load_error = |reason: String| KeyError::Load {
            path: file.display().to_string(),
            reason,
        };
        let keys = if file.exists() {
            let text = std::fs::read_to_string(&file).map_err(|e| load_error(e.to_string()))?;
            let stored: Vec<StoredKey> =
                serde_json::from_str(&text).map_err(|e| load_error(e.to_string()))?;
            let keys = stored
                .into_iter()
                .map(|s| SigningKey::from_stored(s).map(Arc::new))
                .collect::<Result<Vec<_>, _>>()
                .map_err(load_error)?;
            if keys.is_empty() {
                return Err(load_error("no keys in the file".into()));
            }
            keys
        } else {
            vec![Arc::new(SigningKey::generate()?)]
        };
        let set = KeySet {
            keys: Arc::new(RwLock::new(keys)),
            file: Some(file),
        };
        set.save();
        Ok(set)
    }

    fn save(&self) {
        let Some(file) = &self.file else { return };
        let stored: Vec<StoredKey> = self.all().iter().map(|k| k.stored.clone()).collect();
        let text = serde_json::to_string_pretty(&stored).unwrap_or_default();
        if let Err(e) = write_private(file, &text) {
            tracing::warn!(path = %file.display(), error = %e, "could not save signing keys");
        }
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> Arc<SigningKey> {
        self.keys.read().expect("key lock")[0].clone()
    }

    pub fn all(&self) -> Vec<Arc<SigningKey>> {
        self.keys.read().expect("key lock").clone()
    }

    /// The published key with this `kid`, if any.
    pub fn find(&self, kid: &str) -> Option<Arc<SigningKey>> {
        self.all().into_iter().find(|k| k.kid == kid)
    }

    /// Starts signing with a new key; the previous keys stay published.
    pub fn rotate(&self) -> Result<String, KeyError> {
        let key = Arc::new(SigningKey::generate()?);
        let kid = key.kid.clone();
        self.keys.write().expect("key lock").insert(0, key);
        self.save();
        Ok(kid)
    }

    /// Stops publishing every key but the current one. Returns the retired `kid`s.
    pub fn retire_old(&self) -> Vec<String> {
        let mut keys = self.keys.write().expect("key lock");
        let retired = keys.drain(1..).map(|k| k.kid.clone()).collect();
        drop(keys);
        self.save();
        retired
    }

    /// The JWKS document.
    pub fn jwks(&self, issuer: &str) -> Value {
        json!({ "keys": self.all().iter().map(|k| k.jwk(issuer)).collect::<Vec<_>>() })
    }
}

/// Writes a file that holds private keys with owner-only permissions.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_the_old_key_published() {
        let keys = KeySet::ephemeral().unwrap();
        let first = keys.current().kid.clone();
        let second = keys.rotate().unwrap();
        assert_ne!(first, second);
        assert_eq!(keys.current().kid, second);
        assert!(keys.find(&first).is_some());
        assert_eq!(keys.retire_old(), vec![first.clone()]);
        assert!(keys.find(&first).is_none());
    }

    #[test]
    fn signed_tokens_verify_against_the_published_components() {
        let keys = KeySet::ephemeral().unwrap();
        let key = keys.current();
        let token = key.sign(&json!({"sub": "x", "exp": 4_000_000_000u64}), false);
        let jwks = keys.jwks("https://issuer");
        let jwk = &jwks["keys"][0];
        let decoding = DecodingKey::from_rsa_components(
            jwk["n"].as_str().unwrap(),
            jwk["e"].as_str().unwrap(),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
        assert_eq!(data.claims["sub"], "x");
        assert_eq!(
            jsonwebtoken::decode_header(&token).unwrap().kid,
            Some(key.kid.clone())
        );
    }

    #[test]
    fn tokens_are_the_bytes_jsonwebtoken_makes() {
        let keys = KeySet::ephemeral().unwrap();
        let key = keys.current();
        let claims =
            json!({"sub": "x", "name": "Ada \u{e9}\"", "exp": 4_000_000_000u64, "scp": ["a", "b"]});
        for with_x5t in [false, true] {
            let mut header = Header::new(Algorithm::RS256);
            header.typ = Some("JWT".into());
            header.kid = Some(key.kid.clone());
            if with_x5t {
                header.x5t = Some(key.kid.clone());
            }
            assert_eq!(
                key.sign(&claims, with_x5t),
                key.sign_with_jsonwebtoken(&claims, &header)
            );
        }
    }

    #[test]
    fn persistent_keys_survive_a_reload() {
        let dir = std::env::temp_dir().join(format!("gn-keys-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let kid = KeySet::persistent(&dir).unwrap().current().kid.clone();
        assert_eq!(KeySet::persistent(&dir).unwrap().current().kid, kid);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
