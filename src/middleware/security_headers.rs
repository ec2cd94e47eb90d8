//! Headers that tell browsers to treat our answers as what they are: no content sniffing, no
//! framing by other sites (clickjacking), no referrer leaking a search's postcode, and a
//! Content-Security-Policy. API answers are data, so they may load nothing at all; the
//! interactive reference at `/docs/` loads only its own files from this service (Swagger UI
//! sets inline styles and uses `data:` images).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// For everything but the reference pages.
pub const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// For `/docs/`.
pub const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

pub fn policy_for(path: &str) -> &'static str {
    if path == "/docs" || path.starts_with("/docs/") {
        DOCS_POLICY
    } else {
        API_POLICY
    }
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let policy = policy_for(req.path());
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::CONTENT_SECURITY_POLICY, policy);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_may_load_its_own_files_and_nothing_else_may_load_anything() {
        assert_eq!(policy_for("/v1/assets"), API_POLICY);
        assert_eq!(policy_for("/oruk/services"), API_POLICY);
        assert_eq!(policy_for("/docs/"), DOCS_POLICY);
        assert_eq!(policy_for("/docs/swagger-ui.css"), DOCS_POLICY);
        assert_eq!(policy_for("/docsx"), API_POLICY);
        for policy in [API_POLICY, DOCS_POLICY] {
            assert!(policy.contains("frame-ancestors 'none'"));
            assert!(!policy.contains('*') && !policy.contains("http"));
        }
    }
}
