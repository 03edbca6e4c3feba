//! The session cookie: only the opaque id, `HttpOnly`, `SameSite=Lax`, `Secure` whenever the app
//! is served over HTTPS, and the `__Host-` prefix when it can be used (HTTPS, no path prefix),
//! which stops subdomains and plain-HTTP pages from planting or overwriting it. Beside it, for a
//! few minutes after sign-out, a mark that holds no secret (`1`): the page the provider sends the
//! browser back to reads it to say "you have signed out" rather than start a new sign-in.

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
        read_named(headers, &self.name)
    }

    /// `Set-Cookie` for the signed-out mark (ten minutes: the round trip through the provider's
    /// sign-out page).
    pub fn mark_signed_out(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}-signed-out=1; Path={}; Max-Age=600; HttpOnly; SameSite=Lax{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&value).expect("a constant cookie")
    }

    /// Whether the request carries the signed-out mark.
    pub fn is_marked_signed_out(&self, headers: &HeaderMap) -> bool {
        read_named(headers, &format!("{}-signed-out", self.name)) == Some("1")
    }

    /// `Set-Cookie` that removes the signed-out mark (once its page has been shown).
    pub fn clear_signed_out_mark(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}-signed-out=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&value).expect("a constant cookie")
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

    /// `Set-Cookie` that removes the session cookie.
    pub fn clear(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&value).expect("a constant cookie")
    }
}

/// The value of the cookie called `wanted` in a request (the first one).
fn read_named<'a>(headers: &'a HeaderMap, wanted: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
}
