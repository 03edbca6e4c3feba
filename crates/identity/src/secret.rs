//! A string that must never be printed: tokens, secrets, codes. `Debug` and `Display` redact it,
//! so a stray `{:?}` in a log line cannot leak it; serde writes the value (the caller encrypts).

use serde::{Deserialize, Serialize};

/// A secret value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("eyJ0eXAi.super.secret");
        assert!(!format!("{s:?} {s}").contains("super"));
        assert_eq!(s.expose(), "eyJ0eXAi.super.secret");
    }
}
