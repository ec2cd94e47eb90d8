//! One harvester turn: take the most overdue feed, read pages from its stored cursor, and
//! commit each page with everything it changed and the cursor after it in one transaction, so
//! a crash or a kill at any point resumes at the first page not committed, and nothing is
//! stored twice. Listings are rebuilt from the items held (a session may arrive before its
//! series), through the importer's `apply`: validated by the API's rules, keyed by source and
//! source id, unchanged ones skipped, agencies' own listings linked as duplicates rather than
//! overwritten.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::openactive::{FeedRow, SourceRow};
use crate::db::{self, DbPool};
use crate::domain::asset::AssetStatus;
use crate::domain::attribution::Attribution;
use crate::domain::audit::{Actor, Entity};
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::geocoder::Geocoder;
use crate::import::feed::{FeedClient, FeedOptions};
use crate::middleware::metrics::METRICS;
use crate::openactive::{read, rpde};
use crate::services::imports::{self, ApplyError, Outcome, Target};

/// How the harvester paces itself.
#[derive(Debug, Clone)]
pub struct HarvestSettings {
    /// Whether this process harvests at all.
    pub enabled: bool,
    /// How long a process holds a feed per page before another may take it over.
    pub lease: Duration,
    /// Pages read in one turn before the feed is given back (others get a turn).
    pub pages_per_turn: u32,
    /// The first wait after a failed read; it doubles with each failure, up to the feed's
    /// polling interval.
    pub retry_base: Duration,
    /// The wait when no feed is due.
    pub idle: Duration,
}

impl Default for HarvestSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            lease: Duration::from_secs(120),
            pages_per_turn: 50,
            retry_base: Duration::from_secs(60),
            idle: Duration::from_secs(5),
        }
    }
}

/// The source name a source's listings are stored under.
pub fn source_name(id: Uuid) -> String {
    format!("openactive:{id}")
}

pub fn attribution(source: &SourceRow) -> Attribution {
    Attribution {
        text: source.attribution.clone(),
        licence: source.licence.clone(),
        url: source.attribution_url.clone(),
    }
}

/// The wait after the `failures`-th failure in a row.
pub fn retry_after(base: Duration, failures: i32, poll_secs: i32) -> i32 {
    let exp = base.as_secs_f64() * 2f64.powi(failures.clamp(0, 20));
    (exp.min(f64::from(poll_secs.max(1)))).ceil().max(1.0) as i32
}

/// What a page did.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageCounts {
    pub items: usize,
    pub changed: usize,
    pub rebuilt: usize,
    pub created: usize,
    pub updated: usize,
    pub archived: usize,
    pub rejected: usize,
}

/// A refused opportunity, as the source's `record_errors` keep it.
fn refusal(kind: &str, item_id: &str, errors: &[FieldError]) -> Value {
    json!({
        "item": format!("{kind} {item_id}"),
        "errors": errors
            .iter()
            .map(|e| json!({"field": e.field, "reason": e.reason}))
            .collect::<Vec<_>>(),
    })
}

/// Archives the listing made from `source_id`, if there is one still showing.
async fn archive(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    target: &Target,
    source_id: &str,
    counts: &mut PageCounts,
) -> Result<(), ApiError> {
    if let Some(stored) = db::imports::asset_by_source(conn, &target.source, source_id).await?
        && stored.status != AssetStatus::Archived.as_str()
    {
        let before = db::audit::snapshot(conn, Entity::Asset, stored.id).await?;
        db::assets::set_status(conn, stored.id, AssetStatus::Archived).await?;
        db::audit::record(conn, actor, "archive", Entity::Asset, stored.id, before).await?;
        counts.archived += 1;
    }
    Ok(())
}

/// Rebuilds one opportunity's listing from the items held: mapped from the parent and its live
/// children and applied (unchanged when the versions it was made from are the same), or
/// archived when the feed deleted or cancelled it. A refused opportunity is reported and its
/// listing, if any, left as it was.
#[allow(clippy::too_many_arguments)]
async fn rebuild(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    source: &SourceRow,
    target: &Target,
    kind: &str,
    item_id: &str,
    today: NaiveDate,
    counts: &mut PageCounts,
    rejections: &mut Vec<Value>,
) -> Result<(), ApiError> {
    let Some(parent) = db::openactive::parent(conn, source.id, kind, item_id).await? else {
        return Ok(());
    };
    counts.rebuilt += 1;
    // The listing is known by the opportunity's @id (kept when the item is deleted).
    let source_id = parent
        .node_ids
        .first()
        .cloned()
        .unwrap_or_else(|| item_id.to_string());
    let actor = Actor::import(source.id);
    let data = match (&parent.data, parent.deleted) {
        (Some(data), false) => data,
        _ => return archive(conn, &actor, target, &source_id, counts).await,
    };
    let children = db::openactive::children(conn, source.id, &parent.node_ids).await?;
    let child_data: Vec<Value> = children.iter().map(|c| c.data.clone()).collect();
    let mut record = match read::read_opportunity(data, &child_data, today) {
        Ok(record) => record,
        Err(errors) => {
            counts.rejected += 1;
            rejections.push(refusal(kind, item_id, &errors));
            return Ok(());
        }
    };
    if !record.active {
        return archive(conn, &actor, target, &source_id, counts).await;
    }
    record.source_id = source_id;
    record.attribution = Some(attribution(source));
    record.confirmed_at = Some(Utc::now());
    // What the listing was made from: the versions of the parent and of each child, and the
    // day (past sessions are dropped as of it).
    let versions: Vec<(&str, &str)> = children
        .iter()
        .map(|c| (c.item_id.as_str(), c.modified.as_str()))
        .collect();
    let digest = imports::record_digest(
        target,
        &json!([parent.modified, versions, today.to_string()]),
    );
    match imports::apply(conn, geocoder, &actor, target, &record, &digest).await {
        Ok(Outcome::Created(_)) => counts.created += 1,
        Ok(Outcome::Updated(_)) => counts.updated += 1,
        Ok(Outcome::Unchanged(_) | Outcome::Linked(_)) => {}
        Err(ApplyError::Invalid(errors)) => {
            counts.rejected += 1;
            rejections.push(refusal(kind, item_id, &errors));
        }
        Err(ApplyError::Failed(e)) => return Err(e),
    }
    Ok(())
}

/// Stores one page and rebuilds what it changed; the caller's transaction commits it with the
/// cursor.
pub async fn store_page(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    source: &SourceRow,
    page: &rpde::Page,
    today: NaiveDate,
) -> Result<PageCounts, ApiError> {
    let mut counts = PageCounts {
        items: page.items.len(),
        ..Default::default()
    };
    db::openactive::lock_source(conn, source.id).await?;
    let changed = db::openactive::upsert_items(conn, source.id, &page.items).await?;
    counts.changed = changed.len();
    let mut dirty: BTreeSet<(String, String)> = BTreeSet::new();
    let mut named: Vec<String> = Vec::new();
    for c in changed {
        if c.is_parent {
            dirty.insert((c.kind, c.item_id));
        } else if let Some(p) = c.parent_id {
            named.push(p);
        }
    }
    named.sort();
    named.dedup();
    if !named.is_empty() {
        dirty.extend(db::openactive::parents_named(conn, source.id, &named).await?);
    }
    let target = Target {
        source: source_name(source.id),
        organization_id: source.organization_id,
    };
    let mut rejections = Vec::new();
    for (kind, item_id) in &dirty {
        rebuild(
            conn,
            geocoder,
            source,
            &target,
            kind,
            item_id,
            today,
            &mut counts,
            &mut rejections,
        )
        .await?;
    }
    db::openactive::record_rejections(conn, source.id, &rejections).await?;
    Ok(counts)
}

/// Why a turn stopped early.
enum Stop {
    /// The feed could not be read; the cursor stays.
    Read(String),
    /// The database failed; the page was rolled back.
    Db(ApiError),
}

/// Takes one due feed and reads it for a turn. `Ok(false)` when no feed was due.
pub async fn turn(
    pool: &DbPool,
    geocoder: &Geocoder,
    feed_options: &FeedOptions,
    settings: &HarvestSettings,
) -> Result<bool, ApiError> {
    let lease = settings.lease.as_secs().clamp(1, 86_400) as i32;
    let (feed, source) = {
        let mut conn = db::connect(pool).await?;
        let Some(feed) = db::openactive::claim_due(&mut conn, lease).await? else {
            return Ok(false);
        };
        let Some(source) = db::openactive::find_source(&mut conn, feed.source_id).await? else {
            return Ok(true);
        };
        (feed, source)
    };
    let stop = read_pages(pool, geocoder, feed_options, settings, &feed, &source).await;
    let mut conn = db::connect(pool).await?;
    match stop {
        Ok(()) => {}
        Err(Stop::Read(reason)) | Err(Stop::Db(ApiError::Unavailable(reason))) => {
            let wait = retry_after(
                settings.retry_base,
                feed.consecutive_failures,
                source.poll_interval_secs,
            );
            tracing::warn!(feed = %feed.url, reason = %reason, retry_in_secs = wait, "feed read failed");
            METRICS.harvest_failures.inc();
            db::openactive::failed(&mut conn, feed.id, &reason, wait).await?;
        }
        Err(Stop::Db(e)) => {
            db::openactive::failed(&mut conn, feed.id, "the page could not be stored", 60).await?;
            return Err(e);
        }
    }
    Ok(true)
}

async fn read_pages(
    pool: &DbPool,
    geocoder: &Geocoder,
    feed_options: &FeedOptions,
    settings: &HarvestSettings,
    feed: &FeedRow,
    source: &SourceRow,
) -> Result<(), Stop> {
    let client =
        FeedClient::new(&feed.url, feed_options.clone()).map_err(|e| Stop::Read(e.to_string()))?;
    let lease = settings.lease.as_secs().clamp(1, 86_400) as i32;
    let mut url = feed.next_url.clone();
    for _ in 0..settings.pages_per_turn.max(1) {
        let body = client
            .get_url(&url)
            .await
            .map_err(|e| Stop::Read(e.to_string()))?
            .ok_or_else(|| Stop::Read(format!("{url}: answered 404 Not Found")))?;
        let base = url::Url::parse(&url).map_err(|e| Stop::Read(e.to_string()))?;
        let page = rpde::parse_page(&body, &base).map_err(|e| Stop::Read(format!("{url}: {e}")))?;
        let last = page.is_last(&url);
        let today = Utc::now()
            .with_timezone(&chrono_tz::Europe::London)
            .date_naive();
        let mut conn = db::connect(pool).await.map_err(|e| Stop::Db(e.into()))?;
        let counts = conn
            .transaction(async |conn| {
                let counts = store_page(conn, geocoder, source, &page, today).await?;
                db::openactive::page_done(
                    conn,
                    feed.id,
                    &page.next,
                    counts.items as i64,
                    last,
                    source.poll_interval_secs,
                    lease,
                )
                .await?;
                Ok::<_, ApiError>(counts)
            })
            .await
            .map_err(Stop::Db)?;
        METRICS
            .harvest_items
            .with_label_values(&["read"])
            .inc_by(counts.items as u64);
        METRICS
            .harvest_items
            .with_label_values(&["changed"])
            .inc_by(counts.changed as u64);
        tracing::debug!(feed = %feed.url, items = counts.items, changed = counts.changed,
            created = counts.created, updated = counts.updated, archived = counts.archived,
            rejected = counts.rejected, "page stored");
        if last {
            return Ok(());
        }
        url = page.next;
    }
    let mut conn = db::connect(pool).await.map_err(|e| Stop::Db(e.into()))?;
    db::openactive::release(&mut conn, feed.id)
        .await
        .map_err(|e| Stop::Db(e.into()))?;
    Ok(())
}

/// Runs turns for as long as the process lives: a feed at a time, idle when none is due.
pub fn spawn(
    pool: DbPool,
    geocoder: std::sync::Arc<Geocoder>,
    feed_options: FeedOptions,
    settings: HarvestSettings,
) {
    if !settings.enabled {
        return;
    }
    tokio::spawn(async move {
        loop {
            match turn(&pool, &geocoder, &feed_options, &settings).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = %crate::error::with_causes(&e), "harvester turn failed")
                }
            }
            tokio::time::sleep(settings.idle).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_the_polling_interval() {
        let base = Duration::from_secs(60);
        assert_eq!(retry_after(base, 0, 3600), 60);
        assert_eq!(retry_after(base, 3, 3600), 480);
        assert_eq!(retry_after(base, 12, 3600), 3600);
    }
}
