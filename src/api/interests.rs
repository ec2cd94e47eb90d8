use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::problems::Common;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::services::interests::{self, InterestNode};

/// The interest vocabulary.
#[derive(Serialize, ToSchema)]
pub struct InterestTree {
    /// The domains (arts, music, learning, being active, …) with their narrower terms nested,
    /// sorted by label.
    pub terms: Vec<InterestNode>,
    /// Where the terms come from, with the attribution their licences ask for.
    #[schema(example = json!([
        "Physical activities: OpenActive Activity List, openactive.io, CC BY 4.0",
        "Other terms: community-assets contributors"
    ]))]
    pub attribution: Vec<&'static str>,
}

/// The serialised tree and its ETag, kept for a minute per process: the vocabulary changes only
/// when a release loads a new one, and the tree is about 0.4 MB to build.
#[derive(Default)]
pub struct TreeCache(Mutex<Option<(Instant, String, web::Bytes)>>);

const TREE_TTL: Duration = Duration::from_secs(60);

async fn tree_body(pool: &DbPool, cache: &TreeCache) -> Result<(String, web::Bytes), ApiError> {
    if let Ok(guard) = cache.0.lock()
        && let Some((at, etag, body)) = guard.as_ref()
        && at.elapsed() < TREE_TTL
    {
        return Ok((etag.clone(), body.clone()));
    }
    let tree = InterestTree {
        terms: interests::tree(pool).await?,
        attribution: vec![
            "Physical activities: OpenActive Activity List, openactive.io, CC BY 4.0",
            "Other terms: community-assets contributors",
        ],
    };
    let body =
        web::Bytes::from(serde_json::to_vec(&tree).map_err(|e| ApiError::Internal(e.into()))?);
    let digest = Sha256::digest(&body);
    let etag = format!(
        "\"{}\"",
        digest[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    if let Ok(mut guard) = cache.0.lock() {
        *guard = Some((Instant::now(), etag.clone(), body.clone()));
    }
    Ok((etag, body))
}

/// Get the interest vocabulary as a tree
///
/// The vocabulary as a tree, with synonyms. Assets are tagged with these terms, and any id,
/// slug, label or synonym may be used where an interest is asked for. Send the `ETag` back as
/// `If-None-Match` to get a 304 when it has not changed.
#[utoipa::path(
    tag = "interests",
    operation_id = "listInterests",
    params(("If-None-Match" = Option<String>, Header, description = "The `ETag` of a copy you hold (e.g. `\"5e1c0c6d4b1f7e2a9d3c8b70\"`); `*` matches any.")),
    responses(
        (status = 200, description = "The vocabulary.", body = InterestTree,
            headers(("ETag" = String, description = "Changes when the vocabulary does"))),
        (status = 304, description = "Your copy is current."),
        Common
    )
)]
#[get("/interests")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    cache: web::Data<TreeCache>,
) -> Result<HttpResponse, ApiError> {
    let (etag, body) = tree_body(&pool, &cache).await?;
    let current = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if current {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    Ok(if current {
        response.finish()
    } else {
        response.content_type("application/json").body(body)
    })
}
