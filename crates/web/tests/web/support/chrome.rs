//! A real browser for tests: Debian's headless Chromium, driven over WebDriver (thirtyfour)
//! through a `chromedriver` this harness starts on a free loopback port.
//!
//! Each [`Chrome`] is its own world: its own chromedriver, a fresh `--user-data-dir` (no
//! cookies, no cache) and its own download folder. Screenshots and chromedriver's log go to
//! `target/browser-artifacts/`, so a failure in CI leaves something to look at.
//!
//! `scripts/test` installs `chromium` and `chromium-driver`; a missing browser is a failure,
//! never a skip. `GRAPHNOTE_CHROMIUM` / `GRAPHNOTE_CHROMEDRIVER` point at other binaries.

use std::path::{Path, PathBuf};

use emulator::testing::free_port;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::cdp::domains::browser::DownloadBehavior;
use thirtyfour::prelude::*;

use crate::support::TempDir;

/// How long a page may take to show what a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// The folder screenshots and driver logs are written to: `target/browser-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp` for integration tests.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

fn binary(env: &str, candidates: &[&str]) -> String {
    if let Ok(path) = std::env::var(env) {
        return path;
    }
    candidates
        .iter()
        .find(|p| Path::new(p).exists())
        .map(|p| p.to_string())
        .unwrap_or_else(|| {
            panic!(
                "{} is not installed (looked in {candidates:?}); scripts/test installs Debian's \
                 chromium and chromium-driver, or set {env}",
                candidates[0]
            )
        })
}

/// A headless Chromium session.
pub struct Chrome {
    pub driver: WebDriver,
    _chromedriver: DriverProcess,
    /// Where downloads land.
    pub downloads: TempDir,
    /// Prefix of this session's artifact files (the test's name).
    pub name: String,
    _profile: TempDir,
}

impl Chrome {
    /// Starts chromedriver and a fresh headless Chromium. `name` prefixes the artifacts.
    pub async fn start(name: &str) -> Chrome {
        Self::start_with(name, true).await
    }

    /// The same, with JavaScript turned off when `javascript` is false (pages must work
    /// without it).
    pub async fn start_with(name: &str, javascript: bool) -> Chrome {
        let chromium = binary(
            "GRAPHNOTE_CHROMIUM",
            &["/usr/lib/chromium/chromium", "/usr/bin/chromium"],
        );
        let chromedriver = binary("GRAPHNOTE_CHROMEDRIVER", &["/usr/bin/chromedriver"]);
        let port = free_port();
        let log = artifacts_dir().join(format!("{name}.chromedriver.log"));
        let mut command = Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .arg("--log-level=INFO")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so whatever it started can be ended with it (see Drop).
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let guard = DriverProcess(Some(child));
        let url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&url).await;

        let profile = TempDir::new();
        let downloads = TempDir::new();
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium).unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--window-size=1280,1000",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.0.display()))
            .unwrap();
        caps.add_experimental_option(
            "prefs",
            serde_json::json!({
                "download.default_directory": downloads.0.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
                "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 },
            }),
        )
        .unwrap();
        // An alert stays open so a test can see it (instead of being dismissed silently).
        caps.set("unhandledPromptBehavior", "ignore").unwrap();
        let driver = WebDriver::new(url, caps)
            .await
            .expect("chromedriver starts a Chromium session");
        driver
            .cdp()
            .browser()
            .set_download_behavior(
                DownloadBehavior::Allow,
                Some(downloads.0.display().to_string()),
            )
            .await
            .expect("downloads go to the test's folder");
        driver
            .set_page_load_timeout(PATIENCE)
            .await
            .expect("page load timeout");
        Chrome {
            _chromedriver: guard,
            driver,
            downloads,
            name: name.to_string(),
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.driver
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    pub async fn url(&self) -> String {
        self.driver.current_url().await.unwrap().to_string()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn wait_for(&self, css: &str) -> WebElement {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(found) = self.driver.find(By::Css(css)).await {
                return found;
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("timeout-{}", sanitize(css))).await;
                panic!(
                    "{css} did not appear; the browser is at {} showing:\n{}",
                    self.url().await,
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the browser is at a URL starting with `prefix` and `css` is on the page.
    pub async fn wait_for_page(&self, prefix: &str, css: &str) -> WebElement {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.url().await.starts_with(prefix)
                && let Ok(found) = self.driver.find(By::Css(css)).await
            {
                return found;
            }
            if Instant::now() > deadline {
                panic!(
                    "never reached {prefix} with {css}; the browser is at {} showing:\n{}",
                    self.url().await,
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn body_text(&self) -> String {
        match self.driver.find(By::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no body: {e})"),
        }
    }

    /// Clicks `element` and waits until the page it was on has gone.
    pub async fn click_and_leave(&self, element: &WebElement) {
        element.click().await.expect("click");
        let deadline = Instant::now() + PATIENCE;
        while element.is_present().await.unwrap_or(false) {
            assert!(
                Instant::now() < deadline,
                "the click did not leave the page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs a script and returns its JSON result.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.driver
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
            .json()
            .clone()
    }

    /// The text of an open alert/confirm/prompt, if one is open.
    pub async fn open_alert(&self) -> Option<String> {
        self.driver.get_alert_text().await.ok()
    }

    /// Saves a PNG of the viewport as `target/browser-artifacts/{test}-{what}.png`.
    pub async fn screenshot(&self, what: &str) -> PathBuf {
        let path = artifacts_dir().join(format!("{}-{what}.png", self.name));
        if let Err(e) = self.driver.screenshot(&path).await {
            eprintln!("screenshot {what} failed: {e}");
        }
        path
    }

    /// Waits for a finished download whose name ends with `suffix` and returns its path.
    pub async fn wait_for_download(&self, suffix: &str) -> PathBuf {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let done: Vec<PathBuf> = std::fs::read_dir(&self.downloads.0)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect();
            let partial = std::fs::read_dir(&self.downloads.0)
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
            if let [file] = done.as_slice()
                && !partial
            {
                return file.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no {suffix} download finished; the folder holds {:?}",
                std::fs::read_dir(&self.downloads.0)
                    .unwrap()
                    .filter_map(|e| e.ok().map(|e| e.file_name()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Goes through the emulator's sign-in, second-factor and consent pages as a person would —
    /// typing into the fields, clicking the buttons — until the browser is back on a URL
    /// starting with `back_at` with no emulator form left. Returns the pages it met, in order
    /// ("sign-in", "second-factor", "consent"); each gets a screenshot the first time.
    pub async fn sign_in_through_forms(
        &self,
        back_at: &str,
        upn: &str,
        password: &str,
    ) -> Vec<&'static str> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen: Vec<&'static str> = Vec::new();
        loop {
            if let Ok(button) = self.driver.find(By::Css("#signin")).await {
                if !seen.contains(&"sign-in") {
                    self.screenshot("emulator-sign-in").await;
                }
                let username = self.driver.find(By::Css("#username")).await.unwrap();
                username.clear().await.unwrap();
                username.send_keys(upn).await.unwrap();
                let secret = self.driver.find(By::Css("#password")).await.unwrap();
                secret.send_keys(password).await.unwrap();
                self.click_and_leave(&button).await;
                seen.push("sign-in");
                continue;
            }
            if let Ok(code) = self.driver.find(By::Css("#otc")).await {
                if !seen.contains(&"second-factor") {
                    self.screenshot("emulator-second-factor").await;
                }
                code.send_keys("123456").await.unwrap();
                let verify = self.driver.find(By::Css("#verify")).await.unwrap();
                self.click_and_leave(&verify).await;
                seen.push("second-factor");
                continue;
            }
            if let Ok(accept) = self.driver.find(By::Css("#accept")).await {
                if !seen.contains(&"consent") {
                    self.screenshot("emulator-consent").await;
                }
                self.click_and_leave(&accept).await;
                seen.push("consent");
                continue;
            }
            if self.url().await.starts_with(back_at) {
                return seen;
            }
            if Instant::now() > deadline {
                self.screenshot("sign-in-stuck").await;
                panic!(
                    "sign-in did not come back to {back_at}; the browser is at {} showing:\n{}",
                    self.url().await,
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the browser session and chromedriver.
    pub async fn quit(self) {
        let _ = self.driver.clone().quit().await;
        // Dropping `self` ends chromedriver's process group.
    }
}

fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

async fn wait_until_ready(url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(r) = client.get(format!("{url}/status")).send().await
            && let Ok(status) = r.json::<serde_json::Value>().await
            && status["value"]["ready"] == true
        {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver did not get ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// chromedriver and everything it started (its process group), ended when dropped — also when a
/// test panics before `quit`.
struct DriverProcess(Option<Child>);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            // The group id is chromedriver's own pid (process_group(0) above).
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // A test that panicked before `quit`: thirtyfour's own fallback would block this
        // thread on a DELETE to chromedriver while the browser may be waiting for this very
        // thread's in-process servers. Mark the session done instead; killing chromedriver's
        // process group (the next field to drop) ends the browser.
        let _ = self.driver.clone().leak();
    }
}
