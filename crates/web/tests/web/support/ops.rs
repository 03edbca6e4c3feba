//! Helpers for the operations tests: a minimal reverse proxy, free ports and client
//! certificates.

pub use emulator::testing::free_port;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;

/// A reverse proxy on `listener` that forwards everything to `upstream` (scheme://host:port),
/// adding the usual forwarded headers as a real proxy would.
pub async fn start_proxy(listener: tokio::net::TcpListener, upstream: String) {
    let port = listener.local_addr().unwrap().port();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let app =
        Router::new()
            .fallback(forward)
            .with_state((client, upstream, format!("localhost:{port}")));
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
}

async fn forward(
    State((client, upstream, host)): State<(reqwest::Client, String, String)>,
    request: Request,
) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let method = request.method().clone();
    let mut headers = request.headers().clone();
    headers.remove("host");
    headers.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    headers.insert("x-forwarded-proto", "http".parse().unwrap());
    headers.insert("x-forwarded-host", host.parse().unwrap());
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    let upstream = client
        .request(method, format!("{upstream}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let mut response = Response::builder().status(upstream.status());
    for (name, value) in upstream.headers() {
        if name != "transfer-encoding" && name != "connection" && name != "content-length" {
            response = response.header(name, value);
        }
    }
    response
        .body(Body::from(upstream.bytes().await.unwrap()))
        .unwrap()
}

/// A self-signed RSA certificate and its key as one PEM bundle, and the certificate alone.
pub fn client_certificate() -> (String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "graphnote test client");
    let cert = params.self_signed(&key).unwrap();
    (format!("{}{}", cert.pem(), key.serialize_pem()), cert.pem())
}
