use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::json::JsonBody;
use super::problems::{Body, Common};
use super::views::VenueView;
use crate::auth::Authenticated;
use crate::db::DbPool;
use crate::domain::venue::VenueInput;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::services::venues;

/// Register a venue (agency or admin key), to refer to from assets by `venue_id`.
#[utoipa::path(
    operation_id = "createVenue",
    tag = "venues",
    request_body = VenueInput,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Created.", body = VenueView, headers(("Location" = String, description = "URL of the new venue"))),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A reader key cannot write.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/venues")]
pub async fn create(
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    Authenticated(caller): Authenticated,
    body: JsonBody<VenueInput>,
) -> Result<HttpResponse, ApiError> {
    let row = venues::create(&pool, &geocoder, &caller, &body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/venues/{}", row.id)))
        .json(VenueView::from(row)))
}

/// Read a venue (public).
#[utoipa::path(
    operation_id = "getVenue",
    tag = "venues",
    params(("id" = Uuid, Path, description = "Venue id")),
    responses(
        (status = 200, description = "The venue.", body = VenueView),
        (status = 404, description = "No such venue.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/venues/{id}")]
pub async fn get(pool: web::Data<DbPool>, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(VenueView::from(venues::get(&pool, *id).await?)))
}
