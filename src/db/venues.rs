//! Queries on venues.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use postgis_diesel::types::Point;
use uuid::Uuid;

use super::DbResult;
use super::organizations::Source;
use super::schema::{assets, venues};
use crate::domain::geometry::LatLon;
use crate::domain::venue::Venue;

pub const WGS84: u32 = 4326;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = venues, check_for_backend(diesel::pg::Pg))]
pub struct VenueRow {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub name: String,
    pub address_lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub location: Option<Point>,
    pub venue_type: String,
    pub non_stigmatised: bool,
    pub accessibility: Vec<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub source_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub location_precision: String,
}

pub fn to_point(p: LatLon) -> Point {
    Point {
        x: p.lon,
        y: p.lat,
        srid: Some(WGS84),
    }
}

pub fn to_lat_lon(p: &Point) -> LatLon {
    LatLon { lat: p.y, lon: p.x }
}

/// The columns a venue's content sets, shared by insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = venues, treat_none_as_null = true)]
struct VenueContent<'a> {
    name: &'a str,
    address_lines: &'a Vec<String>,
    town: Option<&'a str>,
    postcode: Option<&'a str>,
    location: Option<Point>,
    venue_type: &'a str,
    non_stigmatised: bool,
    accessibility: Vec<&'a str>,
    website: Option<&'a str>,
    phone: Option<&'a str>,
    location_precision: &'a str,
}

fn content(venue: &Venue) -> VenueContent<'_> {
    VenueContent {
        name: &venue.name,
        address_lines: &venue.address_lines,
        town: venue.town.as_deref(),
        postcode: venue.postcode.as_ref().map(|p| p.as_str()),
        location: venue.location.map(to_point),
        venue_type: venue.venue_type.as_str(),
        non_stigmatised: venue.non_stigmatised,
        accessibility: venue.accessibility.iter().map(|f| f.as_str()).collect(),
        website: venue.website.as_deref(),
        phone: venue.phone.as_deref(),
        location_precision: venue.location_precision.map_or("exact", |p| p.as_str()),
    }
}

/// Whether the stored venue already holds exactly what `venue` would store.
pub fn holds(row: &VenueRow, venue: &Venue) -> bool {
    let c = content(venue);
    let same_point = match (&row.location, &c.location) {
        (None, None) => true,
        (Some(a), Some(b)) => (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9,
        _ => false,
    };
    row.name == c.name
        && &row.address_lines == c.address_lines
        && row.town.as_deref() == c.town
        && row.postcode.as_deref() == c.postcode
        && same_point
        && row.venue_type == c.venue_type
        && row.non_stigmatised == c.non_stigmatised
        && row.accessibility == c.accessibility
        && row.website.as_deref() == c.website
        && row.phone.as_deref() == c.phone
        && row.location_precision == c.location_precision
}

/// How a new venue is stored: public at once or waiting for moderation, and whether it was
/// made inline with an asset (and so goes when no asset uses it any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewVenue {
    pub published: bool,
    pub with_asset: bool,
}

impl NewVenue {
    /// A venue on its own (an admin's, a trusted organisation's, an import's).
    pub const PUBLIC: NewVenue = NewVenue {
        published: true,
        with_asset: false,
    };
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    venue: &Venue,
    organization_id: Option<Uuid>,
    source: Option<Source<'_>>,
    new: NewVenue,
) -> DbResult<VenueRow> {
    Ok(diesel::insert_into(venues::table)
        .values((
            content(venue),
            venues::id.eq(id),
            venues::organization_id.eq(organization_id),
            venues::source.eq(source.map(|s| s.name)),
            venues::source_id.eq(source.map(|s| s.id)),
            venues::status.eq(if new.published {
                "published"
            } else {
                "pending"
            }),
            venues::created_with_asset.eq(new.with_asset),
        ))
        .returning(VenueRow::as_returning())
        .get_result(conn)
        .await?)
}

/// Rewrites a venue's content, and the search columns of the assets there.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, venue: &Venue) -> DbResult<()> {
    diesel::update(venues::table.find(id))
        .set((content(venue), venues::updated_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await?;
    let ids: Vec<Uuid> = assets::table
        .filter(assets::venue_id.eq(id))
        .select(assets::id)
        .load(conn)
        .await?;
    super::search::refresh(conn, &ids).await
}

/// Who may see a venue, and whether it goes with its last asset.
#[derive(Debug, Clone, Queryable)]
pub struct VenueState {
    pub organization_id: Option<Uuid>,
    pub published: bool,
    pub created_with_asset: bool,
}

pub async fn state(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<VenueState>> {
    Ok(venues::table
        .find(id)
        .select(state_columns())
        .first(conn)
        .await
        .optional()?)
}

fn state_columns() -> (
    venues::organization_id,
    diesel::dsl::Eq<venues::status, &'static str>,
    venues::created_with_asset,
) {
    (
        venues::organization_id,
        venues::status.eq("published"),
        venues::created_with_asset,
    )
}

/// The venue with its state, in one query.
pub async fn find_with_state(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> DbResult<Option<(VenueRow, VenueState)>> {
    Ok(venues::table
        .find(id)
        .select((VenueRow::as_select(), state_columns()))
        .first(conn)
        .await
        .optional()?)
}

/// Makes a pending venue public; whether it was pending.
pub async fn publish(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<bool> {
    Ok(
        diesel::update(venues::table.find(id).filter(venues::status.eq("pending")))
            .set((
                venues::status.eq("published"),
                venues::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?
            > 0,
    )
}

/// Removes a venue made inline with an asset once no asset uses it; whether it did.
pub async fn delete_if_orphaned(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<bool> {
    let used = assets::table.filter(assets::venue_id.eq(id));
    Ok(diesel::delete(
        venues::table
            .find(id)
            .filter(venues::created_with_asset)
            .filter(diesel::dsl::not(diesel::dsl::exists(used))),
    )
    .execute(conn)
    .await?
        > 0)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<VenueRow>> {
    Ok(venues::table
        .find(id)
        .select(VenueRow::as_select())
        .first(conn)
        .await
        .optional()?)
}
