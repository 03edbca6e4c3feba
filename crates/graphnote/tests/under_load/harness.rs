//! What the load tests stand on: a private `redis-server`, `graphnote serve` instances on it
//! (each one's log in a file, shown when a test fails), a person signing in through the
//! emulator's forms, and threads that keep every core busy.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use emulator::seed::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD};
use emulator::testing::{FormBrowser, SignInOutcome, TestEmulator, free_port};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const ADA: &str = "ada@contoso.example";

/// A scratch directory, removed at drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("graphnote-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A private `redis-server` on a free port, keeping nothing on disk; stopped at drop.
pub struct Redis {
    pub port: u16,
    child: Child,
}

impl Redis {
    pub async fn start() -> Redis {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test installs it)");
        wait_for_listener(port, "redis-server").await;
        Redis { port, child }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for_listener(port: u16, what: &str) {
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} did not start on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `graphnote serve` processes sharing one Redis, as behind a load balancer without affinity.
pub struct Instances {
    pub urls: Vec<String>,
    children: Vec<Child>,
    logs: Vec<PathBuf>,
    _dir: Scratch,
}

impl Instances {
    /// `n` instances against `emu`, on `redis`, each its own public URL.
    pub async fn start(emu: &TestEmulator, redis: &Redis, n: usize) -> Instances {
        Instances::start_with(emu, redis, n, false).await
    }

    /// `n` instances behind one public URL (the first's), as a load balancer would have them:
    /// what the MCP server's tokens are bound to.
    pub async fn behind_one_url(emu: &TestEmulator, redis: &Redis, n: usize) -> Instances {
        Instances::start_with(emu, redis, n, true).await
    }

    async fn start_with(emu: &TestEmulator, redis: &Redis, n: usize, one_url: bool) -> Instances {
        let dir = Scratch::new("under-load");
        let (mut urls, mut children, mut logs) = (vec![], vec![], vec![]);
        let mut public_url = None;
        for i in 0..n {
            let port = free_port();
            let log = dir.0.join(format!("instance-{i}.log"));
            let own = format!("http://127.0.0.1:{port}");
            let public = match (one_url, &public_url) {
                (true, Some(first)) => String::clone(first),
                _ => own.clone(),
            };
            public_url.get_or_insert(public.clone());
            children.push(serve(emu, redis, &dir.0, port, &public, &log));
            urls.push(own);
            logs.push(log);
        }
        for url in &urls {
            let port = url.rsplit(':').next().unwrap().parse().unwrap();
            wait_for_listener(port, "graphnote serve").await;
        }
        Instances {
            urls,
            children,
            logs,
            _dir: dir,
        }
    }

    /// Instance `i % n`'s URL for `path`.
    pub fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.urls[i % self.urls.len()])
    }

    /// The last lines each instance logged (for a failing test's message).
    pub fn log_tails(&self) -> String {
        let mut out = String::new();
        for (i, log) in self.logs.iter().enumerate() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            out.push_str(&format!("--- instance {i}\n"));
            for line in &lines[lines.len().saturating_sub(40)..] {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

impl Drop for Instances {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn serve(
    emu: &TestEmulator,
    redis: &Redis,
    dir: &Path,
    port: u16,
    public_url: &str,
    log: &Path,
) -> Child {
    let data = dir.join(format!("data-{port}"));
    Command::new(env!("CARGO_BIN_EXE_graphnote"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("CLIENT_ID", DEMO_CLIENT_ID)
        .env("CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("AUTHORITY", emu.authority("common"))
        .env("GRAPH_ENDPOINT", &emu.base_url)
        .env("PUBLIC_URL", public_url)
        .env("LISTEN", format!("127.0.0.1:{port}"))
        .env("SESSION_SECRET", "load-test-secret-0123456789abcdef")
        .env("SESSION_STORE", redis.url())
        .env("DATA_DIR", data)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// A person: a cookie-keeping client (the session cookie is sent to every instance: they share
/// the host) that signs in through the emulator's forms.
pub struct Person {
    pub browser: FormBrowser,
}

impl Person {
    pub fn new() -> Person {
        Person {
            browser: FormBrowser::new(None),
        }
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.browser.client.get(url).send().await.unwrap()
    }

    /// Opens `url` (an app page that needs a sign-in, or `/login`), signs in as `upn` through
    /// every form the emulator shows (consent and second factor included), and returns where
    /// the app sends them back to.
    pub async fn sign_in_from(&self, url: &str, upn: &str) -> String {
        let base = url.split('/').take(3).collect::<Vec<_>>().join("/");
        let mut response = self.get(url).await;
        let mut to = location(&response);
        if to.starts_with("/login") {
            response = self.get(&format!("{base}{to}")).await;
            to = location(&response);
        }
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{url} leads to the provider"
        );
        let back = match self.browser.sign_in(&to, upn, DEMO_PASSWORD, true).await {
            SignInOutcome::Redirect(callback) => self.get(callback.as_str()).await,
            other => panic!("the sign-in did not come back: {other:?}"),
        };
        assert_eq!(
            back.status(),
            StatusCode::SEE_OTHER,
            "the callback redirects"
        );
        location(&back)
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Every core kept busy by a spinning thread until dropped.
pub struct BusyCores {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl BusyCores {
    pub fn start() -> BusyCores {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6364136223846793005).wrapping_add(1),
                        );
                    }
                })
            })
            .collect();
        BusyCores { stop, threads }
    }
}

impl Drop for BusyCores {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Jitter on the emulator's token and Graph answers: half of them held back by 0–200 ms.
pub async fn jitter(emu: &TestEmulator) {
    emu.call_admin(
        reqwest::Method::PUT,
        "/jitter",
        json!({"max_ms": 200, "share": 0.5}),
    )
    .await;
}

/// The emulator's log entries after `since` that are refresh-token grants.
pub fn refresh_grants(log: &[Value]) -> usize {
    log.iter()
        .filter(|e| {
            e["grant_type"] == "refresh_token"
                && e["path"].as_str().unwrap_or("").ends_with("/token")
        })
        .count()
}

/// The ids of `user`'s OneNote resources, from the admin API (no Graph call).
pub async fn resource_ids(emu: &TestEmulator, user: &str) -> Vec<String> {
    let listed = emu
        .call_admin(
            reqwest::Method::GET,
            &format!("/onenote/{user}/resources"),
            Value::Null,
        )
        .await;
    listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}
