//! The one token path: every Graph call graphnote makes for a user — a page view, an export
//! job, anything later — gets its access token here, from `Tokens::call` (in `access`). It
//!
//! * takes the token the user's cache says to use (`TokenCache::choose`, the one place that
//!   decides, by scopes and claims);
//! * refreshes at most once at a time per cache, across all instances: a lock in this process
//!   (`SingleFlight`) and, with the Redis store, one in Redis, held over "refresh and save";
//!   whoever waited reads the cache again from the store and uses what the holder saved;
//! * when Graph refuses a token (401), remembers that (`TokenCache::forget_rejected`, saved
//!   with the cache so every instance knows), gets a newer one — refreshing with the claims of
//!   Graph's challenge when there is one, and the app's `cp1` capability always — and tries once
//!   more;
//! * says plainly when only the user can go on (`UserNeeded`): the provider wants a new
//!   sign-in (`interaction_required`, a revoked session, a challenge a refresh cannot meet) or
//!   consent. Page views turn that into the sign-in redirect (`session_home`); export jobs into
//!   waiting for their owner (`exports::credentials`).
//!
//! The cache lives in a `TokenHome`: a browser session, or an export owner's sealed copy.
//!
//! Why requests used to refresh several times and answer 401 (fixed here, tested in
//! `crates/graphnote/tests/under_load`): the token for a request was the one *expiring last* among
//! those covering its scopes. Entra gives each token a random lifetime, so once a user had
//! opened OneNote (a second token, for more scopes), an older token could outlive the one a
//! refresh had just obtained. After the emulator revoked every token, a request that lost the
//! race for the lock reloaded the session, was handed that older, already-refused token, got
//! 401 again and refreshed again; with a claims challenge the retry carried a token that did
//! not meet the claims. Now the token obtained last wins, and a refused token — with every one
//! obtained before it — is never handed out again.

mod access;
mod session_home;

pub use access::{CallError, TokenError, TokenHome, Tokens, UserNeeded};
pub use session_home::Want;
