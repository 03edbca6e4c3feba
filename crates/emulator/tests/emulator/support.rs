//! Shared helpers of the Graph tests: tokens from the emulator's real token endpoint (auth-code
//! flow through the sign-in and consent forms, or client credentials), and small request helpers.

use emulator::testing::TestEmulator;
use emulator::testing::tokens::{self, TokenRequest};
use serde_json::Value;

pub const CONTOSO: &str = "4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f";
pub const ADA: &str = "ada@contoso.example";
pub const GRACE: &str = "grace@contoso.example";
pub const ALAN: &str = "alan@contoso.example";
pub const KATHERINE: &str = "katherine@contoso.example";
pub const MALLORY: &str = "mallory@fabrikam.example";

/// A delegated access token for `user` with `scopes`, through the real auth-code flow.
pub async fn token(emu: &TestEmulator, user: &str, scopes: &str) -> String {
    token_with_claims(emu, user, scopes, None).await
}

/// Same, with a `claims` parameter on the token request (claims challenges). Users of Fabrikam
/// sign in at their own tenant, everyone else at Contoso's.
pub async fn token_with_claims(
    emu: &TestEmulator,
    user: &str,
    scopes: &str,
    claims: Option<&str>,
) -> String {
    let tenant = if user.ends_with("fabrikam.example") {
        "fabrikam.example"
    } else {
        CONTOSO
    };
    let authority = emu.authority(tenant);
    let request = TokenRequest {
        claims,
        ..TokenRequest::demo_app(&authority, user, scopes)
    };
    tokens::delegated(&emu.browser(), &request)
        .await
        .unwrap_or_else(|e| panic!("a token for {user}: {e}"))
}

/// An app-only token (client credentials) of the demo app.
pub async fn app_token(emu: &TestEmulator) -> String {
    tokens::app_only(&reqwest::Client::new(), &emu.authority(CONTOSO))
        .await
        .unwrap()
}

/// A Graph client bound to one token.
#[derive(Clone)]
pub struct Graph {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_string())
    }

    /// The Graph error code, checking the whole error shape on the way.
    pub fn error_code(&self) -> String {
        let body = self.json();
        let error = &body["error"];
        assert!(error["message"].is_string(), "{body}");
        let inner = &error["innerError"];
        assert!(inner["date"].is_string(), "{body}");
        assert!(inner["request-id"].is_string(), "{body}");
        assert!(inner["client-request-id"].is_string(), "{body}");
        error["code"].as_str().unwrap().to_string()
    }
}

impl Graph {
    pub fn new(emu: &TestEmulator, token: &str) -> Graph {
        Graph {
            base: emu.base_url.clone(),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// `path` is relative to `/v1.0` unless it is a full URL.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}/v1.0{path}", self.base)
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap().to_vec();
        Answer {
            status,
            headers,
            bytes,
        }
    }

    /// GET that must succeed with JSON.
    pub async fn json(&self, path: &str) -> Value {
        let answer = self.get(path).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        answer.json()
    }

    /// Every item of a collection, following `@odata.nextLink`; also returns the request count.
    pub async fn all(&self, path: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut next = Some(self.url(path));
        let mut requests = 0;
        while let Some(url) = next {
            let page = self.json(&url).await;
            requests += 1;
            items.extend(page["value"].as_array().unwrap().iter().cloned());
            next = page["@odata.nextLink"].as_str().map(str::to_string);
            assert!(requests < 100, "paging does not end");
        }
        (items, requests)
    }

    /// Admin API call on the same emulator.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}/_emulator{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }
}

/// Lifts OneNote's throttle for tests that read many pages.
pub fn lift_onenote_limits(emu: &TestEmulator) {
    emu.emulator
        .settings
        .set_onenote_limits(emulator::settings::OneNoteLimits {
            per_minute: 10_000,
            per_hour: 10_000,
            concurrent: 10,
            ..Default::default()
        });
}

/// The id of the first item whose `field` equals `value`.
pub fn find<'a>(items: &'a [Value], field: &str, value: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i[field] == value)
        .unwrap_or_else(|| panic!("no item with {field} = {value}"))
}
