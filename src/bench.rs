//! Command-line tools for measuring the search: its plan, and the raw statement's throughput
//! from concurrent clients, so the HTTP figures have a yardstick run on the same machine.

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel_async::{AsyncConnection, AsyncPgConnection};

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
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}: {:?}", e.problem()))?;
    Ok(resolved)
}

pub async fn explain(database_url: &str, query: &str) -> anyhow::Result<Vec<String>> {
    let resolved = resolve(database_url, query).await?;
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    Ok(db::search::explain(&mut conn, &resolved).await?)
}

pub struct Figures {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub rows: usize,
}

/// Runs the search statement in a loop from `clients` connections for `seconds`.
pub async fn raw_throughput(
    database_url: &str,
    query: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Figures> {
    let resolved = resolve(database_url, query).await?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let url = database_url.to_string();
        let q = resolved.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            let mut latencies = Vec::new();
            let mut rows = 0;
            while Instant::now() < deadline {
                let start = Instant::now();
                rows = db::search::run(&mut conn, &q).await?.len();
                latencies.push(start.elapsed());
            }
            anyhow::Ok((latencies, rows))
        }));
    }
    let mut all = Vec::new();
    let mut rows = 0;
    for task in tasks {
        let (latencies, r) = task.await??;
        all.extend(latencies);
        rows = r;
    }
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 - 1.0) * p).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(Figures {
        per_second: all.len() as f64 / seconds as f64,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        rows,
    })
}
