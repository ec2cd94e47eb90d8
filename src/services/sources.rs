//! OpenActive sources: an admin registers a publisher's feeds with their licence and credit;
//! the harvester reads them. Checked here: feed URLs (http or https, on the public internet
//! unless the deployment allows private ones), the organisation, the polling interval.

use chrono::Utc;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::db::openactive::{FeedRow, SourceRow};
use crate::db::{self, DbPool};
use crate::domain::source::{SourceInput, SourcePatch};
use crate::domain::validation::{Errors, at};
use crate::error::ApiError;
use crate::import::feed::{FeedClient, FeedOptions};

pub const MIN_POLL_SECS: i64 = 60;
pub const MAX_POLL_SECS: i64 = 604_800;
pub const DEFAULT_POLL_SECS: i64 = 900;
pub const MAX_FEEDS: usize = 10;

fn poll(errors: &mut Errors, value: Option<i64>) -> i32 {
    let v = value.unwrap_or(DEFAULT_POLL_SECS);
    if !(MIN_POLL_SECS..=MAX_POLL_SECS).contains(&v) {
        errors.add(
            "poll_interval_secs",
            format!("must be between {MIN_POLL_SECS} and {MAX_POLL_SECS} seconds"),
        );
    }
    v.clamp(MIN_POLL_SECS, MAX_POLL_SECS) as i32
}

/// A link people follow (a licence, a credit's page): `http(s)://` and then 1 to 492
/// characters, none an ASCII space or control character, as the document's pattern says. It is
/// shown, never fetched, so it is not parsed further.
fn link(errors: &mut Errors, field: &str, value: &str) -> String {
    let v = value;
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let fine = rest.is_some_and(|r| {
        (1..=492).contains(&r.chars().count())
            && !r
                .chars()
                .any(|c| matches!(c, '\u{0}'..='\u{20}' | '\u{7f}'..='\u{9f}'))
    });
    if !fine {
        errors.add(
            field,
            "must be an http:// or https:// URL of at most 500 characters",
        );
    }
    v.to_string()
}

pub async fn create(
    pool: &DbPool,
    input: &SourceInput,
    options: &FeedOptions,
) -> Result<(SourceRow, Vec<FeedRow>), ApiError> {
    let mut errors = Errors::default();
    let name = errors.required_text("name", &input.name, 200);
    let licence = link(&mut errors, "licence", &input.licence);
    let attribution = errors.required_text("attribution", &input.attribution, 500);
    let attribution_url = input
        .attribution_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(|u| link(&mut errors, "attribution_url", u));
    if input.feeds.is_empty() || input.feeds.len() > MAX_FEEDS {
        errors.add("feeds", format!("must list 1 to {MAX_FEEDS} feed URLs"));
    }
    let mut feeds: Vec<String> = Vec::new();
    for (i, feed) in input.feeds.iter().enumerate() {
        let field = at("feeds", i);
        let before = errors.len();
        let url = link(&mut errors, &field, feed.trim());
        if errors.len() > before {
            continue;
        }
        // A feed is fetched, so it gets the reader's own checks too: a URL that parses, on the
        // public internet.
        if let Err(e) = FeedClient::new(&url, options.clone()) {
            errors.add(&field, e.to_string());
        } else if feeds.contains(&url) {
            errors.add(&field, "is listed twice");
        } else {
            feeds.push(url);
        }
    }
    let poll_interval_secs = poll(&mut errors, input.poll_interval_secs);
    let mut conn = db::connect(pool).await?;
    if let Some(org) = input.organization_id
        && db::organizations::find(&mut conn, org).await?.is_none()
    {
        errors.add("organization_id", format!("no organisation has id {org}"));
    }
    errors.finish(())?;
    let now = Utc::now();
    let source = SourceRow {
        id: Uuid::new_v4(),
        name,
        organization_id: input.organization_id,
        licence,
        attribution,
        attribution_url,
        poll_interval_secs,
        enabled: input.enabled.unwrap_or(true),
        rejected: 0,
        record_errors: serde_json::json!([]),
        created_at: now,
        updated_at: now,
    };
    conn.transaction(async |conn| {
        db::openactive::insert_source(conn, &source, &feeds).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    get(pool, source.id).await
}

pub async fn get(pool: &DbPool, id: Uuid) -> Result<(SourceRow, Vec<FeedRow>), ApiError> {
    let mut conn = db::connect(pool).await?;
    let source = db::openactive::find_source(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no source has id {id}")))?;
    let feeds = db::openactive::feeds_of(&mut conn, &[id]).await?;
    Ok((source, feeds))
}

pub async fn list(
    pool: &DbPool,
    before: Option<(chrono::DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<(Vec<(SourceRow, Vec<FeedRow>)>, bool), ApiError> {
    let mut conn = db::connect(pool).await?;
    let mut rows = db::openactive::list_sources(&mut conn, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut feeds = db::openactive::feeds_of(&mut conn, &ids).await?;
    let out = rows
        .into_iter()
        .map(|s| {
            let (mine, rest): (Vec<_>, Vec<_>) = feeds.drain(..).partition(|f| f.source_id == s.id);
            feeds = rest;
            (s, mine)
        })
        .collect();
    Ok((out, more))
}

pub async fn change(
    pool: &DbPool,
    id: Uuid,
    change: &SourcePatch,
) -> Result<(SourceRow, Vec<FeedRow>), ApiError> {
    let (mut source, _) = get(pool, id).await?;
    let mut errors = Errors::default();
    if let Some(name) = &change.name {
        source.name = errors.required_text("name", name, 200);
    }
    if let Some(licence) = &change.licence {
        source.licence = link(&mut errors, "licence", licence);
    }
    if let Some(attribution) = &change.attribution {
        source.attribution = errors.required_text("attribution", attribution, 500);
    }
    // An empty page removes the credit's link.
    if let Some(url) = &change.attribution_url {
        source.attribution_url =
            (!url.trim().is_empty()).then(|| link(&mut errors, "attribution_url", url));
    }
    if change.poll_interval_secs.is_some() {
        source.poll_interval_secs = poll(&mut errors, change.poll_interval_secs);
    }
    if let Some(enabled) = change.enabled {
        source.enabled = enabled;
    }
    errors.finish(())?;
    let mut conn = db::connect(pool).await?;
    let credit =
        serde_json::to_value(crate::services::harvest::attribution(&source)).unwrap_or_default();
    let listings = crate::services::harvest::source_name(id);
    conn.transaction(async |conn| {
        db::openactive::update_source(conn, &source, &listings, &credit).await
    })
    .await?;
    get(pool, id).await
}

/// Makes the source's feeds due now (a publisher said it has changed).
pub async fn poll_now(pool: &DbPool, id: Uuid) -> Result<(SourceRow, Vec<FeedRow>), ApiError> {
    get(pool, id).await?;
    let mut conn = db::connect(pool).await?;
    db::openactive::poll_now(&mut conn, id).await?;
    get(pool, id).await
}
