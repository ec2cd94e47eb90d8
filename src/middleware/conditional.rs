//! Conditional reads, for every cacheable `GET` in one place: a `200` gets an entity tag (the
//! handler's own, e.g. an asset's version, or a digest of the body) and a `Cache-Control`
//! saying how long it may be reused; a request whose `If-None-Match` names the current tag gets
//! `304 Not Modified` with no body. Feed readers and map clients that poll then pay for a
//! changed page only. The digest is a weak tag (`W/"…"`) because compression, outside this
//! middleware, changes the bytes but not the meaning.

use actix_web::Error;
use actix_web::body::{self, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use sha2::{Digest, Sha256};

/// Bodies larger than this are passed through untagged rather than held in memory.
const MAX_TAGGED_BYTES: u64 = 32 * 1024 * 1024;

/// How long a `200` to `GET path` may be reused, when its handler does not say.
pub fn cache_policy(path: &str, authenticated: bool) -> &'static str {
    if path == "/openapi.json" || path == "/oruk/openapi.json" || path.starts_with("/docs/") {
        "public, max-age=300"
    } else if super::is_open_feed(path) {
        // The feed is public and the same for every reader; a minute keeps pollers cheap
        // without hiding an edit for long.
        "public, max-age=60"
    } else if path.starts_with("/v1/postcodes/") || path.starts_with("/problems/") {
        "public, max-age=86400"
    } else if authenticated {
        // What a key sees (drafts, its own archived listings) is for that key only.
        "private, no-cache"
    } else {
        "no-cache"
    }
}

/// Whether `If-None-Match` names `etag`, by the weak comparison RFC 9110 §13.1.2 prescribes
/// for `GET`.
pub fn none_match(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let current = opaque(etag);
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|candidate| !candidate.trim().is_empty() && opaque(candidate) == current)
}

/// A weak entity tag for a body.
pub fn digest_tag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

pub async fn conditional(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let applies = req.method() == Method::GET && !super::is_probe(req.path());
    let policy = cache_policy(
        req.path(),
        req.headers().contains_key(header::AUTHORIZATION),
    );
    let by_key = req.path().starts_with("/v1/");
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?;
    if !applies || res.status() != StatusCode::OK {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    let headers = head.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    if by_key {
        headers.append(header::VARY, HeaderValue::from_static("Authorization"));
    }
    let bytes = match body.size() {
        BodySize::Sized(n) if n <= MAX_TAGGED_BYTES => body::to_bytes(body)
            .await
            .map_err(|_| actix_web::error::ErrorInternalServerError("unreadable body"))?,
        _ => {
            let response = head.set_body(body).map_into_boxed_body();
            return Ok(ServiceResponse::new(http_req, response));
        }
    };
    let etag = match head.headers().get(header::ETAG) {
        Some(tag) => tag.to_str().unwrap_or_default().to_string(),
        None => {
            let tag = digest_tag(&bytes);
            if let Ok(value) = HeaderValue::from_str(&tag) {
                head.headers_mut().insert(header::ETAG, value);
            }
            tag
        }
    };
    if if_none_match.is_some_and(|given| none_match(&given, &etag)) {
        head.head_mut().status = StatusCode::NOT_MODIFIED;
        head.headers_mut().remove(header::CONTENT_TYPE);
        head.headers_mut().remove(header::CONTENT_LENGTH);
        let response = head.set_body(()).map_into_boxed_body();
        return Ok(ServiceResponse::new(http_req, response));
    }
    let response = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(http_req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_understands_lists_and_star() {
        assert!(none_match("\"v3\"", "\"v3\""));
        assert!(none_match("W/\"abc\"", "\"abc\""));
        assert!(none_match("\"x\", W/\"abc\"", "W/\"abc\""));
        assert!(none_match("*", "\"v1\""));
        assert!(!none_match("\"v2\"", "\"v3\""));
        assert!(!none_match("", "\"v3\""));
        assert!(!none_match(" , ", "\"v3\""));
    }

    #[test]
    fn the_same_body_gets_the_same_weak_tag() {
        let a = digest_tag(b"{\"a\":1}");
        assert_eq!(a, digest_tag(b"{\"a\":1}"));
        assert_ne!(a, digest_tag(b"{\"a\":2}"));
        assert!(a.starts_with("W/\"") && a.len() == 3 + 32 + 1);
    }

    #[test]
    fn public_feeds_are_cached_briefly_and_keyed_answers_privately() {
        assert_eq!(cache_policy("/oruk/services", false), "public, max-age=60");
        assert_eq!(cache_policy("/oruk", true), "public, max-age=60");
        assert_eq!(
            cache_policy("/ogc/collections/assets/items", false),
            "public, max-age=60"
        );
        assert_eq!(
            cache_policy("/v1/postcodes/M32%200JG", false),
            "public, max-age=86400"
        );
        assert_eq!(cache_policy("/v1/assets/x", true), "private, no-cache");
        assert_eq!(cache_policy("/v1/assets", false), "no-cache");
        assert_eq!(cache_policy("/openapi.json", false), "public, max-age=300");
    }
}
