//! Cross-site request forgery protection for the app's own forms (the export buttons): each
//! form carries a token that is an HMAC of the session id under a key derived from
//! `SESSION_SECRET`, so only a page the app rendered for this session can have it; and a
//! browser that says the request comes from another site (`Sec-Fetch-Site: cross-site`) is
//! refused whatever it carries. The session cookie's `SameSite=Lax` already keeps it off
//! cross-site POSTs in current browsers; this holds where it does not.

use aws_lc_rs::{constant_time, hmac};
use axum::http::HeaderMap;

use crate::error::AppError;
use crate::session::{Session, lower_hex};

/// Makes and checks form tokens.
pub struct Csrf {
    key: hmac::Key,
}

impl Csrf {
    /// A key of its own: the session secret with a label, so no other use of the secret makes
    /// the same MAC.
    pub fn new(session_secret: &str) -> Csrf {
        let derived = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, session_secret.as_bytes()),
            b"graphnote csrf v1",
        );
        Csrf {
            key: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()),
        }
    }

    /// The token for the session's forms.
    pub fn token(&self, session: &Session) -> String {
        lower_hex(hmac::sign(&self.key, session.id().as_bytes()).as_ref())
    }

    /// Refuses a form that did not come from a page of this session.
    pub fn check(
        &self,
        session: &Session,
        headers: &HeaderMap,
        given: &str,
    ) -> Result<(), AppError> {
        let cross_site = headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
        let genuine = constant_time::verify_slices_are_equal(
            self.token(session).as_bytes(),
            given.as_bytes(),
        )
        .is_ok();
        if cross_site || !genuine {
            return Err(AppError::Forbidden(
                "this form did not come from graphnote's own page (or the page is too old): \
                 go back, reload the page and try again",
            ));
        }
        Ok(())
    }
}
