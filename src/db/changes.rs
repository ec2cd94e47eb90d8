//! The change feed's reads: asset entries of the audit log in transaction order, only as far
//! as no running transaction can still add one behind them (see migration 000008).

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::DbResult;

#[derive(QueryableByName, Debug, Clone)]
pub struct ChangeRow {
    #[diesel(sql_type = BigInt)]
    pub txid: i64,
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Timestamptz)]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub asset_id: Uuid,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub organization_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub before: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub after: Option<Value>,
    /// The asset's status now (`None` if it no longer exists).
    #[diesel(sql_type = Nullable<Text>)]
    pub status_now: Option<String>,
}

/// Up to `limit` changes after the position `(txid, id)`, oldest first.
pub async fn after(
    conn: &mut AsyncPgConnection,
    position: (i64, i64),
    limit: i64,
) -> DbResult<Vec<ChangeRow>> {
    Ok(diesel::sql_query(
        "SELECT e.txid::text::bigint AS txid, e.id, e.occurred_at, e.action, \
                e.entity_id AS asset_id, e.organization_id, e.before, e.after, a.status AS status_now \
         FROM audit_events e LEFT JOIN assets a ON a.id = e.entity_id \
         WHERE e.entity_type = 'asset' \
           AND e.txid < pg_snapshot_xmin(pg_current_snapshot()) \
           AND (e.txid, e.id) > ($1::text::xid8, $2) \
         ORDER BY e.txid, e.id \
         LIMIT $3",
    )
    .bind::<Text, _>(position.0.to_string())
    .bind::<BigInt, _>(position.1)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}
