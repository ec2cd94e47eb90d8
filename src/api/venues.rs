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

/// Register a venue
///
/// Needs an agency or admin key. Refer to the venue from assets by `venue_id`. A venue without
/// `location` is placed by its postcode.
#[utoipa::path(
    operation_id = "createVenue",
    tag = "venues",
    request_body(content = VenueInput, example = json!({
        "name": "Sale Library",
        "address_lines": ["Sale Waterside"],
        "town": "Sale",
        "postcode": "M33 7ZF",
        "location": {"lat": 53.4248, "lon": -2.3232},
        "venue_type": "library",
        "accessibility": ["step_free_access", "hearing_loop", "accessible_toilet"],
        "website": "https://www.trafford.gov.uk/residents/leisure-and-lifestyle/libraries/libraries-in-trafford/sale-library.aspx"
    })),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Created.", body = VenueView, headers(("Location" = String, description = "URL of the new venue")), links(
            ("ReadIt" = (operation_id = "getVenue", parameters(("id" = "$response.body#/id"))))
        )),
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

/// Read a venue
///
/// Public: no key is needed. A venue added by an organisation not yet trusted waits for
/// moderation and is seen only by the organisation and admins until an admin publishes an asset
/// there.
#[utoipa::path(
    operation_id = "getVenue",
    tag = "venues",
    params(("id" = Uuid, Path, description = "The venue's id (uuid).", example = "c5917c55-79cc-562b-ba1b-49c3e4436539")),
    responses(
        (status = 200, description = "The venue.", body = VenueView),
        (status = 404, description = "No such venue, or not visible to this caller.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/venues/{id}")]
pub async fn get(
    pool: web::Data<DbPool>,
    caller: crate::auth::Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(VenueView::from(venues::get(&pool, &caller, *id).await?)))
}
