//! What every Graph response carries about its request: a fresh `request-id`, the caller's
//! `client-request-id` echoed (or the request id when the caller sent none), and the date for
//! `innerError`. Also the headers Graph puts on every answer (docs/protocol.md §9.1).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::clock::graph_error_date;

/// The ids of one Graph request.
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
    pub date: String,
}

impl RequestIds {
    pub fn from_headers(headers: &HeaderMap) -> RequestIds {
        let request_id = Uuid::new_v4().to_string();
        // Echo only what is safe to put back into a header and a JSON body.
        let client_request_id = headers
            .get("client-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 128
                    && v.chars().all(|c| c.is_ascii_graphic() && c != '"')
            })
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone());
        RequestIds {
            request_id,
            client_request_id,
            date: graph_error_date(OffsetDateTime::now_utc()),
        }
    }

    /// Adds `request-id`, `client-request-id` and Graph's fixed headers to a response.
    pub fn decorate(&self, headers: &mut HeaderMap) {
        let mut put = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        put("request-id", &self.request_id);
        put("client-request-id", &self.client_request_id);
        put(
            "x-ms-ags-diagnostic",
            r#"{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"graphnote-emulator"}}"#,
        );
        put("odata-version", "4.0");
        put("cache-control", "no-cache");
    }
}

/// The content type of Graph's JSON answers.
pub const GRAPH_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// A JSON answer with Graph's content type.
pub fn json_response(status: StatusCode, value: Value) -> Response {
    let mut response = (status, axum::Json(value)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
    response
}
