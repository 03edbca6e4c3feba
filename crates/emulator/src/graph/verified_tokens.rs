//! A memo of the access tokens Graph has verified, so a client sending the same token for an hour
//! is checked in full once.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::entra::claims::AccessClaims;

/// Access tokens whose signature and audience have been verified, with their claims. Verifying
/// an RS256 signature with `jsonwebtoken` rebuilds the RSA public key each time, which made it
/// two thirds of the emulator's work per Graph call (about 340,000 instructions), and a client
/// sends the same token for an hour. At most `CAPACITY` tokens; when full, an arbitrary one
/// makes room. A token whose key has been retired since is refused before this is consulted.
#[derive(Default)]
pub struct VerifiedTokens {
    tokens: Mutex<HashMap<String, AccessClaims>>,
}

impl VerifiedTokens {
    const CAPACITY: usize = 4096;

    pub fn get(&self, token: &str) -> Option<AccessClaims> {
        self.tokens.lock().ok()?.get(token).cloned()
    }

    pub fn put(&self, token: &str, claims: &AccessClaims) {
        let Ok(mut tokens) = self.tokens.lock() else {
            return;
        };
        if tokens.len() >= Self::CAPACITY {
            let victim = tokens.keys().next().cloned();
            if let Some(victim) = victim {
                tokens.remove(&victim);
            }
        }
        tokens.insert(token.to_string(), claims.clone());
    }
}
