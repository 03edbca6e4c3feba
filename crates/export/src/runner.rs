//! Running one export: list what is in scope (once: the listing is kept), lay out the vault, then
//! fetch and convert page after page, writing each page and its resources before the next one —
//! and recording it as done in `progress.json`, so a restart goes on from the next page and
//! fetches nothing twice. A throttled or failing call is waited out with back-off; one that
//! still fails skips that page or resource (reported), never the export. At the end: the index
//! pages, the manifest, the report and the zip.
//!
//! An update is the same run over a vault that already holds an export: pages whose
//! `lastModifiedDateTime` is unchanged are kept as they are (not fetched), changed and new ones
//! are fetched, and pages no longer in OneNote are removed.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use graph::onenote::{NotebookTree, Page};
use onenote_md::{CarriedFiles, Options, PageLink, PageMeta};
use serde::{Deserialize, Serialize};

use crate::layout::{self, MANIFEST_PATH, Plan, PlannedPage, REPORT_PATH, RESOURCE_FOLDER};
use crate::links::{Targets, relative};
use crate::manifest::{Manifest, PageEntry, ResourceEntry, SectionEntry};
use crate::paths::{Kind, VaultPaths};
use crate::scope::Scope;
use crate::source::{FetchError, Source};
use crate::status::{Changes, Skipped, Status};
use crate::vault::{self, Vault};

/// How hard to try a call that OneNote throttles or fails.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub attempts: u32,
    /// The first wait when OneNote gives no `Retry-After`; doubled each time up to `max_wait`.
    pub first_wait: Duration,
    pub max_wait: Duration,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            attempts: 8,
            first_wait: Duration::from_secs(2),
            max_wait: Duration::from_secs(120),
        }
    }
}

/// What the job around the run sees and decides.
pub trait Observer: Send + Sync {
    /// The status changed (after each page, and while waiting for OneNote).
    fn progress(&self, status: &Status);
    /// Whether to stop now (checked between calls): cancelled, or paused from outside.
    fn stop(&self) -> Option<Halt>;
}

/// Why a run ended before the export was complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    Cancelled,
    /// Waiting for the owner (signed out, refresh token rejected), or for this instance to get
    /// the job back: the reason, in words.
    Paused(String),
    /// The export cannot be made as asked: what to do instead.
    Failed(String),
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Finished {
    pub status: Status,
    pub changes: Changes,
    /// The zip's size in bytes.
    pub archive_bytes: u64,
}

/// The job's folder: `vault/` (what the zip holds), `progress.json`, `export.zip`.
#[derive(Debug, Clone)]
pub struct JobFolder(pub PathBuf);

impl JobFolder {
    pub fn vault(&self) -> Vault {
        Vault::new(self.0.join("vault"))
    }
    pub fn archive(&self) -> PathBuf {
        self.0.join("export.zip")
    }
    fn progress(&self) -> PathBuf {
        self.0.join("progress.json")
    }

    /// The name of what `scope` covers, once a run has listed it.
    pub fn label(&self, scope: &Scope) -> Option<String> {
        let bytes = std::fs::read(self.progress()).ok()?;
        let progress: Progress = serde_json::from_slice(&bytes).ok()?;
        progress.listing.map(|listing| scope.label(&listing.trees))
    }

    /// Forgets the last run's progress, keeping the vault: the next run is an update.
    pub fn start_update(&self) -> std::io::Result<()> {
        match std::fs::remove_file(self.progress()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// What the run has done so far, kept durable between pages.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    listing: Option<Listing>,
    /// Pages written (or kept) in this run.
    done: BTreeMap<String, PageEntry>,
    /// Pages given up on in this run.
    skipped_pages: BTreeSet<String>,
    changes: Changes,
    status: Status,
}

/// What is in scope, as listed at the start of the run.
#[derive(Debug, Serialize, Deserialize)]
struct Listing {
    trees: Vec<NotebookTree>,
    pages: HashMap<String, Vec<Page>>,
}

enum Fail {
    Skip(String),
    Halt(Halt),
}

/// Runs (or resumes, or updates) the export of `scope` in `folder`.
pub async fn run<S: Source>(
    source: &S,
    folder: &JobFolder,
    scope: &Scope,
    observer: &dyn Observer,
    patience: Patience,
) -> Result<Finished, Halt> {
    let vault = folder.vault();
    let previous: Option<Manifest> = vault
        .read(MANIFEST_PATH)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let progress: Progress = std::fs::read(folder.progress())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let mut run = Run {
        source,
        folder,
        vault,
        observer,
        patience,
        progress,
        started: Instant::now(),
        elapsed_before: 0,
    };
    run.elapsed_before = run.progress.status.elapsed_seconds;
    run.go(scope, previous.as_ref()).await
}

struct Run<'a, S> {
    source: &'a S,
    folder: &'a JobFolder,
    vault: Vault,
    observer: &'a dyn Observer,
    patience: Patience,
    progress: Progress,
    started: Instant,
    elapsed_before: u64,
}

impl<S: Source> Run<'_, S> {
    async fn go(&mut self, scope: &Scope, previous: Option<&Manifest>) -> Result<Finished, Halt> {
        if self.progress.listing.is_none() {
            let listing = self.list(scope).await?;
            self.progress.listing = Some(listing);
            self.save()?;
        }
        let listing = self.progress.listing.take().expect("listed above");
        let mut plan = layout::plan(&listing.trees, &listing.pages, previous);
        self.progress.listing = Some(listing);
        self.progress.status.pages_total = plan.pages.len() as u64;
        let targets = Targets::of(&plan);
        // The files of pages this run wrote before it was stopped keep their names.
        let mut paths = std::mem::take(&mut plan.paths);
        for entry in self.progress.done.values() {
            for resource in &entry.resources {
                paths.keep(&resource.path, Kind::File);
            }
        }
        for page in &plan.pages {
            if self.progress.done.contains_key(&page.id)
                || self.progress.skipped_pages.contains(&page.id)
            {
                continue;
            }
            self.halt_if_asked()?;
            let before = previous.and_then(|m| m.pages.get(&page.id));
            if let Some(before) = before.filter(|b| self.unchanged(b, page)) {
                self.progress.done.insert(page.id.clone(), before.clone());
            } else {
                self.page(&plan, page, before, &targets, &mut paths).await?;
            }
            self.progress.status.pages_done = self.progress.done.len() as u64;
            self.save()?;
            self.observer.progress(&self.progress.status);
        }
        if let Some(previous) = previous {
            self.remove_deleted(previous, &plan)?;
        }
        self.finish(scope, &plan, previous.is_some())
    }

    /// The notebooks in scope and every section's pages.
    async fn list(&mut self, scope: &Scope) -> Result<Listing, Halt> {
        self.doing("listing notebooks and sections");
        let source = self.source;
        let trees = match self.fetch(|| source.tree()).await {
            Ok(trees) => scope.narrow(trees),
            Err(Fail::Skip(reason)) => return Err(Halt::Failed(reason)),
            Err(Fail::Halt(halt)) => return Err(halt),
        };
        if trees.is_empty() {
            return Err(Halt::Failed(
                "the notebook or section to export is not there any more".into(),
            ));
        }
        let mut pages = HashMap::new();
        for section in trees.iter().flat_map(|t| crate::scope::sections(t)) {
            self.doing(&format!("listing the pages of {}", section.display_name));
            let list = match self.fetch(|| source.section_pages(&section.id)).await {
                Ok(list) => list,
                Err(Fail::Skip(reason)) => {
                    self.skip("section", &section.display_name, &reason);
                    Vec::new()
                }
                Err(Fail::Halt(halt)) => return Err(halt),
            };
            pages.insert(section.id.clone(), list);
        }
        Ok(Listing { trees, pages })
    }

    /// Whether the vault's copy of `page` is still what OneNote has.
    fn unchanged(&self, before: &PageEntry, page: &PlannedPage) -> bool {
        before.modified.is_some()
            && before.modified == page.modified
            && before.path == page.path
            && self.vault.exists(&before.path)
    }

    /// Fetches, converts and writes one page with its resources.
    async fn page(
        &mut self,
        plan: &Plan,
        page: &PlannedPage,
        before: Option<&PageEntry>,
        targets: &Targets,
        paths: &mut VaultPaths,
    ) -> Result<(), Halt> {
        self.doing(&format!("exporting {}", page.path));
        let source = self.source;
        let content = match self.fetch(|| source.page_content(&page.id)).await {
            Ok(content) => content,
            Err(Fail::Skip(reason)) => {
                self.skip("page", &page.path, &reason);
                self.progress.skipped_pages.insert(page.id.clone());
                return Ok(());
            }
            Err(Fail::Halt(halt)) => return Err(halt),
        };
        let folder = match plan.section(&page.section) {
            Some(section) => section.resources.clone(),
            None => paths.adopt_folder("", RESOURCE_FOLDER, 0),
        };
        // A changed page takes its files' names again, so they stay where they were.
        for resource in before.map(|b| b.resources.as_slice()).unwrap_or_default() {
            paths.release(&resource.path);
        }
        let placed: RefCell<HashMap<String, String>> = RefCell::default();
        let paths_cell = RefCell::new(std::mem::take(paths));
        let conversion = {
            let resource_path = |chosen: &str| {
                let file = chosen.rsplit('/').next().unwrap_or(chosen);
                let (stem, extension) = match file.rsplit_once('.') {
                    Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
                    _ => (file, None),
                };
                let path = paths_cell.borrow_mut().file(&folder, stem, extension);
                let link = relative(&page.path, &path);
                placed.borrow_mut().insert(link.clone(), path);
                link
            };
            let resolver = |link: &PageLink| targets.resolve(&page.path, link);
            onenote_md::to_markdown_with(
                &content.html,
                &PageMeta {
                    title: page.title.clone(),
                    created: page.created.clone(),
                    modified: page.modified.clone(),
                    web_url: page.web_url.clone(),
                    id: Some(page.id.clone()),
                },
                &Options {
                    ink: content.ink.as_deref(),
                    links: Some(&resolver),
                    carried_files: CarriedFiles::Files,
                    resource_path: Some(&resource_path),
                },
            )
        };
        *paths = paths_cell.into_inner();
        let placed = placed.into_inner();
        let mut resources = Vec::new();
        for resource in &conversion.resources {
            let Some(path) = placed.get(&resource.file_name) else {
                continue;
            };
            let bytes = match &resource.bytes {
                Some(bytes) => bytes.clone(),
                None => match self.fetch(|| source.resource(&resource.id)).await {
                    Ok(bytes) => bytes,
                    Err(Fail::Skip(reason)) => {
                        self.skip("resource", &format!("{path} (on {})", page.path), &reason);
                        continue;
                    }
                    Err(Fail::Halt(halt)) => return Err(halt),
                },
            };
            self.write(path, &bytes)?;
            self.progress.status.resources_done += 1;
            resources.push(ResourceEntry {
                id: resource.id.clone(),
                path: path.clone(),
                sha256: sha256_hex(&bytes),
                bytes: bytes.len() as u64,
            });
        }
        if let Some(before) = before {
            for old in &before.resources {
                if !resources.iter().any(|r| r.path == old.path) {
                    self.remove(&old.path)?;
                }
            }
            // Moved in OneNote (another section, or its old path could not be kept).
            if before.path != page.path {
                self.remove(&before.path)?;
            }
        }
        self.write(&page.path, conversion.markdown.as_bytes())?;
        self.progress.status.broken_links += conversion.unresolved_links.len() as u64;
        let changes = &mut self.progress.changes;
        match before {
            Some(_) => changes.changed.push(page.path.clone()),
            None => changes.added.push(page.path.clone()),
        }
        self.progress.done.insert(
            page.id.clone(),
            PageEntry {
                title: page.title.clone(),
                path: page.path.clone(),
                children: Some(page.children.clone()),
                section: page.section.clone(),
                modified: page.modified.clone(),
                link_id: page.link_id.clone(),
                resources,
                broken_links: conversion.unresolved_links,
            },
        );
        Ok(())
    }

    /// Removes the files of pages the previous export had and OneNote no longer has.
    fn remove_deleted(&mut self, previous: &Manifest, plan: &Plan) -> Result<(), Halt> {
        for (id, entry) in &previous.pages {
            if plan.pages.iter().any(|p| &p.id == id) {
                continue;
            }
            for resource in &entry.resources {
                self.remove(&resource.path)?;
            }
            self.remove(&entry.path)?;
            self.progress.changes.removed.push(entry.path.clone());
        }
        Ok(())
    }

    /// The index pages, the manifest, the report and the zip.
    fn finish(&mut self, scope: &Scope, plan: &Plan, updated: bool) -> Result<Finished, Halt> {
        self.doing("writing the archive");
        // Index pages of sections that went away go with them.
        for (path, text) in vault::index_pages(plan) {
            self.write(&path, text.as_bytes())?;
        }
        let manifest = Manifest {
            scope: scope.kind().to_string(),
            scope_id: scope.id().map(str::to_string),
            pages: self.progress.done.clone(),
            sections: plan
                .sections
                .iter()
                .map(|s| {
                    let entry = SectionEntry {
                        name: s.name.clone(),
                        folder: s.folder.clone(),
                        link_id: s.link_id.clone(),
                    };
                    (s.id.clone(), entry)
                })
                .collect(),
        };
        self.progress.status.broken_links = manifest
            .pages
            .values()
            .map(|p| p.broken_links.len() as u64)
            .sum();
        self.tick();
        let report = crate::report::report(
            &manifest,
            &self.progress.status,
            &self.progress.changes,
            updated,
        );
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| disk(&e))?;
        self.write(MANIFEST_PATH, &json)?;
        self.write(REPORT_PATH, report.as_bytes())?;
        let archive_bytes = crate::archive::write(self.vault.root(), &self.folder.archive())
            .map_err(|e| disk(&e))?;
        self.doing("done");
        self.save()?;
        Ok(Finished {
            status: self.progress.status.clone(),
            changes: self.progress.changes.clone(),
            archive_bytes,
        })
    }

    /// One call, tried again while OneNote throttles or fails it.
    async fn fetch<T, Fut>(&mut self, call: impl Fn() -> Fut) -> Result<T, Fail>
    where
        Fut: Future<Output = Result<T, FetchError>>,
    {
        let mut wait = self.patience.first_wait;
        let mut last = String::new();
        for _ in 0..self.patience.attempts.max(1) {
            self.halt_if_asked().map_err(Fail::Halt)?;
            self.progress.status.calls += 1;
            match call().await {
                Ok(value) => return Ok(value),
                Err(FetchError::Transient {
                    message,
                    retry_after,
                }) => {
                    let pause = retry_after.unwrap_or(wait).min(self.patience.max_wait);
                    wait = (wait * 2).min(self.patience.max_wait);
                    let doing = std::mem::take(&mut self.progress.status.doing);
                    self.progress.status.doing = format!(
                        "waiting {} s for OneNote ({message})",
                        pause.as_secs().max(1)
                    );
                    self.observer.progress(&self.progress.status);
                    tokio::time::sleep(pause).await;
                    self.progress.status.doing = doing;
                    self.progress.status.throttled_seconds += pause.as_secs();
                    last = message;
                }
                Err(FetchError::Failed(reason)) => return Err(Fail::Skip(reason)),
                Err(FetchError::Paused(reason)) => return Err(Fail::Halt(Halt::Paused(reason))),
                Err(FetchError::Fatal(reason)) => return Err(Fail::Halt(Halt::Failed(reason))),
            }
        }
        Err(Fail::Skip(format!("still failing after retries: {last}")))
    }

    fn halt_if_asked(&self) -> Result<(), Halt> {
        match self.observer.stop() {
            Some(halt) => Err(halt),
            None => Ok(()),
        }
    }

    fn doing(&mut self, what: &str) {
        self.progress.status.doing = what.to_string();
        self.observer.progress(&self.progress.status);
    }

    fn skip(&mut self, kind: &str, name: &str, reason: &str) {
        tracing::warn!(kind, reason, "export skipped an item");
        self.progress.status.skipped.push(Skipped {
            kind: kind.to_string(),
            name: name.to_string(),
            reason: reason.to_string(),
        });
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), Halt> {
        self.vault.write(path, bytes).map_err(|e| disk(&e))?;
        self.progress.status.bytes += bytes.len() as u64;
        Ok(())
    }

    fn remove(&self, path: &str) -> Result<(), Halt> {
        self.vault.remove(path).map_err(|e| disk(&e))
    }

    fn tick(&mut self) {
        self.progress.status.elapsed_seconds =
            self.elapsed_before + self.started.elapsed().as_secs();
    }

    /// Makes what is done so far durable.
    fn save(&mut self) -> Result<(), Halt> {
        self.tick();
        let json = serde_json::to_vec(&self.progress).map_err(|e| disk(&e))?;
        write_atomically(&self.folder.progress(), &json).map_err(|e| disk(&e))
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("part");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(partial, path)
}

fn disk(e: &dyn std::error::Error) -> Halt {
    Halt::Failed(format!("cannot write the export: {e}"))
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
