//! A successful write is answered with `Consistency-Token`: the primary's WAL position once it
//! committed. A client that sends it back on later reads reads its own write even from a
//! replica (see `db::replicas`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};

use crate::api::reads::CONSISTENCY_TOKEN;
use crate::db::{self, DbPool};

pub async fn consistency(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let writes = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && !req.path().starts_with("/v1/match");
    let pool = req.app_data::<web::Data<DbPool>>().cloned();
    let mut res = next.call(req).await?;
    if writes
        && res.status().is_success()
        && let Some(pool) = pool
        && let Ok(mut conn) = db::connect(&pool).await
        && let Ok(lsn) = db::replicas::current_lsn(&mut conn).await
        && let Ok(value) = HeaderValue::from_str(&lsn)
    {
        res.headers_mut()
            .insert(HeaderName::from_static(CONSISTENCY_TOKEN), value);
    }
    Ok(res)
}
