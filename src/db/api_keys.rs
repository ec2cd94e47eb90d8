//! Queries on API keys. Only hashes of secrets are stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use super::schema::api_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub organization_id: Option<Uuid>,
    pub secret_hash: Vec<u8>,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub role: &'a str,
    pub organization_id: Option<Uuid>,
    pub secret_hash: &'a [u8],
    pub prefix: &'a str,
}

pub async fn insert(conn: &mut AsyncPgConnection, key: &NewApiKey<'_>) -> DbResult<ApiKeyRow> {
    Ok(diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(key.id),
            api_keys::name.eq(key.name),
            api_keys::role.eq(key.role),
            api_keys::organization_id.eq(key.organization_id),
            api_keys::secret_hash.eq(key.secret_hash),
            api_keys::prefix.eq(key.prefix),
        ))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find_by_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> DbResult<Option<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::secret_hash.eq(hash))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<ApiKeyRow>> {
    Ok(api_keys::table
        .find(id)
        .select(ApiKeyRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Every key of an organisation, revoked ones too, oldest first.
/// An organisation's keys oldest first, after `after` (a creation time and id) when given.
pub async fn list_for_organization(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<ApiKeyRow>> {
    let mut query = api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .order((api_keys::created_at.asc(), api_keys::id.asc()))
        .select(ApiKeyRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            api_keys::created_at
                .gt(at)
                .or(api_keys::created_at.eq(at).and(api_keys::id.gt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

/// Records use at most once a minute per key, so reads do not turn into a write each.
pub async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
    diesel::sql_query(
        "UPDATE api_keys SET last_used_at = now() \
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<ApiKeyRow> {
    Ok(diesel::update(api_keys::table.find(id))
        .set(api_keys::revoked_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
        >("coalesce(revoked_at, now())")))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await?)
}
