//! The HTTP layer: routes, extractors and response shapes. Handlers stay thin: extract, call a
//! service, shape the response.

pub mod api_keys;
pub mod assets;
pub mod calendar;
pub mod changes;
pub mod coverage;
pub mod health;
pub mod history;
pub mod imports;
pub mod interests;
pub mod json;
pub mod map;
pub mod matching;
pub mod negotiate;
pub mod ogc;
pub mod openactive;
pub mod organization_assets;
pub mod organizations;
pub mod oruk;
pub mod paging;
pub mod postcodes;
pub mod problem_pages;
pub mod query_params;
pub mod reads;
pub mod referrals;
pub mod routes;
pub mod search;
pub mod sources;
pub mod strict_json;
pub mod venues;
pub mod views;
pub mod webhooks;

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::services::assets::IfMatch;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(problem_pages::explain)
        .service(
            scope::scope("/v1")
                .service(organizations::create)
                .service(organizations::get)
                .service(organizations::patch)
                .service(organization_assets::list)
                .service(api_keys::current)
                .service(api_keys::list)
                .service(api_keys::create)
                .service(api_keys::revoke)
                .service(venues::create)
                .service(venues::get)
                .service(postcodes::get)
                .service(search::list)
                .service(search::features)
                .service(map::tile)
                .service(matching::match_assets)
                .service(assets::create)
                .service(assets::get)
                .service(assets::replace)
                .service(assets::archive)
                .service(assets::confirm)
                .service(assets::publish)
                .service(assets::reject_change)
                .service(assets::put_by_external_id)
                .service(assets::get_by_external_id)
                .service(history::asset_history)
                .service(calendar::sessions)
                .service(changes::list)
                .service(coverage::report)
                .service(coverage::report_area)
                .service(interests::list)
                .service(matching::understand)
                .service(imports::list)
                .service(imports::create)
                .service(imports::get)
                .service(sources::create)
                .service(sources::list)
                .service(sources::get)
                .service(sources::change)
                .service(sources::poll)
                .service(webhooks::create)
                .service(webhooks::list)
                .service(webhooks::get)
                .service(webhooks::remove)
                .service(webhooks::resume)
                .service(webhooks::deliveries)
                .service(referrals::create)
                .service(referrals::get)
                .service(referrals::add_outcome),
        )
        .service(
            scope::scope("/ogc")
                .wrap(DefaultHeaders::new().add((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")))
                .service(ogc::landing)
                .service(ogc::conformance)
                .service(ogc::collections)
                .service(ogc::one_collection)
                .service(ogc::items)
                .service(ogc::item),
        )
        .service(
            scope::scope("/openactive")
                .wrap(DefaultHeaders::new().add((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")))
                .service(openactive::dataset)
                .service(openactive::session_series),
        )
        .service(
            scope::scope("/oruk")
                .wrap(DefaultHeaders::new().add((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")))
                .service(oruk::api_details)
                .service(oruk::api_details_slash)
                .service(oruk::services)
                .service(oruk::service)
                .service(oruk::organizations)
                .service(oruk::organization)
                .service(oruk::service_at_locations)
                .service(oruk::service_at_location)
                .service(oruk::taxonomies)
                .service(oruk::taxonomy)
                .service(oruk::taxonomy_terms)
                .service(oruk::taxonomy_term)
                // The feed's own document: not an operation of the feed, so not documented.
                .route(
                    "/openapi.json",
                    actix_web::web::get().to(oruk::feed_document),
                ),
        );
}

/// This service's base URL as the client reached it, e.g. `https://example.org`: what absolute
/// links in answers (feature URLs, ORUK and OGC links) start with.
pub(crate) fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

pub(crate) fn if_match(req: &HttpRequest) -> Option<IfMatch> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| IfMatch::parse(v.to_str().unwrap_or("")))
}

/// Documented problem responses, shared by the handlers' `responses(...)` lists.
pub(crate) mod problems {
    use crate::error::Problem;

    // Never constructed: it exists for the documentation utoipa derives from it.
    #[allow(dead_code)]
    #[derive(utoipa::IntoResponses)]
    pub enum Common {
        /// The request could not be read at all: malformed JSON, or a query string that is not
        /// UTF-8.
        #[response(status = 400, content_type = "application/problem+json")]
        BadRequest(Problem),
        /// The database is unavailable; retry after the `Retry-After` seconds.
        #[response(status = 503, content_type = "application/problem+json")]
        Unavailable(Problem),
    }

    // Never constructed: it exists for the documentation utoipa derives from it.
    #[allow(dead_code)]
    #[derive(utoipa::IntoResponses)]
    /// The refusals of a JSON request body that cannot be read.
    pub enum Body {
        /// The body is larger than the server's limit (`CA_MAX_BODY_BYTES`).
        #[response(status = 413, content_type = "application/problem+json")]
        PayloadTooLarge(Problem),
        /// The body is not sent as `Content-Type: application/json`.
        #[response(status = 415, content_type = "application/problem+json")]
        UnsupportedMediaType(Problem),
    }

    // Never constructed: it exists for the documentation utoipa derives from it.
    #[allow(dead_code)]
    #[derive(utoipa::IntoResponses)]
    /// The refusals of an operation only admins may use.
    pub enum AdminOnly {
        /// No valid API key.
        #[response(status = 401, content_type = "application/problem+json")]
        Unauthorized(Problem),
        /// The key is not an admin key.
        #[response(status = 403, content_type = "application/problem+json")]
        Forbidden(Problem),
    }

    // Never constructed: it exists for the documentation utoipa derives from it.
    #[allow(dead_code)]
    #[derive(utoipa::IntoResponses)]
    /// The refusals of a change to an existing asset (archive, confirm, publish).
    pub enum AssetChange {
        /// No valid API key.
        #[response(status = 401, content_type = "application/problem+json")]
        Unauthorized(Problem),
        /// The key may not make this change: another organisation's asset, a reader key, or
        /// publishing without an admin key.
        #[response(status = 403, content_type = "application/problem+json")]
        Forbidden(Problem),
        /// No such asset, or not visible to this key.
        #[response(status = 404, content_type = "application/problem+json")]
        NotFound(Problem),
        /// The asset changed since the ETag given in If-Match.
        #[response(status = 412, content_type = "application/problem+json")]
        PreconditionFailed(Problem),
        /// The database is unavailable; retry after the `Retry-After` seconds.
        #[response(status = 503, content_type = "application/problem+json")]
        Unavailable(Problem),
        /// The id is not a UUID.
        #[response(status = 422, content_type = "application/problem+json")]
        Invalid(Problem),
    }
}
