//! Graph failures as types: what the app shows differs for an expired token, a missing consent,
//! throttling, a missing item and an outage.

use std::time::Duration;

use serde::Deserialize;

/// Graph's error body: `{"error": {"code", "message", "innerError": {...}}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct GraphErrorBody {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub error: GraphErrorBody,
}

/// What went wrong calling Graph.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// 401: the token is expired, revoked or not accepted. `claims` carries a claims challenge
    /// (`WWW-Authenticate: … error="insufficient_claims", claims="…"`), already base64-decoded.
    #[error("Microsoft Graph did not accept the access token ({code})")]
    Unauthorized {
        code: String,
        claims: Option<String>,
    },
    /// 403: the token lacks a permission, or consent is missing.
    #[error("Microsoft Graph refused access ({code}): {message}")]
    Forbidden { code: String, message: String },
    #[error("Microsoft Graph has no such item ({code})")]
    NotFound { code: String },
    /// 429 (or 503 with Retry-After) that retrying within the budget did not get past.
    #[error("Microsoft Graph is throttling requests for this user")]
    Throttled { retry_after: Option<Duration> },
    /// graphnote's own pacing: the call would break OneNote's limits for this user (a window is
    /// full, or every slot is taken) for longer than the caller can wait. Nothing was sent; no
    /// fault of Microsoft's.
    #[error("graphnote is keeping to OneNote's limits for this user")]
    Paced { retry_after: Duration },
    /// 5xx after retries.
    #[error("Microsoft Graph is unavailable (HTTP {status})")]
    Unavailable {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Another 4xx.
    #[error("Microsoft Graph rejected the request (HTTP {status}, {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// The request could not be sent or its answer not read (the URL is left out of the cause:
    /// Graph URLs carry ids, which belong in no log line).
    #[error("cannot reach Microsoft Graph")]
    Transport(#[source] reqwest::Error),
    #[error("Microsoft Graph sent a response graphnote cannot read")]
    Decode(#[source] reqwest::Error),
    /// A list's `@odata.nextLink` cannot be followed.
    #[error("Microsoft Graph sent an @odata.nextLink graphnote will not follow: {0}")]
    BadNextLink(&'static str),
    /// A download's redirect cannot be followed.
    #[error("Microsoft Graph sent a download address graphnote will not follow: {0}")]
    BadRedirect(&'static str),
    /// A downloaded file cannot be written to disk.
    #[error("a downloaded file cannot be written")]
    Write(#[source] std::io::Error),
    /// The shared OneNote gate (in the app's store) cannot be reached, so no OneNote call may
    /// start.
    #[error("the OneNote budget shared by graphnote's instances is unavailable")]
    GateUnavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The client itself could not be built (a bad `GRAPH_ENDPOINT` or CA bundle).
    #[error("cannot set up the Graph client: {problem}")]
    Setup {
        problem: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl GraphError {
    /// The error code Graph sent (`error.code`; OneNote's are numbers, e.g. `10008`), whatever
    /// the HTTP status it came with.
    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Unauthorized { code, .. }
            | GraphError::Forbidden { code, .. }
            | GraphError::NotFound { code }
            | GraphError::Rejected { code, .. } => Some(code),
            _ => None,
        }
    }

    /// When the caller may try again, if Graph said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GraphError::Throttled { retry_after } | GraphError::Unavailable { retry_after, .. } => {
                *retry_after
            }
            GraphError::Paced { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}
