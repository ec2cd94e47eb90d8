//! Rate limits, and the one place a request's API key is checked. A request with a key that
//! is valid is counted against that key; every other request (no key, or a key that fails) is
//! counted against its client IP (GCRA buckets from `governor`: a minute's quota, refilled
//! evenly). A key that fails is refused with 401 on every route, public reads included, and
//! counts as a failed authentication: an address with too many of those is refused for a while,
//! so that neither made-up nor guessed keys are a way round the address's limit. Limits are per
//! process: with N instances behind a balancer, a client gets up to N times the quota, so
//! divide it by the instance count when that matters.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use super::metrics::METRICS;
use super::refuse;
use crate::auth::{self, Caller, Verified};
use crate::db::DbPool;
use crate::error::ApiError;

/// Failed authentications allowed per client IP per minute before its keyed requests are
/// refused too.
const AUTH_FAILURES_PER_MINUTE: u32 = 30;
/// How often (in checks) idle buckets are dropped, so the maps stay small.
const TIDY_EVERY: u64 = 10_000;

#[derive(Debug, Clone, Copy, Default)]
pub struct RateLimitSettings {
    /// Requests per minute per client IP without a valid key; 0 for no limit.
    pub per_ip: u32,
    /// Requests per minute per API key; 0 for no limit.
    pub per_key: u32,
    /// Take the client IP from the first `X-Forwarded-For` entry (only behind a proxy that
    /// sets it).
    pub trust_forwarded_for: bool,
}

/// What a request is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    /// An API key that authenticated.
    Key(Uuid),
    /// The client's address (no key, or one that failed).
    Address(Option<IpAddr>),
}

pub struct RateLimits {
    settings: RateLimitSettings,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_key: Option<DefaultKeyedRateLimiter<Uuid>>,
    auth_failures: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    checks: AtomicU64,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::dashmap(Quota::per_minute(n)))
}

impl RateLimits {
    pub fn new(settings: RateLimitSettings) -> Self {
        RateLimits {
            settings,
            per_ip: limiter(settings.per_ip),
            per_key: limiter(settings.per_key),
            auth_failures: RateLimiter::dashmap(Quota::per_minute(
                NonZeroU32::new(AUTH_FAILURES_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            )),
            blocked: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    fn tidy(&self) {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(TIDY_EVERY)
        {
            if let Some(l) = &self.per_ip {
                l.retain_recent();
            }
            if let Some(l) = &self.per_key {
                l.retain_recent();
            }
            self.auth_failures.retain_recent();
            let now = Instant::now();
            if let Ok(mut blocked) = self.blocked.lock() {
                blocked.retain(|_, until| *until > now);
            }
        }
    }

    /// How long an address that failed authentication too often must still wait.
    fn blocked_for(&self, ip: Option<IpAddr>) -> Option<Duration> {
        let ip = ip?;
        let blocked = self.blocked.lock().ok()?;
        let until = *blocked.get(&ip)?;
        let now = Instant::now();
        (until > now).then(|| until - now)
    }

    /// `Some(wait, scope)` when this request must be refused.
    fn check(&self, bucket: Bucket) -> Option<(Duration, &'static str)> {
        self.tidy();
        let clock = DefaultClock::default();
        match bucket {
            Bucket::Key(id) => self
                .per_key
                .as_ref()?
                .check_key(&id)
                .err()
                .map(|n| (n.wait_time_from(clock.now()), "key")),
            Bucket::Address(Some(ip)) => self
                .per_ip
                .as_ref()?
                .check_key(&ip)
                .err()
                .map(|n| (n.wait_time_from(clock.now()), "ip")),
            Bucket::Address(None) => None,
        }
    }

    fn failed_authentication(&self, ip: IpAddr) {
        if let Err(not_until) = self.auth_failures.check_key(&ip) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            if let Ok(mut blocked) = self.blocked.lock() {
                blocked.insert(ip, Instant::now() + wait);
            }
        }
    }
}

fn client_ip(req: &ServiceRequest, trust_forwarded_for: bool) -> Option<IpAddr> {
    let forwarded = trust_forwarded_for
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|first| first.trim().parse().ok())
        })
        .flatten();
    forwarded.or_else(|| req.peer_addr().map(|a| a.ip()))
}

/// Probes and scrapes are never limited (and `/metrics` has a token of its own, not a key).
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

fn too_many(req: &ServiceRequest, wait: Duration, scope: &'static str) -> ServiceResponse {
    METRICS.rate_limited.with_label_values(&[scope]).inc();
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let detail = match scope {
        "key" => format!("this API key has sent too many requests; retry after {secs} s"),
        "auth_failures" => format!(
            "too many requests from this address failed authentication; retry after {secs} s"
        ),
        _ => format!("this address has sent too many requests; retry after {secs} s"),
    };
    refuse(
        req.request().clone(),
        ApiError::TooManyRequests {
            detail,
            retry_after_secs: secs,
        },
    )
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if exempt(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let ip = client_ip(&req, limits.settings.trust_forwarded_for);
    let has_credentials = req.headers().contains_key(header::AUTHORIZATION);
    if has_credentials && let Some(wait) = limits.blocked_for(ip) {
        return Ok(too_many(&req, wait, "auth_failures"));
    }
    let caller = if has_credentials {
        let pool = req.app_data::<web::Data<DbPool>>().cloned();
        auth::identify(pool.as_deref().map(|p| &**p), req.request()).await
    } else {
        Ok(Caller::Anonymous)
    };
    match caller {
        Ok(caller) => {
            let bucket = match &caller {
                Caller::Key(p) => Bucket::Key(p.key_id),
                Caller::Anonymous => Bucket::Address(ip),
            };
            if let Some((wait, scope)) = limits.check(bucket) {
                return Ok(too_many(&req, wait, scope));
            }
            req.extensions_mut().insert(Verified(caller));
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(error @ ApiError::Unauthorized(_)) => {
            // Whatever the route: a key that fails is the address's request, and a failure.
            if let Some(ip) = ip {
                limits.failed_authentication(ip);
            }
            if let Some((wait, scope)) = limits.check(Bucket::Address(ip)) {
                return Ok(too_many(&req, wait, scope));
            }
            Ok(refuse(req.request().clone(), error))
        }
        Err(error) => Ok(refuse(req.request().clone(), error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refuses_past_its_quota_and_says_how_long_to_wait() {
        let limits = RateLimits::new(RateLimitSettings {
            per_ip: 3,
            per_key: 5,
            trust_forwarded_for: false,
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limits.check(Bucket::Address(Some(ip))).is_none());
        }
        let (wait, scope) = limits
            .check(Bucket::Address(Some(ip)))
            .expect("the fourth is refused");
        assert_eq!(scope, "ip");
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(
            limits.check(Bucket::Address(Some(other))).is_none(),
            "buckets are per IP"
        );
        // A request with a valid key is counted against its key, not the exhausted IP.
        let (key, another) = (Uuid::from_u128(1), Uuid::from_u128(2));
        for _ in 0..5 {
            assert!(limits.check(Bucket::Key(key)).is_none());
        }
        assert_eq!(limits.check(Bucket::Key(key)).unwrap().1, "key");
        assert!(limits.check(Bucket::Key(another)).is_none());
    }

    #[test]
    fn repeated_failed_authentication_blocks_the_address_for_keyed_requests() {
        let limits = RateLimits::new(RateLimitSettings {
            per_ip: 0,
            per_key: 0,
            trust_forwarded_for: false,
        });
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        for _ in 0..=AUTH_FAILURES_PER_MINUTE {
            limits.failed_authentication(ip);
        }
        assert!(limits.blocked_for(Some(ip)).is_some());
        assert!(
            limits
                .blocked_for(Some("192.0.2.10".parse().unwrap()))
                .is_none()
        );
    }

    #[test]
    fn zero_means_no_limit() {
        let limits = RateLimits::new(RateLimitSettings::default());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..1000 {
            assert!(limits.check(Bucket::Address(Some(ip))).is_none());
            assert!(limits.check(Bucket::Key(Uuid::nil())).is_none());
        }
    }
}
