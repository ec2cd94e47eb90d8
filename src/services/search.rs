//! Searching the directory: resolve what the query names (postcode, interests), run one
//! statement, and hand back the page with the cursor for the next.

use crate::domain::freshness::FreshnessPolicy;
use uuid::Uuid;

use crate::db::interests::TermRef;
use crate::db::search::{After, Hit, Place, SearchQuery};
use crate::db::{self, DbPool};
use crate::domain::postcode_index::LookupError;
use crate::domain::search::{Area, Cursor, NearPoint, Order, SearchParams};
use crate::domain::validation::Errors;
use crate::error::ApiError;
use crate::geocoder::{Geocoded, Geocoder};
use crate::services::cache::TtlCache;
use crate::services::unknown_interest;

pub struct Page {
    pub hits: Vec<Hit>,
    pub next_cursor: Option<String>,
    /// The geocoded postcode, when the search was near one.
    pub located: Option<Geocoded>,
    /// The interest terms the `interest` values resolved to.
    pub interests: Vec<TermRef>,
}

/// Geocodes a postcode given as a query parameter; a failure names the parameter.
pub async fn locate(geocoder: &Geocoder, field: &str, raw: &str) -> Result<Geocoded, ApiError> {
    geocoder.locate(raw).await.map_err(|e| match e {
        LookupError::Malformed => ApiError::validation(field, e.to_string()),
        LookupError::NotFound => ApiError::validation(field, format!("\"{}\" {e}", raw.trim())),
    })
}

/// Interest names already resolved to a term and the ids of it and its narrower terms, per
/// process; it saves two queries on every search that names an interest.
pub type InterestCache = TtlCache<(TermRef, Vec<Uuid>)>;

/// Interest names resolved to terms, each with its narrower terms, through the cache.
async fn resolve_cached(
    pool: &DbPool,
    cache: &InterestCache,
    names: &[String],
) -> Result<(Vec<TermRef>, Vec<Uuid>), ApiError> {
    let mut terms = Vec::new();
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match cache.get(name) {
            Some((term, widened)) => {
                terms.push(term);
                ids.extend(widened);
            }
            None => missing.push(name.clone()),
        }
    }
    if !missing.is_empty() {
        let mut conn = db::connect(pool).await?;
        let found = resolve_terms(&mut conn, "interest", &missing).await?;
        for (name, term) in missing.iter().zip(found) {
            let widened = db::interests::with_narrower(&mut conn, &[term.id]).await?;
            cache.put(name, (term.clone(), widened.clone()));
            terms.push(term);
            ids.extend(widened);
        }
    }
    ids.sort();
    ids.dedup();
    Ok((terms, ids))
}

/// Resolves interest names to terms, in order; any unknown name is a 422 naming `field`, with
/// suggestions, and all unknown names are reported together.
pub(crate) async fn resolve_terms(
    conn: &mut diesel_async::AsyncPgConnection,
    field: &str,
    names: &[String],
) -> Result<Vec<TermRef>, ApiError> {
    let mut errors = Errors::default();
    let mut terms = Vec::new();
    for name in names {
        match db::interests::resolve(conn, name).await? {
            Some(term) => terms.push(term),
            None => errors.push(unknown_interest(conn, field.to_string(), name).await?),
        }
    }
    errors.finish(terms).map_err(ApiError::Validation)
}

fn after(cursor: &Cursor) -> Option<After> {
    Some(match cursor.order {
        Order::Distance => After::Distance(cursor.millimetres, cursor.id),
        Order::Relevance => After::Relevance(cursor.number?, cursor.id),
        Order::Title => After::Title(cursor.title.clone()?, cursor.id),
    })
}

fn cursor_after(params: &SearchParams, last: &Hit) -> Cursor {
    let order = params.order();
    Cursor {
        order,
        number: match order {
            Order::Relevance => last.score,
            Order::Distance | Order::Title => None,
        },
        millimetres: match order {
            Order::Distance => last.distance_mm,
            Order::Relevance | Order::Title => None,
        },
        title: (order == Order::Title).then(|| last.record.asset.title.clone()),
        id: last.record.asset.id,
        query: params.fingerprint.clone(),
    }
}

/// The resolved query and what it was resolved from.
pub async fn prepare(
    pool: &DbPool,
    geocoder: &Geocoder,
    interests: &InterestCache,
    params: &SearchParams,
    freshness: &FreshnessPolicy,
) -> Result<(SearchQuery, Option<Geocoded>, Vec<TermRef>), ApiError> {
    let (place, located) = match &params.area {
        Area::Anywhere => (Place::Anywhere, None),
        Area::Within(b) => (Place::Within(*b), None),
        Area::Near {
            point: NearPoint::Coordinates(p),
            radius_m,
            within,
        } => (
            Place::Near {
                point: *p,
                radius_m: *radius_m,
                within: *within,
            },
            None,
        ),
        Area::Near {
            point: NearPoint::Postcode(raw),
            radius_m,
            within,
        } => {
            let found = locate(geocoder, "postcode", raw).await?;
            let point = crate::domain::geometry::LatLon {
                lat: found.latitude,
                lon: found.longitude,
            };
            (
                Place::Near {
                    point,
                    radius_m: *radius_m,
                    within: *within,
                },
                Some(found),
            )
        }
    };
    let (terms, interest_ids) = if params.interests.is_empty() {
        (Vec::new(), None)
    } else {
        let (terms, ids) = resolve_cached(pool, interests, &params.interests).await?;
        (terms, Some(ids))
    };
    let query = SearchQuery {
        place,
        q: params.q.clone(),
        interest_ids,
        kinds: params
            .kinds
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
        free: params.free,
        max_cost_pence: params.max_cost_pence,
        concessions: params.concessions,
        days: params.days.clone(),
        from: params.from,
        to: params.to,
        age: params.age,
        access: params
            .access
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        non_stigmatised: params.non_stigmatised,
        genders: params.genders.iter().map(|g| g.as_str().into()).collect(),
        audiences: params.audiences.iter().map(|g| g.as_str().into()).collect(),
        referral_only: params.referral_only,
        organization_id: params.organization_id,
        updated_since: params.updated_since,
        confirmed_within_days: params.confirmed_within_days,
        hidden_before: (!params.include_stale).then(|| freshness.hidden_before(chrono::Utc::now())),
        include_online: params.include_online,
        order: params.order(),
        after: params.cursor.as_ref().and_then(after),
        fetch: params.limit + 1,
    };
    Ok((query, located, terms))
}

pub async fn search(
    pool: &DbPool,
    geocoder: &Geocoder,
    cache: &InterestCache,
    params: &SearchParams,
    freshness: &FreshnessPolicy,
) -> Result<Page, ApiError> {
    let (query, located, interests) = prepare(pool, geocoder, cache, params, freshness).await?;
    let mut conn = db::connect(pool).await?;
    let mut hits = db::search::run(&mut conn, &query).await?;
    let next_cursor = if hits.len() as i64 > params.limit {
        hits.truncate(params.limit as usize);
        hits.last().map(|last| cursor_after(params, last).encode())
    } else {
        None
    };
    Ok(Page {
        hits,
        next_cursor,
        located,
        interests,
    })
}
