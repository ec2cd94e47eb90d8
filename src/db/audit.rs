//! The append-only audit log. Entries are written inside the transaction of the write they
//! record, so a rolled-back write leaves no entry and a committed one always has one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::DbResult;
use super::schema::audit_events;
use crate::domain::audit::{Actor, Entity};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_key_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub import_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = Nullable<Jsonb>)]
    snapshot: Option<Value>,
}

/// The entity as the log records it, or `None` when it does not exist.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    id: Uuid,
) -> DbResult<Option<Value>> {
    Ok(
        diesel::sql_query("SELECT audit_snapshot($1, $2) AS snapshot")
            .bind::<Text, _>(entity.as_str())
            .bind::<SqlUuid, _>(id)
            .get_result::<Snapshot>(conn)
            .await?
            .snapshot,
    )
}

/// Writes a `create` entry for every asset the audit log has no entry for (loaded in bulk: the
/// demo directory, a restore), so the change feed serves it. Returns how many.
pub async fn record_unrecorded_assets(conn: &mut AsyncPgConnection) -> DbResult<i64> {
    #[derive(QueryableByName)]
    struct Written {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    Ok(diesel::sql_query("SELECT audit_unrecorded_assets() AS n")
        .get_result::<Written>(conn)
        .await?
        .n)
}

/// Appends an entry: `before` as the caller captured it (`None` for a creation), `after` as the
/// entity stands now in this transaction.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    action: &str,
    entity: Entity,
    id: Uuid,
    before: Option<Value>,
) -> DbResult<()> {
    let owner_of_itself = if entity == Entity::Organization {
        "$8"
    } else {
        "NULL::uuid"
    };
    let sql = format!(
        "INSERT INTO audit_events (actor_kind, actor_key_id, actor_organization_id, actor_role, \
         import_id, action, entity_type, entity_id, organization_id, before, after) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, \
                coalesce((s.after ->> 'organization_id')::uuid, {owner_of_itself}, \
                         ($9::jsonb ->> 'organization_id')::uuid), $9, s.after \
         FROM (SELECT audit_snapshot($7, $8) AS after) s"
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(actor.kind)
        .bind::<Nullable<SqlUuid>, _>(actor.key_id)
        .bind::<Nullable<SqlUuid>, _>(actor.organization_id)
        .bind::<Nullable<Text>, _>(actor.role.as_deref())
        .bind::<Nullable<SqlUuid>, _>(actor.import_id)
        .bind::<Text, _>(action)
        .bind::<Text, _>(entity.as_str())
        .bind::<SqlUuid, _>(id)
        .bind::<Nullable<Jsonb>, _>(before)
        .execute(conn)
        .await?;
    Ok(())
}

/// The entries about `id` as any of `entities`, after `after_id`, oldest first.
pub async fn history(
    conn: &mut AsyncPgConnection,
    entities: &[Entity],
    id: Uuid,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<AuditRow>> {
    let types: Vec<&str> = entities.iter().map(|e| e.as_str()).collect();
    Ok(audit_events::table
        .filter(audit_events::entity_type.eq_any(types))
        .filter(audit_events::entity_id.eq(id))
        .filter(audit_events::id.gt(after_id))
        .order(audit_events::id.asc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
        .await?)
}
