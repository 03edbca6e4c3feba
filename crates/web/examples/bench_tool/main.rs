//! The benchmark's scripted client (`scripts/bench` drives it; not part of the app).
//!
//! ```text
//! bench_tool sign-in  --app URL --ca PEM [--user UPN]
//!     one real sign-in through the app and the emulator's forms; prints the app's cookie
//!     (`name=value`) for the load generator
//! bench_tool token    --emulator URL --ca PEM [--user UPN]
//!     one real auth-code + PKCE sign-in straight against the emulator (the demo client, a
//!     loopback redirect URI); prints a Graph access token
//! bench_tool sign-ins --app URL --ca PEM --n N --c C [--users a,b,c]
//!     N complete sign-ins, C in flight: app /login -> emulator authorize (sign-in form) ->
//!     form post (-> consent form the first time) -> app redirect URI (the app redeems the code)
//!     -> app `/` answering 200 (signed in). Prints one JSON line with the rate and latencies.
//! bench_tool seed-sessions --cookie VALUE --count N --sample-out FILE
//!     with the app's configuration from the environment (as `graphnote serve` reads it):
//!     loads the real signed-in session named by VALUE and saves N new sessions holding the same
//!     user and token cache through the app's own session code (each sealed under its own new
//!     id, so each has a real record's shape and size). Writes 1000 of the new cookie values,
//!     spread over the whole range, to FILE.
//! bench_tool export   --app URL --ca PEM [--user UPN] [--views-every SECONDS]
//!     signs in (with OneNote's consent), exports everything, and views a page meanwhile;
//!     prints the wall time, the job's last status and the page-view times (see `export.rs`)
//! bench_tool download --job URL --cookie COOKIE --ca PEM
//!     fetches the export's zip; prints its size and how long it took
//! bench_tool mcp      --app URL --ca PEM [--user UPN] [--n N]
//!     connects an MCP client the standard way and reads one page N times through `read_page`
//!     and through its `.md` download, alternately; prints both latencies (see `mcp.rs`)
//! bench_tool graph-calls --emulator URL --ca PEM --token TOKEN --n N --c C
//!     N `GET /v1.0/me` through the app's Graph client, C in flight; prints the CPU they cost
//!     this process (see `graph_calls.rs`)
//! ```
//!
//! The sign-in driver keeps cookies itself (one small jar per sign-in, like a fresh browser) over
//! one shared HTTP client, so connections to the app and the emulator are reused across sign-ins
//! and the driver's own cost stays small next to what it measures.

mod export;
mod graph_calls;
mod mcp;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use emulator::seed::DEMO_PASSWORD;
use emulator::testing::FormBrowser;
use emulator::testing::html::HtmlForm;
use emulator::testing::tokens::{self, TokenRequest};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use url::Url;

type Result<T> = std::result::Result<T, String>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let outcome = runtime.block_on(run(args));
    if let Err(e) = outcome {
        eprintln!("bench_tool: {e}");
        std::process::exit(1);
    }
}

struct Args(HashMap<String, String>);

impl Args {
    fn parse(rest: &[String]) -> Result<Args> {
        let mut map = HashMap::new();
        let mut it = rest.iter();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {flag}"))?;
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            map.insert(name.to_string(), value.clone());
        }
        Ok(Args(map))
    }
    fn get(&self, name: &str) -> Result<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required"))
    }
    fn or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.0.get(name).map(String::as_str).unwrap_or(default)
    }
    fn number(&self, name: &str) -> Result<usize> {
        self.get(name)?
            .parse()
            .map_err(|_| format!("--{name} must be a whole number"))
    }
}

async fn run(args: Vec<String>) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        return Err(
            "usage: bench_tool sign-in|token|sign-ins|seed-sessions|export|download|graph-calls …"
                .into(),
        );
    };
    let args = Args::parse(rest)?;
    match command.as_str() {
        "sign-in" => {
            let client = http_client(&args)?;
            let user = args.or("user", "ada@contoso.example");
            let jar = sign_in_through_app(&client, args.get("app")?, user).await?;
            let app = origin(&Url::parse(args.get("app")?).map_err(|e| e.to_string())?);
            let cookie = jar.header(&app).ok_or("the app set no cookie")?;
            println!("{cookie}");
            Ok(())
        }
        "graph-calls" => {
            let ca = std::fs::read_to_string(args.get("ca")?).map_err(|e| format!("--ca: {e}"))?;
            let line = graph_calls::run(
                args.get("emulator")?,
                &ca,
                args.get("token")?,
                args.number("n")?,
                args.number("c")?,
            )
            .await?;
            println!("{line}");
            Ok(())
        }
        "token" => {
            let ca = std::fs::read_to_string(args.get("ca")?).map_err(|e| format!("--ca: {e}"))?;
            let authority = format!("{}/common", args.get("emulator")?.trim_end_matches('/'));
            let request = TokenRequest {
                redirect_uri: "http://127.0.0.1/getAToken",
                ..TokenRequest::demo_app(
                    &authority,
                    args.or("user", "ada@contoso.example"),
                    "User.Read",
                )
            };
            let token = tokens::delegated(&FormBrowser::new(Some(&ca)), &request)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        "sign-ins" => sign_ins(&args).await,
        "seed-sessions" => seed_sessions(&args).await,
        "export" => export::export(&args).await,
        "download" => export::download(&args).await,
        "mcp" => mcp::mcp(&args).await,
        other => Err(format!("unknown command {other}")),
    }
}

fn http_client(args: &Args) -> Result<reqwest::Client> {
    // reqwest's rustls needs a process-wide crypto provider; the emulator's helper installs it.
    emulator::server::install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(30));
    if let Some(path) = args.0.get("ca") {
        let pem = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| e.to_string())?;
        builder = builder.tls_certs_merge([cert]);
    }
    builder.build().map_err(|e| e.to_string())
}

/// One browser's cookies: per origin, name -> value.
#[derive(Default)]
struct Jar(HashMap<String, Vec<(String, String)>>);

impl Jar {
    fn header(&self, origin: &str) -> Option<String> {
        let cookies = self.0.get(origin)?;
        (!cookies.is_empty()).then(|| {
            cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn take(&mut self, origin: &str, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let first = text.split(';').next().unwrap_or_default();
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            let cleared = text.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            let cookies = self.0.entry(origin.to_string()).or_default();
            cookies.retain(|(n, _)| n != name);
            if !cleared {
                cookies.push((name.trim().to_string(), value.trim().to_string()));
            }
        }
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A GET or form POST that keeps cookies in `jar`; never follows redirects.
async fn send(
    client: &reqwest::Client,
    jar: &mut Jar,
    url: &Url,
    form: Option<&[(String, String)]>,
) -> Result<reqwest::Response> {
    let mut request = match form {
        Some(fields) => client.post(url.clone()).form(fields),
        None => client.get(url.clone()),
    };
    let origin = origin(url);
    if let Some(cookie) = jar.header(&origin) {
        request = request.header(COOKIE, cookie);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("{} {url}: {e}", if form.is_some() { "POST" } else { "GET" }))?;
    jar.take(&origin, &response);
    Ok(response)
}

fn location(url: &Url, response: &reqwest::Response) -> Result<Url> {
    let value = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("{url}: {} without a Location", response.status()))?;
    url.join(value).map_err(|e| e.to_string())
}

/// From the emulator's authorize URL to the redirect back to the client: the sign-in form, and
/// the consent form when this user has not consented yet.
async fn through_emulator(
    client: &reqwest::Client,
    jar: &mut Jar,
    authorize: Url,
    user: &str,
) -> Result<Url> {
    let mut url = authorize;
    let mut response = send(client, jar, &url, None).await?;
    for _ in 0..4 {
        if response.status().is_redirection() {
            return location(&url, &response);
        }
        let status = response.status();
        let body = response.text().await.map_err(|e| e.to_string())?;
        let HtmlForm { action, mut fields } = HtmlForm::first_in(&body)
            .ok_or_else(|| format!("{url}: {status} page without a form: {body:.300}"))?;
        if body.contains("name=\"password\"") {
            fields.push(("username".into(), user.into()));
            fields.push(("password".into(), DEMO_PASSWORD.into()));
        } else if body.contains("name=\"consent\"") {
            fields.push(("consent".into(), "accept".into()));
        } else {
            return Err(format!("{url}: unexpected page ({status}): {body:.300}"));
        }
        url = url.join(&action).map_err(|e| e.to_string())?;
        response = send(client, jar, &url, Some(&fields)).await?;
    }
    Err("the emulator's sign-in did not finish within four pages".into())
}

/// A complete sign-in through an app (graphnote or the Python sample); returns the jar holding
/// the app's signed-in session cookie. Succeeds only if the app's `/` then answers 200.
async fn sign_in_through_app(client: &reqwest::Client, app: &str, user: &str) -> Result<Jar> {
    let mut jar = Jar::default();
    let base = Url::parse(app).map_err(|e| e.to_string())?;
    let login = base.join("/login").map_err(|e| e.to_string())?;
    let response = send(client, &mut jar, &login, None).await?;
    if !response.status().is_redirection() {
        return Err(format!("/login answered {}", response.status()));
    }
    let authorize = location(&login, &response)?;
    let callback = through_emulator(client, &mut jar, authorize, user).await?;
    let response = send(client, &mut jar, &callback, None).await?;
    if !response.status().is_redirection() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(format!("the redirect URI answered {status}: {body:.300}"));
    }
    let home = base.join("/").map_err(|e| e.to_string())?;
    let response = send(client, &mut jar, &home, None).await?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(format!("/ after sign-in answered {}", response.status()));
    }
    // Read the page so the connection goes back to the pool.
    let _ = response.bytes().await;
    Ok(jar)
}

/// N sign-ins, C at a time; with `--seconds S`, no new sign-in starts after S seconds.
async fn sign_ins(args: &Args) -> Result<()> {
    let client = http_client(args)?;
    let app = args.get("app")?.to_string();
    let n = args.number("n")?;
    let c = args.number("c")?.max(1);
    let limit = Duration::from_secs(
        args.or("seconds", "3600")
            .parse()
            .map_err(|_| "--seconds")?,
    );
    let users: Vec<String> = args
        .or(
            "users",
            "ada@contoso.example,grace@contoso.example,alan@contoso.example",
        )
        .split(',')
        .map(str::to_string)
        .collect();
    // One sign-in per user first, outside the timing: the first one of each user shows the
    // consent form, which a returning user does not see.
    for user in &users {
        sign_in_through_app(&client, &app, user).await?;
    }
    let ticks_before = own_cpu_ticks();
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..c {
        let (client, app, users, next, failures, first_error) = (
            client.clone(),
            app.clone(),
            users.clone(),
            next.clone(),
            failures.clone(),
            first_error.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n || started.elapsed() >= limit {
                    break;
                }
                let t = Instant::now();
                match sign_in_through_app(&client, &app, &users[i % users.len()]).await {
                    Ok(_) => latencies.push(t.elapsed().as_secs_f64() * 1000.0),
                    Err(e) => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        first_error.lock().unwrap().get_or_insert(e);
                    }
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())?);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let ok = latencies.len();
    println!(
        "{}",
        serde_json::json!({
            "n": n, "c": c, "ok": ok, "failed": failures.load(Ordering::Relaxed),
            "seconds": seconds, "per_sec": ok as f64 / seconds,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "first_error": *first_error.lock().unwrap(),
            "driver_cpu_ticks": own_cpu_ticks().saturating_sub(ticks_before),
        })
    );
    Ok(())
}

/// This process's CPU time so far (user + system), in clock ticks, from `/proc/self/stat`.
fn own_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces): utime and
    // stime are the 12th and 13th of them.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// N sessions like a real one, through the app's own session code.
async fn seed_sessions(args: &Args) -> Result<()> {
    use web::session::{AnyStore, Sessions};
    let cookie = args.get("cookie")?;
    let count = args.number("count")?;
    let sample_out = args.get("sample-out")?;
    let config = web::Config::from_env(|k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
    // The running instance holds the SQLite file; the tool writes into it alongside on purpose.
    let store = AnyStore::open_shared(&config.session_store, None).map_err(|e| e.to_string())?;
    let sessions = Arc::new(Sessions::new(&config, store));
    let now = web::clock::now();
    let real = sessions
        .load(Some(cookie), now)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the cookie names no session")?;
    if real.user().is_none() || real.secrets.token_cache.is_none() {
        return Err("the cookie's session is not signed in".into());
    }
    let (record, secrets) = (real.record, real.secrets);
    let every = (count / 1000).max(1);
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    // A few writers at a time: the SQLite store serializes them anyway, Redis pipelines them.
    for _ in 0..16 {
        let (sessions, record, secrets, next) = (
            sessions.clone(),
            record.clone(),
            secrets.clone(),
            next.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut sample = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let mut session = sessions.create(now);
                session.record = record.clone();
                let copy = session.record_mut();
                copy.created_at = now;
                copy.revision = None;
                // Each real sign-in has its own provider session id: give each copy its own (the
                // emulator's `sid` is a UUID), so sid indexes hold N entries, not one.
                if copy.sid.is_some() {
                    copy.sid = Some(uuid::Uuid::new_v4().to_string());
                }
                session.secrets = secrets.clone();
                sessions
                    .update(&mut session, now, |_| Ok::<_, web::session::StoreError>(()))
                    .await
                    .map_err(|e| e.to_string())?;
                if i % every == 0 {
                    sample.push(session.id().to_string());
                }
            }
            Ok::<_, String>(sample)
        }));
    }
    let mut sample = Vec::new();
    for worker in workers {
        sample.extend(worker.await.map_err(|e| e.to_string())??);
    }
    std::fs::write(sample_out, sample.join("\n") + "\n").map_err(|e| e.to_string())?;
    eprintln!(
        "seeded {count} sessions; {} sample ids in {sample_out}",
        sample.len()
    );
    Ok(())
}
