//! Prometheus metrics at `/metrics`: requests by route and status with latency histograms,
//! sign-ins, token refreshes, Graph calls by status and the 429s seen, session store latency and
//! errors. One process-wide recorder (the `metrics` facade), rendered as Prometheus text.
//!
//! The recorder keeps every histogram sample in a queue until "upkeep" folds the queue into the
//! buckets. Rendering runs upkeep, but a deployment nobody scrapes would never render, and the
//! queue would grow by a few bytes per request for as long as the process lives. So upkeep also
//! runs on a timer of its own ([`UPKEEP_INTERVAL`]): memory stays flat whether or not anyone
//! scrapes `/metrics`.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets, in seconds: fast pages to slow zip builds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0,
];

/// How often the histogram queues are folded into their buckets when nobody renders them. The
/// queue peaks at one interval's samples (about 16 bytes per request): at 100k requests/s, a
/// second's worth is under 2 MB. Folding costs microseconds, so a short interval is cheap.
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(1);

/// The recorder's configuration: latency histograms (`*_seconds`) get [`BUCKETS`].
fn builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .expect("the bucket list is not empty")
}

/// Installs the recorder once per process (several app instances in one test process share it),
/// with its upkeep running every [`UPKEEP_INTERVAL`].
pub fn install() {
    HANDLE.get_or_init(|| {
        let handle = builder()
            .install_recorder()
            .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
            .ok()?;
        if let Err(e) = spawn_upkeep(handle.clone(), UPKEEP_INTERVAL) {
            tracing::warn!(error = %e, "metrics upkeep not started; histograms drain only when /metrics is read");
        }
        Some(handle)
    });
}

/// Runs the recorder's upkeep every `interval` for the life of the process. A thread, not a
/// tokio task: the recorder is process-wide and outlives any one runtime (each test has its own,
/// and a task would die with the first test's runtime).
fn spawn_upkeep(handle: PrometheusHandle, interval: Duration) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                handle.run_upkeep();
            }
        })
        .map(drop)
}

/// `GET /metrics`
pub async fn render() -> Response {
    let text = HANDLE
        .get()
        .and_then(|h| h.as_ref())
        .map(|h| h.render())
        .unwrap_or_default();
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// The route template a response was served by (`/onenote/pages/{id}`, or `unmatched`), put in
/// the response's extensions by [`RequestMetricsLayer`], which is where the match is known, for
/// the access log outside the router. Never the raw path: it can be anything a client typed.
#[derive(Debug, Clone, Copy)]
pub struct Route(pub &'static str);

/// Layer (on the router, where the matched route is known): counts each request by route
/// template (never the raw path: ids would explode the label set) and status, and records its
/// latency. A concrete service rather than `axum::middleware::from_fn`, which boxes the rest of
/// the stack and its future on every request.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestMetricsLayer;

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> RequestMetrics<S> {
        RequestMetrics { inner }
    }
}

/// The service of [`RequestMetricsLayer`].
#[derive(Debug, Clone)]
pub struct RequestMetrics<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for RequestMetrics<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Timed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", |p| interned(p.as_str()));
        Timed {
            inner: self.inner.call(request),
            route,
            started: Instant::now(),
        }
    }
}

pin_project! {
    /// A request's response on its way, with what its metrics need.
    pub struct Timed<F> {
        #[pin]
        inner: F,
        route: &'static str,
        started: Instant,
    }
}

impl<F, E> Future for Timed<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut result = ready!(this.inner.poll(cx));
        if let Ok(response) = &mut result {
            let (requests, duration) = request_handles(this.route, response.status());
            requests.increment(1);
            duration.record(this.started.elapsed().as_secs_f64());
            // The access log, outside the router, names the route by the same template.
            response.extensions_mut().insert(Route(this.route));
        }
        Poll::Ready(result)
    }
}

/// The request counter of `route` and `status` and the latency histogram of `route`.
fn request_handles(route: &'static str, status: StatusCode) -> (Counter, Histogram) {
    kept((route, status.as_u16()), || {
        let status = interned(status.as_str());
        (
            metrics::counter!("graphnote_http_requests_total", "route" => route, "status" => status),
            metrics::histogram!("graphnote_http_request_duration_seconds", "route" => route),
        )
    })
}

/// The error counter and the latency histogram of the session store's operation `op`.
pub fn store_handles(op: &'static str) -> (Counter, Histogram) {
    // Status 0 is no HTTP status: these keys never meet a request's.
    kept((op, 0), || {
        (
            metrics::counter!("graphnote_session_store_errors_total", "op" => op),
            metrics::histogram!("graphnote_session_store_duration_seconds", "op" => op),
        )
    })
}

/// A counter and a histogram, made by `make` the first time this thread asks for `key`. Looking
/// a metric up by name and labels hashes and compares its whole key in the recorder's registry
/// on every call; the handles it gives stay valid for the recorder's life, so each thread keeps
/// the ones it has used. Kept only once the recorder is installed: before, the facade hands out
/// handles that record nowhere.
fn kept(
    (label, number): (&'static str, u16),
    make: impl FnOnce() -> (Counter, Histogram),
) -> (Counter, Histogram) {
    // Keys are addresses of the app's own labels: nothing a client sends, so a fast hash.
    type Kept = HashMap<(usize, u16), (Counter, Histogram), foldhash::fast::RandomState>;
    thread_local! {
        static KEPT: RefCell<Kept> = RefCell::new(Kept::default());
    }
    // Labels are literals or interned, unique by content, so the address stands for the text.
    let key = (label.as_ptr() as usize, number);
    if let Some(handles) = KEPT.with_borrow(|kept| kept.get(&key).cloned()) {
        return handles;
    }
    let handles = make();
    if installed() {
        KEPT.with_borrow_mut(|kept| kept.insert(key, handles.clone()));
    }
    handles
}

/// Whether this process's recorder is installed.
fn installed() -> bool {
    HANDLE.get().is_some_and(Option::is_some)
}

/// A route template or status as a `&'static str`, so that a request's labels are borrowed, not
/// two new strings. There are few of either (the router's templates, the statuses the app
/// answers), each kept once for the process's life; each thread remembers the ones it has seen,
/// so the shared set's lock is taken only the first time.
fn interned(label: &str) -> &'static str {
    thread_local! {
        static SEEN: RefCell<HashSet<&'static str>> = RefCell::new(HashSet::new());
    }
    static ALL: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    if let Some(seen) = SEEN.with_borrow(|seen| seen.get(label).copied()) {
        return seen;
    }
    let Ok(mut all) = ALL.lock() else {
        return "unknown";
    };
    let kept: &'static str = match all.get(label) {
        Some(kept) => kept,
        None => {
            let kept: &'static str = Box::leak(label.into());
            all.insert(kept);
            kept
        }
    };
    SEEN.with_borrow_mut(|seen| seen.insert(kept));
    kept
}

/// A sign-in finished (`outcome`: `success` or the error kind).
pub fn sign_in(outcome: &'static str) {
    metrics::counter!("graphnote_signins_total", "outcome" => outcome).increment(1);
}

/// A token refresh finished (`outcome`: `success`, `reauthenticate`, `consent`, `error`).
pub fn refresh(outcome: &'static str) {
    metrics::counter!("graphnote_token_refreshes_total", "outcome" => outcome).increment(1);
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use axum::http::StatusCode;

    use super::{HANDLE, builder, install, interned, request_handles, spawn_upkeep, store_handles};
    use crate::allocation_count::live_bytes;

    /// The value of the sample `name{labels}` in Prometheus text (0 when absent).
    fn sample(text: &str, name: &str, labels: &str) -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}{{{labels}}} ")))
            .map_or(0.0, |value| value.parse().unwrap())
    }

    /// Kept handles record under their own labels: each thread asks for each key several times
    /// (the first from the registry, the rest from its own store), and every count lands on
    /// the right route, status and operation.
    #[test]
    fn kept_handles_count_under_their_own_labels() {
        install();
        let handle = HANDLE.get().unwrap().clone().unwrap();
        let routes = [interned("/test/kept-a"), interned("/test/kept-b")];
        let threads: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        for (n, route) in routes.into_iter().enumerate() {
                            for status in [StatusCode::OK, StatusCode::NOT_FOUND] {
                                let (requests, duration) = request_handles(route, status);
                                requests.increment(n as u64 + 1);
                                duration.record(0.001);
                            }
                        }
                        let (errors, duration) = store_handles("test-kept-op");
                        errors.increment(1);
                        duration.record(0.002);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let text = handle.render();
        let requests = |route: &str, status: &str| {
            let labels = format!("route=\"{route}\",status=\"{status}\"");
            sample(&text, "graphnote_http_requests_total", &labels)
        };
        assert_eq!(requests("/test/kept-a", "200"), 15.0, "{text}");
        assert_eq!(requests("/test/kept-a", "404"), 15.0);
        assert_eq!(requests("/test/kept-b", "200"), 30.0);
        assert_eq!(requests("/test/kept-b", "404"), 30.0);
        let count = |route: &str| {
            let labels = format!("route=\"{route}\"");
            sample(
                &text,
                "graphnote_http_request_duration_seconds_count",
                &labels,
            )
        };
        assert_eq!(count("/test/kept-a"), 30.0);
        assert_eq!(count("/test/kept-b"), 30.0);
        let op = "op=\"test-kept-op\"";
        assert_eq!(
            sample(&text, "graphnote_session_store_errors_total", op),
            15.0
        );
        assert_eq!(
            sample(&text, "graphnote_session_store_duration_seconds_count", op),
            15.0
        );
    }

    /// Samples recorded: 2M queued samples hold about 16 MB, far above what the other unit
    /// tests running alongside allocate, so the measurement cannot be mistaken.
    const SAMPLES: usize = 2_000_000;
    const QUEUED_AT_LEAST: isize = 8 << 20;

    #[test]
    fn upkeep_drains_histogram_samples_without_anyone_rendering() {
        let _alone = crate::allocation_count::MEASURING
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let recorder = builder().build_recorder();
        let interval = Duration::from_secs(1);
        spawn_upkeep(recorder.handle(), interval).unwrap();
        let histogram = metrics::with_local_recorder(&recorder, || {
            metrics::histogram!("graphnote_test_duration_seconds")
        });

        // The first upkeep runs one interval after the thread starts: record well before it.
        std::thread::sleep(interval / 4);
        let before = live_bytes();
        let started = Instant::now();
        for i in 0..SAMPLES {
            histogram.record((i % 100) as f64 / 1000.0);
        }
        let queued = live_bytes() - before;
        if started.elapsed() < interval / 2 {
            // Recording was faster than the upkeep interval: the samples must be queued now,
            // which proves the allocation count sees them.
            assert!(
                queued > QUEUED_AT_LEAST,
                "queued samples should hold memory: {queued} bytes"
            );
        }

        // Traffic goes on, lightly: the queue's blocks are freed through epoch-based reclamation,
        // which recording drives along (as requests do in the app).
        let deadline = Instant::now() + interval * 10;
        let drained = loop {
            let held = live_bytes() - before;
            if held < QUEUED_AT_LEAST / 4 || Instant::now() > deadline {
                break held;
            }
            for _ in 0..1000 {
                histogram.record(0.001);
            }
            std::thread::sleep(interval / 20);
        };
        assert!(
            drained < QUEUED_AT_LEAST / 4,
            "upkeep should have drained the queued samples within {:?}; still {drained} bytes",
            interval * 10
        );
        drop(recorder);
    }
}
