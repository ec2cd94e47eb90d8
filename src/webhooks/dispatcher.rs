//! The dispatcher: one loop per process. Several processes share the work through
//! `SKIP LOCKED` claims, so any number of instances can run it.
//!
//! 1. **Fan-out**: take changes off the outbox, pair each with the active subscriptions whose
//!    events and filters it passes and whose owner may see it (the change feed's rules), and
//!    store one delivery per pair with its body, in one transaction: a crash puts the changes
//!    back on the outbox.
//! 2. **Delivery**: claim due deliveries (the claim is a lease: a process that dies mid-attempt
//!    leaves them to be tried again), POST them signed, and record each attempt: delivered,
//!    or retried later with exponential backoff, or failed for good after the last attempt. A
//!    subscriber failing for long enough (or very often), or answering 410 Gone, is paused.
//!    Subscribers take turns: each may have a quarter of the process's deliveries in flight
//!    (more, up to three quarters, when nobody else has anything due), and claims take every
//!    subscriber's oldest due delivery before anyone's second, so a slow or failing receiver
//!    with a backlog never starves the others.
//!
//! Delivery is at least once: a receiver drops repeats by the `webhook-id` header.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel_async::AsyncConnection;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{WebhookSettings, client};
use crate::api::changes::{ChangeView, WebhookEvent};
use crate::db::webhooks::{AttemptResult, Claimed, NewDelivery};
use crate::db::{self, DbError, DbPool};
use crate::domain::address::internal_host;
use crate::domain::changes::Shown;
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::webhooks::{Answer, EventType, classify, signature};
use crate::error::with_causes;
use crate::middleware::metrics::METRICS;
use crate::services::changes::{Change, how_shown};

const FAN_OUT_BATCH: i64 = 500;
/// Attempt results written at once: the dispatcher shares the HTTP workers' connection pool,
/// and a burst of deliveries must not take all of it.
const RESULT_WRITERS: usize = 4;
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Starts the dispatcher on the current runtime (unless `concurrency` is 0).
pub fn spawn(pool: DbPool, settings: WebhookSettings, freshness: FreshnessPolicy) {
    if settings.concurrency == 0 {
        return;
    }
    match client::build(&settings) {
        Ok(client) => {
            tokio::spawn(run(pool, settings, freshness, client));
        }
        Err(e) => {
            tracing::error!(error = %e, "webhooks are off: the HTTP client could not be built")
        }
    }
}

/// How many of a process's deliveries in flight one subscriber may have while others wait.
fn share_per_subscription(concurrency: usize) -> usize {
    (concurrency / 4).max(1)
}

/// How many one subscriber may have when nobody else has anything due: all but a quarter.
fn most_per_subscription(concurrency: usize) -> usize {
    concurrency
        .saturating_sub(concurrency / 4)
        .max(share_per_subscription(concurrency))
}

/// Deliveries in flight per subscription, in this process, and a signal when one ends.
#[derive(Default)]
struct InFlight {
    counts: std::sync::Mutex<HashMap<Uuid, usize>>,
    ended: tokio::sync::Notify,
}

impl InFlight {
    fn start(&self, subscription: Uuid) {
        if let Ok(mut map) = self.counts.lock() {
            *map.entry(subscription).or_default() += 1;
        }
    }

    fn finish(&self, subscription: Uuid) {
        if let Ok(mut map) = self.counts.lock()
            && let Some(n) = map.get_mut(&subscription)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&subscription);
            }
        }
        self.ended.notify_one();
    }

    /// Subscriptions with their whole share in flight.
    fn full(&self, share: usize) -> Vec<Uuid> {
        self.counts
            .lock()
            .map(|map| {
                map.iter()
                    .filter(|(_, n)| **n >= share)
                    .map(|(id, _)| *id)
                    .collect()
            })
            .unwrap_or_default()
    }
}

async fn run(
    pool: DbPool,
    settings: WebhookSettings,
    freshness: FreshnessPolicy,
    client: reqwest::Client,
) {
    let settings = Arc::new(settings);
    let permits = Arc::new(Semaphore::new(settings.concurrency));
    let share = share_per_subscription(settings.concurrency);
    let most = most_per_subscription(settings.concurrency);
    let in_flight = Arc::new(InFlight::default());
    let writers = Arc::new(Semaphore::new(RESULT_WRITERS));
    let lease_ms = (settings.timeout + Duration::from_secs(30)).as_millis() as i64;
    let mut last_purge: Option<Instant> = None;
    loop {
        let mut busy = false;
        match fan_out(&pool, &freshness).await {
            Ok(taken) => busy |= taken as i64 == FAN_OUT_BATCH,
            Err(e) => {
                tracing::warn!(error = %e, "webhooks: matching changes to subscriptions failed; will retry")
            }
        }
        // Two passes: first every subscriber up to its fair share, then, with slots still
        // free (nobody else has anything due), a subscriber may go beyond it, but never take
        // the last quarter of the slots, which stay free for others' next changes.
        let mut held_back = false;
        for (cap, extra) in [(share, share), (most, most - share)] {
            let free = permits.available_permits();
            if free == 0 || extra == 0 {
                break;
            }
            let full = in_flight.full(cap);
            held_back |= !full.is_empty();
            match claim(&pool, free as i64, lease_ms, extra as i64, &full).await {
                Ok(claimed) => {
                    // Something was due: more may be.
                    busy |= !claimed.is_empty();
                    for delivery in claimed {
                        let Ok(permit) = permits.clone().acquire_owned().await else {
                            return;
                        };
                        let (pool, client, settings, writers, in_flight) = (
                            pool.clone(),
                            client.clone(),
                            settings.clone(),
                            writers.clone(),
                            in_flight.clone(),
                        );
                        let subscription = delivery.subscription_id;
                        in_flight.start(subscription);
                        tokio::spawn(async move {
                            deliver(&pool, &client, &settings, &writers, delivery).await;
                            in_flight.finish(subscription);
                            drop(permit);
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "webhooks: claiming due deliveries failed; will retry");
                    break;
                }
            }
        }
        if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            last_purge = Some(Instant::now());
            if let Ok(mut conn) = db::connect(&pool).await {
                match db::webhooks::purge_finished(&mut conn, settings.keep_days).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(removed = n, "webhooks: old finished deliveries removed")
                    }
                    Err(e) => tracing::warn!(error = %e, "webhooks: purging old deliveries failed"),
                }
            }
        }
        if busy {
            // Go on at once, as soon as a delivery slot is free.
            if let Ok(permit) = permits.clone().acquire_owned().await {
                drop(permit);
            }
            tokio::task::yield_now().await;
        } else if held_back {
            // Subscribers at their share may have more due: look again as soon as one of
            // their deliveries ends.
            tokio::select! {
                _ = in_flight.ended.notified() => {}
                _ = tokio::time::sleep(settings.poll) => {}
            }
        } else {
            tokio::time::sleep(settings.poll).await;
        }
    }
}

async fn claim(
    pool: &DbPool,
    limit: i64,
    lease_ms: i64,
    per_subscription: i64,
    skip: &[Uuid],
) -> Result<Vec<Claimed>, DbError> {
    let mut conn = db::connect(pool).await?;
    db::webhooks::claim_due(&mut conn, limit, lease_ms, per_subscription, skip).await
}

/// Moves up to a batch of changes from the outbox into deliveries; returns how many changes.
async fn fan_out(pool: &DbPool, freshness: &FreshnessPolicy) -> Result<usize, DbError> {
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        let changes = db::webhooks::take_outbox(conn, FAN_OUT_BATCH).await?;
        if changes.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
        let pairs = db::webhooks::interested(conn, &ids).await?;
        let by_id: HashMap<i64, &db::changes::ChangeRow> =
            changes.iter().map(|c| (c.id, c)).collect();
        // Who may hear of a change is decided as the change feed decides it for their key.
        let mut wanted: Vec<(i64, Uuid, Shown)> = Vec::new();
        for pair in &pairs {
            let Some(change) = by_id.get(&pair.audit_event_id) else {
                continue;
            };
            let insider = pair.sees_everything
                || (pair.organization_id.is_some()
                    && pair.organization_id == change.organization_id);
            let how = how_shown(change, insider);
            if how != Shown::Hidden {
                wanted.push((pair.audit_event_id, pair.subscription_id, how));
            }
        }
        if wanted.is_empty() {
            return Ok(changes.len());
        }
        let mut asset_ids: Vec<Uuid> = wanted
            .iter()
            .filter(|(_, _, how)| *how == Shown::WithState)
            .filter_map(|(id, _, _)| by_id.get(id).map(|c| c.asset_id))
            .collect();
        asset_ids.sort();
        asset_ids.dedup();
        let records: HashMap<Uuid, _> = db::assets::find_many(conn, &asset_ids)
            .await?
            .into_iter()
            .map(|r| (r.asset.id, r))
            .collect();
        // What a change shows does not depend on who hears it (only whether they do), so
        // each body is made once.
        let mut bodies: HashMap<i64, String> = HashMap::new();
        let mut deliveries = Vec::with_capacity(wanted.len());
        for (event_id, subscription_id, how) in wanted {
            let change = by_id[&event_id];
            let event = EventType::from_action(&change.action).unwrap_or(EventType::Updated);
            let kind = event.as_str();
            let body = bodies.entry(event_id).or_insert_with(|| {
                let record = (how == Shown::WithState)
                    .then(|| records.get(&change.asset_id).cloned())
                    .flatten();
                let data = ChangeView::new(Change::new(change.clone(), record), freshness);
                serde_json::to_string(&WebhookEvent {
                    event_type: event,
                    timestamp: change.occurred_at,
                    data,
                })
                .unwrap_or_default()
            });
            deliveries.push(NewDelivery {
                id: Uuid::new_v4(),
                subscription_id,
                audit_event_id: event_id,
                event_type: kind.to_string(),
                payload: body.clone(),
            });
        }
        db::webhooks::insert_deliveries(conn, &deliveries).await?;
        Ok(changes.len())
    })
    .await
}

/// Why an attempt got no answer, in a line for the delivery log.
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let what = if error.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let text = match std::error::Error::source(error) {
        Some(cause) => format!("{what}: {}", with_causes(cause)),
        None => what.to_string(),
    };
    text.chars().take(500).collect()
}

async fn deliver(
    pool: &DbPool,
    client: &reqwest::Client,
    settings: &WebhookSettings,
    writers: &Semaphore,
    delivery: Claimed,
) {
    let started = Instant::now();
    let id = delivery.id.to_string();
    let refused = url::Url::parse(&delivery.url)
        .ok()
        .and_then(|url| internal_host(&url))
        .filter(|_| !settings.allow_private);
    let (status, error) = match refused {
        Some(refused) => (None, Some(refused)),
        None => {
            let timestamp = Utc::now().timestamp();
            let signed = signature(
                &delivery.secret,
                &id,
                timestamp,
                delivery.payload.as_bytes(),
            );
            let sent = client
                .post(&delivery.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("webhook-id", &id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signed)
                .body(delivery.payload.clone())
                .send()
                .await;
            match sent {
                Ok(response) => {
                    let code = response.status().as_u16();
                    let error = (!response.status().is_success())
                        .then(|| format!("the receiver answered {}", response.status()));
                    (Some(code), error)
                }
                Err(e) => (None, Some(describe(&e, settings.timeout))),
            }
        }
    };
    let answer = classify(status);
    METRICS
        .webhook_attempts
        .with_label_values(&[match answer {
            Answer::Accepted => "delivered",
            Answer::Gone => "gone",
            Answer::Failed => "failed",
        }])
        .inc();
    let result = AttemptResult {
        delivery_id: delivery.id,
        subscription_id: delivery.subscription_id,
        attempt: delivery.attempts,
        status_code: status.map(i32::from),
        error: error.as_deref(),
        duration_ms: started.elapsed().as_millis().min(i32::MAX as u128) as i32,
    };
    let _writer = writers.acquire().await;
    if let Err(e) = record(pool, settings, &result, answer).await {
        // The lease runs out and the delivery is tried again: at least once, never lost.
        tracing::warn!(error = %e, delivery = %delivery.id, "webhooks: an attempt's result could not be stored");
    }
}

async fn record(
    pool: &DbPool,
    settings: &WebhookSettings,
    result: &AttemptResult<'_>,
    answer: Answer,
) -> Result<(), DbError> {
    let mut conn = db::connect(pool).await?;
    let jitter = f64::from(getrandom::u32().unwrap_or(0)) / f64::from(u32::MAX);
    conn.transaction(async |conn| {
        let accepted = answer == Answer::Accepted;
        if accepted {
            db::webhooks::end_streak(conn, result.subscription_id).await?;
        }
        if !db::webhooks::lock_subscription(conn, result.subscription_id, !accepted).await? {
            return Ok(()); // deleted meanwhile, with its deliveries
        }
        db::webhooks::log_attempt(conn, result).await?;
        if accepted {
            return db::webhooks::mark_delivered(conn, result.delivery_id).await;
        }
        let wait = settings
            .retry
            .wait_after(result.attempt.max(1) as u32, jitter)
            .map(|w| w.as_millis() as i64);
        let Some(streak) = db::webhooks::mark_failed(
            conn,
            result.delivery_id,
            result.subscription_id,
            result.attempt,
            wait,
        )
        .await?
        else {
            return Ok(());
        };
        let reason = match answer {
            Answer::Gone => Some("the receiver answered 410 Gone".to_string()),
            _ if settings.pause.should_pause(
                    streak.consecutive_failures.max(0) as u32,
                    streak.failing_since,
                    Utc::now(),
                ) =>
            {
                Some(format!(
                    "{} failed attempts in a row since {}",
                    streak.consecutive_failures,
                    streak.failing_since.format("%Y-%m-%d %H:%M UTC")
                ))
            }
            _ => None,
        };
        if let Some(reason) = reason {
            tracing::warn!(subscription = %result.subscription_id, %reason, "webhooks: subscription paused");
            db::webhooks::pause(conn, result.subscription_id, &reason).await?;
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscriber_gets_a_quarter_of_the_slots_or_three_quarters_alone() {
        assert_eq!(
            (share_per_subscription(16), most_per_subscription(16)),
            (4, 12)
        );
        assert_eq!(
            (share_per_subscription(4), most_per_subscription(4)),
            (1, 3)
        );
        assert_eq!(
            (share_per_subscription(1), most_per_subscription(1)),
            (1, 1)
        );
    }

    #[test]
    fn in_flight_counts_rise_and_fall_per_subscription() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let counts = InFlight::default();
        counts.start(a);
        counts.start(a);
        counts.start(b);
        assert_eq!(counts.full(2), [a]);
        counts.finish(a);
        assert!(counts.full(2).is_empty());
        let mut one: Vec<Uuid> = counts.full(1);
        one.sort();
        assert_eq!(one, [a, b]);
    }
}
