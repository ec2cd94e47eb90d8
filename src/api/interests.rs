use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::problems::Common;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::services::interests::{self, InterestNode};

#[derive(Serialize, ToSchema)]
pub struct InterestTree {
    /// The domains (arts, music, learning, being active, …) with their narrower terms nested.
    pub terms: Vec<InterestNode>,
    /// Where the terms come from, with the attribution their licences ask for.
    pub attribution: Vec<&'static str>,
}

/// The interest vocabulary as a tree, with synonyms. Assets are tagged with these terms, and
/// any slug, label or synonym may be used where an interest is asked for.
#[utoipa::path(
    tag = "interests",
    operation_id = "listInterests",
    responses((status = 200, description = "The vocabulary.", body = InterestTree), Common)
)]
#[get("/interests")]
pub async fn list(pool: web::Data<DbPool>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(InterestTree {
        terms: interests::tree(&pool).await?,
        attribution: vec![
            "Physical activities: OpenActive Activity List, openactive.io, CC BY 4.0",
            "Other terms: community-assets contributors",
        ],
    }))
}
