//! Checking that a store dump holds no secret.

use super::*;

/// Asserts that `stored` (a dump of the session store) holds none of the session's secrets: its
/// refresh, access and ID tokens, nor the cookie value itself. Any 24-byte run of one is a leak.
pub async fn assert_no_secrets_stored(app: &TestApp, cookie: &str, stored: &[u8]) {
    assert!(!stored.is_empty(), "the dump is not empty");
    let id = cookie.split_once('=').unwrap().1;
    let session = session_of(app, cookie).await;
    let cache = session.secrets.token_cache.clone().unwrap();
    let mut secrets = vec![id.to_string()];
    secrets.extend(cache.refresh_token.map(|t| t.expose().to_string()));
    secrets.extend(cache.id_token.map(|t| t.expose().to_string()));
    secrets.extend(
        cache
            .access_tokens
            .iter()
            .map(|t| t.secret.expose().to_string()),
    );
    for secret in &secrets {
        let needle = &secret.as_bytes()[..24];
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle),
            "a secret is in the store"
        );
    }
}

/// The session behind a `name=value` session cookie, as the app has it.
pub async fn session_of(app: &TestApp, cookie: &str) -> web::session::Session {
    let id = cookie.split_once('=').unwrap().1;
    app.state
        .sessions
        .load(Some(id), web::clock::now())
        .await
        .unwrap()
        .unwrap()
}
