//! `GET /v1/map/tiles/{z}/{x}/{y}`: the whole published directory drawn on a web map, a tile at
//! a time, with nearby assets gathered into clusters (see `domain::map_tile`).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};

use super::problems::Common;
use crate::db::DbPool;
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::map_tile::TileId;
use crate::error::{ApiError, Problem};
use crate::services::map::{self as service, MapTile, TileCache};

fn number(field: &str, raw: &str) -> Result<u32, ApiError> {
    raw.parse::<u32>()
        .map_err(|_| ApiError::validation(field, "must be a whole number, 0 or more"))
}

/// Read a map tile of the directory
///
/// The published assets with a place on the map (not online-only ones or service areas) in
/// the Web Mercator tile `z/x/y` (the scheme of OpenStreetMap and every web map library), as
/// GeoJSON. Assets within about 32 pixels of each other at that zoom (4 pixels from zoom 16)
/// are one cluster with a `count`; an asset alone carries its `id`, `title` and `kind`.
/// Listings hidden from default searches for being long unconfirmed are left out. Tiles are
/// cached by the service and rebuilt within seconds of any change to an asset or a venue in
/// them; send the `ETag` back as `If-None-Match` to get a 304. Needs no key.
#[utoipa::path(
    operation_id = "getMapTile",
    tag = "search",
    params(
        ("z" = u32, Path, description = "Zoom, 0 (the world) to 20.", example = 12, minimum = 0, maximum = 20),
        ("x" = u32, Path, description = "Column, 0 to 2^z − 1, from the west.", example = 2021, minimum = 0),
        ("y" = u32, Path, description = "Row, 0 to 2^z − 1, from the north.", example = 1325, minimum = 0),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a copy you hold, e.g. `\"5e1c0c6d4b1f7e2a9d3c8b70\"`."),
    ),
    responses(
        (status = 200, description = "The tile's clusters and assets.", body = MapTile, content_type = "application/geo+json",
            headers(("ETag" = String, description = "Changes when the tile does"))),
        (status = 304, description = "Your copy is current."),
        (status = 422, description = "No such tile (each bad number named).", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/map/tiles/{z}/{x}/{y}")]
pub async fn tile(
    pool: web::Data<DbPool>,
    cache: web::Data<TileCache>,
    freshness: web::Data<FreshnessPolicy>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (z, x, y) = path.into_inner();
    let (z, x, y) = (number("z", &z)?, number("x", &x)?, number("y", &y)?);
    let id = TileId::new(z, x, y).map_err(|(field, reason)| ApiError::validation(field, reason))?;
    let tile = service::tile(&pool, &cache, &freshness, id).await?;
    // `middleware::conditional` answers a matching If-None-Match with 304.
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tile.etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .content_type("application/geo+json")
        .body(tile.body))
}
