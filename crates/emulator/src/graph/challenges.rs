//! The claims challenges Graph sends of its own accord (docs/protocol.md §9.4): under Continuous
//! Access Evaluation, a CAE-capable client's token whose user's sessions were revoked after it
//! was issued; and, with the admin API's step-up switch on, a token without the required
//! authentication context for the paths the switch names.

use serde_json::json;

use super::auth::Caller;
use super::error::GraphError;
use crate::state::Emulator;

/// The challenge for this call, if one is due.
pub fn due(emu: &Emulator, caller: &Caller, path: &str) -> Option<GraphError> {
    if caller.cae
        && let Some(revoked_at) = emu.grants.access_token_revoked_at(&caller.token_id)
    {
        // A token issued after this time passes: a refresh with these claims (or, when the
        // refresh token was revoked too, a new sign-in) gets one.
        let claims =
            json!({"access_token": {"nbf": {"essential": true, "value": revoked_at.to_string()}}});
        return Some(GraphError::claims_challenge(&emu.base_url, &claims));
    }
    let step_up = emu.settings.step_up()?;
    let under = path
        .to_ascii_lowercase()
        .starts_with(&step_up.path.to_ascii_lowercase());
    if under && !caller.acrs.contains(&step_up.acrs) {
        let claims = json!({"access_token": {"acrs": {"essential": true, "value": step_up.acrs}}});
        return Some(GraphError::claims_challenge(&emu.base_url, &claims));
    }
    None
}
