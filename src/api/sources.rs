//! `/v1/sources`: the OpenActive feeds the service harvests, registered by an admin, with each
//! feed's progress and health.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::JsonBody;
use super::paging::{ListParams, keyed_next, keyed_page, link_next};
use super::problems::{AdminOnly, Body, Common};
use super::query_params::QueryParams;
use crate::auth::Authenticated;
use crate::db::DbPool;
use crate::db::openactive::{FeedRow, SourceRow};
use crate::domain::attribution::Attribution;
use crate::domain::source::{SourceInput, SourcePatch};
use crate::error::{ApiError, Problem};
use crate::import::feed::FeedOptions;
use crate::services::harvest;
use crate::services::sources;

/// How a feed is doing.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedHealth {
    /// Read without error last time.
    Ok,
    /// The last reads failed; it is being retried with backoff.
    Failing,
    /// Failing for more than a day: someone should look at it.
    FailingForDays,
}

/// One feed of a source and where its harvest is.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedView {
    /// The feed's first page.
    #[schema(example = "https://leisure.example.org/feeds/session-series")]
    pub url: String,
    /// The page to read next: the harvest's cursor, saved with each page stored.
    #[schema(
        example = "https://leisure.example.org/feeds/session-series?afterTimestamp=1700000000&afterId=42"
    )]
    pub next_url: String,
    /// Whether the last page has been reached (then it is read again every polling interval).
    #[schema(example = true)]
    pub caught_up: bool,
    /// When it will be read next (RFC 3339, UTC).
    pub due_at: DateTime<Utc>,
    /// When a page was last stored; `null` before the first.
    pub last_success_at: Option<DateTime<Utc>>,
    /// `ok`, `failing` or `failing_for_days`.
    pub health: FeedHealth,
    /// Since when it has been failing; `null` when it is not.
    pub failing_since: Option<DateTime<Utc>>,
    /// Failed reads in a row.
    #[schema(example = 0)]
    pub consecutive_failures: i32,
    /// Why the last read failed; `null` when it did not.
    #[schema(example = json!(null))]
    pub last_error: Option<String>,
    /// Items read so far.
    #[schema(example = 1200)]
    pub items_read: i64,
    /// Pages stored so far.
    #[schema(example = 12)]
    pub pages_read: i64,
}

impl From<FeedRow> for FeedView {
    fn from(f: FeedRow) -> Self {
        let health = match f.failing_since {
            None => FeedHealth::Ok,
            Some(since) if Utc::now() - since > Duration::days(1) => FeedHealth::FailingForDays,
            Some(_) => FeedHealth::Failing,
        };
        Self {
            url: f.url,
            next_url: f.next_url,
            caught_up: f.at_end,
            due_at: f.due_at,
            last_success_at: f.last_success_at,
            health,
            failing_since: f.failing_since,
            consecutive_failures: f.consecutive_failures,
            last_error: f.last_error,
            items_read: f.items_read,
            pages_read: f.pages_read,
        }
    }
}

/// A registered source.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceView {
    /// The source's id.
    pub id: Uuid,
    /// Its name.
    #[schema(example = "Example Leisure Trust")]
    pub name: String,
    /// Listings harvested from it carry `source` equal to this (`openactive:<id>`).
    #[schema(example = "openactive:0b8e6d1e-8a7e-4a55-9f55-3f3c1f1d2a10")]
    pub listings_source: String,
    /// The organisation every listing goes under; `null`: one per `organizer`.
    pub organization_id: Option<Uuid>,
    /// The licence and credit shown on each of its listings.
    pub attribution: Attribution,
    /// How often the feeds are read again once at their end, in seconds.
    #[schema(example = 900)]
    pub poll_interval_secs: i32,
    /// `false` while paused.
    #[schema(example = true)]
    pub enabled: bool,
    /// Opportunities the directory's rules refused so far.
    #[schema(example = 0)]
    pub rejected: i64,
    /// The latest refusals (at most 20): the item and each field's reason.
    #[schema(value_type = Vec<Object>, example = json!([]))]
    pub record_errors: serde_json::Value,
    /// Its feeds.
    pub feeds: Vec<FeedView>,
    /// When it was registered (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When its settings last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl SourceView {
    fn new(source: SourceRow, feeds: Vec<FeedRow>) -> Self {
        Self {
            attribution: harvest::attribution(&source),
            listings_source: harvest::source_name(source.id),
            id: source.id,
            name: source.name,
            organization_id: source.organization_id,
            poll_interval_secs: source.poll_interval_secs,
            enabled: source.enabled,
            rejected: source.rejected,
            record_errors: source.record_errors,
            feeds: feeds.into_iter().map(FeedView::from).collect(),
            created_at: source.created_at,
            updated_at: source.updated_at,
        }
    }
}

/// A page of sources, newest first.
#[derive(Serialize, ToSchema)]
pub struct SourceList {
    /// The sources on this page.
    pub sources: Vec<SourceView>,
    /// Pass as `cursor` for the next page; absent on the last. Also sent as a
    /// `Link: <…>; rel="next"` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "MjAyNi0xMi0wNlQxMDowMDowMCswMDowMHw3ZjBiNWMxZQ")]
    pub next_cursor: Option<String>,
}

const SOURCES_CURSOR: &str = "sources";

/// Register an OpenActive source
///
/// Needs an admin key. The service reads the feeds in the background from their first page,
/// stores each page with its cursor (a restart resumes where it stopped), maps each
/// opportunity and its sessions onto a listing, archives what the feed deletes, and reads the
/// feeds again every `poll_interval_secs` once caught up. See docs/openactive.md.
#[utoipa::path(
    operation_id = "createSource",
    tag = "sources",
    request_body(content = SourceInput, description = "The source."),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Registered; harvesting starts within seconds.", body = SourceView,
            headers(("Location" = String, description = "The source's URL"))),
        AdminOnly,
        (status = 422, description = "Invalid fields (each one named), e.g. a feed on a private address.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/sources")]
pub async fn create(
    pool: web::Data<DbPool>,
    options: web::Data<FeedOptions>,
    Authenticated(caller): Authenticated,
    body: JsonBody<SourceInput>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    let (source, feeds) = sources::create(&pool, &body.0, &options).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/sources/{}", source.id)))
        .json(SourceView::new(source, feeds)))
}

/// List OpenActive sources
///
/// Needs an admin key. Newest first, each with its feeds' progress and health.
#[utoipa::path(
    operation_id = "listSources",
    tag = "sources",
    params(ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of sources.", body = SourceList,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        AdminOnly,
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/sources")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    let mut params = QueryParams::new(&query);
    let (before, limit) = keyed_page(&mut params, SOURCES_CURSOR);
    params.finish(())?;
    let (rows, more) = sources::list(&pool, before, limit).await?;
    let next_cursor = keyed_next(
        SOURCES_CURSOR,
        more,
        rows.last().map(|(s, _)| (s.created_at, s.id)),
    );
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(SourceList {
        sources: rows
            .into_iter()
            .map(|(s, f)| SourceView::new(s, f))
            .collect(),
        next_cursor,
    }))
}

/// Read an OpenActive source
///
/// Needs an admin key. Its settings, its feeds' cursors and health, and the latest refusals.
#[utoipa::path(
    operation_id = "getSource",
    tag = "sources",
    params(("id" = Uuid, Path, description = "The source's id.", example = "0b8e6d1e-8a7e-4a55-9f55-3f3c1f1d2a10")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The source.", body = SourceView),
        AdminOnly,
        (status = 404, description = "No such source.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/sources/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    let (source, feeds) = sources::get(&pool, *id).await?;
    Ok(HttpResponse::Ok().json(SourceView::new(source, feeds)))
}

/// Change, pause or resume an OpenActive source
///
/// Needs an admin key. A new licence or credit is shown on every listing of the source at
/// once; pausing stops reading (the cursor is kept), resuming goes on from it.
#[utoipa::path(
    operation_id = "changeSource",
    tag = "sources",
    params(("id" = Uuid, Path, description = "The source's id.", example = "0b8e6d1e-8a7e-4a55-9f55-3f3c1f1d2a10")),
    request_body(content = SourcePatch, description = "The fields to change."),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The source as changed.", body = SourceView),
        AdminOnly,
        (status = 404, description = "No such source.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[patch("/sources/{id}")]
pub async fn change(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<SourcePatch>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    let (source, feeds) = sources::change(&pool, *id, &body.0).await?;
    Ok(HttpResponse::Ok().json(SourceView::new(source, feeds)))
}

/// Read an OpenActive source's feeds now
///
/// Needs an admin key. Makes every feed of the source due at once (for a publisher that says
/// it has changed, or after fixing a failing feed), instead of at its next polling time.
#[utoipa::path(
    operation_id = "pollSource",
    tag = "sources",
    params(("id" = Uuid, Path, description = "The source's id.", example = "0b8e6d1e-8a7e-4a55-9f55-3f3c1f1d2a10")),
    security(("api_key" = [])),
    responses(
        (status = 202, description = "The feeds are due; the harvester reads them within seconds.", body = SourceView),
        AdminOnly,
        (status = 404, description = "No such source.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[post("/sources/{id}/poll")]
pub async fn poll(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    let (source, feeds) = sources::poll_now(&pool, *id).await?;
    Ok(HttpResponse::Accepted().json(SourceView::new(source, feeds)))
}
