//! CORS for team apps in the browser: the API answers the origins in `CA_CORS_ORIGINS` (exact
//! matches; none by default), and the public ORUK and OGC feeds answer any origin (`*`). A request
//! from another origin is served as usual but without the headers, so the browser withholds
//! the answer; its preflight is refused with a 403 problem.
//!
//! Hand-written rather than `actix-cors` because the policy differs by path (`*` for `/oruk`,
//! a list for the rest) and refusals must be problem documents. Every API answer says
//! `Vary: Origin`, with or without an `Origin`, so that a shared cache never hands one origin's
//! answer (with its `Access-Control-Allow-Origin`) to another.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use super::refuse;
use crate::error::ApiError;

const METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOWED_HEADERS: &str = "authorization, content-type, if-match, if-none-match, \
     idempotency-key, consistency-token, x-request-id";
const EXPOSED_HEADERS: &str = "etag, link, location, retry-after, x-request-id, \
     consistency-token, idempotent-replayed, ratelimit-limit, ratelimit-remaining, \
     ratelimit-reset, ratelimit-policy";

#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(pub Vec<String>);

enum Verdict {
    /// Not a cross-origin request: nothing to add.
    NoOrigin,
    Allowed(HeaderValue),
    Refused,
}

fn verdict(req: &ServiceRequest, origins: &CorsOrigins) -> Verdict {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Verdict::NoOrigin;
    };
    if super::is_open_feed(req.path()) {
        return Verdict::Allowed(HeaderValue::from_static("*"));
    }
    match origin.to_str() {
        Ok(text) if origins.0.iter().any(|o| o == text) => Verdict::Allowed(origin.clone()),
        _ => Verdict::Refused,
    }
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let origins = req
        .app_data::<web::Data<CorsOrigins>>()
        .map(|o| o.get_ref().clone())
        .unwrap_or_default();
    let verdict = verdict(&req, &origins);
    // The feed answers every origin alike (`*`); the API's answers depend on the origin.
    let by_origin = !super::is_open_feed(req.path());
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        match verdict {
            Verdict::Allowed(origin) => {
                let response = HttpResponse::build(StatusCode::NO_CONTENT)
                    .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
                    .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, METHODS))
                    .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                    .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
                    .insert_header((header::VARY, "Origin"))
                    .finish();
                return Ok(req.into_response(response));
            }
            Verdict::Refused => {
                return Ok(refuse(
                    req.request().clone(),
                    ApiError::Forbidden(
                        "this origin is not allowed to call the API from a browser (CA_CORS_ORIGINS)"
                            .into(),
                    ),
                ));
            }
            Verdict::NoOrigin => {}
        }
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    if let Verdict::Allowed(origin) = verdict {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    if by_origin {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(res)
}
