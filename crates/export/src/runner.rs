//! Running one export: list what is in scope (once: the listing is kept), lay out the vault, then
//! fetch and convert page after page, writing each page and its resources before the next one's —
//! and recording it in the job's journal ([`crate::progress`]), so a restart goes on from the
//! next page and fetches nothing twice. A throttled or failing call is waited out with back-off;
//! one that still fails skips that page or resource (reported), never the export. At the end:
//! the index pages, the manifest, the report and the zip.
//!
//! This is the one place that retries a call: the source makes each call once (the web app's
//! Graph client for exports does not retry on its own), so a page costs at most
//! [`Patience::attempts`] requests, never attempts times the client's own retries.
//!
//! Files are written on tokio's blocking threads: a page's files, the journal and the zip (with
//! its compression and fsync of hundreds of megabytes) never stall the threads that serve page
//! views. A page's files are written while the next page is fetched ([`crate::page_write`]).
//!
//! An update is the same run over a vault that already holds an export: pages whose
//! `lastModifiedDateTime` is unchanged are kept as they are (not fetched), changed and new ones
//! are fetched, and pages no longer in OneNote are removed.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::future::Future;
use std::time::{Duration, Instant};

use graph::ink_content::PageContent;
use onenote_md::{CarriedFiles, Options, PageLink, PageMeta};

use crate::folder::JobFolder;
use crate::layout::{self, MANIFEST_PATH, Plan, PlannedPage, REPORT_PATH, RESOURCE_FOLDER};
use crate::links::{Targets, relative};
use crate::manifest::{Manifest, PageEntry, ResourceEntry, SectionEntry};
use crate::page_write::{HELD_BYTES, PageFiles, WriteBehind, write_resources};
use crate::paths::{Kind, VaultPaths};
use crate::progress::{Line, Listing, Outcome, Pending, Progress, ProgressFiles};
use crate::scope::Scope;
use crate::source::{FetchError, Source};
use crate::status::{Changes, Skipped, Status};
use crate::vault::{self, Vault};

pub use crate::manifest::sha256_hex;

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
    /// Whether to stop now (checked between calls): cancelled, or the lease lost.
    fn stop(&self) -> Option<Halt>;
}

/// Why a run ended before the export was complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// The owner cancelled it.
    Cancelled,
    /// This instance no longer holds the job (another took it over after this one stalled):
    /// stop, and record nothing.
    LeaseLost,
    /// Only the owner can go on (signed out, a stronger sign-in, consent): why, in words.
    NeedsOwner(String),
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
    let files = folder.progress();
    let (previous, progress, pending) = {
        let (vault, files) = (vault.clone(), files.clone());
        blocking(move || {
            let previous: Option<Manifest> = vault
                .read(MANIFEST_PATH)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
            Ok((previous, files.load()?, files.pending_pages()?))
        })
        .await?
    };
    let mut run = Run {
        source,
        folder,
        writer: WriteBehind::new(vault.clone(), files.clone()),
        files,
        vault,
        pending,
        observer,
        patience,
        elapsed_before: progress.status.elapsed_seconds,
        progress,
        started: Instant::now(),
        page_skips: Vec::new(),
        call_times: VecDeque::new(),
    };
    run.go(scope, previous.as_ref()).await
}

struct Run<'a, S> {
    source: &'a S,
    folder: &'a JobFolder,
    files: ProgressFiles,
    vault: Vault,
    /// The page being written while the next is fetched.
    writer: WriteBehind,
    /// Pages whose content the last run kept (it stopped while they were in flight).
    pending: BTreeSet<String>,
    observer: &'a dyn Observer,
    patience: Patience,
    progress: Progress,
    started: Instant,
    elapsed_before: u64,
    /// What was skipped while doing the page in hand (journaled with it).
    page_skips: Vec<Skipped>,
    /// How long the last calls took (µs).
    call_times: VecDeque<u64>,
}

/// How many of the last calls' times the median is taken over.
const CALLS_TIMED: usize = 31;

impl<S: Source> Run<'_, S> {
    async fn go(&mut self, scope: &Scope, previous: Option<&Manifest>) -> Result<Finished, Halt> {
        if self.progress.listing.is_none() {
            let listing = self.list(scope).await?;
            let files = self.files.clone();
            let saved = listing.clone();
            blocking(move || files.save_listing(&saved)).await?;
            self.progress.status.skipped = listing.skipped.clone();
            self.progress.status.notes = listing.notes.clone();
            self.progress.listing = Some(listing);
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
        let pages = self.pages(&plan, previous, &targets, &mut paths).await;
        // However the pages ended, the one being written is on disk before the run goes on
        // or stops.
        let written = self.settle().await;
        pages?;
        written?;
        if let Some(previous) = previous {
            self.remove_deleted(previous, &plan).await?;
        }
        self.finish(scope, &plan, previous.is_some()).await
    }

    /// Every page not done yet, in the plan's order.
    async fn pages(
        &mut self,
        plan: &Plan,
        previous: Option<&Manifest>,
        targets: &Targets,
        paths: &mut VaultPaths,
    ) -> Result<(), Halt> {
        for page in &plan.pages {
            if self.progress.done.contains_key(&page.id)
                || self.progress.skipped_pages.contains(&page.id)
            {
                continue;
            }
            self.halt_if_asked()?;
            let before = previous.and_then(|m| m.pages.get(&page.id));
            let kept = match before {
                Some(before) => self.unchanged(before, page).await,
                None => false,
            };
            let files = match before {
                Some(before) if kept => {
                    PageFiles::line_only(self.line(page, Outcome::Kept, Some(before.clone()), 0))
                }
                _ => self.page(plan, page, before, targets, paths).await?,
            };
            self.record(files).await?;
        }
        Ok(())
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
        self.page_skips.extend(source.skipped());
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
        Ok(Listing {
            trees,
            pages,
            skipped: std::mem::take(&mut self.page_skips),
            notes: source.notes(),
        })
    }

    /// Whether the vault's copy of `page` is still what OneNote has.
    async fn unchanged(&self, before: &PageEntry, page: &PlannedPage) -> bool {
        if before.modified.is_none() || before.modified != page.modified || before.path != page.path
        {
            return false;
        }
        let (vault, path) = (self.vault.clone(), before.path.clone());
        blocking(move || Ok(vault.exists(&path)))
            .await
            .unwrap_or(false)
    }

    /// The journal line for a page finished with `outcome`.
    fn line(
        &mut self,
        page: &PlannedPage,
        outcome: Outcome,
        entry: Option<PageEntry>,
        bytes: u64,
    ) -> Line {
        self.tick();
        let status = &self.progress.status;
        Line {
            page: page.id.clone(),
            outcome,
            entry,
            skipped: std::mem::take(&mut self.page_skips),
            bytes,
            calls: status.calls,
            waited_seconds: status.throttled_seconds,
            elapsed_seconds: status.elapsed_seconds,
        }
    }

    /// Starts making a finished page durable (its files, then its journal line); counts the
    /// page before it, now durable (as a resumed run counts it again).
    async fn record(&mut self, page: PageFiles) -> Result<(), Halt> {
        let before = self.writer.start(page).await.map_err(|e| disk(&e))?;
        self.count(before);
        Ok(())
    }

    /// Waits for the page being written, and counts it.
    async fn settle(&mut self) -> Result<(), Halt> {
        let written = self.writer.settle().await.map_err(|e| disk(&e))?;
        self.count(written);
        Ok(())
    }

    fn count(&mut self, written: Option<Line>) {
        if let Some(line) = written {
            self.progress.apply(line);
            self.observer.progress(&self.progress.status);
        }
    }

    /// Fetches (or takes from the last run's page in flight) and converts one page, and fetches
    /// its resources; what it leaves on disk, with the line that records it.
    async fn page(
        &mut self,
        plan: &Plan,
        page: &PlannedPage,
        before: Option<&PageEntry>,
        targets: &Targets,
        paths: &mut VaultPaths,
    ) -> Result<PageFiles, Halt> {
        self.doing(&format!("exporting {}", page.path));
        let content = match self.content(page).await? {
            Ok(content) => content,
            Err(reason) => {
                self.skip("page", &page.path, &reason);
                return Ok(PageFiles::line_only(self.line(
                    page,
                    Outcome::Skipped,
                    None,
                    0,
                )));
            }
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
                    author: page.author.clone(),
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
        let source = self.source;
        let mut resources = Vec::new();
        let mut held: Vec<Option<Vec<u8>>> = Vec::new();
        let mut held_bytes = 0;
        let mut bytes_written = 0;
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
            resources.push(ResourceEntry {
                id: resource.id.clone(),
                path: path.clone(),
                // Hashed as it is written.
                sha256: String::new(),
                bytes: bytes.len() as u64,
            });
            bytes_written += bytes.len() as u64;
            held_bytes += bytes.len();
            held.push(Some(bytes));
            if held_bytes > HELD_BYTES {
                // Written now, after the page before (the order on disk stays the pages').
                self.settle().await?;
                let vault = self.vault.clone();
                (resources, held) = blocking(move || {
                    write_resources(&vault, &mut resources, &mut held)?;
                    Ok((resources, held))
                })
                .await?;
                held_bytes = 0;
            }
        }
        let mut removals = Vec::new();
        if let Some(before) = before {
            for old in &before.resources {
                if !resources.iter().any(|r| r.path == old.path) {
                    removals.push(old.path.clone());
                }
            }
            // Moved in OneNote (another section, or its old path could not be kept).
            if before.path != page.path {
                removals.push(before.path.clone());
            }
        }
        let markdown = conversion.markdown.into_bytes();
        bytes_written += markdown.len() as u64;
        let entry = PageEntry {
            title: page.title.clone(),
            path: page.path.clone(),
            children: Some(page.children.clone()),
            section: page.section.clone(),
            modified: page.modified.clone(),
            link_id: page.link_id.clone(),
            resources,
            broken_links: conversion.unresolved_links,
        };
        let outcome = match before {
            Some(_) => Outcome::Changed,
            None => Outcome::Added,
        };
        Ok(PageFiles {
            resources: held,
            removals,
            markdown: Some((page.path.clone(), markdown)),
            line: self.line(page, outcome, Some(entry), bytes_written),
        })
    }

    /// The page's content: kept from the last run if it stopped on this page, else fetched
    /// (and kept until the page is finished). `Ok(Err(reason))`: skip the page.
    async fn content(&mut self, page: &PlannedPage) -> Result<Result<PageContent, String>, Halt> {
        if self.pending.remove(&page.id) {
            let (files, id) = (self.files.clone(), page.id.clone());
            if let Some(content) = blocking(move || Ok(files.pending(&id))).await? {
                return Ok(Ok(content));
            }
        }
        let source = self.source;
        let content = match self.fetch(|| source.page_content(&page.id)).await {
            Ok(content) => content,
            Err(Fail::Skip(reason)) => return Ok(Err(reason)),
            Err(Fail::Halt(halt)) => return Err(halt),
        };
        if source.content_costs_a_call(&page.id) {
            let files = self.files.clone();
            let pending = Pending {
                page: page.id.clone(),
                content: content.clone(),
            };
            blocking(move || files.save_pending(&pending)).await?;
        }
        Ok(Ok(content))
    }

    /// Removes the files of pages the previous export had and OneNote no longer has.
    async fn remove_deleted(&mut self, previous: &Manifest, plan: &Plan) -> Result<(), Halt> {
        for (id, entry) in &previous.pages {
            if plan.pages.iter().any(|p| &p.id == id) {
                continue;
            }
            for resource in &entry.resources {
                self.remove(&resource.path).await?;
            }
            self.remove(&entry.path).await?;
            self.progress.changes.removed.push(entry.path.clone());
        }
        Ok(())
    }

    /// The index pages, the manifest, the report and the zip.
    async fn finish(
        &mut self,
        scope: &Scope,
        plan: &Plan,
        updated: bool,
    ) -> Result<Finished, Halt> {
        self.doing("writing the archive");
        for (path, text) in vault::index_pages(plan) {
            self.write(&path, text.into_bytes()).await?;
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
                        file: self.source.section_file(&s.id),
                    };
                    (s.id.clone(), entry)
                })
                .collect(),
        };
        let status = &mut self.progress.status;
        status.broken_links = manifest
            .pages
            .values()
            .map(|p| p.broken_links.len() as u64)
            .sum();
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| disk(&e))?;
        self.write(MANIFEST_PATH, json).await?;
        // The vault's size, as the report, the job's page and the list of exports give it: every
        // file in it (the report itself is the one file not counted: it says the number).
        let root = self.vault.root().to_path_buf();
        self.progress.status.bytes = blocking(move || crate::archive::size(&root)).await?;
        self.tick();
        let report = crate::report::report(
            &manifest,
            &self.progress.status,
            &self.progress.changes,
            updated,
        );
        self.write(REPORT_PATH, report.into_bytes()).await?;
        let archive_bytes = match self.folder.zipped().then(|| self.folder.archive()) {
            Some(target) => {
                let dates = crate::archive::Dates::of(&manifest);
                let root = self.vault.root().to_path_buf();
                blocking(move || {
                    crate::archive::write(&root, &target, &dates).map_err(std::io::Error::other)
                })
                .await?
            }
            None => 0,
        };
        self.doing("done");
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
            let started = tokio::time::Instant::now();
            match call().await {
                Ok(value) => {
                    self.timed(started.elapsed());
                    return Ok(value);
                }
                Err(FetchError::Transient {
                    message,
                    retry_after,
                }) => {
                    let pause = retry_after.unwrap_or(wait).min(self.patience.max_wait);
                    wait = (wait * 2).min(self.patience.max_wait);
                    self.wait(pause, &message).await;
                    last = message;
                }
                Err(FetchError::Failed(reason)) => return Err(Fail::Skip(reason)),
                Err(FetchError::NeedsOwner(reason)) => {
                    return Err(Fail::Halt(Halt::NeedsOwner(reason)));
                }
                Err(FetchError::Fatal(reason)) => return Err(Fail::Halt(Halt::Failed(reason))),
            }
        }
        Err(Fail::Skip(format!("still failing after retries: {last}")))
    }

    /// Waits `pause` for OneNote, saying so (and until when) meanwhile.
    async fn wait(&mut self, pause: Duration, why: &str) {
        let doing = std::mem::take(&mut self.progress.status.doing);
        let status = &mut self.progress.status;
        status.doing = format!("waiting {} s for OneNote ({why})", pause.as_secs().max(1));
        status.waiting_since = Some(unix_now());
        status.waiting_until = Some(unix_now() + pause.as_secs() as i64);
        self.observer.progress(&self.progress.status);
        tokio::time::sleep(pause).await;
        let status = &mut self.progress.status;
        status.doing = doing;
        status.waiting_since = None;
        status.waiting_until = None;
        status.throttled_seconds += pause.as_secs();
    }

    /// Notes how long a call took; the status keeps the median of the last ones.
    fn timed(&mut self, took: Duration) {
        if self.call_times.len() == CALLS_TIMED {
            self.call_times.pop_front();
        }
        self.call_times.push_back(took.as_micros() as u64);
        let mut sorted: Vec<u64> = self.call_times.iter().copied().collect();
        sorted.sort_unstable();
        self.progress.status.call_micros = Some(sorted[sorted.len() / 2]);
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
        let skipped = Skipped {
            kind: kind.to_string(),
            name: name.to_string(),
            reason: reason.to_string(),
        };
        self.page_skips.push(skipped);
    }

    async fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), Halt> {
        let (vault, path) = (self.vault.clone(), path.to_string());
        blocking(move || vault.write(&path, &bytes)).await
    }

    async fn remove(&self, path: &str) -> Result<(), Halt> {
        let (vault, path) = (self.vault.clone(), path.to_string());
        blocking(move || vault.remove(&path)).await
    }

    fn tick(&mut self) {
        self.progress.status.elapsed_seconds =
            self.elapsed_before + self.started.elapsed().as_secs();
    }
}

/// Runs disk work on tokio's blocking threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Halt> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|e| disk(&e)),
        Err(e) => Err(disk(&e)),
    }
}

fn disk(e: &dyn std::error::Error) -> Halt {
    Halt::Failed(format!("cannot write the export: {e}"))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
