//! A request that takes longer than the configured time is abandoned with a 503 problem
//! (`Retry-After`), so a stuck query never holds a client forever. An abandoned database
//! transaction is rolled back: its connection is discarded, never reused half-way.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub Duration);

pub async fn timeout(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let limit = req
        .app_data::<web::Data<RequestTimeout>>()
        .map(|t| t.0)
        .unwrap_or(Duration::from_secs(30));
    // The request cannot be kept aside for a response of our own (routing needs it alone),
    // so the refusal is an error that actix renders as the problem document.
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::Timeout(format!(
            "the request took longer than {} s and was abandoned; nothing it started was kept",
            limit.as_secs_f64()
        ))
        .into()),
    }
}
