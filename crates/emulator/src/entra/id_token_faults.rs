//! Deliberately broken ID tokens, armed through the admin API, so a relying party's validation
//! can be tested against the real flow: the next token response carries an ID token that is
//! forged, meant for someone else, from another issuer, expired, or for another nonce.

use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::keys::SigningKey;

/// One way to break an ID token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdTokenFault {
    /// Signed by a key that is not published, under the `kid` of one that is.
    BadSignature,
    WrongAudience,
    WrongIssuer,
    Expired,
    NotYetValid,
    WrongNonce,
}

/// Faults waiting to be applied, one per issued ID token, in order.
#[derive(Default)]
pub struct IdTokenFaults {
    queue: Mutex<VecDeque<IdTokenFault>>,
    rogue_key: OnceLock<Option<SigningKey>>,
}

impl IdTokenFaults {
    pub fn arm(&self, fault: IdTokenFault, count: usize) {
        let mut queue = self.queue.lock().expect("fault lock");
        queue.extend(std::iter::repeat_n(fault, count));
    }

    pub fn clear(&self) {
        self.queue.lock().expect("fault lock").clear();
    }

    pub fn next(&self) -> Option<IdTokenFault> {
        self.queue.lock().expect("fault lock").pop_front()
    }

    /// Changes the claims as the fault demands.
    pub fn apply_to_claims(fault: IdTokenFault, claims: &mut Value) {
        let now = claims["iat"].as_i64().unwrap_or_default();
        match fault {
            IdTokenFault::WrongAudience => claims["aud"] = json!(uuid::Uuid::new_v4()),
            IdTokenFault::WrongIssuer => {
                claims["iss"] =
                    json!("https://login.evil.example/00000000-0000-0000-0000-000000000000/v2.0")
            }
            IdTokenFault::Expired => {
                claims["iat"] = json!(now - 7200);
                claims["nbf"] = json!(now - 7200);
                claims["exp"] = json!(now - 3600);
            }
            IdTokenFault::NotYetValid => {
                claims["nbf"] = json!(now + 3600);
                claims["exp"] = json!(now + 7200);
            }
            IdTokenFault::WrongNonce => claims["nonce"] = json!("not-the-nonce-you-sent"),
            IdTokenFault::BadSignature => {}
        }
    }

    /// Signs with a key nobody published, keeping the header's `kid` of the real one.
    pub fn forge(&self, claims: &Value, real_kid: &str) -> Option<String> {
        let rogue = self
            .rogue_key
            .get_or_init(|| SigningKey::generate().ok())
            .as_ref()?;
        let token = rogue.sign(claims, false);
        // Swap the header for one naming the published key.
        let (_, rest) = token.split_once('.')?;
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": real_kid});
        use base64::Engine;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string());
        Some(format!("{header}.{rest}"))
    }
}
