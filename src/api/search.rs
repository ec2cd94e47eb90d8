//! `GET /v1/assets`: the directory search, as JSON or as GeoJSON for maps.

use crate::domain::audience::{AudienceGroup, GenderRule};
use crate::domain::freshness::FreshnessPolicy;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::base_url;
use super::negotiate::negotiate;
use super::paging::link_next;
use super::problems::Common;
use super::views::{AssetView, InterestRef};
use crate::api::reads::Reads;
use crate::db::search::Hit;
use crate::domain::asset::AssetKind;
use crate::domain::geometry::shown_km;
use crate::domain::schedule::Weekday;
use crate::domain::search as search_params;
use crate::domain::venue::{AccessibilityFeature, VenueType};
use crate::error::{ApiError, Problem};
use crate::geocoder::{Geocoded, Geocoder};
use crate::services::search::{self as service, InterestCache};

const JSON: &str = "application/json";
const GEO_JSON: &str = "application/geo+json";

/// Search parameters. All filters combine with AND; repeated `interest`, `kind` and `day` values
/// combine with OR, repeated `access` values with AND.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchQueryDoc {
    /// Search near this postcode, sector or district (instead of `lat`/`lon`), in any spacing
    /// or case; left empty, it is not set.
    #[param(
        example = "M32 0JG",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z]([0-9][A-Za-z0-9]{0,2}|[A-Za-z][0-9][A-Za-z0-9]?)([\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+[0-9]|[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9][A-Za-z]{2})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    postcode: Option<String>,
    /// Latitude of the point to search near, in decimal degrees (WGS 84), e.g. `53.4557`; with
    /// `lon`, instead of `postcode`.
    #[param(minimum = -90, maximum = 90)]
    lat: Option<f64>,
    /// Longitude of the point to search near, in decimal degrees (WGS 84), e.g. `-2.3028`; with
    /// `lat`, instead of `postcode`.
    #[param(minimum = -180, maximum = 180)]
    lon: Option<f64>,
    /// Distance from the point in kilometres, more than 0 and at most 100 (default 5), e.g.
    /// `3`; needs a point (`postcode`, or `lat` and `lon`).
    #[param(exclusive_minimum = 0, maximum = 100)]
    radius_km: Option<f64>,
    /// Map viewport: `minLon,minLat,maxLon,maxLat` in decimal degrees (WGS 84), e.g.
    /// `-2.40,53.40,-2.25,53.48`. Alone, finds
    /// what lies in the box; with a point, what lies both in the box and within `radius_km`.
    #[param(pattern = r"^ *-?[0-9]+(\.[0-9]+)? *(, *-?[0-9]+(\.[0-9]+)? *){3}$")]
    bbox: Option<String>,
    /// Words to look for in titles, descriptions, organisation and venue names and interests
    /// (English stemming; close misspellings such as "fotball" still match), e.g. `football`;
    /// at most 200 characters.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    q: Option<String>,
    /// An interest term (id, slug, label or synonym); matches the term and every narrower one,
    /// so `sport` finds football and `football` finds walking football. Repeat for any of
    /// several (at most 20, each at most 100 characters).
    #[param(style = Form, explode, max_items = 20)]
    interest: Option<Vec<String>>,
    /// `group`, `volunteering`, `course` or `activity`, e.g. `activity`; repeat for any of
    /// several.
    #[param(style = Form, explode)]
    kind: Option<Vec<AssetKind>>,
    /// Only free (`true`) or only paid (`false`) assets, e.g. `true`; assets that do not state
    /// a cost are left out either way.
    free: Option<bool>,
    /// Most a session may cost, in pence (GBP), 0 to 100,000, e.g. `300` for £3; free assets
    /// always pass, assets that do not state a cost never do.
    #[param(minimum = 0, maximum = 100000)]
    max_cost_pence: Option<i32>,
    /// With `max_cost_pence`: compare the concession price where there is one, e.g. `true`
    /// (default `false`).
    concessions: Option<bool>,
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`: has a session on that day, e.g.
    /// `tue`; repeat for any of several.
    #[param(style = Form, explode)]
    day: Option<Vec<Weekday>>,
    /// Has a session that ends after this time, `HH:MM` (24-hour, UK local time), e.g. `18:00`.
    #[param(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    from: Option<String>,
    /// Has a session that starts before this time, `HH:MM` (24-hour, UK local time), e.g.
    /// `21:00`; later than `from`.
    #[param(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    to: Option<String>,
    /// Open to someone of this age in years, 0 to 120, e.g. `34`.
    #[param(minimum = 0, maximum = 120)]
    age: Option<i16>,
    /// An accessibility feature the venue must have (one of the `AccessibilityFeature` values),
    /// e.g. `wheelchair_accessible`; repeat to require several.
    #[param(style = Form, explode)]
    access: Option<Vec<AccessibilityFeature>>,
    /// `true`: only assets in mainstream, non-stigmatised settings (online-only assets count as
    /// such); `false`: only assets in settings marked as not mainstream (by default, health
    /// settings and mental-health services).
    non_stigmatised: Option<bool>,
    /// Who may come by gender: `mixed`, `women_only` or `men_only`, e.g. `women_only`; repeat
    /// for any of several.
    #[param(style = Form, explode)]
    gender: Option<Vec<GenderRule>>,
    /// Made for one of these groups (`older_people`, `carers`, `pregnant_postnatal`…), e.g.
    /// `carers`; repeat for any of several.
    #[param(style = Form, explode)]
    audience: Option<Vec<AudienceGroup>>,
    /// Only referral-only assets (`true`) or only those open without referral (`false`).
    referral_only: Option<bool>,
    /// Only this organisation's assets (uuid), e.g. `5c84aa9b-f65e-5003-aacf-1580197b5ebf`.
    organization_id: Option<Uuid>,
    /// Only assets changed since this ISO 8601 date (`2026-01-31`, from midnight UTC) or RFC
    /// 3339 date-time (`2026-01-31T09:00:00Z`).
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only assets whose provider confirmed them within this many days, 1 to 3,650, e.g. `365`;
    /// assets never confirmed are left out.
    #[param(minimum = 1, maximum = 3650)]
    confirmed_within_days: Option<i32>,
    /// With a location: also return online-only assets, after the located ones, e.g. `true`
    /// (default `false`).
    include_online: Option<bool>,
    /// Also return assets not confirmed (or, never confirmed, listed) for longer than the
    /// service's hiding threshold (18 months by default), which default searches leave out:
    /// they have probably stopped. They are never deleted (default `false`).
    include_stale: Option<bool>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page, with the same filters: an opaque string such as
    /// `eyJvIjoiZCIsIm4iOjExMTguMzQ1…` (copy it whole).
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
}

/// One result: the asset, and how far it is when the search had a location.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub asset: AssetView,
    /// Distance from the search point in kilometres, on the sphere, to 2 decimal places, when
    /// searching near a point; `radius_km` keeps exactly what is shown within it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1.05)]
    pub distance_km: Option<f64>,
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// The assets on this page, in the search's order.
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "eyJvIjoiZCIsIm4iOjExMTguMzQ1MTc4OTkxODA1MSwiaWQiOiI4NzYwOTgzZi1iYmE1LTU0YjEtYWZjOC1kZDlmMDcxZjliODUiLCJxIjoiMzIyNzg3OTZkZWU0ZTc1ZSJ9"
    )]
    pub next_cursor: Option<String>,
    /// Where the `postcode` was placed, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Geocoded>,
    /// The terms the `interest` values were resolved to (each also matches its narrower terms).
    pub interests: Vec<InterestRef>,
}

/// A GeoJSON geometry (RFC 7946), longitude before latitude (WGS 84).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(tag = "type")]
pub enum Geometry {
    /// Where the asset's venue is.
    Point {
        /// `[longitude, latitude]`, 6 decimal places.
        #[schema(min_items = 2, max_items = 2, example = json!([-2.306966, 53.446493]))]
        coordinates: Vec<f64>,
    },
    /// The area an asset without a venue serves: polygons of rings of `[longitude, latitude]`
    /// positions, outer rings anticlockwise.
    MultiPolygon {
        /// Polygons, each a list of rings (the outer ring, then any holes), each a closed
        /// list of `[longitude, latitude]` positions.
        coordinates: Vec<Vec<Vec<Vec<f64>>>>,
    },
}

/// What a map shows about an asset: flat values, so that desktop GIS shows them as columns.
#[derive(Serialize, ToSchema)]
pub struct FeatureProperties {
    /// The asset's title.
    #[schema(example = "Community choir – no auditions")]
    pub title: String,
    pub kind: AssetKind,
    /// The organisation that runs it.
    #[schema(example = "Example listings (illustrative, not a real provider)")]
    pub organization: String,
    /// The venue's name; `null` for an asset without a venue.
    #[schema(example = "Stretford Public Hall")]
    pub venue: Option<String>,
    /// The venue's postcode.
    #[schema(example = "M32 0LG")]
    pub postcode: Option<String>,
    /// What kind of place the venue is.
    pub venue_type: Option<VenueType>,
    /// Whether the venue is a mainstream, non-stigmatised setting.
    pub non_stigmatised: Option<bool>,
    /// Whether it (also) happens online.
    pub online: bool,
    /// Interest labels joined with `, `.
    #[schema(example = "Choir")]
    pub interests: String,
    /// `true` free, `false` paid, `null` not stated.
    pub free: Option<bool>,
    /// Full price per session in pence (GBP).
    #[schema(example = 400)]
    pub cost_pence: Option<i32>,
    /// Concession price per session in pence (GBP).
    #[schema(example = 200)]
    pub concession_pence: Option<i32>,
    /// Distance from the search point in kilometres (on the sphere, 2 decimal places), when
    /// searching near a point.
    #[schema(example = 1.05)]
    pub distance_km: Option<f64>,
    /// The asset's absolute URL in this API (`GET` it for everything).
    #[schema(
        example = "https://assets.example.org/v1/assets/1d414c25-1be3-56d5-9e0a-e58e5be99bf3"
    )]
    pub url: String,
    /// The credit a harvested listing's licence asks for (show it on the map); `null` for
    /// listings not made from openly licensed data.
    #[schema(example = json!(null))]
    pub attribution: Option<String>,
    /// The licence of the data the listing was made from (a URL); `null` as `attribution`.
    #[schema(example = json!(null))]
    pub licence: Option<String>,
}

/// An RFC 7946 Feature: one asset at its venue (a Point), across its service area (a
/// MultiPolygon), or with no geometry when online only.
#[derive(Serialize, ToSchema)]
pub struct Feature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: FeatureType,
    /// The asset's id (uuid).
    #[schema(example = "1d414c25-1be3-56d5-9e0a-e58e5be99bf3")]
    pub id: Uuid,
    /// `null` when the asset is online only.
    pub geometry: Option<Geometry>,
    pub properties: FeatureProperties,
}

/// Always `Feature`.
#[derive(Serialize, ToSchema)]
pub enum FeatureType {
    Feature,
}

/// Always `FeatureCollection`.
#[derive(Serialize, ToSchema)]
pub enum FeatureCollectionType {
    FeatureCollection,
}

/// An RFC 7946 FeatureCollection, loadable as is by Leaflet, MapLibre, GDAL and QGIS.
#[derive(Serialize, ToSchema)]
pub struct FeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: FeatureCollectionType,
    /// One Feature per asset on this page, in the search's order.
    pub features: Vec<Feature>,
    /// Pass as `cursor` for the next page (a foreign member, ignored by map libraries).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "eyJvIjoiZCIsIm4iOjExMTguMzQ1MTc4OTkxODA1MSwiaWQiOiI4NzYwOTgzZi1iYmE1LTU0YjEtYWZjOC1kZDlmMDcxZjliODUiLCJxIjoiMzIyNzg3OTZkZWU0ZTc1ZSJ9"
    )]
    pub next_cursor: Option<String>,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn km(hit: &Hit) -> Option<f64> {
    hit.distance_m.map(shown_km)
}

pub(crate) fn feature(hit: Hit, policy: &FreshnessPolicy, base: &str) -> Feature {
    let distance_km = km(&hit);
    let view = AssetView::new(hit.record, policy);
    let geometry = match (
        view.venue.as_ref().and_then(|v| v.location),
        &view.service_area,
    ) {
        (Some(p), _) => Some(Geometry::Point {
            coordinates: vec![round6(p.lon), round6(p.lat)],
        }),
        (None, Some(area)) => serde_json::from_value(area.clone()).ok(),
        (None, None) => None,
    };
    let venue = view.venue.as_ref();
    let properties = FeatureProperties {
        title: view.title,
        kind: view.kind,
        organization: view.organization.name,
        venue: venue.map(|v| v.name.clone()),
        postcode: venue.and_then(|v| v.postcode.clone()),
        venue_type: venue.map(|v| v.venue_type),
        non_stigmatised: venue.map(|v| v.non_stigmatised),
        online: view.online,
        interests: view
            .interests
            .iter()
            .map(|i| i.label.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        free: view.cost.free,
        cost_pence: view.cost.amount_pence,
        concession_pence: view.cost.concession_pence,
        distance_km,
        url: format!("{base}/v1/assets/{}", view.id),
        attribution: view.attribution.as_ref().map(|a| a.text.clone()),
        licence: view.attribution.as_ref().map(|a| a.licence.clone()),
    };
    Feature {
        kind: FeatureType::Feature,
        id: view.id,
        geometry,
        properties,
    }
}

/// Runs the search the query asks for. The response begun carries `Vary: Accept` and the next
/// page's `Link`.
async fn searched(
    req: &HttpRequest,
    pool: &crate::db::DbPool,
    geocoder: &Geocoder,
    interests: &InterestCache,
    freshness: &FreshnessPolicy,
    query: &[(String, String)],
) -> Result<(service::Page, actix_web::HttpResponseBuilder), ApiError> {
    let params = search_params::parse(query)?;
    let page = service::search(pool, geocoder, interests, &params, freshness).await?;
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    link_next(&mut response, req, page.next_cursor.as_deref());
    Ok((page, response))
}

/// Search the published directory
///
/// Near a postcode or point, within a map box, by words, interests, kind, cost, day and time,
/// age, accessibility and setting; every filter is optional. Ordered by distance when searching
/// near a point, else by relevance when `q` is given, else by title; ties by id. Pages follow
/// `next_cursor` (also in a `Link: rel="next"` header) without gaps or repeats. The same search
/// as GeoJSON, for maps, is `GET /v1/assets.geojson`. Needs no key.
///
/// Only `postcode` and `limit` carry examples, so "Try it out" in the reference page searches
/// near Stretford with no filter; each filter's description gives a value to try.
#[utoipa::path(
    operation_id = "searchAssets",
    tag = "assets",
    params(SearchQueryDoc),
    responses(
        (status = 200, description = "A page of results.", body = SearchResults,
            headers(
                ("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"),
                ("Vary" = String, description = "`Accept`: the answer depends on it"),
            )),
        (status = 406, description = "`Accept` allows no `application/json` (GeoJSON is `GET /v1/assets.geojson`).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid (each one named), an interest is unknown (with suggestions), or a postcode cannot be placed.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/assets")]
pub async fn list(
    req: HttpRequest,
    Reads(pool): Reads,
    geocoder: web::Data<Geocoder>,
    interests: web::Data<InterestCache>,
    freshness: web::Data<FreshnessPolicy>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    negotiate(&req, &[JSON], "; GeoJSON is GET /v1/assets.geojson")?;
    let (page, mut response) =
        searched(&req, &pool, &geocoder, &interests, &freshness, &query).await?;
    Ok(response.json(SearchResults {
        items: page
            .hits
            .into_iter()
            .map(|hit| SearchHit {
                distance_km: km(&hit),
                asset: AssetView::new(hit.record, &freshness),
            })
            .collect(),
        next_cursor: page.next_cursor,
        location: page.located,
        interests: page.interests.into_iter().map(InterestRef::from).collect(),
    }))
}

/// Search the published directory, as GeoJSON
///
/// The same search, filters, order and paging as `GET /v1/assets`, answered as an RFC 7946
/// FeatureCollection for maps (Leaflet, MapLibre, GDAL/OGR, QGIS): one Feature per asset,
/// flat properties, and each asset's absolute URL. Needs no key.
#[utoipa::path(
    operation_id = "searchAssetsGeoJson",
    tag = "assets",
    params(SearchQueryDoc),
    responses(
        (status = 200, description = "A page of results as a FeatureCollection.",
            content((FeatureCollection = "application/geo+json")),
            headers(
                ("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"),
                ("Vary" = String, description = "`Accept`: the answer depends on it"),
            )),
        (status = 406, description = "`Accept` allows neither `application/geo+json` nor `application/json`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid (each one named), an interest is unknown (with suggestions), or a postcode cannot be placed.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/assets.geojson")]
pub async fn features(
    req: HttpRequest,
    Reads(pool): Reads,
    geocoder: web::Data<Geocoder>,
    interests: web::Data<InterestCache>,
    freshness: web::Data<FreshnessPolicy>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    // GeoJSON is JSON: a client that asks only for `application/json` still gets it.
    negotiate(&req, &[GEO_JSON, JSON], "")?;
    let (page, mut response) =
        searched(&req, &pool, &geocoder, &interests, &freshness, &query).await?;
    let base = base_url(&req);
    let collection = FeatureCollection {
        kind: FeatureCollectionType::FeatureCollection,
        features: page
            .hits
            .into_iter()
            .map(|hit| feature(hit, &freshness, &base))
            .collect(),
        next_cursor: page.next_cursor,
    };
    Ok(response.content_type(GEO_JSON).json(collection))
}
