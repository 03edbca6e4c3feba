//! The export runner on its own, against an in-memory OneNote on tokio's paused clock (back-offs
//! of minutes pass in no time): a run stopped at every page boundary resumes and fetches no page
//! twice; an update fetches only what changed and removes what went; a call that keeps failing
//! is tried `Patience::attempts` times, then its page is skipped and reported; cancel stops the
//! run; a run stopped between a page and its images does not fetch the page again.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use export::{FetchError, Halt, JobFolder, Observer, Patience, Scope, Source, Status};
use graph::ink_content::PageContent;
use graph::onenote::{NotebookTree, Page};
use serde_json::json;

const ONE_SECTION: &str = "section-1";

/// OneNote for one user, in memory, with scripted failures, counting every call.
struct Fake {
    trees: Vec<NotebookTree>,
    pages: Mutex<Vec<(String, String, String)>>,
    resources: HashMap<String, Vec<u8>>,
    calls: Mutex<Vec<String>>,
    /// Call key (`content:ID`, `resource:ID`) → errors to answer, one per call, before it works.
    failures: Mutex<HashMap<String, Vec<FetchError>>>,
}

impl Fake {
    /// A notebook with one section of `n` pages; every third page has an image.
    fn new(n: usize) -> Fake {
        let tree: NotebookTree = serde_json::from_value(json!({
            "notebook": {"id": "notebook-1", "displayName": "Research"},
            "sections": [{"id": ONE_SECTION, "displayName": "Trials"}],
            "groups": [],
        }))
        .unwrap();
        let mut resources = HashMap::new();
        let pages = (0..n)
            .map(|i| {
                let id = format!("page-{i}");
                let mut html = format!("<html><body><p>Page {i} says hello.</p>");
                if i % 3 == 0 {
                    let resource = format!("res-{i}");
                    html.push_str(&format!(
                        r#"<img src="https://graph.microsoft.com/v1.0/me/onenote/resources/{resource}/$value" alt="figure {i}">"#
                    ));
                    resources.insert(resource, format!("image bytes {i}").into_bytes());
                }
                html.push_str("</body></html>");
                (id, html, "2024-01-01T00:00:00Z".to_string())
            })
            .collect();
        Fake {
            trees: vec![tree],
            pages: Mutex::new(pages),
            resources,
            calls: Mutex::default(),
            failures: Mutex::default(),
        }
    }

    fn answer<T>(&self, key: String, value: impl FnOnce() -> T) -> Result<T, FetchError> {
        self.calls.lock().unwrap().push(key.clone());
        if let Some(errors) = self.failures.lock().unwrap().get_mut(&key)
            && !errors.is_empty()
        {
            return Err(errors.remove(0));
        }
        Ok(value())
    }

    fn fail(&self, key: &str, errors: Vec<FetchError>) {
        self.failures.lock().unwrap().insert(key.into(), errors);
    }

    /// How often each call was made.
    fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for call in self.calls.lock().unwrap().iter() {
            *counts.entry(call.clone()).or_default() += 1;
        }
        counts
    }

    fn content_fetches(&self) -> BTreeMap<String, usize> {
        self.counts()
            .into_iter()
            .filter(|(k, _)| k.starts_with("content:"))
            .collect()
    }
}

impl Source for Fake {
    async fn tree(&self) -> Result<Vec<NotebookTree>, FetchError> {
        self.answer("tree".into(), || self.trees.clone())
    }

    async fn section_pages(&self, section: &str) -> Result<Vec<Page>, FetchError> {
        let pages = self.pages.lock().unwrap().clone();
        self.answer(format!("pages:{section}"), || {
            pages
                .iter()
                .map(|(id, _, modified)| {
                    serde_json::from_value(json!({
                        "id": id, "title": format!("Title of {id}"), "level": 0,
                        "lastModifiedDateTime": modified,
                    }))
                    .unwrap()
                })
                .collect()
        })
    }

    async fn page_content(&self, page: &str) -> Result<PageContent, FetchError> {
        let html = self
            .pages
            .lock()
            .unwrap()
            .iter()
            .find(|(id, ..)| id == page)
            .map(|(_, html, _)| html.clone());
        self.answer(format!("content:{page}"), || PageContent {
            html: html.unwrap_or_default(),
            ink: None,
        })
    }

    async fn resource(&self, id: &str) -> Result<Vec<u8>, FetchError> {
        self.answer(format!("resource:{id}"), || {
            self.resources.get(id).cloned().unwrap_or_default()
        })
    }
}

/// Watches the run; stops it with `halt` once `after` pages are done.
struct Stopper {
    after: Option<u64>,
    halt: Halt,
    done: Mutex<u64>,
}

impl Stopper {
    fn never() -> Stopper {
        Stopper {
            after: None,
            halt: Halt::Cancelled,
            done: Mutex::new(0),
        }
    }

    fn after(pages: u64, halt: Halt) -> Stopper {
        Stopper {
            after: Some(pages),
            halt,
            done: Mutex::new(0),
        }
    }
}

impl Observer for Stopper {
    fn progress(&self, status: &Status) {
        *self.done.lock().unwrap() = status.pages_done;
    }

    fn stop(&self) -> Option<Halt> {
        let done = *self.done.lock().unwrap();
        self.after
            .filter(|after| done >= *after)
            .map(|_| self.halt.clone())
    }
}

fn folder() -> (JobFolder, TempDir) {
    let dir = TempDir(std::env::temp_dir().join(format!("runner-test-{}", uuid())));
    (JobFolder::new(&dir.0), dir)
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uuid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn patience() -> Patience {
    Patience {
        attempts: 4,
        first_wait: Duration::from_secs(30),
        max_wait: Duration::from_secs(120),
    }
}

/// Every file of the vault by path (index pages and `_export/` left out).
fn vault_files(folder: &JobFolder) -> BTreeMap<String, Vec<u8>> {
    let root = folder.vault().root().to_path_buf();
    export::archive::files(&root)
        .unwrap()
        .into_iter()
        .filter(|p| !p.starts_with("_export/") && !p.ends_with("/index.md"))
        .map(|p| {
            let bytes = std::fs::read(root.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_run_stopped_at_any_page_boundary_resumes_and_fetches_no_page_twice() {
    const PAGES: u64 = 7;
    let (whole, _keep) = folder();
    let reference = Fake::new(PAGES as usize);
    let scope = Scope::Notebook("notebook-1".into());
    export::run(&reference, &whole, &scope, &Stopper::never(), patience())
        .await
        .unwrap();
    let expected = vault_files(&whole);

    for stop_after in 0..=PAGES {
        let (folder, _keep) = folder();
        let source = Fake::new(PAGES as usize);
        let first = export::run(
            &source,
            &folder,
            &scope,
            &Stopper::after(stop_after, Halt::LeaseLost),
            patience(),
        )
        .await;
        // A page counts as done once it is written, which is while the next page is fetched:
        // the stop is seen before page `stop_after + 1`, so a run stopped after the next to last
        // page has no page left to stop before.
        if stop_after + 1 < PAGES {
            assert_eq!(
                first.unwrap_err(),
                Halt::LeaseLost,
                "stopped after {stop_after}"
            );
        }
        let done = export::run(&source, &folder, &scope, &Stopper::never(), patience())
            .await
            .unwrap();
        assert_eq!(done.status.pages_done, PAGES, "stopped after {stop_after}");
        let fetches = source.content_fetches();
        assert_eq!(fetches.len(), PAGES as usize);
        assert!(
            fetches.values().all(|n| *n == 1),
            "stopped after {stop_after}: {fetches:?}"
        );
        assert_eq!(vault_files(&folder), expected, "stopped after {stop_after}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_stopped_between_a_page_and_its_image_does_not_fetch_the_page_again() {
    let (folder, _keep) = folder();
    let source = Fake::new(4);
    let scope = Scope::All;
    source.fail(
        "resource:res-3",
        vec![FetchError::NeedsOwner("sign in again".into())],
    );
    let first = export::run(&source, &folder, &scope, &Stopper::never(), patience()).await;
    assert_eq!(first.unwrap_err(), Halt::NeedsOwner("sign in again".into()));
    export::run(&source, &folder, &scope, &Stopper::never(), patience())
        .await
        .unwrap();
    let counts = source.counts();
    assert_eq!(counts["content:page-3"], 1, "{counts:?}");
    assert_eq!(counts["resource:res-3"], 2, "{counts:?}");
}

#[tokio::test(start_paused = true)]
async fn a_call_that_keeps_failing_is_tried_as_patience_says_then_its_page_is_skipped() {
    let (folder, _keep) = folder();
    let source = Fake::new(5);
    let throttled = || FetchError::Transient {
        message: "throttled".into(),
        retry_after: None,
    };
    // Page 1 fails once, then works; page 2 never works.
    source.fail("content:page-1", vec![throttled()]);
    source.fail("content:page-2", (0..100).map(|_| throttled()).collect());
    let started = tokio::time::Instant::now();
    let done = export::run(&source, &folder, &Scope::All, &Stopper::never(), patience())
        .await
        .unwrap();
    let counts = source.counts();
    assert_eq!(counts["content:page-1"], 2);
    assert_eq!(counts["content:page-2"], patience().attempts as usize);
    assert_eq!(done.status.pages_done, 5);
    assert_eq!(done.status.skipped.len(), 1);
    assert!(done.status.skipped[0].name.contains("Title of page-2"));
    // Back-off: 30 s after page 1's failure; 30 + 60 + 120 + 120 for page 2's four tries.
    assert_eq!(done.status.throttled_seconds, 30 + 30 + 60 + 120 + 120);
    assert!(started.elapsed() >= Duration::from_secs(360));
    let report = std::fs::read_to_string(folder.vault().root().join("_export/report.md")).unwrap();
    assert!(report.contains("Title of page-2"), "{report}");
}

#[tokio::test(start_paused = true)]
async fn an_update_fetches_only_what_changed_and_removes_what_went() {
    let (folder, _keep) = folder();
    let source = Fake::new(6);
    let scope = Scope::All;
    export::run(&source, &folder, &scope, &Stopper::never(), patience())
        .await
        .unwrap();
    let before = vault_files(&folder);
    {
        let mut pages = source.pages.lock().unwrap();
        // page-1 changed, page-4 deleted, page-9 new.
        pages[1].1 = "<html><body><p>Page 1, edited.</p></body></html>".into();
        pages[1].2 = "2024-02-01T00:00:00Z".into();
        pages.remove(4);
        pages.push((
            "page-9".into(),
            "<html><body><p>New page.</p></body></html>".into(),
            "2024-02-02T00:00:00Z".into(),
        ));
    }
    source.calls.lock().unwrap().clear();
    folder.start_update().unwrap();
    let done = export::run(&source, &folder, &scope, &Stopper::never(), patience())
        .await
        .unwrap();
    let fetched: Vec<String> = source.content_fetches().into_keys().collect();
    assert_eq!(fetched, ["content:page-1", "content:page-9"]);
    assert_eq!(done.changes.changed, ["Research/Trials/Title of page-1.md"]);
    assert_eq!(done.changes.added, ["Research/Trials/Title of page-9.md"]);
    assert_eq!(done.changes.removed, ["Research/Trials/Title of page-4.md"]);
    let after = vault_files(&folder);
    assert!(!after.contains_key("Research/Trials/Title of page-4.md"));
    assert!(
        String::from_utf8_lossy(&after["Research/Trials/Title of page-1.md"]).contains("edited")
    );
    for unchanged in ["page-0", "page-2", "page-3", "page-5"] {
        let path = format!("Research/Trials/Title of {unchanged}.md");
        assert_eq!(after[&path], before[&path], "{path} kept as it was");
    }
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_the_run_between_calls() {
    let (folder, _keep) = folder();
    let source = Fake::new(6);
    let result = export::run(
        &source,
        &folder,
        &Scope::All,
        &Stopper::after(2, Halt::Cancelled),
        patience(),
    )
    .await;
    assert_eq!(result.unwrap_err(), Halt::Cancelled);
    // The second page counts as done once it is written, while the third is fetched: no call
    // after that.
    assert_eq!(source.content_fetches().len(), 3);
    assert!(!folder.archive().exists());
}

#[tokio::test(start_paused = true)]
async fn zip_entries_carry_their_pages_modified_time() {
    let (folder, _keep) = folder();
    let source = Fake::new(3);
    export::run(&source, &folder, &Scope::All, &Stopper::never(), patience())
        .await
        .unwrap();
    let bytes = std::fs::read(folder.archive()).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let page = archive
        .by_name("Research/Trials/Title of page-0.md")
        .unwrap();
    let at = page.last_modified().unwrap();
    assert_eq!(
        (at.year(), at.month(), at.day(), at.hour()),
        (2024, 1, 1, 0)
    );
    drop(page);
    let images: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| n.starts_with("Research/Trials/resources/"))
        .collect();
    assert_eq!(images.len(), 1, "{images:?}");
    let at = archive
        .by_name(&images[0])
        .unwrap()
        .last_modified()
        .unwrap();
    assert_eq!(
        (at.year(), at.month(), at.day()),
        (2024, 1, 1),
        "with its page"
    );
}

#[tokio::test(start_paused = true)]
async fn a_page_with_more_attachments_than_are_held_writes_them_all_as_they_come() {
    // Three 12 MiB pictures on one page: more than a page holds in memory before writing.
    let (folder, _keep) = folder();
    let mut source = Fake::new(2);
    let big: Vec<Vec<u8>> = (0..3u8)
        .map(|n| (0..12 * 1024 * 1024).map(|i| (i % 251) as u8 ^ n).collect())
        .collect();
    {
        let mut pages = source.pages.lock().unwrap();
        let mut html = String::from("<html><body><p>Plates</p>");
        for (n, bytes) in big.iter().enumerate() {
            let id = format!("plate-{n}");
            html.push_str(&format!(
                r#"<img src="https://graph.microsoft.com/v1.0/me/onenote/resources/{id}/$value" alt="plate {n}">"#
            ));
            source.resources.insert(id, bytes.clone());
        }
        html.push_str("</body></html>");
        pages[1].1 = html;
    }
    let done = export::run(&source, &folder, &Scope::All, &Stopper::never(), patience())
        .await
        .unwrap();
    assert_eq!(done.status.pages_done, 2);
    let files = vault_files(&folder);
    for bytes in &big {
        assert!(files.values().any(|f| f == bytes), "a plate is missing");
    }
    let manifest: export::Manifest = serde_json::from_slice(
        &std::fs::read(folder.vault().root().join(export::MANIFEST_PATH)).unwrap(),
    )
    .unwrap();
    let plates = &manifest.pages["page-1"].resources;
    assert_eq!(plates.len(), 3);
    for plate in plates {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &files[&plate.path]);
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(plate.sha256, hex, "{}", plate.path);
    }
}
