//! The session cookie: only the opaque id, `HttpOnly`, `SameSite=Lax`, `Secure` whenever the app
//! is served over HTTPS, and the `__Host-` prefix when it can be used (HTTPS, no path prefix),
//! which stops subdomains and plain-HTTP pages from planting or overwriting it.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::config::Config;

/// How the cookie is written.
#[derive(Debug, Clone)]
pub struct CookieSettings {
    pub name: String,
    pub secure: bool,
    pub path: String,
}

impl CookieSettings {
    pub fn from_config(config: &Config) -> CookieSettings {
        let prefix = config.path_prefix();
        let secure = config.is_https();
        let name = if secure && prefix.is_empty() {
            "__Host-graphnote"
        } else {
            "graphnote_session"
        };
        CookieSettings {
            name: name.to_string(),
            secure,
            path: if prefix.is_empty() {
                "/".into()
            } else {
                prefix
            },
        }
    }

    /// The cookie's value in a request, if present (the first one: browsers send the most
    /// specific path first).
    pub fn read<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name)
            .map(|(_, value)| value.trim())
    }

    /// `Set-Cookie` for a session id. A session cookie (no Max-Age): the server decides expiry.
    pub fn set(&self, id: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}={id}; Path={}; HttpOnly; SameSite=Lax{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&value).expect("session ids are base64url")
    }

    /// `Set-Cookie` that removes the cookie.
    pub fn clear(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&value).expect("a constant cookie")
    }
}
