//! Prometheus metrics, served as text at `/metrics`: requests and their latency per route,
//! requests in flight, database pool usage, rate-limit refusals, import progress, webhook
//! attempts, and the process's own memory and CPU.

use std::sync::LazyLock;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::db::DbPool;

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub duration: HistogramVec,
    pub in_flight: IntGauge,
    pool: IntGaugeVec,
    pub rate_limited: IntCounterVec,
    pub import_records: IntCounterVec,
    pub imports_finished: IntCounterVec,
    pub imports_running: IntGauge,
    pub harvest_items: IntCounterVec,
    pub harvest_failures: prometheus::IntCounter,
    pub replica_reads: IntCounterVec,
    pub webhook_attempts: IntCounterVec,
}

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("community_assets".into()), None)?;
    let requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests answered, by route and status.",
        ),
        &["method", "route", "status"],
    )?;
    let duration = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by route.",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["method", "route"],
    )?;
    let in_flight = IntGauge::new("http_requests_in_flight", "Requests being answered now.")?;
    let pool = IntGaugeVec::new(
        Opts::new(
            "db_pool_connections",
            "Database connections by pool (primary, replica N) and state (in_use, idle, max).",
        ),
        &["pool", "state"],
    )?;
    let rate_limited = IntCounterVec::new(
        Opts::new(
            "rate_limited_total",
            "Requests refused with 429, by what was limited.",
        ),
        &["scope"],
    )?;
    let import_records = IntCounterVec::new(
        Opts::new(
            "import_records_total",
            "Records read by imports, by outcome (created, updated, unchanged, linked, skipped, failed).",
        ),
        &["outcome"],
    )?;
    let imports_finished = IntCounterVec::new(
        Opts::new("imports_finished_total", "Import runs finished, by status."),
        &["status"],
    )?;
    let imports_running =
        IntGauge::new("imports_running", "Import runs under way in this process.")?;
    let harvest_items = IntCounterVec::new(
        Opts::new(
            "harvest_items_total",
            "OpenActive feed items read by the harvester (read), and those that changed what was held (changed).",
        ),
        &["outcome"],
    )?;
    let harvest_failures = prometheus::IntCounter::new(
        "harvest_failures_total",
        "OpenActive feed reads that failed (the feed is tried again later from the same page).",
    )?;
    let replica_reads = IntCounterVec::new(
        Opts::new(
            "db_reads_total",
            "Reads that could go to a replica, by where they went (replica, primary, fallback).",
        ),
        &["target"],
    )?;
    let webhook_attempts = IntCounterVec::new(
        Opts::new(
            "webhook_attempts_total",
            "Webhook delivery attempts, by outcome (delivered, failed, gone).",
        ),
        &["outcome"],
    )?;
    registry.register(Box::new(webhook_attempts.clone()))?;
    registry.register(Box::new(requests.clone()))?;
    registry.register(Box::new(duration.clone()))?;
    registry.register(Box::new(in_flight.clone()))?;
    registry.register(Box::new(pool.clone()))?;
    registry.register(Box::new(rate_limited.clone()))?;
    registry.register(Box::new(import_records.clone()))?;
    registry.register(Box::new(imports_finished.clone()))?;
    registry.register(Box::new(imports_running.clone()))?;
    registry.register(Box::new(harvest_items.clone()))?;
    registry.register(Box::new(harvest_failures.clone()))?;
    registry.register(Box::new(replica_reads.clone()))?;
    registry.register(Box::new(
        prometheus::process_collector::ProcessCollector::for_self(),
    ))?;
    Ok(Metrics {
        registry,
        requests,
        duration,
        in_flight,
        pool,
        rate_limited,
        import_records,
        imports_finished,
        imports_running,
        harvest_items,
        harvest_failures,
        replica_reads,
        webhook_attempts,
    })
}

/// One set per process: every app in it (tests run several) adds to the same counters.
pub static METRICS: LazyLock<Metrics> =
    LazyLock::new(|| build().expect("the metric definitions are valid"));

/// The metrics in Prometheus' text format, with the pools' current usage.
pub fn render(pools: &[(String, &DbPool)]) -> String {
    let m = &*METRICS;
    for (name, pool) in pools {
        let status = pool.status();
        let in_use = status.size.saturating_sub(status.available);
        m.pool
            .with_label_values(&[name.as_str(), "in_use"])
            .set(in_use as i64);
        m.pool
            .with_label_values(&[name.as_str(), "idle"])
            .set(status.available as i64);
        m.pool
            .with_label_values(&[name.as_str(), "max"])
            .set(status.max_size as i64);
    }
    let mut out = Vec::new();
    // Encoding into a Vec cannot fail for well-formed metrics.
    let _ = TextEncoder::new().encode(&m.registry.gather(), &mut out);
    String::from_utf8(out).unwrap_or_default()
}
