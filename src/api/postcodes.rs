use actix_web::{HttpResponse, get, web};

use super::problems::Common;
use crate::domain::postcode_index::LookupError;
use crate::error::{ApiError, Problem};
use crate::geocoder::{Geocoded, Geocoder};

/// Place a postcode on the map
///
/// A full postcode (`YO10 5DD`), a sector (`YO10 5`) or a district (`YO10`), in any spacing or
/// case. Full postcodes outside the offline table fall back to their sector, then their
/// district (or to the online geocoder, when one is configured); `precision` says which. Needs
/// no key.
#[utoipa::path(
    operation_id = "getPostcode",
    tag = "postcodes",
    params(("postcode" = String, Path, description = "A UK postcode (`M32 0JG`), sector (`M32 0`) or district (`M32`), in any spacing or case; URL-encode the space.", example = "M32 0JG", pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z]([0-9][A-Za-z0-9]{0,2}|[A-Za-z][0-9][A-Za-z0-9]?)([\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+[0-9]|[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9][A-Za-z]{2})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")),
    responses(
        (status = 200, description = "Where the postcode is.", body = Geocoded),
        (status = 404, description = "Well-formed, but no such postcode, sector or district.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not shaped like a UK postcode.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/postcodes/{postcode}")]
pub async fn get(
    geocoder: web::Data<Geocoder>,
    postcode: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    match geocoder.locate(&postcode).await {
        Ok(found) => Ok(HttpResponse::Ok().json(found)),
        Err(e @ LookupError::Malformed) => Err(ApiError::validation("postcode", e.to_string())),
        Err(e @ LookupError::NotFound) => {
            Err(ApiError::NotFound(format!("\"{}\" {e}", postcode.trim())))
        }
    }
}
