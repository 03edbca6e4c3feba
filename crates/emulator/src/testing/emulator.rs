//! An emulator inside the test process, on a random loopback port, over HTTP or HTTPS, and its
//! admin API as test calls.

use std::net::TcpListener;

use serde_json::Value;
use tokio::sync::oneshot;

use super::browser::FormBrowser;
use super::tokens::{self, TokenRequest};
use crate::seed::{Seed, builtin};
use crate::state::{EmulatorBuilder, SharedEmulator};
use crate::tls::TlsMaterial;

/// A running in-process emulator; stops when dropped.
pub struct TestEmulator {
    pub base_url: String,
    pub emulator: SharedEmulator,
    /// The CA to trust when started with HTTPS.
    pub tls: Option<TlsMaterial>,
    stop: Option<oneshot::Sender<()>>,
}

impl TestEmulator {
    /// The built-in seed over plain HTTP.
    pub async fn start() -> TestEmulator {
        Self::start_with(builtin(), false).await
    }

    /// The built-in seed over HTTPS with a fresh CA.
    pub async fn start_https() -> TestEmulator {
        Self::start_with(builtin(), true).await
    }

    pub async fn start_with(seed: Seed, https: bool) -> TestEmulator {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local addr").port();
        let tls = https.then(|| TlsMaterial::ephemeral().expect("test certificates"));
        let scheme = if https { "https" } else { "http" };
        let base_url = format!("{scheme}://localhost:{port}");
        let emulator = EmulatorBuilder::new(seed)
            .build(&base_url)
            .expect("emulator keys");
        let app = crate::router(emulator.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let tls_for_server = tls.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) =
                crate::server::serve(listener, app, tls_for_server.as_ref(), shutdown).await
            {
                eprintln!("test emulator stopped: {e}");
            }
        });
        TestEmulator {
            base_url,
            emulator,
            tls,
            stop: Some(stop),
        }
    }

    /// The authority URL of a tenant path segment (`common`, a GUID, a domain).
    pub fn authority(&self, tenant: &str) -> String {
        format!("{}/{tenant}", self.base_url)
    }

    pub fn admin(&self, path: &str) -> String {
        format!("{}/_emulator{path}", self.base_url)
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The admin API (`/_emulator/…`) and tokens, as a test uses them: every call must succeed.
impl TestEmulator {
    /// Calls the admin API and returns its JSON answer (`null` when it has none); panics unless
    /// the call succeeded.
    pub async fn call_admin(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .request(method, self.admin(path))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("admin {path}: {e}"));
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// The request log's entries after sequence number `since`.
    pub async fn log_since(&self, since: u64) -> Vec<Value> {
        let log = self
            .call_admin(
                reqwest::Method::GET,
                &format!("/log?since={since}"),
                Value::Null,
            )
            .await;
        log["entries"].as_array().cloned().unwrap_or_default()
    }

    /// The request log's last sequence number (0 when empty).
    pub async fn log_position(&self) -> u64 {
        self.log_since(0)
            .await
            .last()
            .and_then(|e| e["seq"].as_u64())
            .unwrap_or(0)
    }

    /// Token-endpoint requests of one grant type logged after `since`.
    pub async fn grants_since(&self, since: u64, grant_type: &str) -> usize {
        self.log_since(since)
            .await
            .iter()
            .filter(|e| {
                e["grant_type"] == grant_type
                    && e["path"].as_str().unwrap_or("").ends_with("/token")
            })
            .count()
    }

    /// The id of `user`'s notebook called `name` (one with pages), from the admin API: no
    /// Graph call, so nothing counts against the user's OneNote limits.
    pub async fn notebook_id(&self, user: &str, name: &str) -> String {
        let pages = self
            .call_admin(
                reqwest::Method::GET,
                &format!("/onenote/{user}/pages"),
                Value::Null,
            )
            .await;
        pages["pages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|page| page["notebook"]["displayName"] == name)
            .and_then(|page| page["notebook"]["id"].as_str())
            .unwrap_or_else(|| panic!("{user} has no notebook {name:?} with pages"))
            .to_string()
    }

    /// A delegated Graph access token for `user` (of the demo app, through the sign-in and
    /// consent forms at the `common` authority) with `scopes`.
    pub async fn user_token(&self, user: &str, scopes: &str) -> String {
        let authority = self.authority("common");
        let request = TokenRequest::demo_app(&authority, user, scopes);
        tokens::delegated(&self.browser(), &request)
            .await
            .unwrap_or_else(|e| panic!("a token for {user}: {e}"))
    }

    /// A scripted browser that trusts this emulator.
    pub fn browser(&self) -> FormBrowser {
        let ca = self.tls.as_ref().map(|t| t.ca_pem.clone());
        FormBrowser::new(ca.as_deref())
    }
}
