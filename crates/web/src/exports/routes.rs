//! The export pages: start one (`POST /onenote/exports`), the user's list, one export's progress
//! (HTML that refreshes itself without JavaScript and follows Server-Sent Events with it; JSON
//! for `Accept: application/json`), the events, the zip (streamed from disk, with
//! `Content-Length` and ranges), and Cancel, Update and Delete. An export is its owner's alone:
//! every route loads it by id and answers 404 when it belongs to someone else, exactly as when
//! there is no such export.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use export::{JobFolder, Scope};
use serde::Deserialize;
use tower::ServiceExt;

use super::job::{Job, JobState};
use super::machine::{Event as JobEvent, transition};
use super::store::JobError;
use super::worker::cancel_flag;
use super::{Exports, random_id, valid_job_id};
use crate::clock::now;
use crate::context::RequestContext;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::extract::{AppForm, CarriesCsrf, CheckedForm, SignedIn};
use crate::features::Feature;
use crate::pages::{Layout, render};
use crate::session::{Session, Sessions};

#[derive(Deserialize)]
pub struct StartForm {
    scope: String,
    #[serde(default)]
    id: Option<String>,
    /// What the notebook or section is called, as the page that started it showed (the label
    /// until the export lists it; shown only to its owner).
    #[serde(default)]
    name: Option<String>,
    /// Present for a fast export (the notebooks' own files, `fast_job`).
    #[serde(default)]
    fast: Option<String>,
    /// `group:{id}` or `site:{id}` for a group's or site's notebook or section; absent for
    /// the user's own.
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

impl CarriesCsrf for ActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A button on one of the user's exports (Cancel, Update, Delete): the form's CSRF token
/// checked, then the export loaded and checked to be theirs (404 otherwise).
pub struct ExportAction {
    pub job: Job,
    pub session: Session,
}

impl<S> FromRequest<S> for ExportAction
where
    Exports: FromRef<S>,
    Arc<Csrf>: FromRef<S>,
    Arc<Sessions>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let (mut parts, body) = request.into_parts();
        let Path(id) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let CheckedForm::<ActionForm> { session, .. } =
            CheckedForm::from_request(Request::from_parts(parts, body), state).await?;
        let job = owned(&Exports::from_ref(state), &session, &id).await?;
        Ok(ExportAction { job, session })
    }
}

/// The account an export belongs to (and an MCP client's grant: the signed-in account).
pub(crate) fn owner(session: &Session) -> Result<String, AppError> {
    session
        .user()
        .map(|u| u.home_account_id.clone())
        .ok_or(AppError::internal("a signed-in session has no user"))
}

/// The user's export `id`, or 404.
async fn owned(exports: &Exports, session: &Session, id: &str) -> Result<Job, AppError> {
    if !valid_job_id(id) {
        return Err(AppError::NotFound);
    }
    let owner = owner(session)?;
    match exports.store.get(id).await? {
        Some(job) if job.owner == owner => Ok(job),
        _ => Err(AppError::NotFound),
    }
}

pub(crate) fn see_other(ctx: &RequestContext, path: &str) -> Response {
    Redirect::to(&format!("{}{path}", ctx.prefix)).into_response()
}

pub async fn start(
    State(exports): State<Exports>,
    State(csrf): State<Arc<Csrf>>,
    ctx: RequestContext,
    headers: HeaderMap,
    SignedIn(session): SignedIn,
    AppForm(form): AppForm<StartForm>,
) -> Result<Response, AppError> {
    csrf.check(&session, &headers, &form.csrf)?;
    let id = || {
        form.id
            .clone()
            .filter(|id| onenote_md::is_valid_resource_id(id))
            .ok_or_else(|| {
                AppError::BadRequest("the export names no valid notebook or section".into())
            })
    };
    let scope = match form.scope.as_str() {
        "all" => Scope::All,
        "everything" => Scope::Everything,
        "notebook" => Scope::Notebook(id()?),
        "section" => Scope::Section(id()?),
        _ => {
            return Err(AppError::BadRequest(
                "scope must be all, everything, notebook or section".into(),
            ));
        }
    };
    let location = graph::Location::from_argument(form.location.as_deref())
        .ok_or_else(|| AppError::BadRequest("the export names no valid group or site".into()))?;
    let cache = session
        .secrets
        .token_cache
        .as_ref()
        .ok_or(AppError::internal("a signed-in session has no token cache"))?;
    if !cache.has_scopes(Feature::OneNote.scopes()) {
        return Err(AppError::ConsentNeeded {
            next: "/onenote".into(),
            feature: Feature::OneNote,
        });
    }
    let shared = scope == Scope::Everything || !location.is_me();
    if shared && !cache.has_scopes(Feature::Shared.scopes()) {
        return Err(AppError::ConsentNeeded {
            next: "/onenote/shared".into(),
            feature: Feature::Shared,
        });
    }
    // Reading files is asked for the first time a fast export is chosen, and only then.
    let fast = form.fast.is_some();
    if fast && shared {
        return Err(AppError::BadRequest(
            "a fast export reads your own OneDrive's files; export shared notebooks page by page"
                .into(),
        ));
    }
    if fast && !cache.has_scopes(Feature::Files.scopes()) {
        return Err(AppError::ConsentNeeded {
            next: "/onenote".into(),
            feature: Feature::Files,
        });
    }
    if let Some(free) = free_bytes(&exports.root)
        && free < MIN_FREE_BYTES
    {
        return Err(AppError::Conflict(format!(
            "graphnote's disk has only {} MB free, too little to start an export. \
             Delete old exports, or ask the operator for more space.",
            free / 1_000_000
        )));
    }
    let owner = owner(&session)?;
    let name = form.name.as_deref().map(shown_name).unwrap_or_default();
    let label = match (&scope, name.is_empty()) {
        (Scope::All, _) => "All notebooks".to_string(),
        (Scope::Everything, _) => "Everything you can reach".to_string(),
        (Scope::Notebook(_), true) => "A notebook".into(),
        (Scope::Section(_), true) => "A section".into(),
        (Scope::Files, true) => "OneNote files".into(),
        (scope, false) => super::worker::scope_label(scope, &name),
    };
    exports.credentials.put(&owner, cache).await?;
    let job = start_once(&exports, &owner, scope, location, label, fast).await?;
    Ok(see_other(&ctx, &format!("/onenote/exports/{}", job.id)))
}

/// How long starting an export holds the owner's start lock (it takes a few store calls).
const START_LOCK_MS: u64 = 10_000;

/// Queues an export of `scope` for `owner` — or, when one of the same scope is already queued,
/// running or waiting, returns that one: a double click or a retried POST does not make a
/// second export spending the same scarce budget. The owner's start lock makes the look and the
/// insert one step, across instances.
async fn start_once(
    exports: &Exports,
    owner: &str,
    scope: Scope,
    location: graph::Location,
    label: String,
    fast: bool,
) -> Result<Job, AppError> {
    let lock = format!("start:{owner}");
    let holder = random_id();
    if !exports
        .store
        .lease_waiting(&lock, &holder, START_LOCK_MS)
        .await?
    {
        return Err(AppError::Conflict(
            "another export is being started for you right now; try again in a moment".into(),
        ));
    }
    let result = async {
        let existing = exports
            .store
            .owned_by(owner)
            .await?
            .into_iter()
            .find(|j| !j.state.is_final() && j.scope == scope && j.location == location);
        if let Some(job) = existing {
            tracing::info!(export = %job.id, "export already queued; not starting another");
            return Ok(job);
        }
        let mut job = Job::queued(random_id(), owner.to_string(), scope, label);
        job.fast = fast;
        job.location = location;
        exports.store.insert(&job).await?;
        tracing::info!(export = %job.id, scope = job.scope.kind(), "export queued");
        Ok::<_, AppError>(job)
    }
    .await;
    let _ = exports.store.release(&lock, &holder).await;
    result
}

/// A name from the form as a label may show it: one line, at most 200 characters.
pub(super) fn shown_name(name: &str) -> String {
    let one_line: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    one_line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuse to start below this much free disk: an export of a large notebook is gigabytes.
pub(super) const MIN_FREE_BYTES: u64 = 512 * 1024 * 1024;

/// Free bytes on the file system holding `dir`, if it can be told.
pub(super) fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(dir).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ListRow>,
    csrf: String,
    /// The most one upload may hold, in words.
    upload_limit: String,
}

/// One export in the list: what it is, when it started, its state and its size.
struct ListRow {
    job: Job,
    started: String,
    size: String,
}

pub async fn list(
    State(exports): State<Exports>,
    State(csrf): State<Arc<Csrf>>,
    ctx: RequestContext,
    SignedIn(session): SignedIn,
) -> Result<Response, AppError> {
    let owner = owner(&session)?;
    let mut jobs: Vec<Job> = exports.store.owned_by(&owner).await?;
    jobs.reverse();
    let rows = jobs
        .into_iter()
        .map(|job| ListRow {
            started: job
                .started
                .map_or("not yet".into(), crate::clock::date_time),
            size: match job.archive_bytes {
                Some(zipped) => format!(
                    "{} ({} zipped)",
                    export::status::human_bytes(job.status.bytes),
                    export::status::human_bytes(zipped)
                ),
                None => export::status::human_bytes(job.status.bytes),
            },
            job,
        })
        .collect();
    Ok(render(
        &ListPage {
            layout: Layout::new(&ctx, session.user()),
            rows,
            csrf: csrf.token(&session),
            upload_limit: export::status::human_bytes(exports.settings.upload_max_bytes),
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "export_job.html")]
struct JobPage {
    layout: Layout,
    job: Job,
    view: super::job::JobView,
    percent: u64,
    eta: Option<String>,
    csrf: String,
    has_archive: bool,
}

/// `GET /onenote/exports/{id}` (the page or its JSON) and `…/{id}.zip`.
pub async fn show(
    State(exports): State<Exports>,
    State(csrf): State<Arc<Csrf>>,
    ctx: RequestContext,
    Path(id): Path<String>,
    SignedIn(session): SignedIn,
    request: Request,
) -> Result<Response, AppError> {
    if let Some(id) = id.strip_suffix(".zip") {
        let job = owned(&exports, &session, id).await?;
        return download(&exports, &job, request).await;
    }
    let job = owned(&exports, &session, &id).await?;
    let wants_json = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        let mut response = axum::Json(exports.view(&job).await).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(response);
    }
    let view = exports.view(&job).await;
    let folder = JobFolder::new(&exports.folder(&job.id));
    let has_archive = tokio::task::spawn_blocking(move || folder.archive().is_file())
        .await
        .unwrap_or(false);
    Ok(render(
        &JobPage {
            layout: Layout::new(&ctx, session.user()),
            percent: job.percent(),
            eta: view
                .eta_seconds
                .filter(|_| !job.state.is_final())
                .map(readable_duration),
            csrf: csrf.token(&session),
            has_archive,
            view,
            job,
        },
        StatusCode::OK,
    ))
}

/// `1 h 20 min`, `4 min`, `30 s`.
fn readable_duration(seconds: u64) -> String {
    match seconds {
        s if s >= 3600 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{} min", s.div_ceil(60)),
        s => format!("{s} s"),
    }
}

/// The zip, from disk: `ServeFile` gives `Content-Length`, ranges and `If-Range` (and
/// `application/zip`, from the extension).
async fn download(exports: &Exports, job: &Job, request: Request) -> Result<Response, AppError> {
    let path = JobFolder::new(&exports.folder(&job.id)).archive();
    if !path.is_file() {
        return Err(AppError::Conflict(
            "this export has no archive yet: it is not finished".into(),
        ));
    }
    let served = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| AppError::internal_because("cannot read the export's archive", e))?;
    let mut response = served.map(axum::body::Body::new).into_response();
    let date = job.finished.or(job.started).unwrap_or(job.created);
    let name = format!(
        "graphnote-{}-{}.zip",
        export::paths::safe_stem(&job.label).replace(['"', ';', '\\', ' '], "_"),
        crate::clock::date(date)
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        crate::content_disposition::attachment(&name),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /onenote/exports/{id}/events`: the JSON again each time it changes, until the export
/// is finished.
pub async fn events(
    State(exports): State<Exports>,
    Path(id): Path<String>,
    SignedIn(session): SignedIn,
) -> Result<Response, AppError> {
    let job = owned(&exports, &session, &id).await?;
    let start = (exports, job.id, None::<String>, false);
    let stream = futures_util::stream::unfold(start, |(exports, id, last, ended)| async move {
        if ended {
            return None;
        }
        loop {
            let job = match exports.store.get(&id).await {
                Ok(Some(job)) => job,
                // Deleted, or the store is away: end the stream (the browser reconnects).
                _ => return None,
            };
            let json = serde_json::to_string(&exports.view(&job).await).unwrap_or_default();
            if last.as_deref() != Some(json.as_str()) {
                let event: Result<Event, Infallible> =
                    Ok(Event::default().event("status").data(&json));
                return Some((event, (exports, id, Some(json), job.state.is_final())));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

pub async fn cancel(
    State(exports): State<Exports>,
    ctx: RequestContext,
    ExportAction { job, .. }: ExportAction,
) -> Result<Response, AppError> {
    let id = job.id.clone();
    stop(&exports, &job).await?;
    Ok(see_other(&ctx, &format!("/onenote/exports/{id}")))
}

/// Stops an export: one not running is cancelled here; a running one is told to stop (its run
/// halts between two calls, and the worker records the cancel).
async fn stop(exports: &Exports, job: &Job) -> Result<(), AppError> {
    let now_is = exports
        .store
        .modify(&job.id, |j| {
            if j.state == JobState::Running {
                return Ok::<_, JobError>(false);
            }
            j.state = transition(j.state, JobEvent::Cancel)?;
            j.finished = Some(now());
            Ok(true)
        })
        .await?;
    if now_is.is_some_and(|j| j.state == JobState::Running) {
        exports.store.put_value(&cancel_flag(&job.id), b"1").await?;
    }
    tracing::info!(export = %job.id, "export cancel asked for");
    Ok(())
}

pub async fn update(
    State(exports): State<Exports>,
    ctx: RequestContext,
    ExportAction { job, session }: ExportAction,
) -> Result<Response, AppError> {
    let id = job.id.clone();
    if job.state != JobState::Done {
        return Err(AppError::Conflict(
            "only a finished export can be brought up to date".into(),
        ));
    }
    if job.scope == Scope::Files {
        return Err(AppError::Conflict(
            "uploaded files are deleted once converted: to convert newer copies, upload them again"
                .into(),
        ));
    }
    let folder = JobFolder::new(&exports.folder(&job.id));
    folder
        .start_update()
        .map_err(|e| AppError::internal_because("cannot reset the export's progress", e))?;
    if let Some(cache) = &session.secrets.token_cache {
        exports.credentials.put(&job.owner, cache).await?;
    }
    exports
        .store
        .apply(&job.id, JobEvent::Update, |j| {
            j.updating = true;
            j.finished = None;
            j.started = None;
            j.reason = None;
            j.status = export::Status::default();
        })
        .await?;
    tracing::info!(export = %job.id, "export update queued");
    Ok(see_other(&ctx, &format!("/onenote/exports/{id}")))
}

pub async fn delete(
    State(exports): State<Exports>,
    ctx: RequestContext,
    ExportAction { job, .. }: ExportAction,
) -> Result<Response, AppError> {
    if job.state == JobState::Running {
        exports.store.put_value(&cancel_flag(&job.id), b"1").await?;
        return Err(AppError::Conflict(
            "this export is running: it is being cancelled now; delete it once it has stopped"
                .into(),
        ));
    }
    exports.store.delete(&job.id).await?;
    exports.remove_files(&job.id).await;
    tracing::info!(export = %job.id, "export deleted");
    Ok(see_other(&ctx, "/onenote/exports"))
}
