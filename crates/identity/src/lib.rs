//! A Microsoft identity platform (Entra ID v2) client for a confidential web app, with no web
//! framework types: authorities and clouds ([`authority`]), discovery and a JWKS cache with key
//! rotation ([`discovery`], [`jwks`]), the auth-code flow with PKCE S256 + state + nonce and
//! ID-token validation ([`client`], [`id_token`]), a per-user serialisable token cache with
//! silent refresh ([`cache`]), and the end-session URL.
//!
//! # Layout
//!
//! Each module uses only modules listed before it (`scripts/module-cycles` checks it):
//! `secret` (values that never print), `error`, `pkce`, `http` (the HTTP client), `authority`,
//! `discovery`, `jwks`, `id_token` (validation), `credential` (secret or certificate),
//! `cache` (the token cache), `client` (sign-in, refresh, end-session).

pub mod authority;
pub mod cache;
pub mod client;
pub mod credential;
pub mod discovery;
pub mod error;
pub mod http;
pub mod id_token;
pub mod jwks;
pub mod pkce;
mod secret;

pub use authority::Authority;
pub use cache::{Account, Rejection, TokenCache};
pub use client::{ClientConfig, IdentityClient, PendingSignIn, ResponseMode, SignInRequest};
pub use credential::{CertificateCredential, ClientCredential};
pub use error::{IdTokenError, IdentityError, TokenEndpointError};
pub use id_token::IdTokenClaims;
pub use secret::Secret;
