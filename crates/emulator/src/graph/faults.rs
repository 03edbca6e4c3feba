//! Fault rules for Graph calls, armed through the admin API (`POST /_emulator/faults`), so tests
//! can make Graph fail the ways real clients must survive. A rule matches a method (optional,
//! any when absent), a path prefix (compared case-insensitively with the decoded request path,
//! e.g. `/v1.0/me/onenote/pages`) and optionally a user (UPN or object id), and answers the next
//! `count` matching requests (default 1). Rule JSON:
//!
//! ```json
//! {"method": "GET", "path": "/v1.0/me/onenote", "user": "ada@contoso.example", "count": 2,
//!  "answer": {"kind": "status", "status": 429, "retry_after": 3}}
//! ```
//!
//! Answers (`answer.kind`):
//! * `status` — `status` (400–599) with a Graph-shaped body: 429 is `TooManyRequests` (OneNote
//!   paths: `20166`), 500 `generalException` (`10001`), 503 `serviceNotAvailable` (`10002`), 504
//!   `gatewayTimeout` (`10007`); `Retry-After: n` only when `retry_after` is given.
//! * `latency` — waits `ms` milliseconds (at most 60000), then gives the real answer. The wait
//!   happens after the throttle admitted the request, so it counts as time in flight.
//! * `consent_required` — 403 with `WWW-Authenticate: Bearer realm="", authorization_uri="…",
//!   client_id="…", error="insufficient_scope", scope="<scope>"`; the body is OneNote's `40004`
//!   on OneNote paths and `Authorization_RequestDenied` elsewhere. `scope` defaults to
//!   `Notes.Read` on OneNote paths and `User.Read` elsewhere. This is exactly what a token
//!   without the needed scope gets, so a client reacts by asking the user for consent.
//! * `claims_challenge` — 401 `InvalidAuthenticationToken` with `WWW-Authenticate: Bearer
//!   realm="", authorization_uri="…", client_id="…", error="insufficient_claims",
//!   claims="<base64 of {"access_token":{"acrs":{"essential":true,"value":"<acrs>"}}}>"`. A
//!   token that already carries that `acrs` value (the token endpoint copies it from a `claims`
//!   parameter) passes the rule without using it up; `count` counts challenges sent.
//!
//! Rules apply after the token check (they need the user), in the order they were added; a used-up
//! rule stays listed with `remaining: 0` until `DELETE /_emulator/faults` clears the list.

use std::sync::Mutex;
use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{GraphError, THROTTLED_MESSAGE, bearer_challenge};

/// The longest latency a rule may add.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// A rule as the admin API receives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRuleSpec {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default = "one")]
    pub count: u32,
    /// Answer only every `every`-th matching request (1: each one), `count` times in all: a
    /// steady share of failures over a long run, such as one OneNote call in ten throttled.
    #[serde(default = "one")]
    pub every: u32,
    pub answer: FaultAnswer,
}

fn one() -> u32 {
    1
}

/// What a matching request gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAnswer {
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u64>,
    },
    Latency {
        ms: u64,
    },
    ConsentRequired {
        #[serde(default)]
        scope: Option<String>,
    },
    ClaimsChallenge {
        acrs: String,
    },
    /// Any Graph error, exactly as given: OneNote's 10008/10013 ("more than 5,000 items"), a
    /// 507, whatever a test needs.
    GraphError {
        status: u16,
        code: String,
        message: String,
    },
}

/// An armed rule, as the admin API lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRule {
    pub id: u64,
    pub method: Option<String>,
    pub path: String,
    /// The user's object id, when the rule is for one user.
    pub user: Option<Uuid>,
    pub remaining: u32,
    pub every: u32,
    /// Matching requests seen so far.
    pub seen: u64,
    pub answer: FaultAnswer,
}

/// Why a rule was refused.
#[derive(Debug, thiserror::Error)]
pub enum FaultRuleError {
    #[error("path must start with /v1.0/")]
    Path,
    #[error("method {0:?} is not an HTTP method")]
    Method(String),
    #[error("status must be between 400 and 599")]
    Status,
    #[error("latency must be at most {MAX_LATENCY_MS} ms")]
    Latency,
    #[error("acrs must be a short non-empty value")]
    Acrs,
    #[error("a graph_error needs a short code and a message without control characters")]
    GraphError,
}

/// The armed rules.
#[derive(Default)]
pub struct Faults {
    rules: Mutex<(u64, Vec<FaultRule>)>,
}

impl Faults {
    /// Arms a rule (the user already resolved to an object id).
    pub fn add(
        &self,
        spec: FaultRuleSpec,
        user: Option<Uuid>,
    ) -> Result<FaultRule, FaultRuleError> {
        if !spec.path.starts_with("/v1.0/") && spec.path != "/v1.0" {
            return Err(FaultRuleError::Path);
        }
        let method = match spec.method {
            Some(m) => {
                let parsed = Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| FaultRuleError::Method(m.clone()))?;
                Some(parsed.to_string())
            }
            None => None,
        };
        match &spec.answer {
            FaultAnswer::Status { status, .. } | FaultAnswer::GraphError { status, .. }
                if !(400..=599).contains(status) =>
            {
                return Err(FaultRuleError::Status);
            }
            FaultAnswer::GraphError { code, message, .. }
                if code.is_empty()
                    || code.len() > 64
                    || message.len() > 2048
                    || code.chars().chain(message.chars()).any(char::is_control) =>
            {
                return Err(FaultRuleError::GraphError);
            }
            FaultAnswer::Latency { ms } if *ms > MAX_LATENCY_MS => {
                return Err(FaultRuleError::Latency);
            }
            FaultAnswer::ClaimsChallenge { acrs }
                if acrs.is_empty()
                    || acrs.len() > 64
                    || !acrs.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                return Err(FaultRuleError::Acrs);
            }
            _ => {}
        }
        let mut rules = self.rules.lock().expect("faults lock");
        rules.0 += 1;
        let rule = FaultRule {
            id: rules.0,
            method,
            path: spec.path,
            user,
            remaining: spec.count,
            every: spec.every.max(1),
            seen: 0,
            answer: spec.answer,
        };
        rules.1.push(rule.clone());
        Ok(rule)
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().expect("faults lock").1.clone()
    }

    pub fn clear(&self) {
        self.rules.lock().expect("faults lock").1.clear();
    }

    pub fn remove(&self, id: u64) -> bool {
        let mut rules = self.rules.lock().expect("faults lock");
        let before = rules.1.len();
        rules.1.retain(|r| r.id != id);
        rules.1.len() != before
    }

    /// The answer for this request, if a rule matches; using it up by one.
    pub fn take(
        &self,
        method: &Method,
        path: &str,
        user: Option<Uuid>,
        acrs: &[String],
    ) -> Option<FaultAnswer> {
        let mut rules = self.rules.lock().expect("faults lock");
        let mut answer = None;
        for rule in rules.1.iter_mut().filter(|r| {
            r.remaining > 0
                && r.method.as_deref().is_none_or(|m| m == method.as_str())
                && starts_with_ignore_case(path, &r.path)
                && r.user.is_none_or(|u| Some(u) == user)
                && !matches!(&r.answer, FaultAnswer::ClaimsChallenge { acrs: wanted } if acrs.contains(wanted))
        }) {
            // Every matching rule counts the request; the first one whose turn it is answers.
            rule.seen += 1;
            if answer.is_none() && rule.seen % u64::from(rule.every) == 0 {
                rule.remaining -= 1;
                answer = Some(rule.answer.clone());
            }
        }
        answer
    }
}

fn starts_with_ignore_case(path: &str, prefix: &str) -> bool {
    path.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// What to do with a request a rule matched.
pub enum Outcome {
    /// Answer with this error.
    Fail(GraphError),
    /// Wait, then answer normally.
    Delay(Duration),
}

/// Turns a rule's answer into what the request gets. `onenote` picks OneNote's numeric codes.
pub fn outcome(answer: &FaultAnswer, base_url: &str, onenote: bool) -> Outcome {
    match answer {
        FaultAnswer::Latency { ms } => Outcome::Delay(Duration::from_millis(*ms)),
        FaultAnswer::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut error = status_error(status, onenote);
            if let Some(seconds) = retry_after {
                error = error.with_header(header::RETRY_AFTER, seconds.to_string());
            }
            Outcome::Fail(error)
        }
        FaultAnswer::ConsentRequired { scope } => {
            let scope = scope
                .clone()
                .unwrap_or_else(|| if onenote { "Notes.Read" } else { "User.Read" }.into());
            let error = if onenote {
                GraphError::onenote_missing_scope(base_url, &scope)
            } else {
                GraphError::insufficient_privileges().with_header(
                    header::WWW_AUTHENTICATE,
                    format!(
                        "{}, error=\"insufficient_scope\", scope=\"{scope}\"",
                        bearer_challenge(base_url)
                    ),
                )
            };
            Outcome::Fail(error)
        }
        FaultAnswer::GraphError {
            status,
            code,
            message,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST);
            Outcome::Fail(GraphError::new(status, code.clone(), message.clone()))
        }
        FaultAnswer::ClaimsChallenge { acrs } => {
            let claims =
                serde_json::json!({"access_token": {"acrs": {"essential": true, "value": acrs}}});
            Outcome::Fail(GraphError::claims_challenge(base_url, &claims))
        }
    }
}

/// The Graph-shaped error for a bare status.
fn status_error(status: StatusCode, onenote: bool) -> GraphError {
    let (code, onenote_code, message) = match status.as_u16() {
        429 if onenote => ("20166", 20166, THROTTLED_MESSAGE),
        429 => ("TooManyRequests", 0, "Please retry again later."),
        500 => (
            "generalException",
            10001,
            "An unexpected error occurred and the request failed.",
        ),
        503 => (
            "serviceNotAvailable",
            10002,
            "The service is not currently available.",
        ),
        504 => (
            "gatewayTimeout",
            10007,
            "The server is too busy to handle the incoming request at this moment. Please try again later.",
        ),
        s if s >= 500 => (
            "generalException",
            19999,
            "The request failed because an undetermined error occurred.",
        ),
        _ => ("BadRequest", 10017, "Bad Request."),
    };
    if onenote && onenote_code != 0 {
        GraphError::onenote(status, onenote_code, message)
    } else {
        GraphError::new(status, code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> FaultRuleSpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn rules_match_method_path_and_user_and_run_out() {
        let faults = Faults::default();
        let ada = Uuid::new_v4();
        faults
            .add(
                spec(
                    serde_json::json!({"method": "get", "path": "/v1.0/me/onenote", "count": 2,
                    "answer": {"kind": "status", "status": 503}}),
                ),
                Some(ada),
            )
            .unwrap();
        let get = Method::GET;
        assert!(
            faults
                .take(&Method::POST, "/v1.0/me/onenote/pages", Some(ada), &[])
                .is_none()
        );
        assert!(
            faults
                .take(&get, "/v1.0/me/onenote/pages", None, &[])
                .is_none()
        );
        assert!(
            faults
                .take(&get, "/v1.0/ME/OneNote/pages", Some(ada), &[])
                .is_some()
        );
        assert!(
            faults
                .take(&get, "/v1.0/me/onenote/pages", Some(ada), &[])
                .is_some()
        );
        assert!(
            faults
                .take(&get, "/v1.0/me/onenote/pages", Some(ada), &[])
                .is_none()
        );
        assert_eq!(faults.list()[0].remaining, 0);
    }

    #[test]
    fn claims_challenges_skip_tokens_that_satisfy_them() {
        let faults = Faults::default();
        faults
            .add(
                spec(serde_json::json!({"path": "/v1.0/me", "count": 5,
                    "answer": {"kind": "claims_challenge", "acrs": "c1"}})),
                None,
            )
            .unwrap();
        assert!(
            faults
                .take(&Method::GET, "/v1.0/me", None, &["c1".into()])
                .is_none()
        );
        assert!(faults.take(&Method::GET, "/v1.0/me", None, &[]).is_some());
    }

    #[test]
    fn bad_rules_are_refused() {
        let faults = Faults::default();
        let bad = [
            serde_json::json!({"path": "/me", "answer": {"kind": "latency", "ms": 1}}),
            serde_json::json!({"path": "/v1.0/me", "answer": {"kind": "status", "status": 200}}),
            serde_json::json!({"path": "/v1.0/me", "answer": {"kind": "latency", "ms": 999999}}),
            serde_json::json!({"path": "/v1.0/me", "answer": {"kind": "claims_challenge", "acrs": "a\"b"}}),
        ];
        for rule in bad {
            assert!(faults.add(spec(rule), None).is_err());
        }
        assert!(
            serde_json::from_value::<FaultRuleSpec>(
                serde_json::json!({"path": "/v1.0/me", "answer": {"kind": "status", "status": 500, "oops": 1}})
            )
            .is_err()
        );
    }
}
