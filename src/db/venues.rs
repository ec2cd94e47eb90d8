//! Queries on venues.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use postgis_diesel::types::Point;
use uuid::Uuid;

use super::DbResult;
use super::organizations::Source;
use super::schema::venues;
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

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    venue: &Venue,
    organization_id: Option<Uuid>,
    source: Option<Source<'_>>,
) -> DbResult<VenueRow> {
    let accessibility: Vec<&str> = venue.accessibility.iter().map(|f| f.as_str()).collect();
    Ok(diesel::insert_into(venues::table)
        .values((
            venues::id.eq(id),
            venues::organization_id.eq(organization_id),
            venues::name.eq(&venue.name),
            venues::address_lines.eq(&venue.address_lines),
            venues::town.eq(&venue.town),
            venues::postcode.eq(venue.postcode.as_ref().map(|p| p.as_str())),
            venues::location.eq(venue.location.map(to_point)),
            venues::venue_type.eq(venue.venue_type.as_str()),
            venues::non_stigmatised.eq(venue.non_stigmatised),
            venues::accessibility.eq(accessibility),
            venues::website.eq(&venue.website),
            venues::phone.eq(&venue.phone),
            venues::source.eq(source.map(|s| s.name)),
            venues::source_id.eq(source.map(|s| s.id)),
            venues::location_precision.eq(venue.location_precision.map_or("exact", |p| p.as_str())),
        ))
        .returning(VenueRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<VenueRow>> {
    Ok(venues::table
        .find(id)
        .select(VenueRow::as_select())
        .first(conn)
        .await
        .optional()?)
}
