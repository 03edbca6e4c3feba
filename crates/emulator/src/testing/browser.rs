//! A scripted browser: keeps cookies, does not follow redirects, and fills in the emulator's
//! sign-in, second-factor and consent forms like a person would.

use super::html::HtmlForm;

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

    /// Opens `authorize_url` and goes through the sign-in, second-factor and consent forms
    /// (`accept`: verify and accept; otherwise cancel).
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
        for _ in 0..5 {
            let status = response.status().as_u16();
            let url = response.url().clone();
            if (300..400).contains(&status) {
                let location = response.headers()[reqwest::header::LOCATION]
                    .to_str()
                    .expect("location");
                return SignInOutcome::Redirect(url.join(location).expect("redirect URL"));
            }
            let body = response.text().await.expect("page body");
            let Some(form) = HtmlForm::first_in(&body) else {
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
            } else if body.contains("name=\"otc\"") {
                // The step-up second factor: any six digits.
                fields.push(("otc".into(), "123456".into()));
                fields.push((
                    "second_factor".into(),
                    if accept { "verify" } else { "cancel" }.into(),
                ));
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
        panic!("sign-in did not finish within five pages");
    }
}
