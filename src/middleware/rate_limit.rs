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
use governor::middleware::StateInformationMiddleware;
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

/// A bucket that reports how much of its quota is left.
type Limiter<K> = DefaultKeyedRateLimiter<K, StateInformationMiddleware>;

/// Where a client stands against its quota, as the IETF `RateLimit` header fields tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Requests allowed per minute.
    pub limit: u32,
    /// Requests it may still send now.
    pub remaining: u32,
    /// Seconds until the whole quota is available again.
    pub reset_secs: u64,
}

impl Standing {
    fn new(limit: u32, remaining: u32) -> Self {
        let used = u64::from(limit.saturating_sub(remaining));
        Standing {
            limit,
            remaining,
            // The quota refills one request every 60/limit seconds.
            reset_secs: (used * 60).div_ceil(u64::from(limit.max(1))),
        }
    }

    fn add_to(self, headers: &mut header::HeaderMap) {
        for (name, value) in [
            ("ratelimit-limit", u64::from(self.limit)),
            ("ratelimit-remaining", u64::from(self.remaining)),
            ("ratelimit-reset", self.reset_secs),
        ] {
            headers.insert(
                header::HeaderName::from_static(name),
                header::HeaderValue::from(value),
            );
        }
        if let Ok(policy) = header::HeaderValue::from_str(&format!("{};w=60", self.limit)) {
            headers.insert(header::HeaderName::from_static("ratelimit-policy"), policy);
        }
    }
}

/// A request refused by its bucket: how long to wait, which bucket, and the standing to report.
type Refusal = (Duration, &'static str, Standing);

pub struct RateLimits {
    settings: RateLimitSettings,
    per_ip: Option<Limiter<IpAddr>>,
    per_key: Option<Limiter<Uuid>>,
    auth_failures: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    checks: AtomicU64,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<Limiter<K>> {
    NonZeroU32::new(per_minute).map(|n| {
        RateLimiter::dashmap(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>()
    })
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

    /// Counts the request: its standing when it may go ahead (`None` when unlimited), or why
    /// it must be refused.
    fn check(&self, bucket: Bucket) -> Result<Option<Standing>, Refusal> {
        self.tidy();
        let clock = DefaultClock::default();
        match bucket {
            Bucket::Key(id) => match &self.per_key {
                Some(limiter) => Self::count(limiter, &id, self.settings.per_key, "key", &clock),
                None => Ok(None),
            },
            Bucket::Address(Some(ip)) => match &self.per_ip {
                Some(limiter) => Self::count(limiter, &ip, self.settings.per_ip, "ip", &clock),
                None => Ok(None),
            },
            Bucket::Address(None) => Ok(None),
        }
    }

    fn count<K: std::hash::Hash + Eq + Clone>(
        limiter: &Limiter<K>,
        key: &K,
        limit: u32,
        scope: &'static str,
        clock: &DefaultClock,
    ) -> Result<Option<Standing>, Refusal> {
        match limiter.check_key(key) {
            Ok(snapshot) => Ok(Some(Standing::new(
                limit,
                snapshot.remaining_burst_capacity(),
            ))),
            Err(not_until) => {
                let wait = not_until.wait_time_from(clock.now());
                Err((wait, scope, Standing::new(limit, 0)))
            }
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

fn too_many(
    req: &ServiceRequest,
    wait: Duration,
    scope: &'static str,
    standing: Option<Standing>,
) -> ServiceResponse {
    METRICS.rate_limited.with_label_values(&[scope]).inc();
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let detail = match scope {
        "key" => format!("this API key has sent too many requests; retry after {secs} s"),
        "auth_failures" => format!(
            "too many requests from this address failed authentication; retry after {secs} s"
        ),
        _ => format!("this address has sent too many requests; retry after {secs} s"),
    };
    let mut response = refuse(
        req.request().clone(),
        ApiError::TooManyRequests {
            detail,
            retry_after_secs: secs,
        },
    );
    if let Some(standing) = standing {
        Standing {
            reset_secs: standing.reset_secs.max(secs),
            ..standing
        }
        .add_to(response.headers_mut());
    }
    response
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if super::is_probe(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let ip = client_ip(&req, limits.settings.trust_forwarded_for);
    let has_credentials = req.headers().contains_key(header::AUTHORIZATION);
    if has_credentials && let Some(wait) = limits.blocked_for(ip) {
        return Ok(too_many(&req, wait, "auth_failures", None));
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
            let standing = match limits.check(bucket) {
                Ok(standing) => standing,
                Err((wait, scope, standing)) => {
                    return Ok(too_many(&req, wait, scope, Some(standing)));
                }
            };
            req.extensions_mut().insert(Verified(caller));
            let mut response = next.call(req).await?.map_into_boxed_body();
            if let Some(standing) = standing {
                standing.add_to(response.headers_mut());
            }
            Ok(response)
        }
        Err(error @ ApiError::Unauthorized(_)) => {
            // Whatever the route: a key that fails is the address's request, and a failure.
            if let Some(ip) = ip {
                limits.failed_authentication(ip);
            }
            if let Err((wait, scope, standing)) = limits.check(Bucket::Address(ip)) {
                return Ok(too_many(&req, wait, scope, Some(standing)));
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
        let remaining: Vec<u32> = (0..3)
            .map(|_| {
                limits
                    .check(Bucket::Address(Some(ip)))
                    .unwrap()
                    .unwrap()
                    .remaining
            })
            .collect();
        assert_eq!(remaining, [2, 1, 0]);
        let (wait, scope, standing) = limits
            .check(Bucket::Address(Some(ip)))
            .expect_err("the fourth is refused");
        assert_eq!(scope, "ip");
        assert_eq!((standing.limit, standing.remaining), (3, 0));
        assert_eq!(standing.reset_secs, 60, "all three to come back, 20 s each");
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(
            limits.check(Bucket::Address(Some(other))).is_ok(),
            "buckets are per IP"
        );
        // A request with a valid key is counted against its key, not the exhausted IP.
        let (key, another) = (Uuid::from_u128(1), Uuid::from_u128(2));
        for _ in 0..5 {
            assert!(limits.check(Bucket::Key(key)).is_ok());
        }
        assert_eq!(limits.check(Bucket::Key(key)).unwrap_err().1, "key");
        assert!(limits.check(Bucket::Key(another)).is_ok());
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
            assert!(limits.check(Bucket::Address(Some(ip))) == Ok(None));
            assert!(limits.check(Bucket::Key(Uuid::nil())) == Ok(None));
        }
    }
}
