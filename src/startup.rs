//! Building and running the HTTP server: the app factory is shared by `serve` and the tests.

use crate::domain::freshness::FreshnessPolicy;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::api::{self, json::BodyLimit};
use crate::db::DbPool;
use crate::db::replicas::ReadPools;
use crate::error::ApiError;
use crate::geocoder::{Geocoder, OnlineGeocoder};
use crate::import::feed::FeedOptions;
use crate::middleware::{
    self, cors::CorsOrigins, rate_limit::RateLimitSettings, rate_limit::RateLimits,
    request_shape::HeaderLimit, timeout::RequestTimeout, write_budget::WriteBudget,
};
use crate::services::search::InterestCache;

#[derive(Debug, Clone)]
pub struct Settings {
    pub max_body_bytes: usize,
    pub workers: Option<usize>,
    pub geocoder_url: Option<String>,
    pub geocoder_timeout: Duration,
    /// How imports started with `POST /v1/imports` read feeds.
    pub feed: FeedOptions,
    /// Requests per minute per client IP and per API key (0: no limit).
    pub rate_limits: RateLimitSettings,
    /// Browser origins allowed to call the API (the ORUK feed allows any).
    pub cors_origins: Vec<String>,
    /// Longest time a request may take before it is abandoned with a 503.
    pub request_timeout: Duration,
    /// Largest total size of a request's headers.
    pub max_header_bytes: usize,
    /// Read replicas for searches, matches and the ORUK feed.
    pub replica_urls: Vec<String>,
    /// Connections per replica pool.
    pub replica_pool_size: usize,
    /// The bearer token `/metrics` asks for; `None` leaves it open.
    pub metrics_token: Option<String>,
    /// Without a token, whether `/metrics` is served at all: yes on loopback (the default
    /// here, for tests), no beyond it unless the operator opens it (`CA_METRICS_OPEN`).
    pub metrics_open_without_token: bool,
    /// When listings become due for confirmation, stale, and hidden from default searches.
    pub freshness: FreshnessPolicy,
    /// How webhooks are sent (the dispatcher runs in every serving process).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// How the OpenActive harvester paces itself (it runs in every serving process unless
    /// turned off).
    pub harvest: crate::services::harvest::HarvestSettings,
    /// Lock and statement time limits of the pool's connections (the pool is made by the
    /// caller with them; writes may wait for a share of the pool up to the lock timeout).
    pub db_limits: crate::db::SessionLimits,
    /// The map on the page at `/`: tile server and credit.
    pub map: crate::page::MapSettings,
    /// How many map tiles each process keeps built (0: none, each is built per request).
    pub map_tile_cache: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            workers: None,
            geocoder_url: None,
            geocoder_timeout: Duration::from_millis(1500),
            feed: FeedOptions::default(),
            rate_limits: RateLimitSettings::default(),
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(30),
            max_header_bytes: 16 * 1024,
            replica_urls: Vec::new(),
            replica_pool_size: 10,
            metrics_token: None,
            metrics_open_without_token: true,
            freshness: FreshnessPolicy::default(),
            webhooks: Default::default(),
            harvest: Default::default(),
            db_limits: Default::default(),
            map: Default::default(),
            map_tile_cache: crate::services::map::DEFAULT_CAPACITY,
        }
    }
}

async fn not_found(
    req: HttpRequest,
    routes: web::Data<crate::api::routes::Routes>,
) -> Result<HttpResponse, ApiError> {
    if let Some(allow) = routes.allowed(req.path()) {
        // The method is right but the path has a slash too many (`/v1/assets/`): send the
        // client to the path that answers, keeping the method and body (308).
        let method = req.method().as_str();
        let trimmed = req.path().trim_end_matches('/');
        if allow.split(", ").any(|m| m == method) && !trimmed.is_empty() && trimmed != req.path() {
            let query = req.query_string();
            let location = if query.is_empty() {
                trimmed.to_string()
            } else {
                format!("{trimmed}?{query}")
            };
            return Ok(HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, location))
                .finish());
        }
        return Err(ApiError::MethodNotAllowed {
            detail: format!("{} answers {allow}, not {}", req.path(), req.method()),
            allow,
        });
    }
    Err(ApiError::NotFound(format!(
        "there is nothing at {} {}",
        req.method(),
        req.path()
    )))
}

async fn openapi_json(doc: web::Data<Arc<String>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.as_str().to_owned())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

pub fn run(listener: TcpListener, pool: DbPool, settings: Settings) -> anyhow::Result<Server> {
    let replicas = settings
        .replica_urls
        .iter()
        .map(|url| crate::db::pool_with(url, settings.replica_pool_size, settings.db_limits))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let reads = web::Data::new(ReadPools::new(pool.clone(), replicas));
    crate::webhooks::dispatcher::spawn(pool.clone(), settings.webhooks.clone(), settings.freshness);
    let webhook_settings = web::Data::new(settings.webhooks.clone());
    let write_budget = web::Data::new(WriteBudget::for_pool(
        pool.status().max_size,
        settings.db_limits.lock_timeout,
    ));
    let pool = web::Data::new(pool);
    let rate_limits = web::Data::new(RateLimits::new(settings.rate_limits));
    let cors_origins = web::Data::new(CorsOrigins(settings.cors_origins.clone()));
    let request_timeout = web::Data::new(RequestTimeout(settings.request_timeout));
    let header_limit = web::Data::new(HeaderLimit(settings.max_header_bytes));
    let freshness = web::Data::new(settings.freshness);
    let metrics_token = web::Data::new(crate::api::health::MetricsToken::new(
        settings.metrics_token.as_deref(),
        settings.metrics_open_without_token,
    ));
    let readiness = web::Data::new(crate::api::health::Readiness::default());
    // Built once: it is both served and the source of the 405 responses' Allow headers.
    let document = crate::openapi::document();
    let openapi = web::Data::new(Arc::new(crate::openapi::render(&document)));
    let feed_document = web::Data::new(crate::api::oruk::FeedDocument(crate::openapi::render(
        &crate::openapi::feed_document(&document),
    )));
    let routes = web::Data::new(crate::api::routes::Routes::from_document(&document));
    let page = web::Data::new(crate::page::Page::new(&settings.map)?);
    let tiles = web::Data::new(crate::services::map::TileCache::with_capacity(
        settings.map_tile_cache,
    ));
    crate::services::map::spawn_invalidator(pool.get_ref().clone(), tiles.clone().into_inner());
    let body_limit = BodyLimit(settings.max_body_bytes);
    let interests = web::Data::new(InterestCache::default());
    let tree_cache = web::Data::new(crate::api::interests::TreeCache::default());
    let feed_options = web::Data::new(settings.feed.clone());
    let resolutions = web::Data::new(crate::services::matching::MatchCache::default());
    let geocoder = web::Data::new(match &settings.geocoder_url {
        Some(url) => Geocoder::with_online(OnlineGeocoder::new(url, settings.geocoder_timeout)?),
        None => Geocoder::offline(),
    });
    crate::services::harvest::spawn(
        pool.get_ref().clone(),
        geocoder.clone().into_inner(),
        settings.feed.clone(),
        settings.harvest.clone(),
    );
    let mut server = HttpServer::new(move || {
        // Path parameters are ids: a malformed one is the same invalid value as in a query
        // or a body (422), named the same way, not the deserialiser's words.
        let path_config = web::PathConfig::default().error_handler(|_, _| {
            ApiError::validation(
                "id",
                "must be a UUID, such as 5a8c5b38-72e0-5099-b654-1be90fec86ab",
            )
            .into()
        });
        let query_config = web::QueryConfig::default()
            .error_handler(|err, _| ApiError::bad_request("query", err.to_string()).into());
        let (app, _) = App::new()
            .wrap(from_fn(middleware::consistency::consistency))
            .wrap(from_fn(middleware::idempotency::idempotency))
            .wrap(from_fn(middleware::write_budget::write_budget))
            .wrap(from_fn(middleware::timeout::timeout))
            .wrap(from_fn(middleware::request_shape::request_shape))
            .wrap(from_fn(middleware::rate_limit::rate_limit))
            .wrap(from_fn(middleware::cors::cors))
            .wrap(from_fn(middleware::conditional::conditional))
            .wrap(from_fn(middleware::observe::observe))
            .wrap(from_fn(middleware::security_headers::security_headers))
            .wrap(actix_web::middleware::Compress::default())
            .app_data(pool.clone())
            .app_data(write_budget.clone())
            .app_data(reads.clone())
            .app_data(rate_limits.clone())
            .app_data(cors_origins.clone())
            .app_data(request_timeout.clone())
            .app_data(header_limit.clone())
            .app_data(metrics_token.clone())
            .app_data(readiness.clone())
            .app_data(freshness.clone())
            .app_data(webhook_settings.clone())
            .app_data(geocoder.clone())
            .app_data(interests.clone())
            .app_data(tree_cache.clone())
            .app_data(tiles.clone())
            .app_data(resolutions.clone())
            .app_data(feed_options.clone())
            .app_data(feed_document.clone())
            .app_data(body_limit)
            .app_data(path_config)
            .app_data(query_config)
            .into_utoipa_app()
            .configure(api::configure)
            .split_for_parts();
        app.app_data(openapi.clone())
            .app_data(routes.clone())
            .app_data(page.clone())
            .configure(crate::page::configure)
            .route("/openapi.json", web::get().to(openapi_json))
            .route("/docs", web::get().to(docs_redirect))
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .config(Config::from("/openapi.json").try_it_out_enabled(true)),
            )
            .default_service(web::to(not_found))
    })
    .listen(listener)?
    .shutdown_timeout(30);
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}
