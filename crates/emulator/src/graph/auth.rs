//! The bearer-token check in front of every Graph call. Graph accepts only access tokens the
//! emulator's token endpoint issued for Graph: an RS256 signature by a key that is still
//! published (old keys keep working after a rotation until they are retired), `aud` = Graph,
//! `exp`/`nbf` with a minute of leeway, a user that exists in the token's tenant, and not expired
//! early through the admin API. Everything else is 401 `InvalidAuthenticationToken` with the
//! messages Graph uses (docs/protocol.md §9.4).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::{HeaderMap, header};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use uuid::Uuid;

use super::error::GraphError;
use crate::directory::User;
use crate::entra::claims::AccessClaims;
use crate::entra::scopes::GRAPH_APP_ID;
use crate::state::Emulator;

const EMPTY: &str = "Access token is empty.";
const NOT_WELL_FORMED: &str = "IDX14100: JWT is not well formed, there are no dots (.).";
const EXPIRED: &str = "Access token has expired or is not yet valid.";
const INVALID: &str = "Access token validation failure.";
const INVALID_AUDIENCE: &str = "Access token validation failure. Invalid audience.";

/// `exp`/`nbf` leeway, seconds.
const LEEWAY_SECS: u64 = 60;

/// Who is calling Graph, from a verified access token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in user; `None` for app-only (client-credentials) tokens.
    pub user: Option<Arc<User>>,
    pub client_id: String,
    pub tenant_id: Uuid,
    /// Delegated scopes (`scp`), canonical spelling.
    pub scopes: BTreeSet<String>,
    /// Application permissions (`roles`) of app-only tokens.
    pub roles: BTreeSet<String>,
    /// Authentication context class references the token satisfies.
    pub acrs: Vec<String>,
    /// The token's unique id (`uti`).
    pub token_id: String,
    /// Whether the token was issued to a CAE-capable client (`xms_cc` holds `cp1`).
    pub cae: bool,
}

impl Caller {
    /// Whether the token carries any of these delegated scopes.
    pub fn has_scope(&self, any_of: &[&str]) -> bool {
        any_of.iter().any(|s| self.scopes.contains(*s))
    }

    pub fn has_role(&self, any_of: &[&str]) -> bool {
        any_of.iter().any(|s| self.roles.contains(*s))
    }

    pub fn upn(&self) -> Option<&str> {
        self.user.as_deref().map(User::upn)
    }
}

/// Verifies the `Authorization` header.
pub fn authenticate(emu: &Emulator, headers: &HeaderMap) -> Result<Caller, GraphError> {
    let fail = |message: &str| GraphError::invalid_token(&emu.base_url, message);
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => "",
    };
    if token.is_empty() {
        return Err(fail(EMPTY));
    }
    if !token.contains('.') {
        return Err(fail(NOT_WELL_FORMED));
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| fail(INVALID))?;
    if header.alg != Algorithm::RS256 {
        return Err(fail(INVALID));
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| emu.keys.find(kid))
        .ok_or_else(|| fail(INVALID))?;

    let claims = match emu.verified_tokens.get(token) {
        // Signature and audience were checked when this exact token was first seen, with this
        // still-published key; only the time checks can change, and are made again as
        // `jsonwebtoken` makes them.
        Some(claims) => {
            let now = jsonwebtoken::get_current_timestamp() as i64;
            if claims.exp < now - LEEWAY_SECS as i64 || claims.nbf > now + LEEWAY_SECS as i64 {
                return Err(fail(EXPIRED));
            }
            claims
        }
        None => {
            let mut validation = Validation::new(Algorithm::RS256);
            validation.set_audience(&[GRAPH_APP_ID, "https://graph.microsoft.com"]);
            validation.leeway = LEEWAY_SECS;
            validation.validate_nbf = true;
            let claims = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)
                .map_err(|e| match e.kind() {
                    ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => fail(EXPIRED),
                    ErrorKind::InvalidAudience => fail(INVALID_AUDIENCE),
                    _ => fail(INVALID),
                })?
                .claims;
            emu.verified_tokens.put(token, &claims);
            claims
        }
    };
    if emu.grants.access_token_expired_early(&claims.uti) {
        return Err(fail(EXPIRED));
    }

    let user = match claims.oid {
        Some(oid) => {
            let user = emu
                .directory
                .user_by_id(oid)
                .filter(|u| u.tenant_id == claims.tid)
                .ok_or_else(|| fail(INVALID))?;
            Some(user)
        }
        None => None,
    };
    Ok(Caller {
        user,
        client_id: claims.appid.clone(),
        tenant_id: claims.tid,
        scopes: claims.scopes().into_iter().map(str::to_string).collect(),
        roles: claims.roles.iter().cloned().collect(),
        acrs: claims.acrs.clone(),
        token_id: claims.uti.clone(),
        cae: claims.cae(),
    })
}
