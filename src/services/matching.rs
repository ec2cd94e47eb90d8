//! Matching one person: check the request, find where they are and what their interests mean,
//! fetch candidates from PostGIS, and let the domain rules decide, score, diversify and explain.
//! Nothing about the person is stored or logged.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use uuid::Uuid;

use crate::db::assets::AssetRecord;
use crate::db::interests::{NamedBy, TermRef};
use crate::db::matching::CandidateQuery;
use crate::db::{self, DbPool};
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::geometry::LatLon;
use crate::domain::matching::candidate::Candidate;
use crate::domain::matching::diversify::{self, Item, LAMBDA};
use crate::domain::matching::explain::{Explanation, explain};
use crate::domain::matching::interests::{Resolution, ResolvedInterest, Term};
use crate::domain::matching::near_miss::{Miss, NearMiss, near_misses, relaxed_reach};
use crate::domain::matching::request::{Location, MatchRequest, MatchSpec, validate};
use crate::domain::matching::score::{Assessment, Context, Weights, assess, weights};
use crate::domain::matching::travel::Reach;
use crate::domain::phrase::normalise;
use crate::domain::schedule::uk_local;
use crate::error::ApiError;
use crate::geocoder::{Geocoded, Geocoder};
use crate::services::cache::TtlCache;
use crate::services::search::locate;

/// What matching keeps per process: interest phrases already resolved, and how common each
/// interest term is (to choose the candidate query's plan).
#[derive(Default)]
pub struct MatchCache {
    resolutions: TtlCache<ResolvedInterest>,
    shares: Mutex<Option<(Instant, Arc<Shares>)>>,
}

/// The share of published assets carrying each common term, and the share to assume for others.
type Shares = (HashMap<Uuid, f64>, f64);

const SHARES_TTL: Duration = Duration::from_secs(300);

/// Below this estimated share of assets matching the interests, the candidate query starts from
/// the interest index; above it, it walks outwards from the person (docs/benchmarks.md).
const RARE_SHARE: f64 = 0.05;

impl MatchCache {
    async fn shares(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
    ) -> Result<Arc<Shares>, ApiError> {
        if let Ok(guard) = self.shares.lock()
            && let Some((at, shares)) = guard.as_ref()
            && at.elapsed() < SHARES_TTL
        {
            return Ok(shares.clone());
        }
        let shares = Arc::new(db::matching::interest_shares(conn).await?);
        if let Ok(mut guard) = self.shares.lock() {
            *guard = Some((Instant::now(), shares.clone()));
        }
        Ok(shares)
    }

    /// Whether the candidate statement should walk outwards from the person for these
    /// interests (see `walk`).
    async fn plan_walk(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        interests: &[ResolvedInterest],
    ) -> Result<bool, ApiError> {
        let shares = self.shares(conn).await?;
        let ids: Vec<Uuid> = interests.iter().flat_map(|i| i.term_ids()).collect();
        Ok(walk((!interests.is_empty()).then_some(&ids[..]), &shares))
    }
}

/// Whether to walk outwards from the person: yes unless the interests are known to be rare.
fn walk(term_ids: Option<&[Uuid]>, shares: &Shares) -> bool {
    let (known, floor) = shares;
    let Some(ids) = term_ids else {
        return true;
    };
    if known.is_empty() {
        return true;
    }
    let share: f64 = ids
        .iter()
        .map(|id| known.get(id).copied().unwrap_or(*floor))
        .sum();
    share >= RARE_SHARE
}

/// How many of the nearest possible matches are scored. Distance is itself a score, so the
/// best-scoring assets are almost always among the nearest hundred or so that pass every rule.
pub const CANDIDATES: i64 = 120;
/// How many assets are examined for near misses.
const NEAR_MISS_WINDOW: i64 = 250;
/// How many of the best-scoring candidates the re-ranking chooses among.
const DIVERSITY_POOL: usize = 100;

/// Where the person was placed.
#[derive(Debug, Clone)]
pub struct Located {
    pub point: LatLon,
    pub postcode: Option<Geocoded>,
}

pub struct Suggestion {
    pub record: AssetRecord,
    pub assessment: Assessment,
    pub explanation: Explanation,
}

/// How the list was varied.
#[derive(Debug, Clone)]
pub struct Variety {
    /// Places that differ from pure score order.
    pub moved: usize,
    pub organizations: usize,
    pub venues: usize,
    pub interests_covered: usize,
}

pub struct Outcome {
    pub spec: MatchSpec,
    pub located: Located,
    pub interests: Vec<ResolvedInterest>,
    pub weights: Weights,
    pub suggestions: Vec<Suggestion>,
    pub variety: Variety,
    pub near_misses: Vec<NearMiss>,
    pub considered: usize,
    pub passed: usize,
}

fn term(t: &TermRef) -> Term {
    Term {
        id: t.id,
        slug: t.slug.clone(),
        label: t.label.clone(),
    }
}

/// Leading words people put before an activity ("playing guitar", "learning Spanish").
const LEADING_WORDS: [&str; 9] = [
    "playing ",
    "play ",
    "doing ",
    "learning ",
    "learn ",
    "going to ",
    "going ",
    "some ",
    "a ",
];

async fn resolve_one(
    conn: &mut diesel_async::AsyncPgConnection,
    input: &str,
) -> Result<ResolvedInterest, ApiError> {
    let mut found = db::interests::resolve_how(conn, input)
        .await?
        .map(|(t, how)| {
            let resolution = match how {
                NamedBy::Synonym => Resolution::Synonym,
                _ => Resolution::Exact,
            };
            (t, resolution)
        });
    if found.is_none() {
        let phrase = normalise(input);
        for lead in LEADING_WORDS {
            if let Some(rest) = phrase.strip_prefix(lead)
                && let Some((t, _)) = db::interests::resolve_how(conn, rest).await?
            {
                found = Some((t, Resolution::Synonym));
                break;
            }
        }
    }
    if found.is_none()
        && let Some(slug) = db::interests::suggest(conn, input, 1).await?.first()
        && let Some(t) = db::interests::by_slug(conn, slug).await?
    {
        found = Some((t, Resolution::Similar));
    }
    let Some((t, resolution)) = found else {
        return Ok(ResolvedInterest {
            input: input.to_string(),
            resolution: Resolution::TextOnly,
            term: None,
            narrower: Vec::new(),
            broader: None,
        });
    };
    let narrower = db::interests::with_narrower(conn, &[t.id])
        .await?
        .into_iter()
        .filter(|id| *id != t.id)
        .collect();
    let broader = db::interests::broader(conn, t.id).await?.as_ref().map(term);
    Ok(ResolvedInterest {
        input: input.to_string(),
        resolution,
        term: Some(term(&t)),
        narrower,
        broader,
    })
}

/// The candidate statement for a request, with the plan chosen as `run` chooses it.
pub async fn prepare_candidates(
    pool: &DbPool,
    geocoder: &Geocoder,
    cache: &MatchCache,
    spec: &MatchSpec,
) -> Result<CandidateQuery, ApiError> {
    let located = locate_person(geocoder, &spec.location).await?;
    let interests = resolve_interests(pool, cache, &spec.interests).await?;
    let mut conn = db::connect(pool).await?;
    let walk = cache.plan_walk(&mut conn, &interests).await?;
    Ok(candidate_query(
        spec,
        located.point,
        &interests,
        false,
        walk,
    ))
}

/// Resolves each phrase, through the cache.
pub async fn resolve_interests(
    pool: &DbPool,
    cache: &MatchCache,
    inputs: &[String],
) -> Result<Vec<ResolvedInterest>, ApiError> {
    let mut out = Vec::with_capacity(inputs.len());
    let mut conn = None;
    for input in inputs {
        if let Some(mut hit) = cache.resolutions.get(input) {
            hit.input = input.clone();
            out.push(hit);
            continue;
        }
        if conn.is_none() {
            conn = Some(db::connect(pool).await?);
        }
        let c = conn.as_mut().expect("connected above");
        let resolved = resolve_one(c, input).await?;
        cache.resolutions.put(input, resolved.clone());
        out.push(resolved);
    }
    Ok(out)
}

pub async fn locate_person(geocoder: &Geocoder, location: &Location) -> Result<Located, ApiError> {
    match location {
        Location::Point(p) => Ok(Located {
            point: *p,
            postcode: None,
        }),
        Location::Postcode(raw) => {
            let found = locate(geocoder, "location.postcode", raw).await?;
            Ok(Located {
                point: LatLon {
                    lat: found.latitude,
                    lon: found.longitude,
                },
                postcode: Some(found),
            })
        }
    }
}

/// The candidate query for a request: `relaxed` drops the constraints a person could change
/// (travel stretched, budget, access, kinds, online) to count near misses.
pub fn candidate_query(
    spec: &MatchSpec,
    point: LatLon,
    interests: &[ResolvedInterest],
    relaxed: bool,
    walk: bool,
) -> CandidateQuery {
    let term_ids = (!interests.is_empty()).then(|| {
        let ids: BTreeSet<Uuid> = interests.iter().flat_map(|i| i.term_ids()).collect();
        ids.into_iter().collect()
    });
    let reach = if relaxed {
        relaxed_reach(spec)
    } else {
        spec.reach
    };
    CandidateQuery {
        point,
        radius_m: reach.max_km * 1000.0,
        term_ids,
        phrases: interests.iter().map(|i| i.input.clone()).collect(),
        text_candidates: interests
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(i.resolution, Resolution::Similar | Resolution::TextOnly))
            .map(|(n, _)| n)
            .collect(),
        age: spec.age,
        exclude: spec.exclude.clone(),
        kinds: if relaxed {
            Vec::new()
        } else {
            spec.kinds.iter().map(|k| k.as_str().to_string()).collect()
        },
        access: if relaxed {
            Vec::new()
        } else {
            spec.access_needs
                .iter()
                .map(|a| a.as_str().to_string())
                .collect()
        },
        max_cost_pence: if relaxed { None } else { spec.budget.max_pence },
        concessions: spec.budget.concessions,
        include_online: relaxed || spec.include_online,
        limit: if relaxed {
            NEAR_MISS_WINDOW
        } else {
            CANDIDATES
        },
        walk,
    }
}

fn context(
    located: &Located,
    interests: Vec<ResolvedInterest>,
    freshness: FreshnessPolicy,
) -> Context {
    let now = Utc::now();
    Context {
        person: located.point,
        interests,
        now_local: uk_local(now),
        now,
        freshness,
    }
}

/// Scored candidates that pass every hard constraint, best first (ties by id).
pub fn rank(
    spec: &MatchSpec,
    ctx: &Context,
    weights: &Weights,
    candidates: Vec<Candidate>,
) -> Vec<(Candidate, Assessment)> {
    let mut passed: Vec<(Candidate, Assessment)> = candidates
        .into_iter()
        .map(|c| {
            let a = assess(spec, ctx, weights, &c);
            (c, a)
        })
        .filter(|(_, a)| a.violations.is_empty())
        .collect();
    passed.sort_by(|(ca, a), (cb, b)| b.score.total_cmp(&a.score).then(ca.id.cmp(&cb.id)));
    passed
}

/// Picks the final list from ranked candidates by maximal marginal relevance.
pub fn diversify(spec: &MatchSpec, ranked: &[(Candidate, Assessment)]) -> (Vec<usize>, usize) {
    let items: Vec<Item> = ranked
        .iter()
        .take(DIVERSITY_POOL)
        .map(|(c, a)| Item {
            id: c.id,
            organization_id: c.organization_id,
            venue_id: c.venue_id,
            interest: a.matches.first().map(|m| m.interest),
            score: a.score,
        })
        .collect();
    let chosen = diversify::mmr(&items, spec.limit, spec.interests.len() > 1);
    let moved = chosen.iter().enumerate().filter(|(i, c)| i != *c).count();
    (chosen, moved)
}

pub async fn run(
    pool: &DbPool,
    geocoder: &Geocoder,
    cache: &MatchCache,
    request: &MatchRequest,
    freshness: &FreshnessPolicy,
) -> Result<Outcome, ApiError> {
    let spec = validate(request).map_err(ApiError::Validation)?;
    let located = locate_person(geocoder, &spec.location).await?;
    let interests = resolve_interests(pool, cache, &spec.interests).await?;
    let ctx = context(&located, interests.clone(), *freshness);

    let mut conn = db::connect(pool).await?;
    let walk = cache.plan_walk(&mut conn, &interests).await?;
    let strict = candidate_query(&spec, located.point, &interests, false, walk);
    let candidates = db::matching::candidates(&mut conn, &strict).await?;
    let considered = candidates.len();
    let weights = weights(&spec);
    let ranked = rank(&spec, &ctx, &weights, candidates);
    let passed = ranked.len();
    let (chosen, moved) = diversify(&spec, &ranked);

    let ids: Vec<Uuid> = chosen.iter().map(|&i| ranked[i].0.id).collect();
    let records = db::assets::find_many(&mut conn, &ids).await?;
    let mut by_id: HashMap<Uuid, AssetRecord> =
        records.into_iter().map(|r| (r.asset.id, r)).collect();
    let mut suggestions = Vec::with_capacity(chosen.len());
    for &i in &chosen {
        let (candidate, assessment) = &ranked[i];
        let Some(record) = by_id.remove(&candidate.id) else {
            continue;
        };
        let labels: HashMap<Uuid, String> = record
            .interests
            .iter()
            .map(|t| (t.id, t.label.clone()))
            .collect();
        let mut explanation = explain(
            &spec,
            &interests,
            candidate,
            assessment,
            &labels,
            ctx.today(),
        );
        if record.asset.is_example {
            explanation
                .cautions
                .push("Example listing in the demo data, not a real session".into());
        }
        suggestions.push(Suggestion {
            record,
            assessment: assessment.clone(),
            explanation,
        });
    }

    let near = if passed < spec.limit {
        let relaxed = candidate_query(&spec, located.point, &interests, true, walk);
        let pool_rows = db::matching::candidates(&mut conn, &relaxed).await?;
        let window_full = pool_rows.len() as i64 >= relaxed.limit;
        let passed_ids: HashSet<Uuid> = ranked.iter().map(|(c, _)| c.id).collect();
        let misses: Vec<Miss> = pool_rows
            .iter()
            .filter(|c| !passed_ids.contains(&c.id))
            .map(|c| Miss::of(&spec, c, ctx.person, ctx.today()))
            .collect();
        near_misses(&spec, &misses, window_full)
    } else {
        Vec::new()
    };

    let variety = Variety {
        moved,
        organizations: suggestions
            .iter()
            .map(|s| s.record.asset.organization_id)
            .collect::<HashSet<_>>()
            .len(),
        venues: suggestions
            .iter()
            .filter_map(|s| s.record.asset.venue_id)
            .collect::<HashSet<_>>()
            .len(),
        interests_covered: suggestions
            .iter()
            .flat_map(|s| s.assessment.matches.iter().map(|m| m.interest))
            .collect::<HashSet<_>>()
            .len(),
    };
    Ok(Outcome {
        weights,
        spec,
        located,
        interests,
        suggestions,
        variety,
        near_misses: near,
        considered,
        passed,
    })
}

/// "Diversified by maximal marginal relevance …", for the response.
pub fn describe_variety(outcome: &Outcome) -> String {
    let n = outcome.suggestions.len();
    let mut text = format!(
        "Re-ranked by maximal marginal relevance (lambda {LAMBDA}): a result that shares an \
         organisation, venue or interest with one above it must score clearly higher to keep its \
         place. {} of {n} places changed; {} organisations and {} venues",
        outcome.variety.moved, outcome.variety.organizations, outcome.variety.venues
    );
    if !outcome.interests.is_empty() {
        text.push_str(&format!(
            "; {} of {} interests covered",
            outcome.variety.interests_covered,
            outcome.interests.len()
        ));
    }
    text.push('.');
    text
}

/// The travel estimate, described for the response.
pub fn describe_reach(reach: &Reach) -> String {
    format!(
        "Estimated from straight-line distance: {} is taken as up to {} as the crow flies, \
         allowing for routes about {} times longer than the straight line. Actual journeys vary.",
        match (reach.mode, reach.max_minutes) {
            (Some(mode), Some(minutes)) => mode.journey(minutes),
            _ => "the distance given".to_string(),
        },
        crate::domain::matching::travel::format_km(reach.max_km),
        crate::domain::matching::travel::DETOUR_FACTOR
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_is_chosen_unless_the_interests_are_known_to_be_rare() {
        let common = Uuid::from_u128(1);
        let rare = Uuid::from_u128(2);
        let unlisted = Uuid::from_u128(3);
        let shares: Shares = (HashMap::from([(common, 0.40), (rare, 0.01)]), 0.002);
        assert!(walk(None, &shares), "no interests: walk");
        assert!(walk(Some(&[common]), &shares));
        assert!(!walk(Some(&[rare]), &shares));
        assert!(!walk(Some(&[rare, unlisted]), &shares));
        assert!(walk(Some(&[rare, common]), &shares), "shares add up");
        assert!(
            walk(Some(&[rare]), &(HashMap::new(), 0.0)),
            "no statistics yet: walk"
        );
    }
}
