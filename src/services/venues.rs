use uuid::Uuid;

use crate::auth::Caller;
use crate::db::{self, DbPool, venues::VenueRow};
use crate::domain::validation::Errors;
use crate::domain::venue::{self, VenueInput};
use crate::error::ApiError;

pub async fn create(
    pool: &DbPool,
    caller: &Caller,
    input: &VenueInput,
) -> Result<VenueRow, ApiError> {
    let principal = caller.authenticated()?;
    let owner = match (principal.is_admin(), principal.organization_id) {
        (true, _) => None,
        (false, Some(org)) => {
            caller.writer_for(org)?;
            Some(org)
        }
        (false, None) => {
            return Err(ApiError::Forbidden(
                "a reader key cannot change anything".into(),
            ));
        }
    };
    let mut errors = Errors::default();
    let venue = venue::validate(input, "", &mut errors);
    errors.finish(())?;
    let mut conn = db::connect(pool).await?;
    Ok(db::venues::insert(&mut conn, Uuid::new_v4(), &venue, owner, None).await?)
}

pub async fn get(pool: &DbPool, id: Uuid) -> Result<VenueRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    db::venues::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no venue has id {id}")))
}
