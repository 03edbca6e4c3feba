//! ID-token validation (OpenID Connect Core §3.1.3.7, with Entra's multi-tenant issuer rule):
//! RS256 signature by a published key, `iss` equal to the discovery issuer with `{tenantid}`
//! filled in from the token's own `tid`, `aud` equal to the client id, `exp`/`nbf` within a small
//! clock skew, and `nonce` equal to the one this sign-in sent.

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use crate::discovery::ProviderMetadata;
use crate::error::{IdTokenError, IdentityError};
use crate::jwks::JwksCache;

/// Clock skew tolerated between the provider and this server.
pub const CLOCK_SKEW_SECS: u64 = 120;

/// The claims graphnote uses from a validated ID token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub tid: Option<String>,
    #[serde(default)]
    pub oid: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// What a valid token must match.
pub struct Expected<'a> {
    pub client_id: &'a str,
    pub nonce: &'a str,
}

/// Validates `token` and returns its claims.
pub async fn validate(
    token: &str,
    metadata: &ProviderMetadata,
    keys: &JwksCache,
    expected: &Expected<'_>,
) -> Result<IdTokenClaims, IdentityError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| IdTokenError::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(IdTokenError::Algorithm.into());
    }
    let kid = header.kid.ok_or(IdTokenError::UnknownKey)?;
    let key = keys.key(&kid).await?.ok_or(IdTokenError::UnknownKey)?;

    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = CLOCK_SKEW_SECS;
    validation.validate_nbf = true;
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let claims = match jsonwebtoken::decode::<IdTokenClaims>(token, &key, &validation) {
        Ok(data) => data.claims,
        Err(e) => return Err(map_jwt_error(e.kind()).into()),
    };

    let expected_issuer = metadata
        .issuer_for(claims.tid.as_deref())
        .ok_or(IdTokenError::MissingClaim("tid"))?;
    if claims.iss != expected_issuer {
        return Err(IdTokenError::Issuer {
            expected: expected_issuer,
            found: claims.iss,
        }
        .into());
    }
    match claims.nonce.as_deref() {
        Some(n) if constant_time_eq(n, expected.nonce) => Ok(claims),
        _ => Err(IdTokenError::Nonce.into()),
    }
}

fn map_jwt_error(kind: &jsonwebtoken::errors::ErrorKind) -> IdTokenError {
    use jsonwebtoken::errors::ErrorKind as K;
    match kind {
        K::InvalidSignature => IdTokenError::Signature,
        K::ExpiredSignature => IdTokenError::Expired,
        K::ImmatureSignature => IdTokenError::NotYetValid,
        K::InvalidAudience => IdTokenError::Audience,
        K::InvalidAlgorithm => IdTokenError::Algorithm,
        K::MissingRequiredClaim(c) => match c.as_str() {
            "exp" => IdTokenError::MissingClaim("exp"),
            "aud" => IdTokenError::MissingClaim("aud"),
            "iss" => IdTokenError::MissingClaim("iss"),
            _ => IdTokenError::MissingClaim("sub"),
        },
        _ => IdTokenError::Malformed,
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}
