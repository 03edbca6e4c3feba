//! Typed configuration, read once at start-up from the environment (and `.env`, loaded by the
//! binary). Names are the Python sample's where it has them. A missing or malformed value is a
//! [`ConfigError`] naming the variable and saying what is expected; nothing starts half-configured.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use identity::{Authority, ResponseMode};
use ipnet::IpNet;
use url::Url;

/// Where sessions live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStoreConfig {
    Sqlite(PathBuf),
    Redis(String),
}

/// How the app authenticates to the token endpoint.
#[derive(Debug, Clone)]
pub enum CredentialConfig {
    Secret(String),
    /// A PEM file with the certificate and its private key.
    CertificateFile(PathBuf),
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub client_id: String,
    pub credential: CredentialConfig,
    pub authority: Authority,
    /// Resource scopes asked for at sign-in (`SCOPE`).
    pub scopes: Vec<String>,
    pub redirect_path: String,
    /// The externally visible base URL, without a trailing slash (may carry a path prefix).
    pub public_url: Url,
    pub graph_endpoint: String,
    pub session_store: SessionStoreConfig,
    /// Key material for token-cache encryption, newest first.
    pub session_secrets: Vec<String>,
    pub listen: SocketAddr,
    pub ca_bundle: Option<PathBuf>,
    pub trusted_proxies: Vec<IpNet>,
    pub log_format: LogFormat,
    pub response_mode: ResponseMode,
    pub data_dir: PathBuf,
    /// A session nobody used for this long is over (`SESSION_IDLE_SECONDS`).
    pub session_idle: Duration,
    /// A session this old is over, used or not (`SESSION_MAX_AGE_SECONDS`).
    pub session_max_age: Duration,
    /// OneNote's per-user limits the app keeps to (`ONENOTE_MAX_CONCURRENT`,
    /// `ONENOTE_PER_MINUTE`, `ONENOTE_PER_HOUR`; OneNote's own: 5, 120, 400).
    pub onenote_limits: graph::Limits,
    /// How long a page may wait for its turn within those limits (and for Graph's own
    /// throttling to pass) before it says "try again in N s" (`ONENOTE_WAIT_SECONDS`).
    pub onenote_wait: Duration,
    /// How long requests in flight may take to finish after a stop signal.
    pub shutdown_grace: Duration,
    /// A request taking longer than this is answered 408.
    pub request_timeout: Duration,
    /// How long a finished export is kept before it is deleted (`EXPORT_RETENTION_HOURS`,
    /// default 7 days).
    pub export_retention: Duration,
    /// How often each instance looks for export work (`EXPORT_POLL_MILLISECONDS`, 1000).
    pub export_poll: Duration,
    /// How long an instance's claim on a running export lasts unless renewed: after a crash,
    /// another instance takes the export over this long after (`EXPORT_LEASE_SECONDS`, 30).
    pub export_lease: Duration,
    /// The first wait before trying again a OneNote call that failed without `Retry-After`
    /// (doubling each time; `EXPORT_RETRY_MILLISECONDS`, 2000).
    pub export_first_retry: Duration,
    /// The most one upload of OneNote files may hold, in bytes (`UPLOAD_MAX_BYTES`, 2 GiB).
    pub upload_max_bytes: u64,
    /// Whether the MCP server (`/mcp`, its OAuth authorization server and `/connections`) is
    /// served (`MCP`, `on` or `off`; on unless turned off: see `crate::mcp`).
    pub mcp: bool,
    /// Whether an MCP client's metadata document (its `client_id` URL) may be fetched from a
    /// loopback address, over http too (`MCP_CLIENT_METADATA_LOOPBACK`, `on` or `off`): for
    /// tests and local development; never elsewhere, where it would let a client make graphnote
    /// call services on its own machine.
    pub mcp_metadata_loopback: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A configuration problem: the variable and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn error(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// The shortest accepted `SESSION_SECRET` key: 32 characters of randomness.
pub const MIN_SECRET_LEN: usize = 32;

impl Config {
    /// Reads the configuration through `var` (the process environment in production).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let client_id = get("CLIENT_ID").ok_or_else(|| {
            error(
                "CLIENT_ID",
                "is not set; use the Application (client) ID of your app registration",
            )
        })?;
        let credential = match (get("CLIENT_SECRET"), get("CLIENT_CERTIFICATE_PATH")) {
            (Some(secret), None) => CredentialConfig::Secret(secret),
            (None, Some(path)) => CredentialConfig::CertificateFile(PathBuf::from(path)),
            (Some(_), Some(_)) => {
                return Err(error(
                    "CLIENT_SECRET",
                    "and CLIENT_CERTIFICATE_PATH are both set; set exactly one client credential",
                ));
            }
            (None, None) => {
                return Err(error(
                    "CLIENT_SECRET",
                    "is not set; use a client secret value of your app registration (or set CLIENT_CERTIFICATE_PATH)",
                ));
            }
        };
        let authority_text =
            get("AUTHORITY").unwrap_or_else(|| "https://login.microsoftonline.com/common".into());
        let authority =
            Authority::parse(&authority_text).map_err(|e| error("AUTHORITY", e.to_string()))?;

        let scopes: Vec<String> = get("SCOPE")
            .unwrap_or_else(|| "User.Read".into())
            .split_whitespace()
            .map(str::to_string)
            .collect();

        let redirect_path = get("REDIRECT_PATH").unwrap_or_else(|| "/getAToken".into());
        if !redirect_path.starts_with('/')
            || redirect_path.starts_with("//")
            || redirect_path.contains(['?', '#'])
        {
            return Err(error(
                "REDIRECT_PATH",
                format!("{redirect_path:?} must be a path such as /getAToken"),
            ));
        }

        let public_text = get("PUBLIC_URL").ok_or_else(|| {
            error(
                "PUBLIC_URL",
                "is not set; use the URL people reach the app at, e.g. https://notes.example.com or http://localhost:5000",
            )
        })?;
        let public_url = parse_public_url(&public_text)?;

        let graph_endpoint = match get("GRAPH_ENDPOINT") {
            Some(g) => {
                let url = Url::parse(&g)
                    .map_err(|_| error("GRAPH_ENDPOINT", format!("{g:?} is not a URL")))?;
                if !matches!(url.scheme(), "https" | "http") {
                    return Err(error("GRAPH_ENDPOINT", "must be an http(s) URL"));
                }
                g.trim_end_matches('/').to_string()
            }
            None => authority
                .cloud
                .graph_endpoint()
                .unwrap_or("https://graph.microsoft.com")
                .to_string(),
        };

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| ".data".into()));
        let session_store = match get("SESSION_STORE") {
            None => SessionStoreConfig::Sqlite(data_dir.join("sessions.sqlite3")),
            Some(s) if s.starts_with("sqlite:") => {
                let path = s.trim_start_matches("sqlite:").trim_start_matches("//");
                if path.is_empty() {
                    return Err(error(
                        "SESSION_STORE",
                        "sqlite: needs a file path, e.g. sqlite:.data/sessions.sqlite3",
                    ));
                }
                SessionStoreConfig::Sqlite(PathBuf::from(path))
            }
            Some(s) if s.starts_with("redis://") || s.starts_with("rediss://") => {
                Url::parse(&s)
                    .map_err(|_| error("SESSION_STORE", "is not a valid redis:// URL"))?;
                SessionStoreConfig::Redis(s)
            }
            Some(s) => {
                return Err(error(
                    "SESSION_STORE",
                    format!("{s:?} is neither sqlite:PATH nor redis://HOST:PORT/N"),
                ));
            }
        };

        let secrets_text = get("SESSION_SECRET").ok_or_else(|| {
            error(
                "SESSION_SECRET",
                format!("is not set; use at least {MIN_SECRET_LEN} random characters (several keys: newest first, comma-separated)"),
            )
        })?;
        let session_secrets: Vec<String> = secrets_text
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        if session_secrets.iter().any(|s| s.len() < MIN_SECRET_LEN) {
            return Err(error(
                "SESSION_SECRET",
                format!("every key must be at least {MIN_SECRET_LEN} characters long"),
            ));
        }

        let listen_text = get("LISTEN").unwrap_or_else(|| "127.0.0.1:5000".into());
        let listen = listen_text.parse().map_err(|_| {
            error(
                "LISTEN",
                format!("{listen_text:?} is not an address like 127.0.0.1:5000"),
            )
        })?;

        let ca_bundle = get("CA_BUNDLE").map(PathBuf::from);
        if let Some(path) = &ca_bundle
            && !path.is_file()
        {
            return Err(error(
                "CA_BUNDLE",
                format!("{} is not a readable file", path.display()),
            ));
        }

        let trusted_proxies = match get("TRUSTED_PROXIES") {
            None => vec![],
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                        .map_err(|_| {
                            error(
                                "TRUSTED_PROXIES",
                                format!("{s:?} is not an IP address or CIDR range"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };

        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(error(
                    "LOG_FORMAT",
                    format!("{other:?} must be text or json"),
                ));
            }
        };
        let response_mode = match get("RESPONSE_MODE").as_deref() {
            None | Some("query") => ResponseMode::Query,
            Some("form_post") => ResponseMode::FormPost,
            Some(other) => {
                return Err(error(
                    "RESPONSE_MODE",
                    format!("{other:?} must be query or form_post"),
                ));
            }
        };
        let mcp = match get("MCP").as_deref() {
            Some("off") => false,
            None | Some("on") => true,
            Some(other) => {
                return Err(error("MCP", format!("{other:?} must be on or off")));
            }
        };
        let mcp_metadata_loopback = match get("MCP_CLIENT_METADATA_LOOPBACK").as_deref() {
            None | Some("off") => false,
            Some("on") => true,
            Some(other) => {
                return Err(error(
                    "MCP_CLIENT_METADATA_LOOPBACK",
                    format!("{other:?} must be on or off"),
                ));
            }
        };
        let seconds = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match get(name) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| {
                        error(name, format!("{v:?} must be a positive number of seconds"))
                    }),
            }
        };
        let count = |name: &'static str, default: usize| -> Result<usize, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<NonZeroUsize>()
                    .map(NonZeroUsize::get)
                    .map_err(|_| error(name, format!("{v:?} must be a positive whole number"))),
            }
        };

        let request_timeout = seconds("REQUEST_TIMEOUT_SECONDS", 60)?;
        // Unless set, a page waits for OneNote 20 s, or half the request timeout if that is
        // shorter; set explicitly, it must leave the page time to answer.
        let onenote_wait = match get("ONENOTE_WAIT_SECONDS") {
            None => Duration::from_secs(20).min(request_timeout / 2),
            Some(_) => seconds("ONENOTE_WAIT_SECONDS", 20)?,
        };
        if onenote_wait >= request_timeout {
            return Err(error(
                "ONENOTE_WAIT_SECONDS",
                format!(
                    "{} s must be shorter than REQUEST_TIMEOUT_SECONDS ({} s), or pages would time out while waiting",
                    onenote_wait.as_secs(),
                    request_timeout.as_secs()
                ),
            ));
        }

        Ok(Config {
            client_id,
            credential,
            authority,
            scopes,
            redirect_path,
            public_url,
            graph_endpoint,
            session_store,
            session_secrets,
            listen,
            ca_bundle,
            trusted_proxies,
            log_format,
            response_mode,
            data_dir,
            session_idle: seconds("SESSION_IDLE_SECONDS", 12 * 3600)?,
            session_max_age: seconds("SESSION_MAX_AGE_SECONDS", 7 * 24 * 3600)?,
            shutdown_grace: seconds("SHUTDOWN_GRACE_SECONDS", 20)?,
            request_timeout,
            onenote_wait,
            onenote_limits: graph::Limits {
                concurrent: count("ONENOTE_MAX_CONCURRENT", 5)?,
                per_minute: count("ONENOTE_PER_MINUTE", 120)?,
                per_hour: count("ONENOTE_PER_HOUR", 400)?,
            },
            export_retention: Duration::from_secs(
                count("EXPORT_RETENTION_HOURS", 7 * 24)? as u64 * 3600,
            ),
            export_poll: Duration::from_millis(count("EXPORT_POLL_MILLISECONDS", 1000)? as u64),
            export_lease: seconds("EXPORT_LEASE_SECONDS", 30)?,
            export_first_retry: Duration::from_millis(
                count("EXPORT_RETRY_MILLISECONDS", 2000)? as u64
            ),
            upload_max_bytes: count("UPLOAD_MAX_BYTES", 2 << 30)? as u64,
            mcp,
            mcp_metadata_loopback,
        })
    }

    /// `PUBLIC_URL` as text without a trailing slash.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_string()
    }

    /// The path prefix the app lives under ("" or e.g. "/app").
    pub fn path_prefix(&self) -> String {
        self.public_url.path().trim_end_matches('/').to_string()
    }

    /// Whether people reach the app over HTTPS (cookies get `Secure`, responses HSTS).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

fn parse_public_url(text: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(text).map_err(|_| error("PUBLIC_URL", format!("{text:?} is not a URL")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(error(
            "PUBLIC_URL",
            format!("{text:?} must be an http(s) URL with a host"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(error("PUBLIC_URL", "must not have a query or fragment"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_env(|k| env.get(k).cloned())
    }

    const MINIMAL: [(&str, &str); 4] = [
        ("CLIENT_ID", "id"),
        ("CLIENT_SECRET", "secret"),
        ("PUBLIC_URL", "https://notes.example.com"),
        ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
    ];

    #[test]
    fn the_minimal_configuration_has_sensible_defaults() {
        let c = with(&MINIMAL).unwrap();
        assert_eq!(c.public_base(), "https://notes.example.com");
        assert_eq!(c.redirect_path, "/getAToken");
        assert_eq!(c.graph_endpoint, "https://graph.microsoft.com");
        assert_eq!(c.scopes, vec!["User.Read"]);
        assert_eq!(
            c.session_store,
            SessionStoreConfig::Sqlite(PathBuf::from(".data/sessions.sqlite3"))
        );
        assert!(c.is_https());
        assert_eq!(c.path_prefix(), "");
        assert!(c.mcp);
        assert!(!c.mcp_metadata_loopback);
    }

    #[test]
    fn each_problem_names_its_variable() {
        let cases: [(&str, &str, &str); 10] = [
            ("CLIENT_ID", "", "CLIENT_ID"),
            ("PUBLIC_URL", "notes.example.com", "PUBLIC_URL"),
            ("SESSION_SECRET", "short", "SESSION_SECRET"),
            (
                "AUTHORITY",
                "http://login.microsoftonline.com/common",
                "AUTHORITY",
            ),
            ("SESSION_STORE", "postgres://x", "SESSION_STORE"),
            ("LISTEN", "everywhere", "LISTEN"),
            ("REDIRECT_PATH", "getAToken", "REDIRECT_PATH"),
            ("TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES"),
            ("LOG_FORMAT", "xml", "LOG_FORMAT"),
            ("MCP", "yes", "MCP"),
        ];
        for (name, value, variable) in cases {
            let mut env: Vec<(&str, &str)> = MINIMAL
                .iter()
                .copied()
                .filter(|(k, _)| *k != name)
                .collect();
            env.push((name, value));
            let err = with(&env).unwrap_err();
            assert_eq!(err.variable, variable, "{name}={value}: {err}");
        }
    }

    #[test]
    fn counts_and_durations_say_which_they_are() {
        for (name, value, expected) in [
            (
                "ONENOTE_MAX_CONCURRENT",
                "abc",
                "must be a positive whole number",
            ),
            ("ONENOTE_PER_MINUTE", "0", "must be a positive whole number"),
            ("ONENOTE_PER_HOUR", "1.5", "must be a positive whole number"),
            (
                "SESSION_IDLE_SECONDS",
                "-1",
                "must be a positive number of seconds",
            ),
            (
                "REQUEST_TIMEOUT_SECONDS",
                "soon",
                "must be a positive number of seconds",
            ),
        ] {
            let mut env = MINIMAL.to_vec();
            env.push((name, value));
            let err = with(&env).unwrap_err();
            assert_eq!(err.variable, name);
            assert!(err.problem.ends_with(expected), "{name}={value}: {err}");
        }
        let mut env = MINIMAL.to_vec();
        env.extend([
            ("ONENOTE_MAX_CONCURRENT", "3"),
            ("SHUTDOWN_GRACE_SECONDS", "7"),
        ]);
        let c = with(&env).unwrap();
        assert_eq!(c.onenote_limits.concurrent, 3);
        assert_eq!(c.shutdown_grace, Duration::from_secs(7));
    }

    #[test]
    fn a_path_prefix_carries_into_the_public_base() {
        let mut env = MINIMAL.to_vec();
        env.retain(|(k, _)| *k != "PUBLIC_URL");
        env.push(("PUBLIC_URL", "https://example.com/app/"));
        let c = with(&env).unwrap();
        assert_eq!(c.public_base(), "https://example.com/app");
        assert_eq!(c.path_prefix(), "/app");
    }
}
