//! Starting an emulator inside a test process, on a random loopback port, over HTTP or HTTPS.
//! Used by this crate's tests and by the web app's integration tests.

use std::net::TcpListener;

use tokio::sync::oneshot;

use crate::seed::{Seed, builtin};
use crate::state::{EmulatorBuilder, SharedEmulator};
use crate::tls::TlsMaterial;

/// A running in-process emulator; stops when dropped.
pub struct TestEmulator {
    pub base_url: String,
    pub emulator: SharedEmulator,
    /// The CA to trust when started with HTTPS.
    pub tls: Option<TlsMaterial>,
    stop: Option<oneshot::Sender<()>>,
}

impl TestEmulator {
    /// The built-in seed over plain HTTP.
    pub async fn start() -> TestEmulator {
        Self::start_with(builtin(), false).await
    }

    /// The built-in seed over HTTPS with a fresh CA.
    pub async fn start_https() -> TestEmulator {
        Self::start_with(builtin(), true).await
    }

    pub async fn start_with(seed: Seed, https: bool) -> TestEmulator {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local addr").port();
        let tls = https.then(|| TlsMaterial::ephemeral().expect("test certificates"));
        let scheme = if https { "https" } else { "http" };
        let base_url = format!("{scheme}://localhost:{port}");
        let emulator = EmulatorBuilder::new(seed)
            .build(&base_url)
            .expect("emulator keys");
        let app = crate::router(emulator.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let tls_for_server = tls.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) =
                crate::server::serve(listener, app, tls_for_server.as_ref(), shutdown).await
            {
                eprintln!("test emulator stopped: {e}");
            }
        });
        TestEmulator {
            base_url,
            emulator,
            tls,
            stop: Some(stop),
        }
    }

    /// The authority URL of a tenant path segment (`common`, a GUID, a domain).
    pub fn authority(&self, tenant: &str) -> String {
        format!("{}/{tenant}", self.base_url)
    }

    pub fn admin(&self, path: &str) -> String {
        format!("{}/_emulator{path}", self.base_url)
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(feature = "testing")]
pub use browser::{FormBrowser, Pkce, SignInOutcome};

#[cfg(feature = "testing")]
mod browser {
    //! A scripted browser: keeps cookies, does not follow redirects, and fills in the emulator's
    //! sign-in and consent forms like a person would.

    use aws_lc_rs::digest;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use rand::RngCore;

    /// A PKCE verifier and its S256 challenge.
    pub struct Pkce {
        pub verifier: String,
        pub challenge: String,
    }

    impl Pkce {
        pub fn new() -> Pkce {
            let mut raw = [0u8; 32];
            rand::rng().fill_bytes(&mut raw);
            let verifier = URL_SAFE_NO_PAD.encode(raw);
            let challenge =
                URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
            Pkce {
                verifier,
                challenge,
            }
        }
    }

    impl Default for Pkce {
        fn default() -> Self {
            Self::new()
        }
    }

    /// Where the sign-in ended.
    #[derive(Debug)]
    pub enum SignInOutcome {
        /// A redirect away from the emulator (to the app's redirect URI).
        Redirect(url::Url),
        /// A `form_post` page: where it posts, and its fields.
        FormPost {
            action: String,
            fields: Vec<(String, String)>,
        },
        /// Some other page (an error, or the sign-in form again).
        Page { status: u16, body: String },
    }

    impl SignInOutcome {
        /// The redirect's query parameters (panics on other outcomes: for tests).
        pub fn params(&self) -> std::collections::HashMap<String, String> {
            match self {
                SignInOutcome::Redirect(url) => url.query_pairs().into_owned().collect(),
                SignInOutcome::FormPost { fields, .. } => fields.iter().cloned().collect(),
                SignInOutcome::Page { status, body } => {
                    panic!("sign-in ended on a page ({status}): {body}")
                }
            }
        }
    }

    /// A cookie-keeping HTTP client that never follows redirects.
    #[derive(Clone)]
    pub struct FormBrowser {
        pub client: reqwest::Client,
    }

    impl FormBrowser {
        /// `ca_pem`: an extra root to trust (the emulator's CA when it runs HTTPS).
        pub fn new(ca_pem: Option<&str>) -> FormBrowser {
            crate::server::install_crypto_provider();
            let mut builder = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none());
            if let Some(pem) = ca_pem {
                let cert = reqwest::Certificate::from_pem(pem.as_bytes()).expect("CA PEM");
                builder = builder.tls_certs_merge([cert]);
            }
            FormBrowser {
                client: builder.build().expect("HTTP client"),
            }
        }

        /// Opens `authorize_url` and goes through the sign-in and consent forms.
        pub async fn sign_in(
            &self,
            authorize_url: &str,
            username: &str,
            password: &str,
            accept: bool,
        ) -> SignInOutcome {
            let mut response = self
                .client
                .get(authorize_url)
                .send()
                .await
                .expect("authorize request");
            for _ in 0..4 {
                let status = response.status().as_u16();
                let url = response.url().clone();
                if (300..400).contains(&status) {
                    let location = response.headers()[reqwest::header::LOCATION]
                        .to_str()
                        .expect("location");
                    return SignInOutcome::Redirect(url.join(location).expect("redirect URL"));
                }
                let body = response.text().await.expect("page body");
                let Some(form) = Form::parse(&body) else {
                    return SignInOutcome::Page { status, body };
                };
                let mut fields = form.fields.clone();
                if body.contains("<title>Working...</title>") {
                    return SignInOutcome::FormPost {
                        action: form.action,
                        fields,
                    };
                }
                if status != 200 {
                    return SignInOutcome::Page { status, body };
                }
                if body.contains("name=\"password\"") {
                    fields.push(("username".into(), username.into()));
                    fields.push(("password".into(), password.into()));
                } else if body.contains("name=\"consent\"") {
                    fields.push((
                        "consent".into(),
                        if accept { "accept" } else { "deny" }.into(),
                    ));
                } else {
                    return SignInOutcome::Page { status, body };
                }
                let action = url.join(&form.action).expect("form action");
                response = self
                    .client
                    .post(action)
                    .form(&fields)
                    .send()
                    .await
                    .expect("form post");
            }
            panic!("sign-in did not finish within four pages");
        }
    }

    /// The first `<form>` of one of the emulator's pages.
    struct Form {
        action: String,
        fields: Vec<(String, String)>,
    }

    impl Form {
        fn parse(html: &str) -> Option<Form> {
            let start = html.find("<form")?;
            let form = &html[start..];
            let action = attribute(&form[..form.find('>')?], "action")?;
            let mut fields = Vec::new();
            let mut rest = form;
            while let Some(i) = rest.find("<input") {
                rest = &rest[i..];
                let end = rest.find('>')?;
                let tag = &rest[..end];
                if tag.contains("type=\"hidden\"")
                    && let (Some(name), Some(value)) =
                        (attribute(tag, "name"), attribute(tag, "value"))
                {
                    fields.push((name, value));
                }
                rest = &rest[end..];
            }
            Some(Form { action, fields })
        }
    }

    fn attribute(tag: &str, name: &str) -> Option<String> {
        let needle = format!(" {name}=\"");
        let start = tag.find(&needle)? + needle.len();
        let end = tag[start..].find('"')? + start;
        Some(unescape(&tag[start..end]))
    }

    /// Decodes the entities an HTML escaper writes (named and numeric).
    fn unescape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            rest = &rest[i..];
            let Some(end) = rest.find(';') else { break };
            let entity = &rest[1..end];
            let decoded = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            match decoded {
                Some(c) => {
                    out.push(c);
                    rest = &rest[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}
