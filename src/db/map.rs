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
    #[diesel(sql_type = BigInt)]
    pub txid: i64,
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub lon_now: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lat_now: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lon_before: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub lat_before: Option<f64>,
}

/// Up to `limit` asset and venue entries of the audit log after `(txid, id)`, in the change
/// feed's order and only as far as it serves (see migration 000008).
pub async fn touched_after(
    conn: &mut AsyncPgConnection,
    position: (i64, i64),
    limit: i64,
) -> DbResult<Vec<TouchedRow>> {
    Ok(diesel::sql_query(
        "SELECT e.txid::text::bigint AS txid, e.id, \
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
           AND e.txid < pg_snapshot_xmin(pg_current_snapshot()) \
           AND (e.txid, e.id) > ($1::text::xid8, $2) \
         ORDER BY e.txid, e.id \
         LIMIT $3",
    )
    .bind::<Text, _>(position.0.to_string())
    .bind::<BigInt, _>(position.1)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = BigInt)]
    txid: i64,
}

/// The position before every change not yet visible: where a reader that starts with nothing
/// cached begins.
pub async fn horizon(conn: &mut AsyncPgConnection) -> DbResult<(i64, i64)> {
    let h: Horizon = diesel::sql_query(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1 AS txid",
    )
    .get_result(conn)
    .await?;
    Ok((h.txid, i64::MAX))
}
