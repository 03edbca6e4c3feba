//! Test harness: the web app in-process on a random port, wired to an in-process emulator, and a
//! cookie-keeping client that signs in through the emulator's forms like a person would.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};
use emulator::testing::{FormBrowser, SignInOutcome, TestEmulator};
use reqwest::StatusCode;
use tokio::sync::oneshot;
use web::{AppState, Config};

pub const CONTOSO: &str = "4a1c2e3f-0b5d-4c6e-8f70-9a8b7c6d5e4f";

/// A scratch directory removed at drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("graphnote-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running app.
pub struct TestApp {
    pub base_url: String,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// The configuration a test app gets, before the test's own overrides.
    pub fn env(emu: &TestEmulator, port: u16, store: &str) -> HashMap<String, String> {
        HashMap::from([
            ("CLIENT_ID".into(), DEMO_CLIENT_ID.into()),
            ("CLIENT_SECRET".into(), DEMO_CLIENT_SECRET.into()),
            ("AUTHORITY".into(), emu.authority("common")),
            ("PUBLIC_URL".into(), format!("http://127.0.0.1:{port}")),
            ("GRAPH_ENDPOINT".into(), emu.base_url.clone()),
            ("SESSION_STORE".into(), store.into()),
            (
                "SESSION_SECRET".into(),
                "test-secret-0123456789abcdefghijklmnop".into(),
            ),
            ("LISTEN".into(), format!("127.0.0.1:{port}")),
        ])
    }

    /// Starts the app with a SQLite store in `dir`.
    pub async fn start(emu: &TestEmulator, dir: &TempDir) -> TestApp {
        Self::start_with(
            emu,
            &format!("sqlite:{}", dir.0.join("sessions.sqlite3").display()),
            |_| {},
        )
        .await
    }

    /// Starts the app with the given store and configuration changes.
    pub async fn start_with(
        emu: &TestEmulator,
        store: &str,
        change: impl FnOnce(&mut HashMap<String, String>),
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut env = Self::env(emu, port, store);
        change(&mut env);
        let config = Config::from_env(|k| env.get(k).cloned()).expect("test configuration");
        let base_url = config.public_base();
        let state = AppState::new(config).expect("app state");
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            web::serve(serving, listener, shutdown).await.unwrap();
        });
        TestApp {
            base_url,
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Stops the app and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A person with a browser.
pub struct User {
    pub browser: FormBrowser,
}

impl User {
    pub fn new() -> User {
        User {
            browser: FormBrowser::new(None),
        }
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.browser.client.get(url).send().await.unwrap()
    }

    /// Starts at `/login` (or another app URL that leads there) and comes back to the app;
    /// returns the app's final answer to the callback.
    pub async fn sign_in_at(&self, app: &TestApp, start: &str, upn: &str) -> reqwest::Response {
        self.sign_in_answering(app, start, upn, true).await
    }

    /// Like `sign_in_at`, accepting or declining the consent form.
    pub async fn sign_in_answering(
        &self,
        app: &TestApp,
        start: &str,
        upn: &str,
        accept: bool,
    ) -> reqwest::Response {
        let mut response = self.get(&app.url(start)).await;
        // Pages that need a sign-in redirect to /login first.
        if location(&response).starts_with("/login") && !start.starts_with("/login") {
            response = self.get(&app.url(&location(&response))).await;
        }
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{start} leads to the provider"
        );
        let authorize = location(&response);
        match self
            .browser
            .sign_in(&authorize, upn, DEMO_PASSWORD, accept)
            .await
        {
            SignInOutcome::Redirect(callback) => self.get(callback.as_str()).await,
            SignInOutcome::FormPost { action, fields } => self
                .browser
                .client
                .post(action)
                .form(&fields)
                .send()
                .await
                .unwrap(),
            SignInOutcome::Page { status, body } => {
                panic!("sign-in stopped on a page ({status}): {body}")
            }
        }
    }

    /// Signs in and grants the OneNote permission (incremental consent) in one go.
    pub async fn sign_in_for_onenote(&self, app: &TestApp, upn: &str) {
        self.sign_in(app, upn).await;
        let back = self.sign_in_at(app, "/onenote", upn).await;
        assert_eq!(location(&back), "/onenote", "consent brings the user back");
    }

    /// Signs in, checks that the app sent the user home, and returns the new session cookie.
    pub async fn sign_in(&self, app: &TestApp, upn: &str) -> String {
        let done = self.sign_in_at(app, "/login", upn).await;
        assert_eq!(
            done.status(),
            StatusCode::SEE_OTHER,
            "the callback redirects"
        );
        assert_eq!(location(&done), "/");
        set_cookie(&done).expect("the callback sets a new session cookie")
    }
}

/// The session cookie a response sets (`name=value`), if it sets one.
pub fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("graphnote_session=") || v.starts_with("__Host-graphnote="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// A GET with exactly this Cookie header (no cookie jar), not following redirects.
pub async fn get_with_cookie(url: &str, cookie: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Calls the emulator's admin API.
pub async fn admin(
    emu: &TestEmulator,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let response = reqwest::Client::new()
        .request(method, emu.admin(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "admin {path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(serde_json::Value::Null)
}

/// Token-endpoint requests in the emulator's log since `since`, of one grant type.
pub async fn grants_since(emu: &TestEmulator, since: u64, grant_type: &str) -> usize {
    let log = admin(
        emu,
        reqwest::Method::GET,
        &format!("/log?since={since}"),
        serde_json::Value::Null,
    )
    .await;
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["grant_type"] == grant_type && e["path"].as_str().unwrap_or("").ends_with("/token")
        })
        .count()
}

/// The emulator log's last sequence number.
pub async fn log_position(emu: &TestEmulator) -> u64 {
    let log = admin(emu, reqwest::Method::GET, "/log", serde_json::Value::Null).await;
    log["entries"]
        .as_array()
        .unwrap()
        .last()
        .map(|e| e["seq"].as_u64().unwrap())
        .unwrap_or(0)
}

/// The (entity-decoded) attribute value that follows `marker` (which ends with `="`).
pub fn attribute_after(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&#38;", "&")
            .replace("&#x26;", "&")
            .replace("&amp;", "&"),
    )
}

/// A private `redis-server` on a free port, stopped at drop. Tests never touch a Redis that
/// something else uses.
pub struct RedisServer {
    pub port: u16,
    child: std::process::Child,
}

impl RedisServer {
    pub async fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Self::start_on(port).await
    }

    /// Starts (or restarts) a server on `port`.
    pub async fn start_on(port: u16) -> RedisServer {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test installs it)");
        let server = RedisServer { port, child };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {port}");
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Every key and its value (for "no secret in the store" checks).
    pub fn dump(&self) -> Vec<u8> {
        let out = std::process::Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--scan"])
            .output()
            .expect("redis-cli");
        let mut bytes = out.stdout.clone();
        for key in String::from_utf8_lossy(&out.stdout).lines() {
            let kind = std::process::Command::new("redis-cli")
                .args(["-p", &self.port.to_string(), "TYPE", key])
                .output()
                .unwrap();
            let command: &[&str] = if String::from_utf8_lossy(&kind.stdout).trim() == "set" {
                &["SMEMBERS"]
            } else {
                &["GET"]
            };
            let value = std::process::Command::new("redis-cli")
                .args(["-p", &self.port.to_string()])
                .args(command)
                .arg(key)
                .output()
                .unwrap();
            bytes.extend(value.stdout);
        }
        bytes
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An access token for `upn` straight from the emulator (the auth-code flow with PKCE, outside
/// the app), for setting up test data through Graph.
pub async fn graph_token(emu: &TestEmulator, upn: &str, scope: &str) -> String {
    let pkce = emulator::testing::Pkce::new();
    let mut url = url::Url::parse(&format!(
        "{}/oauth2/v2.0/authorize",
        emu.authority("common")
    ))
    .unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", DEMO_CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", "http://localhost/getAToken")
        .append_pair("scope", scope)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    let params = FormBrowser::new(None)
        .sign_in(url.as_str(), upn, DEMO_PASSWORD, true)
        .await
        .params();
    let response: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/v2.0/token", emu.authority("common")))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("code", &params["code"]),
            ("redirect_uri", "http://localhost/getAToken"),
            ("code_verifier", &pkce.verifier),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

/// Raises the emulator's and the app's OneNote limits so walking everything does not wait.
pub fn generous_onenote_limits(env: &mut HashMap<String, String>) {
    env.insert("ONENOTE_MAX_CONCURRENT".into(), "20".into());
    env.insert("ONENOTE_PER_MINUTE".into(), "100000".into());
    env.insert("ONENOTE_PER_HOUR".into(), "1000000".into());
}

/// A user whose every name is an attack, for the XSS tests: sign in as `HOSTILE_UPN`.
pub const HOSTILE_UPN: &str = "hostile@contoso.example";

/// Markup that runs script if a page ever emits it unescaped. Each names where it was put, so
/// a failure says which field leaked.
pub fn payload(place: &str) -> String {
    match place {
        "display name" => "<img src=x onerror=alert(1)>".to_string(),
        _ => format!("\"'><script>alert('{place}')</script><img src=x onerror=alert('{place}')>"),
    }
}

/// The built-in seed plus [`HOSTILE_UPN`], whose display name, given name, job title, notebook,
/// section group, section and page title (and page body) are script payloads.
pub fn hostile_seed() -> emulator::seed::Seed {
    use emulator::seed::{NotebookSeed, PageSeed, SectionGroupSeed, SectionSeed};
    let mut seed = emulator::seed::builtin();
    let mut user = seed.tenants[0].users[0].clone();
    user.id = uuid::Uuid::new_v4();
    user.user_principal_name = HOSTILE_UPN.into();
    user.mail = Some(HOSTILE_UPN.into());
    user.display_name = payload("display name");
    user.given_name = Some(payload("given name"));
    user.job_title = Some(payload("job title"));
    let page = |title: &str| PageSeed {
        title: title.to_string(),
        body: format!("<p>Body {}</p>", payload("page body")),
        level: 0,
        created: None,
        modified: None,
        lang: "en-GB".into(),
        resources: Vec::new(),
    };
    user.notebooks = vec![NotebookSeed {
        display_name: payload("notebook"),
        is_default: true,
        created: None,
        sections: vec![SectionSeed {
            display_name: payload("section"),
            is_default: true,
            pages: vec![page(&payload("page title"))],
            generated_pages: 0,
        }],
        section_groups: vec![SectionGroupSeed {
            display_name: payload("section group"),
            sections: vec![SectionSeed {
                display_name: payload("nested section"),
                is_default: false,
                pages: vec![page("A plain title")],
                generated_pages: 0,
            }],
            section_groups: Vec::new(),
        }],
    }];
    seed.tenants[0].users.push(user);
    seed
}

/// A user's display name as the emulator has it (`/_emulator/info`).
pub async fn display_name(emu: &TestEmulator, upn: &str) -> String {
    let info = admin(emu, reqwest::Method::GET, "/info", serde_json::Value::Null).await;
    info["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["users"].as_array().unwrap().iter())
        .find(|u| u["upn"] == upn)
        .and_then(|u| u["display_name"].as_str())
        .unwrap_or_else(|| panic!("{upn} is not seeded"))
        .to_string()
}

/// Decodes the entities askama writes (named and numeric), to compare page text with what was
/// stored.
pub fn unescape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&j| j <= 10).and_then(|j| {
            let entity = &rest[1..j];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "amp" => Some('&'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, j))
        });
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `(seq, method, path, query names)` the emulator logged after `since`.
pub async fn requests_since(emu: &TestEmulator, since: u64) -> Vec<serde_json::Value> {
    let log = admin(
        emu,
        reqwest::Method::GET,
        &format!("/log?since={since}"),
        serde_json::Value::Null,
    )
    .await;
    log["entries"].as_array().cloned().unwrap_or_default()
}

/// Asserts that `stored` (a dump of the session store) holds none of the session's secrets: its
/// refresh, access and ID tokens, nor the cookie value itself. Any 24-byte run of one is a leak.
pub async fn assert_no_secrets_stored(app: &TestApp, cookie: &str, stored: &[u8]) {
    assert!(!stored.is_empty(), "the dump is not empty");
    let id = cookie.split_once('=').unwrap().1;
    let session = app
        .state
        .sessions
        .load(Some(id), web::clock::now())
        .await
        .unwrap()
        .unwrap();
    let cache = session.secrets.token_cache.unwrap();
    let mut secrets = vec![id.to_string()];
    secrets.extend(cache.refresh_token.map(|t| t.expose().to_string()));
    secrets.extend(cache.id_token.map(|t| t.expose().to_string()));
    secrets.extend(
        cache
            .access_tokens
            .iter()
            .map(|t| t.secret.expose().to_string()),
    );
    for secret in &secrets {
        let needle = &secret.as_bytes()[..24];
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle),
            "a secret is in the store"
        );
    }
}
