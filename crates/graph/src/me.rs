//! The signed-in user: `/me` and `/me/photo/$value`.

use serde_json::Value;

use crate::client::{Binary, GraphClient};
use crate::error::GraphError;

impl GraphClient {
    /// `GET /me`: the user's default profile properties, as Graph returns them.
    pub async fn me(&self, token: &str) -> Result<Value, GraphError> {
        self.get_json(token, self.url("/me")).await
    }

    /// `GET /me/photo/$value`; `None` when the user has no photo.
    pub async fn my_photo(&self, token: &str) -> Result<Option<Binary>, GraphError> {
        match self
            .get_binary(token, self.url("/me/photo/$value"), "image/*")
            .await
        {
            Ok(photo) => Ok(Some(photo)),
            Err(GraphError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
