//! Every request gets an id (the caller's `X-Request-Id` if it is a plain token, else a new
//! one), echoed in the response and attached to every log line written while it is answered;
//! one access-log line and the metrics are recorded when it ends. Only the method, the route
//! pattern (never the path's values or the query string) and the status are logged: a search's
//! postcode or a match's body can describe a person.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use super::metrics::METRICS;

pub const REQUEST_ID: &str = "x-request-id";

/// The id of the request being answered, for handlers that want it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The caller's id if it is 1–64 letters, digits, `-`, `_` or `.`; else a new UUID.
pub fn request_id(given: Option<&str>) -> String {
    given
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = request_id(req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()));
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method);
    let started = Instant::now();
    METRICS.in_flight.inc();
    let result = next.call(req).instrument(span.clone()).await;
    METRICS.in_flight.dec();
    let elapsed = started.elapsed();
    // An Err is a refusal by an inner middleware, rendered by actix after this.
    let (route, status) = match &result {
        Ok(res) => (
            res.request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_string()),
            res.status().as_u16(),
        ),
        Err(e) => (
            "unmatched".to_string(),
            e.as_response_error().status_code().as_u16(),
        ),
    };
    METRICS
        .requests
        .with_label_values(&[method.as_str(), route.as_str(), &status.to_string()])
        .inc();
    METRICS
        .duration
        .with_label_values(&[method.as_str(), route.as_str()])
        .observe(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            target: "access",
            route = %route,
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        )
    });
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_are_kept_and_others_replaced() {
        assert_eq!(request_id(Some("abc-123_x.y")), "abc-123_x.y");
        for bad in ["", "has space", "new\nline", &"x".repeat(65), "ünïcode"] {
            let made = request_id(Some(bad));
            assert_ne!(made, bad);
            assert_eq!(made.len(), 32);
        }
        assert_eq!(request_id(None).len(), 32);
    }
}
