//! What the token endpoint hands out: v2 ID tokens, v1-style Graph access tokens (RS256 JWTs the
//! emulator's Graph verifies), refresh tokens, and the JSON response around them (docs/protocol.md §5.2,
//! §6).

use std::collections::BTreeSet;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use uuid::Uuid;

use super::claims::CAE_CAPABILITY;
use super::grants::opaque_token;
use super::id_token_faults::{IdTokenFault, IdTokenFaults};
use super::scopes::GRAPH_APP_ID;
use crate::clock::unix_now;
use crate::directory::User;
use crate::state::Emulator;

/// Who a token is for and what it may do; the input to [`issue`].
pub struct Issue<'a> {
    pub user: Option<&'a User>,
    pub client_id: &'a str,
    pub client_name: &'a str,
    /// Graph permissions granted (canonical names) or app roles for app-only tokens.
    pub graph_permissions: &'a BTreeSet<&'static str>,
    /// The `scope` value of the response, in the client's spelling.
    pub response_scope: String,
    pub id_token: Option<IdTokenInput<'a>>,
    pub refresh: Option<RefreshInput>,
    pub client_info: bool,
    /// Authentication contexts the access token satisfies.
    pub acrs: Vec<String>,
    /// Client capabilities the client declared (`cp1`: CAE-capable).
    pub capabilities: Vec<String>,
}

/// ID-token specifics.
pub struct IdTokenInput<'a> {
    pub nonce: Option<&'a str>,
    pub sid: Uuid,
    pub auth_time: Option<i64>,
    pub with_profile: bool,
    pub with_email: bool,
}

/// Refresh-token specifics.
pub struct RefreshInput {
    pub sid: Uuid,
    pub auth_time: i64,
    /// Authentication contexts the sign-in passed a second factor for.
    pub satisfied_acrs: BTreeSet<String>,
}

/// The pairwise `sub`: stable per (user, app), different across apps.
pub fn pairwise_subject(user: Uuid, client_id: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(user.as_bytes());
    ctx.update(client_id.to_ascii_lowercase().as_bytes());
    URL_SAFE_NO_PAD.encode(ctx.finish().as_ref())[..43].to_string()
}

/// `client_info`: base64url of `{"uid","utid"}` (home object id and home tenant).
pub fn client_info(user: &User) -> String {
    URL_SAFE_NO_PAD.encode(
        json!({"uid": user.id().to_string(), "utid": user.tenant_id.to_string()}).to_string(),
    )
}

/// The opaque `login_hint` claim (usable as `logout_hint`).
pub fn login_hint(user: &User) -> String {
    URL_SAFE_NO_PAD
        .encode(json!({"oid": user.id(), "tid": user.tenant_id, "upn": user.upn()}).to_string())
}

/// Builds the token endpoint's success JSON.
pub fn issue(emu: &Emulator, input: Issue<'_>) -> Value {
    let now = unix_now();
    let lifetimes = emu.settings.lifetimes();
    let cae = input.capabilities.iter().any(|c| c == CAE_CAPABILITY);
    let at_lifetime = lifetimes.next_access_token(cae) as i64;
    let key = emu.keys.current();
    let uti = opaque_token("", 16);

    let mut at = json!({
        "aud": GRAPH_APP_ID,
        "iat": now,
        "nbf": now,
        "exp": now + at_lifetime,
        "aio": opaque_token("", 24),
        "app_displayname": input.client_name,
        "appid": input.client_id,
        "appidacr": "1",
        "idtyp": if input.user.is_some() { "user" } else { "app" },
        "ipaddr": "127.0.0.1",
        "uti": uti,
        "ver": "1.0",
    });
    match input.user {
        Some(user) => {
            let profile = &user.profile;
            at["iss"] = json!(format!("https://sts.windows.net/{}/", user.tenant_id));
            at["tid"] = json!(user.tenant_id);
            at["oid"] = json!(user.id());
            at["sub"] = json!(pairwise_subject(user.id(), GRAPH_APP_ID));
            at["name"] = json!(profile.display_name);
            at["given_name"] = json!(profile.given_name);
            at["family_name"] = json!(profile.surname);
            at["upn"] = json!(user.upn());
            at["unique_name"] = json!(user.upn());
            at["amr"] = json!(["pwd"]);
            at["acr"] = json!("1");
            at["scp"] = json!(
                input
                    .graph_permissions
                    .iter()
                    .copied()
                    .chain(["profile", "openid", "email"])
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        None => {
            let home = emu
                .directory
                .client(input.client_id)
                .map(|c| c.home_tenant)
                .unwrap_or_default();
            at["iss"] = json!(format!("https://sts.windows.net/{home}/"));
            at["tid"] = json!(home);
            at["roles"] = json!(input.graph_permissions.iter().collect::<Vec<_>>());
        }
    }
    if !input.acrs.is_empty() {
        at["acrs"] = json!(input.acrs);
    }
    if !input.capabilities.is_empty() {
        at["xms_cc"] = json!(input.capabilities);
    }
    emu.grants
        .note_access_token(&uti, now + at_lifetime, input.user.map(User::id));

    let mut response = json!({
        "token_type": "Bearer",
        "scope": input.response_scope,
        "expires_in": at_lifetime,
        "ext_expires_in": at_lifetime,
        "access_token": key.sign(&at, true),
    });

    if let (Some(user), Some(refresh)) = (input.user, input.refresh) {
        let grant = super::grants::RefreshGrant {
            client_id: input.client_id.to_ascii_lowercase(),
            user: user.id(),
            sid: refresh.sid,
            auth_time: refresh.auth_time,
            issued_at: now,
            expires_at: now + lifetimes.refresh_token as i64,
            revoked: false,
            satisfied_acrs: refresh.satisfied_acrs,
        };
        response["refresh_token"] = json!(emu.grants.issue_refresh_token(grant));
    }
    if let (Some(user), Some(id)) = (input.user, input.id_token) {
        response["id_token"] = json!(id_token(
            emu,
            user,
            input.client_id,
            &id,
            lifetimes.id_token
        ));
    }
    if let (Some(user), true) = (input.user, input.client_info) {
        response["client_info"] = json!(client_info(user));
    }
    response
}

fn id_token(
    emu: &Emulator,
    user: &User,
    client_id: &str,
    input: &IdTokenInput<'_>,
    lifetime: u64,
) -> String {
    let now = unix_now();
    let mut claims = json!({
        "aud": client_id,
        "iss": emu.issuer_for(user.tenant_id),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime as i64,
        "aio": opaque_token("", 24),
        "rh": format!("1.{}", opaque_token("", 24)),
        "sub": pairwise_subject(user.id(), client_id),
        "tid": user.tenant_id,
        "uti": opaque_token("", 16),
        "ver": "2.0",
        "sid": input.sid,
    });
    if let Some(nonce) = input.nonce {
        claims["nonce"] = json!(nonce);
    }
    if input.with_profile {
        claims["name"] = json!(user.profile.display_name);
        claims["oid"] = json!(user.id());
        claims["preferred_username"] = json!(user.upn());
        claims["login_hint"] = json!(login_hint(user));
    }
    if input.with_email
        && let Some(mail) = &user.profile.mail
    {
        claims["email"] = json!(mail);
    }
    if let Some(auth_time) = input.auth_time {
        claims["auth_time"] = json!(auth_time);
    }
    let key = emu.keys.current();
    match emu.id_token_faults.next() {
        None => key.sign(&claims, false),
        Some(fault) => {
            IdTokenFaults::apply_to_claims(fault, &mut claims);
            if fault == IdTokenFault::BadSignature
                && let Some(forged) = emu.id_token_faults.forge(&claims, &key.kid)
            {
                return forged;
            }
            key.sign(&claims, false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_subject_differs_per_app() {
        let user = Uuid::new_v4();
        let a = pairwise_subject(user, "app-a");
        assert_eq!(a.len(), 43);
        assert_eq!(a, pairwise_subject(user, "APP-A"));
        assert_ne!(a, pairwise_subject(user, "app-b"));
    }
}
