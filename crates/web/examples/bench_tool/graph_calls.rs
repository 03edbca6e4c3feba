//! `bench_tool graph-calls`: the app's own Graph client (`graph::GraphClient`: the reqwest,
//! hyper, HTTP/2 and TLS stack `/msal-demo` uses) asking the emulator for `/v1.0/me` N times, C
//! at a time, with nothing around it. What that costs this process in CPU per call is the part
//! of a `/msal-demo` page no app could leave out; `scripts/bench` adds the bare handler's cost
//! of serving a request to it for the page's ceiling on this machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use graph::{GraphClient, Limits};

use super::Result;

/// Runs the calls; returns one JSON line: `{"calls", "failed", "seconds", "cpu_ticks"}` (CPU of
/// this whole process in clock ticks, user + system, over the calls only).
pub async fn run(emulator: &str, ca_pem: &str, token: &str, n: usize, c: usize) -> Result<String> {
    let client = GraphClient::new(emulator, Some(ca_pem), Limits::default())
        .map_err(|e| format!("Graph client: {e}"))?;
    // One call first: the connection and TLS set-up are not what is measured.
    client
        .me(token)
        .await
        .map_err(|e| format!("GET /me: {e}"))?;
    let (next, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (ticks_before, started) = (cpu_ticks()?, Instant::now());
    let workers: Vec<_> = (0..c.max(1))
        .map(|_| {
            let (client, token) = (client.clone(), token.to_string());
            let (next, failed) = (next.clone(), failed.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    if client.me(&token).await.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| e.to_string())?;
    }
    let (seconds, ticks) = (started.elapsed().as_secs_f64(), cpu_ticks()? - ticks_before);
    Ok(format!(
        "{{\"calls\": {n}, \"failed\": {}, \"seconds\": {seconds:.3}, \"cpu_ticks\": {ticks}}}",
        failed.load(Ordering::Relaxed)
    ))
}

/// User and system CPU of this process so far, in clock ticks (`/proc/self/stat`).
fn cpu_ticks() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(|e| e.to_string())?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    match (field(11), field(12)) {
        (Some(user), Some(system)) => Ok(user + system),
        _ => Err("cannot read /proc/self/stat".into()),
    }
}
