//! `bench_tool export` and `bench_tool download`: a whole export as a person runs it, timed.
//!
//! `export` signs in (with OneNote's consent), opens a page of notes to view, starts an export
//! of everything from `/onenote`'s form, follows it through its JSON status until it is done,
//! and views that page every `--views-every` seconds meanwhile — the same page viewed five times
//! before the export gives the idle baseline. With `--probe-every MS` it also asks for a
//! signed-in page that calls nothing (`/onenote/exports`) every MS milliseconds, and splits
//! those latencies by whether the export was writing its zip then (the job's `doing`): what the
//! zip's compression and fsync cost everyone else. It prints one JSON object: the wall time, the
//! job's last status, the page-view and probe times, and the job's URL and the session cookie
//! for `download`, which fetches the zip (counting its bytes, keeping none) and prints its size
//! and time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, COOKIE};
use url::Url;

use super::{Args, Jar, Result, http_client, location, origin, send, sign_in_through_app};

pub async fn export(args: &Args) -> Result<()> {
    let client = http_client(args)?;
    let app = args.get("app")?;
    let user = args.or("user", "katherine@contoso.example");
    let every = Duration::from_secs_f64(
        args.or("views-every", "15")
            .parse()
            .map_err(|_| "--views-every must be a number of seconds")?,
    );
    let base = Url::parse(app).map_err(|e| e.to_string())?;
    let url = |path: &str| base.join(path).map_err(|e| e.to_string());
    let mut jar = sign_in_through_app(&client, app, user).await?;
    consent_to_onenote(&client, &mut jar, &url("/onenote")?, user).await?;

    let index = text(&client, &mut jar, &url("/onenote")?).await?;
    let csrf = value_after(&index, "name=\"csrf\" value=\"").ok_or("/onenote has no form token")?;
    let mut page_id = None;
    for section in values_after(&index, "href=\"/onenote/sections/") {
        let pages = text(
            &client,
            &mut jar,
            &url(&format!("/onenote/sections/{section}"))?,
        )
        .await?;
        page_id = value_after(&pages, "href=\"/onenote/pages/");
        if page_id.is_some() {
            break;
        }
    }
    let page_id = page_id.ok_or("no section on /onenote has a page")?;
    let page = url(&format!("/onenote/pages/{page_id}"))?;

    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(view(&client, &mut jar, &page).await?);
    }

    let fast = args.or("fast", "0") == "1";
    let emulator = args.or("emulator", "");
    let log_start = if emulator.is_empty() {
        0
    } else {
        emulator_log(&client, emulator, 0)
            .await?
            .iter()
            .filter_map(|e| e["seq"].as_u64())
            .max()
            .map_or(0, |seq| seq + 1)
    };
    let started = Instant::now();
    let mut form = vec![
        ("scope".to_string(), "all".to_string()),
        ("csrf".to_string(), csrf),
    ];
    if fast {
        form.push(("fast".to_string(), "1".to_string()));
    }
    let exports = url("/onenote/exports")?;
    let mut answer = send(&client, &mut jar, &exports, Some(&form)).await?;
    if !answer.status().is_redirection() {
        return Err(format!("starting the export answered {}", answer.status()));
    }
    let mut job = location(&exports, &answer)?;
    if job.path().starts_with("/login") {
        // The first fast export asks for the files permission: give it, and start again.
        let authorize = location(&job, &send(&client, &mut jar, &job, None).await?)?;
        let callback = super::through_emulator(&client, &mut jar, authorize, user).await?;
        send(&client, &mut jar, &callback, None).await?;
        let index = text(&client, &mut jar, &url("/onenote")?).await?;
        form[1].1 =
            value_after(&index, "name=\"csrf\" value=\"").ok_or("/onenote has no form token")?;
        answer = send(&client, &mut jar, &exports, Some(&form)).await?;
        job = location(&exports, &answer)?;
    }
    let probe_every: u64 = args
        .or("probe-every", "0")
        .parse()
        .map_err(|_| "--probe-every must be a number of milliseconds")?;
    let zipping = Arc::new(AtomicBool::new(false));
    let samples: Samples = Arc::default();
    let probe = (probe_every > 0).then(|| {
        let cookie = jar.header(&origin(&base)).unwrap_or_default();
        tokio::spawn(probe_loop(
            client.clone(),
            exports.clone(),
            cookie,
            Duration::from_millis(probe_every),
            zipping.clone(),
            samples.clone(),
        ))
    });
    let mut during = Vec::new();
    let mut next_view = Instant::now() + every;
    let status = loop {
        let status = job_status(&client, &mut jar, &job).await?;
        zipping.store(status["doing"] == "writing the archive", Ordering::Relaxed);
        match status["state"].as_str() {
            Some("done") => break status,
            Some("failed" | "cancelled" | "waiting") => {
                return Err(format!("the export stopped: {status}"));
            }
            _ => {}
        }
        if Instant::now() >= next_view {
            during.push(view(&client, &mut jar, &page).await?);
            next_view = Instant::now() + every;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let wall = started.elapsed().as_secs_f64();
    let calls = if emulator.is_empty() {
        serde_json::Value::Null
    } else {
        let entries = emulator_log(&client, emulator, log_start).await?;
        let count = |wanted: &dyn Fn(&str) -> bool| {
            entries
                .iter()
                .filter_map(|e| e["path"].as_str())
                .filter(|p| wanted(p))
                .count()
        };
        let drive = |p: &str| {
            ["/v1.0/drives/", "/v1.0/shares/", "/v1.0/me/drive"]
                .iter()
                .any(|prefix| p.starts_with(prefix))
        };
        serde_json::json!({
            "onenote": count(&|p| p.starts_with("/v1.0/") && p.contains("/onenote/")),
            "onenote_pages": count(&|p| p.contains("/onenote/pages")),
            "drive": count(&drive),
            "listings": count(&|p| drive(p) && p.ends_with("/children")),
            "contents": count(&|p| drive(p) && p.ends_with("/content")),
            "downloads": count(&|p| p.starts_with("/_download/")),
        })
    };
    let (probe_zip, probe_other) = match probe {
        Some(task) => {
            task.abort();
            let _ = task.await;
            summary_split(&samples.lock().map(|s| s.clone()).unwrap_or_default())
        }
        None => (serde_json::Value::Null, serde_json::Value::Null),
    };
    println!(
        "{}",
        serde_json::json!({
            "wall_seconds": wall,
            "status": status,
            "page_views_idle_ms": idle,
            "page_views_during_ms": during,
            "probe_while_zipping_ms": probe_zip,
            "probe_otherwise_ms": probe_other,
            "job": job.as_str(),
            "fast": fast,
            "calls": calls,
            "cookie": jar.header(&origin(&base)),
        })
    );
    Ok(())
}

/// The emulator's request log from sequence number `since` on.
async fn emulator_log(
    client: &reqwest::Client,
    emulator: &str,
    since: u64,
) -> Result<Vec<serde_json::Value>> {
    let answer: serde_json::Value = client
        .get(format!("{emulator}/_emulator/log?since={since}"))
        .send()
        .await
        .map_err(|e| format!("the emulator's log: {e}"))?
        .json()
        .await
        .map_err(|e| format!("the emulator's log: {e}"))?;
    Ok(answer["entries"].as_array().cloned().unwrap_or_default())
}

/// Probe samples: (latency ms, whether the export was writing its zip).
type Samples = Arc<std::sync::Mutex<Vec<(f64, bool)>>>;

/// Asks for `page` every `every` until aborted, adding each answer's latency to `samples`.
async fn probe_loop(
    client: reqwest::Client,
    page: Url,
    cookie: String,
    every: Duration,
    zipping: Arc<AtomicBool>,
    samples: Samples,
) {
    loop {
        let asked = Instant::now();
        let answered = client
            .get(page.clone())
            .header(COOKIE, &cookie)
            .send()
            .await
            .and_then(|r| r.error_for_status());
        if answered.is_ok() {
            let ms = asked.elapsed().as_secs_f64() * 1000.0;
            let zipping = zipping.load(Ordering::Relaxed);
            if let Ok(mut samples) = samples.lock() {
                samples.push((ms, zipping));
            }
        }
        tokio::time::sleep(every).await;
    }
}

/// `{n, p50, p99, max}` of the samples taken while zipping, and of the others.
fn summary_split(samples: &[(f64, bool)]) -> (serde_json::Value, serde_json::Value) {
    let summary = |zipping: bool| {
        let mut ms: Vec<f64> = samples
            .iter()
            .filter(|(_, z)| *z == zipping)
            .map(|(m, _)| *m)
            .collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| {
            ms.get(((ms.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .copied()
        };
        serde_json::json!({"n": ms.len(), "p50": at(0.5), "p99": at(0.99), "max": ms.last()})
    };
    (summary(true), summary(false))
}

pub async fn download(args: &Args) -> Result<()> {
    let client = http_client(args)?;
    let job = Url::parse(args.get("job")?).map_err(|e| e.to_string())?;
    let zip = Url::parse(&format!("{job}.zip")).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut response = client
        .get(zip.clone())
        .header(COOKIE, args.get("cookie")?)
        .send()
        .await
        .map_err(|e| format!("GET the zip: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("the zip answered {}", response.status()));
    }
    let length = response.content_length();
    let mut bytes = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the zip: {e}"))?
    {
        bytes += chunk.len() as u64;
    }
    println!(
        "{}",
        serde_json::json!({
            "bytes": bytes,
            "content_length": length,
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

/// `/onenote` asks for OneNote's consent the first time: follow it through the emulator.
pub(super) async fn consent_to_onenote(
    client: &reqwest::Client,
    jar: &mut Jar,
    onenote: &Url,
    user: &str,
) -> Result<()> {
    let answer = send(client, jar, onenote, None).await?;
    if !answer.status().is_redirection() {
        return Ok(());
    }
    let login = location(onenote, &answer)?;
    let answer = send(client, jar, &login, None).await?;
    let authorize = location(&login, &answer)?;
    let callback = super::through_emulator(client, jar, authorize, user).await?;
    let back = send(client, jar, &callback, None).await?;
    if !back.status().is_redirection() {
        return Err(format!(
            "the consent's redirect URI answered {}",
            back.status()
        ));
    }
    Ok(())
}

pub(super) async fn text(client: &reqwest::Client, jar: &mut Jar, url: &Url) -> Result<String> {
    let answer = send(client, jar, url, None).await?;
    if answer.status() != reqwest::StatusCode::OK {
        return Err(format!("{url} answered {}", answer.status()));
    }
    answer.text().await.map_err(|e| e.to_string())
}

/// One page view, in milliseconds.
async fn view(client: &reqwest::Client, jar: &mut Jar, page: &Url) -> Result<f64> {
    let started = Instant::now();
    text(client, jar, page).await?;
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

async fn job_status(
    client: &reqwest::Client,
    jar: &mut Jar,
    job: &Url,
) -> Result<serde_json::Value> {
    let mut request = client.get(job.clone()).header(ACCEPT, "application/json");
    if let Some(cookie) = jar.header(&origin(job)) {
        request = request.header(COOKIE, cookie);
    }
    let answer = request
        .send()
        .await
        .map_err(|e| format!("GET {job}: {e}"))?;
    if answer.status() != reqwest::StatusCode::OK {
        return Err(format!("{job} answered {}", answer.status()));
    }
    answer.json().await.map_err(|e| e.to_string())
}

/// The text after the first `marker`, up to the next `"`.
pub(super) fn value_after(html: &str, marker: &str) -> Option<String> {
    values_after(html, marker).next()
}

/// The text after each `marker`, up to the next `"`.
pub(super) fn values_after<'a>(
    html: &'a str,
    marker: &'a str,
) -> impl Iterator<Item = String> + 'a {
    html.match_indices(marker).filter_map(move |(at, _)| {
        let rest = &html[at + marker.len()..];
        rest.split('"').next().map(str::to_string)
    })
}
