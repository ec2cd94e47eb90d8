//! Changes to published assets waiting for an admin's review (an untrusted organisation's
//! `PUT`), one per asset.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Integer, Jsonb, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::DbResult;

#[derive(QueryableByName, Debug, Clone)]
pub struct PendingChangeRow {
    #[diesel(sql_type = SqlUuid)]
    pub asset_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub organization_id: Uuid,
    /// The body as submitted (an `AssetInput`).
    #[diesel(sql_type = Jsonb)]
    pub submission: Value,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub submitted_by_key: Option<Uuid>,
    #[diesel(sql_type = Timestamptz)]
    pub submitted_at: DateTime<Utc>,
    /// The asset's version the change was made against.
    #[diesel(sql_type = Integer)]
    pub base_version: i32,
}

const COLUMNS: &str =
    "asset_id, organization_id, submission, submitted_by_key, submitted_at, base_version";

pub async fn find(
    conn: &mut AsyncPgConnection,
    asset_id: Uuid,
) -> DbResult<Option<PendingChangeRow>> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM asset_pending_changes WHERE asset_id = $1"
    ))
    .bind::<SqlUuid, _>(asset_id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Stores the change, replacing one already waiting.
pub async fn put(
    conn: &mut AsyncPgConnection,
    asset_id: Uuid,
    organization_id: Uuid,
    submission: &Value,
    key: Uuid,
    base_version: i32,
) -> DbResult<()> {
    diesel::sql_query(
        "INSERT INTO asset_pending_changes \
            (asset_id, organization_id, submission, submitted_by_key, base_version) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (asset_id) DO UPDATE SET submission = EXCLUDED.submission, \
            submitted_by_key = EXCLUDED.submitted_by_key, submitted_at = now(), \
            base_version = EXCLUDED.base_version",
    )
    .bind::<SqlUuid, _>(asset_id)
    .bind::<SqlUuid, _>(organization_id)
    .bind::<Jsonb, _>(submission)
    .bind::<SqlUuid, _>(key)
    .bind::<Integer, _>(base_version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the waiting change; whether there was one.
pub async fn delete(conn: &mut AsyncPgConnection, asset_id: Uuid) -> DbResult<bool> {
    Ok(
        diesel::sql_query("DELETE FROM asset_pending_changes WHERE asset_id = $1")
            .bind::<SqlUuid, _>(asset_id)
            .execute(conn)
            .await?
            > 0,
    )
}
