//! The `Reads` extractor: the database pool a read-only handler should use (a replica when
//! one is configured and fresh enough for the caller, else the primary).

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::db::DbPool;
use crate::db::replicas::{ReadPools, valid_lsn};
use crate::error::ApiError;

pub const CONSISTENCY_TOKEN: &str = "consistency-token";

pub struct Reads(pub DbPool);

impl FromRequest for Reads {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pools = req.app_data::<web::Data<ReadPools>>().cloned();
        let token = req
            .headers()
            .get(CONSISTENCY_TOKEN)
            .map(|v| v.to_str().map(str::to_string));
        Box::pin(async move {
            let pools = pools.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("the read pools are not configured"))
            })?;
            let token = match token {
                None => None,
                Some(Ok(t)) if valid_lsn(&t) => Some(t),
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "Consistency-Token",
                        "must be the Consistency-Token header of an earlier write, e.g. 0/16B3748",
                    ));
                }
            };
            Ok(Reads(pools.choose(token.as_deref()).await))
        })
    }
}
