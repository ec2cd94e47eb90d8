//! Our own OpenActive feed: the listings agencies keep here, as an RPDE 1.0 feed of
//! SessionSeries that OpenActive's aggregators can harvest, and a dataset description that
//! points to it. Open to any origin, like the ORUK feed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::base_url;
use super::problems::Common;
use super::query_params::QueryParams;
use crate::db::{self, DbPool};
use crate::error::{ApiError, Problem};
use crate::openactive::publish;

/// Items per page: RPDE recommends large pages, and each item is small.
pub const PAGE_SIZE: i64 = 500;
/// The licence our feed is published under.
pub const LICENCE: &str = "https://creativecommons.org/licenses/by/4.0/";

/// Where to start: the `modified` and `id` of the last item read, as the previous page's
/// `next` gives them. Omit both for the first page; `afterTimestamp` alone starts at the first
/// item with that `modified`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RpdeParams {
    /// The `modified` of the last item read (a whole number; with `afterId`).
    #[param(minimum = 0, example = 748)]
    after_timestamp: Option<i64>,
    /// The `id` of the last item read (a uuid; with `afterTimestamp`).
    #[param(example = "5a8c5b38-72e0-5099-b654-1be90fec86ab")]
    after_id: Option<Uuid>,
}

/// One RPDE page.
#[derive(Serialize, ToSchema)]
pub struct RpdePage {
    /// The URL to read after this page; on the last page, this page's own URL (read it again
    /// later for changes).
    #[schema(
        example = "https://ca.example.org/openactive/session-series?afterTimestamp=748&afterId=5a8c5b38-72e0-5099-b654-1be90fec86ab"
    )]
    pub next: String,
    /// Items in order of `modified`, then `id`: `updated` with the SessionSeries as `data`,
    /// or `deleted` for a listing withdrawn.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// The licence of the data.
    #[schema(example = "https://creativecommons.org/licenses/by/4.0/")]
    pub license: String,
}

/// Our SessionSeries feed
///
/// An RPDE 1.0 feed (OpenActive's Realtime Paged Data Exchange) of the published listings
/// agencies keep in this service, as OpenActive SessionSeries: weekly sessions as
/// `eventSchedule`, dated ones as embedded `subEvent`s, prices and age-restricted concessions as
/// `offers`. Only listings tagged with an activity of OpenActive's Activity List are in it
/// (OpenActive describes physical activity); listings harvested from other OpenActive feeds
/// are not repeated, nor are demo examples or listings with no place OpenActive can describe.
/// Items are ordered by the transaction that last changed them; a withdrawn listing becomes a
/// `deleted` item. Start with no parameters and follow `next` until a page has no items; read
/// that URL again later.
#[utoipa::path(
    operation_id = "openActiveSessionSeries",
    tag = "openactive",
    params(RpdeParams),
    responses(
        (status = 200, description = "A page of the feed.", body = RpdePage),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/session-series")]
pub async fn session_series(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let timestamp = params.int("afterTimestamp", 0, i64::MAX);
    let id = params.uuid("afterId");
    params.finish(())?;
    // A page's `next` gives both; one alone starts at the beginning of that `modified`, or
    // after that id at the feed's start.
    let after = match (timestamp, id) {
        (None, None) => None,
        (t, id) => Some((t.unwrap_or(0), id.unwrap_or(Uuid::nil()))),
    };
    let base = base_url(&req);
    let mut conn = db::connect(&pool).await?;
    let entries = db::openactive::own_feed(&mut conn, after, PAGE_SIZE).await?;
    let live: Vec<Uuid> = entries
        .iter()
        .filter(|e| e.live)
        .map(|e| e.asset_id)
        .collect();
    let records: std::collections::HashMap<Uuid, _> = db::assets::find_many(&mut conn, &live)
        .await?
        .into_iter()
        .map(|r| (r.asset.id, r))
        .collect();
    let mut items = Vec::with_capacity(entries.len());
    for e in &entries {
        let data = e.live.then(|| records.get(&e.asset_id)).flatten();
        items.push(match data {
            Some(record) => json!({"state": "updated", "kind": "SessionSeries",
                "id": e.asset_id, "modified": e.txid,
                "data": publish::session_series(record, &base)}),
            None => json!({"state": "deleted", "kind": "SessionSeries",
                "id": e.asset_id, "modified": e.txid}),
        });
    }
    let feed = format!("{base}/openactive/session-series");
    let next = match entries.last().map(|e| (e.txid, e.asset_id)).or(after) {
        Some((t, id)) => format!("{feed}?afterTimestamp={t}&afterId={id}"),
        None => feed,
    };
    // RPDE: the last page changes as listings change; earlier pages never do.
    let cache = if items.is_empty() {
        "public, max-age=8"
    } else {
        "public, max-age=3600"
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, cache))
        .json(RpdePage {
            next,
            items,
            license: LICENCE.to_string(),
        }))
}

/// What our OpenActive data is and where its feed is
///
/// A schema.org `Dataset` (JSON-LD), as an OpenActive dataset site describes a publisher's
/// feeds: its licence and its one feed (`distribution`).
#[utoipa::path(
    operation_id = "openActiveDataset",
    tag = "openactive",
    responses(
        (status = 200, description = "The dataset description (JSON-LD).", body = Object),
        Common,
    )
)]
#[get("")]
pub async fn dataset(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let base = base_url(&req);
    Ok(HttpResponse::Ok().json(json!({
        "@context": ["https://schema.org/", "https://openactive.io/"],
        "@type": "Dataset",
        "@id": format!("{base}/openactive"),
        "url": format!("{base}/openactive"),
        "name": "Community assets: activities kept by local agencies",
        "description": "Groups, activities, courses and volunteering that local agencies keep current in this directory, as OpenActive opportunity data.",
        "license": LICENCE,
        "inLanguage": ["en-GB"],
        "schemaVersion": "https://openactive.io/modelling-opportunity-data/2.0/",
        "distribution": [{
            "@type": "DataDownload",
            "name": "SessionSeries",
            "additionalType": "https://openactive.io/SessionSeries",
            "encodingFormat": "application/vnd.openactive.rpde+json; version=1",
            "contentUrl": format!("{base}/openactive/session-series"),
            "identifier": "SessionSeries",
        }],
        "documentation": "https://openactive.io/",
    })))
}
