//! Sending requests to Graph: bearer token, a `client-request-id` per request (sent and logged,
//! so a request can be found in Graph's logs), and retries of throttled or failing requests —
//! honouring `Retry-After` when Graph sends it, backing off exponentially with jitter when it
//! does not (OneNote's 429s carry none) — within a bounded total wait.

use std::time::Duration;

use base64::Engine;
use rand::Rng;
use reqwest::{Response, StatusCode, header};
use serde::de::DeserializeOwned;
use url::Url;

use std::sync::Arc;

use crate::budget::{Budget, Limits};
use crate::error::{ErrorEnvelope, GraphError};
use crate::gate::{OneNoteGate, Priority, Windows};

/// How hard to try before giving up.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// First back-off when Graph gives no `Retry-After`; doubles each time.
    pub base_backoff: Duration,
    /// Waiting longer than this in total (over all retries of one request) is not worth it.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(500),
            max_total_wait: Duration::from_secs(20),
        }
    }
}

/// A Graph client for one Graph endpoint (e.g. `https://graph.microsoft.com`).
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    /// `https://graph.microsoft.com/v1.0`, no trailing slash.
    base: Url,
    pub retry: RetryPolicy,
    /// The gate OneNote calls pass (OneNote's per-user limits), shared by every clone of this
    /// client — and, when it is a shared gate, by every instance of the app.
    gate: Arc<dyn OneNoteGate>,
    /// Who this client's OneNote calls are for: a person waiting, or background work.
    priority: Priority,
    /// Whose notebooks its OneNote calls read (see [`GraphClient::at`]).
    pub(crate) location: crate::location::Location,
}

/// One page of a Graph collection.
#[derive(serde::Deserialize)]
pub(crate) struct Collection<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// A binary body and its content type.
pub struct Binary {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

impl GraphClient {
    /// `endpoint` is the Graph root without version, e.g. `https://graph.microsoft.com`.
    pub fn new(
        endpoint: &str,
        extra_ca_pem: Option<&str>,
        onenote_limits: Limits,
    ) -> Result<GraphClient, GraphError> {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let base =
            Url::parse(&format!("{}/v1.0", endpoint.trim_end_matches('/'))).map_err(|e| {
                GraphError::Setup {
                    problem: format!("{endpoint:?} is not a URL"),
                    source: Some(e.into()),
                }
            })?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .user_agent(concat!("graphnote/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
                GraphError::Setup {
                    problem: "the CA bundle is not valid PEM".into(),
                    source: Some(e.into()),
                }
            })?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().map_err(|e| GraphError::Setup {
            problem: "cannot build the HTTP client".into(),
            source: Some(e.into()),
        })?;
        Ok(GraphClient {
            http,
            base,
            retry: RetryPolicy::default(),
            gate: Arc::new(Budget::new(onenote_limits)),
            priority: Priority::Interactive,
            location: crate::location::Location::Me,
        })
    }

    /// The same client passing OneNote calls through `gate` (one shared by every instance)
    /// instead of its own in-process budget.
    pub fn with_gate(&self, gate: Arc<dyn OneNoteGate>) -> GraphClient {
        GraphClient {
            gate,
            ..self.clone()
        }
    }

    /// The same client for background work: its OneNote calls yield to page views.
    pub fn background(&self) -> GraphClient {
        GraphClient {
            priority: Priority::Background,
            ..self.clone()
        }
    }

    /// What `user`'s OneNote windows hold now (see [`OneNoteGate::recent`]).
    pub async fn onenote_windows(&self, user: &str) -> Result<Windows, GraphError> {
        self.gate.recent(user).await
    }

    /// The same client with another retry policy (e.g. more patience for a zip download).
    pub fn with_retry(&self, retry: RetryPolicy) -> GraphClient {
        GraphClient {
            retry,
            ..self.clone()
        }
    }

    /// The URL of a path under the versioned base (`/me` → `…/v1.0/me`).
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{}", self.base.path(), path);
        url.set_path(&joined);
        url
    }

    /// Whether `url` points at this Graph endpoint (never send the token anywhere else, even if
    /// a response's `@odata.nextLink` says so).
    pub fn is_own(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
            && url.path().starts_with(self.base.path())
    }

    /// A collection's `@odata.nextLink` as a URL to follow: only to this Graph endpoint.
    pub(crate) fn next_link(&self, link: Option<&str>) -> Result<Option<Url>, GraphError> {
        let Some(link) = link else { return Ok(None) };
        let url = Url::parse(link).map_err(|_| GraphError::BadNextLink("it is not a URL"))?;
        if !self.is_own(&url) {
            return Err(GraphError::BadNextLink("it points outside Graph"));
        }
        Ok(Some(url))
    }

    /// GET a JSON document.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        token: &str,
        url: Url,
    ) -> Result<T, GraphError> {
        let response = self.get(token, url, "application/json").await?;
        response
            .json()
            .await
            .map_err(|e| GraphError::Decode(e.without_url()))
    }

    /// GET a binary or text body.
    pub async fn get_binary(
        &self,
        token: &str,
        url: Url,
        accept: &str,
    ) -> Result<Binary, GraphError> {
        let response = self.get(token, url, accept).await?;
        into_binary(response).await
    }

    async fn get(&self, token: &str, url: Url, accept: &str) -> Result<Response, GraphError> {
        self.get_budgeted(token, url, accept, None).await
    }

    /// GET that also returns a redirect as it came (a drive file's content call answers with
    /// one), with the retries of [`Self::get_budgeted`].
    pub(crate) async fn get_allowing_redirect(
        &self,
        token: &str,
        url: Url,
        accept: &str,
    ) -> Result<Response, GraphError> {
        self.send_with_retries(Some(token), url, accept, None, true)
            .await
    }

    /// GET without a token (a pre-authenticated download address), with the same retries.
    pub(crate) async fn get_unauthenticated(&self, url: Url) -> Result<Response, GraphError> {
        self.send_with_retries(None, url, "application/octet-stream", None, false)
            .await
    }

    /// Whether `url` has this Graph endpoint's scheme, host and port.
    pub(crate) fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    /// GET with retries of 429 and 5xx; with `onenote_user`, each attempt waits for a slot in
    /// that user's OneNote budget.
    pub(crate) async fn get_budgeted(
        &self,
        token: &str,
        url: Url,
        accept: &str,
        onenote_user: Option<&str>,
    ) -> Result<Response, GraphError> {
        self.send_with_retries(Some(token), url, accept, onenote_user, false)
            .await
    }

    /// GET with retries of 429 and 5xx. With a token, only to this Graph endpoint; without
    /// one, anywhere the caller checked. A redirect is an answer when `redirect_ok`.
    async fn send_with_retries(
        &self,
        token: Option<&str>,
        url: Url,
        accept: &str,
        onenote_user: Option<&str>,
        redirect_ok: bool,
    ) -> Result<Response, GraphError> {
        if token.is_some() && !self.is_own(&url) {
            return Err(GraphError::Rejected {
                status: 0,
                code: "ForeignUrl".into(),
                message: "refusing to send the token to a URL outside the Graph endpoint".into(),
            });
        }
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request_id = uuid::Uuid::new_v4().to_string();
            let _permit = match onenote_user {
                Some(user) => {
                    let allowance = self.retry.max_total_wait.saturating_sub(waited);
                    Some(self.gate.acquire(user, self.priority, allowance).await?)
                }
                None => None,
            };
            let mut request = self.http.get(url.clone());
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let sent = request
                .header(header::ACCEPT, accept)
                .header("client-request-id", &request_id)
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    let e = e.without_url();
                    tracing::warn!(client_request_id = %request_id, path = url.path(), error = %e, "Graph request failed to send");
                    return Err(GraphError::Transport(e));
                }
            };
            let status = response.status();
            tracing::debug!(client_request_id = %request_id, path = url.path(), status = status.as_u16(), attempt, "Graph call");
            metrics::counter!("graphnote_graph_requests_total", "status" => status.as_str().to_string()).increment(1);
            if status == StatusCode::TOO_MANY_REQUESTS {
                metrics::counter!("graphnote_graph_throttled_total").increment(1);
            }
            if status.is_success() || (redirect_ok && status.is_redirection()) {
                return Ok(response);
            }
            let retry_after = retry_after(&response);
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if retryable && attempt < self.retry.max_attempts {
                let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
                if waited + wait <= self.retry.max_total_wait {
                    tracing::info!(client_request_id = %request_id, path = url.path(), status = status.as_u16(), wait_ms = wait.as_millis() as u64, "Graph asked us to slow down; retrying");
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    continue;
                }
            }
            tracing::info!(client_request_id = %request_id, path = url.path(), status = status.as_u16(), "Graph call failed");
            return Err(into_error(response, retry_after).await);
        }
    }

    /// Exponential back-off with full jitter: a random wait in [base·2ⁿ⁻¹/2, base·2ⁿ⁻¹].
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self.retry.base_backoff * 2u32.saturating_pow(attempt.saturating_sub(1));
        let millis = ceiling.as_millis() as u64;
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis.max(1)))
    }
}

/// A response's body and content type.
/// A binary body, read into one buffer sized from `Content-Length` up front (up to
/// [`MAX_PRESIZED_BODY`]): a large attachment is held once, not grown by doubling and then
/// copied out.
pub(crate) async fn into_binary(mut response: Response) -> Result<Binary, GraphError> {
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let expected = response
        .content_length()
        .unwrap_or(0)
        .min(MAX_PRESIZED_BODY);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| GraphError::Transport(e.without_url()))?
    {
        bytes.extend_from_slice(&chunk);
    }
    Ok(Binary {
        bytes,
        content_type,
    })
}

/// The most a body's buffer is sized for before any of it arrived (a `Content-Length` is only
/// a claim).
const MAX_PRESIZED_BODY: u64 = 64 * 1024 * 1024;

fn retry_after(response: &Response) -> Option<Duration> {
    response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|secs| Duration::from_secs(secs.min(3600)))
}

/// Reads a failed response into a typed error.
async fn into_error(response: Response, retry_after: Option<Duration>) -> GraphError {
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .and_then(claims_challenge);
    let body = response
        .json::<ErrorEnvelope>()
        .await
        .map(|e| e.error)
        .unwrap_or_else(|_| crate::error::GraphErrorBody {
            code: status.canonical_reason().unwrap_or("Error").to_string(),
            message: String::new(),
        });
    match status {
        StatusCode::UNAUTHORIZED => GraphError::Unauthorized {
            code: body.code,
            claims: challenge,
        },
        StatusCode::FORBIDDEN => GraphError::Forbidden {
            code: body.code,
            message: body.message,
        },
        StatusCode::NOT_FOUND => GraphError::NotFound { code: body.code },
        StatusCode::TOO_MANY_REQUESTS => GraphError::Throttled { retry_after },
        s if s.is_server_error() => GraphError::Unavailable {
            status: s.as_u16(),
            retry_after,
        },
        s => GraphError::Rejected {
            status: s.as_u16(),
            code: body.code,
            message: body.message,
        },
    }
}

/// The `claims` of a `WWW-Authenticate: Bearer … error="insufficient_claims", claims="…"`
/// challenge, base64-decoded to JSON text.
fn claims_challenge(header: &str) -> Option<String> {
    if !header.contains("insufficient_claims") {
        return None;
    }
    let start = header.find("claims=\"")? + "claims=\"".len();
    let end = header[start..].find('"')? + start;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&header[start..end])
        .ok()?;
    String::from_utf8(decoded).ok()
}
