//! Imports of other directories' ORUK feeds: start one, then follow its progress.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::JsonBody;
use super::paging::{ListParams, keyed_next, keyed_page, link_next};
use super::problems::{AdminOnly, Body, Common};
use super::query_params::QueryParams;
use crate::auth::Authenticated;
use crate::db::DbPool;
use crate::db::imports::ImportRow;
use crate::domain::audit::Actor;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::import::feed::FeedOptions;
use crate::services::imports::{self, Target};

/// A feed to import.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The feed's base URL (the one that answers `GET /` and `GET /services`), `http://` or
    /// `https://`; at most 500 characters, on the public internet (a loopback, private or other
    /// special-purpose address is refused, as are redirects to one). ORUK 3.0 is recognised by
    /// its `GET /` details; any other feed is read as ORUK 1.0.
    #[schema(
        example = "https://directory.example.org/oruk",
        pattern = r"^https?://[^\u0000-\u0020\u007F-\u009F]{1,492}$"
    )]
    pub url: String,
    /// Put every imported service under this organisation (uuid) instead of the organisations
    /// the feed names.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
}

/// How many records a run has handled, by outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportCounts {
    /// Pages (or files) read so far.
    pub pages: i32,
    /// Records read so far.
    pub seen: i32,
    /// New assets stored.
    pub created: i32,
    /// Assets changed because the source changed.
    pub updated: i32,
    /// Records the same as when last imported: nothing written.
    pub unchanged: i32,
    /// Records recognised as assets already held from elsewhere: linked, not duplicated.
    pub linked: i32,
    /// Assets of this source that it no longer lists: archived, not deleted.
    pub archived: i32,
    /// Records the source marks inactive or defunct: not imported.
    pub skipped: i32,
    /// Records refused; `errors` says why.
    pub failed: i32,
}

/// Why one record was refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportRecordError {
    /// The record's id in the source (or its line, for CSV).
    #[schema(example = "ac148810-d857-441c-9679-408f346de14b")]
    pub record: String,
    /// The page it was on (feeds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    /// Its line in the file (CSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<i64>,
    /// The field at fault, in the source's terms where the mapping knows them.
    #[schema(example = "service_at_locations[0].location.latitude")]
    pub field: String,
    /// Why, in words.
    #[schema(example = "100 is not a latitude (-90 to 90)")]
    pub reason: String,
}

/// An import run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportView {
    /// The run's id.
    pub id: Uuid,
    /// `oruk` or `csv`.
    #[schema(example = "oruk")]
    pub format: String,
    /// The feed's base URL, or `csv:<organisation id>`.
    #[schema(example = "https://directory.example.org/oruk")]
    pub source: String,
    /// The organisation every record went under, when one was given.
    pub organization_id: Option<Uuid>,
    /// `queued`, `running`, `succeeded` or `failed`.
    #[schema(example = "succeeded")]
    pub status: String,
    /// The feed's version as detected: `3.0` or `1.0` (`csv` for files).
    #[schema(example = "3.0")]
    pub detected_version: Option<String>,
    /// What happened to the records so far.
    pub counts: ImportCounts,
    /// Per-record errors, at most the first 1,000 (the counts stay exact).
    pub errors: Vec<ImportRecordError>,
    /// Why the run stopped, when it failed as a whole (e.g. the feed stopped answering).
    pub error: Option<String>,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When it began reading.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended, either way.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<ImportRow> for ImportView {
    fn from(r: ImportRow) -> Self {
        Self {
            id: r.id,
            format: r.format,
            source: r.source,
            organization_id: r.organization_id,
            status: r.status,
            detected_version: r.detected_version,
            counts: ImportCounts {
                pages: r.pages,
                seen: r.seen,
                created: r.created,
                updated: r.updated,
                unchanged: r.unchanged,
                linked: r.linked,
                archived: r.archived,
                skipped: r.skipped,
                failed: r.failed,
            },
            errors: serde_json::from_value(r.errors).unwrap_or_default(),
            error: r.error,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// Import an ORUK feed
///
/// Needs an admin key. Starts importing every page of an ORUK 3.0 or 1.0 feed in the
/// background and answers at once; follow it with `GET /v1/imports/{id}`. Re-importing the same
/// feed updates what changed, leaves the rest alone and archives what the feed no longer lists.
#[utoipa::path(
    operation_id = "createImport",
    tag = "imports",
    request_body(content = ImportRequest, example = json!({"url": "https://directory.example.org/oruk"})),
    security(("api_key" = [])),
    responses(
        (status = 202, description = "Started.", body = ImportView, headers(("Location" = String, description = "URL of the import's progress")), links(
            ("FollowIt" = (operation_id = "getImport", parameters(("id" = "$response.body#/id"))))
        )),
        AdminOnly,
        (status = 422, description = "Invalid fields (the URL, or an unknown organisation).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/imports")]
pub async fn create(
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    options: web::Data<FeedOptions>,
    Authenticated(caller): Authenticated,
    body: JsonBody<ImportRequest>,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::key(caller.admin()?);
    let url = body.0.url.trim();
    let valid_url = (url.starts_with("http://") || url.starts_with("https://"))
        && url.chars().count() <= 500
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
        && reqwest::Url::parse(url).is_ok_and(|u| u.host_str().is_some());
    if !valid_url {
        return Err(ApiError::validation(
            "url",
            "must be an http:// or https:// URL of at most 500 characters",
        ));
    }
    if !options.allow_private
        && let Some(reason) = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| crate::domain::address::internal_host(&u))
    {
        return Err(ApiError::validation(
            "url",
            format!("must be a feed on the public internet: {reason}"),
        ));
    }
    let target = Target {
        source: imports::feed_source(url),
        organization_id: body.0.organization_id,
    };
    let row = imports::create(&pool, &actor, "oruk", &target).await?;
    let geocoder: Arc<Geocoder> = geocoder.into_inner();
    imports::spawn_feed(
        pool.get_ref().clone(),
        geocoder,
        row.clone(),
        options.get_ref().clone(),
    );
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/v1/imports/{}", row.id)))
        .json(ImportView::from(row)))
}

/// A page of import runs, newest first.
#[derive(Serialize, ToSchema)]
pub struct ImportList {
    /// The runs on this page, newest first.
    pub imports: Vec<ImportView>,
    /// Pass as `cursor` for older runs; absent on the last page. Also sent as a
    /// `Link: <…>; rel="next"` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "MjAyNi0xMi0wNlQxMDowMDowMCswMDowMHw3ZjBiNWMxZQ")]
    pub next_cursor: Option<String>,
}

/// List imports
///
/// Needs an admin key. Every run, newest first: what was read, its status and counts, and
/// its per-record errors.
#[utoipa::path(
    operation_id = "listImports",
    tag = "imports",
    params(ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of import runs.", body = ImportList,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        AdminOnly,
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/imports")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    let mut params = QueryParams::new(&query);
    let (before, limit) = keyed_page(&mut params, IMPORTS_CURSOR);
    params.finish(())?;
    let (rows, more) = imports::list(&pool, before, limit).await?;
    let next_cursor = keyed_next(
        IMPORTS_CURSOR,
        more,
        rows.last().map(|r| (r.created_at, r.id)),
    );
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(ImportList {
        imports: rows.into_iter().map(ImportView::from).collect(),
        next_cursor,
    }))
}

const IMPORTS_CURSOR: &str = "imports";

/// Follow an import
///
/// Needs an admin key. Its status, counts so far and per-record errors.
#[utoipa::path(
    operation_id = "getImport",
    tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id.")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The import.", body = ImportView),
        AdminOnly,
        (status = 404, description = "No such import.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/imports/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.admin()?;
    Ok(HttpResponse::Ok().json(ImportView::from(imports::get(&pool, *id).await?)))
}
