//! Helpers for tests (this crate's and other crates'), behind the `testing` feature: an
//! emulator started inside the test process ([`TestEmulator`]), a scripted browser that signs in
//! through the emulator's forms ([`FormBrowser`]), access tokens minted through the real
//! auth-code flow ([`tokens`]), and reading the emulator's HTML pages ([`html`]).

mod browser;
mod emulator;
pub mod html;
pub mod tokens;

pub use browser::{FormBrowser, SignInOutcome};
pub use emulator::TestEmulator;
pub use html::unescape_html;
pub use tokens::Pkce;
