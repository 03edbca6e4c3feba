//! The app's pages other than sign-in: home, the Graph `/me` demo, health and static assets.

pub mod assets;
pub mod health;
pub mod home;
pub mod msal_demo;
