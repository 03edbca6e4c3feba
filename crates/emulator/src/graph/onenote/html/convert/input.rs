//! What a conversion takes and gives: the named parts of a page-creation request, where resources
//! go, the converted page, and why input is refused.

use axum::body::Bytes;
use time::OffsetDateTime;

use crate::graph::onenote::html::tags::TagError;
use crate::graph::onenote::html::tree::Node;

/// A named binary part of a page-creation request (or a seeded resource).
#[derive(Debug, Clone)]
pub struct Part {
    pub content_type: String,
    pub bytes: Bytes,
}

/// Stores a resource's bytes and says the URL it is served at.
pub trait ResourceSink {
    fn add(&mut self, content_type: &str, bytes: Bytes) -> String;
}

/// A converted page.
#[derive(Debug, Clone)]
pub struct Converted {
    pub title: String,
    pub lang: Option<String>,
    pub created: Option<OffsetDateTime>,
    pub body: Vec<Node>,
}

/// Why input HTML was refused (OneNote answers these with 400 and the given code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("The part '{0}' referenced by the Presentation HTML is not in the request.")]
    MissingPart(String),
    #[error("The data-tag value '{0}' is not a known note tag.")]
    UnknownTag(String),
    #[error("The data-tag value '{0}' has a status its shape does not support.")]
    BadTagStatus(String),
    #[error("An image has a data: URL that is not valid base64.")]
    BadDataUrl,
    #[error("The created date/time '{0}' does not match any of the allowed formats.")]
    BadCreated(String),
    #[error("The video at '{0}' is not from a supported site.")]
    UnsupportedVideo(String),
}

impl ConvertError {
    /// OneNote's error code for it (§10.8).
    pub fn code(&self) -> u32 {
        match self {
            ConvertError::MissingPart(_) => 20130,
            ConvertError::UnknownTag(_) => 20139,
            ConvertError::BadTagStatus(_) => 20140,
            ConvertError::BadDataUrl => 20132,
            ConvertError::BadCreated(_) => 20007,
            ConvertError::UnsupportedVideo(_) => 20168,
        }
    }
}

impl From<TagError> for ConvertError {
    fn from(e: TagError) -> Self {
        match e {
            TagError::UnknownShape(t) => ConvertError::UnknownTag(t),
            TagError::BadStatus(t) => ConvertError::BadTagStatus(t),
        }
    }
}
