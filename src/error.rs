//! The one place where failures become HTTP responses: every error is an RFC 9457
//! `application/problem+json` document naming the offending fields.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbError;
use crate::domain::validation::FieldError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request was well-formed but some fields break the rules.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// The request could not be read at all (malformed JSON, bad parameter syntax).
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// It existed and was withdrawn (an archived asset): kept, but no longer served.
    #[error("{0}")]
    Gone(String),
    /// The path exists but not with this method; the methods it has go in `Allow`.
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// `Accept` allows none of the media types the operation answers with.
    #[error("{0}")]
    NotAcceptable(String),
    #[error("{0}")]
    HeadersTooLarge(String),
    #[error("{0}")]
    PreconditionRequired(String),
    /// A rate limit was reached; the client may retry after the given seconds.
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    /// The request took longer than the server's time limit and was abandoned.
    #[error("{0}")]
    Timeout(String),
    #[error("the database is unavailable; try again shortly")]
    Unavailable(String),
    /// Another request holds what this one needs (a lock, or a share of the connections kept
    /// for writes); worth retrying in a moment.
    #[error("{0}; try again in a moment")]
    Busy(String),
    #[error("an unexpected error occurred")]
    Internal(#[source] anyhow::Error),
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Identifies the kind of problem; stable, safe to branch on.
    #[schema(example = "/problems/validation-error")]
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    #[schema(example = "Invalid fields")]
    pub title: String,
    /// The HTTP status code.
    #[schema(schema_with = http_status)]
    pub status: u16,
    /// What went wrong in this request.
    #[schema(example = "the request has invalid fields")]
    pub detail: String,
    /// The rejected fields, when the problem is about particular fields (every one of them, not
    /// only the first); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// A plain integer, as RFC 9457 has it (no unsigned 16-bit format for generators to trip on).
fn http_status() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .description(Some("The HTTP status code."))
        .minimum(Some(400))
        .maximum(Some(599))
        .examples([serde_json::json!(422)])
        .build()
}

/// A kind of problem: the last part of its `type` URI (`/problems/{slug}`), which serves this
/// explanation.
pub struct ProblemType {
    pub slug: &'static str,
    pub title: &'static str,
    pub status: u16,
    /// What it means and what the client can do, in plain words.
    pub explanation: &'static str,
}

/// Every problem the service answers with.
pub const PROBLEM_TYPES: &[ProblemType] = &[
    ProblemType {
        slug: "validation-error",
        title: "Invalid fields",
        status: 422,
        explanation: "The request was read, but some values break the rules: a required field is missing, a number is out of range, an id is not a UUID, a postcode cannot be placed, or a parameter is not one the operation takes. The problem's errors list names every field at fault (a path such as location.postcode, or the query parameter's name) with the reason. Correct them and send the request again.",
    },
    ProblemType {
        slug: "bad-request",
        title: "Malformed request",
        status: 400,
        explanation: "The request could not be read at all: the body is not well-formed JSON, or the query string is not UTF-8. Nothing was done. Check how the request is built.",
    },
    ProblemType {
        slug: "unauthorized",
        title: "Authentication required",
        status: 401,
        explanation: "The operation needs an API key, or the Authorization header carries one that is not valid (unknown, revoked or malformed). Send Authorization: Bearer ca_… with a current key; an admin issues keys.",
    },
    ProblemType {
        slug: "forbidden",
        title: "Not allowed",
        status: 403,
        explanation: "The key is valid but may not do this: another organisation's listing, a reader key writing, publishing without an admin key, or a browser origin the service does not allow.",
    },
    ProblemType {
        slug: "not-found",
        title: "Not found",
        status: 404,
        explanation: "Nothing with this id exists that this caller may see. Unpublished listings are not acknowledged to anyone outside their organisation.",
    },
    ProblemType {
        slug: "gone",
        title: "Withdrawn",
        status: 410,
        explanation: "The listing was archived: it is kept, but no longer served. Remove it from any copy you hold.",
    },
    ProblemType {
        slug: "method-not-allowed",
        title: "Method not allowed",
        status: 405,
        explanation: "The path exists but does not answer this method. The Allow header lists the methods it does answer.",
    },
    ProblemType {
        slug: "not-acceptable",
        title: "Not acceptable",
        status: 406,
        explanation: "The Accept header allows none of the media types the operation answers with. The detail names them and, where there is one, the operation that answers what was asked for (GeoJSON is GET /v1/assets.geojson).",
    },
    ProblemType {
        slug: "conflict",
        title: "Conflict",
        status: 409,
        explanation: "The request clashes with the current state: a duplicate, an Idempotency-Key still in progress, or a limit reached (such as the most webhooks allowed).",
    },
    ProblemType {
        slug: "precondition-failed",
        title: "Version mismatch",
        status: 412,
        explanation: "The listing changed since the version named in If-Match. Read it again (GET), apply the change to what it is now, and send it with the new ETag.",
    },
    ProblemType {
        slug: "payload-too-large",
        title: "Request body too large",
        status: 413,
        explanation: "The body is larger than the service accepts. Send less, for example fewer records at a time.",
    },
    ProblemType {
        slug: "unsupported-media-type",
        title: "Unsupported media type",
        status: 415,
        explanation: "The body must be sent as Content-Type: application/json.",
    },
    ProblemType {
        slug: "precondition-required",
        title: "If-Match required",
        status: 428,
        explanation: "Replacing a listing needs If-Match with the ETag from the last read (or * to replace whatever is there), so that one writer does not undo another's change unseen.",
    },
    ProblemType {
        slug: "too-many-requests",
        title: "Too many requests",
        status: 429,
        explanation: "This key or address sent more requests than its quota allows. Wait the Retry-After seconds; the RateLimit-Remaining and RateLimit-Reset fields on every answer say where you stand.",
    },
    ProblemType {
        slug: "headers-too-large",
        title: "Request headers too large",
        status: 431,
        explanation: "The request's headers are larger than the service accepts.",
    },
    ProblemType {
        slug: "timeout",
        title: "Request took too long",
        status: 503,
        explanation: "The request took longer than the service's time limit and was abandoned; nothing it would have written was kept. Retry after the Retry-After seconds.",
    },
    ProblemType {
        slug: "service-unavailable",
        title: "Service unavailable",
        status: 503,
        explanation: "The database is unavailable for a moment. Retry after the Retry-After seconds; a write that was not acknowledged was not made.",
    },
    ProblemType {
        slug: "busy",
        title: "Busy",
        status: 503,
        explanation: "Another request holds what this one needs (the same listing being written, or the share of connections kept for writes). Retry in a moment.",
    },
    ProblemType {
        slug: "internal-error",
        title: "Internal error",
        status: 500,
        explanation: "Something failed that should not have. It is logged with the request's X-Request-Id; please report it with that id.",
    },
];

impl ApiError {
    pub fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, reason)])
    }

    pub fn bad_request(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::bad_request_fields(vec![FieldError::new(field, reason)])
    }

    /// A request that could not be read, naming every field at fault.
    pub fn bad_request_fields(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::BadRequest { detail, errors }
    }

    /// The last part of the problem's `type`; its title and explanation are in `PROBLEM_TYPES`.
    fn slug(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation-error",
            ApiError::BadRequest { .. } => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Gone(_) => "gone",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::NotAcceptable(_) => "not-acceptable",
            ApiError::PreconditionRequired(_) => "precondition-required",
            ApiError::HeadersTooLarge(_) => "headers-too-large",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::Timeout(_) => "timeout",
            ApiError::Unavailable(_) => "service-unavailable",
            ApiError::Busy(_) => "busy",
            ApiError::Internal(_) => "internal-error",
        }
    }

    pub fn problem(&self) -> Problem {
        let slug = self.slug();
        let title = PROBLEM_TYPES
            .iter()
            .find(|t| t.slug == slug)
            .map_or("Problem", |t| t.title);
        let errors = match self {
            ApiError::Validation(errors) | ApiError::BadRequest { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.to_string(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Timeout(_) | ApiError::Unavailable(_) | ApiError::Busy(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            ApiError::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            ApiError::Busy(e) => tracing::info!(reason = %e, "busy: asked the client to retry"),
            ApiError::Timeout(e) => tracing::warn!(error = %e, "request abandoned"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::Unavailable(_) | ApiError::Timeout(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::Busy(_) => {
                response.insert_header((header::RETRY_AFTER, "2"));
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// An error's message followed by each of its causes, `: `-separated: libraries often name only
/// the step that failed and keep the reason in the sources.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Unavailable(detail) => ApiError::Unavailable(detail),
            DbError::Busy(detail) => ApiError::Busy(detail),
            DbError::Conflict(detail) => ApiError::Conflict(detail),
            DbError::Other(e) => ApiError::Internal(e),
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::Validation(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_type_has_a_page_with_its_title_and_status() {
        let samples = [
            ApiError::validation("f", "r"),
            ApiError::bad_request("f", "r"),
            ApiError::Unauthorized(String::new()),
            ApiError::Forbidden(String::new()),
            ApiError::NotFound(String::new()),
            ApiError::Gone(String::new()),
            ApiError::MethodNotAllowed {
                detail: String::new(),
                allow: String::new(),
            },
            ApiError::Conflict(String::new()),
            ApiError::PreconditionFailed(String::new()),
            ApiError::PayloadTooLarge(String::new()),
            ApiError::UnsupportedMediaType(String::new()),
            ApiError::NotAcceptable(String::new()),
            ApiError::HeadersTooLarge(String::new()),
            ApiError::PreconditionRequired(String::new()),
            ApiError::TooManyRequests {
                detail: String::new(),
                retry_after_secs: 1,
            },
            ApiError::Timeout(String::new()),
            ApiError::Unavailable(String::new()),
            ApiError::Busy(String::new()),
            ApiError::Internal(anyhow::anyhow!("x")),
        ];
        assert_eq!(samples.len(), PROBLEM_TYPES.len());
        for error in samples {
            let problem = error.problem();
            let slug = problem.problem_type.strip_prefix("/problems/").unwrap();
            let page = PROBLEM_TYPES.iter().find(|t| t.slug == slug).unwrap();
            assert_eq!(page.title, problem.title);
            assert_eq!(page.status, problem.status, "{slug}");
        }
    }

    #[test]
    fn validation_problem_lists_fields() {
        let problem = ApiError::validation("title", "must not be empty").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type, "/problems/validation-error");
        assert_eq!(problem.errors[0].field, "title");
    }

    #[test]
    fn internal_errors_do_not_leak_detail() {
        let problem = ApiError::Internal(anyhow::anyhow!("password=secret")).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret"));
    }
}
