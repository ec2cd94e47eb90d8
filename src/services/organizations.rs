use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::organization_or_404;
use crate::auth::Caller;
use crate::db::{self, DbPool, organizations::OrganizationRow};
use crate::domain::audit::{Actor, Entity};
use crate::domain::organization::{self, OrganizationInput, OrganizationPatch};
use crate::error::ApiError;

pub async fn create(
    pool: &DbPool,
    caller: &Caller,
    input: &OrganizationInput,
) -> Result<OrganizationRow, ApiError> {
    let actor = Actor::key(caller.admin()?);
    let org = organization::validate(input)?;
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        let row = db::organizations::insert(conn, Uuid::new_v4(), &org, None).await?;
        db::audit::record(conn, &actor, "create", Entity::Organization, row.id, None).await?;
        Ok(row)
    })
    .await
}

pub async fn get(pool: &DbPool, id: Uuid) -> Result<OrganizationRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    organization_or_404(&mut conn, id).await
}

pub async fn patch(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    patch: &OrganizationPatch,
) -> Result<OrganizationRow, ApiError> {
    let principal = caller.writer_for(id)?;
    if patch.trusted.is_some() && !principal.is_admin() {
        return Err(ApiError::Forbidden(
            "only an admin key may change trusted".into(),
        ));
    }
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        let current = organization_or_404(conn, id).await?;
        let merged = organization::apply_patch(&current.to_domain(), patch)?;
        let before = db::audit::snapshot(conn, Entity::Organization, id).await?;
        let row = db::organizations::update(conn, id, &merged).await?;
        let actor = Actor::key(principal);
        db::audit::record(conn, &actor, "update", Entity::Organization, id, before).await?;
        Ok(row)
    })
    .await
}
