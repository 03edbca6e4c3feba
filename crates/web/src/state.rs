//! The application state every handler gets: configuration, the identity and Graph clients, the
//! session manager and the refresh coordinator. Built once at start-up.

use std::sync::Arc;

use graph::GraphClient;
use identity::{CertificateCredential, ClientConfig, ClientCredential, IdentityClient, Secret};

use crate::config::{Config, CredentialConfig};
use crate::session::{AnyStore, Sessions};
use crate::tokens::RefreshCoordinator;

/// Shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub identity: IdentityClient,
    pub graph: GraphClient,
    pub sessions: Sessions,
    pub refresh: RefreshCoordinator,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// A start-up failure, as one line for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

impl AppState {
    /// Builds the state: reads the CA bundle and client certificate, opens the session store.
    pub fn new(config: Config) -> Result<AppState, StartupError> {
        crate::metrics::install();
        let ca_pem = match &config.ca_bundle {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                StartupError(format!("CA_BUNDLE: cannot read {}: {e}", path.display()))
            })?),
            None => None,
        };
        let credential = match &config.credential {
            CredentialConfig::Secret(s) => ClientCredential::Secret(Secret::new(s.clone())),
            CredentialConfig::CertificateFile(path) => {
                let pem = std::fs::read_to_string(path).map_err(|e| {
                    StartupError(format!(
                        "CLIENT_CERTIFICATE_PATH: cannot read {}: {e}",
                        path.display()
                    ))
                })?;
                ClientCredential::Certificate(
                    CertificateCredential::from_pem(&pem)
                        .map_err(|e| StartupError(format!("CLIENT_CERTIFICATE_PATH: {e}")))?,
                )
            }
        };
        let identity = IdentityClient::new(ClientConfig {
            client_id: config.client_id.clone(),
            credential,
            authority: config.authority.clone(),
            extra_ca_pem: ca_pem.clone(),
            response_mode: config.response_mode,
        })
        .map_err(|e| StartupError(format!("CA_BUNDLE: {e}")))?;
        let graph = GraphClient::new(
            &config.graph_endpoint,
            ca_pem.as_deref(),
            config.onenote_limits,
        )
        .map_err(|e| StartupError(format!("GRAPH_ENDPOINT: {e}")))?;
        let store = AnyStore::open(&config.session_store, ca_pem.as_deref())
            .map_err(|e| StartupError(format!("SESSION_STORE: {e}")))?;
        let sessions = Sessions::new(&config, store);
        Ok(AppState(Arc::new(Inner {
            config,
            identity,
            graph,
            sessions,
            refresh: RefreshCoordinator::default(),
        })))
    }
}
