//! Test harness: the web app in-process on a random port, wired to an in-process emulator, and a
//! cookie-keeping client that signs in through the emulator's forms like a person would.

pub mod chrome;
mod converted;
mod emulator_admin;
mod hostile;
mod html;
mod links;
mod onenote_log;
pub mod ops;
mod redis_server;
mod secrets;

pub use converted::*;
pub use emulator_admin::*;
pub use hostile::*;
pub use html::*;
pub use links::*;
pub use onenote_log::*;
pub use redis_server::*;
pub use secrets::*;

use std::collections::HashMap;
use std::path::PathBuf;

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};
use emulator::testing::{FormBrowser, SignInOutcome, TestEmulator};
use reqwest::StatusCode;
use tokio::sync::oneshot;
use web::{AppState, Config};

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

/// The data folder of a test app: beside its SQLite file, or a temporary one for Redis.
fn data_dir(store: &str, port: u16) -> PathBuf {
    match store.strip_prefix("sqlite:") {
        Some(path) => PathBuf::from(path)
            .parent()
            .map(|p| p.join("data"))
            .unwrap_or_else(|| PathBuf::from("data")),
        None => {
            std::env::temp_dir().join(format!("graphnote-test-data-{}-{port}", std::process::id()))
        }
    }
}

/// A running app.
pub struct TestApp {
    pub base_url: String,
    /// `http://127.0.0.1:{port}`: where this instance listens.
    pub local_url: String,
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
            // Each app its own data (export jobs), beside its SQLite store or in a folder of
            // its own; never the working directory's `.data`.
            (
                "DATA_DIR".into(),
                data_dir(store, port).display().to_string(),
            ),
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
            local_url: format!("http://127.0.0.1:{port}"),
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `path` on this instance itself, whatever `PUBLIC_URL` says (several instances behind
    /// one public URL).
    pub fn local(&self, path: &str) -> String {
        format!("{}{path}", self.local_url)
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

    /// Opens the shared notebooks' part of `/onenote` and allows it (incremental consent);
    /// returns the `/onenote` page that shows them.
    pub async fn allow_shared_notebooks(&self, app: &TestApp, upn: &str) -> String {
        let asked = self.get(&app.url("/onenote/shared")).await;
        assert_eq!(asked.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&asked),
            "/login?next=%2Fonenote%2Fshared&consent=shared"
        );
        let back = self.sign_in_at(app, "/onenote/shared", upn).await;
        assert_eq!(location(&back), "/onenote/shared");
        let shown = self.get(&app.url("/onenote/shared")).await;
        assert_eq!(location(&shown), "/onenote#shared");
        let index = self.get(&app.url("/onenote")).await;
        assert_eq!(index.status(), StatusCode::OK);
        index.text().await.unwrap()
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
