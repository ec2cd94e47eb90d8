//! Importing: each source record is validated by the API's own rules and stored under its
//! own savepoint (all of it or none of it), keyed by source and source id so that a re-import
//! updates in place and an unchanged record writes nothing. A run walks every page first and
//! only then archives what the source no longer lists, so a feed that fails half-way archives
//! nothing. Runs are recorded in `imports` with their counts and per-record errors.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::assets::{NewAsset, Placement};
use crate::db::imports::{ImportRow, Progress};
use crate::db::organizations::Source;
use crate::db::{self, DbPool};
use crate::domain::asset::{self, AssetStatus, VenueChoice};
use crate::domain::audit::{Actor, Entity};
use crate::domain::duplicates;
use crate::domain::organization;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::geocoder::Geocoder;
use crate::import::feed::{self, FeedClient, FeedOptions, FeedVersion};
use crate::middleware::metrics::METRICS;
use crate::oruk::read::{self, Concept, ImportRecord};
use crate::services::venues::place_by_postcode;

/// At most this many errors are kept per run; the counts stay exact.
pub const MAX_ERRORS: usize = 1000;
/// A feed with more pages than this is refused as runaway.
const MAX_PAGES: u32 = 100_000;

/// Where records go: their source's name and, optionally, one organisation for all of them.
#[derive(Debug, Clone)]
pub struct Target {
    pub source: String,
    pub organization_id: Option<Uuid>,
}

/// What storing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created(Uuid),
    Updated(Uuid),
    Unchanged(Uuid),
    /// Recognised as an asset we already hold from elsewhere.
    Linked(Uuid),
}

#[derive(Debug)]
pub enum ApplyError {
    /// The record breaks a rule; nothing of it was stored.
    Invalid(Vec<FieldError>),
    /// Something outside the record failed (the database); the run cannot go on.
    Failed(ApiError),
}

impl From<ApiError> for ApplyError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Validation(errors) => ApplyError::Invalid(errors),
            other => ApplyError::Failed(other),
        }
    }
}

impl From<diesel::result::Error> for ApplyError {
    fn from(e: diesel::result::Error) -> Self {
        ApplyError::Failed(db::DbError::from(e).into())
    }
}

impl From<db::DbError> for ApplyError {
    fn from(e: db::DbError) -> Self {
        ApplyError::Failed(e.into())
    }
}

/// SHA-256 of the parts (each ended by a NUL), in hex: whether a record changed since it was
/// last stored.
pub fn digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest of a source record as this target would store it.
pub fn record_digest(target: &Target, raw: &Value) -> String {
    let org = target
        .organization_id
        .map(|o| o.to_string())
        .unwrap_or_default();
    digest(&[&raw.to_string(), &org])
}

async fn resolve_interests(
    conn: &mut AsyncPgConnection,
    phrases: &[String],
    concepts: &[Concept],
) -> Result<(Vec<Uuid>, Vec<String>), ApplyError> {
    let mut ids = Vec::new();
    let mut tags = Vec::new();
    let mut labels = Vec::new();
    for concept in concepts {
        match &concept.uri {
            Some(uri) => match db::interests::by_source_uri(conn, uri).await? {
                Some(id) if !ids.contains(&id) => ids.push(id),
                Some(_) => {}
                None => labels.push(concept.label.clone()),
            },
            None => labels.push(concept.label.clone()),
        }
    }
    for phrase in phrases.iter().chain(labels.iter()) {
        match db::interests::resolve(conn, phrase).await? {
            Some(term) if !ids.contains(&term.id) => ids.push(term.id),
            Some(_) => {}
            None if !tags.contains(phrase) => tags.push(phrase.clone()),
            None => {}
        }
    }
    ids.truncate(asset::MAX_INTERESTS);
    Ok((ids, tags))
}

fn prefixed(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(format!("{prefix}.{}", e.field), e.reason))
        .collect()
}

/// The organisation a record goes under, and the other organisations of the same name whose
/// assets it may duplicate. A run publishes only into the organisation it was given, or into
/// organisations its own source made: the one an earlier import of this source made (updated if
/// the source changed it), or a new one. A feed naming an organisation we already hold never
/// places records under it (anyone could publish a feed that names any charity); the records
/// are only compared with that organisation's assets, and linked to them when they are the same.
async fn organization_for(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    target: &Target,
    record: &ImportRecord,
) -> Result<(Uuid, Vec<Uuid>), ApplyError> {
    if let Some(id) = target.organization_id {
        return Ok((id, Vec::new()));
    }
    let Some(org) = &record.organization else {
        return Err(ApplyError::Invalid(vec![FieldError::new(
            "organization",
            "is missing; import with an organisation id to place records that name none",
        )]));
    };
    let valid = organization::validate(&org.input)
        .map_err(|e| ApplyError::Invalid(prefixed("organization", e)))?;
    let org_digest = digest(&[&org.raw.to_string()]);
    let same_name = db::imports::organizations_named(conn, &valid.name, &target.source).await?;
    if let Some((id, stored)) =
        db::imports::organization_by_source(conn, &target.source, &org.source_id).await?
    {
        if stored.as_deref() != Some(org_digest.as_str()) {
            let before = db::audit::snapshot(conn, Entity::Organization, id).await?;
            db::organizations::update(conn, id, &valid).await?;
            db::imports::set_organization_digest(conn, id, &org_digest).await?;
            db::audit::record(conn, actor, "update", Entity::Organization, id, before).await?;
        }
        return Ok((id, same_name));
    }
    let source = Source {
        name: &target.source,
        id: &org.source_id,
    };
    let row = db::organizations::insert(conn, Uuid::new_v4(), &valid, Some(source)).await?;
    db::imports::set_organization_digest(conn, row.id, &org_digest).await?;
    db::audit::record(conn, actor, "create", Entity::Organization, row.id, None).await?;
    Ok((row.id, same_name))
}

/// Stores one record. All or nothing: it runs in its own transaction (a savepoint when the
/// caller has one open, as a page import does).
pub async fn apply(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    actor: &Actor,
    target: &Target,
    record: &ImportRecord,
    record_digest: &str,
) -> Result<Outcome, ApplyError> {
    conn.transaction(async |conn| {
        let source = target.source.as_str();
        let sid = record.source_id.as_str();
        if let Some(asset_id) = db::imports::link_for(conn, source, sid).await? {
            return Ok(Outcome::Linked(asset_id));
        }
        let existing = db::imports::asset_by_source(conn, source, sid).await?;
        if let Some(stored) = &existing
            && stored.digest.as_deref() == Some(record_digest)
            && stored.status == AssetStatus::Published.as_str()
        {
            return Ok(Outcome::Unchanged(stored.id));
        }
        let mut valid = asset::validate_imported(&record.asset).map_err(ApplyError::Invalid)?;
        if let Some(id) = record.asset.venue_id
            && db::venues::find(conn, id).await?.is_none()
        {
            return Err(ApplyError::Invalid(vec![FieldError::new(
                "venue_id",
                format!("no venue has id {id}"),
            )]));
        }
        let (interest_ids, tags) =
            resolve_interests(conn, &record.interest_phrases, &record.concepts).await?;
        let (organization_id, same_name) = organization_for(conn, actor, target, record).await?;

        let mut point = None;
        let venue_id = match &mut valid.venue {
            VenueChoice::None => None,
            VenueChoice::Existing(id) => Some(*id),
            VenueChoice::New(venue) => {
                place_by_postcode(geocoder, venue, "venue.postcode").await?;
                point = venue.location.map(|p| (p.lat, p.lon));
                let venue_digest = digest(&[&format!("{venue:?}")]);
                let known = match &record.venue_source_id {
                    Some(vid) => db::imports::venue_by_source(conn, source, vid).await?,
                    None => None,
                };
                // A place we already hold (another source's, or an agency's) is used as it is,
                // not duplicated: the same place within a few tens of metres, a similar name.
                let held = match (&known, point) {
                    (None, Some(at)) => {
                        db::imports::venues_near(conn, source, at, duplicates::SAME_PLACE_METRES)
                            .await?
                            .into_iter()
                            .find(|(_, name)| duplicates::same_venue(name, &venue.name))
                            .map(|(id, _)| id)
                    }
                    _ => None,
                };
                Some(match (known, held) {
                    (None, Some(id)) => id,
                    (Some((id, stored)), _) => {
                        if stored.as_deref() != Some(venue_digest.as_str()) {
                            let before = db::audit::snapshot(conn, Entity::Venue, id).await?;
                            db::venues::update(conn, id, venue).await?;
                            db::imports::set_venue_digest(conn, id, &venue_digest).await?;
                            db::audit::record(conn, actor, "update", Entity::Venue, id, before)
                                .await?;
                        }
                        id
                    }
                    (None, None) => {
                        let vsource = record
                            .venue_source_id
                            .as_deref()
                            .map(|id| Source { name: source, id });
                        let row = db::venues::insert(
                            conn,
                            Uuid::new_v4(),
                            venue,
                            Some(organization_id),
                            vsource,
                            db::venues::NewVenue::PUBLIC,
                        )
                        .await?;
                        db::imports::set_venue_digest(conn, row.id, &venue_digest).await?;
                        db::audit::record(conn, actor, "create", Entity::Venue, row.id, None)
                            .await?;
                        row.id
                    }
                })
            }
        };
        let placement = Placement {
            venue_id,
            interest_ids: &interest_ids,
        };

        if let Some(stored) = existing {
            let before = db::audit::snapshot(conn, Entity::Asset, stored.id).await?;
            db::assets::update(conn, stored.id, stored.version, &valid, &placement).await?;
            db::imports::set_asset_provenance(
                conn,
                stored.id,
                &tags,
                record_digest,
                record.confirmed_at,
                record.attribution.as_ref(),
                true,
            )
            .await?;
            db::audit::record(conn, actor, "update", Entity::Asset, stored.id, before).await?;
            return Ok(Outcome::Updated(stored.id));
        }

        let mut organizations = same_name;
        organizations.push(organization_id);
        let candidates = db::imports::duplicate_candidates(
            conn,
            &organizations,
            source,
            point,
            duplicates::NEARBY_METRES,
        )
        .await?;
        if let Some((same, title)) = candidates
            .into_iter()
            .find(|(_, title)| duplicates::same_activity(title, &valid.title))
        {
            let reason = format!(
                "same organisation (by name), venue within {} m, title {:?} ~ {:?}",
                duplicates::NEARBY_METRES,
                valid.title,
                title
            );
            db::imports::insert_link(conn, source, sid, same, &reason).await?;
            return Ok(Outcome::Linked(same));
        }

        let id = Uuid::new_v4();
        let new = NewAsset {
            id,
            organization_id,
            status: AssetStatus::Published,
            source: Some(Source {
                name: source,
                id: sid,
            }),
            is_example: record.example,
        };
        db::assets::insert(conn, &new, &valid, &placement).await?;
        db::imports::set_asset_provenance(
            conn,
            id,
            &tags,
            record_digest,
            record.confirmed_at,
            record.attribution.as_ref(),
            true,
        )
        .await?;
        db::audit::record(conn, actor, "create", Entity::Asset, id, None).await?;
        Ok(Outcome::Created(id))
    })
    .await
}

/// The state of a run while it goes.
struct Run {
    id: Uuid,
    target: Target,
    progress: Progress,
    errors: Vec<Value>,
    seen: HashSet<String>,
    version: Option<&'static str>,
}

impl Run {
    fn new(id: Uuid, target: Target) -> Self {
        Self {
            id,
            target,
            progress: Progress::default(),
            errors: Vec::new(),
            seen: HashSet::new(),
            version: None,
        }
    }

    fn error(&mut self, record: &str, place: Value, field: &str, reason: &str) {
        if self.errors.len() < MAX_ERRORS {
            let mut entry = json!({"record": record, "field": field, "reason": reason});
            if let (Some(obj), Some(extra)) = (entry.as_object_mut(), place.as_object()) {
                obj.extend(extra.clone());
            }
            self.errors.push(entry);
        }
    }

    fn fail_record(&mut self, record: &str, place: Value, errors: &[FieldError]) {
        self.progress.failed += 1;
        for e in errors {
            self.error(record, place.clone(), &e.field, &e.reason);
        }
    }

    /// Validates and stores one mapped record, counting what happened.
    /// `source_id` is the record's id as the source wrote it, known even when the record
    /// cannot be mapped: a refused record still counts as listed (so an earlier good version is
    /// not archived) and as seen (so a second record with its id is reported).
    #[allow(clippy::too_many_arguments)]
    async fn take(
        &mut self,
        conn: &mut AsyncPgConnection,
        geocoder: &Geocoder,
        source_id: Option<&str>,
        mapped: Result<ImportRecord, Vec<FieldError>>,
        raw: &Value,
        label: &str,
        place: Value,
    ) -> Result<(), ApiError> {
        self.progress.seen += 1;
        if let Some(id) = source_id.filter(|id| !id.is_empty())
            && !self.seen.insert(id.to_string())
        {
            self.fail_record(
                label,
                place,
                &[FieldError::new(
                    "id",
                    "appears twice in the source; the first is kept",
                )],
            );
            return Ok(());
        }
        let record = match mapped {
            Ok(r) => r,
            Err(errors) => {
                self.fail_record(label, place, &errors);
                return Ok(());
            }
        };
        if !record.active {
            self.seen.remove(&record.source_id);
            self.progress.skipped += 1;
            METRICS.import_records.with_label_values(&["skipped"]).inc();
            return Ok(());
        }
        let d = record_digest(&self.target, raw);
        let actor = Actor::import(self.id);
        let outcome = match apply(conn, geocoder, &actor, &self.target, &record, &d).await {
            Ok(Outcome::Created(_)) => {
                self.progress.created += 1;
                "created"
            }
            Ok(Outcome::Updated(_)) => {
                self.progress.updated += 1;
                "updated"
            }
            Ok(Outcome::Unchanged(_)) => {
                self.progress.unchanged += 1;
                "unchanged"
            }
            Ok(Outcome::Linked(_)) => {
                self.progress.linked += 1;
                "linked"
            }
            Err(ApplyError::Invalid(errors)) => {
                self.fail_record(label, place, &errors);
                "failed"
            }
            Err(ApplyError::Failed(e)) => return Err(e),
        };
        METRICS.import_records.with_label_values(&[outcome]).inc();
        Ok(())
    }

    async fn save(&self, pool: &DbPool) -> Result<(), ApiError> {
        let mut conn = db::connect(pool).await?;
        db::imports::record_progress(
            &mut conn,
            self.id,
            self.version,
            &self.progress,
            &json!(self.errors),
        )
        .await?;
        Ok(())
    }

    /// Archives what was not seen, and records success.
    async fn complete(mut self, pool: &DbPool) -> Result<(), ApiError> {
        let mut conn = db::connect(pool).await?;
        let seen: Vec<String> = self.seen.iter().cloned().collect();
        let actor = Actor::import(self.id);
        let source = self.target.source.as_str();
        self.progress.archived = conn
            .transaction(async |conn| {
                let ids = db::imports::missing(conn, source, &seen).await?;
                for &id in &ids {
                    let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
                    db::assets::set_status(conn, id, AssetStatus::Archived).await?;
                    db::audit::record(conn, &actor, "archive", Entity::Asset, id, before).await?;
                }
                Ok::<_, ApiError>(ids.len() as i32)
            })
            .await?;
        self.save(pool).await?;
        db::imports::finish(&mut conn, self.id, "succeeded", None).await?;
        METRICS
            .imports_finished
            .with_label_values(&["succeeded"])
            .inc();
        Ok(())
    }

    async fn abort(&self, pool: &DbPool, reason: &str) -> Result<(), ApiError> {
        self.save(pool).await?;
        let mut conn = db::connect(pool).await?;
        db::imports::finish(&mut conn, self.id, "failed", Some(reason)).await?;
        METRICS
            .imports_finished
            .with_label_values(&["failed"])
            .inc();
        Ok(())
    }
}

/// The source name of an ORUK feed: its base URL without a trailing slash.
pub fn feed_source(base_url: &str) -> String {
    base_url.trim().trim_end_matches('/').to_string()
}

pub fn csv_source(organization_id: Uuid) -> String {
    format!("csv:{organization_id}")
}

/// Records a queued run.
pub async fn create(
    pool: &DbPool,
    actor: &Actor,
    format: &str,
    target: &Target,
) -> Result<ImportRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    if let Some(org) = target.organization_id
        && db::organizations::find(&mut conn, org).await?.is_none()
    {
        return Err(ApiError::validation(
            "organization_id",
            format!("no organisation has id {org}"),
        ));
    }
    conn.transaction(async |conn| {
        let row = db::imports::create(
            conn,
            Uuid::new_v4(),
            format,
            &target.source,
            target.organization_id,
        )
        .await?;
        db::audit::record(conn, actor, "start", Entity::Import, row.id, None).await?;
        Ok(row)
    })
    .await
}

/// A page of runs, newest first, and whether there are older ones.
pub async fn list(
    pool: &DbPool,
    before: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    limit: i64,
) -> Result<(Vec<ImportRow>, bool), ApiError> {
    let mut conn = db::connect(pool).await?;
    let mut rows = db::imports::list(&mut conn, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

pub async fn get(pool: &DbPool, id: Uuid) -> Result<ImportRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    db::imports::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no import has id {id}")))
}

/// Nests the organisation into a service that gives only its id, from `/organizations/{id}`
/// (each organisation fetched once per run).
async fn attach_organization(
    service: &mut Value,
    client: &FeedClient,
    cache: &mut HashMap<String, Option<Value>>,
) -> Result<(), String> {
    if service.get("organization").is_some_and(Value::is_object) {
        return Ok(());
    }
    let Some(org_id) = read::text_of(service, "organization_id") else {
        return Ok(());
    };
    if !cache.contains_key(&org_id) {
        let found = client
            .organization(&org_id)
            .await
            .map_err(|e| e.to_string())?;
        cache.insert(org_id.clone(), found);
    }
    if let (Some(Some(org)), Some(obj)) = (cache.get(&org_id), service.as_object_mut()) {
        obj.insert("organization".into(), org.clone());
    }
    Ok(())
}

async fn walk_feed(
    run: &mut Run,
    pool: &DbPool,
    geocoder: &Geocoder,
    client: &FeedClient,
) -> Result<(), String> {
    let version = client.detect_version().await.map_err(|e| e.to_string())?;
    run.version = Some(version.as_str());
    let mut number = 1;
    let mut organizations: HashMap<String, Option<Value>> = HashMap::new();
    loop {
        let page = client
            .page(version, number)
            .await
            .map_err(|e| e.to_string())?;
        // Read the page's full records first, so that no transaction waits on the network.
        let mut prepared: Vec<(String, Value, Option<Value>)> = Vec::new();
        for item in &page.items {
            let id = read::text_of(item, "id").unwrap_or_default();
            let place = json!({"page": number});
            let full = if feed::is_summary(item) && !id.is_empty() {
                client.service(&id).await.map_err(|e| e.to_string())?
            } else {
                Some(item.clone())
            };
            let Some(full) = full else {
                prepared.push((id, place, None));
                continue;
            };
            let mut v3 = match version {
                FeedVersion::V3 => full,
                FeedVersion::V1 => read::v1_to_v3(&full),
            };
            attach_organization(&mut v3, client, &mut organizations).await?;
            let label = if id.is_empty() {
                "(no id)".to_string()
            } else {
                id
            };
            prepared.push((label, place, Some(v3)));
        }
        // One transaction per page, one savepoint per record: a bad record still rolls back
        // alone, and the page commits once.
        let mut conn = db::connect(pool).await.map_err(|e| e.to_string())?;
        conn.transaction(async |conn| {
            for (label, place, record) in &prepared {
                match record {
                    Some(v3) => {
                        run.take(
                            conn,
                            geocoder,
                            read::text_of(v3, "id").as_deref(),
                            read::read_service(v3),
                            v3,
                            label,
                            place.clone(),
                        )
                        .await?
                    }
                    None => {
                        run.progress.seen += 1;
                        run.fail_record(
                            label,
                            place.clone(),
                            &[FieldError::new(
                                "id",
                                "is listed, but /services/{id} answers 404",
                            )],
                        );
                    }
                }
            }
            Ok::<_, ApiError>(())
        })
        .await
        .map_err(|e| e.to_string())?;
        run.progress.pages += 1;
        run.save(pool).await.map_err(|e| e.to_string())?;
        if page.last {
            return Ok(());
        }
        number += 1;
        if number > MAX_PAGES {
            return Err(format!("the feed has more than {MAX_PAGES} pages"));
        }
    }
}

/// Runs a queued ORUK import to its end, recording progress as it goes.
pub async fn run_feed(
    pool: &DbPool,
    geocoder: &Geocoder,
    import: &ImportRow,
    options: FeedOptions,
) -> Result<ImportRow, ApiError> {
    let target = Target {
        source: import.source.clone(),
        organization_id: import.organization_id,
    };
    let mut run = Run::new(import.id, target);
    {
        let mut conn = db::connect(pool).await?;
        db::imports::start(&mut conn, import.id).await?;
    }
    let outcome = match FeedClient::new(&import.source, options) {
        Ok(client) => walk_feed(&mut run, pool, geocoder, &client).await,
        Err(e) => Err(e.to_string()),
    };
    match outcome {
        Ok(()) => run.complete(pool).await?,
        Err(reason) => {
            tracing::warn!(import = %import.id, %reason, "import failed");
            run.abort(pool, &reason).await?
        }
    }
    get(pool, import.id).await
}

/// The background runs of this process, so that a shutdown can mark the unfinished ones.
static RUNNING: LazyLock<Mutex<HashSet<Uuid>>> = LazyLock::new(Default::default);

/// The ids of the imports this process is running in the background.
pub fn running_here() -> Vec<Uuid> {
    RUNNING
        .lock()
        .map(|r| r.iter().copied().collect())
        .unwrap_or_default()
}

/// Starts a queued ORUK import in the background. If the process stops first, the page being
/// stored is rolled back with its transaction and `serve` marks the run failed.
pub fn spawn_feed(pool: DbPool, geocoder: Arc<Geocoder>, import: ImportRow, options: FeedOptions) {
    if let Ok(mut running) = RUNNING.lock() {
        running.insert(import.id);
    }
    METRICS.imports_running.inc();
    actix_web::rt::spawn(async move {
        if let Err(e) = run_feed(&pool, &geocoder, &import, options).await {
            tracing::error!(import = %import.id, error = %e, "import could not record its end");
        }
        if let Ok(mut running) = RUNNING.lock() {
            running.remove(&import.id);
        }
        METRICS.imports_running.dec();
    });
}

/// Runs a CSV import of one organisation's assets to its end.
pub async fn run_csv(
    pool: &DbPool,
    geocoder: &Geocoder,
    import: &ImportRow,
    text: &str,
) -> Result<ImportRow, ApiError> {
    let target = Target {
        source: import.source.clone(),
        organization_id: import.organization_id,
    };
    let mut run = Run::new(import.id, target);
    run.version = Some("csv");
    {
        let mut conn = db::connect(pool).await?;
        db::imports::start(&mut conn, import.id).await?;
    }
    let rows = match crate::import::csv::read(text) {
        Ok(rows) => rows,
        Err(reason) => {
            run.abort(pool, &reason).await?;
            return get(pool, import.id).await;
        }
    };
    let mut conn = db::connect(pool).await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        // A hundred rows to a transaction, one savepoint per row.
        let chunk: Vec<_> = rows.by_ref().take(100).collect();
        conn.transaction(async |conn| {
            for row in chunk {
                let raw = Value::String(row.raw.clone());
                let label = format!("line {}", row.line);
                let place = json!({"line": row.line});
                run.take(
                    conn,
                    geocoder,
                    row.id.as_deref(),
                    row.record,
                    &raw,
                    &label,
                    place,
                )
                .await?;
            }
            Ok::<_, ApiError>(())
        })
        .await?;
    }
    run.progress.pages = 1;
    drop(conn);
    run.complete(pool).await?;
    get(pool, import.id).await
}
