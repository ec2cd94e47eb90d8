//! Writes may hold only part of the primary's connections at once. A write can wait on a row
//! another transaction has locked (up to the lock timeout); without a budget, a burst of writes
//! queued on one busy row took every connection, and every read, `/readyz` included, failed
//! until they gave up. The rest of the pool stays for reads, whatever the writers do. A write
//! that cannot get a share in time is answered 503 with `Retry-After`.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tokio::sync::Semaphore;

use super::refuse;
use crate::error::ApiError;

pub struct WriteBudget {
    permits: Arc<Semaphore>,
    size: usize,
    wait: Duration,
}

impl WriteBudget {
    /// The share of a pool of `pool_size` connections writes may hold: all but about a third,
    /// and at least one either way.
    pub fn for_pool(pool_size: usize, wait: Duration) -> Self {
        let reserved_for_reads = pool_size.div_ceil(3).max(1);
        let size = pool_size.saturating_sub(reserved_for_reads).max(1);
        Self {
            permits: Arc::new(Semaphore::new(size)),
            size,
            wait,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }
}

/// `POST`s that only read: a match and a coverage report of a drawn area.
fn reads_by_post(path: &str) -> bool {
    matches!(path, "/v1/match" | "/v1/coverage")
}

fn is_write(method: &Method, path: &str) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) && !reads_by_post(path)
}

pub async fn write_budget(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let budget = req.app_data::<web::Data<WriteBudget>>().cloned();
    let Some(budget) = budget.filter(|_| is_write(req.method(), req.path())) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let permit =
        match tokio::time::timeout(budget.wait, budget.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => {
                return Ok(refuse(
                    req.request().clone(),
                    ApiError::Busy(format!(
                        "{} writes are already running and more are waiting",
                        budget.size
                    )),
                ));
            }
        };
    let response = next.call(req).await;
    drop(permit);
    Ok(response?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_leave_about_a_third_of_the_pool_to_reads() {
        let wait = Duration::from_secs(1);
        assert_eq!(WriteBudget::for_pool(10, wait).size(), 6);
        assert_eq!(WriteBudget::for_pool(4, wait).size(), 2);
        assert_eq!(WriteBudget::for_pool(2, wait).size(), 1);
        assert_eq!(WriteBudget::for_pool(1, wait).size(), 1);
    }

    #[test]
    fn matches_and_drawn_coverage_are_reads() {
        assert!(is_write(&Method::POST, "/v1/assets"));
        assert!(is_write(&Method::PUT, "/v1/assets/x"));
        assert!(is_write(&Method::DELETE, "/v1/assets/x"));
        assert!(!is_write(&Method::POST, "/v1/match"));
        assert!(!is_write(&Method::POST, "/v1/coverage"));
        assert!(!is_write(&Method::GET, "/v1/assets"));
    }
}
