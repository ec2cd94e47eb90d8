use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::organization_or_404;
use crate::auth::{self, Caller, Role};
use crate::db::{self, DbPool, api_keys::ApiKeyRow, api_keys::NewApiKey};
use crate::domain::audit::{Actor, Entity};
use crate::domain::validation::Errors;
use crate::error::ApiError;
use diesel_async::AsyncConnection;

/// A new API key for an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyInput {
    /// What the key is for, so it can be recognised later; 1 to 200 characters after trimming,
    /// no control characters.
    #[schema(
        example = "Link worker team app",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// `agency` (default) writes the organisation's assets; `reader` only reads, including the
    /// organisation's unpublished assets.
    #[serde(default)]
    pub role: Option<OrganizationRole>,
}

/// The roles a key of an organisation may have. Admin keys belong to no organisation and are
/// made only with the CLI (`community-assets keys create --role admin`), so that no API call
/// can mint one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationRole {
    /// Writes the organisation's assets.
    Agency,
    /// Reads, including the organisation's unpublished assets.
    Reader,
}

impl From<OrganizationRole> for Role {
    fn from(role: OrganizationRole) -> Self {
        match role {
            OrganizationRole::Agency => Role::Agency,
            OrganizationRole::Reader => Role::Reader,
        }
    }
}

/// Creates a key; returns the stored row and the secret, which is never shown again.
pub async fn create_for_organization(
    pool: &DbPool,
    caller: &Caller,
    organization_id: Uuid,
    input: &ApiKeyInput,
) -> Result<(ApiKeyRow, String), ApiError> {
    let actor = Actor::key(caller.admin()?);
    let mut errors = Errors::default();
    let name = errors.required_text("name", &input.name, 200);
    let role = Role::from(input.role.unwrap_or(OrganizationRole::Agency));
    errors.finish(())?;
    let mut conn = db::connect(pool).await?;
    organization_or_404(&mut conn, organization_id).await?;
    insert(&mut conn, &actor, &name, role, Some(organization_id)).await
}

pub async fn insert(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: &Actor,
    name: &str,
    role: Role,
    organization_id: Option<Uuid>,
) -> Result<(ApiKeyRow, String), ApiError> {
    let key = auth::generate_key().map_err(ApiError::Internal)?;
    let new = NewApiKey {
        id: Uuid::new_v4(),
        name,
        role: role.as_str(),
        organization_id,
        secret_hash: &key.hash,
        prefix: &key.prefix,
    };
    let row = conn
        .transaction(async |conn| {
            let row = db::api_keys::insert(conn, &new).await?;
            db::audit::record(conn, actor, "create", Entity::ApiKey, row.id, None).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    Ok((row, key.secret))
}

/// An organisation's keys (metadata only), for its agency keys and admins: what exists, when
/// each was last used, and which to revoke.
/// A page of an organisation's keys, oldest first, and whether there are more.
pub async fn list_for_organization(
    pool: &DbPool,
    caller: &Caller,
    organization_id: Uuid,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    limit: i64,
) -> Result<(Vec<ApiKeyRow>, bool), ApiError> {
    let principal = caller.authenticated()?;
    let mut conn = db::connect(pool).await?;
    organization_or_404(&mut conn, organization_id).await?;
    if !principal.can_write_for(organization_id) {
        return Err(ApiError::Forbidden(
            if principal.belongs_to(organization_id) {
                "a reader key cannot list the organisation's keys"
            } else {
                "a key may list only its own organisation's keys"
            }
            .into(),
        ));
    }
    let mut rows =
        db::api_keys::list_for_organization(&mut conn, organization_id, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// The key making the request, as stored (a key revoked since it was checked is not found).
pub async fn current(pool: &DbPool, caller: &Caller) -> Result<ApiKeyRow, ApiError> {
    let principal = caller.authenticated()?;
    let mut conn = db::connect(pool).await?;
    db::api_keys::find(&mut conn, principal.key_id)
        .await?
        .filter(|k| k.revoked_at.is_none())
        .ok_or_else(|| ApiError::Unauthorized("the API key is not valid".into()))
}

pub async fn revoke(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<ApiKeyRow, ApiError> {
    let principal = caller.authenticated()?;
    let mut conn = db::connect(pool).await?;
    let not_found = || ApiError::NotFound(format!("no API key has id {id}"));
    let key = db::api_keys::find(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let allowed = principal.is_admin()
        || key
            .organization_id
            .is_some_and(|org| principal.can_write_for(org))
        || principal.key_id == id;
    if !allowed {
        return Err(
            if key
                .organization_id
                .is_some_and(|org| principal.belongs_to(org))
            {
                ApiError::Forbidden("a reader key cannot revoke other keys".into())
            } else {
                not_found()
            },
        );
    }
    let actor = Actor::key(principal);
    conn.transaction(async |conn| {
        let before = db::audit::snapshot(conn, Entity::ApiKey, id).await?;
        let row = db::api_keys::revoke(conn, id).await?;
        db::audit::record(conn, &actor, "revoke", Entity::ApiKey, id, before).await?;
        // A leaked key's webhooks must not go on hearing of every change: they wait until
        // someone with a live key resumes them.
        db::webhooks::pause_made_by(conn, id).await?;
        Ok(row)
    })
    .await
}
