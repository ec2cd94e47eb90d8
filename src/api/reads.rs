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
            Ok(Reads(match token {
                None => pools.choose(None).await,
                Some(Ok(t)) if valid_lsn(&t) => pools.choose(Some(&t)).await,
                // A token we cannot read cannot be checked against a replica: the primary is
                // always fresh enough.
                Some(_) => pools.primary().clone(),
            }))
        })
    }
}
