//! Whole map viewports loaded the way a browser loads them: each client fetches a viewport's
//! tiles six at a time (a browser's connections per host over HTTP/1.1) and a viewport's time
//! runs from its first request to its last answer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use futures_util::stream;

pub struct Viewports {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub tiles: usize,
    pub bytes: usize,
}

pub async fn run(
    base: &str,
    paths: Vec<String>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Viewports> {
    anyhow::ensure!(!paths.is_empty(), "no tiles to load");
    let paths = Arc::new(paths);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(6)
            .build()?;
        let (base, paths) = (base.to_string(), paths.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut bytes = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let sizes: Vec<anyhow::Result<usize>> = stream::iter(
                    paths
                        .iter()
                        .map(|p| format!("{base}{p}"))
                        .collect::<Vec<_>>(),
                )
                .map(|url: String| {
                    let client = client.clone();
                    async move {
                        let r = client.get(&url).send().await?;
                        anyhow::ensure!(r.status() == 200, "{url} answered {}", r.status());
                        Ok(r.bytes().await?.len())
                    }
                })
                .buffer_unordered(6)
                .collect()
                .await;
                bytes = sizes.into_iter().sum::<anyhow::Result<usize>>()?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok((times, bytes))
        }));
    }
    let mut times = Vec::new();
    let mut bytes = 0;
    for task in tasks {
        let (t, b) = task.await.context("a client failed")??;
        times.extend(t);
        bytes = b;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Ok(Viewports {
        per_second: times.len() as f64 / elapsed,
        p50_ms: super::quantile(&times, 0.50),
        p99_ms: super::quantile(&times, 0.99),
        tiles: paths.len(),
        bytes,
    })
}
