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

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    venue: &Venue,
    organization_id: Option<Uuid>,
    source: Option<Source<'_>>,
) -> DbResult<VenueRow> {
    Ok(diesel::insert_into(venues::table)
        .values((
            content(venue),
            venues::id.eq(id),
            venues::organization_id.eq(organization_id),
            venues::source.eq(source.map(|s| s.name)),
            venues::source_id.eq(source.map(|s| s.id)),
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

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<VenueRow>> {
    Ok(venues::table
        .find(id)
        .select(VenueRow::as_select())
        .first(conn)
        .await
        .optional()?)
}
