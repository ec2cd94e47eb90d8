//! The harvester's tables: registered sources, each feed's cursor and lease, and every item
//! read. An unchanged item (same `modified`, same state) writes nothing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::DbResult;
use super::schema::{openactive_feeds, openactive_items, openactive_sources};
use crate::openactive::rpde::Item;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = openactive_sources, check_for_backend(diesel::pg::Pg))]
pub struct SourceRow {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Option<Uuid>,
    pub licence: String,
    pub attribution: String,
    pub attribution_url: Option<String>,
    pub poll_interval_secs: i32,
    pub enabled: bool,
    #[diesel(skip_insertion)]
    pub rejected: i64,
    #[diesel(skip_insertion)]
    pub record_errors: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = openactive_feeds, check_for_backend(diesel::pg::Pg))]
pub struct FeedRow {
    pub id: Uuid,
    pub source_id: Uuid,
    pub url: String,
    pub next_url: String,
    pub at_end: bool,
    pub due_at: DateTime<Utc>,
    pub leased_until: Option<DateTime<Utc>>,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub consecutive_failures: i32,
    pub last_error: Option<String>,
    pub items_read: i64,
    pub pages_read: i64,
}

pub async fn insert_source(
    conn: &mut AsyncPgConnection,
    source: &SourceRow,
    feeds: &[String],
) -> DbResult<()> {
    diesel::insert_into(openactive_sources::table)
        .values(source)
        .execute(conn)
        .await?;
    let rows: Vec<_> = feeds
        .iter()
        .map(|url| {
            (
                openactive_feeds::id.eq(Uuid::new_v4()),
                openactive_feeds::source_id.eq(source.id),
                openactive_feeds::url.eq(url),
                openactive_feeds::next_url.eq(url),
            )
        })
        .collect();
    diesel::insert_into(openactive_feeds::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Saves a source's settings, and its credit on every listing it produced.
pub async fn update_source(
    conn: &mut AsyncPgConnection,
    source: &SourceRow,
    listings_source: &str,
    attribution: &Value,
) -> DbResult<()> {
    diesel::update(openactive_sources::table.find(source.id))
        .set((
            openactive_sources::name.eq(&source.name),
            openactive_sources::licence.eq(&source.licence),
            openactive_sources::attribution.eq(&source.attribution),
            openactive_sources::attribution_url.eq(&source.attribution_url),
            openactive_sources::poll_interval_secs.eq(source.poll_interval_secs),
            openactive_sources::enabled.eq(source.enabled),
            openactive_sources::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    diesel::sql_query(
        "UPDATE assets SET attribution = $2 WHERE source = $1 AND attribution IS DISTINCT FROM $2",
    )
    .bind::<Text, _>(listings_source)
    .bind::<Jsonb, _>(attribution)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_source(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<SourceRow>> {
    Ok(openactive_sources::table
        .find(id)
        .select(SourceRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Sources newest first, after `before` (creation time and id) when given.
pub async fn list_sources(
    conn: &mut AsyncPgConnection,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<SourceRow>> {
    let mut query = openactive_sources::table
        .select(SourceRow::as_select())
        .order((
            openactive_sources::created_at.desc(),
            openactive_sources::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = before {
        query = query.filter(
            openactive_sources::created_at
                .lt(at)
                .or(openactive_sources::created_at
                    .eq(at)
                    .and(openactive_sources::id.lt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

pub async fn feeds_of(conn: &mut AsyncPgConnection, sources: &[Uuid]) -> DbResult<Vec<FeedRow>> {
    Ok(openactive_feeds::table
        .filter(openactive_feeds::source_id.eq_any(sources))
        .order((openactive_feeds::source_id, openactive_feeds::url))
        .select(FeedRow::as_select())
        .load(conn)
        .await?)
}

/// Makes every feed of the source due now; none counts as caught up until it has read its last
/// page again.
pub async fn poll_now(conn: &mut AsyncPgConnection, source: Uuid) -> DbResult<()> {
    diesel::update(openactive_feeds::table.filter(openactive_feeds::source_id.eq(source)))
        .set((
            openactive_feeds::due_at.eq(diesel::dsl::now),
            openactive_feeds::at_end.eq(false),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the feed most overdue among enabled sources for `lease_secs`, if any is due and not
/// held by another process (or its holder's lease ran out: it died).
pub async fn claim_due(conn: &mut AsyncPgConnection, lease_secs: i32) -> DbResult<Option<FeedRow>> {
    Ok(diesel::sql_query(
        "UPDATE openactive_feeds f SET leased_until = now() + make_interval(secs => $1), \
                last_polled_at = now() \
         WHERE f.id = (SELECT f2.id FROM openactive_feeds f2 \
                       JOIN openactive_sources s ON s.id = f2.source_id \
                       WHERE s.enabled AND f2.due_at <= now() \
                         AND (f2.leased_until IS NULL OR f2.leased_until < now()) \
                       ORDER BY f2.due_at LIMIT 1 FOR UPDATE OF f2 SKIP LOCKED) \
         RETURNING f.*",
    )
    .bind::<diesel::sql_types::Int4, _>(lease_secs)
    .get_result(conn)
    .await
    .optional()?)
}

/// A page committed: the cursor moves to `next`; on the last page the feed is polled again
/// after `poll_secs`, else it stays due (its lease is extended for the next page).
pub async fn page_done(
    conn: &mut AsyncPgConnection,
    feed: Uuid,
    next: &str,
    items: i64,
    last: bool,
    poll_secs: i32,
    lease_secs: i32,
) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE openactive_feeds SET next_url = $2, at_end = $3, \
            items_read = items_read + $4, pages_read = pages_read + 1, \
            last_success_at = now(), failing_since = NULL, consecutive_failures = 0, \
            last_error = NULL, \
            due_at = CASE WHEN $3 THEN now() + make_interval(secs => $5) ELSE due_at END, \
            leased_until = CASE WHEN $3 THEN NULL ELSE now() + make_interval(secs => $6) END \
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(feed)
    .bind::<Text, _>(next)
    .bind::<Bool, _>(last)
    .bind::<diesel::sql_types::Int8, _>(items)
    .bind::<diesel::sql_types::Int4, _>(poll_secs)
    .bind::<diesel::sql_types::Int4, _>(lease_secs)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives the feed back for now (a page budget used up): due again at once.
pub async fn release(conn: &mut AsyncPgConnection, feed: Uuid) -> DbResult<()> {
    diesel::update(openactive_feeds::table.find(feed))
        .set(openactive_feeds::leased_until.eq(None::<DateTime<Utc>>))
        .execute(conn)
        .await?;
    Ok(())
}

/// A failed read: the cursor stays, the feed is tried again after `retry_secs`.
pub async fn failed(
    conn: &mut AsyncPgConnection,
    feed: Uuid,
    reason: &str,
    retry_secs: i32,
) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE openactive_feeds SET last_error = $2, \
            consecutive_failures = consecutive_failures + 1, \
            failing_since = coalesce(failing_since, now()), \
            due_at = now() + make_interval(secs => $3), leased_until = NULL \
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(feed)
    .bind::<Text, _>(reason)
    .bind::<diesel::sql_types::Int4, _>(retry_secs)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored item that changed with this page.
#[derive(Debug, Clone, QueryableByName)]
pub struct Changed {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub item_id: String,
    #[diesel(sql_type = Bool)]
    pub is_parent: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub parent_id: Option<String>,
}

/// Stores a page's items in one statement and returns those that changed: new, or with another
/// `modified` or state. A deleted item keeps the parent and ids it had, so what it belonged to
/// can be rebuilt.
pub async fn upsert_items(
    conn: &mut AsyncPgConnection,
    source: Uuid,
    items: &[Item],
) -> DbResult<Vec<Changed>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    // A page may list an item twice (RPDE allows a later change in the same page): keep the
    // last, which is the newest.
    let mut last: std::collections::HashMap<(&str, &str), usize> = Default::default();
    for (i, item) in items.iter().enumerate() {
        last.insert((&item.kind, &item.id), i);
    }
    let mut order: Vec<usize> = last.into_values().collect();
    order.sort();
    let kept: Vec<&Item> = order.iter().map(|&i| &items[i]).collect();
    let kinds: Vec<&str> = kept.iter().map(|item| item.kind.as_str()).collect();
    let ids: Vec<&str> = kept.iter().map(|item| item.id.as_str()).collect();
    let modified: Vec<&str> = kept.iter().map(|item| item.modified.as_str()).collect();
    let deleted: Vec<bool> = kept.iter().map(|item| item.deleted).collect();
    let parents: Vec<bool> = kept.iter().map(|item| item.is_parent()).collect();
    let nodes: Vec<Value> = kept
        .iter()
        .map(|item| serde_json::json!(item.node_ids()))
        .collect();
    let parent_ids: Vec<Option<String>> = kept.iter().map(|item| item.parent_id()).collect();
    let data: Vec<Value> = kept
        .iter()
        .map(|item| item.data.clone().unwrap_or(Value::Null))
        .collect();
    Ok(diesel::sql_query(
        "INSERT INTO openactive_items AS o \
            (source_id, kind, item_id, modified, deleted, is_parent, node_ids, parent_id, data) \
         SELECT $1, k, i, m, d, p, ARRAY(SELECT jsonb_array_elements_text(n)), pa, \
                CASE WHEN da = 'null'::jsonb THEN NULL ELSE da END \
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bool[], $6::bool[], $7::jsonb[], \
                     $8::text[], $9::jsonb[]) AS t(k, i, m, d, p, n, pa, da) \
         ON CONFLICT (source_id, kind, item_id) DO UPDATE SET \
            modified = EXCLUDED.modified, deleted = EXCLUDED.deleted, \
            is_parent = EXCLUDED.is_parent, data = EXCLUDED.data, \
            node_ids = CASE WHEN EXCLUDED.deleted THEN o.node_ids ELSE EXCLUDED.node_ids END, \
            parent_id = CASE WHEN EXCLUDED.deleted THEN o.parent_id ELSE EXCLUDED.parent_id END \
         WHERE o.modified IS DISTINCT FROM EXCLUDED.modified \
            OR o.deleted IS DISTINCT FROM EXCLUDED.deleted \
         RETURNING o.kind, o.item_id, o.is_parent, o.parent_id",
    )
    .bind::<SqlUuid, _>(source)
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Text>, _>(ids)
    .bind::<Array<Text>, _>(modified)
    .bind::<Array<Bool>, _>(deleted)
    .bind::<Array<Bool>, _>(parents)
    .bind::<Array<Jsonb>, _>(nodes)
    .bind::<Array<Nullable<Text>>, _>(parent_ids)
    .bind::<Array<Jsonb>, _>(data)
    .load(conn)
    .await?)
}

/// A parent as stored.
#[derive(Debug, Clone, QueryableByName)]
pub struct Parent {
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub item_id: String,
    #[diesel(sql_type = Text)]
    pub modified: String,
    #[diesel(sql_type = Bool)]
    pub deleted: bool,
    #[diesel(sql_type = Array<Text>)]
    pub node_ids: Vec<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub data: Option<Value>,
}

/// The parents whose ids the given children name, once each.
pub async fn parents_named(
    conn: &mut AsyncPgConnection,
    source: Uuid,
    node_ids: &[String],
) -> DbResult<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        item_id: String,
    }
    let keys: Vec<Key> = diesel::sql_query(
        "SELECT kind, item_id FROM openactive_items \
         WHERE source_id = $1 AND is_parent AND node_ids && $2",
    )
    .bind::<SqlUuid, _>(source)
    .bind::<Array<Text>, _>(node_ids)
    .load(conn)
    .await?;
    Ok(keys.into_iter().map(|k| (k.kind, k.item_id)).collect())
}

pub async fn parent(
    conn: &mut AsyncPgConnection,
    source: Uuid,
    kind: &str,
    item_id: &str,
) -> DbResult<Option<Parent>> {
    Ok(diesel::sql_query(
        "SELECT kind, item_id, modified, deleted, node_ids, data FROM openactive_items \
         WHERE source_id = $1 AND kind = $2 AND item_id = $3",
    )
    .bind::<SqlUuid, _>(source)
    .bind::<Text, _>(kind)
    .bind::<Text, _>(item_id)
    .get_result(conn)
    .await
    .optional()?)
}

/// A child as stored: its id, version and data.
#[derive(Debug, Clone, QueryableByName)]
pub struct Child {
    #[diesel(sql_type = Text)]
    pub item_id: String,
    #[diesel(sql_type = Text)]
    pub modified: String,
    #[diesel(sql_type = Jsonb)]
    pub data: Value,
}

/// The live children of a parent, in a stable order.
pub async fn children(
    conn: &mut AsyncPgConnection,
    source: Uuid,
    node_ids: &[String],
) -> DbResult<Vec<Child>> {
    Ok(diesel::sql_query(
        "SELECT item_id, modified, data FROM openactive_items \
         WHERE source_id = $1 AND NOT is_parent AND NOT deleted AND data IS NOT NULL \
           AND parent_id = ANY($2) \
         ORDER BY kind, item_id",
    )
    .bind::<SqlUuid, _>(source)
    .bind::<Array<Text>, _>(node_ids)
    .load(conn)
    .await?)
}

/// How many items of the source are held, live and deleted.
pub async fn item_counts(conn: &mut AsyncPgConnection, source: Uuid) -> DbResult<(i64, i64)> {
    let rows: Vec<(bool, i64)> = openactive_items::table
        .filter(openactive_items::source_id.eq(source))
        .group_by(openactive_items::deleted)
        .select((openactive_items::deleted, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    let of = |d: bool| rows.iter().find(|(x, _)| *x == d).map_or(0, |(_, n)| *n);
    Ok((of(false), of(true)))
}

/// Counts refused opportunities and keeps the newest reasons (at most 20).
pub async fn record_rejections(
    conn: &mut AsyncPgConnection,
    source: Uuid,
    errors: &[Value],
) -> DbResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "UPDATE openactive_sources SET rejected = rejected + $2, \
            record_errors = (SELECT coalesce(jsonb_agg(e), '[]') FROM \
                (SELECT e FROM jsonb_array_elements($3 || record_errors) WITH ORDINALITY AS x(e, n) \
                 ORDER BY n LIMIT 20) y) \
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(source)
    .bind::<diesel::sql_types::Int8, _>(errors.len() as i64)
    .bind::<Jsonb, _>(Value::Array(errors.to_vec()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Serialises the pages of one source's feeds (a session and its series may arrive through
/// two feeds at once), for the rest of the transaction.
pub async fn lock_source(conn: &mut AsyncPgConnection, source: Uuid) -> DbResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7))")
        .bind::<SqlUuid, _>(source)
        .execute(conn)
        .await?;
    Ok(())
}

/// One entry of our own feed: an asset's position and whether it is published in it.
#[derive(Debug, Clone, QueryableByName)]
pub struct FeedEntry {
    #[diesel(sql_type = diesel::sql_types::Int8)]
    pub txid: i64,
    #[diesel(sql_type = SqlUuid)]
    pub asset_id: Uuid,
    /// What OpenActive can describe now (the SQL function `openactive_ready`): published, ours,
    /// placed or online, priced, scheduled, and tagged with an activity of OpenActive's
    /// Activity List (OpenActive describes physical activity; a book club has no place in it).
    #[diesel(sql_type = Bool)]
    pub live: bool,
}

/// Our feed's entries after (`txid`, `asset_id`), oldest first, up to the oldest running
/// transaction: the assets that have ever been ready for it; one no longer ready is an entry
/// that is not live (a deleted item).
pub async fn own_feed(
    conn: &mut AsyncPgConnection,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> DbResult<Vec<FeedEntry>> {
    let (txid, id) = after.unwrap_or((0, Uuid::nil()));
    Ok(diesel::sql_query(
        "SELECT p.txid::text::bigint AS txid, p.asset_id, openactive_ready(a) AS live \
         FROM asset_feed_positions p JOIN assets a ON a.id = p.asset_id \
         WHERE p.ever_live AND p.txid < pg_snapshot_xmin(pg_current_snapshot()) \
           AND (p.txid, p.asset_id) > ($1::text::xid8, $2) \
         ORDER BY p.txid, p.asset_id LIMIT $3",
    )
    .bind::<Text, _>(txid.to_string())
    .bind::<SqlUuid, _>(id)
    .bind::<diesel::sql_types::Int8, _>(limit)
    .load(conn)
    .await?)
}
