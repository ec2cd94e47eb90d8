use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use uuid::Uuid;

use super::if_match;
use super::json::JsonBody;
use super::problems::{AssetChange, Body, Common};
use super::views::AssetView;
use crate::auth::{Authenticated, Caller};
use crate::db::DbPool;
use crate::domain::asset::AssetInput;
use crate::domain::freshness::FreshnessPolicy;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::services::assets::{self, AssetState, Replaced, Upserted, etag};

fn respond(policy: &FreshnessPolicy, status: StatusCode, state: AssetState) -> HttpResponse {
    let record = state.record;
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(record.asset.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/assets/{}", record.asset.id)));
    }
    response.json(AssetView::with_pending(
        record,
        state.pending_change,
        policy,
    ))
}

/// Submit an asset
///
/// An agency key submits for its own organisation; an admin key for any, and must give
/// `organization_id`. Assets of trusted organisations (and admins' submissions) are published
/// at once; others are `pending` until an admin publishes them. Every invalid field is named in
/// one 422, and unknown interest terms come with suggestions.
#[utoipa::path(
    operation_id = "createAsset",
    tag = "assets",
    request_body(content = AssetInput, description = "The asset. It needs at least one interest term and a place: `venue_id` or `venue`, a `service_area`, or `online: true`.", example = json!({
        "organization_id": "b4f370d5-e15c-590e-ba5e-ae4a85bad88f",
        "kind": "activity",
        "title": "Walking football for adults",
        "description": "A gentle, no-running version of football for adults who want to get back into sport at their own pace. Bibs and balls provided; wear trainers.",
        "venue_id": "4dc38f77-ffb1-5760-8360-00c1458b8890",
        "online": false,
        "interests": ["walking football"],
        "five_ways": ["connect", "be_active"],
        "eligibility": {"min_age": 18},
        "cost": {"amount_pence": 300, "concession_pence": 200, "notes": "£3 a session, £2 concession."},
        "schedule": {"weekly": [{"day": "wed", "start": "11:00", "end": "12:00"}], "dated": [], "notes": "Not on bank holidays."},
        "newcomers": {"drop_in": true, "taster_session": true, "meet_and_greet": true, "booking_required": false, "notes": "Wear trainers; bibs and balls are provided."},
        "capacity": {"max_participants": 20, "typical_group_size": 12},
        "contact": {"phone": "0161 749 2570", "url": "https://twmove.co.uk"}
    })),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Created; `status` says whether it is published or waiting for moderation.", body = AssetView, headers(
            ("Location" = String, description = "URL of the new asset"),
            ("ETag" = String, description = "The asset's version, for If-Match")
        ), links(
            ("ReadIt" = (operation_id = "getAsset", parameters(("id" = "$response.body#/id")))),
            ("ReplaceIt" = (operation_id = "replaceAsset", parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
            ("ConfirmIt" = (operation_id = "confirmAsset", parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
            ("PublishIt" = (operation_id = "publishAsset", parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag")))),
            ("ArchiveIt" = (operation_id = "archiveAsset", parameters(("id" = "$response.body#/id"), ("If-Match" = "$response.header.ETag"))))
        )),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not write for this organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another of the organisation's assets has this `external_id` (use the by-external-id `PUT` to replace it).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, including unknown interest terms (with suggestions).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/assets")]
pub async fn create(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    body: JsonBody<AssetInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        &freshness,
        StatusCode::CREATED,
        assets::create(&pool, &geocoder, &caller, &body.0).await?,
    ))
}

/// Read an asset
///
/// Published assets are public; pending ones are visible only to their organisation's keys
/// and admins (404 to everyone else). An archived asset answers 410 Gone to them (404 to
/// everyone else). The `ETag` header carries the version to send back in `If-Match` when
/// changing it.
#[utoipa::path(
    operation_id = "getAsset",
    tag = "assets",
    params(("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab")),
    responses(
        (status = 200, description = "The asset.", body = AssetView, headers(("ETag" = String, description = "The asset's version, for If-Match"))),
        (status = 401, description = "An Authorization header was sent but the key is not valid.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset, or not visible to this caller.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The asset was archived (`DELETE`): kept, no longer served. Everyone gets it for an asset that was ever published; one never published is 404 outside its organisation.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/assets/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        &freshness,
        StatusCode::OK,
        assets::get(&pool, &caller, *id).await?,
    ))
}

/// Replace an asset's content
///
/// Requires `If-Match` with the ETag last read, so that concurrent edits are not lost. The body
/// replaces every field (what is left out is cleared), by the same rules as `POST /v1/assets`;
/// `organization_id` must be omitted or stay the same. An organisation that is not yet trusted
/// cannot change a published listing on its own: its change is checked in full, kept for an
/// admin's review (202, `pending_change`), and the published version stays live until an admin
/// approves it (`POST /v1/assets/{id}/publish`) or turns it down. A new inline venue that
/// repeats the asset's current one is kept, not duplicated.
#[utoipa::path(
    operation_id = "replaceAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab"),
        ("If-Match" = String, Header, description = "The ETag from the last read (the asset's `version` in double quotes), e.g. `\"1\"`; `*` accepts any version.", example = "*")
    ),
    request_body(content = AssetInput, description = "The asset's new content, in full.", example = json!({
        "kind": "activity",
        "title": "Walking football for adults",
        "description": "A gentle, no-running version of football for adults who want to get back into sport at their own pace. Bibs and balls provided; wear trainers.",
        "venue_id": "4dc38f77-ffb1-5760-8360-00c1458b8890",
        "online": false,
        "interests": ["walking football"],
        "five_ways": ["connect", "be_active"],
        "cost": {"amount_pence": 300, "concession_pence": 200, "notes": "£3 a session, £2 concession."},
        "schedule": {"weekly": [{"day": "wed", "start": "11:00", "end": "12:00"}], "dated": []},
        "newcomers": {"drop_in": true, "taster_session": true, "meet_and_greet": true, "booking_required": false},
        "capacity": {"max_participants": 20, "typical_group_size": 12}
    })),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The asset as stored.", body = AssetView, headers(("ETag" = String, description = "The new version"))),
        (status = 202, description = "The change is kept for an admin's review (the organisation is not trusted and the asset is published); the asset as still published, with `pending_change`.", body = AssetView, headers(("ETag" = String, description = "The published version, unchanged"))),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not change this asset.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another of the organisation's assets has this `external_id`.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The asset changed since that ETag.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[put("/assets/{id}")]
pub async fn replace(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<AssetInput>,
) -> Result<HttpResponse, ApiError> {
    let (state, outcome) = assets::replace(
        &pool,
        &geocoder,
        &caller,
        *id,
        if_match(&req).as_ref(),
        &body.0,
    )
    .await?;
    let status = match outcome {
        Replaced::Applied => StatusCode::OK,
        Replaced::AwaitingReview => StatusCode::ACCEPTED,
    };
    Ok(respond(&freshness, status, state))
}

/// Archive an asset
///
/// The asset leaves the public directory but is kept, and an admin can publish it again.
/// Needs an agency key of the asset's organisation or an admin key. `If-Match` is optional.
#[utoipa::path(
    operation_id = "archiveAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab"),
        ("If-Match" = Option<String>, Header, description = "Only archive if the asset is still at this ETag, e.g. `\"1\"`; 412 otherwise.", example = "*")
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The archived asset.", body = AssetView),
        AssetChange,
    )
)]
#[delete("/assets/{id}")]
pub async fn archive(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        &freshness,
        StatusCode::OK,
        assets::archive(&pool, &caller, *id, if_match(&req).as_ref()).await?,
    ))
}

/// Confirm an asset still runs as described
///
/// Needs an agency key of the asset's organisation or an admin key. Sets `confirmed_at` to
/// now, which the search's `confirmed_within_days` filter and matching's freshness score use.
/// `If-Match` is optional.
#[utoipa::path(
    operation_id = "confirmAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab"),
        ("If-Match" = Option<String>, Header, description = "Only confirm if the asset is still at this ETag, e.g. `\"1\"`; 412 otherwise.", example = "*")
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The asset, with `confirmed_at` set to now.", body = AssetView),
        AssetChange,
    )
)]
#[post("/assets/{id}/confirm")]
pub async fn confirm(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        &freshness,
        StatusCode::OK,
        assets::confirm(&pool, &caller, *id, if_match(&req).as_ref()).await?,
    ))
}

/// Publish an asset, or approve its waiting change
///
/// Needs an admin key. A pending or archived asset becomes public in search and matching, with
/// its venue. When a change waits for review (`pending_change`), publishing applies it: the
/// public listing takes the new content. The audit log records the approval. `If-Match` is
/// optional.
#[utoipa::path(
    operation_id = "publishAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab"),
        ("If-Match" = Option<String>, Header, description = "Only publish if the asset is still at this ETag, e.g. `\"1\"`; 412 otherwise.", example = "*")
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The published asset.", body = AssetView),
        AssetChange,
    )
)]
#[post("/assets/{id}/publish")]
pub async fn publish(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        &freshness,
        StatusCode::OK,
        assets::publish(&pool, &geocoder, &caller, *id, if_match(&req).as_ref()).await?,
    ))
}

/// Turn down or withdraw a change waiting for review
///
/// An admin turns the change down; the asset's organisation (an agency key) may withdraw it.
/// The published version stays as it is, and the audit log records who decided. 404 when no
/// change waits.
#[utoipa::path(
    operation_id = "rejectAssetChange",
    tag = "assets",
    params(("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The asset, as published, with no change waiting.", body = AssetView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not change this asset.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset, or no change waiting for review.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[delete("/assets/{id}/pending-change")]
pub async fn reject_change(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        &freshness,
        StatusCode::OK,
        assets::reject_change(&pool, &caller, *id).await?,
    ))
}

/// Create or replace an asset by the organisation's own id
///
/// For an agency's own system (a club's booking system, a council's database) that keeps its
/// listings under its own ids: the asset of the organisation with this `external_id` is
/// created (201) or replaced in full (200), without keeping our ids. Sending the same body
/// again changes nothing (200, same `ETag`). An archived asset comes back. A published asset of
/// an organisation that is not trusted keeps the change for review (202), as
/// `PUT /v1/assets/{id}` does. Needs an agency key of the organisation or an admin key; no
/// `If-Match`: the organisation's system is the authority for its own ids.
#[utoipa::path(
    operation_id = "putAssetByExternalId",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The organisation's id (uuid).", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f"),
        ("external_id" = String, Path, description = "The organisation's own id for the listing; 1 to 200 characters after trimming, no control characters, percent-encoded in the path.", example = "club-42-walking-football", pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")
    ),
    request_body(content = AssetInput, description = "The asset's content, in full; `external_id` and `organization_id` may be omitted (they come from the path) or must equal it.", example = json!({
        "kind": "activity",
        "title": "Walking football for adults",
        "venue_id": "4dc38f77-ffb1-5760-8360-00c1458b8890",
        "interests": ["walking football"],
        "cost": {"amount_pence": 300},
        "schedule": {"weekly": [{"day": "wed", "start": "11:00", "end": "12:00"}], "dated": []},
        "participation": {"levels": ["Beginner"], "coached": true}
    })),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Replaced, or unchanged when the same body was applied before; the asset as stored.", body = AssetView, headers(("ETag" = String, description = "The asset's version"))),
        (status = 201, description = "Created; `status` says whether it is published or waiting for moderation.", body = AssetView, headers(
            ("Location" = String, description = "URL of the new asset"),
            ("ETag" = String, description = "The asset's version")
        )),
        (status = 202, description = "The change is kept for an admin's review (the organisation is not trusted and the asset is published); the asset as still published, with `pending_change`.", body = AssetView, headers(("ETag" = String, description = "The published version, unchanged"))),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not write for this organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two writes with the same new external id raced: retry.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an external id or organisation in the body that differs from the path, or an unknown organisation.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[put("/organizations/{id}/assets/by-external-id/{external_id}")]
pub async fn put_by_external_id(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    path: web::Path<(Uuid, String)>,
    body: JsonBody<AssetInput>,
) -> Result<HttpResponse, ApiError> {
    let (organization_id, external_id) = path.into_inner();
    let (state, outcome) = assets::put_by_external_id(
        &pool,
        &geocoder,
        &caller,
        organization_id,
        &external_id,
        &body.0,
    )
    .await?;
    let status = match outcome {
        Upserted::Created => StatusCode::CREATED,
        Upserted::Replaced(Replaced::AwaitingReview) => StatusCode::ACCEPTED,
        Upserted::Replaced(Replaced::Applied) | Upserted::Unchanged => StatusCode::OK,
    };
    Ok(respond(&freshness, status, state))
}

/// Read an asset by the organisation's own id
///
/// The same answer as `GET /v1/assets/{id}` for the organisation's asset with this
/// `external_id`.
#[utoipa::path(
    operation_id = "getAssetByExternalId",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The organisation's id (uuid).", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f"),
        ("external_id" = String, Path, description = "The organisation's own id for the listing.", example = "club-42-walking-football")
    ),
    responses(
        (status = 200, description = "The asset.", body = AssetView, headers(("ETag" = String, description = "The asset's version, for If-Match"))),
        (status = 401, description = "An Authorization header was sent but the key is not valid.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The organisation has no asset with this external id visible to this caller.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The asset was archived.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/organizations/{id}/assets/by-external-id/{external_id}")]
pub async fn get_by_external_id(
    pool: web::Data<DbPool>,
    freshness: web::Data<FreshnessPolicy>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (organization_id, external_id) = path.into_inner();
    Ok(respond(
        &freshness,
        StatusCode::OK,
        assets::get_by_external_id(&pool, &caller, organization_id, &external_id).await?,
    ))
}
