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

/// A problem response made by a middleware, before or instead of the handler.
pub(crate) fn refuse(req: HttpRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    ServiceResponse::new(req, actix_web::ResponseError::error_response(&error))
}
