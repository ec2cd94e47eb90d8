//! Referral outcomes: what became of an asset suggested to someone, with no personal data.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::JsonBody;
use super::problems::{Body, Common};
use crate::auth::Authenticated;
use crate::db::DbPool;
use crate::db::referrals::ReferralRow;
use crate::domain::matching::request::Barrier;
use crate::domain::referrals::{Outcome, OutcomeInput, ReferralInput};
use crate::error::{ApiError, Problem};
use crate::services::referrals as service;

/// A referral: an asset suggested to someone, and how far it got. Nothing about the person is
/// kept; keep this id with your own record of them to add what happens next.
#[derive(Serialize, ToSchema)]
pub struct ReferralView {
    /// The referral's id (uuid).
    pub id: Uuid,
    /// The asset the person was referred to (uuid).
    pub asset_id: Uuid,
    /// How far it has got.
    pub outcome: Outcome,
    /// The day the asset was suggested (UK date).
    pub suggested_on: NaiveDate,
    /// The day the person first went; `null` until recorded.
    pub tried_on: Option<NaiveDate>,
    /// Still going four weeks after first going, as seen on this day.
    pub kept_going_on: Option<NaiveDate>,
    /// The day the person stopped going; `null` unless recorded.
    pub stopped_on: Option<NaiveDate>,
    /// What stopped the person, when recorded.
    pub barrier: Option<Barrier>,
    /// When the referral was recorded (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When its outcome last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<ReferralRow> for ReferralView {
    fn from(r: ReferralRow) -> Self {
        Self {
            id: r.id,
            asset_id: r.asset_id,
            outcome: Outcome::parse(&r.outcome).unwrap_or(Outcome::Suggested),
            suggested_on: r.suggested_on,
            tried_on: r.tried_on,
            kept_going_on: r.kept_going_on,
            stopped_on: r.stopped_on,
            barrier: r.barrier.as_deref().and_then(Barrier::parse),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Record a referral
///
/// Records, with no personal data, that a published asset was suggested to someone (or, if
/// recorded later, that they tried it, kept going, or stopped). Any API key may record one;
/// the organisation whose key did (or an admin) adds what follows with
/// `POST /v1/referrals/{id}/outcomes`. Once an asset has 5 referrals, their sum appears on it as
/// `outcomes`, and matching favours assets people keep going to.
#[utoipa::path(
    operation_id = "createReferral",
    tag = "referrals",
    request_body(content = ReferralInput, example = json!({
        "asset_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "outcome": "suggested"
    })),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Recorded.", body = ReferralView, links(
            ("AddOutcome" = (operation_id = "addReferralOutcome", parameters(("id" = "$response.body#/id"))))
        )),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an asset that is not listed, a date in the future, a barrier without `stopped`).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/referrals")]
pub async fn create(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    body: JsonBody<ReferralInput>,
) -> Result<HttpResponse, ApiError> {
    let row = service::create(&pool, &caller, &body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/referrals/{}", row.id)))
        .json(ReferralView::from(row)))
}

/// Read a referral
///
/// A referral and what became of it (suggested, tried, kept going or stopped), with no
/// personal data. Readable by the organisation that recorded it and by admins.
#[utoipa::path(
    operation_id = "getReferral",
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id (uuid).")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The referral.", body = ReferralView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral, or not recorded by the caller's organisation.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/referrals/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ReferralView::from(service::get(&pool, &caller, *id).await?)))
}

/// Record what happened next
///
/// Moves the referral forward: `tried` (went at least once), `kept_going` (still going four
/// weeks after first going), or `stopped` (with the barrier, if known). Outcomes never go back,
/// nothing follows `stopped`, and dates never run backwards.
#[utoipa::path(
    operation_id = "addReferralOutcome",
    tag = "referrals",
    params(("id" = Uuid, Path, description = "The referral's id (uuid).")),
    request_body(content = OutcomeInput, example = json!({"outcome": "tried", "on": "2026-11-20"})),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The referral, moved forward.", body = ReferralView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such referral, or not recorded by the caller's organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The outcome does not follow (a step back, after stopping, too soon to have kept going).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/referrals/{id}/outcomes")]
pub async fn add_outcome(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<OutcomeInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ReferralView::from(
        service::advance(&pool, &caller, *id, &body.0).await?,
    )))
}
