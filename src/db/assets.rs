//! Queries on assets and their sessions. Callers wrap writes in a transaction; every function
//! here takes the connection it is given.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use postgis_diesel::types::{MultiPolygon, Point, Polygon};
use uuid::Uuid;

use super::DbResult;
use super::interests::{self, TermRef};
use super::organizations::Source;
use super::schema::{asset_sessions, assets, organizations, venues};
use super::venues::{VenueRow, WGS84};
use crate::domain::asset::{Asset, AssetStatus};
use crate::domain::geometry::Area;
use crate::domain::schedule::{Session, Weekday, parse_hhmm};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = assets, check_for_backend(diesel::pg::Pg))]
pub struct AssetRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub venue_id: Option<Uuid>,
    pub service_area: Option<MultiPolygon<Point>>,
    pub online: bool,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub five_ways: Vec<String>,
    pub min_age: Option<i16>,
    pub max_age: Option<i16>,
    pub eligibility_criteria: Option<String>,
    pub cost_free: Option<bool>,
    pub cost_pence: Option<i32>,
    pub concession_pence: Option<i32>,
    pub cost_notes: Option<String>,
    pub schedule_notes: Option<String>,
    pub drop_in: Option<bool>,
    pub taster_session: Option<bool>,
    pub meet_and_greet: Option<bool>,
    pub booking_required: Option<bool>,
    pub newcomer_notes: Option<String>,
    pub max_participants: Option<i32>,
    pub typical_group_size: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_url: Option<String>,
    pub status: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub source: Option<String>,
    pub source_id: Option<String>,
    pub is_example: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub source_tags: Vec<String>,
    /// The sum of the asset's referrals (`domain::referrals::Aggregate`), if it has any.
    pub outcomes: Option<serde_json::Value>,
    pub audience_gender: String,
    pub audience_groups: Vec<String>,
    pub audience_groups_only: bool,
    pub referral_only: bool,
    pub concession_rules: serde_json::Value,
    pub min_rule_pence: Option<i32>,
    pub external_id: Option<String>,
    pub levels: Vec<String>,
    pub coached: Option<bool>,
    pub attendee_instructions: Option<String>,
    pub accessibility_support: Vec<String>,
    pub prepayment: Option<String>,
    /// A harvested listing's licence and credit (`domain::attribution::Attribution`).
    pub attribution: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = asset_sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub asset_id: Uuid,
    pub weekday: Option<i16>,
    pub on_date: Option<NaiveDate>,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl SessionRow {
    /// The session as the domain rules read it.
    pub fn to_session(&self) -> Session {
        Session {
            weekday: self.weekday.and_then(Weekday::from_iso_number),
            date: self.on_date,
            start: self.start_time,
            end: self.end_time,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        }
    }
}

/// A session as SQL builds it in JSON (`refresh_asset_search`'s `sessions` column and the
/// search's aggregated sessions): times as `HH:MM`.
#[derive(serde::Deserialize)]
struct SessionJson {
    weekday: Option<i16>,
    on_date: Option<NaiveDate>,
    start: String,
    end: String,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
}

/// Reads sessions from their JSON form; an entry that cannot be read is left out.
pub fn sessions_from_json(asset_id: Uuid, value: serde_json::Value) -> Vec<SessionRow> {
    let parsed: Vec<SessionJson> = serde_json::from_value(value).unwrap_or_default();
    parsed
        .into_iter()
        .filter_map(|s| {
            Some(SessionRow {
                asset_id,
                weekday: s.weekday,
                on_date: s.on_date,
                start_time: parse_hhmm(&s.start)?,
                end_time: parse_hhmm(&s.end)?,
                valid_from: s.valid_from,
                valid_until: s.valid_until,
            })
        })
        .collect()
}

/// The columns a submission sets, shared by insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = assets, treat_none_as_null = true)]
struct AssetContent<'a> {
    venue_id: Option<Uuid>,
    service_area: Option<MultiPolygon<Point>>,
    online: bool,
    kind: &'a str,
    title: &'a str,
    description: &'a str,
    five_ways: Vec<&'a str>,
    min_age: Option<i16>,
    max_age: Option<i16>,
    eligibility_criteria: Option<&'a str>,
    cost_free: Option<bool>,
    cost_pence: Option<i32>,
    concession_pence: Option<i32>,
    cost_notes: Option<&'a str>,
    schedule_notes: Option<&'a str>,
    drop_in: Option<bool>,
    taster_session: Option<bool>,
    meet_and_greet: Option<bool>,
    booking_required: Option<bool>,
    newcomer_notes: Option<&'a str>,
    max_participants: Option<i32>,
    typical_group_size: Option<i32>,
    contact_name: Option<&'a str>,
    contact_email: Option<&'a str>,
    contact_phone: Option<&'a str>,
    contact_url: Option<&'a str>,
    audience_gender: &'a str,
    audience_groups: Vec<&'a str>,
    audience_groups_only: bool,
    referral_only: bool,
    concession_rules: serde_json::Value,
    min_rule_pence: Option<i32>,
    external_id: Option<&'a str>,
    levels: Vec<&'a str>,
    coached: Option<bool>,
    attendee_instructions: Option<&'a str>,
    accessibility_support: Vec<&'a str>,
    prepayment: Option<&'a str>,
}

fn to_multipolygon(area: &Area) -> MultiPolygon<Point> {
    MultiPolygon {
        polygons: area
            .polygons
            .iter()
            .map(|rings| Polygon {
                rings: rings
                    .iter()
                    .map(|ring| {
                        ring.iter()
                            .map(|&(x, y)| Point {
                                x,
                                y,
                                srid: Some(WGS84),
                            })
                            .collect()
                    })
                    .collect(),
                srid: Some(WGS84),
            })
            .collect(),
        srid: Some(WGS84),
    }
}

/// A stored area, wound as RFC 7946 says whatever order its rings were stored in.
pub fn to_area(mp: &MultiPolygon<Point>) -> Area {
    Area {
        polygons: mp
            .polygons
            .iter()
            .map(|p| {
                p.rings
                    .iter()
                    .map(|r| r.iter().map(|pt| (pt.x, pt.y)).collect())
                    .collect()
            })
            .collect(),
    }
    .oriented()
}

fn content(asset: &Asset, venue_id: Option<Uuid>) -> AssetContent<'_> {
    AssetContent {
        venue_id,
        service_area: asset.service_area.as_ref().map(to_multipolygon),
        online: asset.online,
        kind: asset.kind.as_str(),
        title: &asset.title,
        description: &asset.description,
        five_ways: asset.five_ways.iter().map(|w| w.as_str()).collect(),
        min_age: asset.eligibility.min_age,
        max_age: asset.eligibility.max_age,
        eligibility_criteria: asset.eligibility.criteria.as_deref(),
        cost_free: asset.cost.free,
        cost_pence: asset.cost.amount_pence,
        concession_pence: asset.cost.concession_pence,
        cost_notes: asset.cost.notes.as_deref(),
        schedule_notes: asset.schedule.notes.as_deref(),
        drop_in: asset.newcomers.drop_in,
        taster_session: asset.newcomers.taster_session,
        meet_and_greet: asset.newcomers.meet_and_greet,
        booking_required: asset.newcomers.booking_required,
        newcomer_notes: asset.newcomers.notes.as_deref(),
        max_participants: asset.capacity.max_participants,
        typical_group_size: asset.capacity.typical_group_size,
        contact_name: asset.contact.name.as_deref(),
        contact_email: asset.contact.email.as_deref(),
        contact_phone: asset.contact.phone.as_deref(),
        contact_url: asset.contact.url.as_deref(),
        audience_gender: asset.audience.gender.as_str(),
        audience_groups: asset.audience.groups.iter().map(|g| g.as_str()).collect(),
        audience_groups_only: asset.audience.groups_only,
        referral_only: asset.audience.referral_only,
        concession_rules: serde_json::to_value(&asset.cost.concessions)
            .unwrap_or_else(|_| serde_json::json!([])),
        min_rule_pence: asset
            .cost
            .concessions
            .iter()
            .filter_map(|r| i32::try_from(r.price_pence).ok())
            .min(),
        external_id: asset.external_id.as_deref(),
        levels: asset
            .participation
            .levels
            .iter()
            .map(String::as_str)
            .collect(),
        coached: asset.participation.coached,
        attendee_instructions: asset.participation.attendee_instructions.as_deref(),
        accessibility_support: asset
            .participation
            .accessibility_support
            .iter()
            .map(String::as_str)
            .collect(),
        prepayment: asset.participation.prepayment.map(|p| p.as_str()),
    }
}

/// Everything needed to store an asset besides its own fields.
pub struct Placement<'a> {
    pub venue_id: Option<Uuid>,
    pub interest_ids: &'a [Uuid],
}

pub struct NewAsset<'a> {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub status: AssetStatus,
    pub source: Option<Source<'a>>,
    pub is_example: bool,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewAsset<'_>,
    asset: &Asset,
    placement: &Placement<'_>,
) -> DbResult<()> {
    let published = new.status == AssetStatus::Published;
    diesel::insert_into(assets::table)
        .values((
            content(asset, placement.venue_id),
            assets::id.eq(new.id),
            assets::organization_id.eq(new.organization_id),
            assets::status.eq(new.status.as_str()),
            assets::published_at.eq(published.then(Utc::now)),
            assets::source.eq(new.source.map(|s| s.name)),
            assets::source_id.eq(new.source.map(|s| s.id)),
            assets::is_example.eq(new.is_example),
        ))
        .execute(conn)
        .await?;
    replace_children(conn, new.id, asset, placement).await
}

/// Replaces an asset's content if it is still at `expected_version`; returns the new version,
/// or `None` when someone else changed it first.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i32,
    asset: &Asset,
    placement: &Placement<'_>,
) -> DbResult<Option<i32>> {
    let version: Option<i32> = diesel::update(
        assets::table
            .find(id)
            .filter(assets::version.eq(expected_version)),
    )
    .set((
        content(asset, placement.venue_id),
        assets::updated_at.eq(diesel::dsl::now),
        assets::version.eq(assets::version + 1),
    ))
    .returning(assets::version)
    .get_result(conn)
    .await
    .optional()?;
    if version.is_some() {
        replace_children(conn, id, asset, placement).await?;
    }
    Ok(version)
}

async fn replace_children(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    asset: &Asset,
    placement: &Placement<'_>,
) -> DbResult<()> {
    diesel::delete(asset_sessions::table.filter(asset_sessions::asset_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = asset
        .schedule
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s): (usize, &Session)| {
            (
                asset_sessions::asset_id.eq(id),
                asset_sessions::position.eq(i as i16),
                asset_sessions::weekday.eq(s.weekday.map(|d| d.iso_number())),
                asset_sessions::on_date.eq(s.date),
                asset_sessions::start_time.eq(s.start),
                asset_sessions::end_time.eq(s.end),
                asset_sessions::valid_from.eq(s.valid_from),
                asset_sessions::valid_until.eq(s.valid_until),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(asset_sessions::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    interests::set_for_asset(conn, id, placement.interest_ids).await?;
    super::search::refresh(conn, &[id]).await
}

/// The fields that decide who may see or change an asset, read with a row lock so that a
/// concurrent write waits.
#[derive(Debug, Clone, Queryable)]
pub struct Guard {
    pub organization_id: Uuid,
    pub status: String,
    pub version: i32,
    pub venue_id: Option<Uuid>,
}

pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Guard>> {
    Ok(assets::table
        .find(id)
        .select((
            assets::organization_id,
            assets::status,
            assets::version,
            assets::venue_id,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: AssetStatus,
) -> DbResult<()> {
    let target = assets::table.find(id);
    let bump = (
        assets::status.eq(status.as_str()),
        assets::updated_at.eq(diesel::dsl::now),
        assets::version.eq(assets::version + 1),
    );
    if status == AssetStatus::Published {
        diesel::update(target)
            .set((bump, assets::published_at.eq(Some(Utc::now()))))
            .execute(conn)
            .await?;
    } else {
        diesel::update(target).set(bump).execute(conn).await?;
    }
    Ok(())
}

pub async fn confirm(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::update(assets::table.find(id))
        .set((
            assets::confirmed_at.eq(diesel::dsl::now),
            assets::updated_at.eq(diesel::dsl::now),
            assets::version.eq(assets::version + 1),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// An asset with what a reader needs alongside it.
#[derive(Debug, Clone)]
pub struct AssetRecord {
    pub asset: AssetRow,
    pub organization_name: String,
    pub venue: Option<VenueRow>,
    pub interests: Vec<TermRef>,
    pub sessions: Vec<SessionRow>,
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<AssetRecord>> {
    let found: Option<(AssetRow, String, Option<VenueRow>)> = assets::table
        .inner_join(organizations::table)
        .left_join(venues::table)
        .filter(assets::id.eq(id))
        .select((
            AssetRow::as_select(),
            organizations::name,
            Option::<VenueRow>::as_select(),
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((asset, organization_name, venue)) = found else {
        return Ok(None);
    };
    let interests = interests::for_assets(conn, &[id])
        .await?
        .into_iter()
        .map(|(_, term)| term)
        .collect();
    let sessions = asset_sessions::table
        .filter(asset_sessions::asset_id.eq(id))
        .order(asset_sessions::position)
        .select(SessionRow::as_select())
        .load(conn)
        .await?;
    Ok(Some(AssetRecord {
        asset,
        organization_name,
        venue,
        interests,
        sessions,
    }))
}

/// The records of these assets, in the order of `ids` (missing ones left out), with three
/// prepared statements whatever the number of ids.
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<Vec<AssetRecord>> {
    let rows: Vec<(AssetRow, String, Option<VenueRow>)> = assets::table
        .inner_join(organizations::table)
        .left_join(venues::table)
        .filter(assets::id.eq_any(ids))
        .select((
            AssetRow::as_select(),
            organizations::name,
            Option::<VenueRow>::as_select(),
        ))
        .load(conn)
        .await?;
    let mut interests_by_asset: std::collections::HashMap<Uuid, Vec<TermRef>> =
        std::collections::HashMap::new();
    for (asset_id, term) in interests::for_assets(conn, ids).await? {
        interests_by_asset.entry(asset_id).or_default().push(term);
    }
    let mut sessions_by_asset: std::collections::HashMap<Uuid, Vec<SessionRow>> =
        std::collections::HashMap::new();
    let sessions: Vec<SessionRow> = asset_sessions::table
        .filter(asset_sessions::asset_id.eq_any(ids))
        .order((asset_sessions::asset_id, asset_sessions::position))
        .select(SessionRow::as_select())
        .load(conn)
        .await?;
    for s in sessions {
        sessions_by_asset.entry(s.asset_id).or_default().push(s);
    }
    let mut records: std::collections::HashMap<Uuid, AssetRecord> = rows
        .into_iter()
        .map(|(asset, organization_name, venue)| {
            let id = asset.id;
            (
                id,
                AssetRecord {
                    interests: interests_by_asset.remove(&id).unwrap_or_default(),
                    sessions: sessions_by_asset.remove(&id).unwrap_or_default(),
                    asset,
                    organization_name,
                    venue,
                },
            )
        })
        .collect();
    Ok(ids.iter().filter_map(|id| records.remove(id)).collect())
}

pub async fn count(conn: &mut AsyncPgConnection) -> DbResult<i64> {
    Ok(assets::table.count().get_result(conn).await?)
}

/// The organisation's asset with this external id, if any: its id and the digest of the
/// submission last applied by external id (`"<version>:<sha256>"`).
pub async fn by_external_id(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    external_id: &str,
) -> DbResult<Option<(Uuid, Option<String>)>> {
    Ok(assets::table
        .filter(assets::organization_id.eq(organization_id))
        .filter(assets::external_id.eq(external_id))
        .select((assets::id, assets::source_digest))
        .first(conn)
        .await
        .optional()?)
}

/// Records the digest of what an external-id `PUT` applied, tied to the version it made.
pub async fn set_external_digest(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    digest: &str,
) -> DbResult<()> {
    diesel::update(assets::table.find(id))
        .set(assets::source_digest.eq(digest))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn external_id_of(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<String>> {
    Ok(assets::table
        .find(id)
        .select(assets::external_id)
        .first::<Option<String>>(conn)
        .await
        .optional()?
        .flatten())
}
