//! Webhook subscriptions, the outbox the audit log fills, deliveries and their attempts.

use chrono::{DateTime, Utc};
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use super::changes::ChangeRow;

/// A subscription as stored (its secret only where a delivery needs it).
#[derive(QueryableByName, Debug, Clone)]
pub struct SubscriptionRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub organization_id: Option<Uuid>,
    #[diesel(sql_type = Bool)]
    pub sees_everything: bool,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub description: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub events: Vec<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub filter_organization_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Double>)]
    pub filter_lat: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub filter_lon: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub filter_radius_m: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub filter_place: Option<String>,
    /// Slugs of the interests asked for.
    #[diesel(sql_type = Array<Text>)]
    pub filter_interests: Vec<String>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub paused_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub paused_reason: Option<String>,
    #[diesel(sql_type = Integer)]
    pub consecutive_failures: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub failing_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub delivered: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
}

const SUBSCRIPTION_COLUMNS: &str = "s.id, s.organization_id, s.sees_everything, s.url, \
    s.description, s.events, s.filter_organization_id, \
    ST_Y(s.filter_point::geometry) AS filter_lat, ST_X(s.filter_point::geometry) AS filter_lon, \
    s.filter_radius_m, s.filter_place, \
    coalesce((SELECT array_agg(t.slug ORDER BY t.slug) FROM interest_terms t \
              WHERE t.id = ANY (s.filter_interests)), '{}') AS filter_interests, \
    s.status, s.paused_at, s.paused_reason, s.consecutive_failures, s.failing_since, \
    s.created_at, \
    (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id \
       AND d.status = 'pending') AS pending, \
    (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id \
       AND d.status = 'delivered') AS delivered, \
    (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id \
       AND d.status = 'failed') AS failed";

pub struct NewSubscription<'a> {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub sees_everything: bool,
    pub created_by_key: Uuid,
    pub url: &'a str,
    pub description: Option<&'a str>,
    pub secret: &'a str,
    pub events: &'a [String],
    pub filter_organization_id: Option<Uuid>,
    /// `(lat, lon, radius in metres, the place as given)`.
    pub filter_area: Option<(f64, f64, f64, String)>,
    /// The interests asked for, and with their narrower terms.
    pub filter_interests: Option<(Vec<Uuid>, Vec<Uuid>)>,
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewSubscription<'_>) -> DbResult<()> {
    let area = new.filter_area.as_ref();
    let interests = new.filter_interests.as_ref();
    diesel::sql_query(
        "INSERT INTO webhook_subscriptions (id, organization_id, sees_everything, created_by_key, \
            url, description, secret, events, filter_organization_id, filter_point, \
            filter_radius_m, filter_place, filter_interests, filter_interest_ids) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
            CASE WHEN $10::float8 IS NULL THEN NULL \
                 ELSE ST_SetSRID(ST_MakePoint($11, $10), 4326)::geography END, \
            $12, $13, $14, $15)",
    )
    .bind::<SqlUuid, _>(new.id)
    .bind::<Nullable<SqlUuid>, _>(new.organization_id)
    .bind::<Bool, _>(new.sees_everything)
    .bind::<SqlUuid, _>(new.created_by_key)
    .bind::<Text, _>(new.url)
    .bind::<Nullable<Text>, _>(new.description)
    .bind::<Text, _>(new.secret)
    .bind::<Array<Text>, _>(new.events)
    .bind::<Nullable<SqlUuid>, _>(new.filter_organization_id)
    .bind::<Nullable<Double>, _>(area.map(|a| a.0))
    .bind::<Nullable<Double>, _>(area.map(|a| a.1))
    .bind::<Nullable<Double>, _>(area.map(|a| a.2))
    .bind::<Nullable<Text>, _>(area.map(|a| a.3.as_str()))
    .bind::<Nullable<Array<SqlUuid>>, _>(interests.map(|i| &i.0))
    .bind::<Nullable<Array<SqlUuid>>, _>(interests.map(|i| &i.1))
    .execute(conn)
    .await?;
    Ok(())
}

/// The subscriptions an organisation's keys made (`Some(org)`), or every one (`None`).
/// Subscriptions oldest first, of one organisation or all, after `after` (a creation time
/// and id) when given.
pub async fn list(
    conn: &mut AsyncPgConnection,
    organization: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<SubscriptionRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions s \
         WHERE ($1::uuid IS NULL OR s.organization_id = $1) \
           AND ($2::timestamptz IS NULL OR (s.created_at, s.id) > ($2, $3)) \
         ORDER BY s.created_at, s.id LIMIT $4"
    ))
    .bind::<Nullable<SqlUuid>, _>(organization)
    .bind::<Nullable<Timestamptz>, _>(after.map(|(at, _)| at))
    .bind::<Nullable<SqlUuid>, _>(after.map(|(_, id)| id))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

pub async fn count_for(conn: &mut AsyncPgConnection, organization: Option<Uuid>) -> DbResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    Ok(diesel::sql_query(
        "SELECT count(*) AS n FROM webhook_subscriptions \
         WHERE organization_id IS NOT DISTINCT FROM $1",
    )
    .bind::<Nullable<SqlUuid>, _>(organization)
    .get_result::<Count>(conn)
    .await?
    .n)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<SubscriptionRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions s WHERE s.id = $1"
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<bool> {
    Ok(
        diesel::sql_query("DELETE FROM webhook_subscriptions WHERE id = $1")
            .bind::<SqlUuid, _>(id)
            .execute(conn)
            .await?
            > 0,
    )
}

/// Makes a paused subscription active again and its waiting deliveries due now.
pub async fn resume(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE webhook_subscriptions SET status = 'active', paused_at = NULL, \
            paused_reason = NULL, consecutive_failures = 0, failing_since = NULL \
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "UPDATE webhook_deliveries SET next_attempt_at = now() \
         WHERE subscription_id = $1 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName, Debug, Clone)]
pub struct DeliveryRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = BigInt)]
    pub audit_event_id: i64,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName, Debug, Clone)]
pub struct AttemptRow {
    #[diesel(sql_type = SqlUuid)]
    pub delivery_id: Uuid,
    #[diesel(sql_type = Integer)]
    pub attempt: i32,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub status_code: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub error: Option<String>,
    #[diesel(sql_type = Integer)]
    pub duration_ms: i32,
}

/// A subscription's deliveries, newest first, before the sequence number `before`.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    subscription: Uuid,
    statuses: &[String],
    before: Option<i64>,
    limit: i64,
) -> DbResult<(Vec<DeliveryRow>, Vec<AttemptRow>)> {
    let rows: Vec<DeliveryRow> = diesel::sql_query(
        "SELECT id, seq, audit_event_id, event_type, status, attempts, \
                CASE WHEN status = 'pending' THEN next_attempt_at END AS next_attempt_at, \
                created_at, delivered_at \
         FROM webhook_deliveries \
         WHERE subscription_id = $1 AND (cardinality($2::text[]) = 0 OR status = ANY ($2)) \
           AND ($3::bigint IS NULL OR seq < $3) \
         ORDER BY seq DESC LIMIT $4",
    )
    .bind::<SqlUuid, _>(subscription)
    .bind::<Array<Text>, _>(statuses)
    .bind::<Nullable<BigInt>, _>(before)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let attempts = diesel::sql_query(
        "SELECT delivery_id, attempt, at, status_code, error, duration_ms \
         FROM webhook_attempts WHERE delivery_id = ANY ($1) ORDER BY delivery_id, attempt",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .load(conn)
    .await?;
    Ok((rows, attempts))
}

/// Takes up to `limit` entries off the outbox (skipping those another instance holds),
/// oldest first, with what the change feed shows of them. Call it in the transaction that
/// stores their deliveries, so that a crash puts them back.
pub async fn take_outbox(conn: &mut AsyncPgConnection, limit: i64) -> DbResult<Vec<ChangeRow>> {
    Ok(diesel::sql_query(
        "WITH taken AS ( \
            DELETE FROM webhook_outbox WHERE audit_event_id IN ( \
                SELECT audit_event_id FROM webhook_outbox ORDER BY audit_event_id \
                LIMIT $1 FOR UPDATE SKIP LOCKED) \
            RETURNING audit_event_id) \
         SELECT e.txid::text::bigint AS txid, e.id, e.occurred_at, e.action, \
                e.entity_id AS asset_id, e.organization_id, e.before, e.after, \
                a.status AS status_now \
         FROM taken t JOIN audit_events e ON e.id = t.audit_event_id \
         LEFT JOIN assets a ON a.id = e.entity_id \
         ORDER BY e.txid, e.id",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// An active subscription whose event types and filters an audit entry passes.
#[derive(QueryableByName, Debug)]
pub struct Interested {
    #[diesel(sql_type = BigInt)]
    pub audit_event_id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub subscription_id: Uuid,
    #[diesel(sql_type = Bool)]
    pub sees_everything: bool,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub organization_id: Option<Uuid>,
}

/// Pairs each entry with the active subscriptions it passes: its action among their events,
/// its asset of their organisation, placed within their area (its venue, or any part of the
/// area it serves when it has no venue), and holding one of their interests (or a narrower
/// one).
pub async fn interested(
    conn: &mut AsyncPgConnection,
    audit_event_ids: &[i64],
) -> DbResult<Vec<Interested>> {
    Ok(diesel::sql_query(
        "SELECT e.id AS audit_event_id, s.id AS subscription_id, s.sees_everything, \
                s.organization_id \
         FROM audit_events e LEFT JOIN assets a ON a.id = e.entity_id \
         JOIN webhook_subscriptions s ON s.status = 'active' AND e.action = ANY (s.events) \
         WHERE e.id = ANY ($1) \
           AND (s.filter_organization_id IS NULL OR s.filter_organization_id = e.organization_id) \
           AND (s.filter_point IS NULL \
                OR coalesce(ST_DWithin(a.geom, s.filter_point, s.filter_radius_m), false)) \
           AND (s.filter_interest_ids IS NULL \
                OR coalesce(a.interest_ids && s.filter_interest_ids, false)) \
         ORDER BY e.id, s.id",
    )
    .bind::<Array<BigInt>, _>(audit_event_ids)
    .load(conn)
    .await?)
}

pub struct NewDelivery {
    pub id: Uuid,
    pub subscription_id: Uuid,
    pub audit_event_id: i64,
    pub event_type: String,
    pub payload: String,
}

pub async fn insert_deliveries(
    conn: &mut AsyncPgConnection,
    deliveries: &[NewDelivery],
) -> DbResult<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&NewDelivery) -> String| deliveries.iter().map(f).collect::<Vec<_>>();
    diesel::sql_query(
        "INSERT INTO webhook_deliveries (id, subscription_id, audit_event_id, event_type, payload) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[]) \
         ON CONFLICT (subscription_id, audit_event_id) DO NOTHING",
    )
    .bind::<Array<SqlUuid>, _>(deliveries.iter().map(|d| d.id).collect::<Vec<_>>())
    .bind::<Array<SqlUuid>, _>(
        deliveries
            .iter()
            .map(|d| d.subscription_id)
            .collect::<Vec<_>>(),
    )
    .bind::<Array<BigInt>, _>(
        deliveries
            .iter()
            .map(|d| d.audit_event_id)
            .collect::<Vec<_>>(),
    )
    .bind::<Array<Text>, _>(column(|d| d.event_type.clone()))
    .bind::<Array<Text>, _>(column(|d| d.payload.clone()))
    .execute(conn)
    .await?;
    Ok(())
}

/// A delivery claimed for an attempt.
#[derive(QueryableByName, Debug, Clone)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub subscription_id: Uuid,
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
}

/// Claims up to `limit` due deliveries of active subscriptions, counting the attempt now and
/// pushing their next attempt `lease_ms` away, so that neither this nor another instance
/// takes them again meanwhile (and a process that dies mid-attempt leaves them to be retried).
///
/// Fair between subscribers: at most `per_subscription` of any one subscriber's deliveries,
/// none of those in `skip` (already at their share in flight), taken in turns (every
/// subscriber's oldest due delivery, then every subscriber's second, …), so one subscriber's
/// backlog of retries never holds back another's.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    lease_ms: i64,
    per_subscription: i64,
    skip: &[Uuid],
) -> DbResult<Vec<Claimed>> {
    Ok(diesel::sql_query(
        "WITH picked AS ( \
            SELECT due.id, row_number() OVER (PARTITION BY s.id ORDER BY due.next_attempt_at) AS turn, \
                   due.next_attempt_at \
            FROM webhook_subscriptions s \
            CROSS JOIN LATERAL ( \
                SELECT d2.id, d2.next_attempt_at FROM webhook_deliveries d2 \
                WHERE d2.subscription_id = s.id AND d2.status = 'pending' \
                  AND d2.next_attempt_at <= now() \
                ORDER BY d2.next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due \
            WHERE s.status = 'active' AND NOT (s.id = ANY ($4)) \
            ORDER BY turn, due.next_attempt_at LIMIT $1) \
         UPDATE webhook_deliveries d \
            SET attempts = d.attempts + 1, \
                next_attempt_at = now() + $2 * interval '1 millisecond' \
         FROM picked, webhook_subscriptions s \
         WHERE d.id = picked.id AND s.id = d.subscription_id \
         RETURNING d.id, d.subscription_id, d.payload, d.attempts, s.url, s.secret",
    )
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(lease_ms)
    .bind::<BigInt, _>(per_subscription.max(1))
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(skip)
    .load(conn)
    .await?)
}

/// One attempt's result.
pub struct AttemptResult<'a> {
    pub delivery_id: Uuid,
    pub subscription_id: Uuid,
    pub attempt: i32,
    pub status_code: Option<i32>,
    pub error: Option<&'a str>,
    pub duration_ms: i32,
}

pub async fn log_attempt(conn: &mut AsyncPgConnection, result: &AttemptResult<'_>) -> DbResult<()> {
    diesel::sql_query(
        "INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(result.delivery_id)
    .bind::<Integer, _>(result.attempt)
    .bind::<Nullable<Integer>, _>(result.status_code)
    .bind::<Nullable<Text>, _>(result.error)
    .bind::<Integer, _>(result.duration_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the delivery delivered (whichever attempt got through: the receiver has it).
pub async fn mark_delivered(conn: &mut AsyncPgConnection, delivery: Uuid) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now() \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(delivery)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
pub struct Streak {
    #[diesel(sql_type = Integer)]
    pub consecutive_failures: i32,
    #[diesel(sql_type = Timestamptz)]
    pub failing_since: DateTime<Utc>,
}

/// Records a failed attempt: the delivery waits `retry_in_ms` (or has failed for good with
/// `None`), and the subscription's failing streak grows. Returns the streak; `None` when the
/// delivery has moved on meanwhile (its lease ran out and a later attempt was made, or it was
/// delivered), which this late result must not undo.
pub async fn mark_failed(
    conn: &mut AsyncPgConnection,
    delivery: Uuid,
    subscription: Uuid,
    attempt: i32,
    retry_in_ms: Option<i64>,
) -> DbResult<Option<Streak>> {
    let updated = diesel::sql_query(
        "UPDATE webhook_deliveries SET \
            status = CASE WHEN $2::bigint IS NULL THEN 'failed' ELSE 'pending' END, \
            next_attempt_at = now() + coalesce($2, 0) * interval '1 millisecond' \
         WHERE id = $1 AND attempts = $3 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(delivery)
    .bind::<Nullable<BigInt>, _>(retry_in_ms)
    .bind::<Integer, _>(attempt)
    .execute(conn)
    .await?;
    if updated == 0 {
        return Ok(None);
    }
    let streak: Vec<Streak> = diesel::sql_query(
        "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1, \
            failing_since = coalesce(failing_since, now()) \
         WHERE id = $1 RETURNING consecutive_failures, failing_since",
    )
    .bind::<SqlUuid, _>(subscription)
    .load(conn)
    .await?;
    Ok(streak.into_iter().next())
}

pub async fn pause(conn: &mut AsyncPgConnection, subscription: Uuid, reason: &str) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE webhook_subscriptions SET status = 'paused', paused_at = now(), paused_reason = $2 \
         WHERE id = $1 AND status = 'active'",
    )
    .bind::<SqlUuid, _>(subscription)
    .bind::<Text, _>(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// Pauses the active subscriptions a key made (when it is revoked).
pub async fn pause_made_by(conn: &mut AsyncPgConnection, key: Uuid) -> DbResult<usize> {
    Ok(diesel::sql_query(
        "UPDATE webhook_subscriptions SET status = 'paused', paused_at = now(), \
            paused_reason = 'the API key that created it was revoked' \
         WHERE created_by_key = $1 AND status = 'active'",
    )
    .bind::<SqlUuid, _>(key)
    .execute(conn)
    .await?)
}

/// Locks the subscription before an attempt's result is written: shared for a success, so
/// that results for one subscriber do not queue behind each other, exclusive for a failure,
/// which may change its streak. Taking it first keeps the lock order of `DELETE` and resume
/// (subscription, then deliveries). `false` when it no longer exists.
pub async fn lock_subscription(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    exclusive: bool,
) -> DbResult<bool> {
    let mode = if exclusive {
        "FOR NO KEY UPDATE"
    } else {
        "FOR KEY SHARE"
    };
    Ok(diesel::sql_query(format!(
        "SELECT 1 FROM webhook_subscriptions WHERE id = $1 {mode}"
    ))
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?
        > 0)
}

/// Ends a subscriber's failing streak (written only when there is one).
pub async fn end_streak(conn: &mut AsyncPgConnection, subscription: Uuid) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE webhook_subscriptions SET consecutive_failures = 0, failing_since = NULL \
         WHERE id = $1 AND consecutive_failures > 0",
    )
    .bind::<SqlUuid, _>(subscription)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes finished deliveries (and their attempts) older than `days`.
pub async fn purge_finished(conn: &mut AsyncPgConnection, days: i32) -> DbResult<usize> {
    Ok(diesel::sql_query(
        "DELETE FROM webhook_deliveries \
         WHERE status <> 'pending' AND created_at < now() - $1 * interval '1 day'",
    )
    .bind::<Integer, _>(days)
    .execute(conn)
    .await?)
}
