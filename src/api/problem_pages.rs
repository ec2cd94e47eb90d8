//! `GET /problems/{type}`: the page each problem's `type` URI names (RFC 9457 §3.1.1), saying
//! what the problem means and what the client can do about it.

use actix_web::{HttpResponse, get, web};

use crate::error::{ApiError, PROBLEM_TYPES, Problem};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Explain a problem type
///
/// The page a problem document's `type` (`/problems/{type}`) points at: the problem's title,
/// its HTTP status, what it means and what to do. Plain HTML with no scripts or styles.
#[utoipa::path(
    operation_id = "explainProblem",
    tag = "problems",
    params(("type" = String, Path, description = "The last part of a problem's `type`, e.g. `validation-error`.", example = "validation-error")),
    responses(
        (status = 200, description = "The explanation.", body = String, content_type = "text/html"),
        (status = 404, description = "No problem has this type.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/problems/{type}")]
pub async fn explain(kind: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let page = PROBLEM_TYPES
        .iter()
        .find(|t| t.slug == kind.as_str())
        .ok_or_else(|| ApiError::NotFound("no problem has this type".into()))?;
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><p>HTTP status {status}. Problem type <code>/problems/{slug}</code> \
         (RFC 9457).</p><p>{text}</p></body></html>\n",
        title = escape(page.title),
        status = page.status,
        slug = page.slug,
        text = escape(page.explanation),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
