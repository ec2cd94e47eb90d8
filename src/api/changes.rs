//! `GET /v1/changes`: the change feed a team app mirrors the directory from.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::link_next;
use super::problems::Common;
use super::query_params::QueryParams;
use super::views::AssetView;
use crate::auth::Caller;
use crate::db::DbPool;
use crate::domain::audit::AuditAction;
use crate::domain::changes::{decode_cursor, encode_cursor};
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::webhooks::EventType;
use crate::error::{ApiError, Problem};
use crate::services::changes;

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;

/// One change to an asset.
#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    /// This change's position: pass it as `cursor` to read on from here.
    #[schema(example = "NzUyLjMx")]
    pub cursor: String,
    /// The audit log entry behind the change (`GET /v1/assets/{id}/history` has it whole).
    #[schema(example = 31)]
    pub id: i64,
    /// When the change was made (RFC 3339, UTC).
    pub occurred_at: DateTime<Utc>,
    /// `create`, `update`, `publish`, `archive` or `confirm` (the review actions of
    /// `AuditAction` never appear in the feed).
    pub action: AuditAction,
    /// The asset changed (uuid).
    pub asset_id: Uuid,
    /// The fields the change set, as paths into the asset (`cost.amount_pence`,
    /// `schedule`, `audience.gender`…).
    #[schema(example = json!(["cost.amount_pence", "cost.free"]))]
    pub changed: Vec<String>,
    /// The asset as it is now (a later change to it appears again further on); `null` when it
    /// is archived: remove it from a mirror.
    pub asset: Option<AssetView>,
}

impl ChangeView {
    pub fn new(c: changes::Change, freshness: &FreshnessPolicy) -> Self {
        ChangeView {
            cursor: encode_cursor(c.position),
            id: c.id,
            occurred_at: c.occurred_at,
            action: AuditAction::from_log(&c.action),
            asset_id: c.asset_id,
            changed: c.changed,
            asset: c.record.map(|r| AssetView::new(r, freshness)),
        }
    }
}

/// What a webhook subscriber is sent for one change (the body of the `assetChange` webhook in
/// the document's `webhooks`), signed by the Standard Webhooks headers.
#[derive(Serialize, ToSchema)]
pub struct WebhookEvent {
    /// What happened: `asset.created`, `asset.updated`, `asset.published`, `asset.archived`
    /// or `asset.confirmed`.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the change was made (RFC 3339, UTC).
    pub timestamp: DateTime<Utc>,
    /// The change, as the change feed lists it.
    pub data: ChangeView,
}

/// A page of the change feed.
#[derive(Serialize, ToSchema)]
pub struct ChangesPage {
    /// The changes on this page, oldest first.
    pub changes: Vec<ChangeView>,
    /// Where to read on from; store it and pass it as `cursor`. Also given when nothing is new
    /// (the feed never ends: poll again from it), and sent as a `Link: <…>; rel="next"` header.
    #[schema(example = "NzUyLjMx")]
    pub next_cursor: String,
    /// `true` when the feed had nothing more: poll again later from `next_cursor`.
    pub caught_up: bool,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ChangesParams {
    /// `next_cursor` (or a change's `cursor`) from an earlier page; omit to start from the
    /// beginning.
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// Changes per page, 1 to 1,000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    limit: Option<i64>,
}

/// Read the change feed
///
/// Every create, update, publish, archive and confirm of an asset, oldest first, each with the
/// asset's state now, so a team app can mirror the directory: read from the start, store
/// `next_cursor`, and poll from it. Positions follow the order of the writing transactions,
/// and a change is served only once no transaction still running could add one before it, so
/// a reader resuming from any cursor misses nothing and sees nothing twice. Anyone sees the
/// changes of published assets (and the archiving of one that was published); an
/// organisation's keys and admins also see its unpublished ones.
#[utoipa::path(
    operation_id = "listChanges",
    tag = "assets",
    params(ChangesParams),
    responses(
        (status = 200, description = "A page of changes.", body = ChangesPage,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"`: where to read on from"))),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "An Authorization header was sent but the key is not valid.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/changes")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    caller: Caller,
    freshness: web::Data<FreshnessPolicy>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let after = params.text("cursor", 200);
    let limit = params.int("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT);
    let position = match after.as_deref() {
        None => Some((0, 0)),
        Some(text) => {
            let decoded = decode_cursor(text);
            if decoded.is_none() {
                params
                    .errors
                    .add("cursor", "is not a cursor the change feed gave");
            }
            decoded
        }
    };
    let position = params.finish(position)?.unwrap_or((0, 0));
    let feed = changes::read(&pool, &caller, position, limit).await?;
    let next_cursor = encode_cursor(feed.next);
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, Some(&next_cursor));
    Ok(response.json(ChangesPage {
        changes: feed
            .changes
            .into_iter()
            .map(|c| ChangeView::new(c, &freshness))
            .collect(),
        next_cursor,
        caught_up: feed.caught_up,
    }))
}
