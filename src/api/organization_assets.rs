//! `GET /v1/organizations/{id}/assets`: an organisation's listings, the longest unconfirmed
//! first, with how many are fresh, due and stale.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::link_next;
use super::problems::Common;
use super::query_params::QueryParams;
use super::views::AssetView;
use crate::auth::Caller;
use crate::db::DbPool;
use crate::domain::asset::AssetStatus;
use crate::domain::freshness::{self, Freshness, FreshnessPolicy};
use crate::error::{ApiError, Problem};
use crate::services::organization_assets::{self as service, Request};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// How many of the listed statuses' assets are in each freshness state (all pages, whatever
/// `freshness` filter was given).
#[derive(Serialize, ToSchema)]
pub struct FreshnessCounts {
    /// Assets confirmed recently enough.
    #[schema(example = 41)]
    pub fresh: i64,
    /// Assets due for confirmation.
    #[schema(example = 6)]
    pub due: i64,
    /// Assets not confirmed for too long: probably stopped.
    #[schema(example = 2)]
    pub stale: i64,
}

/// A page of an organisation's assets.
#[derive(Serialize, ToSchema)]
pub struct OrganizationAssets {
    /// The longest unconfirmed first.
    pub items: Vec<AssetView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "MjAyNS0wNS0wMVQxMDowMDowMCswMDowMHw1YThjNWIzOC03MmUwLTUwOTktYjY1NC0xYmU5MGZlYzg2YWI"
    )]
    pub next_cursor: Option<String>,
    pub counts: FreshnessCounts,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrganizationAssetsParams {
    /// Only assets in this state; repeat for several (`freshness=due&freshness=stale` is what
    /// the agency should confirm).
    #[param(style = Form, explode)]
    freshness: Option<Vec<Freshness>>,
    /// Only assets with this status; repeat for several. Default: `published`, and `pending`
    /// too for the organisation's own keys and admins, who alone may ask for `pending` or
    /// `archived`.
    #[param(style = Form, explode)]
    status: Option<Vec<AssetStatus>>,
    /// Assets per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page, with the same filters.
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
}

/// List an organisation's assets by freshness
///
/// What an agency must confirm: its assets, the longest unconfirmed first, each with its
/// `freshness`, and counts of fresh, due and stale ones. `POST /v1/assets/{id}/confirm` makes
/// an asset fresh again. Anyone may list an organisation's published assets; its own keys and
/// admins also see pending (and, when asked, archived) ones.
#[utoipa::path(
    operation_id = "listOrganizationAssets",
    tag = "organizations",
    params(
        ("id" = Uuid, Path, description = "The organisation's id (uuid).", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f"),
        OrganizationAssetsParams,
    ),
    responses(
        (status = 200, description = "A page of the organisation's assets.", body = OrganizationAssets,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 401, description = "An Authorization header was sent but the key is not valid.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Pending or archived assets asked for by someone outside the organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/organizations/{id}/assets")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: Caller,
    policy: web::Data<FreshnessPolicy>,
    id: web::Path<Uuid>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let states: Vec<(&str, Freshness)> = Freshness::ALL.iter().map(|f| (f.as_str(), *f)).collect();
    let statuses: Vec<(&str, AssetStatus)> =
        AssetStatus::ALL.iter().map(|s| (s.as_str(), *s)).collect();
    let wanted_freshness = params.choices("freshness", &states, "fresh, due or stale");
    let wanted_status = params.choices("status", &statuses, "published, pending or archived");
    let limit = params.int("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT);
    let cursor = params.text("cursor", 200);
    let after = cursor.as_deref().and_then(|c| {
        let decoded = freshness::decode_cursor(c);
        if decoded.is_none() {
            params
                .errors
                .add("cursor", "is not a cursor this listing gave");
        }
        decoded
    });
    let request = params.finish(Request {
        freshness: wanted_freshness,
        statuses: (!wanted_status.is_empty()).then_some(wanted_status),
        limit,
        after,
    })?;
    let page = service::list(&pool, &caller, *id, &request, &policy).await?;
    let next_cursor = page.next.map(|(t, id)| freshness::encode_cursor(t, id));
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(OrganizationAssets {
        items: page
            .records
            .into_iter()
            .map(|r| AssetView::new(r, &policy))
            .collect(),
        next_cursor,
        counts: FreshnessCounts {
            fresh: page.counts.fresh,
            due: page.counts.due,
            stale: page.counts.stale,
        },
    }))
}
