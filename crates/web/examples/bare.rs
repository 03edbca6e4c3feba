//! The benchmark's ceiling: a bare axum handler on the same axum, tokio and hyper as the app,
//! with no middleware, no session and no template (`scripts/bench` drives it; not part of the
//! app). It answers `GET /` with a fixed HTML page about the size of the app's signed-in home
//! page, so both answers cost the same to write.
//!
//! ```text
//! bare [127.0.0.1:PORT]     prints `bare listening on http://ADDR` once it listens
//! ```

use axum::Router;
use axum::response::Html;
use axum::routing::get;

/// About as long as graphnote's signed-in `/` (2.3 kB with its layout).
static PAGE: &str = include_str!("bare_page.html");

#[tokio::main]
async fn main() {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .expect("bind the listen address");
    println!(
        "bare listening on http://{}",
        listener.local_addr().unwrap()
    );
    let app = Router::new().route("/", get(|| async { Html(PAGE) }));
    axum::serve(listener, app).await.expect("serve");
}
