//! An organisation's own listings, the longest unconfirmed first, so an agency can see what it
//! must confirm.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::organization_or_404;
use crate::auth::Caller;
use crate::db::assets::AssetRecord;
use crate::db::freshness::{self as queries, Counts, Listing};
use crate::db::{self, DbPool};
use crate::domain::asset::AssetStatus;
use crate::domain::freshness::{Freshness, FreshnessPolicy};
use crate::error::ApiError;

pub struct Request {
    pub freshness: Vec<Freshness>,
    /// `None`: published, and pending too for the organisation's own keys and admins.
    pub statuses: Option<Vec<AssetStatus>>,
    pub limit: i64,
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

pub struct Page {
    pub records: Vec<AssetRecord>,
    pub next: Option<(DateTime<Utc>, Uuid)>,
    pub counts: Counts,
}

pub async fn list(
    pool: &DbPool,
    caller: &Caller,
    organization_id: Uuid,
    request: &Request,
    policy: &FreshnessPolicy,
) -> Result<Page, ApiError> {
    let member = caller.sees_private_of(organization_id);
    let statuses = match &request.statuses {
        None if member => vec![AssetStatus::Published, AssetStatus::Pending],
        None => vec![AssetStatus::Published],
        Some(asked) => {
            if !member && asked.iter().any(|s| *s != AssetStatus::Published) {
                return Err(ApiError::Forbidden(
                    "only the organisation's own keys and admins see its pending or archived assets"
                        .into(),
                ));
            }
            asked.clone()
        }
    };
    let statuses: Vec<String> = statuses.iter().map(|s| s.as_str().to_string()).collect();
    let now = Utc::now();
    let mut conn = db::connect(pool).await?;
    organization_or_404(&mut conn, organization_id).await?;
    let mut rows = queries::list(
        &mut conn,
        &Listing {
            organization_id,
            statuses: statuses.clone(),
            windows: request
                .freshness
                .iter()
                .map(|state| policy.window(*state, now))
                .collect(),
            after: request.after,
            fetch: request.limit + 1,
        },
    )
    .await?;
    let next = if rows.len() as i64 > request.limit {
        rows.truncate(request.limit as usize);
        rows.last().map(|r| (r.last_confirmed, r.id))
    } else {
        None
    };
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let records = db::assets::find_many(&mut conn, &ids).await?;
    let counts = queries::counts(
        &mut conn,
        organization_id,
        &statuses,
        policy.due_before(now),
        policy.stale_before(now),
    )
    .await?;
    Ok(Page {
        records,
        next,
        counts,
    })
}
