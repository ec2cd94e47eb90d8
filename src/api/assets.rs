use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use uuid::Uuid;

use super::if_match;
use super::json::JsonBody;
use super::problems::{AssetChange, Body, Common};
use super::views::AssetView;
use crate::auth::{Authenticated, Caller};
use crate::db::DbPool;
use crate::db::assets::AssetRecord;
use crate::domain::asset::AssetInput;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::services::assets::{self, etag};

fn respond(status: StatusCode, record: AssetRecord) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(record.asset.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/assets/{}", record.asset.id)));
    }
    response.json(AssetView::from(record))
}

/// Submit an asset. An agency key submits for its own organisation; an admin key for any.
/// Assets of trusted organisations (and admins' submissions) are published at once; others
/// are `pending` until an admin publishes them.
#[utoipa::path(
    operation_id = "createAsset",
    tag = "assets",
    request_body = AssetInput,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Created; `status` says whether it is published or waiting for moderation.", body = AssetView, headers(
            ("Location" = String, description = "URL of the new asset"),
            ("ETag" = String, description = "The asset's version, for If-Match")
        )),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not write for this organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, including unknown interest terms (with suggestions).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/assets")]
pub async fn create(
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    body: JsonBody<AssetInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        StatusCode::CREATED,
        assets::create(&pool, &geocoder, &caller, &body.0).await?,
    ))
}

/// Read an asset. Published assets are public; pending and archived ones are visible only to
/// their organisation's keys and admins (404 to everyone else).
#[utoipa::path(
    operation_id = "getAsset",
    tag = "assets",
    params(("id" = Uuid, Path, description = "Asset id")),
    responses(
        (status = 200, description = "The asset.", body = AssetView, headers(("ETag" = String, description = "The asset's version, for If-Match"))),
        (status = 401, description = "An Authorization header was sent but the key is not valid.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset, or not visible to this caller.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/assets/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        StatusCode::OK,
        assets::get(&pool, &caller, *id).await?,
    ))
}

/// Replace an asset's content. Requires `If-Match` with the ETag last read, so that
/// concurrent edits are not lost.
#[utoipa::path(
    operation_id = "replaceAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "Asset id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. `\"3\"`")
    ),
    request_body = AssetInput,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The asset as stored.", body = AssetView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not change this asset.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset.", body = Problem, content_type = "application/problem+json"),
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
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: JsonBody<AssetInput>,
) -> Result<HttpResponse, ApiError> {
    let record = assets::replace(
        &pool,
        &geocoder,
        &caller,
        *id,
        if_match(&req).as_ref(),
        &body.0,
    )
    .await?;
    Ok(respond(StatusCode::OK, record))
}

/// Archive an asset: it leaves the public directory but is kept. `If-Match` is optional.
#[utoipa::path(
    operation_id = "archiveAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "Asset id"),
        ("If-Match" = Option<String>, Header, description = "Only archive if still at this ETag")
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
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        StatusCode::OK,
        assets::archive(&pool, &caller, *id, if_match(&req).as_ref()).await?,
    ))
}

/// Confirm the asset still runs as described (agency or admin key); sets `confirmed_at`.
#[utoipa::path(
    operation_id = "confirmAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "Asset id"),
        ("If-Match" = Option<String>, Header, description = "Only confirm if still at this ETag")
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
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        StatusCode::OK,
        assets::confirm(&pool, &caller, *id, if_match(&req).as_ref()).await?,
    ))
}

/// Publish a pending (or archived) asset (admin key).
#[utoipa::path(
    operation_id = "publishAsset",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "Asset id"),
        ("If-Match" = Option<String>, Header, description = "Only publish if still at this ETag")
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
    Authenticated(caller): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(respond(
        StatusCode::OK,
        assets::publish(&pool, &caller, *id, if_match(&req).as_ref()).await?,
    ))
}
