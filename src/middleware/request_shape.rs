//! Requests of a shape no client sends: headers larger than the limit (431), and a query
//! string whose percent-escapes are not UTF-8 (400), which would otherwise be read with
//! replacement characters and search for something nobody asked for.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::refuse;
use crate::error::ApiError;

/// Whether every name and value of the query string decodes to UTF-8.
pub fn decodes_as_utf8(query: &str) -> bool {
    let mut bytes = Vec::with_capacity(query.len());
    for part in query.split('&') {
        bytes.clear();
        let raw = part.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            match raw[i] {
                b'%' if i + 2 < raw.len() => {
                    let hex = std::str::from_utf8(&raw[i + 1..i + 3]).unwrap_or("");
                    match u8::from_str_radix(hex, 16) {
                        Ok(b) => {
                            bytes.push(b);
                            i += 3;
                            continue;
                        }
                        Err(_) => bytes.push(b'%'),
                    }
                }
                b'+' => bytes.push(b' '),
                b => bytes.push(b),
            }
            i += 1;
        }
        if std::str::from_utf8(&bytes).is_err() {
            return false;
        }
    }
    true
}

/// Largest total size of a request's header names and values, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct HeaderLimit(pub usize);

pub async fn request_shape(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let limit = req
        .app_data::<web::Data<HeaderLimit>>()
        .map_or(16 * 1024, |l| l.0);
    let size: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > limit {
        return Ok(refuse(
            req.request().clone(),
            ApiError::HeadersTooLarge(format!(
                "the request's headers take {size} bytes; the limit is {limit}"
            )),
        ));
    }
    if !decodes_as_utf8(req.query_string()) {
        return Ok(refuse(
            req.request().clone(),
            ApiError::bad_request("query", "is not valid UTF-8 once its %-escapes are decoded"),
        ));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_escapes_pass_and_broken_ones_do_not() {
        assert!(decodes_as_utf8("q=caf%C3%A9&postcode=M33+2AB"));
        assert!(decodes_as_utf8("q=100%"));
        assert!(decodes_as_utf8("q=%zz"));
        assert!(decodes_as_utf8(""));
        assert!(!decodes_as_utf8("q=%FF%FE"));
        assert!(!decodes_as_utf8("q=caf%E9"));
        assert!(!decodes_as_utf8("%C3=x"));
    }
}
