//! One paging style for every list of ours: the request's `cursor` (opaque, from the previous
//! page) and `limit`; the response's `next_cursor`, absent on the last page, and the same as a
//! `Link: <…>; rel="next"` header (RFC 8288) that repeats the request with the cursor replaced.
//! The ORUK feed keeps ORUK's own `page`/`per_page`.

use actix_web::HttpRequest;
use actix_web::HttpResponseBuilder;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use utoipa::IntoParams;
use uuid::Uuid;

use super::query_params::QueryParams;
use crate::domain::paging::{decode_key, encode_key};

/// `limit` (1 to 200, default 50) and `cursor`, as the lists ordered by creation time and id
/// (webhooks, API keys, imports) read them: the position after which the page starts.
pub fn keyed_page(params: &mut QueryParams, tag: &str) -> (Option<(DateTime<Utc>, Uuid)>, i64) {
    let limit = params.int("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT);
    let cursor = params.text("cursor", 200);
    let after = cursor.as_deref().and_then(|c| {
        let decoded = decode_key(tag, c);
        if decoded.is_none() {
            params
                .errors
                .add("cursor", "is not a cursor this list gave");
        }
        decoded
    });
    (after, limit)
}

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// The paging parameters of the lists ordered by creation time.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Entries per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    limit: Option<i64>,
    /// `next_cursor` from the previous page; omit to start from the beginning.
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
}

/// The cursor after the last row of a page ordered by creation time and id, when more follow.
pub fn keyed_next(tag: &str, more: bool, last: Option<(DateTime<Utc>, Uuid)>) -> Option<String> {
    more.then_some(last)
        .flatten()
        .map(|(at, id)| encode_key(tag, at, id))
}

/// The `Link` header value for the page after this one.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let mut next: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    next.push(("cursor", cursor));
    let query = serde_urlencoded::to_string(&next).unwrap_or_default();
    format!("<{}?{query}>; rel=\"next\"", req.path())
}

/// Adds the `Link` header when there is a next page.
pub fn link_next(response: &mut HttpResponseBuilder, req: &HttpRequest, next: Option<&str>) {
    if let Some(cursor) = next {
        response.insert_header((header::LINK, next_link(req, cursor)));
    }
}
