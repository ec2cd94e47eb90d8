//! Command-line tools for measuring search and matching: their plans, and the raw statements'
//! throughput from concurrent clients, so the HTTP figures have a yardstick run on the same
//! machine.

pub mod harvest;
pub mod viewports;

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel_async::AsyncPgConnection;

use crate::db::{self, search::SearchQuery};
use crate::domain::search as search_params;
use crate::geocoder::Geocoder;
use crate::services::search as service;

fn pairs(query: &str) -> anyhow::Result<Vec<(String, String)>> {
    serde_urlencoded::from_str(query.trim_start_matches('?')).context("reading the query string")
}

async fn resolve(database_url: &str, query: &str) -> anyhow::Result<SearchQuery> {
    let params = search_params::parse(&pairs(query)?)
        .map_err(|e| anyhow::anyhow!("invalid search: {e:?}"))?;
    let pool = db::pool(database_url, 2)?;
    let (resolved, _, _) = service::prepare(
        &pool,
        &Geocoder::offline(),
        &service::InterestCache::default(),
        &params,
        &crate::domain::freshness::FreshnessPolicy::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}: {:?}", e.problem()))?;
    Ok(resolved)
}

pub async fn explain(database_url: &str, query: &str) -> anyhow::Result<Vec<String>> {
    let resolved = resolve(database_url, query).await?;
    let mut conn = crate::db::connect::establish(database_url).await?;
    Ok(db::search::explain(&mut conn, &resolved).await?)
}

/// The value at quantile `q` (0 to 1) of ascending values, by nearest rank; 0 when empty.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

pub struct Figures {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub rows: usize,
}

/// Runs `run` in a loop from `clients` connections for `seconds`, each client cycling through
/// `queries` from its own starting point; latencies are per statement.
async fn timed<Q, F, Fut>(
    database_url: &str,
    queries: Vec<Q>,
    clients: usize,
    seconds: u64,
    run: F,
) -> anyhow::Result<Figures>
where
    Q: Clone + Send + Sync + 'static,
    F: Fn(AsyncPgConnection, Q) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<(AsyncPgConnection, usize)>> + Send,
{
    anyhow::ensure!(!queries.is_empty(), "no queries to run");
    let queries = std::sync::Arc::new(queries);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let url = database_url.to_string();
        let queries = queries.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = crate::db::connect::establish(&url).await?;
            let mut latencies = Vec::new();
            let mut rows = 0;
            let mut next = client * queries.len() / clients.max(1);
            while Instant::now() < deadline {
                let q = queries[next % queries.len()].clone();
                next += 1;
                let start = Instant::now();
                let (c, n) = run(conn, q).await?;
                conn = c;
                latencies.push(start.elapsed());
                rows += n;
            }
            anyhow::Ok((latencies, rows))
        }));
    }
    let mut all = Vec::new();
    let mut rows = 0;
    for task in tasks {
        let (latencies, r) = task.await??;
        all.extend(latencies);
        rows += r;
    }
    let mut ms: Vec<f64> = all.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    Ok(Figures {
        per_second: all.len() as f64 / seconds as f64,
        p50_ms: quantile(&ms, 0.5),
        p99_ms: quantile(&ms, 0.99),
        rows: rows / all.len().max(1),
    })
}

/// The candidate statements of the match requests in `path` (one JSON body per line).
async fn match_queries(
    database_url: &str,
    path: &std::path::Path,
) -> anyhow::Result<Vec<crate::db::matching::CandidateQuery>> {
    use crate::services::matching;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let pool = db::pool(database_url, 2)?;
    let geocoder = Geocoder::offline();
    let cache = matching::MatchCache::default();
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let request: crate::domain::matching::request::MatchRequest =
            serde_json::from_str(line).with_context(|| format!("line {}", i + 1))?;
        let spec = crate::domain::matching::request::validate(&request)
            .map_err(|e| anyhow::anyhow!("line {}: {e:?}", i + 1))?;
        let query = matching::prepare_candidates(&pool, &geocoder, &cache, &spec)
            .await
            .map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1))?;
        out.push(query);
    }
    Ok(out)
}

pub async fn explain_match(
    database_url: &str,
    path: &std::path::Path,
    line: usize,
) -> anyhow::Result<Vec<String>> {
    let queries = match_queries(database_url, path).await?;
    let q = queries
        .get(line.saturating_sub(1))
        .context("no such line")?;
    let mut conn = crate::db::connect::establish(database_url).await?;
    Ok(db::matching::explain(&mut conn, q).await?)
}

/// Runs the candidate statements of the match requests in a loop from `clients` connections.
pub async fn match_throughput(
    database_url: &str,
    path: &std::path::Path,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Figures> {
    let queries = match_queries(database_url, path).await?;
    timed(
        database_url,
        queries,
        clients,
        seconds,
        |mut conn, q| async move {
            let n = db::matching::candidates(&mut conn, &q).await?.len();
            Ok((conn, n))
        },
    )
    .await
}

/// Runs the search statement in a loop from `clients` connections for `seconds`.
pub async fn raw_throughput(
    database_url: &str,
    query: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Figures> {
    let resolved = resolve(database_url, query).await?;
    timed(
        database_url,
        vec![resolved],
        clients,
        seconds,
        |mut conn, q| async move {
            let n = db::search::run(&mut conn, &q).await?.len();
            Ok((conn, n))
        },
    )
    .await
}

/// Builds the lexicon from the database's vocabulary, then reads every phrase `rounds` times
/// without the cache, and reports the build time and the per-phrase times.
pub async fn phrases(
    database_url: &str,
    path: &std::path::Path,
    rounds: usize,
) -> anyhow::Result<String> {
    use crate::domain::matching::lexicon::Lexicon;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path:?}"))?;
    let phrases: Vec<String> = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v["phrases"]
            .as_array()
            .context("no phrases array")?
            .iter()
            .filter_map(|p| p["phrase"].as_str().map(String::from))
            .collect(),
        Err(_) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect(),
    };
    anyhow::ensure!(!phrases.is_empty(), "no phrases in {path:?}");
    let mut conn = crate::db::connect::establish(database_url).await?;
    let terms = crate::services::matching::lex_terms(db::interests::all_terms(&mut conn).await?);
    let model = crate::domain::semantic::model();
    let started = std::time::Instant::now();
    let lexicon = Lexicon::new(terms, &crate::services::matching::listed_links(), model);
    let build_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut times: Vec<f64> = Vec::with_capacity(phrases.len() * rounds);
    let mut slowest: Vec<(f64, &str)> = Vec::new();
    for _ in 0..rounds {
        for p in &phrases {
            let t = std::time::Instant::now();
            let resolved = crate::domain::matching::lexicon::resolve(&lexicon, model, p);
            std::hint::black_box(resolved);
            let us = t.elapsed().as_secs_f64() * 1_000_000.0;
            times.push(us);
            slowest.push((us, p));
        }
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    slowest.dedup_by(|a, b| a.1 == b.1);
    let slowest: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|(us, p)| format!("{p:?} {us:.0} us"))
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| quantile(&times, q);
    Ok(format!(
        "lexicon built in {build_ms:.1} ms ({} terms); {} phrases x {rounds} rounds: \
         p50 {:.1} us, p99 {:.1} us, max {:.1} us; slowest: {}",
        lexicon.terms.len(),
        phrases.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1],
        slowest.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_are_taken_by_nearest_rank() {
        let values: Vec<f64> = (1..=101).map(f64::from).collect();
        assert_eq!(quantile(&values, 0.5), 51.0);
        assert_eq!(quantile(&values, 0.99), 100.0);
        assert_eq!(quantile(&values, 1.0), 101.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }
}
