//! The application state, in the parts handlers take (`State(sessions): State<Arc<Sessions>>`,
//! as in axum's own examples): the configuration, the identity client, the sessions, access
//! tokens, Graph, OneNote and exports. Built once at start-up.

use std::sync::Arc;

use axum::extract::FromRef;
use graph::GraphClient;
use identity::{CertificateCredential, ClientConfig, ClientCredential, IdentityClient, Secret};

use crate::config::{Config, CredentialConfig};
use crate::csrf::Csrf;
use crate::error::Chain;
use crate::exports::Exports;
use crate::features::Feature;
use crate::mcp::client_metadata::MetadataFetcher;
use crate::onenote::access::OneNote;
use crate::session::{AnyStore, Sessions};
use crate::tokens::Tokens;

/// Every part, behind one `Arc`: the router clones the state for every request, and a clone of
/// each part (their `Arc`s, the Graph client's URL, the exports' folder) cost a few percent of a
/// signed-in page. A handler takes only the parts it names (`State<Exports>`, …: [`FromRef`]).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

/// What the app runs on.
pub struct Parts {
    pub config: Arc<Config>,
    pub identity: Arc<IdentityClient>,
    pub sessions: Arc<Sessions>,
    pub tokens: Tokens,
    pub graph: GraphClient,
    pub onenote: OneNote,
    pub exports: Exports,
    pub csrf: Arc<Csrf>,
    /// MCP clients' metadata documents, fetched with the SSRF rules of `mcp::client_metadata`.
    pub mcp_metadata: Arc<MetadataFetcher>,
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// `State<T>` for each part.
macro_rules! parts_from_state {
    ($($part:ident: $type:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $type {
            fn from_ref(state: &AppState) -> $type {
                state.$part.clone()
            }
        })*
    };
}

parts_from_state!(
    config: Arc<Config>,
    identity: Arc<IdentityClient>,
    sessions: Arc<Sessions>,
    tokens: Tokens,
    graph: GraphClient,
    onenote: OneNote,
    exports: Exports,
    csrf: Arc<Csrf>,
    mcp_metadata: Arc<MetadataFetcher>,
);

/// A start-up failure, as one line for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartupError(pub String);

impl StartupError {
    /// `VARIABLE: what went wrong: why` (the whole chain of causes, on one line).
    fn because(variable: &str, e: &(dyn std::error::Error + 'static)) -> StartupError {
        StartupError(format!("{variable}: {}", Chain(e)))
    }
}

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
                        .map_err(|e| StartupError::because("CLIENT_CERTIFICATE_PATH", &e))?,
                )
            }
        };
        let identity = Arc::new(
            IdentityClient::new(ClientConfig {
                client_id: config.client_id.clone(),
                credential,
                authority: config.authority.clone(),
                extra_ca_pem: ca_pem.clone(),
                response_mode: config.response_mode,
                // The app answers claims challenges (Continuous Access Evaluation, step-up).
                capabilities: vec!["cp1".into()],
            })
            .map_err(|e| StartupError::because("CA_BUNDLE", &e))?,
        );
        let mut graph = GraphClient::new(
            &config.graph_endpoint,
            ca_pem.as_deref(),
            config.onenote_limits,
        )
        .map_err(|e| StartupError::because("GRAPH_ENDPOINT", &e))?;
        graph.retry.max_total_wait = config.onenote_wait;
        let store = AnyStore::open(&config.session_store, ca_pem.as_deref())
            .map_err(|e| StartupError::because("SESSION_STORE", &e))?;
        // Several instances on one Redis keep one OneNote budget per user between them.
        if let Some(gate) = store.onenote_gate(&config.client_id, config.onenote_limits) {
            graph = graph.with_gate(gate);
        }
        let sessions = Arc::new(Sessions::new(&config, store));
        let tokens = Tokens::new(identity.clone(), sessions.clone());
        let onenote = OneNote::new(tokens.clone(), graph.clone(), &config.scopes);
        let exports = Exports::new(
            &config,
            &sessions.store,
            tokens.clone(),
            graph.clone(),
            Feature::OneNote.scopes_with(&config.scopes).into(),
        )
        .map_err(|e| StartupError::because("DATA_DIR", &e))?;
        let csrf = Arc::new(Csrf::new(&config.session_secrets[0]));
        let mcp_metadata = Arc::new(
            MetadataFetcher::new(ca_pem.as_deref(), config.mcp_metadata_loopback)
                .map_err(StartupError)?,
        );
        Ok(AppState(Arc::new(Parts {
            config: Arc::new(config),
            identity,
            sessions,
            tokens,
            graph,
            onenote,
            exports,
            csrf,
            mcp_metadata,
        })))
    }
}
