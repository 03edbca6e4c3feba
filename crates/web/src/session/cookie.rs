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
    /// The signed-out mark's name: the session cookie's, with `-signed-out` after it.
    mark: String,
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
            mark: format!("{name}-signed-out"),
        }
    }

    /// The cookie's value in a request, if present (the first one: browsers send the most
    /// specific path first).
    pub fn read<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        read_named(headers, &self.name)
    }

    /// `Set-Cookie` for a session id. A session cookie (no Max-Age): the server decides expiry.
    pub fn set(&self, id: &str) -> HeaderValue {
        self.set_cookie(&self.name, id, None)
    }

    /// `Set-Cookie` that removes the session cookie.
    pub fn clear(&self) -> HeaderValue {
        self.set_cookie(&self.name, "", Some(0))
    }

    /// `Set-Cookie` for the signed-out mark (ten minutes: the round trip through the provider's
    /// sign-out page).
    pub fn mark_signed_out(&self) -> HeaderValue {
        self.set_cookie(&self.mark, "1", Some(600))
    }

    /// Whether the request carries the signed-out mark.
    pub fn is_marked_signed_out(&self, headers: &HeaderMap) -> bool {
        read_named(headers, &self.mark) == Some("1")
    }

    /// `Set-Cookie` that removes the signed-out mark (once its page has been shown).
    pub fn clear_signed_out_mark(&self) -> HeaderValue {
        self.set_cookie(&self.mark, "", Some(0))
    }

    /// `Set-Cookie` for `name=value` on the app's path: `HttpOnly`, `SameSite=Lax`, `Secure`
    /// over HTTPS, and `Max-Age` when given.
    fn set_cookie(&self, name: &str, value: &str, max_age: Option<u32>) -> HeaderValue {
        let max_age = max_age
            .map(|s| format!("; Max-Age={s}"))
            .unwrap_or_default();
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{name}={value}; Path={}{max_age}; HttpOnly; SameSite=Lax{secure}",
            self.path
        );
        HeaderValue::from_str(&cookie).expect("cookie values are base64url ids or constants")
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
