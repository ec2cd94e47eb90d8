//! Candidate generation for matching, in PostGIS: the nearest assets that can match the person
//! (interest tags or words, age, exclusions and, unless relaxed, the other hard constraints),
//! found by walking a planar GiST index outwards from the person within the reach's box. Service
//! areas and online assets come from their own indexed branches. Scoring happens in
//! `domain::matching`, not here.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Int2, Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::participation::Participation;

use super::DbResult;
use super::assets::{SessionRow, sessions_from_json};
use super::sql::{PlanLine, Sql, age_fits};
use crate::domain::asset::AssetKind;
use crate::domain::audience::{Audience, GenderRule};
use crate::domain::geometry::LatLon;
use crate::domain::matching::candidate::Candidate;
use crate::domain::venue::VenueType;

/// What to look for: the request's hard constraints, in the data layer's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateQuery {
    pub point: LatLon,
    /// Straight-line reach in metres.
    pub radius_m: f64,
    /// Terms any of which an asset may carry to match (`None`: interests were not asked for).
    pub term_ids: Option<Vec<Uuid>>,
    /// The person's phrases, each looked for in assets' text (reported per phrase).
    pub phrases: Vec<String>,
    /// Indices into `phrases` of those that also admit an asset by its words alone: phrases
    /// that named no term, or only a look-alike one. A phrase that named a term finds assets by
    /// their tags; checking every asset's words for it as well would cost more than the rest of
    /// the walk.
    pub text_candidates: Vec<usize>,
    pub age: Option<i16>,
    pub exclude: Vec<Uuid>,
    pub kinds: Vec<String>,
    pub access: Vec<String>,
    pub max_cost_pence: Option<i32>,
    pub concessions: bool,
    /// Whether a concession rule could apply to the person (their age or groups are known).
    pub rule_concessions: bool,
    pub include_online: bool,
    /// The audience rules, in SQL's terms (`domain::audience::exclusions` is the definition).
    pub audience: AudienceFilter,
    /// Rows to return from each branch at most.
    pub limit: i64,
    /// Walk outwards from the person testing each asset's interests, rather than letting the
    /// planner start from the interest index: right unless the interests are rare.
    pub walk: bool,
}

/// Which audience rules leave assets out of the candidates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudienceFilter {
    /// The gender rule that excludes the person (`men_only` for a woman).
    pub excluded_gender: Option<&'static str>,
    /// Only sessions with this gender rule (the person asked for single-gender sessions).
    pub required_gender: Option<&'static str>,
    /// The groups the person belongs to; closed groups admit only these.
    pub groups: Vec<String>,
    /// Whether referral-only sessions are admitted.
    pub referral: bool,
}

/// How many sessions made for the person's groups join the candidates, nearest first.
const MADE_FOR: i64 = 20;

/// Distances on the plane (`geom_plane`) are within about 4% of the sphere's across the UK: the
/// planar search box gets this margin, and the exact reach is then checked on the sphere.
const PLANAR_MARGIN: f64 = 1.05;

#[derive(QueryableByName)]
struct CandidateRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    organization_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    venue_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Double>)]
    lat: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    lon: Option<f64>,
    #[diesel(sql_type = Bool)]
    online: bool,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Int2>)]
    min_age: Option<i16>,
    #[diesel(sql_type = Nullable<Int2>)]
    max_age: Option<i16>,
    #[diesel(sql_type = Nullable<Bool>)]
    cost_free: Option<bool>,
    #[diesel(sql_type = Nullable<Int4>)]
    cost_pence: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    concession_pence: Option<i32>,
    #[diesel(sql_type = Jsonb)]
    concession_rules: serde_json::Value,
    #[diesel(sql_type = Array<Text>)]
    accessibility: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    venue_type: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    non_stigmatised: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    drop_in: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    taster_session: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    meet_and_greet: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    booking_required: Option<bool>,
    #[diesel(sql_type = Nullable<Int4>)]
    typical_group_size: Option<i32>,
    #[diesel(sql_type = Nullable<Int4>)]
    max_participants: Option<i32>,
    #[diesel(sql_type = Text)]
    audience_gender: String,
    #[diesel(sql_type = Array<Text>)]
    audience_groups: Vec<String>,
    #[diesel(sql_type = Bool)]
    audience_groups_only: bool,
    #[diesel(sql_type = Bool)]
    referral_only: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    confirmed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    outcomes: Option<serde_json::Value>,
    #[diesel(sql_type = Array<SqlUuid>)]
    interest_ids: Vec<Uuid>,
    #[diesel(sql_type = Array<Bool>)]
    text_hits: Vec<bool>,
    #[diesel(sql_type = Jsonb)]
    sessions: serde_json::Value,
    #[diesel(sql_type = Array<Text>)]
    levels: Vec<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    coached: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    attendee_instructions: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    accessibility_support: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    prepayment: Option<String>,
    #[diesel(sql_type = Text)]
    text: String,
}

impl CandidateRow {
    fn into_candidate(self) -> Option<Candidate> {
        Some(Candidate {
            id: self.id,
            organization_id: self.organization_id,
            venue_id: self.venue_id,
            position: match (self.lat, self.lon) {
                (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
                _ => None,
            },
            online: self.online,
            // The database's CHECK constraints keep these names valid.
            kind: AssetKind::parse(&self.kind)?,
            min_age: self.min_age,
            max_age: self.max_age,
            cost_free: self.cost_free,
            cost_pence: self.cost_pence,
            concession_pence: self.concession_pence,
            concession_rules: serde_json::from_value(self.concession_rules).unwrap_or_default(),
            accessibility: self.accessibility,
            venue_type: self.venue_type.as_deref().and_then(VenueType::parse),
            non_stigmatised: self.non_stigmatised,
            drop_in: self.drop_in,
            taster_session: self.taster_session,
            meet_and_greet: self.meet_and_greet,
            booking_required: self.booking_required,
            typical_group_size: self.typical_group_size,
            max_participants: self.max_participants,
            audience: Audience::from_columns(
                GenderRule::parse(&self.audience_gender)?,
                &self.audience_groups,
                self.audience_groups_only,
                self.referral_only,
            ),
            confirmed_at: self.confirmed_at,
            created_at: self.created_at,
            outcomes: self
                .outcomes
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
            interest_ids: self.interest_ids,
            text_hits: self.text_hits,
            participation: Participation::from_columns(
                self.levels,
                self.coached,
                self.attendee_instructions,
                self.accessibility_support,
                self.prepayment.as_deref(),
            ),
            text: self.text,
            semantic: Vec::new(),
            sessions: sessions_from_json(self.id, self.sessions)
                .iter()
                .map(SessionRow::to_session)
                .collect(),
        })
    }
}

const COLUMNS: &str = "a.id, a.organization_id, a.venue_id, a.online, a.kind, a.min_age, a.max_age, \
     a.cost_free, a.cost_pence, a.concession_pence, a.concession_rules, a.accessibility, a.venue_type, a.non_stigmatised, \
     a.drop_in, a.taster_session, a.meet_and_greet, a.booking_required, a.typical_group_size, \
     a.max_participants, a.audience_gender, a.audience_groups, a.audience_groups_only, a.referral_only, \
     a.confirmed_at, a.created_at, a.outcomes, a.interest_ids, a.sessions, \
     a.levels, a.coached, a.attendee_instructions, a.accessibility_support, a.prepayment, \
     a.title || '. ' || left(a.description, 300) AS text";

fn build(q: &CandidateQuery, prefix: &str) -> Sql {
    let mut sql = Sql::new();
    let lat = sql.bind::<Double, _>(q.point.lat);
    let lon = sql.bind::<Double, _>(q.point.lon);
    let point = format!("ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)");
    let (x, y) = crate::domain::geometry::plane(q.point);
    let (x, y) = (sql.bind::<Double, _>(x), sql.bind::<Double, _>(y));
    let plane = format!("ST_MakePoint({x}, {y})");
    let limit = sql.bind::<BigInt, _>(q.limit);

    let mut filters = vec!["a.status = 'published'".to_string()];
    let mut interest_filter: Option<String> = None;
    let mut hits = Vec::new();
    let phrases: Vec<String> = q
        .phrases
        .iter()
        .map(|p| {
            let p = sql.bind::<Text, _>(p.clone());
            // A scalar subquery is evaluated once per statement; the bare function call is
            // only stable, so PostgreSQL would parse the phrase again for every row.
            format!("(SELECT plainto_tsquery('english', {p}))")
        })
        .collect();
    for tsq in &phrases {
        hits.push(format!("a.search_vector @@ {tsq}"));
    }
    let text_hits = if hits.is_empty() {
        "'{}'::bool[]".to_string()
    } else {
        format!("ARRAY[{}]", hits.join(", "))
    };
    if let Some(ids) = &q.term_ids {
        let ids = sql.bind::<Array<SqlUuid>, _>(ids.clone());
        let mut any = vec![format!("a.interest_ids && {ids}")];
        let texts: Vec<&str> = q
            .text_candidates
            .iter()
            .filter_map(|i| phrases.get(*i).map(String::as_str))
            .collect();
        if !texts.is_empty() {
            any.push(format!("a.search_vector @@ ({})", texts.join(" || ")));
        }
        let interest = format!("({})", any.join(" OR "));
        interest_filter = Some(if q.walk {
            // Wrapped so that the planner cannot AND the interest GIN index with the box: a
            // popular interest matches a sixth of the directory, and that bitmap costs far more
            // than walking the nearest assets in the box until enough match.
            format!("coalesce({interest}, false)")
        } else {
            interest
        });
    }
    if let Some(age) = q.age {
        filters.push(age_fits(&mut sql, age));
    }
    if !q.exclude.is_empty() {
        let ex = sql.bind::<Array<SqlUuid>, _>(q.exclude.clone());
        filters.push(format!("NOT (a.id = ANY ({ex}))"));
    }
    if !q.kinds.is_empty() {
        let kinds = sql.bind::<Array<Text>, _>(q.kinds.clone());
        filters.push(format!("a.kind = ANY ({kinds})"));
    }
    if !q.access.is_empty() {
        let access = sql.bind::<Array<Text>, _>(q.access.clone());
        filters.push(format!(
            "(a.venue_id IS NULL OR a.accessibility @> {access})"
        ));
    }
    if let Some(max) = q.max_cost_pence {
        let max = sql.bind::<Int4, _>(max);
        let price = if q.concessions {
            "coalesce(a.concession_pence, a.cost_pence)"
        } else {
            "a.cost_pence"
        };
        // An unstated price passes: it is ranked lower and flagged, not hidden. A concession
        // rule may bring the price within budget: its lowest price keeps the asset, and the
        // rules themselves are checked in Rust.
        let rules = if q.rule_concessions {
            format!(" OR a.min_rule_pence <= {max}")
        } else {
            String::new()
        };
        filters.push(format!(
            "(a.cost_free IS TRUE OR {price} IS NULL OR {price} <= {max}{rules})"
        ));
    }
    let aud = &q.audience;
    if let Some(g) = aud.excluded_gender {
        let g = sql.bind::<Text, _>(g);
        filters.push(format!("a.audience_gender <> {g}"));
    }
    if let Some(g) = aud.required_gender {
        let g = sql.bind::<Text, _>(g);
        filters.push(format!("a.audience_gender = {g}"));
    }
    let groups = sql.bind::<Array<Text>, _>(aud.groups.clone());
    filters.push(format!(
        "(NOT a.audience_groups_only OR a.audience_groups && {groups})"
    ));
    if !aud.referral {
        filters.push("NOT a.referral_only".to_string());
    }
    // Everything but the interests, for the branch of sessions made for the person.
    let base = filters.join(" AND ");
    let filters = match &interest_filter {
        Some(interest) => format!("{base} AND {interest}"),
        None => base.clone(),
    };
    let radius = sql.bind::<Double, _>(q.radius_m * PLANAR_MARGIN);
    let radius_m = sql.bind::<Double, _>(crate::domain::geometry::reach_as_shown(q.radius_m));

    let located = format!(
        "SELECT {COLUMNS}, ST_Y(a.geom::geometry) AS lat, ST_X(a.geom::geometry) AS lon, {text_hits} AS text_hits \
         FROM assets a \
         WHERE {filters} AND a.geom_plane && ST_Expand({plane}, {radius}) \
         ORDER BY a.geom_plane <-> {plane} LIMIT {limit}"
    );
    let areas = format!(
        "SELECT {COLUMNS}, ST_Y(c.p) AS lat, ST_X(c.p) AS lon, {text_hits} AS text_hits \
         FROM assets a CROSS JOIN LATERAL (SELECT ST_ClosestPoint(a.service_area::geometry, {point}) AS p) c \
         WHERE {filters} AND a.service_area IS NOT NULL AND a.venue_id IS NULL \
           AND ST_DWithin(a.service_area, {point}::geography, {radius_m}, false) \
         ORDER BY a.id LIMIT {limit}"
    );
    let mut branches = vec![located, areas];
    // A session made for one of the person's groups is worth suggesting whatever they said they
    // love; its own branch and limit, so such sessions neither crowd out the interest matches
    // nor depend on them. Rare by nature: the planner starts from their GIN index.
    if interest_filter.is_some() && !q.audience.groups.is_empty() {
        let groups = sql.bind::<Array<Text>, _>(q.audience.groups.clone());
        let few = sql.bind::<BigInt, _>(MADE_FOR.min(q.limit));
        branches.push(format!(
            "SELECT {COLUMNS}, ST_Y(a.geom::geometry) AS lat, ST_X(a.geom::geometry) AS lon, {text_hits} AS text_hits \
             FROM assets a \
             WHERE {base} AND a.audience_groups && {groups} \
               AND a.geom_plane && ST_Expand({plane}, {radius}) \
             ORDER BY a.geom_plane <-> {plane} LIMIT {few}"
        ));
    }
    if q.include_online {
        branches.push(format!(
            "SELECT {COLUMNS}, NULL::float8 AS lat, NULL::float8 AS lon, {text_hits} AS text_hits \
             FROM assets a WHERE {filters} AND a.geom IS NULL AND a.online \
             ORDER BY a.id LIMIT {limit}"
        ));
    }
    let body = branches
        .iter()
        .map(|b| format!("({b})"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    sql.push(&format!("{prefix}{body}"));
    sql
}

/// The candidates, nearest first within each branch. A row the domain cannot read (which the
/// database's constraints rule out) is skipped rather than failing the request.
pub async fn candidates(
    conn: &mut AsyncPgConnection,
    q: &CandidateQuery,
) -> DbResult<Vec<Candidate>> {
    let rows: Vec<CandidateRow> = build(q, "").query.load(conn).await?;
    // An asset can come from two branches (made for the person and matching an interest).
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.id))
        .filter_map(CandidateRow::into_candidate)
        .collect())
}

#[derive(QueryableByName)]
struct ElementStats {
    #[diesel(sql_type = Nullable<Array<SqlUuid>>)]
    elems: Option<Vec<Uuid>>,
    #[diesel(sql_type = Nullable<Array<diesel::sql_types::Float4>>)]
    freqs: Option<Vec<f32>>,
}

/// The share of assets carrying each common interest term, from the planner's statistics
/// (`pg_stats.most_common_elems` of `assets.interest_ids`, kept by ANALYZE), and a share to
/// assume for any other term. Empty before the table is first analysed.
pub async fn interest_shares(
    conn: &mut AsyncPgConnection,
) -> DbResult<(std::collections::HashMap<Uuid, f64>, f64)> {
    let rows: Vec<ElementStats> = diesel::sql_query(
        "SELECT most_common_elems::text::uuid[] AS elems, most_common_elem_freqs AS freqs \
         FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'assets' \
           AND attname = 'interest_ids'",
    )
    .load(conn)
    .await?;
    let Some(ElementStats {
        elems: Some(elems),
        freqs: Some(freqs),
    }) = rows.into_iter().next()
    else {
        return Ok((Default::default(), 0.0));
    };
    // After one frequency per element come the minimum, the maximum and the null frequency; a
    // term not listed is rarer than the rarest listed one.
    let floor = freqs.get(elems.len()).copied().unwrap_or(0.0) as f64 / 2.0;
    Ok((
        elems
            .into_iter()
            .zip(freqs.iter().map(|f| *f as f64))
            .collect(),
        floor,
    ))
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of the candidate statement with its bound values.
pub async fn explain(conn: &mut AsyncPgConnection, q: &CandidateQuery) -> DbResult<Vec<String>> {
    let plan: Vec<PlanLine> = build(q, "EXPLAIN (ANALYZE, BUFFERS) ")
        .query
        .load(conn)
        .await?;
    Ok(plan.into_iter().map(|r| r.line).collect())
}
