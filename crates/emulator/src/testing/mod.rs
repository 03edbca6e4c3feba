//! Helpers for tests (this crate's and other crates'), behind the `testing` feature: an
//! emulator started inside the test process ([`TestEmulator`]), a scripted browser that signs in
//! through the emulator's forms ([`FormBrowser`]), access tokens minted through the real
//! auth-code flow ([`tokens`]), and reading the emulator's HTML pages ([`html`]).

mod browser;
mod emulator;
mod files_notebook;
pub mod html;
pub mod tokens;

pub use browser::{FormBrowser, SignInOutcome};
pub use emulator::TestEmulator;
pub use files_notebook::{seed_with_vendored_notebook, vendored_notebook_folder};
pub use html::unescape_html;
pub use tokens::Pkce;

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
