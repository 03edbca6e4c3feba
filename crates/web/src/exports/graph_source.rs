//! OneNote for an export, through the app's Graph client: background priority (page views go
//! first), the owner's shared per-user budget, the owner's sealed sign-in, one retry with a
//! newer token when Graph turns one down — and Graph's failures sorted into what the export does
//! about them (wait, skip, pause for the owner, or stop with advice).

use std::future::Future;

use export::{FetchError, Source};
use graph::ink_content::PageContent;
use graph::onenote::{NotebookTree, Page};
use graph::{GraphClient, GraphError};
use identity::Secret;

use super::credentials::{Credentials, NoToken};

/// One owner's OneNote.
pub struct GraphSource {
    pub graph: GraphClient,
    pub credentials: Credentials,
    pub owner: String,
}

impl GraphSource {
    async fn call<T, F, Fut>(&self, call: F) -> Result<T, FetchError>
    where
        F: Fn(GraphClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let token = self.token(None).await?;
        match call(self.graph.clone(), token.clone()).await {
            Err(GraphError::Unauthorized { .. }) => {
                let token = self.token(Some(&token)).await?;
                call(self.graph.clone(), token).await.map_err(sorted)
            }
            other => other.map_err(sorted),
        }
    }

    async fn token(&self, rejected: Option<&Secret>) -> Result<Secret, FetchError> {
        self.credentials
            .token(&self.owner, rejected)
            .await
            .map_err(|e| match e {
                NoToken::OwnerNeeded(why) => FetchError::Paused(why.to_string()),
                NoToken::Unavailable(why) => FetchError::Transient {
                    message: why,
                    retry_after: None,
                },
            })
    }
}

/// What the export does about a Graph failure.
fn sorted(e: GraphError) -> FetchError {
    let message = crate::error::Chain(&e).to_string();
    match e {
        GraphError::Throttled { retry_after } | GraphError::Unavailable { retry_after, .. } => {
            FetchError::Transient {
                message,
                retry_after,
            }
        }
        GraphError::Transport(_) | GraphError::GateUnavailable(_) => FetchError::Transient {
            message,
            retry_after: None,
        },
        GraphError::Unauthorized { .. } => FetchError::Paused(
            "Microsoft Graph no longer accepts your sign-in (it may ask for a stronger one). \
             Sign in again and the export goes on."
                .into(),
        ),
        GraphError::Rejected { ref code, .. } if code == "10008" || code == "10013" => {
            FetchError::Fatal(
                "OneNote says this account's notebooks are too large to list in one go \
                 (OneNote error 10008/10013: a document library with more than 5,000 items). \
                 Export the notebooks one by one, or move files out of the library."
                    .into(),
            )
        }
        GraphError::Rejected { ref code, .. } if code == "20266" => FetchError::Fatal(
            "OneNote refuses to list this many sections in one call (OneNote error 20266). \
             Export each notebook, or each section, on its own."
                .into(),
        ),
        GraphError::Setup { .. } => FetchError::Fatal(message),
        GraphError::NotFound { .. } => {
            FetchError::Failed("OneNote no longer has it (deleted since the listing?)".into())
        }
        GraphError::Forbidden { .. }
        | GraphError::Rejected { .. }
        | GraphError::Decode(_)
        | GraphError::BadNextLink(_) => FetchError::Failed(message),
    }
}

impl Source for GraphSource {
    async fn tree(&self) -> Result<Vec<NotebookTree>, FetchError> {
        let owner = &self.owner;
        self.call(async |graph, token| graph.onenote_tree(token.expose(), owner).await)
            .await
    }

    async fn section_pages(&self, section: &str) -> Result<Vec<Page>, FetchError> {
        let owner = &self.owner;
        self.call(async |graph, token| graph.section_pages(token.expose(), owner, section).await)
            .await
    }

    async fn page_content(&self, page: &str) -> Result<PageContent, FetchError> {
        let owner = &self.owner;
        self.call(async |graph, token| {
            graph
                .page_content_with_ink(token.expose(), owner, page)
                .await
        })
        .await
    }

    async fn resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        let owner = &self.owner;
        self.call(async |graph, token| graph.resource(token.expose(), owner, id).await)
            .await
            .map(|binary| binary.bytes)
    }
}
