//! Postcode geocoding: the offline Code-Point Open index first; for full postcodes it cannot
//! place to unit precision, an optional postcodes.io-compatible service, asked with a short
//! timeout and cached, whose failure or slowness never fails the request: the offline answer
//! stands.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::postcode::Postcode;
use crate::domain::postcode_index::{LookupError, PostcodeIndex, PostcodeQuery, Precision};

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeocodeSource {
    /// The built-in Code-Point Open index.
    Offline,
    /// The configured online geocoder.
    Online,
}

/// A postcode placed on the map.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Geocoded {
    /// Normalised postcode, sector or district, e.g. `YO10 5DD`, `YO10 5`, `YO10`.
    #[schema(example = "M32 0JG")]
    pub postcode: String,
    /// Latitude of the point in decimal degrees (WGS 84).
    #[serde(rename = "lat")]
    #[schema(example = 53.455654)]
    pub latitude: f64,
    /// Longitude of the point in decimal degrees (WGS 84).
    #[serde(rename = "lon")]
    #[schema(example = -2.302836)]
    pub longitude: f64,
    /// How exactly the point is known: the postcode unit, or only its sector or district.
    pub precision: Precision,
    /// Where the answer came from: the built-in offline index or the online geocoder.
    pub source: GeocodeSource,
}

const CACHE_CAPACITY: usize = 10_000;
const CACHE_TTL: Duration = Duration::from_secs(24 * 3600);

/// A small bounded cache: oldest entries go first.
#[derive(Default)]
struct Cache {
    entries: HashMap<String, (Option<(f64, f64)>, Instant)>,
    order: VecDeque<String>,
}

impl Cache {
    fn get(&self, key: &str) -> Option<Option<(f64, f64)>> {
        self.entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(v, _)| *v)
    }

    fn put(&mut self, key: String, value: Option<(f64, f64)>) {
        if self
            .entries
            .insert(key.clone(), (value, Instant::now()))
            .is_none()
        {
            self.order.push_back(key);
        }
        while self.order.len() > CACHE_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
    }
}

pub struct OnlineGeocoder {
    client: reqwest::Client,
    base_url: reqwest::Url,
    cache: Mutex<Cache>,
}

#[derive(Deserialize)]
struct PostcodesIoResponse {
    result: Option<PostcodesIoResult>,
}

#[derive(Deserialize)]
struct PostcodesIoResult {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl OnlineGeocoder {
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let mut base_url = reqwest::Url::parse(base_url)?;
        if !base_url.path().ends_with('/') {
            base_url.set_path(&format!("{}/", base_url.path()));
        }
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .build()?,
            base_url,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// `Ok(None)`: the service says there is no such postcode. `Err`: it could not be asked.
    async fn lookup(&self, postcode: &Postcode) -> Result<Option<(f64, f64)>, String> {
        if let Some(hit) = self
            .cache
            .lock()
            .map_err(|e| e.to_string())?
            .get(postcode.as_str())
        {
            return Ok(hit);
        }
        let url = self
            .base_url
            .join(&format!(
                "postcodes/{}",
                postcode.as_str().replace(' ', "%20")
            ))
            .map_err(|e| e.to_string())?;
        // Errors drop the URL: it holds the postcode, which may be a person's.
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let found = match response.status().as_u16() {
            200 => {
                let body: PostcodesIoResponse = response
                    .json()
                    .await
                    .map_err(|e| e.without_url().to_string())?;
                body.result.and_then(|r| Some((r.latitude?, r.longitude?)))
            }
            404 => None,
            status => return Err(format!("the geocoder answered {status}")),
        };
        self.cache
            .lock()
            .map_err(|e| e.to_string())?
            .put(postcode.as_str().to_string(), found);
        Ok(found)
    }
}

pub struct Geocoder {
    online: Option<OnlineGeocoder>,
}

impl Geocoder {
    pub fn offline() -> Self {
        Self { online: None }
    }

    pub fn with_online(online: OnlineGeocoder) -> Self {
        Self {
            online: Some(online),
        }
    }

    pub async fn locate(&self, raw: &str) -> Result<Geocoded, LookupError> {
        let query = PostcodeQuery::parse(raw)?;
        let offline = PostcodeIndex::global().lookup(&query);
        if let (PostcodeQuery::Full(postcode), Some(online)) = (&query, &self.online)
            && !matches!(offline, Ok(l) if l.precision == Precision::Unit)
        {
            match online.lookup(postcode).await {
                Ok(Some((latitude, longitude))) => {
                    return Ok(Geocoded {
                        postcode: postcode.to_string(),
                        latitude,
                        longitude,
                        precision: Precision::Unit,
                        source: GeocodeSource::Online,
                    });
                }
                Ok(None) => {}
                // Slow or down: the offline answer is still a good answer.
                Err(reason) => {
                    tracing::warn!(%reason, "online geocoder unavailable; using the offline answer")
                }
            }
        }
        offline.map(|l| Geocoded {
            postcode: query.text().to_string(),
            latitude: l.lat,
            longitude: l.lon,
            precision: l.precision,
            source: GeocodeSource::Offline,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_is_bounded_and_keeps_negative_answers() {
        let mut cache = Cache::default();
        for i in 0..CACHE_CAPACITY + 10 {
            cache.put(format!("k{i}"), Some((1.0, 2.0)));
        }
        assert_eq!(cache.entries.len(), CACHE_CAPACITY);
        assert_eq!(cache.get("k0"), None, "oldest evicted");
        cache.put("missing".into(), None);
        assert_eq!(cache.get("missing"), Some(None));
    }
}
