//! Walking an ORUK feed: detecting its version, paging through its services, and fetching a
//! service's full record when the list gives only a summary. Requests time out, 5xx answers and
//! timeouts are retried with exponential backoff, and pages are fetched no faster than a polite
//! rate. Unless private URLs are allowed (the command line, tests), a feed is read only from
//! public addresses: the URL's host, every name as it is resolved, and every redirect (followed
//! here, at most five) are checked, so an import cannot be aimed inside our network.

use std::time::Duration;

use serde_json::Value;
use tokio::time::{Instant, sleep};

use crate::domain::address::internal_host;

/// The two generations of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedVersion {
    V1,
    V3,
}

impl FeedVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedVersion::V1 => "1.0",
            FeedVersion::V3 => "3.0",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Longest wait for one response.
    pub timeout: Duration,
    /// Further tries after a 5xx, a timeout or a dropped connection.
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    /// Shortest time between the starts of two requests.
    pub min_interval: Duration,
    /// Services asked for per page.
    pub per_page: u32,
    /// Allow feeds on internal addresses (loopback, private networks): for the command line,
    /// run by whoever runs the server, and for tests. Off for imports started over HTTP.
    pub allow_private: bool,
}

impl Default for FeedOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            min_interval: Duration::from_millis(100),
            per_page: 100,
            allow_private: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{url}: {reason}")]
    Failed { url: String, reason: String },
}

/// One page of services.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Value>,
    /// `true` when the feed says this is the last page (or it is empty).
    pub last: bool,
}

pub struct FeedClient {
    http: reqwest::Client,
    base: String,
    options: FeedOptions,
    last_request: tokio::sync::Mutex<Option<Instant>>,
}

impl FeedClient {
    pub fn new(base_url: &str, options: FeedOptions) -> Result<Self, FeedError> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base).map_err(|e| FeedError::Failed {
            url: base.clone(),
            reason: format!("not a URL: {e}"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FeedError::Failed {
                url: base,
                reason: "must be an http or https URL".into(),
            });
        }
        if !options.allow_private
            && let Some(reason) = internal_host(&parsed)
        {
            return Err(FeedError::Failed { url: base, reason });
        }
        let http = crate::outbound::builder(options.allow_private)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            // Below the usual 5 s keep-alive of servers, so a page is not sent on a connection
            // the feed is closing.
            .pool_idle_timeout(Duration::from_secs(2))
            .user_agent(concat!(
                "community-assets/",
                env!("CARGO_PKG_VERSION"),
                " (feed reader)"
            ))
            .build()
            .map_err(|e| FeedError::Failed {
                url: base.clone(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base,
            options,
            last_request: tokio::sync::Mutex::new(None),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn wait_turn(&self) {
        let mut last = self.last_request.lock().await;
        if let Some(at) = *last {
            let due = at + self.options.min_interval;
            if due > Instant::now() {
                sleep(due - Instant::now()).await;
            }
        }
        *last = Some(Instant::now());
    }

    /// GETs JSON at a path below the base.
    async fn get(&self, path: &str) -> Result<Option<Value>, FeedError> {
        self.get_url(&format!("{}{path}", self.base)).await
    }

    /// GETs JSON at a whole URL (an RPDE `next`), checked like the base, retrying what may
    /// succeed on a second try (timeouts, 5xx, 429) with backoff. `Ok(None)` is a 404.
    pub async fn get_url(&self, url: &str) -> Result<Option<Value>, FeedError> {
        let url = url.to_string();
        let fail = |reason: String| FeedError::Failed {
            url: url.clone(),
            reason,
        };
        // A page's `next` comes from the feed: it gets the checks the base URL got, so that a
        // feed cannot send this server to an address inside its network (an IP literal never
        // reaches the resolver that refuses those).
        let parsed = reqwest::Url::parse(&url).map_err(|e| fail(format!("not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(fail("must be an http or https URL".into()));
        }
        if !self.options.allow_private
            && let Some(reason) = internal_host(&parsed)
        {
            return Err(fail(reason));
        }
        let mut delay = self.options.backoff;
        let mut attempt = 0;
        loop {
            self.wait_turn().await;
            let outcome = match self.send_following(&url).await {
                Ok(outcome) => outcome,
                Err(reason) => return Err(fail(reason)),
            };
            let retryable = match outcome {
                Ok(response) if response.status().is_success() => {
                    return response
                        .json::<Value>()
                        .await
                        .map(Some)
                        .map_err(|e| fail(format!("the answer is not JSON: {e}")));
                }
                Ok(response) if response.status() == reqwest::StatusCode::NOT_FOUND => {
                    return Ok(None);
                }
                Ok(response)
                    if response.status().is_server_error()
                        || response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS =>
                {
                    format!("answered {}", response.status())
                }
                Ok(response) => return Err(fail(format!("answered {}", response.status()))),
                Err(e) if e.is_timeout() => format!("no answer within {:?}", self.options.timeout),
                Err(e) if e.is_connect() || e.is_request() => {
                    format!("could not connect: {}", crate::error::with_causes(&e))
                }
                Err(e) => return Err(fail(e.to_string())),
            };
            if attempt >= self.options.retries {
                return Err(fail(format!(
                    "{retryable} (gave up after {} tries)",
                    attempt + 1
                )));
            }
            tracing::warn!(url = %url, attempt, reason = %retryable, "retrying");
            sleep(delay).await;
            delay *= 2;
            attempt += 1;
        }
    }

    /// GETs a URL, following up to five redirects, each checked like the feed's own URL.
    async fn send_following(
        &self,
        url: &str,
    ) -> Result<Result<reqwest::Response, reqwest::Error>, String> {
        let mut current = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        for _ in 0..=MAX_REDIRECTS {
            let sent = self
                .http
                .get(current.clone())
                .header("Accept", "application/json")
                .send()
                .await;
            let response = match sent {
                Ok(r) if r.status().is_redirection() => r,
                other => return Ok(other),
            };
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| format!("answered {} with no Location", response.status()))?;
            current = next_hop(&current, location, self.options.allow_private)?;
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }

    /// 3.0 when the base answers with details whose version names 3; 1.0 otherwise.
    pub async fn detect_version(&self) -> Result<FeedVersion, FeedError> {
        let details = match self.get("/").await {
            Ok(found) => found,
            // Many 1.0 feeds answer nothing useful at their base.
            Err(FeedError::Failed { reason, .. })
                if reason.starts_with("answered 4") || reason.contains("not JSON") =>
            {
                None
            }
            Err(e) => return Err(e),
        };
        let version = details
            .as_ref()
            .and_then(|d| d.get("version"))
            .and_then(Value::as_str)
            .unwrap_or("");
        Ok(if version.contains('3') {
            FeedVersion::V3
        } else {
            FeedVersion::V1
        })
    }

    pub async fn page(&self, version: FeedVersion, number: u32) -> Result<Page, FeedError> {
        let path = format!(
            "/services?page={number}&per_page={}&full=true",
            self.options.per_page
        );
        let body = self.get(&path).await?.unwrap_or(Value::Null);
        Ok(read_page(&body, version, number))
    }

    /// An organisation's record; `None` when the feed has none with this id.
    pub async fn organization(&self, id: &str) -> Result<Option<Value>, FeedError> {
        self.get(&format!("/organizations/{}", url_escape(id)))
            .await
    }

    /// A service's full record; `None` when the feed no longer has it.
    pub async fn service(&self, id: &str) -> Result<Option<Value>, FeedError> {
        let id: String = url_escape(id);
        self.get(&format!("/services/{id}")).await
    }
}

const MAX_REDIRECTS: usize = 5;

/// Where a redirect leads, if it may be followed: http(s) only, and (unless private addresses
/// are allowed) never to an internal host.
fn next_hop(
    current: &reqwest::Url,
    location: &str,
    allow_private: bool,
) -> Result<reqwest::Url, String> {
    let next = current
        .join(location)
        .map_err(|e| format!("redirected to an unreadable location: {e}"))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(format!("redirected to a {}: URL", next.scheme()));
    }
    if !allow_private && let Some(reason) = internal_host(&next) {
        return Err(format!("redirected to an internal address: {reason}"));
    }
    Ok(next)
}

fn url_escape(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The services of a page and whether it is the last, in either generation's envelope (3.0:
/// `contents`, `last_page`, `total_pages`; 1.0: `content`, `last`, `totalPages`) or a bare
/// array.
pub fn read_page(body: &Value, version: FeedVersion, number: u32) -> Page {
    let (items_key, last_key, total_key) = match version {
        FeedVersion::V3 => ("contents", "last_page", "total_pages"),
        FeedVersion::V1 => ("content", "last", "totalPages"),
    };
    let items: Vec<Value> = body
        .as_array()
        .or_else(|| body.get(items_key).and_then(Value::as_array))
        .or_else(|| body.get("contents").and_then(Value::as_array))
        .or_else(|| body.get("content").and_then(Value::as_array))
        .cloned()
        .unwrap_or_default();
    let said_last = body.get(last_key).and_then(Value::as_bool);
    let total = body.get(total_key).and_then(Value::as_u64);
    let last = items.is_empty()
        || said_last == Some(true)
        || total.is_some_and(|t| u64::from(number) >= t)
        || body.is_array();
    Page { items, last }
}

/// Whether a list item is a summary that needs its full record fetched.
pub fn is_summary(item: &Value) -> bool {
    item.get("service_at_locations").is_none()
        && item.get("schedules").is_none()
        && item.get("regular_schedules").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_next_url_inside_the_network_is_refused_without_a_request() {
        let client =
            FeedClient::new("https://feeds.example.org/rpde", FeedOptions::default()).unwrap();
        for url in [
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:5432/",
            "http://[::1]/x",
            "file:///etc/passwd",
        ] {
            let err = client.get_url(url).await.unwrap_err().to_string();
            assert!(
                err.contains("not a public address") || err.contains("http or https"),
                "{url}: {err}"
            );
        }
    }

    #[test]
    fn pages_end_where_the_feed_says() {
        let v3 = json!({"contents": [{"id": "a"}], "last_page": false, "total_pages": 2});
        assert!(!read_page(&v3, FeedVersion::V3, 1).last);
        assert!(read_page(&v3, FeedVersion::V3, 2).last);
        let v1 = json!({"content": [{"id": "a"}], "last": true, "totalPages": 9});
        assert!(read_page(&v1, FeedVersion::V1, 1).last);
        let empty = json!({"contents": []});
        assert!(read_page(&empty, FeedVersion::V3, 1).last);
        assert_eq!(
            read_page(&json!([{"id": 1}]), FeedVersion::V1, 1)
                .items
                .len(),
            1
        );
    }

    #[test]
    fn summaries_need_their_full_record() {
        assert!(is_summary(&json!({"id": "a", "name": "x"})));
        assert!(!is_summary(&json!({"id": "a", "schedules": []})));
    }

    #[test]
    fn ids_are_escaped_in_paths() {
        assert_eq!(url_escape("a b/c"), "a%20b%2Fc");
        assert_eq!(url_escape("60ed2bf8-f2ea"), "60ed2bf8-f2ea");
    }

    #[test]
    fn redirects_stay_on_public_web_addresses() {
        let here = reqwest::Url::parse("https://directory.example.org/oruk/services").unwrap();
        assert_eq!(
            next_hop(&here, "/oruk/v3/services", false)
                .unwrap()
                .as_str(),
            "https://directory.example.org/oruk/v3/services"
        );
        assert!(next_hop(&here, "https://mirror.example.net/oruk", false).is_ok());
        for internal in [
            "http://127.0.0.1:5432/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://localhost/admin",
            "http://10.1.2.3/oruk",
            "http://[64:ff9b:1::a9fe:a9fe]/",
        ] {
            let refused = next_hop(&here, internal, false).unwrap_err();
            assert!(
                refused.contains("internal address"),
                "{internal}: {refused}"
            );
            assert!(
                next_hop(&here, internal, true).is_ok(),
                "allowed when asked"
            );
        }
        assert!(next_hop(&here, "file:///etc/passwd", true).is_err());
        assert!(next_hop(&here, "gopher://example.org/", true).is_err());
    }

    #[test]
    fn internal_feeds_are_refused_unless_allowed() {
        let options = |allow_private| FeedOptions {
            allow_private,
            ..FeedOptions::default()
        };
        for url in [
            "http://127.0.0.1:8080/oruk",
            "http://localhost/oruk",
            "http://[fd00::1]/",
        ] {
            assert!(FeedClient::new(url, options(false)).is_err(), "{url}");
            assert!(FeedClient::new(url, options(true)).is_ok(), "{url}");
        }
    }

    #[test]
    fn only_web_urls_are_feeds() {
        assert!(FeedClient::new("ftp://example.org", FeedOptions::default()).is_err());
        assert!(FeedClient::new("not a url", FeedOptions::default()).is_err());
        let client = FeedClient::new("https://example.org/oruk/", FeedOptions::default()).unwrap();
        assert_eq!(client.base(), "https://example.org/oruk");
    }
}
