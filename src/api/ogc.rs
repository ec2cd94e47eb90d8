//! The published directory as an OGC API – Features service (Part 1: Core, GeoJSON) under
//! `/ogc`, so that GIS clients read it with no code: QGIS ("Add WFS / OGC API – Features
//! layer"), GDAL/OGR (`OAPIF:https://…/ogc`), pygeoapi and Leaflet plugins. One collection,
//! `assets`; its items are the search's GeoJSON features, paged by the search's cursor. As the
//! standard asks, a bad parameter here is a 400 (not the 422 of `/v1`).

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::base_url;
use super::query_params::QueryParams;
use super::reads::Reads;
use super::search::{Feature, feature};
use crate::auth::Caller;
use crate::db::search::Hit;
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::search as search_params;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::services::search::{self as service, InterestCache};

const COLLECTION: &str = "assets";
const GEO_JSON: &str = "application/geo+json";
const JSON: &str = "application/json";
const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// The search's largest page; a larger `limit` is served as this many, with a `next` link.
const MAX_LIMIT: i64 = 100;
const DEFAULT_LIMIT: i64 = 10;
/// Great Britain, Northern Ireland and the Channel Islands, longitude and latitude.
const UK_BBOX: [f64; 4] = [-8.65, 49.86, 1.77, 60.86];

/// A link, as OGC API documents carry them.
#[derive(Serialize, ToSchema)]
pub struct OgcLink {
    /// Absolute URL.
    #[schema(example = "https://assets.example.org/ogc/collections/assets/items")]
    pub href: String,
    /// How the target relates to this document (`self`, `next`, `items`, `conformance`…).
    #[schema(example = "items")]
    pub rel: String,
    /// The target's media type.
    #[serde(rename = "type")]
    #[schema(example = "application/geo+json")]
    pub media_type: String,
    /// What the target is, in words.
    pub title: String,
}

/// The service's landing page.
#[derive(Serialize, ToSchema)]
pub struct OgcLandingPage {
    /// The service's name.
    pub title: String,
    /// What it serves.
    pub description: String,
    /// The API definition, its documentation, the conformance declaration and the collections.
    pub links: Vec<OgcLink>,
}

/// The conformance classes the service implements.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OgcConformance {
    /// OGC conformance class URIs.
    pub conforms_to: Vec<String>,
}

/// Where a collection's features lie.
#[derive(Serialize, ToSchema)]
pub struct OgcSpatialExtent {
    /// One box, `[minLon, minLat, maxLon, maxLat]`.
    pub bbox: Vec<Vec<f64>>,
    /// The box's coordinate reference system (CRS84: longitude, latitude, WGS 84).
    pub crs: String,
}

/// A collection's extent.
#[derive(Serialize, ToSchema)]
pub struct OgcExtent {
    /// Where its features lie.
    pub spatial: OgcSpatialExtent,
}

/// A collection of features.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OgcCollection {
    /// The collection's id: `assets`.
    #[schema(example = "assets")]
    pub id: String,
    /// Its name.
    pub title: String,
    /// What it holds.
    pub description: String,
    /// Where its features lie.
    pub extent: OgcExtent,
    /// Always `feature`.
    pub item_type: String,
    /// The coordinate reference systems its features come in (CRS84 only).
    pub crs: Vec<String>,
    /// The collection itself and its items.
    pub links: Vec<OgcLink>,
}

/// The collections the service offers.
#[derive(Serialize, ToSchema)]
pub struct OgcCollections {
    /// This document.
    pub links: Vec<OgcLink>,
    /// One: `assets`.
    pub collections: Vec<OgcCollection>,
}

/// A page of features (a GeoJSON FeatureCollection with the OGC members).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OgcFeatureCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: super::search::FeatureCollectionType,
    /// The features of this page, in the search's order.
    pub features: Vec<Feature>,
    /// How many features this page holds.
    pub number_returned: usize,
    /// When the page was made (RFC 3339, UTC).
    pub time_stamp: DateTime<Utc>,
    /// `self`, the collection, and `next` when there is a next page.
    pub links: Vec<OgcLink>,
}

/// One feature with its links.
#[derive(Serialize, ToSchema)]
pub struct OgcFeature {
    #[serde(flatten)]
    pub feature: Feature,
    /// `self` and the collection.
    pub links: Vec<OgcLink>,
}

/// The items' query parameters (OGC API – Features Core).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ItemsParams {
    /// Only features in this box: `minLon,minLat,maxLon,maxLat` (CRS84), e.g.
    /// `-2.40,53.40,-2.25,53.48`.
    #[param(pattern = r"^ *-?[0-9]+(\.[0-9]+)? *(, *-?[0-9]+(\.[0-9]+)? *){3}$")]
    bbox: Option<String>,
    /// Features per page, 1 to 10,000 (default 10); at most 100 are served per page, with a
    /// `next` link for the rest.
    #[param(minimum = 1, maximum = 10000, example = 10)]
    limit: Option<i64>,
    /// The position a `next` link carries: follow the link rather than building it.
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> OgcLink {
    OgcLink {
        href,
        rel: rel.into(),
        media_type: media_type.into(),
        title: title.into(),
    }
}

/// The standard's parameter errors are 400s.
fn bad(error: ApiError) -> ApiError {
    match error {
        ApiError::Validation(errors) => ApiError::bad_request_fields(errors),
        other => other,
    }
}

fn collection(base: &str) -> OgcCollection {
    OgcCollection {
        id: COLLECTION.into(),
        title: "Community assets".into(),
        description: "Published groups, volunteering, courses and activities in mainstream places, each at its venue (a point), across the area it serves (polygons), or with no geometry when online only.".into(),
        extent: OgcExtent {
            spatial: OgcSpatialExtent {
                bbox: vec![UK_BBOX.to_vec()],
                crs: CRS84.into(),
            },
        },
        item_type: "feature".into(),
        crs: vec![CRS84.into()],
        links: vec![
            link(format!("{base}/ogc/collections/{COLLECTION}"), "self", JSON, "This collection"),
            link(format!("{base}/ogc/collections/{COLLECTION}/items"), "items", GEO_JSON, "Its features"),
        ],
    }
}

/// OGC API – Features: landing page
///
/// What the service is and where everything is: its API definition (`/openapi.json`), the
/// conformance declaration and the collections. Give this URL to a GIS client
/// (`OAPIF:https://<host>/ogc` in GDAL, or QGIS's OGC API – Features source).
#[utoipa::path(
    operation_id = "ogcLandingPage",
    tag = "ogc",
    responses((status = 200, description = "The landing page.", body = OgcLandingPage))
)]
#[get("")]
pub async fn landing(req: HttpRequest) -> HttpResponse {
    let base = base_url(&req);
    HttpResponse::Ok().json(OgcLandingPage {
        title: "community-assets".into(),
        description: "The community asset directory's published listings as OGC API – Features (Core, GeoJSON).".into(),
        links: vec![
            link(format!("{base}/ogc"), "self", JSON, "This document"),
            link(format!("{base}/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.1", "The API definition"),
            link(format!("{base}/docs/"), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/ogc/conformance"), "conformance", JSON, "The conformance classes implemented"),
            link(format!("{base}/ogc/collections"), "data", JSON, "The collections"),
        ],
    })
}

/// OGC API – Features: conformance
///
/// The conformance classes the service implements: Part 1 Core and GeoJSON.
#[utoipa::path(
    operation_id = "ogcConformance",
    tag = "ogc",
    responses((status = 200, description = "The conformance declaration.", body = OgcConformance))
)]
#[get("/conformance")]
pub async fn conformance() -> HttpResponse {
    HttpResponse::Ok().json(OgcConformance {
        conforms_to: vec![
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core".into(),
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson".into(),
        ],
    })
}

/// OGC API – Features: collections
///
/// The one collection, `assets`, with its extent and links.
#[utoipa::path(
    operation_id = "ogcCollections",
    tag = "ogc",
    responses((status = 200, description = "The collections.", body = OgcCollections))
)]
#[get("/collections")]
pub async fn collections(req: HttpRequest) -> HttpResponse {
    let base = base_url(&req);
    HttpResponse::Ok().json(OgcCollections {
        links: vec![link(
            format!("{base}/ogc/collections"),
            "self",
            JSON,
            "This document",
        )],
        collections: vec![collection(&base)],
    })
}

/// OGC API – Features: a collection
///
/// The `assets` collection: its extent, coordinate reference system and links.
#[utoipa::path(
    operation_id = "ogcCollection",
    tag = "ogc",
    params(("collectionId" = String, Path, description = "The collection's id: `assets`.", example = "assets")),
    responses(
        (status = 200, description = "The collection.", body = OgcCollection),
        (status = 404, description = "No collection has this id.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}")]
pub async fn one_collection(
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    known(&id)?;
    Ok(HttpResponse::Ok().json(collection(&base_url(&req))))
}

fn known(collection: &str) -> Result<(), ApiError> {
    if collection == COLLECTION {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "there is no collection {collection}; the one collection is {COLLECTION}"
        )))
    }
}

/// OGC API – Features: the features of a collection
///
/// Published assets as GeoJSON features, in a box (`bbox`) or everywhere, ordered by title; a
/// page holds at most 100, and a `next` link leads to the following page.
#[utoipa::path(
    operation_id = "ogcItems",
    tag = "ogc",
    params(
        ("collectionId" = String, Path, description = "The collection's id: `assets`.", example = "assets"),
        ItemsParams,
    ),
    responses(
        (status = 200, description = "A page of features.", body = OgcFeatureCollection, content_type = "application/geo+json"),
        (status = 400, description = "A parameter is invalid (each one named), as OGC API – Features asks.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No collection has this id.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/items")]
pub async fn items(
    req: HttpRequest,
    Reads(pool): Reads,
    geocoder: web::Data<Geocoder>,
    interests: web::Data<InterestCache>,
    freshness: web::Data<FreshnessPolicy>,
    id: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    known(&id)?;
    let mut params = QueryParams::new(&query);
    let bbox = params.text("bbox", 200);
    if bbox.is_none() && query.iter().any(|(k, _)| k == "bbox") {
        params
            .errors
            .add("bbox", "must be minLon,minLat,maxLon,maxLat, not empty");
    }
    let limit = params.int("limit", 1, 10_000).unwrap_or(DEFAULT_LIMIT);
    let cursor = params.text("cursor", 500);
    params.finish(()).map_err(bad)?;
    let mut pairs = vec![("limit".to_string(), limit.min(MAX_LIMIT).to_string())];
    pairs.extend(bbox.clone().map(|b| ("bbox".to_string(), b)));
    pairs.extend(cursor.map(|c| ("cursor".to_string(), c)));
    let search = search_params::parse(&pairs).map_err(|e| bad(e.into()))?;
    let page = service::search(&pool, &geocoder, &interests, &search, &freshness)
        .await
        .map_err(bad)?;
    let base = base_url(&req);
    let items = format!("{base}/ogc/collections/{COLLECTION}/items");
    let here = match req.query_string() {
        "" => items.clone(),
        q => format!("{items}?{q}"),
    };
    let mut links = vec![
        link(here, "self", GEO_JSON, "This page"),
        link(
            format!("{base}/ogc/collections/{COLLECTION}"),
            "collection",
            JSON,
            "The collection",
        ),
    ];
    if let Some(next) = &page.next_cursor {
        let mut query = vec![("limit", limit.to_string())];
        query.extend(bbox.map(|b| ("bbox", b)));
        query.push(("cursor", next.clone()));
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        links.push(link(
            format!("{items}?{query}"),
            "next",
            GEO_JSON,
            "The next page",
        ));
    }
    let features: Vec<Feature> = page
        .hits
        .into_iter()
        .map(|hit| feature(hit, &freshness, &base))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(GEO_JSON)
        .json(OgcFeatureCollection {
            kind: super::search::FeatureCollectionType::FeatureCollection,
            number_returned: features.len(),
            features,
            time_stamp: Utc::now(),
            links,
        }))
}

/// OGC API – Features: one feature
///
/// One published asset as a GeoJSON feature. An archived one is 410; one not published, 404.
#[utoipa::path(
    operation_id = "ogcItem",
    tag = "ogc",
    params(
        ("collectionId" = String, Path, description = "The collection's id: `assets`.", example = "assets"),
        ("featureId" = Uuid, Path, description = "The asset's id (uuid)."),
    ),
    responses(
        (status = 200, description = "The feature.", body = OgcFeature, content_type = "application/geo+json"),
        (status = 400, description = "The feature id is not a UUID.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No collection or published asset has this id.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The asset was archived.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/items/{featureId}")]
pub async fn item(
    req: HttpRequest,
    Reads(pool): Reads,
    freshness: web::Data<FreshnessPolicy>,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (collection, feature_id) = path.into_inner();
    known(&collection)?;
    QueryParams::new(&query).finish(()).map_err(bad)?;
    let id: Uuid = feature_id.parse().map_err(|_| {
        ApiError::bad_request(
            "featureId",
            "must be a UUID, such as 5a8c5b38-72e0-5099-b654-1be90fec86ab",
        )
    })?;
    // As the public sees it: the feature collection is the published directory.
    let state = crate::services::assets::get(&pool, &Caller::Anonymous, id).await?;
    let base = base_url(&req);
    let hit = Hit {
        record: state.record,
        distance_m: None,
        distance_mm: None,
        score: None,
    };
    Ok(HttpResponse::Ok().content_type(GEO_JSON).json(OgcFeature {
        feature: feature(hit, &freshness, &base),
        links: vec![
            link(
                format!("{base}/ogc/collections/{COLLECTION}/items/{id}"),
                "self",
                GEO_JSON,
                "This feature",
            ),
            link(
                format!("{base}/ogc/collections/{COLLECTION}"),
                "collection",
                JSON,
                "The collection",
            ),
        ],
    }))
}
