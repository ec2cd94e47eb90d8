//! Recording what became of a referral, and keeping each asset's sum of them current.

use chrono::{NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::auth::{Caller, Principal};
use crate::db::referrals::{ReferralRow, Steps};
use crate::db::{self, DbPool};
use crate::domain::asset::AssetStatus;
use crate::domain::audit::{Actor, Entity};
use crate::domain::matching::request::Barrier;
use crate::domain::referrals::{self, Outcome, OutcomeInput, Progress, ReferralInput};
use crate::domain::schedule::uk_local;
use crate::error::ApiError;

/// Today in the UK, the calendar link workers record in.
fn today() -> NaiveDate {
    uk_local(Utc::now()).date()
}

/// When today began in the UK.
fn start_of_uk_day() -> chrono::DateTime<Utc> {
    let now = Utc::now();
    let local = uk_local(now);
    now - (local - local.date().and_hms_opt(0, 0, 0).unwrap_or(local))
}

/// Seconds until the UK's next midnight: when a team's daily limits start again.
fn seconds_to_uk_midnight() -> u64 {
    let local = uk_local(Utc::now());
    let elapsed = (local - local.date().and_hms_opt(0, 0, 0).unwrap_or(local)).num_seconds();
    (86_400 - elapsed).clamp(1, 86_400) as u64
}

fn steps(p: &Progress) -> Steps<'_> {
    Steps {
        outcome: p.outcome.as_str(),
        suggested_on: p.suggested_on,
        tried_on: p.tried_on,
        kept_going_on: p.kept_going_on,
        stopped_on: p.stopped_on,
        barrier: p.barrier.map(Barrier::as_str),
    }
}

fn progress(row: &ReferralRow) -> Progress {
    Progress {
        outcome: Outcome::parse(&row.outcome).unwrap_or(Outcome::Suggested),
        suggested_on: row.suggested_on,
        tried_on: row.tried_on,
        kept_going_on: row.kept_going_on,
        stopped_on: row.stopped_on,
        barrier: row.barrier.as_deref().and_then(Barrier::parse),
    }
}

/// Admins see every referral; an organisation's keys those its keys recorded; a key of no
/// organisation those it recorded itself.
fn may_see(principal: &Principal, row: &ReferralRow) -> bool {
    principal.is_admin()
        || match row.recorded_by_organization {
            Some(org) => principal.organization_id == Some(org),
            None => row.recorded_by_key == Some(principal.key_id),
        }
}

async fn record_audit(
    conn: &mut AsyncPgConnection,
    principal: &Principal,
    action: &str,
    id: Uuid,
    before: Option<serde_json::Value>,
) -> Result<(), ApiError> {
    db::audit::record(
        conn,
        &Actor::key(principal),
        action,
        Entity::Referral,
        id,
        before,
    )
    .await?;
    Ok(())
}

pub async fn create(
    pool: &DbPool,
    caller: &Caller,
    input: &ReferralInput,
) -> Result<ReferralRow, ApiError> {
    let principal = caller.authenticated()?.clone();
    let start = referrals::start(input, today()).map_err(ApiError::Validation)?;
    let mut conn = db::connect(pool).await?;
    let id = Uuid::new_v4();
    conn.transaction(async |conn| {
        let asset = db::assets::find(conn, input.asset_id).await?;
        let usable = asset.as_ref().is_some_and(|a| {
            a.asset.status == AssetStatus::Published.as_str()
                || (a.asset.status == AssetStatus::Pending.as_str()
                    && caller.sees_private_of(a.asset.organization_id))
        });
        if !usable {
            return Err(ApiError::validation(
                "asset_id",
                format!(
                    "no published asset has id {}; only a listed asset can be referred to",
                    input.asset_id
                ),
            ));
        }
        // The asset's row is locked (as the sum is rewritten) before counting, so that two
        // referrals recorded at once cannot both slip under the day's limit for one asset.
        db::referrals::lock_asset(conn, input.asset_id).await?;
        let (to_asset, in_all) = db::referrals::recorded_since(
            conn,
            principal.organization_id,
            principal.key_id,
            input.asset_id,
            start_of_uk_day(),
        )
        .await?;
        // Admins (the service's operators) are not a team with a day's quota.
        if !principal.is_admin() {
            referrals::within_daily_limits(to_asset, in_all).map_err(|detail| {
                ApiError::TooManyRequests {
                    detail,
                    retry_after_secs: seconds_to_uk_midnight(),
                }
            })?;
        }
        db::referrals::insert(
            conn,
            id,
            input.asset_id,
            principal.organization_id,
            principal.key_id,
            &steps(&start),
        )
        .await?;
        db::referrals::refresh_sum(conn, input.asset_id).await?;
        record_audit(conn, &principal, "create", id, None).await
    })
    .await?;
    db::referrals::find(&mut conn, id, false)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("referral {id} vanished")))
}

pub async fn get(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<ReferralRow, ApiError> {
    let principal = caller.authenticated()?;
    let mut conn = db::connect(pool).await?;
    match db::referrals::find(&mut conn, id, false).await? {
        Some(row) if may_see(principal, &row) => Ok(row),
        _ => Err(ApiError::NotFound(format!("there is no referral {id}"))),
    }
}

/// Records what happened next: only the organisation that recorded the referral (or an
/// admin) may, and only forward.
pub async fn advance(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    input: &OutcomeInput,
) -> Result<ReferralRow, ApiError> {
    let principal = caller.authenticated()?.clone();
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        let row = match db::referrals::find(conn, id, true).await? {
            Some(row) if may_see(&principal, &row) => row,
            _ => return Err(ApiError::NotFound(format!("there is no referral {id}"))),
        };
        let next =
            referrals::advance(&progress(&row), input, today()).map_err(ApiError::Validation)?;
        let before = db::audit::snapshot(conn, Entity::Referral, id).await?;
        db::referrals::update(conn, id, &steps(&next)).await?;
        db::referrals::refresh_sum(conn, row.asset_id).await?;
        record_audit(conn, &principal, "update", id, before).await
    })
    .await?;
    db::referrals::find(&mut conn, id, false)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("referral {id} vanished")))
}
