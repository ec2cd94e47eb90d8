//! `Idempotency-Key` on `POST`: the first response to a key is stored (in the database, so
//! every instance sees it) and replayed to retries of the same request, marked
//! `Idempotent-Replayed: true`; nothing is created twice. A retry while the first is still
//! running gets 409; the same key with a different request gets 422. Keys are scoped to the
//! authenticated API key (its id, however the `Authorization` header is spelt) and kept for 24
//! hours. A first request that fails with a 5xx is forgotten, so its retry runs afresh; one
//! whose process died, or whose database went away before it could be forgotten, is taken over
//! by a retry once it has been in progress for twice the request timeout plus a minute.
//! A response that carries a secret shown only once (a new API key, a webhook's signing secret)
//! is never stored: a retry gets a 409 saying what was created, and the secret is not shown again.
//! `POST /v1/match` is a read whose answer describes a person: it is never stored, and the
//! header is ignored there.

use actix_web::body::{self, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::refuse;
use super::timeout::RequestTimeout;
use crate::api::json::BodyLimit;
use crate::auth::{Caller, Verified};
use crate::db::idempotency::{self as store, Claim};
use crate::db::{self, DbPool};
use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";
/// Response headers worth replaying.
const KEPT_HEADERS: [&str; 4] = ["content-type", "location", "etag", "consistency-token"];

/// Put in a response's extensions by a handler whose answer carries a secret shown only once;
/// names what was created, for the answer a retry gets instead.
#[derive(Debug, Clone)]
pub struct OneTimeSecret(pub String);

/// How long a request may stay "in progress" before a retry may take its key over: the request
/// itself is abandoned after the request timeout.
fn in_progress_expiry(timeout: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(timeout * 2 + std::time::Duration::from_secs(60))
        .unwrap_or(chrono::Duration::minutes(2))
}

/// What a retry of a request that created a secret is answered, in place of the secret.
fn secret_not_replayed(what: &str) -> ApiError {
    ApiError::Conflict(format!(
        "a request with this Idempotency-Key already succeeded: it created {what}. Its secret was \
         shown once, in that response, and is not kept; if it was lost, revoke what was created \
         and create another"
    ))
}

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
    let principal = match req.extensions().get::<Verified>() {
        Some(Verified(Caller::Key(p))) => Some(p.key_id),
        _ => None,
    };
    let Some(key_id) = principal.filter(|_| {
        req.method() == Method::POST
            && req.headers().contains_key(HEADER)
            && req.path() != "/v1/match"
    }) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(k) if valid_key(k) => k.to_string(),
        _ => {
            return Ok(refuse(
                req.request().clone(),
                ApiError::validation(
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
    let caller = sha256(&[b"api-key", key_id.as_bytes()]);
    let expiry = in_progress_expiry(
        req.app_data::<web::Data<RequestTimeout>>()
            .map_or(std::time::Duration::from_secs(30), |t| t.0),
    );
    let target = req.uri().to_string();
    let fingerprint = sha256(&[b"POST", target.as_bytes(), &bytes]);
    req.set_payload(Payload::from(bytes));

    let claim = async {
        let mut conn = db::connect(&pool).await?;
        store::claim(&mut conn, &caller, &key, &fingerprint, expiry).await
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
    let secret = res.response().extensions().get::<OneTimeSecret>().cloned();
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
    // A secret is never stored: what a retry gets is the refusal, built now.
    let (stored_status, stored_body) = match &secret {
        Some(OneTimeSecret(what)) => {
            let refusal = secret_not_replayed(what);
            kept.insert(
                "content-type".into(),
                Value::String(crate::error::PROBLEM_JSON.into()),
            );
            kept.remove("etag");
            let body = serde_json::to_vec(&refusal.problem()).unwrap_or_default();
            (refusal.status_code().as_u16(), web::Bytes::from(body))
        }
        None => (status.as_u16(), bytes.clone()),
    };
    let saved = async {
        let mut conn = db::connect(&pool).await?;
        store::complete(
            &mut conn,
            &caller,
            &key,
            stored_status,
            &Value::Object(kept),
            &stored_body,
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

/// Releases a key whose request failed. When the database cannot be reached now (the likely
/// reason the request failed), it keeps trying in the background for a couple of minutes, so a
/// retry is not told "still in progress" for longer than it must.
async fn forget(pool: &DbPool, caller: &[u8], key: &str) {
    async fn release(pool: &DbPool, caller: &[u8], key: &str) -> Result<(), db::DbError> {
        let mut conn = db::connect(pool).await?;
        store::release(&mut conn, caller, key).await
    }
    if release(pool, caller, key).await.is_ok() {
        return;
    }
    let (pool, caller, key) = (pool.clone(), caller.to_vec(), key.to_string());
    actix_web::rt::spawn(async move {
        for _ in 0..24 {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            if release(&pool, &caller, &key).await.is_ok() {
                return;
            }
        }
        tracing::warn!("an idempotency key could not be released; it expires by itself");
    });
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
