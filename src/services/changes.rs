//! The change feed: every create, update, publish, archive and confirm of an asset, in the
//! order their transactions were given, each once, with the asset's state now.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::assets::AssetRecord;
use crate::db::changes::ChangeRow;
use crate::db::{self, DbPool};
use crate::domain::audit::changed_asset_fields;
use crate::domain::changes::{Shown, shown};
use crate::error::ApiError;

pub struct Change {
    pub position: (i64, i64),
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub asset_id: Uuid,
    pub changed: Vec<String>,
    /// The asset now; `None` when it is archived or gone.
    pub record: Option<AssetRecord>,
}

impl Change {
    /// The change a row records, with the asset's state when it is shown with it.
    pub fn new(row: ChangeRow, record: Option<AssetRecord>) -> Self {
        Change {
            position: (row.txid, row.id),
            id: row.id,
            occurred_at: row.occurred_at,
            changed: changed_asset_fields(row.before.as_ref(), row.after.as_ref()),
            action: row.action,
            asset_id: row.asset_id,
            record,
        }
    }
}

/// How a change appears to a key that is (`insider`) or is not an admin or a key of the
/// asset's organisation.
pub fn how_shown(row: &ChangeRow, insider: bool) -> Shown {
    let status_before = row
        .before
        .as_ref()
        .and_then(|v| v.get("status"))
        .and_then(|s| s.as_str());
    shown(
        &row.action,
        status_before,
        row.status_now.as_deref(),
        insider,
    )
}

pub struct Feed {
    pub changes: Vec<Change>,
    /// Where to read on from: past every entry looked at, shown or not.
    pub next: (i64, i64),
    /// Nothing more to read for now.
    pub caught_up: bool,
}

pub async fn read(
    pool: &DbPool,
    caller: &Caller,
    after: (i64, i64),
    limit: i64,
) -> Result<Feed, ApiError> {
    let mut conn = db::connect(pool).await?;
    let rows = db::changes::after(&mut conn, after, limit).await?;
    let caught_up = (rows.len() as i64) < limit;
    let next = rows.last().map_or(after, |r| (r.txid, r.id));
    let decided: Vec<(ChangeRow, Shown)> = rows
        .into_iter()
        .map(|row| {
            let insider = match row.organization_id {
                Some(org) => caller.sees_private_of(org),
                None => caller.principal().is_some_and(|p| p.is_admin()),
            };
            let how = how_shown(&row, insider);
            (row, how)
        })
        .filter(|(_, how)| *how != Shown::Hidden)
        .collect();
    let mut ids: Vec<Uuid> = decided
        .iter()
        .filter(|(_, how)| *how == Shown::WithState)
        .map(|(row, _)| row.asset_id)
        .collect();
    ids.sort();
    ids.dedup();
    let records: std::collections::HashMap<Uuid, AssetRecord> =
        db::assets::find_many(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|r| (r.asset.id, r))
            .collect();
    let changes = decided
        .into_iter()
        .map(|(row, how)| {
            let record = (how == Shown::WithState)
                .then(|| records.get(&row.asset_id).cloned())
                .flatten();
            Change::new(row, record)
        })
        .collect();
    Ok(Feed {
        changes,
        next,
        caught_up,
    })
}
