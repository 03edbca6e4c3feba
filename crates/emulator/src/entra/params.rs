//! OAuth request parameters as Entra reads them: from a query string or a form body, where a
//! parameter given twice is an error (AADSTS9000411) rather than "last one wins".

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::Method;
use axum::response::Response;

use super::error::EntraError;

/// The decoded `name=value` pairs of one request, with duplicates remembered.
#[derive(Debug, Default, Clone)]
pub struct Params {
    values: HashMap<String, String>,
    duplicated: Option<String>,
}

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (a query string or a form body).
    pub fn parse(encoded: &str) -> Self {
        let mut params = Params::default();
        for (name, value) in url::form_urlencoded::parse(encoded.as_bytes()) {
            if params.values.contains_key(name.as_ref()) {
                params.duplicated.get_or_insert_with(|| name.to_string());
            } else {
                params.values.insert(name.into_owned(), value.into_owned());
            }
        }
        params
    }

    /// Entra rejects a request that repeats a parameter before looking at anything else.
    pub fn reject_duplicates(&self) -> Result<(), EntraError> {
        match &self.duplicated {
            Some(name) => Err(EntraError::duplicated_parameter(name)),
            None => Ok(()),
        }
    }

    /// The value of `name`, treating an empty value as absent (as Entra does).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The value of `name`, or the AADSTS900144 "must contain the parameter" error.
    pub fn require(&self, name: &str) -> Result<&str, EntraError> {
        self.get(name)
            .ok_or_else(|| EntraError::missing_parameter(name))
    }

    /// Adds a value that came from elsewhere (HTTP Basic credentials), unless the body had one.
    pub fn insert_if_absent(&mut self, name: &str, value: String) {
        self.values.entry(name.to_string()).or_insert(value);
    }

    /// All pairs, for carrying an authorize request through the sign-in form.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The parameter names, sorted, for the request log (values may be secrets).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.values.keys().cloned().collect();
        names.sort();
        names
    }
}

/// The parameters of a browser request to an endpoint that takes both GET and POST: the query
/// of a GET, the form body of a POST. A body that cannot be read is Entra's error page.
pub struct BrowserParams(pub Params);

impl<S: Send + Sync> FromRequest<S> for BrowserParams {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        if request.method() == Method::POST {
            let body = Bytes::from_request(request, state)
                .await
                .map_err(|_| EntraError::body_too_large().into_page())?;
            Ok(BrowserParams(Params::parse(&String::from_utf8_lossy(
                &body,
            ))))
        } else {
            Ok(BrowserParams(Params::parse(
                request.uri().query().unwrap_or(""),
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_remembered_not_overwritten() {
        let p = Params::parse("a=1&b=2&a=3");
        assert_eq!(p.get("a"), Some("1"));
        assert!(p.reject_duplicates().is_err());
    }

    #[test]
    fn empty_values_count_as_missing() {
        let p = Params::parse("code=&state=x%20y");
        assert_eq!(p.get("code"), None);
        assert_eq!(p.get("state"), Some("x y"));
        assert!(p.require("code").is_err());
    }
}
