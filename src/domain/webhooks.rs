//! Webhooks' rules: which events exist, what a subscription may ask for, how a delivery is
//! signed (the Standard Webhooks scheme), when a failed one is tried again, and when a
//! subscriber that keeps failing is paused.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use url::Url;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::matching::request::{Location, LocationInput, location};
use super::validation::{Errors, FieldError, at};

/// The audit actions on assets, as the event types subscribers name.
pub const EVENT_TYPES: [(&str, &str); 5] = [
    ("create", "asset.created"),
    ("update", "asset.updated"),
    ("publish", "asset.published"),
    ("archive", "asset.archived"),
    ("confirm", "asset.confirmed"),
];

pub fn event_type(action: &str) -> Option<&'static str> {
    EVENT_TYPES
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, t)| *t)
}

pub fn action_of(event_type: &str) -> Option<&'static str> {
    EVENT_TYPES
        .iter()
        .find(|(_, t)| *t == event_type)
        .map(|(a, _)| *a)
}

pub const MAX_URL_CHARS: usize = 2000;
pub const MAX_RADIUS_KM: f64 = 200.0;
pub const MIN_RADIUS_KM: f64 = 0.1;
pub const DEFAULT_RADIUS_KM: f64 = 5.0;

/// Checks a subscriber's URL. Without `allow_private`, only `https` to a host name or a
/// public address is accepted (the name's addresses are checked again at every delivery, so a
/// name that later points inside the network is refused then).
pub fn check_url(errors: &mut Errors, field: &str, raw: &str, allow_private: bool) -> Option<Url> {
    let raw = raw.trim();
    if raw.chars().count() > MAX_URL_CHARS {
        errors.add(field, format!("must be at most {MAX_URL_CHARS} characters"));
        return None;
    }
    let url = match Url::parse(raw) {
        Ok(url) => url,
        Err(e) => {
            errors.add(field, format!("is not an absolute URL: {e}"));
            return None;
        }
    };
    let internal = if allow_private {
        None
    } else {
        super::address::internal_host(&url)
    };
    let reason = match (url.scheme(), url.host()) {
        ("https" | "http", None) => Some("must name a host".to_string()),
        ("http", _) if !allow_private => {
            Some("must use https (deliveries carry the directory's data)".to_string())
        }
        ("https" | "http", _) if !url.username().is_empty() || url.password().is_some() => {
            Some("must not carry a user name or password; the signature authenticates us".into())
        }
        ("https" | "http", _) if url.fragment().is_some() => {
            Some("must not have a #fragment".into())
        }
        ("https" | "http", _) if internal.is_some() => internal,
        ("https" | "http", _) => None,
        (other, _) => Some(format!("must be an https URL, not {other}:")),
    };
    match reason {
        Some(reason) => {
            errors.add(field, reason);
            None
        }
        None => Some(url),
    }
}

/// A subscription's signing secret: `whsec_` and the base64 of 32 random bytes.
pub fn generate_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

fn secret_key(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| secret.as_bytes().to_vec())
}

/// The `webhook-signature` value: `v1,` and the base64 HMAC-SHA256, under the secret, of
/// `{id}.{timestamp}.{body}`. The timestamp is signed so that a captured delivery cannot be
/// replayed later; the id so that it cannot be passed off as another.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret_key(secret))
        .expect("HMAC takes a key of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// When failed deliveries are tried again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles after each further one.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub cap: Duration,
    /// Attempts in all, the first included; after the last failure the delivery has failed.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: the 12th attempt comes about 5 hours on.
        Self {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt after `attempts` have failed, or `None` to give up.
    /// `jitter` in [0, 1) spreads the wait over ±20% so that a subscriber coming back is not
    /// hit by every retry at once.
    pub fn wait_after(&self, attempts: u32, jitter: f64) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self
            .base
            .saturating_mul(1u32 << doublings)
            .min(self.cap)
            .as_secs_f64();
        Some(Duration::from_secs_f64(
            wait * (0.8 + 0.4 * jitter.clamp(0.0, 1.0)),
        ))
    }
}

/// When a subscriber that keeps failing is paused: after enough failures in a row over a long
/// enough time (a receiver down for a day), or after very many in a row however quickly they
/// came (a receiver that fails every one of a burst of changes would otherwise keep being
/// tried, and fill the delivery log, for a whole day).
#[derive(Debug, Clone, Copy)]
pub struct PausePolicy {
    /// Failed attempts in a row, with no success between them.
    pub after_failures: u32,
    /// And for at least this long since the first of them.
    pub after: Duration,
    /// Failed attempts in a row that pause a subscriber whatever the time.
    pub at_failures: u32,
}

impl Default for PausePolicy {
    fn default() -> Self {
        Self {
            after_failures: 20,
            after: Duration::from_secs(24 * 3600),
            at_failures: 100,
        }
    }
}

impl PausePolicy {
    pub fn should_pause(
        &self,
        consecutive_failures: u32,
        failing_since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        consecutive_failures >= self.at_failures.max(1)
            || (consecutive_failures >= self.after_failures
                && (now - failing_since).to_std().unwrap_or_default() >= self.after)
    }
}

/// What a receiver's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 2xx: delivered.
    Accepted,
    /// 410 Gone: the receiver asks not to be called again; the subscription is paused now.
    Gone,
    /// Anything else, or no answer: try again later.
    Failed,
}

pub fn classify(status: Option<u16>) -> Answer {
    match status {
        Some(200..=299) => Answer::Accepted,
        Some(410) => Answer::Gone,
        _ => Answer::Failed,
    }
}

/// A subscription to asset changes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where to POST each event: `https://` to a public host (plain `http://` and internal
    /// addresses only where the server allows them, for development), at most 2,000
    /// characters, with no user name, password or `#fragment`.
    #[schema(
        example = "https://team-app.example.org/hooks/community-assets",
        pattern = r"^https://[a-z][a-z0-9-]{0,30}(\.[a-z][a-z0-9-]{0,30}){1,4}(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,200})?$"
    )]
    pub url: String,
    /// The events to receive (default: all of them).
    #[serde(default)]
    #[schema(
        min_items = 1,
        max_items = 5,
        example = json!(["asset.created", "asset.updated", "asset.archived"])
    )]
    pub events: Option<Vec<EventType>>,
    /// What the subscription is for, up to 200 characters.
    #[serde(default)]
    #[schema(
        example = "Stretford team app: new and changed listings near us",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub description: Option<String>,
    /// Only changes to the assets that pass every filter given (default: every asset).
    #[serde(default)]
    pub filter: Option<WebhookFilterInput>,
}

/// An event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "asset.created")]
    Created,
    #[serde(rename = "asset.updated")]
    Updated,
    #[serde(rename = "asset.published")]
    Published,
    #[serde(rename = "asset.archived")]
    Archived,
    #[serde(rename = "asset.confirmed")]
    Confirmed,
}

impl EventType {
    pub const ALL: [EventType; 5] = [
        EventType::Created,
        EventType::Updated,
        EventType::Published,
        EventType::Archived,
        EventType::Confirmed,
    ];

    /// The audit log's action behind the event.
    pub fn action(self) -> &'static str {
        match self {
            EventType::Created => "create",
            EventType::Updated => "update",
            EventType::Published => "publish",
            EventType::Archived => "archive",
            EventType::Confirmed => "confirm",
        }
    }

    pub fn from_action(action: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.action() == action)
    }

    pub fn as_str(self) -> &'static str {
        event_type(self.action()).unwrap_or("asset.updated")
    }
}

/// Which assets' changes to hear of.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookFilterInput {
    /// Only this organisation's assets.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    /// Only assets whose venue (or, with no venue, some part of the area they serve) lies
    /// within `radius_km` of here. Online-only assets have no place and do not pass.
    #[serde(default)]
    pub near: Option<LocationInput>,
    /// With `near`: how far from it, in kilometres, 0.1 to 200 (default 5).
    #[serde(default)]
    #[schema(minimum = 0.1, maximum = 200, example = 5)]
    pub radius_km: Option<f64>,
    /// Only assets with one of these interests or a narrower one (vocabulary ids, slugs,
    /// labels or synonyms), at most 20.
    #[serde(default)]
    #[schema(
        example = json!(["football", "choir"]),
        max_items = 20,
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,98}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub interests: Vec<String>,
}

/// A checked subscription, before its place and interests are looked up.
#[derive(Debug, Clone)]
pub struct SubscriptionSpec {
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
    pub organization_id: Option<Uuid>,
    pub near: Option<(Location, f64)>,
    pub interests: Vec<String>,
}

pub fn validate(
    input: &WebhookInput,
    allow_private: bool,
) -> Result<SubscriptionSpec, Vec<FieldError>> {
    let mut errors = Errors::default();
    let url = check_url(&mut errors, "url", &input.url, allow_private);
    let description = errors.optional_text("description", input.description.as_deref(), 200);
    let mut events = input
        .events
        .clone()
        .unwrap_or_else(|| EventType::ALL.to_vec());
    if events.is_empty() {
        errors.add(
            "events",
            "must name at least one event (leave it out for all)",
        );
    }
    events.sort_by_key(|e| e.action());
    events.dedup();
    let filter = input.filter.clone().unwrap_or_default();
    let radius = filter.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !radius.is_finite() || !(MIN_RADIUS_KM..=MAX_RADIUS_KM).contains(&radius) {
        errors.add(
            "filter.radius_km",
            format!("must be between {MIN_RADIUS_KM} and {MAX_RADIUS_KM} km"),
        );
    }
    if filter.radius_km.is_some() && filter.near.is_none() {
        errors.add(
            "filter.radius_km",
            "needs filter.near, the place to measure from",
        );
    }
    let near = filter
        .near
        .as_ref()
        .and_then(|n| location(&mut errors, "filter.near", n))
        .map(|place| (place, radius));
    if filter.interests.len() > 20 {
        errors.add("filter.interests", "must name at most 20 interests");
    }
    let mut interests = Vec::new();
    for (i, raw) in filter.interests.iter().enumerate() {
        let text = errors.required_text(&at("filter.interests", i), raw, 100);
        if !interests.contains(&text) {
            interests.push(text);
        }
    }
    errors.finish(SubscriptionSpec {
        url: url.map(String::from).unwrap_or_default(),
        description,
        events,
        organization_id: filter.organization_id,
        near,
        interests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::address::is_public;

    #[test]
    fn urls_must_be_https_to_a_public_host_unless_private_ones_are_allowed() {
        let ok = |raw: &str, private: bool| {
            let mut errors = Errors::default();
            check_url(&mut errors, "url", raw, private).is_some() && errors.is_empty()
        };
        assert!(ok("https://hooks.example.org/directory?team=3", false));
        assert!(ok("https://81.2.69.160/x", false));
        assert!(!ok("https://203.0.113.9/x", false));
        for bad in [
            "http://hooks.example.org/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://localhost:8080/",
            "http://localhost/",
            "https://user:pw@hooks.example.org/",
            "ftp://hooks.example.org/",
            "hooks.example.org/path",
            "https://hooks.example.org/#x",
        ] {
            assert!(!ok(bad, false), "{bad}");
        }
        assert!(ok("http://127.0.0.1:9000/hook", true));
    }

    #[test]
    fn public_addresses_are_told_from_internal_ones() {
        for public in [
            "8.8.8.8",
            "81.2.69.160",
            "2a00:1450:4009:81f::200e",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for internal in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "fec0::1",
            "224.0.0.1",
        ] {
            assert!(!is_public(internal.parse().unwrap()), "{internal}");
        }
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example in the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_ne!(
            signature(secret, id, 1614265331, body),
            signature(secret, id, 1614265330, body)
        );
        let made = generate_secret().unwrap();
        assert!(made.starts_with("whsec_") && secret_key(&made).len() == 32);
    }

    #[test]
    fn waits_double_up_to_the_cap_and_stop_after_the_last_attempt() {
        let policy = RetryPolicy {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(600),
            max_attempts: 6,
        };
        let waits: Vec<u64> = (1..6)
            .map(|n| policy.wait_after(n, 0.5).unwrap().as_secs())
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 480]);
        assert_eq!(policy.wait_after(6, 0.5), None);
        assert_eq!(policy.wait_after(1, 0.0).unwrap().as_secs(), 24);
        assert_eq!(policy.wait_after(1, 1.0).unwrap().as_secs(), 36);
        let long = RetryPolicy {
            max_attempts: 100,
            ..policy
        };
        assert_eq!(long.wait_after(60, 0.5).unwrap().as_secs(), 600);
    }

    #[test]
    fn a_subscriber_is_paused_after_enough_failures_for_long_enough() {
        let policy = PausePolicy {
            after_failures: 3,
            after: Duration::from_secs(3600),
            at_failures: 50,
        };
        let now = Utc::now();
        let hours_ago = |h: i64| now - chrono::Duration::hours(h);
        assert!(!policy.should_pause(2, hours_ago(5), now));
        assert!(!policy.should_pause(30, now, now));
        assert!(policy.should_pause(3, hours_ago(1), now));
        // Very many failures pause at once, however recent the first.
        assert!(policy.should_pause(50, now, now));
        assert!(policy.should_pause(740, now, now));
    }

    #[test]
    fn a_subscription_is_checked_whole() {
        let input: WebhookInput = serde_json::from_value(serde_json::json!({
            "url": "https://hooks.example.org/x",
            "events": ["asset.updated", "asset.created", "asset.updated"],
            "filter": {"near": {"postcode": "M32 0JG"}, "interests": [" football ", "football"]}
        }))
        .unwrap();
        let spec = validate(&input, false).unwrap();
        assert_eq!(spec.events, [EventType::Created, EventType::Updated]);
        assert_eq!(spec.interests, ["football"]);
        assert!(matches!(spec.near, Some((Location::Postcode(_), r)) if r == DEFAULT_RADIUS_KM));
        let bad: WebhookInput = serde_json::from_value(serde_json::json!({
            "url": "http://hooks.example.org/x",
            "events": [],
            "filter": {"radius_km": 0.01, "near": {"lat": 53.4}, "interests": [""]}
        }))
        .unwrap();
        let fields: Vec<String> = validate(&bad, false)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "url",
                "events",
                "filter.radius_km",
                "filter.near.lon",
                "filter.interests[0]"
            ]
        );
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify(Some(204)), Answer::Accepted);
        assert_eq!(classify(Some(410)), Answer::Gone);
        assert_eq!(classify(Some(500)), Answer::Failed);
        assert_eq!(classify(Some(301)), Answer::Failed);
        assert_eq!(classify(None), Answer::Failed);
        assert_eq!(event_type("confirm"), Some("asset.confirmed"));
        assert_eq!(action_of("asset.archived"), Some("archive"));
        assert_eq!(action_of("asset.deleted"), None);
    }
}
