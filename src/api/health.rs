use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::db::replicas::ReadPools;
use crate::db::{self, DbPool};
use crate::error::{ApiError, Problem};

/// The service's state.
#[derive(Serialize, ToSchema)]
pub struct Status {
    /// `ok` from `/healthz` (the process is up), `ready` from `/readyz` (it can serve requests).
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: is the process up?
///
/// Whether the process is up; it does not touch the database, so it suits a container's
/// liveness probe.
#[utoipa::path(
    tag = "health",
    operation_id = "healthz",
    responses((status = 200, description = "The process is up.", body = Status))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Status { status: "ok" })
}

/// Readiness: can the service serve requests?
///
/// Whether the service can reach its database and so serve requests; it suits a load
/// balancer's readiness check.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses(
        (status = 200, description = "The database answers.", body = Status),
        (status = 503, description = "The database cannot be reached.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(pool: web::Data<DbPool>) -> Result<HttpResponse, ApiError> {
    let mut conn = db::connect(&pool).await?;
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().json(Status { status: "ready" }))
}

/// Metrics for Prometheus
///
/// Counters and gauges in Prometheus' text format: requests and latency per route and status,
/// requests in flight, database pool usage (primary and replicas), reads by where they went,
/// rate-limit refusals, import progress, and the process's memory and CPU. No request content
/// is ever a label.
#[utoipa::path(
    tag = "health",
    operation_id = "metrics",
    responses(
        (status = 200, description = "The metrics.", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "The server was started with `CA_METRICS_TOKEN` and the request did not send it as `Authorization: Bearer <token>`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    reads: web::Data<ReadPools>,
    token: web::Data<MetricsToken>,
) -> Result<HttpResponse, ApiError> {
    token.check(&req)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(crate::middleware::metrics::render(&reads.named())))
}

/// The token `/metrics` asks for (its SHA-256 digest), when one is set: for platforms where
/// the metrics cannot be kept on a private network.
pub struct MetricsToken(Option<Vec<u8>>);

impl MetricsToken {
    pub fn new(token: Option<&str>) -> Self {
        Self(token.map(crate::auth::hash_secret))
    }

    fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(expected) = &self.0 else {
            return Ok(());
        };
        let refused = || {
            ApiError::Unauthorized(
                "the metrics need Authorization: Bearer <the CA_METRICS_TOKEN the server was started with>"
                    .into(),
            )
        };
        let given = crate::auth::bearer_token(req)
            .map_err(|_| refused())?
            .ok_or_else(refused)?;
        // Digests of equal length, compared in constant time, so timing tells nothing.
        if bool::from(crate::auth::hash_secret(&given).ct_eq(expected)) {
            Ok(())
        } else {
            Err(refused())
        }
    }
}
