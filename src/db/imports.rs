//! Queries of the importers: import runs and their progress, and finding what an earlier
//! import (or an agency) already stored for a source record.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Double, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::attribution::Attribution;

use super::DbResult;
use super::schema::{assets, import_links, imports, organizations, venues};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports, check_for_backend(diesel::pg::Pg))]
pub struct ImportRow {
    pub id: Uuid,
    pub format: String,
    pub source: String,
    pub organization_id: Option<Uuid>,
    pub status: String,
    pub detected_version: Option<String>,
    pub pages: i32,
    pub seen: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub linked: i32,
    pub archived: i32,
    pub skipped: i32,
    pub failed: i32,
    pub errors: serde_json::Value,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    format: &str,
    source: &str,
    organization_id: Option<Uuid>,
) -> DbResult<ImportRow> {
    Ok(diesel::insert_into(imports::table)
        .values((
            imports::id.eq(id),
            imports::format.eq(format),
            imports::source.eq(source),
            imports::organization_id.eq(organization_id),
            imports::status.eq("queued"),
        ))
        .returning(ImportRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<ImportRow>> {
    Ok(imports::table
        .find(id)
        .select(ImportRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Runs newest first, after `before` (a run's creation time and id) when given.
pub async fn list(
    conn: &mut AsyncPgConnection,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<ImportRow>> {
    let mut query = imports::table
        .select(ImportRow::as_select())
        .order((imports::created_at.desc(), imports::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        query = query.filter(
            imports::created_at
                .lt(at)
                .or(imports::created_at.eq(at).and(imports::id.lt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

/// The counters and errors of a run so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub pages: i32,
    pub seen: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub linked: i32,
    pub archived: i32,
    pub skipped: i32,
    pub failed: i32,
}

pub async fn start(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq("running"),
            imports::started_at.eq(diesel::dsl::now),
            imports::heartbeat_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record_progress(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: Option<&str>,
    p: &Progress,
    errors: &serde_json::Value,
) -> DbResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::detected_version.eq(version),
            imports::pages.eq(p.pages),
            imports::seen.eq(p.seen),
            imports::created.eq(p.created),
            imports::updated.eq(p.updated),
            imports::unchanged.eq(p.unchanged),
            imports::linked.eq(p.linked),
            imports::archived.eq(p.archived),
            imports::skipped.eq(p.skipped),
            imports::failed.eq(p.failed),
            imports::errors.eq(errors),
            imports::heartbeat_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    error: Option<&str>,
) -> DbResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq(status),
            imports::error.eq(error),
            imports::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A run that has not reported for this long belongs to a process that stopped: a page takes
/// at most four tries of the feed's 30 s timeout.
pub const STALE_AFTER_MINUTES: i64 = 5;

/// Marks these runs (this process's, as it shuts down) failed: their last page was rolled back.
pub async fn fail_stopped(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<usize> {
    Ok(diesel::update(
        imports::table
            .filter(imports::id.eq_any(ids))
            .filter(imports::status.eq_any(["queued", "running"])),
    )
    .set((
        imports::status.eq("failed"),
        imports::error.eq(
            "the service shut down while this import ran; the page being read was \
             not kept; run it again (it picks up where the data stands)",
        ),
        imports::finished_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?)
}

/// Runs left queued or running by a process that stopped: they can never finish now.
pub async fn fail_interrupted(conn: &mut AsyncPgConnection) -> DbResult<usize> {
    // Another instance sharing the database may be running an import right now: only runs
    // that have not reported for longer than a page can take are abandoned.
    let silent_since = chrono::Utc::now() - chrono::Duration::minutes(STALE_AFTER_MINUTES);
    Ok(diesel::update(
        imports::table
            .filter(imports::status.eq_any(["queued", "running"]))
            .filter(
                diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
                    "coalesce(heartbeat_at, started_at, created_at)",
                )
                .lt(silent_since),
            ),
    )
    .set((
            imports::status.eq("failed"),
            imports::error.eq("the service stopped while this import ran; run it again (it picks up where the data stands)"),
            imports::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?)
}

/// What an earlier import stored for a source record.
#[derive(Debug, Clone, Queryable)]
pub struct Stored {
    pub id: Uuid,
    pub version: i32,
    pub status: String,
    pub digest: Option<String>,
}

pub async fn asset_by_source(
    conn: &mut AsyncPgConnection,
    source: &str,
    source_id: &str,
) -> DbResult<Option<Stored>> {
    Ok(assets::table
        .filter(assets::source.eq(source))
        .filter(assets::source_id.eq(source_id))
        .select((
            assets::id,
            assets::version,
            assets::status,
            assets::source_digest,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn link_for(
    conn: &mut AsyncPgConnection,
    source: &str,
    source_id: &str,
) -> DbResult<Option<Uuid>> {
    Ok(import_links::table
        .filter(import_links::source.eq(source))
        .filter(import_links::source_id.eq(source_id))
        .select(import_links::asset_id)
        .first(conn)
        .await
        .optional()?)
}

pub async fn insert_link(
    conn: &mut AsyncPgConnection,
    source: &str,
    source_id: &str,
    asset_id: Uuid,
    reason: &str,
) -> DbResult<()> {
    diesel::insert_into(import_links::table)
        .values((
            import_links::source.eq(source),
            import_links::source_id.eq(source_id),
            import_links::asset_id.eq(asset_id),
            import_links::reason.eq(reason),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// What only an import sets on an asset.
pub async fn set_asset_provenance(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    tags: &[String],
    digest: &str,
    confirmed_at: Option<DateTime<Utc>>,
    attribution: Option<&Attribution>,
    published: bool,
) -> DbResult<()> {
    let target = assets::table.find(id);
    diesel::update(target)
        .set((
            assets::source_tags.eq(tags),
            assets::source_digest.eq(digest),
            assets::confirmed_at.eq(confirmed_at),
            assets::attribution.eq(attribution.and_then(|a| serde_json::to_value(a).ok())),
        ))
        .execute(conn)
        .await?;
    if !tags.is_empty() {
        super::search::refresh(conn, &[id]).await?;
    }
    if published {
        diesel::update(target.filter(assets::status.ne("published")))
            .set((
                assets::status.eq("published"),
                assets::published_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// This source's assets, not archived yet, that the latest complete run did not see.
pub async fn missing(
    conn: &mut AsyncPgConnection,
    source: &str,
    seen: &[String],
) -> DbResult<Vec<Uuid>> {
    Ok(assets::table
        .filter(assets::source.eq(source))
        .filter(assets::status.ne("archived"))
        .filter(diesel::dsl::not(assets::source_id.eq_any(seen)))
        .select(assets::id)
        .order(assets::id)
        .load(conn)
        .await?)
}

/// An organisation or venue stored by an earlier import of this source.
pub async fn organization_by_source(
    conn: &mut AsyncPgConnection,
    source: &str,
    source_id: &str,
) -> DbResult<Option<(Uuid, Option<String>)>> {
    Ok(organizations::table
        .filter(organizations::source.eq(source))
        .filter(organizations::source_id.eq(source_id))
        .select((organizations::id, organizations::source_digest))
        .first(conn)
        .await
        .optional()?)
}

pub async fn set_organization_digest(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    digest: &str,
) -> DbResult<()> {
    diesel::update(organizations::table.find(id))
        .set(organizations::source_digest.eq(digest))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Organisations not from `source` whose name is this one, ignoring case, punctuation and
/// spacing. (Within one source, organisations are told apart by their ids.)
pub async fn organizations_named(
    conn: &mut AsyncPgConnection,
    name: &str,
    source: &str,
) -> DbResult<Vec<Uuid>> {
    let rows: Vec<IdRow> = diesel::sql_query(
        "SELECT id FROM organizations \
         WHERE btrim(regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g')) \
             = btrim(regexp_replace(lower($1), '[^[:alnum:]]+', ' ', 'g')) \
           AND source IS DISTINCT FROM $2 \
         ORDER BY created_at, id",
    )
    .bind::<Text, _>(name)
    .bind::<Text, _>(source)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

pub async fn venue_by_source(
    conn: &mut AsyncPgConnection,
    source: &str,
    source_id: &str,
) -> DbResult<Option<(Uuid, Option<String>)>> {
    Ok(venues::table
        .filter(venues::source.eq(source))
        .filter(venues::source_id.eq(source_id))
        .select((venues::id, venues::source_digest))
        .first(conn)
        .await
        .optional()?)
}

pub async fn set_venue_digest(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    digest: &str,
) -> DbResult<()> {
    diesel::update(venues::table.find(id))
        .set(venues::source_digest.eq(digest))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
}

/// Assets of these organisations, not from `source` and not archived, at a venue within
/// `metres` of the point (or, with no point, with no venue either): the candidates the
/// duplicate rule compares titles with.
pub async fn duplicate_candidates(
    conn: &mut AsyncPgConnection,
    organization_ids: &[Uuid],
    source: &str,
    point: Option<(f64, f64)>,
    metres: f64,
) -> DbResult<Vec<(Uuid, String)>> {
    let rows: Vec<Candidate> = diesel::sql_query(
        "SELECT a.id, a.title FROM assets a LEFT JOIN venues v ON v.id = a.venue_id \
         WHERE a.organization_id = ANY ($1) AND a.status <> 'archived' \
           AND a.source IS DISTINCT FROM $2 \
           AND CASE WHEN $3::float8 IS NULL THEN a.venue_id IS NULL \
               ELSE v.location IS NOT NULL AND ST_DWithin(v.location, \
                    ST_SetSRID(ST_MakePoint($4, $3), 4326)::geography, $5) END \
         ORDER BY a.created_at, a.id LIMIT 50",
    )
    .bind::<Array<SqlUuid>, _>(organization_ids)
    .bind::<Text, _>(source)
    .bind::<Nullable<Double>, _>(point.map(|(lat, _)| lat))
    .bind::<Nullable<Double>, _>(point.map(|(_, lon)| lon))
    .bind::<Double, _>(metres)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|c| (c.id, c.title)).collect())
}

/// Public venues within `metres` of the point that did not come from `source` (a source's own
/// venues are told apart by its ids), nearest first: the places an imported venue may be.
pub async fn venues_near(
    conn: &mut AsyncPgConnection,
    source: &str,
    (lat, lon): (f64, f64),
    metres: f64,
) -> DbResult<Vec<(Uuid, String)>> {
    let rows: Vec<Candidate> = diesel::sql_query(
        "SELECT v.id, v.name AS title FROM venues v \
         WHERE v.status = 'published' AND v.location IS NOT NULL \
           AND v.source IS DISTINCT FROM $1 \
           AND ST_DWithin(v.location, ST_SetSRID(ST_MakePoint($3, $2), 4326)::geography, $4) \
         ORDER BY v.location <-> ST_SetSRID(ST_MakePoint($3, $2), 4326)::geography, v.id \
         LIMIT 20",
    )
    .bind::<Text, _>(source)
    .bind::<Double, _>(lat)
    .bind::<Double, _>(lon)
    .bind::<Double, _>(metres)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.title)).collect())
}
