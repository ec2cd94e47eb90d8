//! Matching one person: check the request, find where they are and what their interests mean,
//! fetch candidates from PostGIS, and let the domain rules decide, score, diversify and explain.
//! Nothing about the person is stored or logged.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use uuid::Uuid;

use crate::db::assets::AssetRecord;
use crate::db::interests::TermRow;
use crate::db::matching::{AudienceFilter, CandidateQuery};
use crate::db::{self, DbPool};
use crate::domain::audience::{GenderRule, Person, PersonGender, SingleGender};
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::geometry::LatLon;
use crate::domain::matching::candidate::Candidate;
use crate::domain::matching::diversify::{self, Item, LAMBDA};
use crate::domain::matching::explain::{Explanation, explain};
use crate::domain::matching::interests::{
    Resolution, ResolvedInterest, SEMANTIC_TEXT_MIN, Widening, match_all,
};
use crate::domain::matching::lexicon::{LexTerm, Lexicon, resolve};
use crate::domain::matching::near_miss::{Miss, NearMiss, near_misses, relaxed_reach};
use crate::domain::matching::request::{Location, MatchRequest, MatchSpec, validate};
use crate::domain::matching::score::{Assessment, Context, Weights, assess, weights};
use crate::domain::matching::travel::Reach;
use crate::domain::schedule::uk_local;
use crate::domain::semantic;
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
    /// The lexicon, when it was last checked, and the vocabulary fingerprint it was built from.
    lexicon: Mutex<Option<(Instant, String, Arc<Lexicon>)>>,
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

/// Related links from OpenActive's own structure (scripts/build_related.py).
const RELATED: &str = include_str!("../../seed-data/vocabulary/related.json");

/// How often the vocabulary is checked for changes (a new release's seed).
const LEXICON_CHECK: Duration = Duration::from_secs(60);

pub fn listed_links() -> Vec<(String, String)> {
    #[derive(serde::Deserialize)]
    struct File {
        links: Vec<(String, String, String)>,
    }
    serde_json::from_str::<File>(RELATED)
        .map(|f| f.links.into_iter().map(|(a, b, _)| (a, b)).collect())
        .unwrap_or_default()
}

impl MatchCache {
    /// The lexicon of the current vocabulary, rebuilt when the vocabulary changes.
    pub async fn lexicon(&self, pool: &DbPool) -> Result<Arc<Lexicon>, ApiError> {
        if let Ok(guard) = self.lexicon.lock()
            && let Some((at, _, lexicon)) = guard.as_ref()
            && at.elapsed() < LEXICON_CHECK
        {
            return Ok(lexicon.clone());
        }
        let mut conn = db::connect(pool).await?;
        let fingerprint = db::interests::fingerprint(&mut conn).await?;
        if let Ok(mut guard) = self.lexicon.lock()
            && let Some((at, known, lexicon)) = guard.as_mut()
            && *known == fingerprint
        {
            *at = Instant::now();
            return Ok(lexicon.clone());
        }
        let terms = lex_terms(db::interests::all_terms(&mut conn).await?);
        drop(conn);
        // Embedding every term's names and finding neighbours takes tens of milliseconds:
        // off the async workers.
        let lexicon = tokio::task::spawn_blocking(move || {
            Arc::new(Lexicon::new(terms, &listed_links(), semantic::model()))
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("building the lexicon: {e}")))?;
        if let Ok(mut guard) = self.lexicon.lock() {
            *guard = Some((Instant::now(), fingerprint, lexicon.clone()));
        }
        self.resolutions.clear();
        Ok(lexicon)
    }
}

/// The vocabulary's rows as the lexicon reads them.
pub fn lex_terms(rows: Vec<TermRow>) -> Vec<LexTerm> {
    rows.into_iter()
        .map(|t| LexTerm {
            id: t.id,
            slug: t.slug,
            label: t.label,
            parent: t.parent_id,
            synonyms: t.synonyms,
        })
        .collect()
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
    let mut lexicon = None;
    for input in inputs {
        if let Some(mut hit) = cache.resolutions.get(input) {
            hit.input = input.clone();
            out.push(hit);
            continue;
        }
        if lexicon.is_none() {
            lexicon = Some(cache.lexicon(pool).await?);
        }
        let lex = lexicon.as_ref().expect("loaded above");
        let resolved = resolve(lex, semantic::model(), input);
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
            .filter(|(_, i)| {
                matches!(
                    i.resolution(),
                    Resolution::Semantic | Resolution::Spelling | Resolution::TextOnly
                )
            })
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
        rule_concessions: spec.age.is_some() || !spec.budget.eligible_for.is_empty(),
        include_online: relaxed || spec.include_online,
        audience: audience_filter(&spec.person, relaxed),
        limit: if relaxed {
            NEAR_MISS_WINDOW
        } else {
            CANDIDATES
        },
        walk,
    }
}

/// The audience rules for the candidate statement. Relaxed, it keeps the rules about who the
/// person is and drops the ones they could change: wanting single-gender sessions, and having
/// no referral yet.
fn audience_filter(person: &Person, relaxed: bool) -> AudienceFilter {
    AudienceFilter {
        excluded_gender: match person.gender {
            Some(PersonGender::Man) => Some(GenderRule::WomenOnly.as_str()),
            Some(PersonGender::Woman) => Some(GenderRule::MenOnly.as_str()),
            _ => None,
        },
        required_gender: match person.single_gender {
            Some(_) if relaxed => None,
            Some(SingleGender::WomenOnly) => Some(GenderRule::WomenOnly.as_str()),
            Some(SingleGender::MenOnly) => Some(GenderRule::MenOnly.as_str()),
            None => None,
        },
        groups: person
            .groups()
            .iter()
            .map(|g| g.as_str().to_string())
            .collect(),
        referral: relaxed || person.has_referral,
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

/// The phrases (indices) that no passing candidate matches.
fn unmatched_interests(
    interests: &[ResolvedInterest],
    ranked: &[(Candidate, Assessment)],
) -> Vec<usize> {
    let matched: HashSet<usize> = ranked
        .iter()
        .flat_map(|(_, a)| a.matches.iter().map(|m| m.interest))
        .collect();
    (0..interests.len())
        .filter(|i| !matched.contains(i) && interests[*i].widening < Widening::Semantic)
        .collect()
}

/// Works out how close in meaning the candidate's text is to each widened phrase; true when it
/// is close enough to one of them to match.
fn weigh_meaning(c: &mut Candidate, interests: &[ResolvedInterest], widened: &[usize]) -> bool {
    let Some(text) = semantic::model().embed(&c.text) else {
        return false;
    };
    c.semantic = interests
        .iter()
        .enumerate()
        .map(|(i, interest)| {
            let v = interest.vector.as_ref().filter(|_| widened.contains(&i))?;
            Some(semantic::cosine(v, &text))
        })
        .collect();
    c.semantic.iter().flatten().any(|s| *s >= SEMANTIC_TEXT_MIN)
}

/// The phrases among `unmatched` that can be widened to `level`: related terms need a
/// concept, meaning needs the phrase's vector.
fn can_widen(interests: &[ResolvedInterest], unmatched: &[usize], level: Widening) -> Vec<usize> {
    unmatched
        .iter()
        .copied()
        .filter(|&i| match level {
            Widening::Related => interests[i].understood(),
            Widening::Semantic => interests[i].vector.is_some(),
            Widening::None => false,
        })
        .collect()
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
    let spec = match validate(request) {
        Ok(spec) => spec,
        Err(mut errors) => {
            // Place a well-formed postcode too, so that one 422 names every bad field.
            if let Some(raw) = &request.location.postcode
                && !errors.iter().any(|e| e.field.starts_with("location"))
                && let Err(ApiError::Validation(more)) =
                    locate(geocoder, "location.postcode", raw).await
            {
                errors.extend(more);
            }
            return Err(ApiError::Validation(errors));
        }
    };
    let located = locate_person(geocoder, &spec.location).await?;
    let mut interests = resolve_interests(pool, cache, &spec.interests).await?;

    let mut conn = db::connect(pool).await?;
    let walk = cache.plan_walk(&mut conn, &interests).await?;
    let strict = candidate_query(&spec, located.point, &interests, false, walk);
    let candidates = db::matching::candidates(&mut conn, &strict).await?;
    // Every asset fetched, by any step; the count is reported as considered.
    let mut fetched: HashSet<Uuid> = candidates.iter().map(|c| c.id).collect();
    let weights = weights(&spec);
    let mut ctx = context(&located, interests.clone(), *freshness);
    let mut ranked = rank(&spec, &ctx, &weights, candidates);

    // A phrase nothing in reach matches is widened: first to related and broader terms, then
    // to assets whose text is close in meaning. Each step is one more statement, only then.
    for level in [Widening::Related, Widening::Semantic] {
        let unmatched = unmatched_interests(&interests, &ranked);
        let widen = can_widen(&interests, &unmatched, level);
        if widen.is_empty() {
            continue;
        }
        for &i in &widen {
            interests[i].widening = level;
        }
        // Widening changes how assets match, never which rules they break: the candidates that
        // failed a hard constraint stay out, and only those that passed are ranked again.
        let mut held: Vec<Candidate> = ranked.into_iter().map(|(c, _)| c).collect();
        let more = if level == Widening::Semantic {
            // The candidates already held may be close in meaning too.
            for c in held.iter_mut() {
                weigh_meaning(c, &interests, &widen);
            }
            let open = CandidateQuery {
                term_ids: None,
                ..candidate_query(&spec, located.point, &interests, false, true)
            };
            let mut rows = db::matching::candidates(&mut conn, &open).await?;
            rows.retain_mut(|c| weigh_meaning(c, &interests, &widen));
            rows
        } else {
            let widened = candidate_query(&spec, located.point, &interests, false, true);
            db::matching::candidates(&mut conn, &widened).await?
        };
        held.extend(more.into_iter().filter(|c| fetched.insert(c.id)));
        ctx = context(&located, interests.clone(), *freshness);
        ranked = rank(&spec, &ctx, &weights, held);
    }
    let considered = fetched.len();
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
        if spec.person.needs_medical_advice_for_exercise()
            && record.asset.five_ways.iter().any(|w| w == "be_active")
        {
            explanation
                .cautions
                .push("Physical activity: check with a GP or midwife before starting".into());
        }
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
            .map(|c| Miss {
                interests: match_all(&interests, &c.interest_ids, &c.text_hits, &c.semantic)
                    .iter()
                    .map(|m| m.interest)
                    .collect(),
                ..Miss::of(&spec, c, ctx.person, ctx.today())
            })
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
