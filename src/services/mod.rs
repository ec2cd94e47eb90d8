//! Use cases: each function checks who may act, validates, and runs its reads and writes in
//! one transaction through the data layer. Handlers call these and only shape HTTP.

pub mod api_keys;
pub mod assets;
pub mod audit;
pub mod cache;
pub mod changes;
pub mod coverage;
pub mod harvest;
pub mod imports;
pub mod interests;
pub mod map;
pub mod matching;
pub mod organization_assets;
pub mod organizations;
pub mod oruk_feed;
pub mod referrals;
pub mod search;
pub mod sources;
pub mod venues;
pub mod webhooks;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::{self, DbError};
use crate::error::ApiError;

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        ApiError::from(DbError::from(error))
    }
}

/// The field error for an interest name the vocabulary does not know, with the closest terms.
pub(crate) async fn unknown_interest(
    conn: &mut AsyncPgConnection,
    field: String,
    name: &str,
) -> Result<crate::domain::validation::FieldError, ApiError> {
    Ok(crate::domain::validation::FieldError {
        field,
        reason: format!(
            "\"{}\" is not a known interest term (see GET /v1/interests)",
            name.trim()
        ),
        suggestions: db::interests::suggest(conn, name, 5).await?,
    })
}

/// The organisation, or a 404 naming it.
pub(crate) async fn organization_or_404(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> Result<db::organizations::OrganizationRow, ApiError> {
    db::organizations::find(conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no organisation has id {id}")))
}
