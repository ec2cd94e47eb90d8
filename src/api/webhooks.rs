//! Webhooks: subscribe a URL to asset changes, manage the subscription, read its delivery log.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::JsonBody;
use super::paging::link_next;
use super::paging::{ListParams, keyed_next};
use super::problems::{Body, Common};
use super::query_params::QueryParams;
use crate::auth::Authenticated;
use crate::db::DbPool;
use crate::db::webhooks::{AttemptRow, DeliveryRow, SubscriptionRow};
use crate::domain::paging::encode_position;
use crate::domain::webhooks::{EventType, WebhookInput, action_of};
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::middleware::idempotency::OneTimeSecret;
use crate::services::webhooks as service;
use crate::webhooks::WebhookSettings;

/// The place a subscription's changes must be near.
#[derive(Serialize, ToSchema)]
pub struct WebhookArea {
    /// Latitude of the centre in decimal degrees (WGS 84).
    #[schema(example = 53.455654)]
    pub lat: f64,
    /// Longitude of the centre in decimal degrees (WGS 84).
    #[schema(example = -2.302836)]
    pub lon: f64,
    /// The postcode the centre was placed by; `null` when a point was given.
    #[schema(example = "M32 0JG")]
    pub postcode: Option<String>,
    /// How far from the centre, in kilometres.
    #[schema(example = 5)]
    pub radius_km: f64,
}

/// The filters a change's asset must pass.
#[derive(Serialize, ToSchema)]
pub struct WebhookFilter {
    /// Only this organisation's assets (uuid); `null` for any.
    pub organization_id: Option<Uuid>,
    pub near: Option<WebhookArea>,
    /// Vocabulary slugs; narrower terms pass too.
    #[schema(example = json!(["football"]))]
    pub interests: Vec<String>,
}

/// How the subscription's deliveries stand.
#[derive(Serialize, ToSchema)]
pub struct WebhookCounts {
    /// Waiting to be sent or retried (held while the subscription is paused).
    pub pending: i64,
    /// Deliveries that reached the receiver.
    pub delivered: i64,
    /// Given up after the last retry.
    pub failed: i64,
}

/// A webhook subscription.
#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    /// The subscription's id (uuid).
    pub id: Uuid,
    /// Where the changes are sent (`POST`).
    #[schema(example = "https://team-app.example.org/hooks/community-assets")]
    pub url: String,
    /// What the subscription is for, as its owner wrote it.
    pub description: Option<String>,
    /// The event types it hears.
    pub events: Vec<EventType>,
    pub filter: WebhookFilter,
    /// The organisation whose key subscribed (`null`: an admin's, which hears of every asset;
    /// an organisation's hears of published assets and of its own unpublished ones).
    pub organization_id: Option<Uuid>,
    /// `active`, or `paused`: nothing is sent until it is resumed.
    #[schema(example = "active")]
    pub status: String,
    /// When delivery was paused; `null` while active.
    pub paused_at: Option<DateTime<Utc>>,
    /// Why delivery was paused; `null` while active.
    #[schema(example = "20 failed attempts in a row since 2026-11-21 09:14 UTC")]
    pub paused_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    pub counts: WebhookCounts,
    /// When it was made (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// The signing secret: in the response that creates the subscription only. Keep it; it
    /// cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwq0kXbXk5Lw4=")]
    pub secret: Option<String>,
}

impl From<SubscriptionRow> for WebhookView {
    fn from(r: SubscriptionRow) -> Self {
        let near = match (r.filter_lat, r.filter_lon, r.filter_radius_m) {
            (Some(lat), Some(lon), Some(radius_m)) => Some(WebhookArea {
                postcode: r.filter_place,
                lat,
                lon,
                radius_km: radius_m / 1000.0,
            }),
            _ => None,
        };
        Self {
            id: r.id,
            url: r.url,
            description: r.description,
            events: r
                .events
                .iter()
                .filter_map(|a| EventType::from_action(a))
                .collect(),
            filter: WebhookFilter {
                organization_id: r.filter_organization_id,
                near,
                interests: r.filter_interests,
            },
            organization_id: r.organization_id,
            status: r.status,
            paused_at: r.paused_at,
            paused_reason: r.paused_reason,
            consecutive_failures: r.consecutive_failures,
            counts: WebhookCounts {
                pending: r.pending,
                delivered: r.delivered,
                failed: r.failed,
            },
            created_at: r.created_at,
            secret: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    /// The subscriptions on this page, oldest first.
    pub webhooks: Vec<WebhookView>,
    /// Pass as `cursor` for the next page; absent on the last page. Also sent as a
    /// `Link: <…>; rel="next"` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "d2ViaG9va3M6MjAyNi0xMi0wNlQxMDowMDowMCswMDowMHw3ZjBi")]
    pub next_cursor: Option<String>,
}

/// One try at sending a delivery.
#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    /// Which try this was, from 1.
    #[schema(example = 1)]
    pub attempt: i32,
    /// When it was sent (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; `null` when no answer came.
    #[schema(example = 503)]
    pub status_code: Option<i32>,
    /// Why it failed, when it did.
    #[schema(example = "no answer within 10 s")]
    pub error: Option<String>,
    /// How long the receiver took to answer (or to time out), in milliseconds.
    #[schema(example = 84)]
    pub duration_ms: i32,
}

impl From<AttemptRow> for AttemptView {
    fn from(a: AttemptRow) -> Self {
        Self {
            attempt: a.attempt,
            at: a.at,
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
        }
    }
}

/// One event sent (or to be sent) to the subscriber.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// Sent as the `webhook-id` header, the same on every attempt.
    pub id: Uuid,
    /// The change (its audit log entry id, as in the change feed).
    #[schema(example = 31)]
    pub change_id: i64,
    pub event: EventType,
    /// `pending` (to be tried, or retried at `next_attempt_at`), `delivered` or `failed`
    /// (given up after the last retry).
    #[schema(example = "delivered")]
    pub status: String,
    /// Every try so far, oldest first.
    pub attempts: Vec<AttemptView>,
    /// When the next try is due; `null` once delivered or given up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the change was matched to the subscription (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When a try succeeded; `null` until then.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A page of a subscription's deliveries, newest first.
#[derive(Serialize, ToSchema)]
pub struct DeliveryLog {
    /// The deliveries on this page, newest first.
    pub deliveries: Vec<DeliveryView>,
    /// Pass as `cursor` for older deliveries; absent on the last page. Also sent as a
    /// `Link: <…>; rel="next"` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ZGVsaXZlcmllczoxMDI0")]
    pub next_cursor: Option<String>,
}

fn delivery_view(d: DeliveryRow, attempts: Vec<AttemptRow>) -> DeliveryView {
    DeliveryView {
        id: d.id,
        change_id: d.audit_event_id,
        event: action_of(&d.event_type)
            .and_then(EventType::from_action)
            .unwrap_or(EventType::Updated),
        status: d.status,
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
        next_attempt_at: d.next_attempt_at,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

const ID_PARAM: &str = "The webhook's id (uuid).";
const DELIVERIES_CURSOR: &str = "deliveries";

/// Subscribe to asset changes
///
/// Each create, update, publish, archive and confirm of an asset that passes the filters is
/// POSTed to `url` as JSON: `{"type": "asset.updated", "timestamp": …, "data": …}`, where
/// `data` is the change as `GET /v1/changes` shows it (with its `cursor`). Every delivery
/// carries the Standard Webhooks headers `webhook-id` (the same on retries: drop repeats),
/// `webhook-timestamp` (Unix seconds) and `webhook-signature`: `v1,` and the base64
/// HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the base64-decoded part of
/// the secret after `whsec_`. Answer 2xx within 10 s; anything else is retried with
/// exponential backoff (30 s doubling to hourly, 12 attempts in all). A subscriber that keeps
/// failing for a day, or answers 410 Gone, is paused. An admin key hears of every asset; an
/// agency key of published assets and its own organisation's unpublished ones. Deliveries
/// may arrive out of order; the change feed is the record to catch up from.
#[utoipa::path(
    operation_id = "createWebhook",
    tag = "webhooks",
    request_body(content = WebhookInput, example = json!({
        "url": "https://team-app.example.org/hooks/community-assets",
        "events": ["asset.created", "asset.updated", "asset.archived"],
        "filter": {"near": {"postcode": "M32 0JG"}, "radius_km": 5, "interests": ["football"]}
    })),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Subscribed; `secret` is shown only in this response.", body = WebhookView, links(
            ("ReadIt" = (operation_id = "getWebhook", parameters(("id" = "$response.body#/id"))))
        )),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader key: subscribing needs an agency or admin key.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The owner already holds the most webhooks allowed (50).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/webhooks")]
pub async fn create(
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    settings: web::Data<WebhookSettings>,
    Authenticated(caller): Authenticated,
    body: JsonBody<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    let created =
        service::subscribe(&pool, &geocoder, &caller, &body.0, settings.allow_private).await?;
    let mut view = WebhookView::from(created.subscription);
    view.secret = Some(created.secret);
    let what = format!("webhook subscription {}", view.id);
    let mut response = HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/webhooks/{}", view.id)))
        .insert_header(("Cache-Control", "no-store"))
        .json(view);
    response.extensions_mut().insert(OneTimeSecret(what));
    Ok(response)
}

/// List webhooks
///
/// An admin key sees every subscription; an organisation's keys see the organisation's.
#[utoipa::path(
    operation_id = "listWebhooks",
    tag = "webhooks",
    security(("api_key" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of the subscriptions, oldest first.", body = WebhookList,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/webhooks")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let (after, limit) = super::paging::keyed_page(&mut params, WEBHOOKS_CURSOR);
    params.finish(())?;
    let (rows, more) = service::list(&pool, &caller, after, limit).await?;
    let next_cursor = keyed_next(
        WEBHOOKS_CURSOR,
        more,
        rows.last().map(|r| (r.created_at, r.id)),
    );
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(WebhookList {
        webhooks: rows.into_iter().map(WebhookView::from).collect(),
        next_cursor,
    }))
}

const WEBHOOKS_CURSOR: &str = "webhooks";

/// Read a webhook
///
/// A subscription: where it sends, what it hears, whether it is paused and why, and how many
/// deliveries succeeded and failed. Readable by its organisation's keys and by admins.
#[utoipa::path(
    operation_id = "getWebhook",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = ID_PARAM)),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The subscription and its delivery counts.", body = WebhookView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook, or not the caller's.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/webhooks/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(WebhookView::from(service::get(&pool, &caller, *id).await?)))
}

/// Delete a webhook
///
/// Nothing more is sent to it, and its delivery log goes with it.
#[utoipa::path(
    operation_id = "deleteWebhook",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = ID_PARAM)),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader key cannot delete it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook, or not the caller's.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[delete("/webhooks/{id}")]
pub async fn remove(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    service::delete(&pool, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resume a paused webhook
///
/// Makes it active again: the deliveries held while it was paused go out at once, and its
/// failure count starts again from zero. Changes made while it was paused were not queued
/// for it; read them from `GET /v1/changes`, after the `cursor` of the last event received.
#[utoipa::path(
    operation_id = "resumeWebhook",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = ID_PARAM)),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The subscription, active.", body = WebhookView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader key cannot resume it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook, or not the caller's.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[post("/webhooks/{id}/resume")]
pub async fn resume(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(WebhookView::from(
        service::resume(&pool, &caller, *id).await?,
    )))
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DeliveryParams {
    /// Only deliveries in this state; repeat for several.
    #[param(style = Form, explode, inline)]
    status: Option<Vec<DeliveryStatus>>,
    /// `next_cursor` from the previous page, with the same filters.
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// Deliveries per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    limit: Option<i64>,
}

#[derive(Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// Read a webhook's delivery log
///
/// Every event sent or to be sent to the subscriber, newest first, with each attempt: when,
/// the receiver's status or why no answer came, and how long it took. Finished deliveries are
/// kept for 30 days.
#[utoipa::path(
    operation_id = "listWebhookDeliveries",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = ID_PARAM), DeliveryParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryLog,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook, or not the caller's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let options = [
        ("pending", "pending"),
        ("delivered", "delivered"),
        ("failed", "failed"),
    ];
    let statuses: Vec<String> = params
        .choices("status", &options, "pending, delivered or failed")
        .into_iter()
        .map(str::to_string)
        .collect();
    let before = params.position_cursor(DELIVERIES_CURSOR);
    let limit = params.int("limit", 1, 200).unwrap_or(50);
    params.finish(())?;
    let log = service::deliveries(&pool, &caller, *id, &statuses, before, limit).await?;
    let next_cursor = log.next.map(|seq| encode_position(DELIVERIES_CURSOR, seq));
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(DeliveryLog {
        deliveries: log
            .deliveries
            .into_iter()
            .map(|(d, a)| delivery_view(d, a))
            .collect(),
        next_cursor,
    }))
}
