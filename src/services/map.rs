//! The map's tiles: built from the database once, then served from a per-process cache until
//! a change touches them. A background reader takes, each second, the audit log's entries of
//! the transactions committed since its last look, and drops every cached tile, at every zoom,
//! that holds a place a change touched (where the asset is now and where it was). Entries also
//! expire, so that listings passing the freshness policy's "hidden" age leave the map.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::{
    self, DbPool,
    map::{CellRow, Snapshot},
};
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::map_tile::{TileId, tiles_holding};
use crate::error::ApiError;

/// A tile of the map, as GeoJSON.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapTile {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    /// Clusters and single assets, one per occupied grid cell of the tile.
    pub features: Vec<MapFeature>,
    /// How many assets the tile holds in all.
    #[schema(example = 412)]
    pub total: i64,
}

/// A cluster of assets close together on screen, or one asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub geometry: MapPoint,
    pub properties: MapFeatureProperties,
}

/// A GeoJSON Point: the cluster's mean position, or the asset's.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapPoint {
    /// Always `Point`.
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    /// Longitude then latitude (WGS 84), 6 decimal places.
    #[schema(example = json!([-2.302836, 53.455654]))]
    pub coordinates: [f64; 2],
}

/// What a feature stands for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapFeatureProperties {
    /// How many assets: 1 for a single asset.
    #[schema(example = 1)]
    pub count: i64,
    /// The asset's id (uuid), when `count` is 1; absent for a cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The asset's title, when `count` is 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Walking football for adults")]
    pub title: Option<String>,
    /// The asset's kind (`group`, `volunteering`, `course` or `activity`), when `count` is 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "activity")]
    pub kind: Option<String>,
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

pub fn tile_of(cells: Vec<CellRow>) -> MapTile {
    let total = cells.iter().map(|c| c.count).sum();
    MapTile {
        kind: "FeatureCollection",
        total,
        features: cells
            .into_iter()
            .map(|c| MapFeature {
                kind: "Feature",
                geometry: MapPoint {
                    kind: "Point",
                    coordinates: [round6(c.lon), round6(c.lat)],
                },
                properties: MapFeatureProperties {
                    count: c.count,
                    id: c.id,
                    title: c.title,
                    kind: c.kind,
                },
            })
            .collect(),
    }
}

/// A built tile, ready to send.
#[derive(Clone)]
pub struct Tile {
    pub body: Bytes,
    pub etag: String,
}

pub struct TileCache {
    entries: Mutex<HashMap<TileId, (Tile, Instant)>>,
    /// Bumped by every invalidation: a tile built while one happened is not kept, since its
    /// query may have read the data from before the change.
    epoch: AtomicU64,
    /// Tiles are kept only once the invalidator follows the log: one built before could miss
    /// a change the invalidator would never be shown.
    following: AtomicBool,
    capacity: usize,
    ttl: Duration,
}

/// Tiles kept per process by default: a few thousand cover every zoom of a county, at a few KB
/// each (at most 64 features below zoom 16).
pub const DEFAULT_CAPACITY: usize = 20_000;
const TTL: Duration = Duration::from_secs(600);

impl Default for TileCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY, TTL)
    }
}

impl TileCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self::new(capacity, TTL)
    }

    /// Keeps no tile when `capacity` is 0 (every tile is built for its request).
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            following: AtomicBool::new(false),
            capacity,
            ttl,
        }
    }

    fn get(&self, id: TileId) -> Option<Tile> {
        let entries = self.entries.lock().ok()?;
        let (tile, at) = entries.get(&id)?;
        (at.elapsed() < self.ttl).then(|| tile.clone())
    }

    fn put(&self, id: TileId, tile: Tile, epoch: u64) {
        if self.capacity == 0 || !self.following.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                // Crude but bounded: the tiles people look at are refilled quickly.
                entries.clear();
            }
        }
        entries.insert(id, (tile, Instant::now()));
    }

    /// From now on changes reach the cache: tiles may be kept.
    pub fn mark_following(&self) {
        self.following.store(true, Ordering::SeqCst);
    }

    /// Drops every tile holding any of the points (longitude, latitude); past a few thousand
    /// points (a large import), every tile.
    pub fn invalidate(&self, points: &[(f64, f64)]) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.lock() {
            if points.len() > 5_000 {
                entries.clear();
                return;
            }
            for &(lon, lat) in points {
                for id in tiles_holding(lon, lat) {
                    entries.remove(&id);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The tile, from the cache or built now.
pub async fn tile(
    pool: &DbPool,
    cache: &TileCache,
    freshness: &FreshnessPolicy,
    id: TileId,
) -> Result<Tile, ApiError> {
    if let Some(tile) = cache.get(id) {
        return Ok(tile);
    }
    let epoch = cache.epoch.load(Ordering::SeqCst);
    let mut conn = db::connect(pool).await?;
    let cells = db::map::cells(
        &mut conn,
        id.bounds(),
        id.grid(),
        freshness.hidden_before(chrono::Utc::now()),
    )
    .await?;
    let body = serde_json::to_vec(&tile_of(cells)).map_err(|e| ApiError::Internal(e.into()))?;
    let tile = Tile {
        etag: crate::middleware::conditional::digest_tag(&body),
        body: Bytes::from(body),
    };
    cache.put(id, tile.clone(), epoch);
    Ok(tile)
}

/// How often the change reader looks for new entries.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// Follows the audit log and drops the cached tiles its entries touch, for as long as the
/// process runs. Each read takes the entries of the transactions that committed since the
/// snapshot of the read before (see `db::map::committed_since`), so a change is seen about a
/// second after it commits, even while another transaction runs long.
pub fn spawn_invalidator(pool: DbPool, cache: std::sync::Arc<TileCache>) {
    tokio::spawn(async move {
        let mut seen = None;
        loop {
            if let Err(e) = follow(&pool, &cache, &mut seen).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "map tile invalidation failed; retrying"
                );
            }
            tokio::time::sleep(FOLLOW_EVERY).await;
        }
    });
}

/// One read of the log.
async fn follow(
    pool: &DbPool,
    cache: &TileCache,
    seen: &mut Option<Snapshot>,
) -> anyhow::Result<()> {
    let mut conn = db::connect(pool).await?;
    let Some(last) = seen.as_ref() else {
        // Nothing is cached yet: whatever committed before this snapshot is in every tile
        // built from now on.
        *seen = Some(db::map::snapshot(&mut conn).await?);
        cache.mark_following();
        return Ok(());
    };
    let (now, rows) = db::map::committed_since(&mut conn, last).await?;
    let points: Vec<(f64, f64)> = rows
        .iter()
        .flat_map(|r| [(r.lon_now, r.lat_now), (r.lon_before, r.lat_before)])
        .filter_map(|(lon, lat)| Some((lon?, lat?)))
        .collect();
    if !rows.is_empty() {
        cache.invalidate(&points);
    }
    *seen = Some(now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(n: u8) -> Tile {
        Tile {
            body: Bytes::from(vec![n]),
            etag: format!("\"{n}\""),
        }
    }

    #[test]
    fn a_change_drops_the_tiles_holding_it_at_every_zoom_and_no_others() {
        let cache = TileCache::default();
        cache.mark_following();
        let stretford = TileId::containing(14, -2.3097, 53.4466).unwrap();
        let york = TileId::containing(14, -1.0815, 53.9590).unwrap();
        let country = TileId::containing(5, -2.3097, 53.4466).unwrap();
        for (i, id) in [stretford, york, country].into_iter().enumerate() {
            cache.put(id, tile(i as u8), 0);
        }
        cache.invalidate(&[(-2.3101, 53.4470)]);
        assert!(cache.get(stretford).is_none());
        assert!(cache.get(country).is_none());
        assert_eq!(cache.get(york).unwrap().etag, "\"1\"");
    }

    #[test]
    fn a_tile_built_across_a_change_is_not_kept() {
        let cache = TileCache::default();
        cache.mark_following();
        let id = TileId::new(10, 500, 300).unwrap();
        let epoch = cache.epoch.load(Ordering::SeqCst);
        cache.invalidate(&[(0.0, 0.0)]);
        cache.put(id, tile(1), epoch);
        assert!(cache.get(id).is_none());
    }

    #[test]
    fn the_cache_stays_within_its_capacity_and_forgets_old_tiles() {
        let cache = TileCache::new(3, Duration::from_secs(600));
        cache.mark_following();
        for x in 0..10 {
            cache.put(TileId::new(4, x, 0).unwrap(), tile(x as u8), 0);
            assert!(cache.len() <= 3);
        }
        let none = TileCache::new(0, Duration::from_secs(600));
        none.put(TileId::new(0, 0, 0).unwrap(), tile(0), 0);
        assert!(none.is_empty());
        let short = TileCache::new(10, Duration::ZERO);
        short.mark_following();
        short.put(TileId::new(0, 0, 0).unwrap(), tile(0), 0);
        assert!(short.get(TileId::new(0, 0, 0).unwrap()).is_none());
    }

    #[test]
    fn nothing_is_kept_until_the_log_is_followed() {
        let cache = TileCache::default();
        let id = TileId::new(0, 0, 0).unwrap();
        cache.put(id, tile(0), 0);
        assert!(cache.get(id).is_none());
        cache.mark_following();
        cache.put(id, tile(0), 0);
        assert!(cache.get(id).is_some());
    }

    #[test]
    fn cells_become_clusters_and_single_assets() {
        let id = Uuid::nil();
        let t = tile_of(vec![
            CellRow {
                count: 12,
                lon: -2.1234567,
                lat: 53.1,
                id: None,
                title: None,
                kind: None,
            },
            CellRow {
                count: 1,
                lon: -2.2,
                lat: 53.2,
                id: Some(id),
                title: Some("Chess club".into()),
                kind: Some("group".into()),
            },
        ]);
        assert_eq!(t.total, 13);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json["features"][0]["properties"],
            serde_json::json!({"count": 12})
        );
        assert_eq!(json["features"][0]["geometry"]["coordinates"][0], -2.123457);
        assert_eq!(json["features"][1]["properties"]["title"], "Chess club");
    }
}
