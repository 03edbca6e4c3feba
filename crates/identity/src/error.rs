//! What can go wrong talking to the identity platform, as types the web app can turn into the
//! right page (sign in again, consent needed, admin consent needed, provider unreachable).

use serde::Deserialize;

/// An error answer from the token endpoint (docs/protocol.md §5.4).
#[derive(Debug, Clone, Deserialize)]
pub struct TokenEndpointError {
    #[serde(skip)]
    pub status: u16,
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_codes: Vec<u32>,
    #[serde(default)]
    pub suberror: Option<String>,
    #[serde(default)]
    pub claims: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
}

impl TokenEndpointError {
    /// The AADSTS code, when Entra sent one.
    pub fn code(&self) -> Option<u32> {
        self.error_codes.first().copied()
    }

    /// The grant is no good any more (revoked, expired, consent withdrawn): sign in again.
    pub fn needs_interaction(&self) -> bool {
        matches!(
            self.error.as_str(),
            "invalid_grant" | "interaction_required" | "consent_required" | "login_required"
        )
    }

    /// The user must consent to more permissions.
    pub fn needs_consent(&self) -> bool {
        self.error == "consent_required"
            || self.suberror.as_deref() == Some("consent_required")
            || self.error_codes.contains(&65001)
    }

    /// Only an administrator can grant what was asked.
    pub fn needs_admin_consent(&self) -> bool {
        // 90094: the grant requires admin permission; 900941: admin consent is required;
        // 90099: the application has not been authorized in this tenant.
        self.error_codes
            .iter()
            .any(|c| matches!(c, 90094 | 900941 | 90099))
    }

    /// The first line of the description (without trace ids), for pages and logs.
    pub fn summary(&self) -> String {
        self.error_description
            .as_deref()
            .and_then(|d| d.lines().next())
            .unwrap_or(&self.error)
            .to_string()
    }
}

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("the ID token is not a well-formed JWT")]
    Malformed,
    #[error("the ID token is signed with an unsupported algorithm")]
    Algorithm,
    #[error("the ID token names a signing key the provider does not publish")]
    UnknownKey,
    #[error("the ID token's signature is not valid")]
    Signature,
    #[error("the ID token was issued by {found:?}, not {expected:?}")]
    Issuer { expected: String, found: String },
    #[error("the ID token is meant for another application")]
    Audience,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token is not valid yet")]
    NotYetValid,
    #[error("the ID token does not answer this sign-in (nonce mismatch)")]
    Nonce,
    #[error("the ID token lacks the {0} claim")]
    MissingClaim(&'static str),
}

/// The cause behind an error: another error, or a sentence where there is none
/// (`BoxError::from("…")`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything the identity client can fail with; each keeps its cause as its `source()`.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("configuration: {problem}")]
    Config {
        problem: String,
        #[source]
        source: Option<BoxError>,
    },
    #[error("cannot reach the identity provider at {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the identity provider's {what} at {url} is not usable")]
    BadMetadata {
        what: &'static str,
        url: String,
        #[source]
        source: BoxError,
    },
    #[error("the token endpoint refused the request: {}", .0.summary())]
    Token(Box<TokenEndpointError>),
    #[error("the token endpoint answered with something that is not a token response")]
    BadTokenResponse(#[source] BoxError),
    #[error(transparent)]
    IdToken(#[from] IdTokenError),
    #[error("there is no refresh token for this user")]
    NoRefreshToken,
}

impl IdentityError {
    /// A configuration problem described in a sentence.
    pub fn config(problem: impl Into<String>) -> IdentityError {
        IdentityError::Config {
            problem: problem.into(),
            source: None,
        }
    }

    /// A configuration problem with the error that revealed it.
    pub fn config_because(
        problem: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> IdentityError {
        IdentityError::Config {
            problem: problem.into(),
            source: Some(source.into()),
        }
    }

    /// The token endpoint's error, if that is what this is.
    pub fn token_error(&self) -> Option<&TokenEndpointError> {
        match self {
            IdentityError::Token(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the user has to go through sign-in (again) to fix this.
    pub fn needs_interaction(&self) -> bool {
        match self {
            IdentityError::Token(e) => e.needs_interaction(),
            IdentityError::NoRefreshToken => true,
            _ => false,
        }
    }
}
