//! Queries behind the ORUK feed: which published assets a page of services or services at
//! locations holds, and the organisations that run them.

use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int2, Text, Time, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use super::organizations::OrganizationRow;
use super::schema::{assets, organizations};
use super::sql::Sql;
use crate::domain::geometry::LatLon;

/// What a taxonomy term selects.
#[derive(Debug, Clone, PartialEq)]
pub enum TermFilter {
    /// An interest term and its narrower terms.
    Interest(Vec<Uuid>),
    Kind(String),
    FiveWays(String),
    VenueType(String),
    Accessibility(String),
    /// A detail term: the asset states that fact.
    Detail(String),
}

/// Which terms' taxonomy a record must use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxonomyFilter {
    Interests,
    FiveWays,
    VenueType,
    Accessibility,
    /// Every asset has a kind and some detail.
    Any,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub search: Option<String>,
    /// `None` inside means the term exists in no taxonomy: nothing matches.
    pub term: Option<Option<TermFilter>>,
    pub taxonomy: Option<Option<TaxonomyFilter>>,
    pub organization_id: Option<Uuid>,
    pub modified_after: Option<DateTime<Utc>>,
    /// Admits people of at least this age.
    pub minimum_age: Option<i16>,
    /// Admits people of at most this age.
    pub maximum_age: Option<i16>,
    /// ISO weekday, 1 = Monday.
    pub day: Option<i16>,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    /// Within this many metres of the point (inside a service area counts as 0).
    pub near: Option<(LatLon, f64)>,
}

fn filters(sql: &mut Sql, f: &ServiceFilter) {
    sql.push(" WHERE a.status = 'published'");
    if let Some(text) = &f.search {
        let p = sql.bind::<Text, _>(text.clone());
        sql.push(&format!(
            " AND (a.search_vector @@ websearch_to_tsquery('english', {p}) OR a.search_text ILIKE '%' || {p} || '%')"
        ));
    }
    match &f.term {
        None => {}
        Some(None) => {
            sql.push(" AND false");
        }
        Some(Some(term)) => {
            let clause = match term {
                TermFilter::Interest(ids) => {
                    let p = sql.bind::<diesel::sql_types::Array<SqlUuid>, _>(ids.clone());
                    format!(" AND a.interest_ids && {p}")
                }
                TermFilter::Kind(code) => {
                    let p = sql.bind::<Text, _>(code.clone());
                    format!(" AND a.kind = {p}")
                }
                TermFilter::FiveWays(code) => {
                    let p = sql.bind::<Text, _>(code.clone());
                    format!(" AND a.five_ways @> ARRAY[{p}::text]")
                }
                TermFilter::VenueType(code) => {
                    let p = sql.bind::<Text, _>(code.clone());
                    format!(" AND a.venue_type = {p}")
                }
                TermFilter::Accessibility(code) => {
                    let p = sql.bind::<Text, _>(code.clone());
                    format!(" AND a.accessibility @> ARRAY[{p}::text]")
                }
                TermFilter::Detail(code) => {
                    let column = match code.as_str() {
                        "drop_in" => "a.drop_in",
                        "taster_session" => "a.taster_session",
                        "meet_and_greet" => "a.meet_and_greet",
                        "booking_required" => "a.booking_required",
                        "newcomer_notes" => "a.newcomer_notes",
                        "max_participants" => "a.max_participants",
                        "typical_group_size" => "a.typical_group_size",
                        _ => "a.non_stigmatised",
                    };
                    format!(" AND {column} IS NOT NULL")
                }
            };
            sql.push(&clause);
        }
    }
    match f.taxonomy {
        None | Some(Some(TaxonomyFilter::Any)) => {}
        Some(None) => {
            sql.push(" AND false");
        }
        Some(Some(TaxonomyFilter::Interests)) => {
            sql.push(" AND cardinality(a.interest_ids) > 0");
        }
        Some(Some(TaxonomyFilter::FiveWays)) => {
            sql.push(" AND cardinality(a.five_ways) > 0");
        }
        Some(Some(TaxonomyFilter::VenueType)) => {
            sql.push(" AND a.venue_id IS NOT NULL");
        }
        Some(Some(TaxonomyFilter::Accessibility)) => {
            sql.push(" AND cardinality(a.accessibility) > 0");
        }
    }
    if let Some(org) = f.organization_id {
        let p = sql.bind::<SqlUuid, _>(org);
        sql.push(&format!(" AND a.organization_id = {p}"));
    }
    if let Some(after) = f.modified_after {
        let p = sql.bind::<Timestamptz, _>(after);
        sql.push(&format!(" AND a.updated_at >= {p}"));
    }
    if let Some(age) = f.minimum_age {
        let p = sql.bind::<Int2, _>(age);
        sql.push(&format!(" AND (a.max_age IS NULL OR a.max_age >= {p})"));
    }
    if let Some(age) = f.maximum_age {
        let p = sql.bind::<Int2, _>(age);
        sql.push(&format!(" AND (a.min_age IS NULL OR a.min_age <= {p})"));
    }
    if f.day.is_some() || f.start_time.is_some() || f.end_time.is_some() {
        let mut clause =
            String::from(" AND EXISTS (SELECT 1 FROM asset_sessions s WHERE s.asset_id = a.id");
        if let Some(day) = f.day {
            let p = sql.bind::<Int2, _>(day);
            clause.push_str(&format!(
                " AND (s.weekday = {p} OR extract(isodow FROM s.on_date) = {p})"
            ));
        }
        if let Some(start) = f.start_time {
            let p = sql.bind::<Time, _>(start);
            clause.push_str(&format!(" AND s.start_time >= {p}"));
        }
        if let Some(end) = f.end_time {
            let p = sql.bind::<Time, _>(end);
            clause.push_str(&format!(" AND s.end_time <= {p}"));
        }
        clause.push(')');
        sql.push(&clause);
    }
    if let Some((point, metres)) = f.near {
        let lon = sql.bind::<diesel::sql_types::Double, _>(point.lon);
        let lat = sql.bind::<diesel::sql_types::Double, _>(point.lat);
        let r = sql.bind::<diesel::sql_types::Double, _>(metres);
        sql.push(&format!(
            " AND ST_DWithin(a.geom, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, {r}, false)"
        ));
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct PlacedRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    place: String,
}

/// The total number of published assets that pass, and the ids on one page, in id order.
pub async fn service_page(
    conn: &mut AsyncPgConnection,
    f: &ServiceFilter,
    offset: i64,
    limit: i64,
) -> DbResult<(i64, Vec<Uuid>)> {
    let mut count = Sql::new();
    count.push("SELECT count(*) AS n FROM assets a");
    filters(&mut count, f);
    let total = count.query.get_result::<Count>(conn).await?.n;
    let mut page = Sql::new();
    page.push("SELECT a.id FROM assets a");
    filters(&mut page, f);
    let o = page.bind::<BigInt, _>(offset);
    let l = page.bind::<BigInt, _>(limit);
    page.push(&format!(" ORDER BY a.id OFFSET {o} LIMIT {l}"));
    let rows: Vec<IdRow> = page.query.load(conn).await?;
    Ok((total, rows.into_iter().map(|r| r.id).collect()))
}

/// Where a service at a location is: at the asset's venue, or online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Venue,
    Online,
}

const PLACES: &str = " FROM assets a CROSS JOIN (VALUES ('venue'), ('online')) p(place)";
const PLACED: &str =
    " AND ((p.place = 'venue' AND a.venue_id IS NOT NULL) OR (p.place = 'online' AND a.online))";

/// Like `service_page`, for services at locations: one per asset and place.
pub async fn service_at_location_page(
    conn: &mut AsyncPgConnection,
    f: &ServiceFilter,
    offset: i64,
    limit: i64,
) -> DbResult<(i64, Vec<(Uuid, Place)>)> {
    let mut count = Sql::new();
    count.push(&format!("SELECT count(*) AS n{PLACES}"));
    filters(&mut count, f);
    count.push(PLACED);
    let total = count.query.get_result::<Count>(conn).await?.n;
    let mut page = Sql::new();
    page.push(&format!("SELECT a.id, p.place{PLACES}"));
    filters(&mut page, f);
    page.push(PLACED);
    let o = page.bind::<BigInt, _>(offset);
    let l = page.bind::<BigInt, _>(limit);
    page.push(&format!(
        " ORDER BY a.id, p.place DESC OFFSET {o} LIMIT {l}"
    ));
    let rows: Vec<PlacedRow> = page.query.load(conn).await?;
    Ok((
        total,
        rows.into_iter()
            .map(|r| {
                let place = if r.place == "online" {
                    Place::Online
                } else {
                    Place::Venue
                };
                (r.id, place)
            })
            .collect(),
    ))
}

/// Whether the asset is published.
pub async fn is_published(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<bool> {
    let n: i64 = assets::table
        .filter(assets::id.eq(id))
        .filter(assets::status.eq("published"))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

const WITH_PUBLISHED_ASSETS: &str =
    "EXISTS (SELECT 1 FROM assets a WHERE a.organization_id = o.id AND a.status = 'published')";

/// Organisations that run at least one published asset, in id order.
pub async fn organization_page(
    conn: &mut AsyncPgConnection,
    search: Option<&str>,
    offset: i64,
    limit: i64,
) -> DbResult<(i64, Vec<Uuid>)> {
    let build = |select: &str| {
        let mut sql = Sql::new();
        sql.push(&format!(
            "SELECT {select} FROM organizations o WHERE {WITH_PUBLISHED_ASSETS}"
        ));
        if let Some(text) = search {
            let p = sql.bind::<Text, _>(text.to_string());
            sql.push(&format!(
                " AND (o.name ILIKE '%' || {p} || '%' OR o.description ILIKE '%' || {p} || '%')"
            ));
        }
        sql
    };
    let total = build("count(*) AS n")
        .query
        .get_result::<Count>(conn)
        .await?
        .n;
    let mut page = build("o.id");
    let o = page.bind::<BigInt, _>(offset);
    let l = page.bind::<BigInt, _>(limit);
    page.push(&format!(" ORDER BY o.id OFFSET {o} LIMIT {l}"));
    let rows: Vec<IdRow> = page.query.load(conn).await?;
    Ok((total, rows.into_iter().map(|r| r.id).collect()))
}

/// These organisations, in no particular order.
pub async fn organizations(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> DbResult<Vec<OrganizationRow>> {
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select(OrganizationRow::as_select())
        .load(conn)
        .await?)
}

/// The published assets an organisation runs, in id order.
pub async fn published_of(conn: &mut AsyncPgConnection, org: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(assets::table
        .filter(assets::organization_id.eq(org))
        .filter(assets::status.eq("published"))
        .order(assets::id)
        .select(assets::id)
        .load(conn)
        .await?)
}
