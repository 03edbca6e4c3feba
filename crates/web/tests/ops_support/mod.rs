//! Helpers for the operations tests: a minimal reverse proxy, a Redis with persistence or TLS,
//! and client certificates.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;

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

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A redis-server with extra arguments, stopped at drop.
pub struct Redis {
    child: std::process::Child,
    pub port: u16,
}

impl Redis {
    pub async fn start(port: u16, args: &[&str]) -> Redis {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", ""])
            .args(args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (scripts/test installs it)");
        let redis = Redis { child, port };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port)))
                .await
                .is_ok()
            {
                return redis;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on {port}");
    }

    /// Plain TCP on `port`, every write on disk before it is acknowledged.
    pub async fn persistent(port: u16, dir: &Path) -> Redis {
        let port_text = port.to_string();
        let dir = dir.display().to_string();
        Self::start(
            port,
            &[
                "--port",
                &port_text,
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                &dir,
            ],
        )
        .await
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
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
