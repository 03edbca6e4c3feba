//! How the app proves itself at the token endpoint: a client secret (sent in the body, as MSAL
//! does), or a certificate whose private key signs a `private_key_jwt` client assertion
//! (docs/protocol.md §5.1: PS256 with the `x5t#S256` thumbprint).

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::error::IdentityError;
use crate::pkce::random_urlsafe;
use crate::secret::Secret;

/// A client credential.
#[derive(Clone)]
pub enum ClientCredential {
    Secret(Secret),
    Certificate(CertificateCredential),
}

impl std::fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientCredential::Secret(_) => f.write_str("ClientCredential::Secret([redacted])"),
            ClientCredential::Certificate(c) => write!(
                f,
                "ClientCredential::Certificate(x5t#S256={})",
                c.thumbprint_s256
            ),
        }
    }
}

/// A certificate and its private key.
#[derive(Clone)]
pub struct CertificateCredential {
    key: EncodingKey,
    pub thumbprint_s256: String,
}

impl CertificateCredential {
    /// From PEM text holding the certificate and the (PKCS#8 or PKCS#1) RSA private key, in one
    /// bundle or two.
    pub fn from_pem(pem: &str) -> Result<CertificateCredential, IdentityError> {
        let bad = |why: &str| IdentityError::config(format!("the client certificate {why}"));
        let cert_der =
            pem_block(pem, "CERTIFICATE").ok_or_else(|| bad("file holds no CERTIFICATE block"))?;
        let key_pem = ["PRIVATE KEY", "RSA PRIVATE KEY"]
            .iter()
            .find_map(|label| pem_section(pem, label))
            .ok_or_else(|| bad("file holds no private key"))?;
        let key = EncodingKey::from_rsa_pem(key_pem.as_bytes())
            .map_err(|_| bad("key is not an RSA private key"))?;
        Ok(CertificateCredential {
            key,
            thumbprint_s256: URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &cert_der)),
        })
    }

    /// A signed client assertion for `token_endpoint`.
    pub fn assertion(
        &self,
        client_id: &str,
        token_endpoint: &str,
        now: i64,
    ) -> Result<String, IdentityError> {
        let mut header = Header::new(Algorithm::PS256);
        header.typ = Some("JWT".into());
        header.x5t_s256 = Some(self.thumbprint_s256.clone());
        let claims = json!({
            "aud": token_endpoint,
            "iss": client_id,
            "sub": client_id,
            "jti": random_urlsafe(16),
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        });
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| IdentityError::config_because("cannot sign the client assertion", e))
    }
}

/// The text of a PEM section including its BEGIN/END lines.
fn pem_section(pem: &str, label: &str) -> Option<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)?;
    let stop = pem[start..].find(&end)? + start + end.len();
    Some(pem[start..stop].to_string())
}

fn pem_block(pem: &str, label: &str) -> Option<Vec<u8>> {
    let section = pem_section(pem, label)?;
    let body: String = section
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body.trim()).ok()
}
