//! The authorization endpoint (`/oauth/authorize`, RFC 6749 §4.1 with PKCE, RFC 7636): a
//! registered client sends the user here; the user, signed in to graphnote as on every page,
//! sees which client asks and what it may do, and allows or denies. Allowing sends the browser
//! back to the client with a one-time authorization code, bound to the client, its redirect URI,
//! its PKCE challenge, the user and the `/mcp` resource, and valid for a minute.
//!
//! The checks, in RFC 6749's order: an unknown client or a redirect URI it did not register gets
//! graphnote's own error page (sending anything to an unverified URI would make graphnote an
//! open redirector); everything else wrong goes back to the client as an `error` it can show.
//! PKCE with S256 is required; a `resource` (RFC 8707) other than this `/mcp` is refused.
//!
//! The request, once checked, waits in the shared store under a random id that the consent form
//! carries, with its CSRF token: the form cannot be made to approve anything the user did not
//! see, nor be posted from another site, nor be approved by another signed-in user. The page
//! cannot be framed (the app's CSP and `X-Frame-Options`), and its own CSP lets its form
//! continue to the client's redirect URI and nowhere else.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use url::Url;

use super::client_metadata::{MetadataError, MetadataFetcher, is_document_url};
use super::connections::{self, Connection};
use super::discovery::{SCOPE, asks_only_our_scope, names_this_resource, resource};
use super::records::{get, hash, new_secret, now, put_for, spend};
use super::registration;
use crate::config::Config;
use crate::context::RequestContext;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::exports::Exports;
use crate::exports::store::JobStore;
use crate::extract::{AppQuery, CarriesCsrf, CheckedForm, MaybeSession};
use crate::features::Feature;
use crate::pages::{self, Layout};

/// How long a checked request waits for the user's answer.
const REQUEST_SECONDS: i64 = 600;
/// How long an authorization code can be exchanged (RFC 6749 §4.1.2 recommends at most 10
/// minutes; a client exchanges it at once).
pub const CODE_SECONDS: i64 = 60;
/// How long a code's record is kept: past its use, so that a second use is still recognised
/// (and revokes what the first gave) for as long as it is spent (`token_endpoint`).
pub const CODE_KEPT_SECONDS: i64 = 600;

/// The query a client sends the user with.
#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    resource: Option<String>,
}

/// A checked request waiting for the user's answer.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    client_id: String,
    client_name: String,
    redirect_uri: String,
    code_challenge: String,
    state: Option<String>,
    /// Whose answer it waits for (the account's home id). It waits [`REQUEST_SECONDS`]: the
    /// store lets it go then.
    account: String,
}

/// What an authorization code stands for, stored under the code's hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grant {
    /// This consent's id: the tokens issued from the code carry it, and revoking it ends them.
    pub grant: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub account: String,
    pub resource: String,
    pub scope: String,
    pub expires_at: i64,
}

#[derive(Template)]
#[template(path = "mcp_consent.html")]
struct ConsentPage<'a> {
    layout: Layout,
    client_name: &'a str,
    destination: &'a str,
    request: &'a str,
    csrf: String,
}

/// `GET /oauth/authorize`.
#[expect(
    clippy::too_many_arguments,
    reason = "axum extractors: one for each thing the consent page needs"
)]
pub async fn authorize(
    State(exports): State<Exports>,
    State(config): State<Arc<Config>>,
    State(csrf): State<Arc<Csrf>>,
    State(metadata): State<Arc<MetadataFetcher>>,
    context: RequestContext,
    uri: Uri,
    MaybeSession(session): MaybeSession,
    AppQuery(query): AppQuery<AuthorizeQuery>,
) -> Result<Response, AppError> {
    let client_id = query.client_id.as_deref().ok_or_else(|| {
        AppError::BadRequest("the client did not say who it is (client_id)".into())
    })?;
    let client = if is_document_url(client_id) {
        metadata
            .client(&exports.store, client_id)
            .await
            .map_err(|e| match e {
                MetadataError::Unusable(why) => AppError::BadRequest(format!(
                    "the app that sent you here names itself by {client_id}, whose description \
                     graphnote cannot use: {why}"
                )),
                MetadataError::Store(e) => e.into(),
            })?
    } else {
        registration::client(&exports.store, client_id)
            .await?
            .ok_or_else(|| {
                AppError::BadRequest(
                    "the app that sent you here is not registered with graphnote: connect it again from the app"
                        .into(),
                )
            })?
    };
    let redirect_uri = query
        .redirect_uri
        .as_deref()
        .filter(|given| client.redirect_uris.iter().any(|r| same_redirect(r, given)))
        .ok_or_else(|| {
            AppError::BadRequest(
                "the app that sent you here asked to be answered at an address it did not register"
                    .into(),
            )
        })?
        .to_string();
    // From here on, the client is told what is wrong.
    let back = |error: &str, description: &str| {
        answer_with(
            &config,
            &redirect_uri,
            query.state.as_deref(),
            &[("error", error), ("error_description", description)],
        )
    };
    if query.response_type.as_deref() != Some("code") {
        return Ok(back(
            "unsupported_response_type",
            "graphnote answers response_type=code only",
        ));
    }
    let challenge = match (
        &query.code_challenge,
        query.code_challenge_method.as_deref(),
    ) {
        (Some(challenge), Some("S256")) if is_s256_challenge(challenge) => challenge.clone(),
        _ => {
            return Ok(back(
                "invalid_request",
                "PKCE is required: a code_challenge made with code_challenge_method=S256",
            ));
        }
    };
    if query
        .scope
        .as_deref()
        .is_some_and(|s| !asks_only_our_scope(s))
    {
        return Ok(back("invalid_scope", "graphnote grants onenote.read only"));
    }
    if query
        .resource
        .as_deref()
        .is_some_and(|r| !names_this_resource(&config, r))
    {
        return Ok(back(
            "invalid_target",
            "graphnote issues tokens for its own /mcp only",
        ));
    }
    let Some(session) = session.filter(|s| s.user().is_some() && s.secrets.token_cache.is_some())
    else {
        // Sign in first, and come back here with the same request.
        let next = uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string());
        return Err(AppError::Reauthenticate { next });
    };
    // The tools read OneNote with the user's own sign-in: it must have OneNote's permission
    // before the user can give an app part of it.
    if !session
        .secrets
        .token_cache
        .as_ref()
        .is_some_and(|cache| cache.has_scopes(Feature::OneNote.scopes()))
    {
        let next = uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string());
        return Err(AppError::ConsentNeeded {
            next,
            feature: Feature::OneNote,
        });
    }
    let account = crate::exports::routes::owner(&session)?;
    let request = crate::exports::random_id();
    let pending = Pending {
        client_id: client.client_id.clone(),
        client_name: client.client_name.clone(),
        redirect_uri: redirect_uri.clone(),
        code_challenge: challenge,
        state: query.state.clone(),
        account,
    };
    put_for(
        &exports.store,
        &request_key(&request),
        &pending,
        REQUEST_SECONDS,
    )
    .await?;
    let page = ConsentPage {
        layout: Layout::new(&context, session.user()),
        client_name: &client.client_name,
        destination: &destination(&redirect_uri),
        request: &request,
        csrf: csrf.token(&session),
    };
    let mut response = pages::render(&page, StatusCode::OK);
    if let Some(policy) = consent_policy(&redirect_uri) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(response)
}

/// The consent form's answer.
#[derive(Debug, Deserialize)]
pub struct Answer {
    request: String,
    csrf: String,
    decision: String,
}

impl CarriesCsrf for Answer {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /oauth/authorize`.
pub async fn decide(
    State(exports): State<Exports>,
    State(config): State<Arc<Config>>,
    CheckedForm {
        session,
        form: answer,
    }: CheckedForm<Answer>,
) -> Result<Response, AppError> {
    let account = crate::exports::routes::owner(&session)?;
    // The user's sign-in, which an allowed app's calls go through.
    let cache = session
        .secrets
        .token_cache
        .as_ref()
        .ok_or(AppError::internal("a signed-in session has no token cache"))?;
    if answer.request.len() > 64 {
        return Err(AppError::NotFound);
    }
    let key = request_key(&answer.request);
    let pending: Pending = get(&exports.store, &key).await?.ok_or(AppError::NotFound)?;
    // Another user's request is not there for this user; an answer counts once, even when the
    // form is posted twice at once (to two instances).
    if pending.account != account
        || !spend(&exports.store, &format!("{key}:answered"), REQUEST_SECONDS).await?
    {
        return Err(AppError::NotFound);
    }
    exports.store.remove_value(&key).await?;
    let state = pending.state.as_deref();
    if answer.decision != "allow" {
        return Ok(answer_with(
            &config,
            &pending.redirect_uri,
            state,
            &[
                ("error", "access_denied"),
                ("error_description", "the user did not allow it"),
            ],
        ));
    }
    // The app's calls use this sign-in, kept sealed for the account as exports keep it.
    exports.credentials.put(&account, cache).await?;
    let grant_id = crate::exports::random_id();
    connections::connected(
        &exports.store,
        &account,
        Connection {
            grant: grant_id.clone(),
            client_id: pending.client_id.clone(),
            client_name: pending.client_name.clone(),
            connected_at: now(),
        },
    )
    .await?;
    let code = new_secret();
    let grant = Grant {
        grant: grant_id,
        client_id: pending.client_id,
        redirect_uri: pending.redirect_uri.clone(),
        code_challenge: pending.code_challenge,
        account,
        resource: resource(&config),
        scope: SCOPE.to_string(),
        expires_at: now() + CODE_SECONDS,
    };
    put_for(&exports.store, &code_key(&code), &grant, CODE_KEPT_SECONDS).await?;
    tracing::info!(client_id = %grant.client_id, "MCP client allowed");
    Ok(answer_with(
        &config,
        &pending.redirect_uri,
        state,
        &[("code", &code)],
    ))
}

/// The grant an authorization code stands for, if the code was issued (expired or not).
pub async fn grant(
    store: &JobStore,
    code: &str,
) -> Result<Option<Grant>, crate::exports::store::JobError> {
    get(store, &code_key(code)).await
}

/// Whether `given` is the registered redirect URI `registered`: the same text, except that a
/// loopback `http` URI may name any port (RFC 8252 §7.3).
fn same_redirect(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let (Ok(registered), Ok(given)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    let loopback = |url: &Url| url.scheme() == "http" && registration::on_loopback(url);
    loopback(&registered)
        && loopback(&given)
        && registered.host() == given.host()
        && registered.path() == given.path()
        && registered.query() == given.query()
        && given.fragment().is_none()
}

/// A PKCE S256 challenge: the base64url of a SHA-256, 43 characters (RFC 7636 §4.2).
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The redirect to the client: `pairs`, the client's `state`, and the issuer (RFC 9207), added
/// to the registered redirect URI's own query.
fn answer_with(
    config: &Config,
    redirect_uri: &str,
    state: Option<&str>,
    pairs: &[(&str, &str)],
) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return AppError::BadRequest("the app's redirect address cannot be used".into())
            .into_response();
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", &config.public_base());
    }
    Redirect::to(url.as_str()).into_response()
}

/// Where the browser goes after the answer, as the consent page names it.
fn destination(redirect_uri: &str) -> String {
    match Url::parse(redirect_uri) {
        Ok(url) if url.has_host() => url.host_str().unwrap_or_default().to_string(),
        Ok(url) => format!("the app ({}:)", url.scheme()),
        Err(_) => "the app".into(),
    }
}

/// The app's policy, with the form allowed to continue to the client's redirect URI (the
/// browser applies `form-action` to the redirect that answers the form).
fn consent_policy(redirect_uri: &str) -> Option<HeaderValue> {
    let url = Url::parse(redirect_uri).ok()?;
    let source = if url.has_host() {
        url.origin().ascii_serialization()
    } else {
        format!("{}:", url.scheme())
    };
    let policy = crate::security::CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {source}"),
    );
    HeaderValue::from_str(&policy).ok()
}

fn request_key(request: &str) -> String {
    format!("mcp-request:{request}")
}

fn code_key(code: &str) -> String {
    format!("mcp-code:{}", hash(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_redirect_may_change_its_port_and_nothing_else() {
        let registered = "http://127.0.0.1:33418/callback";
        assert!(same_redirect(registered, "http://127.0.0.1:51234/callback"));
        assert!(same_redirect(registered, "http://127.0.0.1/callback"));
        for other in [
            "http://127.0.0.1:33418/other",
            "http://localhost:33418/callback",
            "https://127.0.0.1:33418/callback",
            "http://127.0.0.1:33418/callback?x=1",
            "http://evil.example:33418/callback",
        ] {
            assert!(!same_redirect(registered, other), "{other}");
        }
        let https = "https://client.example/cb";
        assert!(same_redirect(https, https));
        assert!(!same_redirect(https, "https://client.example:8443/cb"));
        assert!(!same_redirect(https, "https://client.example/cb/"));
    }

    #[test]
    fn only_s256_challenges_of_the_right_shape_are_taken() {
        assert!(is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!is_s256_challenge("plain-verifier"));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }

    #[test]
    fn the_consent_pages_form_may_go_to_the_client_and_nowhere_else() {
        let policy = consent_policy("http://127.0.0.1:33418/callback").unwrap();
        let policy = policy.to_str().unwrap();
        assert!(
            policy.contains("form-action 'self' http://127.0.0.1:33418;"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        let private = consent_policy("com.example.notes:/cb").unwrap();
        assert!(
            private
                .to_str()
                .unwrap()
                .contains("form-action 'self' com.example.notes:;")
        );
    }
}
