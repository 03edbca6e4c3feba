//! Step-up: when the admin API's step-up switch is on and an authorize request's `claims` ask for
//! its authentication context, the signed-in user must pass a second factor (a one-field form)
//! before the code is issued; the code, its tokens and its refresh tokens then carry that
//! context.

use axum::response::Response;

use super::claims::ClaimsRequest;
use super::grants::Pending;
use crate::directory::User;
use crate::pages::{self, SecondFactorPage};
use crate::seed::ClientSeed;
use crate::state::Emulator;

/// The authentication context this pending sign-in still needs a second factor for, if any.
pub fn needed(emu: &Emulator, pending: &Pending) -> Option<String> {
    let step_up = emu.settings.step_up()?;
    let requested = ClaimsRequest::parse(pending.request.claims.as_deref());
    if !requested.acrs.contains(&step_up.acrs) {
        return None;
    }
    let session = emu.grants.session(pending.browser_session.as_deref()?)?;
    (!session.satisfied_acrs.contains(&step_up.acrs)).then_some(step_up.acrs)
}

/// Whether `code` is a one-time code the emulator accepts: six digits.
pub fn acceptable(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The second-factor form for a pending sign-in.
pub fn page(
    client: &ClientSeed,
    user: &User,
    authority: &str,
    ticket: &str,
    error: Option<&str>,
) -> Response {
    pages::render(&SecondFactorPage {
        app_name: &client.display_name,
        user: user.upn(),
        action: format!("/{authority}/second-factor"),
        ticket,
        error,
    })
}
