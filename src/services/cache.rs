//! A small per-process cache of lookups by phrase, with a time to live. Used for things that
//! change only when a release loads new reference data (the interest vocabulary), so a few
//! minutes' staleness across instances is harmless.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct TtlCache<V> {
    entries: Mutex<HashMap<String, (V, Instant)>>,
    ttl: Duration,
    capacity: usize,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
            ttl,
            capacity,
        }
    }

    /// The value stored under the phrase (compared normalised), if still fresh.
    pub fn get(&self, phrase: &str) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let (value, at) = entries.get(&crate::domain::phrase::normalise(phrase))?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Forgets everything (the data the values were worked out from changed).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    pub fn put(&self, phrase: &str, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            // Crude but bounded: the vocabulary is small, so a full cache is rare.
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(
                crate::domain::phrase::normalise(phrase),
                (value, Instant::now()),
            );
        }
    }
}

const TTL: Duration = Duration::from_secs(300);
const CAPACITY: usize = 5_000;

impl<V: Clone> Default for TtlCache<V> {
    fn default() -> Self {
        TtlCache::new(TTL, CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_normalised_phrase_until_they_expire() {
        let cache = TtlCache::new(Duration::from_millis(50), 10);
        cache.put("Five-a-side", 5);
        assert_eq!(cache.get("five a side"), Some(5));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("five a side"), None);
    }

    #[test]
    fn the_cache_stays_within_capacity() {
        let cache = TtlCache::new(Duration::from_secs(60), 2);
        cache.put("a", 1);
        cache.put("b", 2);
        cache.put("c", 3);
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.get("c"), Some(3));
    }
}
