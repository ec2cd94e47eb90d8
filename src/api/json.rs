//! A JSON body extractor that names the offending field when a body cannot be read, and
//! answers with problem documents instead of actix's plain-text errors.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::strict_json::Strict;
use crate::domain::validation::FieldError;
use crate::error::ApiError;

/// Largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

pub struct JsonBody<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Turns a serde error into the field it is about and a reason a person can act on.
pub fn describe(error: &serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let path = error.path().to_string();
    let inner = error.inner();
    let message = inner.to_string();
    // serde_json appends " at line L column C"; the field path says more.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let parent = if path == "." {
        String::new()
    } else {
        path.clone()
    };
    let join = |name: &str| {
        if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}.{name}")
        }
    };
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        return FieldError::new(join(name), "is required");
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        let expected = rest.split_once(", expected ").map(|(_, e)| e).unwrap_or("");
        let field = if parent.ends_with(name) {
            parent.clone()
        } else {
            join(name)
        };
        return FieldError::new(field, format!("is not a known field (expected {expected})"));
    }
    let field = if parent.is_empty() {
        "body".to_string()
    } else {
        parent
    };
    FieldError::new(field, message)
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let reason = e.to_string();
        ApiError::BadRequest {
            detail: format!("the body is not valid JSON: {reason}"),
            errors: vec![FieldError::new("body", reason)],
        }
    })?;
    serde_path_to_error::deserialize(Strict(&value))
        .map_err(|e| ApiError::Validation(vec![describe(&e)]))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req
            .app_data::<BodyLimit>()
            .copied()
            .unwrap_or(BodyLimit(256 * 1024))
            .0;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as JSON with Content-Type: application/json".into(),
                ));
            }
            let too_large =
                || ApiError::PayloadTooLarge(format!("the body must be at most {limit} bytes"));
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request("body", format!("could not be read: {e}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            if body.is_empty() {
                return Err(ApiError::bad_request(
                    "body",
                    "is empty; send a JSON object",
                ));
            }
            parse(&body).map(JsonBody)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        lat: f64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        title: String,
        items: Vec<Inner>,
    }

    fn field_of(body: &str) -> (u16, String) {
        use actix_web::ResponseError;
        let error = parse::<Outer>(body.as_bytes()).unwrap_err();
        let problem = error.problem();
        (
            error.status_code().as_u16(),
            problem.errors[0].field.clone(),
        )
    }

    #[test]
    fn names_nested_fields() {
        assert_eq!(
            field_of(r#"{"title": "x", "items": [{"lat": "north"}]}"#),
            (422, "items[0].lat".into())
        );
        assert_eq!(field_of(r#"{"items": []}"#), (422, "title".into()));
        assert_eq!(
            field_of(r#"{"title": "x", "items": [{}]}"#),
            (422, "items[0].lat".into())
        );
        assert_eq!(
            field_of(r#"{"title": "x", "items": [], "extra": 1}"#),
            (422, "extra".into())
        );
        assert_eq!(
            field_of(r#"{"title": 5, "items": []}"#),
            (422, "title".into())
        );
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        assert_eq!(field_of(r#"{"title": "#), (400, "body".into()));
        assert_eq!(field_of("\u{feff}"), (400, "body".into()));
        assert_eq!(
            field_of(r#"{"title": "x", "items": []} trailing"#),
            (400, "body".into())
        );
        let deep = "[".repeat(10_000);
        assert_eq!(
            parse::<serde_json::Value>(deep.as_bytes())
                .unwrap_err()
                .problem()
                .status,
            400
        );
    }
}
