//! Serving a router over plain HTTP or HTTPS on an already-bound listener, with graceful shutdown.
//! Binding first lets callers use port 0 and learn the port before building the emulator (whose
//! issuer URLs contain it).

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum_server::tls_rustls::RustlsConfig;

use crate::tls::TlsMaterial;

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<&TlsMaterial>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        None => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
        }
        Some(tls) => {
            install_crypto_provider();
            let config = RustlsConfig::from_pem(
                tls.cert_pem.clone().into_bytes(),
                tls.key_pem.clone().into_bytes(),
            )
            .await?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            });
            axum_server::from_tcp_rustls(listener, config)?
                .handle(handle)
                .serve(service)
                .await
        }
    }
}

/// rustls needs a process-wide crypto provider; aws-lc-rs is the one the workspace builds with.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
