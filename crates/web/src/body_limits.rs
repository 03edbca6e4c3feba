//! Request bodies are small forms, refused past [`crate::MAX_BODY_BYTES`], and a request must be
//! answered within `REQUEST_TIMEOUT_SECONDS` — except the upload of OneNote files
//! (`POST /onenote/exports/files`), which streams up to `UPLOAD_MAX_BYTES` for as long as the
//! connection takes. [`UploadOr`] sends that one path to a router of its own, outside both
//! limits; its handler counts the bytes and gives up on an upload that stalls
//! (`exports::upload`). Every other request goes through the limits as before.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use futures_util::future::Either;
use tower::Service;

/// The upload's path (under `PUBLIC_URL`'s prefix).
pub fn upload_path(prefix: &str) -> String {
    format!("{prefix}/onenote/exports/files")
}

/// `upload` for the upload's path and method, `rest` for everything else.
#[derive(Clone)]
pub struct UploadOr<U, R> {
    pub path: Arc<str>,
    pub upload: U,
    pub rest: R,
}

impl<U, R> Service<Request> for UploadOr<U, R>
where
    U: Service<Request, Response = Response<Body>, Error = Infallible>,
    R: Service<Request, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Either<U::Future, R::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        match (self.upload.poll_ready(cx), self.rest.poll_ready(cx)) {
            (Poll::Ready(Ok(())), Poll::Ready(Ok(()))) => Poll::Ready(Ok(())),
            _ => Poll::Pending,
        }
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == axum::http::Method::POST && request.uri().path() == &*self.path {
            Either::Left(self.upload.call(request))
        } else {
            Either::Right(self.rest.call(request))
        }
    }
}
