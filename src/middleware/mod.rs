//! Cross-cutting request handling, outermost first: actix-web's `Compress` (gzip or brotli, as
//! the client accepts), `security_headers` (nosniff, CSP, framing), `observe` (request id,
//! access log, metrics), `conditional` (ETag, Cache-Control, 304), `cors`, `rate_limit` (which
//! also checks the API key), `request_shape`, `timeout`,
//! `write_budget`, `idempotency`, then `consistency` just around the routes.
//! Each is an `actix_web::middleware::from_fn` function with its settings in app data.

pub mod conditional;
pub mod consistency;
pub mod cors;
pub mod idempotency;
pub mod metrics;
pub mod observe;
pub mod rate_limit;
pub mod request_shape;
pub mod security_headers;
pub mod timeout;
pub mod write_budget;

use actix_web::HttpRequest;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;

use crate::error::ApiError;

/// Probes and scrapes: never rate-limited (`/metrics` has a token of its own, not a key) and
/// never given validators.
pub(crate) fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The open-data feeds (ORUK, OGC API – Features): public, and the same for every reader and
/// every origin.
pub(crate) fn is_open_feed(path: &str) -> bool {
    ["/oruk", "/ogc", "/openactive"].iter().any(|base| {
        path.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// A problem response made by a middleware, before or instead of the handler.
pub(crate) fn refuse(req: HttpRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    ServiceResponse::new(req, actix_web::ResponseError::error_response(&error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_feeds_are_their_paths_and_nothing_that_merely_begins_alike() {
        for path in [
            "/oruk",
            "/oruk/",
            "/oruk/services",
            "/ogc",
            "/ogc/collections/assets/items",
        ] {
            assert!(is_open_feed(path), "{path}");
        }
        for path in ["/orukx", "/ogcs", "/v1/assets", "/", "/docs/oruk"] {
            assert!(!is_open_feed(path), "{path}");
        }
        assert!(is_probe("/readyz") && !is_probe("/readyz/x"));
    }
}
