//! The coverage report's reads: the published assets within reach of a point, and the nearest
//! asset of each interest domain that has none in reach.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Double, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::DbResult;
use crate::domain::geometry::LatLon;

/// Where to look, and which listings count.
pub struct Reach {
    /// The centre: of the circle, or of a drawn area.
    pub point: LatLon,
    pub radius_m: f64,
    /// A drawn area (GeoJSON) instead of the circle.
    pub area: Option<String>,
    /// Listings last confirmed before this are left out, as from default searches.
    pub hidden_before: DateTime<Utc>,
    /// Listings last confirmed before this are stale.
    pub stale_before: DateTime<Utc>,
}

#[derive(QueryableByName)]
pub struct ReachedRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Array<Text>)]
    pub five_ways: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub domains: Vec<String>,
    #[diesel(sql_type = Bool)]
    pub free: bool,
    #[diesel(sql_type = Jsonb)]
    pub sessions: Value,
    #[diesel(sql_type = Bool)]
    pub step_free: bool,
    #[diesel(sql_type = Bool)]
    pub non_stigmatised: bool,
    #[diesel(sql_type = Bool)]
    pub stale: bool,
    #[diesel(sql_type = Double)]
    pub lat: f64,
    #[diesel(sql_type = Double)]
    pub lon: f64,
}

const LAST_CONFIRMED: &str = "coalesce(a.confirmed_at, a.created_at)";

pub async fn reached(conn: &mut AsyncPgConnection, r: &Reach) -> DbResult<Vec<ReachedRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT a.id, a.kind, a.five_ways, \
                coalesce((SELECT array_agg(DISTINCT t.domain ORDER BY t.domain) FROM interest_terms t \
                          WHERE t.id = ANY(a.interest_ids)), '{{}}') AS domains, \
                coalesce(a.cost_free, false) AS free, a.sessions, \
                coalesce('step_free_access' = ANY(a.accessibility), false) AS step_free, \
                coalesce(a.non_stigmatised, false) AS non_stigmatised, \
                {LAST_CONFIRMED} < $5 AS stale, \
                ST_Y(c.pt) AS lat, ST_X(c.pt) AS lon \
         FROM assets a \
         CROSS JOIN LATERAL (SELECT ST_ClosestPoint(a.geom::geometry, \
                             ST_SetSRID(ST_MakePoint($2, $1), 4326)) AS pt) c \
         WHERE a.status = 'published' \
           AND CASE WHEN $6::text IS NULL \
                    THEN ST_DWithin(a.geom, ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography, $3, false) \
                    ELSE ST_Intersects(a.geom, ST_GeomFromGeoJSON($6)::geography) END \
           AND {LAST_CONFIRMED} >= $4"
    ))
    .bind::<Double, _>(r.point.lat)
    .bind::<Double, _>(r.point.lon)
    .bind::<Double, _>(crate::domain::geometry::reach_as_shown(r.radius_m))
    .bind::<Timestamptz, _>(r.hidden_before)
    .bind::<Timestamptz, _>(r.stale_before)
    .bind::<Nullable<Text>, _>(r.area.as_deref())
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Domain {
    #[diesel(sql_type = Text)]
    domain: String,
}

/// Every interest domain of the vocabulary.
pub async fn domains(conn: &mut AsyncPgConnection) -> DbResult<Vec<String>> {
    let rows: Vec<Domain> =
        diesel::sql_query("SELECT DISTINCT domain FROM interest_terms ORDER BY domain")
            .load(conn)
            .await?;
    Ok(rows.into_iter().map(|d| d.domain).collect())
}

#[derive(QueryableByName)]
pub struct NearestRow {
    #[diesel(sql_type = Text)]
    pub domain: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub asset_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_m: Option<f64>,
}

/// For each domain, the nearest listed asset with an interest in it (anywhere), by the
/// spatial index's nearest-first order.
pub async fn nearest(
    conn: &mut AsyncPgConnection,
    r: &Reach,
    domains: &[String],
) -> DbResult<Vec<NearestRow>> {
    Ok(diesel::sql_query(format!(
        "WITH p AS (SELECT ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography AS g, \
                           ST_GeomFromGeoJSON($5)::geography AS area) \
         SELECT d.domain, n.id AS asset_id, n.title, n.distance_m \
         FROM unnest($3::text[]) AS d(domain) \
         LEFT JOIN LATERAL ( \
             SELECT a.id, a.title, ST_Distance(a.geom, coalesce(p.area, p.g), false) AS distance_m \
             FROM assets a, p \
             WHERE a.status = 'published' AND a.geom IS NOT NULL AND {LAST_CONFIRMED} >= $4 \
               AND EXISTS (SELECT 1 FROM interest_terms t \
                           WHERE t.id = ANY(a.interest_ids) AND t.domain = d.domain) \
             ORDER BY a.geom <-> p.g LIMIT 1) n ON true \
         ORDER BY d.domain"
    ))
    .bind::<Double, _>(r.point.lat)
    .bind::<Double, _>(r.point.lon)
    .bind::<Array<Text>, _>(domains.to_vec())
    .bind::<Timestamptz, _>(r.hidden_before)
    .bind::<Nullable<Text>, _>(r.area.as_deref())
    .load(conn)
    .await?)
}
