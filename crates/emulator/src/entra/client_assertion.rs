//! `private_key_jwt` client authentication: a JWT signed with the private key of a certificate
//! registered on the app (docs/protocol.md §5.1). The certificate is found by the `x5t` (SHA-1) or
//! `x5t#S256` thumbprint in the header; the claims must name the client as `iss` and `sub` and
//! the token endpoint as `aud`.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::error::EntraError;
use crate::keys::pem_body;
use crate::seed::ClientSeed;

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    /// MSAL writes `exp` as a float.
    exp: f64,
    #[serde(default)]
    jti: Option<String>,
}

/// Checks a client assertion for `client` sent to the token endpoint at `audience`.
pub fn verify(client: &ClientSeed, assertion: &str, audience: &str) -> Result<(), EntraError> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| {
        EntraError::invalid_client_assertion("The assertion is not a well-formed JWT.")
    })?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(EntraError::invalid_client_assertion(
            "The assertion must be signed with RS256 or PS256.",
        ));
    }
    let certificate = client
        .certificates
        .iter()
        .find(|pem| {
            let Ok(der) = pem_body(pem) else { return false };
            let sha1 =
                URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &der));
            let sha256 = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &der));
            header.x5t.as_deref() == Some(sha1.as_str())
                || header.x5t_s256.as_deref() == Some(sha256.as_str())
        })
        .ok_or_else(|| {
            EntraError::invalid_client_assertion(
                "The key used to sign the assertion is not registered for the application.",
            )
        })?;
    let key = DecodingKey::from_rsa_pem(certificate.as_bytes()).map_err(|_| {
        EntraError::invalid_client_assertion(
            "The registered certificate is not an RSA certificate.",
        )
    })?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.leeway = 300;
    let claims = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation)
        .map_err(|e| {
            EntraError::invalid_client_assertion(&format!("The assertion is not valid: {e}."))
        })?
        .claims;
    let id = &client.client_id;
    if !claims.iss.eq_ignore_ascii_case(id) || !claims.sub.eq_ignore_ascii_case(id) {
        return Err(EntraError::invalid_client_assertion(
            "The assertion's iss and sub must both be the client id.",
        ));
    }
    if claims.jti.is_none() || claims.exp <= 0.0 {
        return Err(EntraError::invalid_client_assertion(
            "The assertion needs a jti and an exp.",
        ));
    }
    Ok(())
}
