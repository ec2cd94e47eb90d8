//! Soft scores. Each component is in 0..1; the score is their weighted mean over the components
//! that apply to the request. The weights and every formula are documented in
//! `docs/matching.md`; change them there and here together.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use geo::{Distance, Haversine, Point};
use serde::Serialize;
use utoipa::ToSchema;

use super::candidate::Candidate;
use super::constraints::{Violation, violations};
use super::interests::{InterestMatch, ResolvedInterest, fit as interest_fit, match_all};
use super::request::{Barrier, MatchSpec};
use super::schedule_fit::{self, Fit};
use crate::domain::audience;
use crate::domain::freshness::{Freshness, FreshnessPolicy, last_confirmed};
use crate::domain::geometry::LatLon;
use crate::domain::schedule::Session;

/// What scoring needs besides the request and the candidate.
#[derive(Debug, Clone)]
pub struct Context {
    pub person: LatLon,
    pub interests: Vec<ResolvedInterest>,
    /// UK local date and time now, for current sessions and the next one.
    pub now_local: NaiveDateTime,
    pub now: DateTime<Utc>,
    /// When listings become due and stale: the freshness component follows it.
    pub freshness: FreshnessPolicy,
}

impl Context {
    pub fn today(&self) -> NaiveDate {
        self.now_local.date()
    }
}

/// Per-factor scores of one result, each in 0..1; `None` where the factor does not apply to
/// this request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Components {
    /// How well the asset's interests fit the person's, 0 to 1 (`null` when none were given).
    #[schema(example = 0.68)]
    pub interest: Option<f64>,
    /// Nearer is better, decaying smoothly with travel time; 0 to 1.
    #[schema(example = 0.8272)]
    pub distance: f64,
    /// Free is best, cheaper is better; not stated scores low; 0 to 1.
    #[schema(example = 0.34)]
    pub cost: f64,
    /// Sessions inside the person's free times, 0 to 1 (`null` when no times were given).
    #[schema(example = 0.05)]
    pub schedule: Option<f64>,
    /// Recently confirmed by the organiser (or, never confirmed, recently listed); 1 while
    /// fresh, falling to 0.6 when stale and 0.2 when hidden from default searches.
    #[schema(example = 1.0)]
    pub freshness: f64,
    /// How people referred here got on: of those who went, the share still going four weeks
    /// later, pulled towards 0.5 by five imaginary referrals; 0.5 until the asset has 5
    /// referrals.
    #[schema(example = 0.5)]
    pub outcomes: f64,
    /// A mainstream, non-stigmatised venue, 0 to 1 (`null` when the person has no preference).
    #[schema(example = 1.0)]
    pub setting: Option<f64>,
    /// Drop-in, taster sessions, someone to meet newcomers, a small group; 0 to 1.
    #[schema(example = 0.85)]
    pub welcome: f64,
    /// Accessibility features beyond those required, 0 to 1 (`null` without the `access`
    /// barrier).
    #[schema(example = 0.5)]
    pub access: Option<f64>,
    /// Who the session is made for: 1 made for a group the person is in (carers, new parents,
    /// older people…), 0.6 for anyone, 0.2 made for a group they are not in.
    #[schema(example = 0.6)]
    pub audience: f64,
    /// A session that ends before dark (18:00): 1; only evening sessions 0.2; no times stated
    /// 0.5 (`null` without the `after_dark` barrier).
    #[schema(example = json!(null))]
    pub daytime: Option<f64>,
}

/// The weight of each component in the weighted mean for one request, after the person's
/// barriers have shifted them. A weight of 0 means the component does not apply. See
/// `docs/matching.md`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Weights {
    /// Weight of `interest`: 0.40, or 0 when no interests were given.
    #[schema(example = 0.4)]
    pub interest: f64,
    /// Weight of `distance`: 0.20, doubled with the `transport` barrier.
    #[schema(example = 0.2)]
    pub distance: f64,
    /// Weight of `cost`: 0.10, tripled with the `cost` barrier.
    #[schema(example = 0.3)]
    pub cost: f64,
    /// Weight of `schedule`: 0.15, or 0 without availability; times 2.5 with the `timing`
    /// barrier and 1.5 with `caring`.
    #[schema(example = 0.15)]
    pub schedule: f64,
    /// Weight of `freshness`: 0.05.
    #[schema(example = 0.05)]
    pub freshness: f64,
    /// Weight of `outcomes`: 0.05.
    #[schema(example = 0.05)]
    pub outcomes: f64,
    /// Weight of `setting`: 0.15, or 0 when the person neither prefers non-stigmatised venues
    /// nor has the `stigma` barrier; times 4 with `stigma`.
    #[schema(example = 0.15)]
    pub setting: f64,
    /// Weight of `welcome`: 0.05; times 5 with the `confidence` barrier and 2 with `caring`.
    #[schema(example = 0.25)]
    pub welcome: f64,
    /// Weight of `access`: 0.10 with the `access` or `mobility` barrier, else 0.
    #[schema(example = 0.0)]
    pub access: f64,
    /// Weight of `audience`: 0.05, or 0.20 when the request says something that places the
    /// person in a group (circumstances, or an age of 60 or more or 25 or less).
    #[schema(example = 0.05)]
    pub audience: f64,
    /// Weight of `daytime`: 0.15 with the `after_dark` barrier, else 0.
    #[schema(example = 0.0)]
    pub daytime: f64,
}

pub const BASE_WEIGHTS: Weights = Weights {
    interest: 0.40,
    distance: 0.20,
    cost: 0.10,
    schedule: 0.15,
    freshness: 0.05,
    outcomes: 0.05,
    setting: 0.15,
    welcome: 0.05,
    access: 0.10,
    audience: 0.05,
    daytime: 0.15,
};

/// The base weights, shifted by the person's barriers; 0 for a component that does not apply
/// to the request (no interests, no times, no preference about the setting, no access barrier).
pub fn weights(spec: &MatchSpec) -> Weights {
    let mut w = BASE_WEIGHTS;
    if spec.interests.is_empty() {
        w.interest = 0.0;
    }
    if spec.availability.is_empty() {
        w.schedule = 0.0;
    }
    if !spec.prefer_non_stigmatised && !spec.has(Barrier::Stigma) {
        w.setting = 0.0;
    }
    if !spec.has(Barrier::Access) && !spec.has(Barrier::Mobility) {
        w.access = 0.0;
    }
    if !spec.person.groups().is_empty() {
        w.audience = 0.20;
    }
    if !spec.has(Barrier::AfterDark) {
        w.daytime = 0.0;
    }
    if spec.has(Barrier::Mobility) || spec.has(Barrier::AfterDark) {
        w.distance *= 1.5;
    }
    if spec.has(Barrier::Crowds) {
        w.welcome *= 2.0;
    }
    if spec.has(Barrier::NewToArea) {
        w.welcome *= 3.0;
    }
    if spec.has(Barrier::Cost) {
        w.cost *= 3.0;
    }
    if spec.has(Barrier::Transport) {
        w.distance *= 2.0;
    }
    if spec.has(Barrier::Confidence) {
        w.welcome *= 5.0;
    }
    if spec.has(Barrier::Stigma) {
        w.setting *= 4.0;
    }
    if spec.has(Barrier::Timing) {
        w.schedule *= 2.5;
    }
    if spec.has(Barrier::Caring) {
        w.schedule *= 1.5;
        w.welcome *= 2.0;
    }
    w
}

/// Everything worked out about one candidate: the facts the reasons quote and the scores.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub distance_km: Option<f64>,
    pub minutes: Option<f64>,
    pub cost_pence: Option<i32>,
    pub matches: Vec<InterestMatch>,
    /// The fit with the person's times and the session that gives it (`None` without times).
    pub fit: Option<(Fit, Option<Session>)>,
    /// Sessions still to run.
    pub current_sessions: Vec<Session>,
    pub next_session: Option<(NaiveDate, Session)>,
    pub confirmed_days_ago: Option<i64>,
    /// The listing's state by the freshness policy.
    pub freshness: Freshness,
    pub components: Components,
    pub score: f64,
    pub violations: Vec<Violation>,
}

pub fn distance_km(from: LatLon, to: LatLon) -> f64 {
    Haversine.distance(Point::new(from.lon, from.lat), Point::new(to.lon, to.lat)) / 1000.0
}

/// 1 at the door, 0.5 at `half` of the longest journey, 0.2 at the limit (with `half` = 0.5):
/// a smooth decay rather than a cliff at the edge of reach.
fn distance_component(spec: &MatchSpec, c: &Candidate, km: Option<f64>) -> f64 {
    let Some(km) = km else {
        // Online: no journey at all.
        return 0.8;
    };
    let mut half: f64 = 0.5;
    if spec.has(Barrier::Transport) {
        half = half.min(0.35);
    }
    if spec.has(Barrier::Caring) {
        half = half.min(0.4);
    }
    let ratio = km / spec.reach.max_km;
    let decay = 1.0 / (1.0 + (ratio / half).powi(2));
    if spec.has(Barrier::Transport) && !c.has_feature("near_public_transport") {
        decay * 0.8
    } else {
        decay
    }
}

fn cost_component(spec: &MatchSpec, cost: Option<i32>) -> f64 {
    match cost {
        None => 0.35,
        Some(0) => 1.0,
        Some(pence) => {
            let cap = spec.budget.max_pence.filter(|m| *m > 0).unwrap_or(1000) as f64;
            let paid = 0.9 - 0.5 * (pence as f64 / cap).min(1.0);
            if spec.has(Barrier::Cost) {
                paid * 0.6
            } else {
                paid
            }
        }
    }
}

fn schedule_component(spec: &MatchSpec, fit: Fit) -> f64 {
    match fit {
        Fit::Inside => 1.0,
        Fit::Partly => 0.5,
        Fit::Outside => 0.05,
        Fit::NotStated if spec.has(Barrier::Timing) => 0.2,
        Fit::NotStated => 0.25,
    }
}

/// From the days since the listing was last confirmed (or listed): 1 while fresh, falling
/// linearly to 0.6 when it becomes stale, then to 0.2 when default searches hide it.
fn freshness_component(policy: &FreshnessPolicy, days: i64) -> f64 {
    let due = i64::from(policy.due_after_days);
    let stale = i64::from(policy.stale_after_days);
    let hide = i64::from(policy.hide_after_days);
    let between = |from: i64, to: i64, high: f64, low: f64| {
        high - (high - low) * (days - from) as f64 / (to - from).max(1) as f64
    };
    match days {
        d if d <= due => 1.0,
        d if d < stale => between(due, stale, 1.0, 0.6),
        d if d < hide => between(stale, hide, 0.6, 0.2),
        _ => 0.2,
    }
}

fn setting_component(c: &Candidate) -> f64 {
    match c.non_stigmatised {
        Some(true) => 1.0,
        Some(false) => 0.0,
        // Online or a service area: not a health setting, but not a shared mainstream place.
        None => 0.6,
    }
}

fn welcome_component(spec: &MatchSpec, c: &Candidate) -> f64 {
    let mut s = 0.0;
    if spec.has(Barrier::Crowds) {
        // Small groups matter most to someone who finds crowds hard; a big one counts against.
        match c.small_group() {
            Some(true) => s += 0.35,
            Some(false) if c.typical_group_size.is_some_and(|n| n > 20) => s -= 0.3,
            _ => {}
        }
    }
    if c.drop_in == Some(true) {
        s += 0.35;
    }
    if c.taster_session == Some(true) {
        s += 0.25;
    }
    if c.meet_and_greet == Some(true) {
        s += 0.25;
    }
    if c.small_group() == Some(true) {
        s += 0.15;
    }
    if c.booking_required == Some(true) {
        s -= 0.1;
    }
    f64::clamp(s, 0.0, 1.0)
}

const CORE_ACCESS: [&str; 5] = [
    "step_free_access",
    "wheelchair_accessible",
    "accessible_toilet",
    "hearing_loop",
    "quiet_space",
];

fn access_component(c: &Candidate) -> f64 {
    let n = CORE_ACCESS.iter().filter(|f| c.has_feature(f)).count();
    (n as f64 / 3.0).min(1.0)
}

fn audience_component(spec: &MatchSpec, c: &Candidate) -> f64 {
    if !audience::made_for(&c.audience, &spec.person).is_empty() {
        1.0
    } else if c.audience.groups.is_empty() {
        0.6
    } else {
        0.2
    }
}

/// Sessions that end by this time are home before dark for most of the year.
const DUSK: (u32, u32) = (18, 0);

fn daytime_component(current: &[&Session]) -> f64 {
    if current.is_empty() {
        return 0.5;
    }
    let dusk = chrono::NaiveTime::from_hms_opt(DUSK.0, DUSK.1, 0).unwrap_or_default();
    if current.iter().any(|s| s.end <= dusk) {
        1.0
    } else {
        0.2
    }
}

/// The weighted mean of the components that apply.
pub fn combine(c: &Components, w: &Weights) -> f64 {
    let parts = [
        (c.interest, w.interest),
        (Some(c.distance), w.distance),
        (Some(c.cost), w.cost),
        (c.schedule, w.schedule),
        (Some(c.freshness), w.freshness),
        (Some(c.outcomes), w.outcomes),
        (c.setting, w.setting),
        (Some(c.welcome), w.welcome),
        (c.access, w.access),
        (Some(c.audience), w.audience),
        (c.daytime, w.daytime),
    ];
    let (sum, weight) = parts
        .iter()
        .filter_map(|(value, weight)| value.map(|v| (v * weight, *weight)))
        .fold((0.0, 0.0), |(s, t), (v, w)| (s + v, t + w));
    if weight > 0.0 { sum / weight } else { 0.0 }
}

pub fn assess(spec: &MatchSpec, ctx: &Context, weights: &Weights, c: &Candidate) -> Assessment {
    let distance_km = c.position.map(|p| distance_km(ctx.person, p));
    let minutes = distance_km.and_then(|km| spec.reach.minutes(km));
    let cost_pence = c.price_for(&spec.budget, &spec.person);
    let matches = match_all(&ctx.interests, &c.interest_ids, &c.text_hits, &c.semantic);
    let current = schedule_fit::current(&c.sessions, ctx.today());
    let fit = (!spec.availability.is_empty()).then(|| {
        let (f, s) = schedule_fit::fit(&current, &spec.availability);
        (f, s.cloned())
    });
    let next_session = schedule_fit::next_for(&current, &spec.availability, ctx.now_local);
    let confirmed_days_ago = c.confirmed_at.map(|t| (ctx.now - t).num_days().max(0));
    let listing_days = (ctx.now - last_confirmed(c.confirmed_at, c.created_at))
        .num_days()
        .max(0);
    let components = Components {
        interest: (!ctx.interests.is_empty()).then(|| interest_fit(&matches, ctx.interests.len())),
        distance: distance_component(spec, c, distance_km),
        cost: cost_component(spec, cost_pence),
        schedule: fit.as_ref().map(|(f, _)| schedule_component(spec, *f)),
        freshness: freshness_component(&ctx.freshness, listing_days),
        outcomes: c.outcomes.keep_going_score(),
        setting: (spec.prefer_non_stigmatised || spec.has(Barrier::Stigma))
            .then(|| setting_component(c)),
        welcome: welcome_component(spec, c),
        access: (spec.has(Barrier::Access) || spec.has(Barrier::Mobility))
            .then(|| access_component(c)),
        audience: audience_component(spec, c),
        daytime: spec
            .has(Barrier::AfterDark)
            .then(|| daytime_component(&current)),
    };
    Assessment {
        violations: violations(spec, c, distance_km, ctx.today()),
        score: combine(&components, weights),
        distance_km,
        minutes,
        cost_pence,
        matches,
        fit,
        current_sessions: current.into_iter().cloned().collect(),
        next_session,
        confirmed_days_ago,
        freshness: ctx
            .freshness
            .classify(last_confirmed(c.confirmed_at, c.created_at), ctx.now),
        components,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::matching::candidate::tests::blank;
    use crate::domain::matching::interests::tests::single;
    use crate::domain::matching::interests::{Resolution, Term};
    use crate::domain::matching::request::tests::request;
    use crate::domain::matching::request::validate;
    use crate::domain::schedule::{Weekday, parse_hhmm};
    use uuid::Uuid;

    /// Where the test person lives; `ctx` sets the clock to Sunday 22 November 2026, noon UTC.
    pub const HOME: LatLon = LatLon {
        lat: 53.4248,
        lon: -2.3232,
    };

    /// A request from HOME with the given fields.
    pub fn spec(json: serde_json::Value) -> MatchSpec {
        let mut body = json;
        body["location"] = serde_json::json!({"lat": HOME.lat, "lon": HOME.lon});
        validate(&request(body)).unwrap()
    }

    pub fn ctx(interests: Vec<ResolvedInterest>) -> Context {
        let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        Context {
            person: HOME,
            interests,
            now_local: now.naive_utc(),
            now,
            freshness: FreshnessPolicy::default(),
        }
    }

    fn football() -> Vec<ResolvedInterest> {
        vec![single(
            "football",
            Resolution::Exact,
            Term {
                id: Uuid::from_u128(77),
                slug: "football".into(),
                label: "Football".into(),
            },
            vec![],
            None,
        )]
    }

    /// A candidate `km` north of home.
    fn at_km(n: u128, km: f64) -> Candidate {
        let mut c = blank(n);
        c.position = Some(LatLon {
            lat: HOME.lat + km / 111.2,
            lon: HOME.lon,
        });
        c
    }

    fn score(spec: &MatchSpec, ctx: &Context, c: &Candidate) -> Assessment {
        assess(spec, ctx, &weights(spec), c)
    }

    #[test]
    fn every_component_and_the_score_stay_in_zero_to_one() {
        let s = spec(serde_json::json!({
            "interests": ["football"],
            "availability": [{"day": "tue", "from": "18:00", "to": "21:00"}],
            "barriers": ["cost", "transport", "confidence", "stigma", "access", "timing", "caring",
                         "crowds", "mobility", "new_to_area"],
            "circumstances": ["carer"],
        }));
        let cx = ctx(football());
        let mut best = at_km(1, 0.0);
        best.audience.groups = vec![crate::domain::audience::AudienceGroup::Carers];
        best.interest_ids = vec![Uuid::from_u128(77)];
        best.cost_free = Some(true);
        best.drop_in = Some(true);
        best.taster_session = Some(true);
        best.meet_and_greet = Some(true);
        best.typical_group_size = Some(6);
        best.accessibility = CORE_ACCESS.iter().map(|s| s.to_string()).collect();
        best.accessibility.push("near_public_transport".into());
        best.confirmed_at = Some(cx.now);
        best.outcomes = crate::domain::referrals::Aggregate {
            referrals: 10_000,
            tried: 10_000,
            kept_going: 10_000,
            sources: 10_000,
            by_source: vec![(1, 1); 10_000],
            ..Default::default()
        };
        best.sessions = vec![Session {
            weekday: Some(Weekday::Tue),
            date: None,
            start: parse_hhmm("18:00").unwrap(),
            end: parse_hhmm("19:00").unwrap(),
            valid_from: None,
            valid_until: None,
        }];
        let a = score(&s, &cx, &best);
        // Only the smoothing of the outcomes keeps it from 1.
        assert!(a.score > 0.9999 && a.score <= 1.0, "{:?}", a.components);
        let mut worst = at_km(2, 50.0);
        worst.non_stigmatised = Some(false);
        worst.booking_required = Some(true);
        worst.cost_pence = Some(100_000);
        worst.audience.groups = vec![crate::domain::audience::AudienceGroup::Veterans];
        worst.typical_group_size = Some(40);
        let w = score(&s, &cx, &worst);
        for v in [
            w.components.interest.unwrap(),
            w.components.distance,
            w.components.cost,
            w.components.schedule.unwrap(),
            w.components.freshness,
            w.components.outcomes,
            w.components.setting.unwrap(),
            w.components.welcome,
            w.components.access.unwrap(),
            w.components.audience,
        ] {
            assert!((0.0..=1.0).contains(&v));
        }
        assert!(w.score >= 0.0 && w.score < 0.2, "{}", w.score);
    }

    #[test]
    fn after_dark_favours_sessions_that_end_before_dusk() {
        let at = |start: &str, end: &str| Session {
            weekday: Some(Weekday::Tue),
            date: None,
            start: parse_hhmm(start).unwrap(),
            end: parse_hhmm(end).unwrap(),
            valid_from: None,
            valid_until: None,
        };
        let (day, evening) = (at("10:00", "12:00"), at("19:00", "21:00"));
        assert_eq!(daytime_component(&[&day, &evening]), 1.0);
        assert_eq!(daytime_component(&[&evening]), 0.2);
        assert_eq!(daytime_component(&[]), 0.5);
        let s = spec(serde_json::json!({"barriers": ["after_dark"]}));
        assert!(weights(&s).daytime > 0.0);
        assert_eq!(weights(&spec(serde_json::json!({}))).daytime, 0.0);
    }

    #[test]
    fn distance_decays_smoothly_and_faster_with_a_transport_barrier() {
        let walk = spec(serde_json::json!({}));
        let cx = ctx(vec![]);
        let d = |s: &MatchSpec, km| score(s, &cx, &at_km(1, km)).components.distance;
        let near = d(&walk, 0.2);
        let mid = d(&walk, 0.9);
        let edge = d(&walk, 1.8);
        assert!(
            near > mid && mid > edge && edge > 0.15,
            "{near} {mid} {edge}"
        );
        let barrier = spec(serde_json::json!({"barriers": ["transport"]}));
        assert!(d(&barrier, 0.9) < mid);
    }

    #[test]
    fn free_beats_cheap_beats_dear_beats_not_stated() {
        let s = spec(serde_json::json!({"budget": {"max_pence_per_session": 500}}));
        let cx = ctx(vec![]);
        let cost = |free, pence| {
            let mut c = at_km(1, 0.5);
            c.cost_free = free;
            c.cost_pence = pence;
            score(&s, &cx, &c).components.cost
        };
        let free = cost(Some(true), None);
        let cheap = cost(Some(false), Some(100));
        let dear = cost(Some(false), Some(500));
        let unknown = cost(None, None);
        assert!(free > cheap && cheap > dear && dear > unknown);
    }

    #[test]
    fn a_cost_barrier_widens_the_gap_between_free_and_paid() {
        let cx = ctx(vec![]);
        let gap = |s: &MatchSpec| {
            let mut free = at_km(1, 0.5);
            free.cost_free = Some(true);
            let mut paid = at_km(2, 0.5);
            paid.cost_pence = Some(200);
            score(s, &cx, &free).score - score(s, &cx, &paid).score
        };
        assert!(
            gap(&spec(serde_json::json!({"barriers": ["cost"]})))
                > gap(&spec(serde_json::json!({})))
        );
    }

    #[test]
    fn sessions_outside_the_persons_times_are_a_strong_penalty() {
        let s = spec(
            serde_json::json!({"availability": [{"day": "tue", "from": "18:00", "to": "21:00"}]}),
        );
        let cx = ctx(vec![]);
        let session = |day| Session {
            weekday: Some(day),
            date: None,
            start: parse_hhmm("18:30").unwrap(),
            end: parse_hhmm("20:00").unwrap(),
            valid_from: None,
            valid_until: None,
        };
        let mut fits = at_km(1, 0.9);
        fits.sessions = vec![session(Weekday::Tue)];
        let mut clashes = at_km(2, 0.1);
        clashes.sessions = vec![session(Weekday::Wed)];
        let unknown = at_km(3, 0.1);
        let (f, c, u) = (
            score(&s, &cx, &fits),
            score(&s, &cx, &clashes),
            score(&s, &cx, &unknown),
        );
        assert!(f.score > u.score && u.score > c.score);
        assert!(c.violations.is_empty(), "a penalty, not a filter");
    }

    #[test]
    fn a_stigma_barrier_favours_mainstream_venues_strongly() {
        let cx = ctx(vec![]);
        let mut clinic = at_km(1, 0.2);
        clinic.non_stigmatised = Some(false);
        let library = at_km(2, 1.2);
        let plain = spec(serde_json::json!({}));
        let stigma = spec(serde_json::json!({"barriers": ["stigma"]}));
        let gap = |s| score(s, &cx, &library).score - score(s, &cx, &clinic).score;
        assert!(gap(&stigma) > gap(&plain) && gap(&stigma) > 0.0);
        // With no preference and no barrier, the setting is not scored.
        let indifferent = spec(serde_json::json!({"prefer_non_stigmatised": false}));
        assert_eq!(score(&indifferent, &cx, &clinic).components.setting, None);
    }

    #[test]
    fn a_confidence_barrier_favours_drop_in_and_small_groups() {
        let cx = ctx(vec![]);
        let mut gentle = at_km(1, 1.0);
        gentle.drop_in = Some(true);
        gentle.typical_group_size = Some(8);
        let busy = at_km(2, 0.5);
        let plain = spec(serde_json::json!({}));
        let anxious = spec(serde_json::json!({"barriers": ["confidence"]}));
        assert!(score(&plain, &cx, &busy).score > score(&plain, &cx, &gentle).score);
        assert!(score(&anxious, &cx, &gentle).score > score(&anxious, &cx, &busy).score);
    }

    #[test]
    fn freshness_falls_with_time_since_confirmation() {
        let policy = FreshnessPolicy::default();
        let f = |days| freshness_component(&policy, days);
        assert_eq!(f(0), 1.0);
        assert_eq!(f(182), 1.0);
        assert!(f(200) < 1.0 && f(200) > 0.6);
        assert!((f(365) - 0.6).abs() < 1e-9, "stale: 0.6");
        assert!(f(400) > f(500));
        assert_eq!(f(548), 0.2);
        assert_eq!(f(2000), 0.2);
        // The thresholds move the curve.
        let strict = FreshnessPolicy::new(30, 90, 120).unwrap();
        assert!(freshness_component(&strict, 60) < 1.0);
        assert_eq!(freshness_component(&strict, 120), 0.2);
    }

    #[test]
    fn interest_fit_dominates_when_interests_are_given() {
        let s = spec(serde_json::json!({"interests": ["football"]}));
        let cx = ctx(football());
        let mut far_match = at_km(1, 1.5);
        far_match.interest_ids = vec![Uuid::from_u128(77)];
        let mut near_text = at_km(2, 0.1);
        near_text.text_hits = vec![true];
        assert!(score(&s, &cx, &far_match).score > score(&s, &cx, &near_text).score);
    }
}
