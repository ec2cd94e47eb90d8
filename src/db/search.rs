//! The directory search: one SQL statement per page that filters, orders (KNN `<->` for
//! distance, full-text rank for relevance, title otherwise), continues after a keyset cursor
//! and returns each asset with its organisation, venue, interests and sessions, so a page costs
//! one round trip. Also the refresh of the search columns that writes call.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    Array, Bool, Double, Int2, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use postgis_diesel::sql_types::Geography;
use postgis_diesel::types::Point;
use serde::Deserialize;
use uuid::Uuid;

use super::DbResult;
use super::assets::{AssetRecord, AssetRow, sessions_from_json};
use super::interests::TermRef;
use super::sql::{PlanLine, Sql, age_fits};
use super::venues::VenueRow;
use crate::domain::geometry::{Bbox, LatLon, reach_as_shown};
use crate::domain::schedule::Weekday;
use crate::domain::search::Order;

pub async fn refresh(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<()> {
    diesel::sql_query("SELECT refresh_asset_search($1)")
        .bind::<Array<SqlUuid>, _>(ids)
        .execute(conn)
        .await?;
    Ok(())
}

/// Refreshes the assets tagged with any of the terms (after a vocabulary change renamed them).
pub async fn refresh_for_terms(conn: &mut AsyncPgConnection, term_ids: &[Uuid]) -> DbResult<()> {
    diesel::sql_query(
        "SELECT refresh_asset_search(array(SELECT DISTINCT asset_id FROM asset_interests WHERE term_id = ANY ($1)))",
    )
    .bind::<Array<SqlUuid>, _>(term_ids)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn refresh_organization(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
) -> DbResult<()> {
    diesel::sql_query(
        "SELECT refresh_asset_search(array(SELECT id FROM assets WHERE organization_id = $1))",
    )
    .bind::<SqlUuid, _>(organization_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where to look, with postcodes already geocoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Anywhere,
    Near {
        point: LatLon,
        radius_m: f64,
        within: Option<Bbox>,
    },
    Within(Bbox),
}

/// A fully resolved search, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub place: Place,
    pub q: Option<String>,
    /// Term ids, each interest already widened to its narrower terms; any may match.
    pub interest_ids: Option<Vec<Uuid>>,
    pub kinds: Vec<String>,
    pub free: Option<bool>,
    pub max_cost_pence: Option<i32>,
    pub concessions: bool,
    pub days: Vec<Weekday>,
    pub from: Option<chrono::NaiveTime>,
    pub to: Option<chrono::NaiveTime>,
    pub age: Option<i16>,
    pub access: Vec<String>,
    pub non_stigmatised: Option<bool>,
    pub genders: Vec<String>,
    pub audiences: Vec<String>,
    pub referral_only: Option<bool>,
    pub organization_id: Option<Uuid>,
    pub updated_since: Option<DateTime<Utc>>,
    pub confirmed_within_days: Option<i32>,
    /// Leave out assets last confirmed (or, never confirmed, listed) before this.
    pub hidden_before: Option<DateTime<Utc>>,
    pub include_online: bool,
    pub order: Order,
    pub after: Option<After>,
    /// Rows to fetch (the page size plus one, to know whether there is a next page).
    pub fetch: i64,
}

/// The keyset position to continue after.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    /// Distance in whole millimetres; `None` once past every located asset.
    Distance(Option<i64>, Uuid),
    Relevance(f64, Uuid),
    Title(String, Uuid),
}

/// Venue columns, prefixed in the SQL so they do not clash with the asset's.
#[derive(Debug, QueryableByName)]
struct VenueColumns {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    v_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    v_organization_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    v_name: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    v_address_lines: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Text>)]
    v_town: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    v_postcode: Option<String>,
    #[diesel(sql_type = Nullable<Geography>)]
    v_location: Option<Point>,
    #[diesel(sql_type = Nullable<Text>)]
    v_venue_type: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    v_non_stigmatised: Option<bool>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    v_accessibility: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Text>)]
    v_website: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    v_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    v_source: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    v_source_id: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    v_created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    v_updated_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    v_location_precision: Option<String>,
}

impl VenueColumns {
    fn into_row(self) -> Option<VenueRow> {
        Some(VenueRow {
            id: self.v_id?,
            organization_id: self.v_organization_id,
            name: self.v_name?,
            address_lines: self.v_address_lines.unwrap_or_default(),
            town: self.v_town,
            postcode: self.v_postcode,
            location: self.v_location,
            venue_type: self.v_venue_type?,
            non_stigmatised: self.v_non_stigmatised?,
            accessibility: self.v_accessibility.unwrap_or_default(),
            website: self.v_website,
            phone: self.v_phone,
            source: self.v_source,
            source_id: self.v_source_id,
            created_at: self.v_created_at?,
            updated_at: self.v_updated_at?,
            location_precision: self.v_location_precision.unwrap_or_else(|| "exact".into()),
        })
    }
}

#[derive(Debug, QueryableByName)]
struct SearchRow {
    #[diesel(embed)]
    asset: AssetRow,
    #[diesel(sql_type = Text)]
    organization_name: String,
    #[diesel(embed)]
    venue: VenueColumns,
    #[diesel(sql_type = Jsonb)]
    interests_json: serde_json::Value,
    #[diesel(sql_type = Jsonb)]
    sessions_json: serde_json::Value,
    #[diesel(sql_type = Nullable<Double>)]
    distance_m: Option<f64>,
    #[diesel(sql_type = Nullable<diesel::sql_types::BigInt>)]
    distance_mm: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    score: Option<f64>,
}

#[derive(Deserialize)]
struct TermJson {
    id: Uuid,
    slug: String,
    label: String,
    #[serde(default)]
    source_uri: Option<String>,
}

/// One search result: the asset with everything a reader sees, and its sort key.
#[derive(Debug, Clone)]
pub struct Hit {
    pub record: AssetRecord,
    pub distance_m: Option<f64>,
    /// The distance the results are ordered and paged by: whole millimetres, so that a page's
    /// cursor compares equal to the same distance computed again on the next page.
    pub distance_mm: Option<i64>,
    pub score: Option<f64>,
}

const ASSET_COLUMNS: &str = "a.id, a.organization_id, a.venue_id, a.service_area, a.online, a.kind, a.title, a.description, \
     a.five_ways, a.min_age, a.max_age, a.eligibility_criteria, a.cost_free, a.cost_pence, a.concession_pence, a.cost_notes, \
     a.schedule_notes, a.drop_in, a.taster_session, a.meet_and_greet, a.booking_required, a.newcomer_notes, \
     a.max_participants, a.typical_group_size, a.contact_name, a.contact_email, a.contact_phone, a.contact_url, a.status, \
     a.confirmed_at, a.published_at, a.source, a.source_id, a.is_example, a.created_at, a.updated_at, a.version, a.source_tags, a.outcomes, \
     a.audience_gender, a.audience_groups, a.audience_groups_only, a.referral_only, \
     a.concession_rules, a.min_rule_pence, a.external_id, a.levels, a.coached, a.attendee_instructions, \
     a.accessibility_support, a.prepayment, a.attribution";

const RELATED_COLUMNS: &str = "o.name AS organization_name, \
     v.id AS v_id, v.organization_id AS v_organization_id, v.name AS v_name, v.address_lines AS v_address_lines, \
     v.town AS v_town, v.postcode AS v_postcode, v.location AS v_location, v.venue_type AS v_venue_type, \
     v.non_stigmatised AS v_non_stigmatised, v.accessibility AS v_accessibility, v.website AS v_website, \
     v.phone AS v_phone, v.source AS v_source, v.source_id AS v_source_id, v.created_at AS v_created_at, \
     v.updated_at AS v_updated_at, v.location_precision AS v_location_precision, \
     (SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'slug', t.slug, 'label', t.label, 'source_uri', t.source_uri) ORDER BY t.label), '[]'::jsonb) \
        FROM interest_terms t WHERE t.id = ANY (a.interest_ids)) AS interests_json, \
     (SELECT coalesce(jsonb_agg(jsonb_build_object('weekday', s.weekday, 'on_date', s.on_date, \
             'start', to_char(s.start_time, 'HH24:MI'), 'end', to_char(s.end_time, 'HH24:MI'), \
             'valid_from', s.valid_from, 'valid_until', s.valid_until) ORDER BY s.position), '[]'::jsonb) \
        FROM asset_sessions s WHERE s.asset_id = a.id) AS sessions_json";

/// The filters shared by every branch of the statement, as SQL on `a` (assets).
fn filters(sql: &mut Sql, q: &SearchQuery, tsquery: Option<&str>) -> String {
    let mut clauses = vec!["a.status = 'published'".to_string()];
    if let (Some(text), Some(tsq)) = (&q.q, tsquery) {
        let text = sql.bind::<Text, _>(text.clone());
        clauses.push(format!(
            "(a.search_vector @@ {tsq} OR {text} <% a.search_text)"
        ));
    }
    if let Some(ids) = &q.interest_ids {
        let ids = sql.bind::<Array<SqlUuid>, _>(ids.clone());
        clauses.push(format!("a.interest_ids && {ids}"));
    }
    if !q.kinds.is_empty() {
        let kinds = sql.bind::<Array<Text>, _>(q.kinds.clone());
        clauses.push(format!("a.kind = ANY ({kinds})"));
    }
    if let Some(free) = q.free {
        clauses.push(format!(
            "a.cost_free IS {}",
            if free { "TRUE" } else { "FALSE" }
        ));
    }
    if let Some(max) = q.max_cost_pence {
        let max = sql.bind::<Int4, _>(max);
        let price = if q.concessions {
            "coalesce(a.concession_pence, a.cost_pence)"
        } else {
            "a.cost_pence"
        };
        clauses.push(format!("(a.cost_free IS TRUE OR {price} <= {max})"));
    }
    if !q.days.is_empty() || q.from.is_some() || q.to.is_some() {
        let mut session = vec![
            "s.asset_id = a.id".to_string(),
            "(s.valid_until IS NULL OR s.valid_until >= current_date)".to_string(),
            "(s.on_date IS NULL OR s.on_date >= current_date)".to_string(),
        ];
        if !q.days.is_empty() {
            let days: Vec<i16> = q.days.iter().map(|d| d.iso_number()).collect();
            let days = sql.bind::<Array<Int2>, _>(days);
            session.push(format!(
                "coalesce(s.weekday, extract(isodow FROM s.on_date)::int2) = ANY ({days})"
            ));
        }
        if let Some(to) = q.to {
            let to = sql.bind::<diesel::sql_types::Time, _>(to);
            session.push(format!("s.start_time < {to}"));
        }
        if let Some(from) = q.from {
            let from = sql.bind::<diesel::sql_types::Time, _>(from);
            session.push(format!("s.end_time > {from}"));
        }
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM asset_sessions s WHERE {})",
            session.join(" AND ")
        ));
    }
    if let Some(age) = q.age {
        clauses.push(age_fits(sql, age));
    }
    if !q.access.is_empty() {
        let access = sql.bind::<Array<Text>, _>(q.access.clone());
        clauses.push(format!("a.accessibility @> {access}"));
    }
    match q.non_stigmatised {
        Some(true) => clauses
            .push("(a.non_stigmatised IS TRUE OR (a.non_stigmatised IS NULL AND a.online))".into()),
        Some(false) => clauses.push("a.non_stigmatised IS FALSE".into()),
        None => {}
    }
    if !q.genders.is_empty() {
        let g = sql.bind::<Array<Text>, _>(q.genders.clone());
        clauses.push(format!("a.audience_gender = ANY ({g})"));
    }
    if !q.audiences.is_empty() {
        let g = sql.bind::<Array<Text>, _>(q.audiences.clone());
        clauses.push(format!("a.audience_groups && {g}"));
    }
    if let Some(r) = q.referral_only {
        clauses.push(format!(
            "a.referral_only IS {}",
            if r { "TRUE" } else { "FALSE" }
        ));
    }
    if let Some(org) = q.organization_id {
        let org = sql.bind::<SqlUuid, _>(org);
        clauses.push(format!("a.organization_id = {org}"));
    }
    if let Some(since) = q.updated_since {
        let since = sql.bind::<Timestamptz, _>(since);
        clauses.push(format!("a.updated_at >= {since}"));
    }
    if let Some(days) = q.confirmed_within_days {
        let days = sql.bind::<Int4, _>(days);
        clauses.push(format!(
            "a.confirmed_at >= now() - make_interval(days => {days})"
        ));
    }
    if let Some(before) = q.hidden_before {
        let before = sql.bind::<Timestamptz, _>(before);
        clauses.push(format!(
            "coalesce(a.confirmed_at, a.created_at) >= {before}"
        ));
    }
    clauses.join(" AND ")
}

/// How a search near a point finds its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Walk the GiST index outwards from the point (KNN `<->`), filtering as it goes, over at most
    /// the `WINDOW` nearest assets: stops as soon as a page is found, whatever the density.
    Nearest,
    /// Every match within the radius (`ST_DWithin`, index-assisted), sorted: exact when the
    /// nearest window holds too few matches.
    WithinRadius,
}

/// How many of the nearest assets the KNN walk looks at before giving way to the exact form.
/// The walk orders by distance alone (a GiST KNN scan cannot also order by id); ties are broken
/// by id above it, on the window, with an incremental sort that still stops early.
///
/// Results are ordered and paged by the distance rounded to whole millimetres, then id: PostGIS
/// can compute the same distance a hair differently from one statement to the next (it caches
/// a tree of the search point after a few rows), so a cursor holding the exact float could
/// repeat, skip or loop at assets that tie (several at one venue). A full window serves only the
/// rows strictly nearer than its farthest millimetre, every one of which it is sure to hold.
const WINDOW: i64 = 500;

/// Builds the statement for one page, after `prefix` (e.g. `EXPLAIN …`). It first finds the
/// page's ids and sort keys on `assets` alone, then joins organisation, venue, interests and
/// sessions for those rows only.
fn build(q: &SearchQuery, prefix: &str, shape: Shape) -> Sql {
    let mut sql = Sql::new();
    let tsquery = q.q.as_ref().map(|text| {
        let text = sql.bind::<Text, _>(text.clone());
        // Evaluated once per statement as a scalar subquery; the bare call is only stable and
        // would parse the words again for every row.
        format!("(SELECT websearch_to_tsquery('english', {text}))")
    });
    let score = match (&q.q, &tsquery) {
        (Some(text), Some(tsq)) => {
            let text = sql.bind::<Text, _>(text.clone());
            format!(
                "(ts_rank_cd(a.search_vector, {tsq}) + word_similarity({text}, a.search_text))::float8"
            )
        }
        _ => "NULL::float8".to_string(),
    };
    let common = filters(&mut sql, q, tsquery.as_deref());
    let fetch = sql.bind::<diesel::sql_types::BigInt, _>(q.fetch);

    let candidates = match &q.place {
        Place::Near {
            point,
            radius_m,
            within,
        } => {
            let p = sql.bind::<Geography, _>(Point {
                x: point.lon,
                y: point.lat,
                srid: Some(4326),
            });
            let r = sql.bind::<Double, _>(reach_as_shown(*radius_m));
            let distance = format!("(a.geom <-> {p})");
            let millimetres = format!("round({distance} * 1000)::int8");
            let (located_after, online_after) = match &q.after {
                Some(After::Distance(Some(mm), id)) => {
                    let (mm, id) = (
                        sql.bind::<diesel::sql_types::BigInt, _>(*mm),
                        sql.bind::<SqlUuid, _>(*id),
                    );
                    (
                        format!(" AND ({millimetres}, a.id) > ({mm}, {id})"),
                        String::new(),
                    )
                }
                Some(After::Distance(None, id)) => {
                    let id = sql.bind::<SqlUuid, _>(*id);
                    (" AND FALSE".to_string(), format!(" AND a.id > {id}"))
                }
                _ => (String::new(), String::new()),
            };
            let boxed = within
                .map(|b| format!(" AND {}", in_box(&mut sql, &b)))
                .unwrap_or_default();
            let in_reach = format!("{common}{boxed}");
            let located = match shape {
                Shape::Nearest => {
                    let window = sql.bind::<diesel::sql_types::BigInt, _>(WINDOW);
                    format!(
                        "SELECT a.id, a.distance_m, a.distance_mm, NULL::float8 AS score FROM (\
                           SELECT w.*, round(w.distance_m * 1000)::int8 AS distance_mm, \
                                  count(*) OVER () AS window_rows, \
                                  max(round(w.distance_m * 1000)::int8) OVER () AS window_edge \
                           FROM (SELECT a.*, {distance} AS distance_m FROM assets a \
                                 WHERE a.status = 'published' AND a.geom IS NOT NULL{located_after} \
                                 ORDER BY {distance} LIMIT {window}) w) a \
                         WHERE {in_reach} AND a.distance_m <= {r} \
                           AND (a.window_rows < {window} OR a.distance_mm < a.window_edge) \
                         ORDER BY a.distance_mm, a.id LIMIT {fetch}"
                    )
                }
                Shape::WithinRadius => format!(
                    "SELECT a.id, {distance} AS distance_m, {millimetres} AS distance_mm, NULL::float8 AS score \
                     FROM assets a \
                     WHERE {in_reach} AND ST_DWithin(a.geom, {p}, {r}, false){located_after} \
                     ORDER BY distance_mm, a.id LIMIT {fetch}"
                ),
            };
            if q.include_online {
                // Online-only assets have no place: they follow every located one.
                format!(
                    "SELECT * FROM (({located}) UNION ALL (SELECT a.id, NULL::float8, NULL::int8, NULL::float8 FROM assets a \
                     WHERE {common} AND a.geom IS NULL AND a.online{online_after} ORDER BY a.id LIMIT {fetch})) c \
                     ORDER BY distance_mm NULLS LAST, id LIMIT {fetch}"
                )
            } else {
                located
            }
        }
        place => {
            let (after, order, outer_order) = match (&q.order, &q.after) {
                (Order::Relevance, Some(After::Relevance(s, id))) => {
                    let (s, id) = (sql.bind::<Double, _>(*s), sql.bind::<SqlUuid, _>(*id));
                    (
                        format!(" AND ({score} < {s} OR ({score} = {s} AND a.id > {id}))"),
                        "score DESC, a.id",
                        "score DESC, id",
                    )
                }
                (Order::Relevance, _) => (String::new(), "score DESC, a.id", "score DESC, id"),
                (_, Some(After::Title(t, id))) => {
                    let (t, id) = (sql.bind::<Text, _>(t.clone()), sql.bind::<SqlUuid, _>(*id));
                    (
                        format!(" AND (a.title, a.id) > ({t}, {id})"),
                        "a.title, a.id",
                        "title, id",
                    )
                }
                _ => (String::new(), "a.title, a.id", "title, id"),
            };
            let select = format!(
                "SELECT a.id, NULL::float8 AS distance_m, NULL::int8 AS distance_mm, {score} AS score, a.title FROM assets a"
            );
            match place {
                Place::Within(b) => {
                    let boxed = in_box(&mut sql, b);
                    let located = format!(
                        "{select} WHERE {common} AND {boxed}{after} ORDER BY {order} LIMIT {fetch}"
                    );
                    if q.include_online {
                        // Two index-friendly halves rather than one OR that no index serves.
                        format!(
                            "SELECT * FROM (({located}) UNION ALL ({select} WHERE {common} AND a.geom IS NULL AND a.online{after} \
                             ORDER BY {order} LIMIT {fetch})) c ORDER BY {outer_order} LIMIT {fetch}"
                        )
                    } else {
                        located
                    }
                }
                _ => format!("{select} WHERE {common}{after} ORDER BY {order} LIMIT {fetch}"),
            }
        }
    };
    let order = match q.order {
        Order::Distance => "c.distance_mm NULLS LAST, a.id",
        Order::Relevance => "c.score DESC, a.id",
        Order::Title => "a.title, a.id",
    };
    sql.push(&format!(
        "{prefix}SELECT {ASSET_COLUMNS}, {RELATED_COLUMNS}, c.distance_m, c.distance_mm, c.score FROM ({candidates}) c \
         JOIN assets a ON a.id = c.id JOIN organizations o ON o.id = a.organization_id \
         LEFT JOIN venues v ON v.id = a.venue_id ORDER BY {order}"
    ));
    sql
}

/// Whether an asset's place lies in a map box (assets without a place never do).
fn in_box(sql: &mut Sql, b: &Bbox) -> String {
    let env = format!(
        "ST_MakeEnvelope({}, {}, {}, {}, 4326)",
        sql.bind::<Double, _>(b.min_lon),
        sql.bind::<Double, _>(b.min_lat),
        sql.bind::<Double, _>(b.max_lon),
        sql.bind::<Double, _>(b.max_lat)
    );
    format!("a.geom::geometry && {env} AND ST_Intersects(a.geom::geometry, {env})")
}

/// The shapes to try, in order: near a point, the bounded KNN walk first, then the exact form
/// if the walk could not fill the page.
fn shapes(q: &SearchQuery) -> &'static [Shape] {
    match q.place {
        Place::Near { .. } if !q.include_online => &[Shape::Nearest, Shape::WithinRadius],
        _ => &[Shape::WithinRadius],
    }
}

fn into_hit(row: SearchRow) -> Hit {
    let terms: Vec<TermJson> = serde_json::from_value(row.interests_json).unwrap_or_default();
    let asset_id = row.asset.id;
    Hit {
        record: AssetRecord {
            organization_name: row.organization_name,
            venue: row.venue.into_row(),
            interests: terms
                .into_iter()
                .map(|t| TermRef {
                    id: t.id,
                    slug: t.slug,
                    label: t.label,
                    source_uri: t.source_uri,
                })
                .collect(),
            sessions: sessions_from_json(asset_id, row.sessions_json),
            asset: row.asset,
        },
        distance_m: row.distance_m,
        distance_mm: row.distance_mm,
        score: row.score,
    }
}

/// One shape only: for tests that check the shapes agree.
pub async fn run_shape(
    conn: &mut AsyncPgConnection,
    q: &SearchQuery,
    shape: Shape,
) -> DbResult<Vec<Hit>> {
    let rows: Vec<SearchRow> = build(q, "", shape).query.load(conn).await?;
    Ok(rows.into_iter().map(into_hit).collect())
}

pub async fn run(conn: &mut AsyncPgConnection, q: &SearchQuery) -> DbResult<Vec<Hit>> {
    let mut rows: Vec<SearchRow> = Vec::new();
    for shape in shapes(q) {
        rows = build(q, "", *shape).query.load(conn).await?;
        if rows.len() as i64 == q.fetch {
            break;
        }
    }
    Ok(rows.into_iter().map(into_hit).collect())
}

/// The plans PostgreSQL runs for a search, with timings: `EXPLAIN (ANALYZE, BUFFERS)` of the
/// very statements `run` sends, with the same bound values, each headed by its shape.
pub async fn explain(conn: &mut AsyncPgConnection, q: &SearchQuery) -> DbResult<Vec<String>> {
    let mut lines = Vec::new();
    for shape in shapes(q) {
        let found = build(q, "", *shape)
            .query
            .load::<SearchRow>(conn)
            .await?
            .len();
        lines.push(format!("-- {shape:?}: {found} of {} rows wanted", q.fetch));
        let plan: Vec<PlanLine> = build(q, "EXPLAIN (ANALYZE, BUFFERS) ", *shape)
            .query
            .load(conn)
            .await?;
        lines.extend(plan.into_iter().map(|r| r.line));
        if found as i64 == q.fetch {
            break;
        }
    }
    Ok(lines)
}
