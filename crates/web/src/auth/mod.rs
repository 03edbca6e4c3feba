//! Sign-in and sign-out: `/login`, the redirect path, `/logout` and `/signout-oidc`.

pub mod callback;
pub mod login;
pub mod logout;
pub mod next;
