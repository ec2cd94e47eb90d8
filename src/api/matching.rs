//! `POST /v1/match`: a short, varied list of assets for one person, each with the numbers and
//! the plain-English reasons behind its place. The body describes a person, so nothing in it is
//! logged; only its size and the timing are.

use crate::domain::freshness::FreshnessPolicy;
use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::json::JsonBody;
use super::problems::{Body, Common};
use super::views::{AssetView, InterestRef};
use crate::api::reads::Reads;
use crate::domain::matching::interests::{Relation, Resolution, ResolvedInterest, Term, Widening};
use crate::domain::matching::near_miss::NearMiss;
use crate::domain::matching::request::{MatchRequest, PhrasesRequest, validate_phrases};
use crate::domain::matching::score::{Components, Weights};
use crate::domain::matching::travel::{DETOUR_FACTOR, TravelMode};
use crate::domain::postcode_index::Precision;
use crate::domain::schedule::{Weekday, format_hhmm};
use crate::error::{ApiError, Problem};
use crate::geocoder::Geocoder;
use crate::services::matching::{self as service, MatchCache, Suggestion};

/// Suggestions for one person, with how the request was understood.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    /// The suggestions, best first after re-ranking for variety; at most `limit`.
    pub results: Vec<MatchResult>,
    /// How each interest phrase was understood, in the order given.
    pub interests: Vec<InterestResolution>,
    /// Where the person was placed.
    pub location: MatchLocation,
    /// How the travel limit became a distance.
    pub travel: TravelEstimate,
    /// The weight of each score component for this request (after barrier adjustments).
    pub weights: Weights,
    /// How the list was re-ranked for variety.
    pub diversification: Diversification,
    /// When fewer than `limit` assets pass, single changes that would add more.
    pub near_misses: Vec<NearMiss>,
    /// Candidates fetched and scored.
    #[schema(example = 59)]
    pub candidates_considered: usize,
    /// Candidates that passed every hard constraint.
    #[schema(example = 49)]
    pub passed_hard_constraints: usize,
}

/// One suggestion, with the numbers and reasons behind its place.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResult {
    /// Position in the list, from 1.
    #[schema(example = 1)]
    pub rank: usize,
    /// Weighted mean of the components, 0 to 1 (4 decimal places).
    #[schema(example = 0.6163)]
    pub score: f64,
    /// The score of each factor, 0 to 1.
    pub components: Components,
    /// Straight-line distance in kilometres (on the sphere, 2 decimal places); `null` for online
    /// assets.
    #[schema(example = 1.05)]
    pub distance_km: Option<f64>,
    /// Estimated journey in minutes by the person's mode (an estimate: see `travel`); `null`
    /// for online assets or when only a distance was given.
    #[schema(example = 6.9)]
    pub travel_minutes_estimate: Option<f64>,
    /// What one session costs the person in pence (GBP), with their concession if they
    /// qualify; `null` when the asset does not say.
    #[schema(example = 200)]
    pub effective_cost_pence: Option<i32>,
    /// The next session to come: with `availability`, the next one in (or, failing that,
    /// overlapping) the person's free times when there is one; `null` when the asset states
    /// no times.
    pub next_session: Option<NextSession>,
    /// Which of the person's interests it matches, and how.
    pub matched_interests: Vec<MatchedInterest>,
    /// Why it is on the list, in sentences to read out.
    #[schema(example = json!(["Matches your interest in singing (Choir)", "About 7 minutes by bus or train (1.1 km)", "£2 a session at the concession price"]))]
    pub reasons: Vec<String>,
    /// What to check or be aware of.
    #[schema(example = json!(["No sessions in the times you gave (it runs Mondays 19:00–20:30)", "Not confirmed by the organiser"]))]
    pub cautions: Vec<String>,
    /// The asset itself.
    pub asset: AssetView,
}

/// The next session to come, in UK local time.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextSession {
    /// The date (ISO 8601 date, UK local).
    #[schema(example = "2026-11-23")]
    pub date: NaiveDate,
    /// The day of the week of `date`.
    pub day: Weekday,
    /// `HH:MM`, UK local time.
    #[schema(example = "19:00")]
    pub start: String,
    /// `HH:MM`, UK local time.
    #[schema(example = "20:30")]
    pub end: String,
}

/// How a suggestion matches one of the person's interests.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedInterest {
    /// The person's phrase.
    #[schema(example = "singing")]
    pub interest: String,
    /// How the asset relates to it: `tagged` with the term itself, a `narrower` or `broader`
    /// term, or a match on words in its `text` only.
    pub relation: Relation,
    /// The asset's term that matched; `null` for a match on words only.
    pub term: Option<InterestRef>,
}

/// How one of the person's interest phrases was understood.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestResolution {
    /// The phrase as given.
    #[schema(example = "football")]
    pub input: String,
    /// How it was resolved to the vocabulary.
    pub resolution: Resolution,
    /// The vocabulary term it was resolved to; `null` when none fits (`text_only`).
    pub term: Option<InterestRef>,
    /// The broader term also matched, if any.
    pub broader: Option<InterestRef>,
    /// How many narrower terms also match.
    #[schema(example = 14)]
    pub narrower_terms: usize,
    /// Every concept the phrase names, the first one first ("kickboxing or self defence" names
    /// two); empty when none fits.
    pub concepts: Vec<ConceptView>,
    /// How far the phrase was widened because nothing closer was within reach: `none`,
    /// `related` (related and broader terms too) or `semantic` (assets whose text is close in
    /// meaning too).
    pub widened: Widening,
}

/// How one phrase was read, on its own (before any widening a match may add).
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestReading {
    /// The phrase as given (trimmed).
    #[schema(example = "knitting")]
    pub input: String,
    /// How it was resolved to the vocabulary.
    pub resolution: Resolution,
    /// The vocabulary term it was resolved to; `null` when none fits (`text_only`: assets are
    /// then found by the words themselves).
    pub term: Option<InterestRef>,
    /// The broader term also matched, if any.
    pub broader: Option<InterestRef>,
    /// How many narrower terms also match.
    #[schema(example = 3)]
    pub narrower_terms: usize,
    /// Every concept the phrase names, the first one first; empty when none fits.
    pub concepts: Vec<ConceptView>,
}

impl InterestReading {
    pub fn of(i: &ResolvedInterest) -> Self {
        Self {
            input: i.input.clone(),
            resolution: i.resolution(),
            term: i.first().map(|c| interest_ref(&c.term)),
            broader: i.first().and_then(|c| c.broader.as_ref()).map(interest_ref),
            narrower_terms: i.first().map_or(0, |c| c.narrower.len()),
            concepts: i
                .concepts
                .iter()
                .map(|c| ConceptView {
                    term: interest_ref(&c.term),
                    resolution: c.resolution,
                    confidence: round(c.confidence, 3),
                })
                .collect(),
        }
    }
}

/// How each phrase of `POST /v1/interests/understand` was read, in the order given.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestReadings {
    /// One reading per distinct phrase.
    pub interests: Vec<InterestReading>,
}

/// Read interest phrases
///
/// How each phrase in a person's own words is understood: the vocabulary term (and the
/// broader and narrower ones) it names, or that only its words will be looked for. The same
/// reading `POST /v1/match` makes, so a form can show it while someone types. Needs no key.
/// Nothing in the request is stored or logged (it is a `POST` so that the phrases stay out of
/// URLs, which proxies log).
#[utoipa::path(
    operation_id = "understandInterests",
    tag = "interests",
    request_body(content = PhrasesRequest, example = json!({"phrases": ["swimming", "knitting", "used to play in a band"]})),
    responses(
        (status = 200, description = "How each phrase was read.", body = InterestReadings),
        (status = 422, description = "A phrase is empty, too long or there are too many (each one named).", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/interests/understand")]
pub async fn understand(
    Reads(pool): Reads,
    cache: web::Data<MatchCache>,
    body: JsonBody<PhrasesRequest>,
) -> Result<HttpResponse, ApiError> {
    let phrases = validate_phrases(&body.0).map_err(ApiError::Validation)?;
    let resolved = service::resolve_interests(&pool, &cache, &phrases).await?;
    Ok(HttpResponse::Ok().json(InterestReadings {
        interests: resolved.iter().map(InterestReading::of).collect(),
    }))
}

/// One concept an interest phrase names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConceptView {
    /// The vocabulary term.
    pub term: InterestRef,
    /// How it was found in the phrase.
    pub resolution: Resolution,
    /// How sure the reading is, 0 to 1; every match on the concept is scaled by it.
    #[schema(example = 0.9)]
    pub confidence: f64,
}

/// Where the person was placed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchLocation {
    /// Latitude in decimal degrees (WGS 84), 6 decimal places.
    #[schema(example = 53.455654)]
    pub lat: f64,
    /// Longitude in decimal degrees (WGS 84), 6 decimal places.
    #[schema(example = -2.302836)]
    pub lon: f64,
    /// The postcode as understood, when one was given.
    #[schema(example = "M32 0JG")]
    pub postcode: Option<String>,
    /// How exactly the postcode placed the person; `null` when a point was given.
    pub precision: Option<Precision>,
}

/// How travel time became distance. Every figure is an estimate.
#[derive(Debug, Serialize, ToSchema)]
pub struct TravelEstimate {
    /// How the person travels; `null` when only a distance was given.
    pub mode: Option<TravelMode>,
    /// The longest journey in minutes; `null` when only a distance was given.
    #[schema(example = 30)]
    pub max_minutes: Option<f64>,
    /// Straight-line reach in kilometres.
    #[schema(example = 4.615)]
    pub max_km: f64,
    /// Assumed average door-to-door speed, km/h.
    #[schema(example = 12.0)]
    pub speed_kmh: Option<f64>,
    /// Assumed ratio of route length to straight-line distance.
    #[schema(example = 1.3)]
    pub detour_factor: f64,
    /// The estimate in a sentence.
    #[schema(
        example = "Estimated from straight-line distance: 30 minutes by bus or train is taken as up to 4.6 km as the crow flies, allowing for routes about 1.3 times longer than the straight line. Actual journeys vary."
    )]
    pub note: String,
}

/// How the list was re-ranked so that it does not repeat one organisation, venue or interest.
#[derive(Debug, Serialize, ToSchema)]
pub struct Diversification {
    /// The re-ranking method; always `maximal_marginal_relevance`.
    #[schema(example = "maximal_marginal_relevance")]
    pub method: &'static str,
    /// Weight of score against novelty (1 = pure score order).
    #[schema(example = 0.7)]
    pub lambda: f64,
    /// Places in the list that differ from pure score order.
    #[schema(example = 1)]
    pub places_changed: usize,
    /// How many different organisations the list has.
    #[schema(example = 3)]
    pub organizations: usize,
    /// How many different venues the list has.
    #[schema(example = 3)]
    pub venues: usize,
    /// How many of the person's interests the list covers; `null` without interests.
    #[schema(example = 2)]
    pub interests_covered: Option<usize>,
    /// The re-ranking in a sentence.
    #[schema(
        example = "Re-ranked by maximal marginal relevance (lambda 0.7): a result that shares an organisation, venue or interest with one above it must score clearly higher to keep its place. 1 of 3 places changed; 3 organisations and 3 venues; 2 of 2 interests covered."
    )]
    pub description: String,
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn rounded(c: &Components) -> Components {
    let r = |x: f64| round(x, 4);
    Components {
        interest: c.interest.map(r),
        distance: r(c.distance),
        cost: r(c.cost),
        schedule: c.schedule.map(r),
        freshness: r(c.freshness),
        outcomes: r(c.outcomes),
        setting: c.setting.map(r),
        welcome: r(c.welcome),
        access: c.access.map(r),
        audience: r(c.audience),
        daytime: c.daytime.map(r),
    }
}

fn interest_ref(t: &Term) -> InterestRef {
    InterestRef {
        id: t.id,
        slug: t.slug.clone(),
        label: t.label.clone(),
    }
}

fn result(rank: usize, s: Suggestion, inputs: &[String], policy: &FreshnessPolicy) -> MatchResult {
    let a = s.assessment;
    let matched_interests = a
        .matches
        .iter()
        .map(|m| MatchedInterest {
            interest: inputs.get(m.interest).cloned().unwrap_or_default(),
            relation: m.relation,
            term: m.term_id.and_then(|id| {
                s.record
                    .interests
                    .iter()
                    .find(|t| t.id == id)
                    .cloned()
                    .map(InterestRef::from)
            }),
        })
        .collect();
    MatchResult {
        rank,
        score: round(a.score, 4),
        components: rounded(&a.components),
        distance_km: a.distance_km.map(|d| round(d, 2)),
        travel_minutes_estimate: a.minutes.map(|m| round(m, 1)),
        effective_cost_pence: a.cost_pence,
        next_session: a.next_session.map(|(date, session)| NextSession {
            date,
            day: session.weekday.unwrap_or_else(|| Weekday::of(date)),
            start: format_hhmm(session.start),
            end: format_hhmm(session.end),
        }),
        matched_interests,
        reasons: s.explanation.reasons,
        cautions: s.explanation.cautions,
        asset: AssetView::new(s.record, policy),
    }
}

/// Suggest assets for one person
///
/// Hard constraints are never broken: only published assets,
/// within reach (online ones only when asked), the right age, every access need met, within
/// budget (with concessions when the person qualifies), and nothing excluded. The rest is scored
/// (interest fit, distance, cost, times, freshness, setting, welcome, and access with the
/// `access` barrier; weights shift with the person's barriers), re-ranked for variety and
/// explained. The same request on the same data gives the same order. Nothing in the request
/// is stored or logged. See `docs/matching.md` for every weight and formula.
#[utoipa::path(
    operation_id = "matchAssets",
    tag = "matching",
    request_body(content = MatchRequest, example = json!({
        "location": {"postcode": "M32 0JG"},
        "interests": ["football", "singing"],
        "travel": {"mode": "public_transport", "max_minutes": 30},
        "budget": {"max_pence_per_session": 300, "concessions": true},
        "availability": [{"day": "tue", "from": "17:00", "to": "21:00"}],
        "age": 34,
        "barriers": ["confidence", "cost"],
        "limit": 5
    })),
    responses(
        (status = 200, description = "The suggestions, with how the request was understood.", body = MatchResponse),
        (status = 422, description = "A field is invalid (each one named) or the postcode cannot be placed.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/match")]
pub async fn match_assets(
    Reads(pool): Reads,
    geocoder: web::Data<Geocoder>,
    cache: web::Data<MatchCache>,
    freshness: web::Data<FreshnessPolicy>,
    body: JsonBody<MatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let outcome = service::run(&pool, &geocoder, &cache, &body.0, &freshness).await?;
    let description = service::describe_variety(&outcome);
    let note = service::describe_reach(&outcome.spec.reach);
    let inputs: Vec<String> = outcome.interests.iter().map(|i| i.input.clone()).collect();
    let reach = outcome.spec.reach;
    let response = MatchResponse {
        interests: outcome
            .interests
            .iter()
            .map(|i| {
                let reading = InterestReading::of(i);
                InterestResolution {
                    input: reading.input,
                    resolution: reading.resolution,
                    term: reading.term,
                    broader: reading.broader,
                    narrower_terms: reading.narrower_terms,
                    concepts: reading.concepts,
                    widened: i.widening,
                }
            })
            .collect(),
        location: MatchLocation {
            lat: round(outcome.located.point.lat, 6),
            lon: round(outcome.located.point.lon, 6),
            postcode: outcome
                .located
                .postcode
                .as_ref()
                .map(|g| g.postcode.clone()),
            precision: outcome.located.postcode.as_ref().map(|g| g.precision),
        },
        travel: TravelEstimate {
            mode: reach.mode,
            max_minutes: reach.max_minutes.map(|m| round(m, 1)),
            max_km: round(reach.max_km, 3),
            speed_kmh: reach.mode.map(|m| m.speed_kmh()),
            detour_factor: DETOUR_FACTOR,
            note,
        },
        weights: outcome.weights,
        diversification: Diversification {
            method: "maximal_marginal_relevance",
            lambda: crate::domain::matching::diversify::LAMBDA,
            places_changed: outcome.variety.moved,
            organizations: outcome.variety.organizations,
            venues: outcome.variety.venues,
            interests_covered: (!outcome.interests.is_empty())
                .then_some(outcome.variety.interests_covered),
            description,
        },
        near_misses: outcome.near_misses,
        candidates_considered: outcome.considered,
        passed_hard_constraints: outcome.passed,
        results: outcome
            .suggestions
            .into_iter()
            .enumerate()
            .map(|(i, s)| result(i + 1, s, &inputs, &freshness))
            .collect(),
    };
    Ok(HttpResponse::Ok().json(response))
}
