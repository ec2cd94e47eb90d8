//! Reading the audit log: who may see an entity's history.

use uuid::Uuid;

use crate::auth::Caller;
use crate::db::{self, DbPool, audit::AuditRow};
use crate::domain::asset::AssetStatus;
use crate::domain::audit::Entity;
use crate::error::ApiError;

/// An asset's audit entries after `after`, oldest first: for admins and the keys of the
/// asset's organisation. Others learn nothing about unpublished assets (404).
pub async fn asset_history(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    after: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, ApiError> {
    let principal = caller.authenticated()?;
    let mut conn = db::connect(pool).await?;
    let not_found = || ApiError::NotFound(format!("no asset has id {id}"));
    let asset = db::assets::find(&mut conn, id)
        .await?
        .ok_or_else(not_found)?
        .asset;
    if !principal.belongs_to(asset.organization_id) {
        return Err(if asset.status == AssetStatus::Published.as_str() {
            ApiError::Forbidden(
                "only the asset's organisation and admins may read its history".into(),
            )
        } else {
            not_found()
        });
    }
    Ok(db::audit::history(
        &mut conn,
        &[Entity::Asset, Entity::AssetChange],
        id,
        after,
        limit,
    )
    .await?)
}
