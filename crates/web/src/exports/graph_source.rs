//! OneNote for an export, through the app's Graph client: background priority (page views go
//! first), the owner's shared per-user budget, the owner's sealed sign-in, one retry with a
//! newer token when Graph turns one down — and Graph's failures sorted into what the export does
//! about them (wait, skip, pause for the owner, or stop with advice).

use std::future::Future;
use std::sync::Arc;

use export::{FetchError, Source};
use graph::ink_content::PageContent;
use graph::onenote::{NotebookTree, Page};
use graph::{GraphClient, GraphError, Location, SharedPlace};
use identity::Secret;

use super::credentials::{
    CONSENT_NEEDED, Credentials, SIGN_IN_AGAIN, SIGNED_OUT, STRONGER_SIGN_IN,
};
use super::places::{OWN_NOTEBOOKS, Places, resource_ids};
use crate::error::Chain;
use crate::tokens::{CallError, TokenError, TokenHome, Tokens, UserNeeded};

/// One owner's OneNote.
#[derive(Clone)]
pub struct GraphSource {
    pub graph: GraphClient,
    pub tokens: Tokens,
    pub credentials: Credentials,
    /// The scopes the export's calls need (the sign-in's and OneNote's).
    pub scopes: Arc<[String]>,
    pub owner: String,
    /// Whose notebooks it reads: the owner's own, a group's or site's, or all of them.
    pub places: Places,
}

impl GraphSource {
    /// One Graph call with the owner's token, at the source's one place.
    async fn call<T, F, Fut>(&self, call: F) -> Result<T, FetchError>
    where
        F: Fn(GraphClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        self.call_in(&self.places.fixed, call).await
    }

    /// One Graph call with the owner's token, through the app's token path, with its OneNote
    /// calls addressed to `location`.
    async fn call_in<T, F, Fut>(&self, location: &Location, call: F) -> Result<T, FetchError>
    where
        F: Fn(GraphClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let graph = self.graph.at(location);
        let mut home = self.credentials.home(&self.owner);
        home.load().await.map_err(|e| transient(&e))?;
        if home.cache().is_none() {
            return Err(FetchError::NeedsOwner(SIGNED_OUT.into()));
        }
        let result = self
            .tokens
            .call(&mut home, &self.scopes, |token| call(graph.clone(), token))
            .await;
        match result {
            Ok(value) => Ok(value),
            Err(CallError::Graph(e)) => Err(sorted(e)),
            Err(CallError::Token(TokenError::UserNeeded(need))) => {
                let (claims, why) = match &need {
                    UserNeeded::Consent(_) => (None, CONSENT_NEEDED),
                    UserNeeded::SignIn { claims: Some(c) } => (Some(c.as_str()), STRONGER_SIGN_IN),
                    UserNeeded::SignIn { claims: None } => (None, SIGN_IN_AGAIN),
                };
                tracing::info!(reason = why, "an export waits for its owner");
                self.credentials
                    .owner_needed(&self.owner, claims)
                    .await
                    .map_err(|e| transient(&e))?;
                Err(FetchError::NeedsOwner(why.into()))
            }
            Err(CallError::Token(e)) => Err(transient(&e)),
        }
    }
}

impl GraphSource {
    /// One page's metadata (title, times, links): not part of an export's [`Source`], which
    /// has it from the section's list; the MCP server's `read_page` asks for it.
    pub async fn page(&self, page: &str) -> Result<Page, FetchError> {
        let owner = &self.owner;
        self.call(async |graph, token| graph.page(token.expose(), owner, page).await)
            .await
    }

    /// Up to `top` pages whose title holds every one of `words` (the MCP server's search).
    pub async fn pages_titled(
        &self,
        words: &[String],
        top: usize,
    ) -> Result<Vec<Page>, FetchError> {
        let owner = &self.owner;
        self.call(async |graph, token| graph.pages_titled(token.expose(), owner, words, top).await)
            .await
    }
}

/// Why a fast export went page by page when the files may not be read.
pub const NO_FILES_CONSENT: &str = "graphnote may not read your files (Files.Read was not granted)";

impl GraphSource {
    /// One drive call with a token for reading the owner's files (`Files.Read` with the
    /// export's scopes). Nothing waits for the owner here: a fast export that cannot have the
    /// files goes page by page, so every failure is given back in words.
    pub async fn files_call<T, F, Fut>(&self, call: F) -> Result<T, String>
    where
        F: Fn(GraphClient, Secret) -> Fut,
        Fut: Future<Output = Result<T, GraphError>>,
    {
        let mut home = self.credentials.home(&self.owner);
        home.load().await.map_err(|e| Chain(&e).to_string())?;
        if home.cache().is_none() {
            return Err(SIGNED_OUT.into());
        }
        let scopes = crate::features::Feature::Files.scopes_with(&self.scopes);
        match self
            .tokens
            .call(&mut home, &scopes, |token| call(self.graph.clone(), token))
            .await
        {
            Ok(value) => Ok(value),
            Err(CallError::Token(TokenError::UserNeeded(_))) => Err(NO_FILES_CONSENT.into()),
            // What Graph answers a token without the scope (`insufficient_scope`).
            Err(CallError::Graph(GraphError::Forbidden { code, .. }))
                if code == "Authorization_RequestDenied" =>
            {
                Err(NO_FILES_CONSENT.into())
            }
            Err(CallError::Graph(GraphError::Forbidden { .. })) => {
                Err("the drive refused to give the files (403)".into())
            }
            Err(e) => Err(Chain(&e).to_string()),
        }
    }
}

/// What a 404 from OneNote means to an export.
const GONE: &str = "OneNote no longer has it (deleted since the listing?)";

/// A failure of the store or the provider: worth trying again later.
fn transient(e: &(dyn std::error::Error + 'static)) -> FetchError {
    FetchError::Transient {
        message: Chain(e).to_string(),
        retry_after: None,
    }
}

/// What the export does about a Graph failure: OneNote's own error codes first (their advice,
/// whatever the HTTP status), then by the kind of failure.
fn sorted(e: GraphError) -> FetchError {
    let message = crate::error::Chain(&e).to_string();
    let graph_message = match &e {
        GraphError::Forbidden { message, .. } | GraphError::Rejected { message, .. } => {
            message.as_str()
        }
        _ => "",
    };
    if let Some(advice) = e
        .code()
        .and_then(|code| super::advice::for_code(code, graph_message))
    {
        return advice;
    }
    match e {
        GraphError::Throttled { retry_after } | GraphError::Unavailable { retry_after, .. } => {
            FetchError::Transient {
                message,
                retry_after,
            }
        }
        GraphError::Paced { retry_after } => FetchError::Transient {
            message: "keeping to OneNote's limits for your account".into(),
            retry_after: Some(retry_after),
        },
        GraphError::Transport(_) | GraphError::GateUnavailable(_) => FetchError::Transient {
            message,
            retry_after: None,
        },
        // The token path turns a second refusal into "only the owner can go on": one more
        // here is the same.
        GraphError::Unauthorized { .. } => FetchError::NeedsOwner(SIGN_IN_AGAIN.into()),
        GraphError::Setup { .. } => FetchError::Fatal(message),
        GraphError::NotFound { .. } => FetchError::Failed(GONE.into()),
        GraphError::Forbidden { .. }
        | GraphError::Rejected { .. }
        | GraphError::Decode(_)
        | GraphError::BadNextLink(_)
        | GraphError::BadRedirect(_)
        | GraphError::Write(_) => FetchError::Failed(message),
    }
}

impl GraphSource {
    /// The owner's own notebooks under [`OWN_NOTEBOOKS`], then each group's and site's under
    /// its name. A group or site without notebooks adds nothing (Graph answers 404 for a group
    /// whose site was never made); one whose notebooks OneNote will not list (refused, or a
    /// library over 5,000 items) is left out with the reason, and the rest goes on.
    async fn everything(&self) -> Result<Vec<NotebookTree>, FetchError> {
        let mut trees = self.listed_at(&Location::Me).await?;
        let mut names = vec![OWN_NOTEBOOKS.to_string()];
        for tree in &mut trees {
            tree.place = Some(OWN_NOTEBOOKS.into());
        }
        let places = match self.places.discovered() {
            Some(places) => places,
            None => {
                let (groups, sites) = self
                    .call_in(&Location::Me, async |graph, token| {
                        let groups = graph.my_groups(token.expose()).await?;
                        let sites = graph.followed_sites(token.expose()).await?;
                        Ok((groups, sites))
                    })
                    .await?;
                let places: Vec<SharedPlace> = groups.into_iter().chain(sites).collect();
                self.places.discover(places.clone());
                places
            }
        };
        for SharedPlace { location, name, .. } in places {
            let mut found = match self.listed_at(&location).await {
                Ok(found) => found,
                Err(FetchError::Failed(why)) if why == GONE => {
                    self.places.listed(&location, &[]);
                    continue;
                }
                Err(FetchError::Failed(why) | FetchError::Fatal(why)) => {
                    self.places.leave_out(&location, &name, &why);
                    continue;
                }
                Err(other) => return Err(other),
            };
            if found.is_empty() {
                continue;
            }
            // A team and a site may share a name; their folders must not.
            let mut folder = name.clone();
            let mut n = 2;
            while names
                .iter()
                .any(|taken| taken.eq_ignore_ascii_case(&folder))
            {
                folder = format!("{name} ({n})");
                n += 1;
            }
            names.push(folder.clone());
            for tree in &mut found {
                tree.place = Some(folder.clone());
            }
            trees.extend(found);
        }
        Ok(trees)
    }
}

impl GraphSource {
    /// The notebooks at `location`, listed once in a run (see [`Places`]).
    async fn listed_at(&self, location: &Location) -> Result<Vec<NotebookTree>, FetchError> {
        if let Some(kept) = self.places.kept(location) {
            return Ok(kept);
        }
        let owner = &self.owner;
        let trees = self
            .call_in(location, async |graph, token| {
                graph.onenote_tree(token.expose(), owner).await
            })
            .await?;
        self.places.listed(location, &trees);
        Ok(trees)
    }
}

impl Source for GraphSource {
    async fn tree(&self) -> Result<Vec<NotebookTree>, FetchError> {
        if self.places.everything {
            return self.everything().await;
        }
        let owner = &self.owner;
        self.call(async |graph, token| graph.onenote_tree(token.expose(), owner).await)
            .await
    }

    async fn section_pages(&self, section: &str) -> Result<Vec<Page>, FetchError> {
        let owner = &self.owner;
        let pages = self
            .call_in(&self.places.of(section), async |graph, token| {
                graph.section_pages(token.expose(), owner, section).await
            })
            .await?;
        self.places
            .inherit(section, pages.iter().map(|p| p.id.as_str()));
        Ok(pages)
    }

    async fn page_content(&self, page: &str) -> Result<PageContent, FetchError> {
        let owner = &self.owner;
        let content = self
            .call_in(&self.places.of(page), async |graph, token| {
                graph
                    .page_content_with_ink(token.expose(), owner, page)
                    .await
            })
            .await?;
        self.places.inherit(page, resource_ids(&content.html));
        Ok(content)
    }

    fn skipped(&self) -> Vec<export::Skipped> {
        self.places.left_out()
    }

    async fn resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        let owner = &self.owner;
        let fetch = async |location: Location| {
            self.call_in(&location, async |graph, token| {
                graph.resource(token.expose(), owner, id).await
            })
            .await
            .map(|binary| binary.bytes)
        };
        if self.places.knows(id) {
            return fetch(self.places.of(id)).await;
        }
        // A resource of a page whose HTML a stopped run kept on disk: its place was not seen in
        // this run, so each listed place is asked in turn (a wrong one answers 404).
        let mut last = FetchError::Failed(GONE.into());
        for location in self.places.all() {
            match fetch(location).await {
                Err(FetchError::Failed(why)) => last = FetchError::Failed(why),
                other => return other,
            }
        }
        Err(last)
    }
}
