//! Rate limits: requests with a bearer key are counted per key, the others per client IP
//! (GCRA buckets from `governor`: a minute's quota, refilled evenly). A client IP whose keys
//! keep failing authentication is refused for a while, so guessing keys is no way round the IP
//! limit. Limits are per process: with N instances behind a balancer, a client gets up to N
//! times the quota, so divide it by the instance count when that matters.

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
use actix_web::{Error, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use super::metrics::METRICS;
use super::refuse;
use crate::error::ApiError;

/// Failed authentications allowed per client IP per minute before its keyed requests are
/// refused too.
const AUTH_FAILURES_PER_MINUTE: u32 = 30;
/// How often (in checks) idle buckets are dropped, so the maps stay small.
const TIDY_EVERY: u64 = 10_000;

#[derive(Debug, Clone, Copy, Default)]
pub struct RateLimitSettings {
    /// Requests per minute per client IP without a key; 0 for no limit.
    pub per_ip: u32,
    /// Requests per minute per API key; 0 for no limit.
    pub per_key: u32,
    /// Take the client IP from the first `X-Forwarded-For` entry (only behind a proxy that
    /// sets it).
    pub trust_forwarded_for: bool,
}

pub struct RateLimits {
    settings: RateLimitSettings,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_key: Option<DefaultKeyedRateLimiter<[u8; 16]>>,
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

    /// `Some(wait)` when this request must be refused.
    fn check(&self, ip: Option<IpAddr>, key: Option<[u8; 16]>) -> Option<(Duration, &'static str)> {
        self.tidy();
        let clock = DefaultClock::default();
        match (key, ip) {
            (Some(key), ip) => {
                if let Some(ip) = ip
                    && let Ok(blocked) = self.blocked.lock()
                    && let Some(until) = blocked.get(&ip)
                {
                    let now = Instant::now();
                    if *until > now {
                        return Some((*until - now, "auth_failures"));
                    }
                }
                let limiter = self.per_key.as_ref()?;
                limiter
                    .check_key(&key)
                    .err()
                    .map(|n| (n.wait_time_from(clock.now()), "key"))
            }
            (None, Some(ip)) => {
                let limiter = self.per_ip.as_ref()?;
                limiter
                    .check_key(&ip)
                    .err()
                    .map(|n| (n.wait_time_from(clock.now()), "ip"))
            }
            (None, None) => None,
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

/// A digest of the bearer token: buckets are never keyed by the secret itself.
fn key_of(req: &ServiceRequest) -> Option<[u8; 16]> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    let digest = Sha256::digest(token.trim().as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    Some(key)
}

/// Probes and scrapes are never limited.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
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
    let key = key_of(&req);
    if let Some((wait, scope)) = limits.check(ip, key) {
        METRICS.rate_limited.with_label_values(&[scope]).inc();
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let detail = match scope {
            "key" => format!("this API key has sent too many requests; retry after {secs} s"),
            "auth_failures" => format!(
                "too many requests from this address failed authentication; retry after {secs} s"
            ),
            _ => format!("this address has sent too many requests; retry after {secs} s"),
        };
        return Ok(refuse(
            req.request().clone(),
            ApiError::TooManyRequests {
                detail,
                retry_after_secs: secs,
            },
        ));
    }
    let res = next.call(req).await?;
    if key.is_some()
        && res.status() == actix_web::http::StatusCode::UNAUTHORIZED
        && let Some(ip) = ip
    {
        limits.failed_authentication(ip);
    }
    Ok(res.map_into_boxed_body())
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
            assert!(limits.check(Some(ip), None).is_none());
        }
        let (wait, scope) = limits.check(Some(ip), None).expect("the fourth is refused");
        assert_eq!(scope, "ip");
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(
            limits.check(Some(other), None).is_none(),
            "buckets are per IP"
        );
        // A keyed request is counted against its key, not the exhausted IP.
        for _ in 0..5 {
            assert!(limits.check(Some(ip), Some([1; 16])).is_none());
        }
        assert_eq!(limits.check(Some(ip), Some([1; 16])).unwrap().1, "key");
        assert!(limits.check(Some(ip), Some([2; 16])).is_none());
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
        assert_eq!(
            limits.check(Some(ip), Some([3; 16])).unwrap().1,
            "auth_failures"
        );
        assert!(
            limits
                .check(Some("192.0.2.10".parse().unwrap()), Some([3; 16]))
                .is_none()
        );
    }

    #[test]
    fn zero_means_no_limit() {
        let limits = RateLimits::new(RateLimitSettings::default());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..1000 {
            assert!(limits.check(Some(ip), None).is_none());
        }
    }
}
