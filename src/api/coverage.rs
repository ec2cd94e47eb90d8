//! `GET /v1/coverage`: what a team's area holds, and what it lacks.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::json::JsonBody;
use super::problems::{Body, Common};
use super::query_params::QueryParams;
use crate::db::DbPool;
use crate::domain::coverage::{CELL_KM, CoverageAreaInput, DEFAULT_CELL_KM, check_area};
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::geometry::LatLon;
use crate::domain::postcode_index::Precision;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::services::coverage::{self as service, Place, Request};

/// The centre of the area: the same shape as every other location the API echoes.
#[derive(Serialize, ToSchema)]
pub struct CoverageLocation {
    /// Latitude in decimal degrees (WGS 84).
    #[schema(example = 53.4235)]
    pub lat: f64,
    /// Longitude in decimal degrees (WGS 84).
    #[schema(example = -2.3186)]
    pub lon: f64,
    /// The postcode as understood, when one was given.
    #[schema(example = "M33 2AB")]
    pub postcode: Option<String>,
    /// How exactly the postcode placed the centre; `null` when a point was given.
    pub precision: Option<Precision>,
}

/// Shares of the assets in reach, 0 to 1.
#[derive(Serialize, ToSchema)]
pub struct CoverageShares {
    /// Free to take part in.
    #[schema(example = 0.42)]
    pub free: f64,
    /// With a session starting at 17:00 or later.
    #[schema(example = 0.31)]
    pub evenings: f64,
    /// With a session on a Saturday or Sunday.
    #[schema(example = 0.27)]
    pub weekends: f64,
    /// At a venue with step-free access.
    #[schema(example = 0.58)]
    pub step_free: f64,
    /// At a mainstream, non-stigmatised venue.
    #[schema(example = 0.86)]
    pub non_stigmatised: f64,
    /// Stale: not confirmed for a year (by default).
    #[schema(example = 0.07)]
    pub stale: f64,
}

/// The nearest asset of a domain, outside the area.
#[derive(Serialize, ToSchema)]
pub struct NearestAsset {
    /// The nearest asset of the domain beyond the reach (uuid).
    pub asset_id: Uuid,
    /// Its title.
    #[schema(example = "Sale Community Choir")]
    pub title: String,
    /// How far it is from the centre, in kilometres (on the sphere, 2 decimal places).
    #[schema(example = 6.4)]
    pub distance_km: f64,
}

/// An interest domain with no asset in reach.
#[derive(Serialize, ToSchema)]
pub struct CoverageGap {
    /// The domain of interests (e.g. `sport`, `arts`) with nothing in reach.
    #[schema(example = "music")]
    pub domain: String,
    /// The nearest asset in that domain, or `null` if the directory has none.
    pub nearest: Option<NearestAsset>,
}

/// What the published assets within reach of a place offer, and the gaps.
#[derive(Serialize, ToSchema)]
pub struct CoverageReport {
    /// The centre: the place given, or a drawn area's centroid.
    pub location: CoverageLocation,
    /// How far the area reaches from its centre, in kilometres; absent for a drawn area.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 3.0)]
    pub radius_km: Option<f64>,
    /// Published assets within reach (listings hidden from default searches as long
    /// unconfirmed left out).
    #[schema(example = 120)]
    pub assets: usize,
    /// Assets by kind.
    #[schema(example = json!({"group": 48, "activity": 52, "course": 9, "volunteering": 11}))]
    pub by_kind: BTreeMap<String, usize>,
    /// Assets by the Five Ways to Wellbeing they support (an asset may support several).
    #[schema(example = json!({"connect": 97, "be_active": 60}))]
    pub by_five_ways: BTreeMap<String, usize>,
    /// Assets by interest domain (an asset counts once in each of its domains).
    #[schema(example = json!({"being-active": 58, "social": 21}))]
    pub by_domain: BTreeMap<String, usize>,
    pub shares: CoverageShares,
    /// Interest domains with nothing in reach, each with the nearest asset outside.
    pub gaps: Vec<CoverageGap>,
    /// Asset density as a GeoJSON FeatureCollection of square cells (`cell_km` a side), each
    /// with an `assets` count; cells without assets are left out.
    #[schema(value_type = Object)]
    pub density: Value,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CoverageParams {
    /// The area's centre as a UK postcode, sector or district; or give `lat` and `lon`.
    #[param(example = "M33 7ZF")]
    postcode: Option<String>,
    /// Latitude of the centre (WGS 84), with `lon`, e.g. `53.4235`.
    #[param(minimum = -90, maximum = 90)]
    lat: Option<f64>,
    /// Longitude of the centre (WGS 84), with `lat`, e.g. `-2.3186`.
    #[param(minimum = -180, maximum = 180)]
    lon: Option<f64>,
    /// How far the area reaches, in kilometres, 0.1 to 50 (default 3).
    #[param(minimum = 0.1, maximum = 50, example = 3)]
    radius_km: Option<f64>,
    /// Side of the density grid's cells, in kilometres, 0.1 to 10 (default 1).
    #[param(minimum = 0.1, maximum = 10, example = 1)]
    cell_km: Option<f64>,
}

/// Report a team's coverage
///
/// For the published assets within reach of a place: counts by kind, by Five Ways to
/// Wellbeing and by interest domain; the share that is free, runs on evenings or weekends, is
/// step-free, is in a mainstream venue, and is stale; the interest domains with nothing in
/// reach, each with the nearest asset outside; and a GeoJSON grid of asset density for a map.
/// Connecting People asks teams to review their links with their area's assets: this is the
/// picture to start from.
#[utoipa::path(
    operation_id = "getCoverage",
    tag = "assets",
    params(CoverageParams),
    responses(
        (status = 200, description = "The coverage report.", body = CoverageReport),
        (status = 422, description = "A parameter is invalid (each one named), or the postcode cannot be placed.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/coverage")]
pub async fn report(
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    policy: web::Data<FreshnessPolicy>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let postcode = params.text("postcode", 20);
    let lat = params.number("lat", -90.0, 90.0);
    let lon = params.number("lon", -180.0, 180.0);
    let radius_km = params.number("radius_km", 0.1, 50.0).unwrap_or(3.0);
    let cell_km = params
        .number("cell_km", *CELL_KM.start(), *CELL_KM.end())
        .unwrap_or(DEFAULT_CELL_KM);
    let place = match (postcode, lat, lon) {
        (Some(p), None, None) => Some(Place::Postcode(p)),
        (None, Some(lat), Some(lon)) => Some(Place::Point(LatLon { lat, lon })),
        (Some(_), _, _) => {
            params
                .errors
                .add("postcode", "give either postcode or lat and lon, not both");
            None
        }
        (None, _, _) => {
            params
                .errors
                .add("postcode", "is required (or lat and lon together)");
            None
        }
    };
    let place = params.finish(place)?;
    let Some(place) = place else {
        return Err(ApiError::bad_request("postcode", "is required"));
    };
    let found = service::report(
        &pool,
        &geocoder,
        &policy,
        &Request {
            place,
            radius_km,
            cell_km,
        },
    )
    .await?;
    Ok(respond(found, Some(radius_km)))
}

/// Report on a drawn area
///
/// The same report as `GET /v1/coverage`, for the assets whose venue (or, with no venue, any
/// part of the area they serve) lies inside a GeoJSON Polygon or MultiPolygon: a team's patch,
/// a ward, a primary care network. The density grid and the nearest asset of each missing domain are measured
/// from the area's centroid (the distance given is to the area's edge).
#[utoipa::path(
    operation_id = "reportCoverageForArea",
    tag = "assets",
    request_body(content = CoverageAreaInput),
    responses(
        (status = 200, description = "The coverage report.", body = CoverageReport),
        (status = 422, description = "The area is not a valid Polygon or MultiPolygon in the UK or Ireland, is more than 100 km across, or `cell_km` is out of range.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/coverage")]
pub async fn report_area(
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    policy: web::Data<FreshnessPolicy>,
    body: JsonBody<CoverageAreaInput>,
) -> Result<HttpResponse, ApiError> {
    let drawn = check_area(&body.0).map_err(ApiError::Validation)?;
    let found = service::report(
        &pool,
        &geocoder,
        &policy,
        &Request {
            place: Place::Area(drawn.area, drawn.centre),
            radius_km: 0.0,
            cell_km: drawn.cell_km,
        },
    )
    .await?;
    Ok(respond(found, None))
}

fn respond(found: service::Report, radius_km: Option<f64>) -> HttpResponse {
    let s = found.summary;
    let density = json!({
        "type": "FeatureCollection",
        "features": found.grid.iter().map(|c| json!({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[
                [c.south_west.lon, c.south_west.lat],
                [c.north_east.lon, c.south_west.lat],
                [c.north_east.lon, c.north_east.lat],
                [c.south_west.lon, c.north_east.lat],
                [c.south_west.lon, c.south_west.lat],
            ]]},
            "properties": {"assets": c.assets},
        })).collect::<Vec<_>>(),
    });
    HttpResponse::Ok().json(CoverageReport {
        location: CoverageLocation {
            lat: found.centre.lat,
            lon: found.centre.lon,
            precision: found.located.as_ref().map(|g| g.precision),
            postcode: found.located.map(|g| g.postcode),
        },
        radius_km,
        assets: s.assets,
        by_kind: s.by_kind,
        by_five_ways: s.by_five_ways,
        by_domain: s.by_domain,
        shares: CoverageShares {
            free: s.free,
            evenings: s.evenings,
            weekends: s.weekends,
            step_free: s.step_free,
            non_stigmatised: s.non_stigmatised,
            stale: s.stale,
        },
        gaps: found
            .gaps
            .into_iter()
            .map(|g| CoverageGap {
                nearest: match (g.asset_id, g.title, g.distance_m) {
                    (Some(asset_id), Some(title), Some(m)) => Some(NearestAsset {
                        asset_id,
                        title,
                        distance_km: crate::domain::geometry::shown_km(m),
                    }),
                    _ => None,
                },
                domain: g.domain,
            })
            .collect(),
        density,
    })
}
