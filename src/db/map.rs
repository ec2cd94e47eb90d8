//! The map's queries: the published directory gathered into a tile's grid cells, and the places
//! recent changes touched (so cached tiles there can be dropped).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Int4, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use crate::domain::map_tile::{Bounds, mercator_y};

/// One grid cell of a tile that holds at least one asset.
#[derive(QueryableByName, Debug, Clone, PartialEq)]
pub struct CellRow {
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// The cell's assets' mean position.
    #[diesel(sql_type = Double)]
    pub lon: f64,
    #[diesel(sql_type = Double)]
    pub lat: f64,
    /// The asset, when the cell holds just one.
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kind: Option<String>,
}

/// The published assets with a point inside the tile (west and north edges inclusive, so a
/// point on a shared edge is drawn once), listed as default searches list them (not hidden
/// as long unconfirmed), counted per cell of a `grid`×`grid` split of the tile in Web
/// Mercator. The `&&` test walks the planar GiST index on `geom::geometry`.
pub async fn cells(
    conn: &mut AsyncPgConnection,
    bounds: Bounds,
    grid: u32,
    hidden_before: DateTime<Utc>,
) -> DbResult<Vec<CellRow>> {
    Ok(diesel::sql_query(
        "SELECT count(*) AS count, avg(p.lon) AS lon, avg(p.lat) AS lat, \
                CASE WHEN count(*) = 1 THEN (array_agg(p.id))[1] END AS id, \
                CASE WHEN count(*) = 1 THEN min(p.title) END AS title, \
                CASE WHEN count(*) = 1 THEN min(p.kind) END AS kind \
         FROM (SELECT a.id, a.title, a.kind, \
                      ST_X(a.geom::geometry) AS lon, ST_Y(a.geom::geometry) AS lat \
               FROM assets a \
               WHERE a.status = 'published' AND a.geom_plane IS NOT NULL \
                 AND a.geom::geometry && ST_MakeEnvelope($1, $2, $3, $4, 4326) \
                 AND coalesce(a.confirmed_at, a.created_at) >= $8) p \
         WHERE p.lon >= $1 AND p.lon < $3 AND p.lat > $2 AND p.lat <= $4 \
         GROUP BY least(floor((p.lon - $1) / ($3 - $1) * $5), $5 - 1), \
                  least(floor(($6 - ln(tan(pi() / 4 + radians(p.lat) / 2))) / ($6 - $7) * $5), $5 - 1)",
    )
    .bind::<Double, _>(bounds.west)
    .bind::<Double, _>(bounds.south)
    .bind::<Double, _>(bounds.east)
    .bind::<Double, _>(bounds.north)
    .bind::<Int4, _>(grid as i32)
    .bind::<Double, _>(mercator_y(bounds.north))
    .bind::<Double, _>(mercator_y(bounds.south))
    .bind::<Timestamptz, _>(hidden_before)
    .load(conn)
    .await?)
}

/// A change to an asset or a venue, with the points on the map it may have changed: where
/// the asset is now and where its venue was before, or where a venue was and is.
#[derive(QueryableByName, Debug, Clone)]
pub struct TouchedRow {
    /// The statement's snapshot (`pg_current_snapshot()`), on every row.
    #[diesel(sql_type = Text)]
    pub snapshot: String,
    /// `None` on the one row of an answer with no entries.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub id: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lon_now: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lat_now: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lon_before: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lat_before: Option<f64>,
}

/// Which transactions a snapshot saw as finished: every one below `xmin`, and the ones below
/// `xmax` not listed as running (`pg_current_snapshot()` as text: `xmin:xmax:xip,xip,…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub xmin: u64,
    pub xmax: u64,
    pub running: Vec<u64>,
}

impl Snapshot {
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, ':');
        let xmin = parts.next()?.parse().ok()?;
        let xmax = parts.next()?.parse().ok()?;
        let running = match parts.next()? {
            "" => Vec::new(),
            list => list
                .split(',')
                .map(|t| t.parse().ok())
                .collect::<Option<Vec<u64>>>()?,
        };
        Some(Self {
            xmin,
            xmax,
            running,
        })
    }
}

/// The asset and venue entries of the audit log whose transactions committed after `seen`
/// was taken (those at or past its `xmax`, and those it listed as running), with the snapshot
/// they were read in. Entries become visible a whole transaction at a time, so reading
/// snapshot to snapshot misses none, however long a transaction runs or in what order
/// transactions commit.
pub async fn committed_since(
    conn: &mut AsyncPgConnection,
    seen: &Snapshot,
) -> DbResult<(Snapshot, Vec<TouchedRow>)> {
    let running: Vec<String> = seen.running.iter().map(u64::to_string).collect();
    let rows: Vec<TouchedRow> = diesel::sql_query(
        "SELECT pg_current_snapshot()::text AS snapshot, r.* \
         FROM (SELECT 1) one LEFT JOIN LATERAL ( \
           SELECT e.id, \
                  ST_X(coalesce(a.geom_point, vn.location::geometry)) AS lon_now, \
                  ST_Y(coalesce(a.geom_point, vn.location::geometry)) AS lat_now, \
                  ST_X(coalesce(vb.location::geometry, ST_GeomFromGeoJSON(e.before->'location'))) AS lon_before, \
                  ST_Y(coalesce(vb.location::geometry, ST_GeomFromGeoJSON(e.before->'location'))) AS lat_before \
           FROM audit_events e \
           LEFT JOIN LATERAL (SELECT x.geom::geometry AS geom_point FROM assets x \
                              WHERE e.entity_type = 'asset' AND x.id = e.entity_id \
                                AND x.geom_plane IS NOT NULL) a ON true \
           LEFT JOIN venues vb ON e.entity_type = 'asset' \
                              AND vb.id = (e.before->>'venue_id')::uuid \
           LEFT JOIN venues vn ON e.entity_type = 'venue' AND vn.id = e.entity_id \
           WHERE e.entity_type IN ('asset', 'venue') \
             AND e.txid >= $1::text::xid8 \
             AND (e.txid >= $2::text::xid8 OR e.txid::text = ANY ($3))) r ON true",
    )
    .bind::<Text, _>(seen.xmin.to_string())
    .bind::<Text, _>(seen.xmax.to_string())
    .bind::<diesel::sql_types::Array<Text>, _>(running)
    .load(conn)
    .await?;
    let snapshot = <[TouchedRow]>::first(&rows)
        .and_then(|r| Snapshot::parse(&r.snapshot))
        .ok_or_else(|| super::DbError::Other(anyhow::anyhow!("no snapshot in the answer")))?;
    Ok((
        snapshot,
        rows.into_iter().filter(|r| r.id.is_some()).collect(),
    ))
}

#[derive(QueryableByName)]
struct Current {
    #[diesel(sql_type = Text)]
    snapshot: String,
}

/// The database's snapshot now: where a reader that starts with nothing cached begins.
pub async fn snapshot(conn: &mut AsyncPgConnection) -> DbResult<Snapshot> {
    let now: Current = diesel::sql_query("SELECT pg_current_snapshot()::text AS snapshot")
        .get_result(conn)
        .await?;
    Snapshot::parse(&now.snapshot).ok_or_else(|| {
        super::DbError::Other(anyhow::anyhow!("unreadable snapshot {}", now.snapshot))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_read_as_postgresql_writes_them() {
        assert_eq!(
            Snapshot::parse("751:755:751,753"),
            Some(Snapshot {
                xmin: 751,
                xmax: 755,
                running: vec![751, 753]
            })
        );
        assert_eq!(
            Snapshot::parse("10:10:").unwrap().running,
            Vec::<u64>::new()
        );
        assert_eq!(Snapshot::parse("10:x:"), None);
    }
}
