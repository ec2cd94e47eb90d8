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

/// The last readiness check, shared by every caller: probes are never rate-limited (a load
/// balancer sends many), so they must be cheap; at most one database round trip a second
/// answers them all.
#[derive(Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(std::time::Instant, Result<(), String>)>>,
    /// Database checks made, for `/metrics`.
    checks: std::sync::atomic::AtomicU64,
}

/// How long one readiness answer serves every caller.
const READINESS_TTL: std::time::Duration = std::time::Duration::from_secs(1);

impl Readiness {
    async fn check(&self, pool: &DbPool) -> Result<(), ApiError> {
        // Callers that arrive while a check runs wait for it, rather than start their own.
        let mut last = self.last.lock().await;
        if let Some((at, result)) = last.as_ref()
            && at.elapsed() < READINESS_TTL
        {
            return result.clone().map_err(ApiError::Unavailable);
        }
        self.checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let result = async {
            let mut conn = db::connect(pool).await.map_err(|e| e.to_string())?;
            diesel::sql_query("SELECT 1")
                .execute(&mut conn)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        .await;
        *last = Some((std::time::Instant::now(), result.clone()));
        result.map_err(ApiError::Unavailable)
    }
}

/// Readiness: can the service serve requests?
///
/// Whether the service can reach its database and so serve requests; it suits a load
/// balancer's readiness check. Not rate-limited; one database check a second answers every
/// caller.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses(
        (status = 200, description = "The database answers.", body = Status),
        (status = 503, description = "The database cannot be reached.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(
    pool: web::Data<DbPool>,
    readiness: web::Data<Readiness>,
) -> Result<HttpResponse, ApiError> {
    readiness.check(&pool).await?;
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
        (status = 403, description = "The server listens beyond loopback and was started with neither `CA_METRICS_TOKEN` nor `CA_METRICS_OPEN=true`: metrics are not served to anyone.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    reads: web::Data<ReadPools>,
    token: web::Data<MetricsToken>,
    readiness: web::Data<Readiness>,
) -> Result<HttpResponse, ApiError> {
    token.check(&req)?;
    let mut text = crate::middleware::metrics::render(&reads.named());
    let checks =
        std::sync::atomic::AtomicU64::load(&readiness.checks, std::sync::atomic::Ordering::Relaxed);
    text.push_str(&format!(
        "# HELP community_assets_readiness_checks_total Database checks made to answer /readyz (at most one a second, shared by every caller).\n\
         # TYPE community_assets_readiness_checks_total counter\n\
         community_assets_readiness_checks_total {checks}\n"
    ));
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// Who may read `/metrics`: anyone (a service on loopback, or one whose operator said so with
/// `CA_METRICS_OPEN`), whoever sends the token (its SHA-256 digest kept), or nobody (a service
/// listening beyond loopback with neither: metrics tell an outsider how busy it is and where
/// it fails, so they are not served by default).
pub enum MetricsToken {
    Open,
    Token(Vec<u8>),
    Closed,
}

impl MetricsToken {
    /// A token if one is set; else open, or closed (a server beyond loopback that was not
    /// told its network is private).
    pub fn new(token: Option<&str>, open_without_token: bool) -> Self {
        match token {
            Some(t) => MetricsToken::Token(crate::auth::hash_secret(t)),
            None if open_without_token => MetricsToken::Open,
            None => MetricsToken::Closed,
        }
    }

    fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let expected = match self {
            MetricsToken::Open => return Ok(()),
            MetricsToken::Closed => {
                return Err(ApiError::Forbidden(
                    "metrics are not served: this server listens beyond loopback; start it with \
                     CA_METRICS_TOKEN (and send it as a bearer token), or CA_METRICS_OPEN=true on \
                     a private network"
                        .into(),
                ));
            }
            MetricsToken::Token(expected) => expected,
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
