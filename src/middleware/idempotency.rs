//! `Idempotency-Key` on `POST`: the first response to a key is stored (in the database, so
//! every instance sees it) and replayed to retries of the same request, marked
//! `Idempotent-Replayed: true`; nothing is created twice. A retry while the first is still
//! running gets 409; the same key with a different request gets 422. Keys are scoped to the
//! caller's API key and kept for 24 hours. A first request that fails with a 5xx is forgotten,
//! so its retry runs afresh. If the process dies after a write commits but before its response
//! is stored, the key stays "in progress" (409) rather than risk running the write twice.
//! `POST /v1/match` is a read whose answer describes a person: it is never stored, and the
//! header is ignored there.

use actix_web::body::{self, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::refuse;
use crate::api::json::BodyLimit;
use crate::db::idempotency::{self as store, Claim};
use crate::db::{self, DbPool};
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";
/// Response headers worth replaying.
const KEPT_HEADERS: [&str; 4] = ["content-type", "location", "etag", "consistency-token"];

/// A key is 1–255 printable ASCII characters (a UUID is the usual choice).
pub fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // A match is a read, and its answer describes a person: it is never stored.
    // Only callers with a key are remembered: an anonymous write is refused anyway, and
    // storing its answer would let anybody fill the table.
    if req.method() != Method::POST
        || !req.headers().contains_key(HEADER)
        || !req.headers().contains_key(header::AUTHORIZATION)
        || req.path() == "/v1/match"
    {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let key = match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(k) if valid_key(k) => k.to_string(),
        _ => {
            return Ok(refuse(
                req.request().clone(),
                ApiError::bad_request(
                    "Idempotency-Key",
                    "must be 1 to 255 printable ASCII characters, e.g. a UUID",
                ),
            ));
        }
    };
    let Some(pool) = req.app_data::<web::Data<DbPool>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let limit = req
        .app_data::<BodyLimit>()
        .map(|l| l.0)
        .unwrap_or(256 * 1024);

    // The body is read here to fingerprint the request, then handed on unchanged.
    let mut payload = req.take_payload();
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if bytes.len() + chunk.len() > limit {
            return Ok(refuse(
                req.request().clone(),
                ApiError::PayloadTooLarge(format!("the body is larger than {limit} bytes")),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    let bytes = bytes.freeze();
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let caller = sha256(&[&auth]);
    let target = req.uri().to_string();
    let fingerprint = sha256(&[b"POST", target.as_bytes(), &bytes]);
    req.set_payload(Payload::from(bytes));

    let claim = async {
        let mut conn = db::connect(&pool).await?;
        store::claim(&mut conn, &caller, &key, &fingerprint).await
    }
    .await;
    let http_req = req.request().clone();
    match claim.map_err(ApiError::from) {
        Err(e) => return Ok(refuse(http_req, e)),
        Ok(Claim::InProgress) => {
            return Ok(refuse(
                req.request().clone(),
                ApiError::Conflict(
                    "a request with this Idempotency-Key is still being processed (or was \
                     interrupted); retry later, or check the outcome before using a new key"
                        .into(),
                ),
            ));
        }
        Ok(Claim::Mismatch) => {
            return Ok(refuse(
                req.request().clone(),
                ApiError::validation(
                    "Idempotency-Key",
                    "was already used for a different request; use a new key for a new request",
                ),
            ));
        }
        Ok(Claim::Done {
            status,
            headers,
            body,
        }) => {
            let mut response =
                HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            if let Some(map) = headers.as_object() {
                for (name, value) in map {
                    if let (Ok(n), Some(v)) = (HeaderName::try_from(name.as_str()), value.as_str())
                        && let Ok(v) = HeaderValue::from_str(v)
                    {
                        response.insert_header((n, v));
                    }
                }
            }
            response.insert_header((REPLAYED, "true"));
            return Ok(ServiceResponse::new(http_req, response.body(body)));
        }
        Ok(Claim::New) => drop(http_req),
    }

    let res = next.call(req).await;
    let res = match res {
        Ok(res) => res,
        Err(e) => {
            forget(&pool, &caller, &key).await;
            return Err(e);
        }
    };
    let status = res.status();
    if status.is_server_error() || status == StatusCode::UNAUTHORIZED {
        forget(&pool, &caller, &key).await;
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(b) => b,
        Err(_) => {
            forget(&pool, &caller, &key).await;
            return Ok(refuse(
                http_req,
                ApiError::Internal(anyhow::anyhow!("the response could not be read")),
            ));
        }
    };
    let mut kept = Map::new();
    for name in KEPT_HEADERS {
        if let Some(v) = head.headers().get(name).and_then(|v| v.to_str().ok()) {
            kept.insert(name.to_string(), Value::String(v.to_string()));
        }
    }
    let saved = async {
        let mut conn = db::connect(&pool).await?;
        store::complete(
            &mut conn,
            &caller,
            &key,
            status.as_u16(),
            &Value::Object(kept),
            &bytes,
        )
        .await
    }
    .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "an idempotent response could not be stored");
    }
    let response = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(http_req, response))
}

async fn forget(pool: &DbPool, caller: &[u8], key: &str) {
    if let Ok(mut conn) = db::connect(pool).await
        && let Err(e) = store::release(&mut conn, caller, key).await
    {
        tracing::warn!(error = %e, "an idempotency key could not be released");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_printable_ascii() {
        assert!(valid_key("5a8c5b38-72e0-5099-b654-1be90fec86ab"));
        assert!(valid_key("retry:1"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key("ключ"));
        assert!(!valid_key(&"k".repeat(256)));
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(sha256(&[b"ab", b"c"]), sha256(&[b"a", b"bc"]));
    }
}
