//! The Open Referral UK 3.0 feed under `/oruk`: public, read-only, open to any origin. Its
//! base URL is `…/oruk`; the ORUK validator and other directories' importers read it.

use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa::IntoParams;
use uuid::Uuid;

use super::query_params::QueryParams;
use crate::api::reads::Reads;
use crate::db::DbPool;
use crate::db::oruk::ServiceFilter;
use crate::domain::geometry::LatLon;
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::oruk::model::*;
use crate::oruk::publish;
use crate::services::oruk_feed::{self, Detail, Paging, TermQuery};

pub const MAX_PER_PAGE: i64 = 500;
const DEFAULT_PER_PAGE: i64 = 50;
const DEFAULT_PROXIMITY_M: f64 = 5000.0;

type Pairs = web::Query<Vec<(String, String)>>;

/// The list endpoints' paging, and their `format` (ORUK 3.0): only `json` is served, so a
/// client that asks for it by name is answered and one that asks for `ndjson` is told.
fn paging(params: &mut QueryParams) -> Paging {
    params.choice("format", &[("json", ())], "json (the only format served)");
    Paging {
        page: params.int("page", 1, 1_000_000).unwrap_or(1),
        per_page: params
            .int("per_page", 1, MAX_PER_PAGE)
            .unwrap_or(DEFAULT_PER_PAGE),
    }
}

/// A day as an RRULE code, a three-letter abbreviation or a full name, in any case.
const DAYS: [(&str, i16); 21] = [
    ("MO", 1),
    ("Mon", 1),
    ("Monday", 1),
    ("TU", 2),
    ("Tue", 2),
    ("Tuesday", 2),
    ("WE", 3),
    ("Wed", 3),
    ("Wednesday", 3),
    ("TH", 4),
    ("Thu", 4),
    ("Thursday", 4),
    ("FR", 5),
    ("Fri", 5),
    ("Friday", 5),
    ("SA", 6),
    ("Sat", 6),
    ("Saturday", 6),
    ("SU", 7),
    ("Sun", 7),
    ("Sunday", 7),
];

async fn service_filter(
    pool: &DbPool,
    geocoder: &Geocoder,
    params: &mut QueryParams<'_>,
) -> Result<ServiceFilter, ApiError> {
    let term_id = params.uuid("taxonomy_term_id");
    let taxonomy_id = params.uuid("taxonomy_id");
    let day = params.choice("day", &DAYS, "a day as MO…SU, Mon…Sun or Monday…Sunday");
    let postcode = params.text("postcode", 16);
    let proximity = params.int("proximity", 1, 200_000);
    let mut filter = ServiceFilter {
        search: params.text("search", 200),
        organization_id: params.uuid("organization_id"),
        modified_after: params.date_time("modified_after"),
        minimum_age: params.int("minimum_age", 0, 120).map(|n| n as i16),
        maximum_age: params.int("maximum_age", 0, 120).map(|n| n as i16),
        day,
        start_time: params.time("start_time"),
        end_time: params.time("end_time"),
        taxonomy: oruk_feed::taxonomy_filter(taxonomy_id),
        ..ServiceFilter::default()
    };
    if proximity.is_some() && postcode.is_none() {
        params.errors.add("proximity", "needs a postcode");
    }
    if let Some(postcode) = postcode {
        match geocoder.locate(&postcode).await {
            Ok(place) => {
                let metres = proximity.map_or(DEFAULT_PROXIMITY_M, |m| m as f64);
                filter.near = Some((
                    LatLon {
                        lat: place.latitude,
                        lon: place.longitude,
                    },
                    metres,
                ));
            }
            Err(e) => params.errors.add("postcode", e.to_string()),
        }
    }
    let mut conn = crate::db::connect(pool).await?;
    filter.term = oruk_feed::term_filter(&mut conn, term_id).await?;
    Ok(filter)
}

/// The feed's common query parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageDoc {
    /// `json` (the default and the only format served).
    #[param(pattern = "^[Jj][Ss][Oo][Nn]$", example = "json")]
    format: Option<String>,
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000, example = 1)]
    page: Option<i64>,
    /// Records per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500, example = 50)]
    per_page: Option<i64>,
}

/// Filters of the services and services-at-locations lists. All combine with AND; empty values
/// count as absent.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ServiceFilterDoc {
    /// Words to look for in titles, descriptions and organisation, venue and interest names,
    /// e.g. `football`; at most 200 characters.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]{0,200}$")]
    search: Option<String>,
    /// A taxonomy term's id (`GET /oruk/taxonomy_terms`): services with that term (for an
    /// interest, also with any narrower one).
    taxonomy_term_id: Option<Uuid>,
    /// A taxonomy's id (`GET /oruk/taxonomies`): services with any term of it.
    taxonomy_id: Option<Uuid>,
    /// Services of this organisation.
    organization_id: Option<Uuid>,
    /// Services changed at or after this time (RFC 3339), e.g. `2026-01-31T09:00:00Z`.
    modified_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Services open to someone of at least this age (their upper age limit, if any, is not
    /// below it); 0 to 120.
    #[param(minimum = 0, maximum = 120)]
    minimum_age: Option<i64>,
    /// Services open to someone of at most this age (their lower age limit, if any, is not
    /// above it); 0 to 120.
    #[param(minimum = 0, maximum = 120)]
    maximum_age: Option<i64>,
    /// Services with a session on this day: `MO`…`SU`, `Mon`…`Sun` or `Monday`…`Sunday`, in
    /// any case, e.g. `TU`.
    #[param(
        pattern = r"^([Mm][Oo]|[Mm][Oo][Nn]|[Mm][Oo][Nn][Dd][Aa][Yy]|[Tt][Uu]|[Tt][Uu][Ee]|[Tt][Uu][Ee][Ss][Dd][Aa][Yy]|[Ww][Ee]|[Ww][Ee][Dd]|[Ww][Ee][Dd][Nn][Ee][Ss][Dd][Aa][Yy]|[Tt][Hh]|[Tt][Hh][Uu]|[Tt][Hh][Uu][Rr][Ss][Dd][Aa][Yy]|[Ff][Rr]|[Ff][Rr][Ii]|[Ff][Rr][Ii][Dd][Aa][Yy]|[Ss][Aa]|[Ss][Aa][Tt]|[Ss][Aa][Tt][Uu][Rr][Dd][Aa][Yy]|[Ss][Uu]|[Ss][Uu][Nn]|[Ss][Uu][Nn][Dd][Aa][Yy])$"
    )]
    day: Option<String>,
    /// Services with a session starting at or after this UK local time (`HH:MM`), e.g. `09:00`.
    #[param(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    start_time: Option<String>,
    /// Services with a session ending at or before this UK local time (`HH:MM`), e.g. `21:00`.
    #[param(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    end_time: Option<String>,
    /// A UK postcode, sector or district, in any spacing or case: services within
    /// `proximity` metres of it (default 5,000), or whose service area covers it. Left empty,
    /// it is not set. E.g. `M32 0JG`.
    #[param(
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z]([0-9][A-Za-z0-9]{0,2}|[A-Za-z][0-9][A-Za-z0-9]?)([\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+[0-9]|[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9][A-Za-z]{2})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    postcode: Option<String>,
    /// Distance from `postcode` in metres, 1 to 200,000, e.g. `2000`; needs `postcode`.
    #[param(minimum = 1, maximum = 200000)]
    proximity: Option<i64>,
}

/// How much of each service the services list gives.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ServiceDetailDoc {
    /// `true`: only each service's id, name, status and last change.
    minimal: Option<bool>,
    /// `true`: nest each service's organisation as well.
    full: Option<bool>,
}

/// The OpenAPI document of the feed alone (`crate::openapi::feed_document`), rendered once.
pub struct FeedDocument(pub String);

/// `GET /oruk/openapi.json`: what `openapi_url` points at.
pub async fn feed_document(doc: web::Data<FeedDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// The feed's base URL as the client reached it, e.g. `https://example.org/oruk`.
fn feed_base(req: &HttpRequest) -> String {
    format!("{}/oruk", super::base_url(req))
}

fn api_details_body(req: &HttpRequest, query: &Pairs) -> Result<HttpResponse, ApiError> {
    QueryParams::new(query).finish(())?;
    Ok(HttpResponse::Ok().json(OrukApiDetails {
        version: publish::VERSION.to_string(),
        profile: publish::PROFILE.to_string(),
        openapi_url: format!("{}/openapi.json", feed_base(req)),
    }))
}

/// Feed details
///
/// The standard and profile the feed follows, and where the feed's own OpenAPI document is
/// (`/oruk/openapi.json`: these operations, with paths relative to the base URL `/oruk`). The
/// ORUK validator and importers read this first, from the base URL without a slash.
#[utoipa::path(
    operation_id = "orukApiDetails",
    tag = "oruk",
    responses(
        (status = 200, description = "What the feed is.", body = OrukApiDetails),
        (status = 422, description = "A query parameter was given (this operation takes none).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn api_details(req: HttpRequest, query: Pairs) -> Result<HttpResponse, ApiError> {
    api_details_body(&req, &query)
}

/// Feed details (with a trailing slash)
///
/// The same document as `GET /oruk`, for clients that add a slash to the base URL.
#[utoipa::path(
    operation_id = "orukApiDetailsSlash",
    tag = "oruk",
    responses(
        (status = 200, description = "What the feed is.", body = OrukApiDetails),
        (status = 422, description = "A query parameter was given (this operation takes none).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/")]
pub async fn api_details_slash(req: HttpRequest, query: Pairs) -> Result<HttpResponse, ApiError> {
    api_details_body(&req, &query)
}

/// List services
///
/// Published assets as ORUK 3.0 services, in id order, fully nested (add `full=true` for the
/// organisation too, or `minimal=true` for ids only).
#[utoipa::path(
    operation_id = "orukListServices",
    tag = "oruk",
    params(PageDoc, ServiceFilterDoc, ServiceDetailDoc),
    responses(
        (status = 200, description = "A page of services.", body = OrukServicePage),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/services")]
pub async fn services(
    Reads(pool): Reads,
    geocoder: web::Data<Geocoder>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let paging = paging(&mut params);
    let detail = match (params.flag("minimal"), params.flag("full")) {
        (true, _) => Detail::Minimal,
        (false, true) => Detail::Full,
        _ => Detail::Nested,
    };
    let filter = service_filter(&pool, &geocoder, &mut params).await?;
    let filter = params.finish(filter)?;
    let page = oruk_feed::services(&pool, &filter, paging, detail).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Read a service
///
/// One published asset as a fully nested ORUK 3.0 service, with its organisation, locations,
/// schedules, costs, contacts, areas and taxonomy terms.
#[utoipa::path(
    operation_id = "orukGetService",
    tag = "oruk",
    params(("id" = Uuid, Path, description = "The service's (asset's) id.", example = "60ed2bf8-f2ea-5c2f-9e91-2b3f6a3cab63")),
    responses(
        (status = 200, description = "The service.", body = OrukService),
        (status = 422, description = "The id is not a UUID, or a query parameter was given (this operation takes none).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published asset has this id.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/services/{id}")]
pub async fn service(
    Reads(pool): Reads,
    id: web::Path<Uuid>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    QueryParams::new(&query).finish(())?;
    Ok(HttpResponse::Ok().json(oruk_feed::service(&pool, *id).await?))
}

/// Organisation options.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrganizationDoc {
    /// `true`: nest each organisation's services.
    full_service: Option<bool>,
}

/// How much of each organisation the organisations list gives.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrganizationListDoc {
    /// `true`: each organisation with its services, fully nested.
    full_service: Option<bool>,
    /// `true`: each organisation with its services listed by id, name, status and last
    /// change (`full_service` gives them whole).
    full: Option<bool>,
}

/// Search organisations.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchDoc {
    /// Words to look for in names and descriptions, e.g. `Age UK`; at most 200 characters.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]{0,200}$")]
    search: Option<String>,
}

/// List organisations
///
/// Organisations that run at least one published asset, in id order.
#[utoipa::path(
    operation_id = "orukListOrganizations",
    tag = "oruk",
    params(PageDoc, SearchDoc, OrganizationListDoc),
    responses(
        (status = 200, description = "A page of organisations.", body = OrukOrganizationPage),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
pub async fn organizations(Reads(pool): Reads, query: Pairs) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let paging = paging(&mut params);
    let search = params.text("search", 200);
    let with_services = match (params.flag("full_service"), params.flag("full")) {
        (true, _) => Some(Detail::Nested),
        (false, true) => Some(Detail::Minimal),
        _ => None,
    };
    params.finish(())?;
    let page = oruk_feed::organizations(&pool, search.as_deref(), paging, with_services).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Read an organisation
///
/// An organisation that runs at least one published asset.
#[utoipa::path(
    operation_id = "orukGetOrganization",
    tag = "oruk",
    params(("id" = Uuid, Path, description = "The organisation's id.", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f"), OrganizationDoc),
    responses(
        (status = 200, description = "The organisation.", body = OrukOrganization),
        (status = 422, description = "The id is not a UUID, or a parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No organisation with published assets has this id.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}")]
pub async fn organization(
    Reads(pool): Reads,
    id: web::Path<Uuid>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let full_service = params.flag("full_service");
    params.finish(())?;
    Ok(HttpResponse::Ok().json(oruk_feed::organization(&pool, *id, full_service).await?))
}

/// Nesting of services at locations.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FullDoc {
    /// `true`: nest each one's service (with its organisation).
    full: Option<bool>,
}

/// List services at locations
///
/// One entry per published asset and place: its venue, and a virtual location when it is
/// (also) online. `postcode` with `proximity` finds what is near.
#[utoipa::path(
    operation_id = "orukListServiceAtLocations",
    tag = "oruk",
    params(PageDoc, ServiceFilterDoc, FullDoc),
    responses(
        (status = 200, description = "A page of services at locations.", body = OrukServiceAtLocationPage),
        (status = 422, description = "A parameter is invalid (each one named), or the postcode cannot be placed.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service_at_locations")]
pub async fn service_at_locations(
    Reads(pool): Reads,
    geocoder: web::Data<Geocoder>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let paging = paging(&mut params);
    let full = params.flag("full");
    let filter = service_filter(&pool, &geocoder, &mut params).await?;
    let filter = params.finish(filter)?;
    let page = oruk_feed::service_at_locations(&pool, &filter, paging, full).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Read a service at a location
///
/// With its location and its fully nested service.
#[utoipa::path(
    operation_id = "orukGetServiceAtLocation",
    tag = "oruk",
    params(("id" = Uuid, Path, description = "The service at location's id.")),
    responses(
        (status = 200, description = "The service at its location.", body = OrukServiceAtLocation),
        (status = 422, description = "The id is not a UUID, or a query parameter was given (this operation takes none).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service at a location.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/service_at_locations/{id}")]
pub async fn service_at_location(
    Reads(pool): Reads,
    id: web::Path<Uuid>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    QueryParams::new(&query).finish(())?;
    Ok(HttpResponse::Ok().json(oruk_feed::service_at_location(&pool, *id).await?))
}

/// List taxonomies
///
/// Our interest vocabulary, and the taxonomies that carry an asset's kind, Five Ways to
/// Wellbeing, newcomer details and a venue's type, setting and accessibility.
#[utoipa::path(
    operation_id = "orukListTaxonomies",
    tag = "oruk",
    params(PageDoc, SearchDoc),
    responses(
        (status = 200, description = "A page of taxonomies.", body = OrukTaxonomyPage),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomies")]
pub async fn taxonomies(req: HttpRequest, query: Pairs) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let paging = paging(&mut params);
    let search = params.text("search", 200);
    params.finish(())?;
    Ok(HttpResponse::Ok().json(oruk_feed::taxonomies(
        &feed_base(&req),
        search.as_deref(),
        paging,
    )))
}

/// Read a taxonomy
///
/// One of the feed's taxonomies by id: the interest vocabulary, asset kinds, the Five Ways to
/// Wellbeing, details, venue types and accessibility features.
#[utoipa::path(
    operation_id = "orukGetTaxonomy",
    tag = "oruk",
    params(("id" = Uuid, Path, description = "The taxonomy's id.")),
    responses(
        (status = 200, description = "The taxonomy.", body = OrukTaxonomy),
        (status = 422, description = "The id is not a UUID, or a query parameter was given (this operation takes none).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such taxonomy.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomies/{id}")]
pub async fn taxonomy(
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    QueryParams::new(&query).finish(())?;
    Ok(HttpResponse::Ok().json(oruk_feed::taxonomy(&feed_base(&req), *id)?))
}

/// Filters of the taxonomy terms list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TermDoc {
    /// Words to look for in terms' names and codes, e.g. `football`; at most 200 characters.
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]{0,200}$")]
    search: Option<String>,
    /// Terms of this taxonomy.
    taxonomy_id: Option<Uuid>,
    /// Terms directly below this term.
    parent_id: Option<Uuid>,
    /// `true`: only terms with no parent.
    top_only: Option<bool>,
}

/// List taxonomy terms
///
/// The terms of every taxonomy, in the feed's order (the fixed taxonomies' terms, then the
/// interest vocabulary), filtered by taxonomy, parent, top level only, or words in the name or
/// code. Interest terms from OpenActive carry the concept's URI in `term_uri`.
#[utoipa::path(
    operation_id = "orukListTaxonomyTerms",
    tag = "oruk",
    params(PageDoc, TermDoc),
    responses(
        (status = 200, description = "A page of taxonomy terms.", body = OrukTaxonomyTermPage),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomy_terms")]
pub async fn taxonomy_terms(Reads(pool): Reads, query: Pairs) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let paging = paging(&mut params);
    let terms = TermQuery {
        search: params.text("search", 200),
        taxonomy_id: params.uuid("taxonomy_id"),
        parent_id: params.uuid("parent_id"),
        top_only: params.flag("top_only"),
    };
    let terms = params.finish(terms)?;
    Ok(HttpResponse::Ok().json(oruk_feed::taxonomy_terms(&pool, &terms, paging).await?))
}

/// Read a taxonomy term
///
/// One term by id, with its taxonomy and, for a narrower interest, its parent.
#[utoipa::path(
    operation_id = "orukGetTaxonomyTerm",
    tag = "oruk",
    params(("id" = Uuid, Path, description = "The term's id.")),
    responses(
        (status = 200, description = "The term.", body = OrukTaxonomyTerm),
        (status = 422, description = "The id is not a UUID, or a query parameter was given (this operation takes none).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such term.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomy_terms/{id}")]
pub async fn taxonomy_term(
    Reads(pool): Reads,
    id: web::Path<Uuid>,
    query: Pairs,
) -> Result<HttpResponse, ApiError> {
    QueryParams::new(&query).finish(())?;
    Ok(HttpResponse::Ok().json(oruk_feed::taxonomy_term(&pool, *id).await?))
}
