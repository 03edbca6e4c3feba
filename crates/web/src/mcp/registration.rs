//! Dynamic Client Registration (RFC 7591) at `POST /oauth/register`: how an MCP client that
//! graphnote has never seen gets a `client_id`. Only public clients are registered (an assistant
//! on someone's machine cannot keep a secret), for the authorization code grant with PKCE, and
//! only with redirect URIs an attacker cannot use to catch someone else's code:
//!
//! - `https` URLs;
//! - `http` on a loopback address, any port (RFC 8252 §7.3: native apps listen on a port they
//!   choose when they sign in, so the port is not compared later);
//! - a private-use scheme named after a domain, such as `com.example.app:/callback` (RFC 8252
//!   §7.1: a scheme without a dot could be anyone's).
//!
//! None may carry a fragment (RFC 6749 §3.1.2). One address may register 20 clients an hour
//! (429 after that, counted across instances). What was registered never changes: the
//! registration is stored once, under its random `client_id`, in the store every instance shares
//! (the export job store's named values, SQLite or Redis), and read back by the consent page.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use super::discovery::{SCOPE, asks_only_our_scope};
use super::records;
use crate::context::RequestContext;
use crate::exports::Exports;
use crate::exports::store::JobStore;

/// The most redirect URIs one client may register.
const MAX_REDIRECT_URIS: usize = 10;
/// The longest redirect URI accepted, in bytes.
const MAX_URI_BYTES: usize = 2000;
/// The longest client name kept, in characters (it is shown on the consent page).
const MAX_NAME_CHARS: usize = 100;
/// Registrations one address may make in [`REGISTRATION_WINDOW`]: a client registers once per
/// machine, so this is plenty for an office behind one address, and keeps a script from filling
/// the store.
const REGISTRATIONS_PER_WINDOW: usize = 20;
const REGISTRATION_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

/// What a client asks to be registered with (RFC 7591 §2); fields graphnote does not use are
/// ignored, as the RFC allows.
#[derive(Debug, Deserialize)]
pub struct Request {
    #[serde(default)]
    redirect_uris: Vec<String>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
    grant_types: Option<Vec<String>>,
    response_types: Option<Vec<String>>,
    scope: Option<String>,
}

/// A registered client, as stored and as answered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Client {
    pub client_id: String,
    pub client_id_issued_at: i64,
    pub client_name: String,
    pub redirect_uris: Vec<String>,
}

/// Why a registration is refused: RFC 7591 §3.2.2's error and what to change.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    error: &'static str,
    description: String,
}

impl Refusal {
    fn metadata(description: impl Into<String>) -> Refusal {
        Refusal {
            error: "invalid_client_metadata",
            description: description.into(),
        }
    }

    fn redirect(description: impl Into<String>) -> Refusal {
        Refusal {
            error: "invalid_redirect_uri",
            description: description.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

/// `POST /oauth/register`.
pub async fn register(
    State(exports): State<Exports>,
    context: RequestContext,
    body: axum::body::Bytes,
) -> Result<Response, crate::error::AppError> {
    if !within_limit(&exports.store, context.client_ip).await? {
        let body = json!({
            "error": "too_many_registrations",
            "error_description": format!(
                "this address registered {REGISTRATIONS_PER_WINDOW} clients within the hour: register again later"
            ),
        });
        let retry_after = REGISTRATION_WINDOW.as_secs().to_string();
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, retry_after)],
            Json(body),
        )
            .into_response());
    }
    let request: Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return Ok(
                Refusal::metadata(format!("the body is not a registration: {e}")).into_response(),
            );
        }
    };
    let client = match checked(request, crate::exports::random_id(), records::now()) {
        Ok(client) => client,
        Err(refusal) => return Ok(refusal.into_response()),
    };
    records::put_kept(&exports.store, &key(&client.client_id), &client).await?;
    tracing::info!(client_name = %client.client_name, "MCP client registered");
    let answer = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.client_id_issued_at,
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": SCOPE,
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The registered client `client_id`, if there is one.
pub async fn client(
    store: &JobStore,
    client_id: &str,
) -> Result<Option<Client>, crate::exports::store::JobError> {
    if client_id.len() > 64 {
        return Ok(None);
    }
    records::get(store, &key(client_id)).await
}

/// Takes one of the address's registration slots for the window, if one is free. Each slot is a
/// lease in the shared store held by this registration alone, so the count holds across
/// instances and frees itself as the window passes.
async fn within_limit(
    store: &JobStore,
    address: Option<std::net::IpAddr>,
) -> Result<bool, crate::exports::store::JobError> {
    let address = address.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let holder = crate::exports::random_id();
    let ttl = REGISTRATION_WINDOW.as_millis() as u64;
    for slot in 0..REGISTRATIONS_PER_WINDOW {
        if store
            .lease(&format!("mcp-register:{address}:{slot}"), &holder, ttl)
            .await?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn key(client_id: &str) -> String {
    format!("mcp-client:{client_id}")
}

/// The client `request` registers, or why it cannot be registered.
pub(super) fn checked(request: Request, client_id: String, now: i64) -> Result<Client, Refusal> {
    match request.token_endpoint_auth_method.as_deref() {
        None | Some("none") => {}
        Some(other) => {
            return Err(Refusal::metadata(format!(
                "token_endpoint_auth_method {other:?}: graphnote registers public clients only (none)"
            )));
        }
    }
    let allowed_grants = ["authorization_code", "refresh_token"];
    if let Some(grant) = request
        .grant_types
        .iter()
        .flatten()
        .find(|g| !allowed_grants.contains(&g.as_str()))
    {
        return Err(Refusal::metadata(format!(
            "grant type {grant:?}: only authorization_code and refresh_token"
        )));
    }
    if let Some(kind) = request
        .response_types
        .iter()
        .flatten()
        .find(|r| r.as_str() != "code")
    {
        return Err(Refusal::metadata(format!(
            "response type {kind:?}: only code"
        )));
    }
    if let Some(scope) = &request.scope
        && !asks_only_our_scope(scope)
    {
        return Err(Refusal::metadata(format!(
            "scope {scope:?}: graphnote grants {SCOPE} only"
        )));
    }
    if request.redirect_uris.is_empty() {
        return Err(Refusal::redirect("give at least one redirect URI"));
    }
    if request.redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(Refusal::redirect(format!(
            "at most {MAX_REDIRECT_URIS} redirect URIs"
        )));
    }
    for uri in &request.redirect_uris {
        redirect_uri(uri)?;
    }
    let name: String = request
        .client_name
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_NAME_CHARS)
        .collect();
    let name = name.trim();
    Ok(Client {
        client_id,
        client_id_issued_at: now,
        client_name: if name.is_empty() {
            "An unnamed client".to_string()
        } else {
            name.to_string()
        },
        redirect_uris: request.redirect_uris,
    })
}

/// Characters that reorder the text around them: a name holding them could show on the consent
/// page as something it is not.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `url`'s host is this machine (127.0.0.0/8, `[::1]`, `localhost`).
pub(super) fn on_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether `uri` may receive authorization codes (see the module's documentation).
fn redirect_uri(uri: &str) -> Result<(), Refusal> {
    if uri.len() > MAX_URI_BYTES {
        return Err(Refusal::redirect(format!(
            "a redirect URI longer than {MAX_URI_BYTES} bytes"
        )));
    }
    let url = Url::parse(uri)
        .map_err(|_| Refusal::redirect(format!("{uri:?} is not an absolute URL")))?;
    if url.fragment().is_some() {
        return Err(Refusal::redirect(format!(
            "{uri:?}: a redirect URI cannot have a fragment"
        )));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if on_loopback(&url) => Ok(()),
        "http" => Err(Refusal::redirect(format!(
            "{uri:?}: http only on a loopback address (127.0.0.1, [::1], localhost); https elsewhere"
        ))),
        scheme if scheme.contains('.') && !url.has_host() => Ok(()),
        scheme => Err(Refusal::redirect(format!(
            "{uri:?}: the scheme {scheme:?} is not https, loopback http, or a private-use scheme named after a domain (com.example.app:/callback)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uris: &[&str]) -> Request {
        Request {
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            client_name: Some("Test client".into()),
            token_endpoint_auth_method: None,
            grant_types: None,
            response_types: None,
            scope: None,
        }
    }

    fn refused(uri: &str) -> &'static str {
        checked(request(&[uri]), "id".into(), 0).unwrap_err().error
    }

    #[test]
    fn redirect_uris_an_attacker_could_use_are_refused() {
        for uri in [
            "http://attacker.example/callback",
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            "https://client.example/cb#fragment",
            "callback",
            "myapp:/callback",
            "https://",
        ] {
            assert_eq!(refused(uri), "invalid_redirect_uri", "{uri}");
        }
    }

    #[test]
    fn https_loopback_and_private_use_schemes_are_registered() {
        let uris = [
            "https://claude.ai/api/mcp/auth_callback",
            "http://127.0.0.1:33418/callback",
            "http://[::1]/cb",
            "http://localhost:8080/oauth",
            "com.example.notes:/oauth2redirect",
        ];
        let client = checked(request(&uris), "id".into(), 7).unwrap();
        assert_eq!(client.redirect_uris, uris);
        assert_eq!(client.client_id_issued_at, 7);
    }

    #[test]
    fn confidential_clients_other_grants_and_other_scopes_are_refused() {
        let mut secret = request(&["https://c.example/cb"]);
        secret.token_endpoint_auth_method = Some("client_secret_basic".into());
        let mut implicit = request(&["https://c.example/cb"]);
        implicit.response_types = Some(vec!["token".into()]);
        let mut credentials = request(&["https://c.example/cb"]);
        credentials.grant_types = Some(vec!["client_credentials".into()]);
        let mut wider = request(&["https://c.example/cb"]);
        wider.scope = Some("onenote.read Mail.Read".into());
        for refused in [secret, implicit, credentials, wider] {
            let error = checked(refused, "id".into(), 0).unwrap_err().error;
            assert_eq!(error, "invalid_client_metadata");
        }
    }

    #[test]
    fn a_name_is_kept_short_and_cannot_reorder_or_break_lines() {
        let mut long = request(&["https://c.example/cb"]);
        long.client_name = Some(format!("Evil\u{202e}\n{}", "x".repeat(500)));
        let client = checked(long, "id".into(), 0).unwrap();
        assert_eq!(client.client_name.chars().count(), MAX_NAME_CHARS);
        assert!(
            client.client_name.starts_with("Evilxxx"),
            "{}",
            client.client_name
        );
    }
}
