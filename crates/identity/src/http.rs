//! The HTTP client used for the identity provider: rustls with the platform's roots plus an
//! optional extra CA (the emulator's), timeouts, no redirects (identity endpoints never redirect
//! and following one could leak a secret to another host).

use std::time::Duration;

use crate::error::IdentityError;

/// Builds the client. `extra_ca_pem` is trusted in addition to the system roots.
pub fn client(extra_ca_pem: Option<&str>) -> Result<reqwest::Client, IdentityError> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("graphnote/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = extra_ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| IdentityError::config_because("the CA bundle is not valid PEM", e))?;
        if certs.is_empty() {
            return Err(IdentityError::config("the CA bundle holds no certificate"));
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| IdentityError::config_because("cannot build the HTTP client", e))
}

/// Turns a transport failure into an error that names the URL (never a secret: URLs we call
/// carry no secrets, bodies do); the cause is kept without its URL, which is already named.
pub fn unreachable(url: &str, error: reqwest::Error) -> IdentityError {
    IdentityError::Unreachable {
        url: url.to_string(),
        source: error.without_url(),
    }
}
