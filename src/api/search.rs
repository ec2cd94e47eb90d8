//! `GET /v1/assets`: the directory search, as JSON or as GeoJSON for maps.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::problems::Common;
use super::views::{AssetView, InterestRef};
use crate::db::DbPool;
use crate::db::search::Hit;
use crate::domain::search::{self as search_params, Format};
use crate::error::{ApiError, Problem};
use crate::geocoder::{Geocoded, Geocoder};
use crate::services::search::{self as service, InterestCache};

/// Search parameters. All filters combine with AND; repeated `interest`, `kind` and `day` values
/// combine with OR, repeated `access` values with AND.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQueryDoc {
    /// Search near this postcode, sector or district (instead of `lat`/`lon`).
    #[param(example = "M32 0JG")]
    postcode: Option<String>,
    /// Latitude of the point to search near (WGS 84); with `lon`.
    lat: Option<f64>,
    /// Longitude of the point to search near (WGS 84); with `lat`.
    lon: Option<f64>,
    /// Distance from the point in kilometres, more than 0 and at most 100 (default 5).
    #[param(minimum = 0, maximum = 100, example = 3)]
    radius_km: Option<f64>,
    /// Map viewport instead of a point: `minLon,minLat,maxLon,maxLat`.
    #[param(example = "-2.40,53.40,-2.25,53.48")]
    bbox: Option<String>,
    /// Words to look for in titles, descriptions, organisation and venue names and interests
    /// (English stemming; close misspellings such as "fotball" still match).
    q: Option<String>,
    /// An interest term (id, slug, label or synonym); matches the term and every narrower one,
    /// so `sport` finds football. Repeat for any of several.
    #[param(style = Form, explode, example = json!(["sport"]))]
    interest: Option<Vec<String>>,
    /// `group`, `volunteering`, `course` or `activity`; repeat for any of several.
    #[param(style = Form, explode)]
    kind: Option<Vec<String>>,
    /// Only free (`true`) or only paid (`false`) assets.
    free: Option<bool>,
    /// Most a session may cost, in pence; free assets always pass.
    #[param(minimum = 0, maximum = 100000)]
    max_cost_pence: Option<i32>,
    /// With `max_cost_pence`: compare the concession price where there is one.
    concessions: Option<bool>,
    /// `mon` … `sun`: has a session on that day; repeat for any of several.
    #[param(style = Form, explode)]
    day: Option<Vec<String>>,
    /// Has a session that ends after this local time (`HH:MM`).
    #[param(example = "18:00")]
    from: Option<String>,
    /// Has a session that starts before this local time (`HH:MM`).
    #[param(example = "21:00")]
    to: Option<String>,
    /// Open to someone of this age in years.
    #[param(minimum = 0, maximum = 120)]
    age: Option<i16>,
    /// An accessibility feature the venue must have; repeat to require several.
    #[param(style = Form, explode)]
    access: Option<Vec<String>>,
    /// Only assets in mainstream, non-stigmatised settings.
    non_stigmatised: Option<bool>,
    /// Only this organisation's assets.
    organization_id: Option<Uuid>,
    /// Only assets changed since this date or date-time.
    updated_since: Option<String>,
    /// Only assets whose provider confirmed them within this many days.
    #[param(minimum = 1, maximum = 3650)]
    confirmed_within_days: Option<i32>,
    /// With a location: also return online-only assets, after the located ones.
    include_online: Option<bool>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page, with the same filters.
    cursor: Option<String>,
    /// `json` (default) or `geojson`; `Accept: application/geo+json` also selects GeoJSON.
    format: Option<String>,
}

/// One result: the asset, and how far it is when the search had a location.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub asset: AssetView,
    /// Distance from the search point in kilometres (great-circle), when searching near a point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Where the `postcode` was placed, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Geocoded>,
    /// The terms the `interest` values were resolved to (each also matches its narrower terms).
    pub interests: Vec<InterestRef>,
}

/// An RFC 7946 Feature: one asset at its venue (a Point), across its service area (a
/// MultiPolygon), or with no geometry when online only.
#[derive(Serialize, ToSchema)]
pub struct Feature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub id: Uuid,
    /// GeoJSON geometry in longitude, latitude order.
    #[schema(value_type = Option<Object>)]
    pub geometry: Option<Value>,
    /// Flat properties, so that desktop GIS shows them as columns.
    #[schema(value_type = Object)]
    pub properties: Value,
}

/// An RFC 7946 FeatureCollection, loadable as is by Leaflet, MapLibre and QGIS.
#[derive(Serialize, ToSchema)]
pub struct FeatureCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<Feature>,
    /// Pass as `cursor` for the next page (a foreign member, ignored by map libraries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn km(hit: &Hit) -> Option<f64> {
    hit.distance_m.map(|m| (m / 10.0).round() / 100.0)
}

fn feature(hit: Hit) -> Feature {
    let distance_km = km(&hit);
    let view = AssetView::from(hit.record);
    let geometry = match (
        view.venue.as_ref().and_then(|v| v.location),
        &view.service_area,
    ) {
        (Some(p), _) => {
            Some(json!({"type": "Point", "coordinates": [round6(p.lon), round6(p.lat)]}))
        }
        (None, Some(area)) => Some(area.clone()),
        (None, None) => None,
    };
    let properties = json!({
        "title": view.title,
        "kind": view.kind,
        "organization": view.organization.name,
        "venue": view.venue.as_ref().map(|v| v.name.clone()),
        "postcode": view.venue.as_ref().and_then(|v| v.postcode.clone()),
        "venue_type": view.venue.as_ref().map(|v| v.venue_type),
        "non_stigmatised": view.venue.as_ref().map(|v| v.non_stigmatised),
        "online": view.online,
        "interests": view.interests.iter().map(|i| i.label.as_str()).collect::<Vec<_>>().join(", "),
        "free": view.cost.free,
        "cost_pence": view.cost.amount_pence,
        "concession_pence": view.cost.concession_pence,
        "distance_km": distance_km,
        "url": format!("/v1/assets/{}", view.id),
    });
    Feature {
        kind: "Feature",
        id: view.id,
        geometry,
        properties,
    }
}

fn wants_geojson(req: &HttpRequest, format: Format) -> bool {
    format == Format::GeoJson
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("application/geo+json"))
}

fn next_link(req: &HttpRequest, pairs: &[(String, String)], cursor: &str) -> String {
    let mut next: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    next.push(("cursor", cursor));
    let query = serde_urlencoded::to_string(&next).unwrap_or_default();
    format!("<{}?{query}>; rel=\"next\"", req.path())
}

/// Search the published directory: near a postcode or point, within a map box, by words,
/// interests, kind, cost, day and time, age, accessibility and setting. Ordered by distance when
/// searching near a point, else by relevance when `q` is given, else by title; ties by id. Pages
/// follow `next_cursor` (also in a `Link: rel="next"` header) without gaps or repeats.
#[utoipa::path(
    operation_id = "searchAssets",
    tag = "assets",
    params(SearchQueryDoc),
    responses(
        (status = 200, description = "A page of results, as JSON or as GeoJSON.",
            content(
                (SearchResults = "application/json"),
                (FeatureCollection = "application/geo+json")
            ),
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 422, description = "A parameter is invalid (each one named), an interest is unknown (with suggestions), or a postcode cannot be placed.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/assets")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    geocoder: web::Data<Geocoder>,
    interests: web::Data<InterestCache>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let pairs = query.into_inner();
    let params = search_params::parse(&pairs)?;
    let page = service::search(&pool, &geocoder, &interests, &params).await?;
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        response.insert_header((header::LINK, next_link(&req, &pairs, cursor)));
    }
    if wants_geojson(&req, params.format) {
        let collection = FeatureCollection {
            kind: "FeatureCollection",
            features: page.hits.into_iter().map(feature).collect(),
            next_cursor: page.next_cursor,
        };
        return Ok(response
            .content_type("application/geo+json")
            .json(collection));
    }
    Ok(response.json(SearchResults {
        items: page
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                distance_km: km(&hit),
                asset: AssetView::from(hit.record),
            })
            .collect(),
        next_cursor: page.next_cursor,
        location: page.located,
        interests: page.interests.into_iter().map(InterestRef::from).collect(),
    }))
}
