//! Referrals and each asset's sum of them (`assets.outcomes`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;

#[derive(QueryableByName, Debug, Clone)]
pub struct ReferralRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub asset_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub recorded_by_organization: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub recorded_by_key: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub outcome: String,
    #[diesel(sql_type = Date)]
    pub suggested_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    pub tried_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub kept_going_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub stopped_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub barrier: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, asset_id, recorded_by_organization, recorded_by_key, outcome, suggested_on, tried_on, \
    kept_going_on, stopped_on, barrier, created_at, updated_at";

/// The stored steps of a referral.
pub struct Steps<'a> {
    pub outcome: &'a str,
    pub suggested_on: NaiveDate,
    pub tried_on: Option<NaiveDate>,
    pub kept_going_on: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    pub barrier: Option<&'a str>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    asset_id: Uuid,
    organization: Option<Uuid>,
    key: Uuid,
    steps: &Steps<'_>,
) -> DbResult<()> {
    diesel::sql_query(
        "INSERT INTO referrals (id, asset_id, recorded_by_organization, recorded_by_key, outcome, \
            suggested_on, tried_on, kept_going_on, stopped_on, barrier) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(asset_id)
    .bind::<Nullable<SqlUuid>, _>(organization)
    .bind::<SqlUuid, _>(key)
    .bind::<Text, _>(steps.outcome)
    .bind::<Date, _>(steps.suggested_on)
    .bind::<Nullable<Date>, _>(steps.tried_on)
    .bind::<Nullable<Date>, _>(steps.kept_going_on)
    .bind::<Nullable<Date>, _>(steps.stopped_on)
    .bind::<Nullable<Text>, _>(steps.barrier)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, steps: &Steps<'_>) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE referrals SET outcome = $2, suggested_on = $3, tried_on = $4, kept_going_on = $5, \
            stopped_on = $6, barrier = $7, updated_at = now() WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(steps.outcome)
    .bind::<Date, _>(steps.suggested_on)
    .bind::<Nullable<Date>, _>(steps.tried_on)
    .bind::<Nullable<Date>, _>(steps.kept_going_on)
    .bind::<Nullable<Date>, _>(steps.stopped_on)
    .bind::<Nullable<Text>, _>(steps.barrier)
    .execute(conn)
    .await?;
    Ok(())
}

/// The referral, locked for an update when `for_update`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    for_update: bool,
) -> DbResult<Option<ReferralRow>> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM referrals WHERE id = $1{lock}"
    ))
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Locks the asset's row against other referral writes (not against readers).
pub async fn lock_asset(conn: &mut AsyncPgConnection, asset_id: Uuid) -> DbResult<()> {
    // NO KEY UPDATE: the referral's own foreign key holds a KEY SHARE lock on the asset, which
    // a plain FOR UPDATE would wait on (two referrals at once would deadlock).
    diesel::sql_query("SELECT 1 FROM assets WHERE id = $1 FOR NO KEY UPDATE")
        .bind::<SqlUuid, _>(asset_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Rewrites the asset's sum of its referrals. The asset's row is locked first, so that the
/// sum, read by a later statement, sees every referral committed by a writer that held it
/// before: two referrals recorded at once both count.
pub async fn refresh_sum(conn: &mut AsyncPgConnection, asset_id: Uuid) -> DbResult<()> {
    lock_asset(conn, asset_id).await?;
    diesel::sql_query("UPDATE assets SET outcomes = referral_outcomes($1) WHERE id = $1")
        .bind::<SqlUuid, _>(asset_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many referrals a team (its organisation, or the key when it has none) has recorded since
/// `since`: to this asset, and in all.
pub async fn recorded_since(
    conn: &mut AsyncPgConnection,
    organization: Option<Uuid>,
    key: Uuid,
    asset_id: Uuid,
    since: DateTime<Utc>,
) -> DbResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        to_asset: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        in_all: i64,
    }
    let counts: Counts = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE asset_id = $3) AS to_asset, count(*) AS in_all \
         FROM referrals \
         WHERE coalesce(recorded_by_organization, recorded_by_key) = coalesce($1, $2) \
           AND created_at >= $4",
    )
    .bind::<Nullable<SqlUuid>, _>(organization)
    .bind::<SqlUuid, _>(key)
    .bind::<SqlUuid, _>(asset_id)
    .bind::<Timestamptz, _>(since)
    .get_result(conn)
    .await?;
    Ok((counts.to_asset, counts.in_all))
}
