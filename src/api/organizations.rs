use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, web};
use uuid::Uuid;

use super::json::JsonBody;
use super::problems::{AdminOnly, Body, Common};
use super::views::OrganizationView;
use crate::auth::Authenticated;
use crate::db::DbPool;
use crate::domain::organization::{OrganizationInput, OrganizationPatch};
use crate::error::{ApiError, Problem};
use crate::services::organizations;

/// Register an organisation
///
/// Needs an admin key. Give it agency keys with `POST /v1/organizations/{id}/api-keys`.
#[utoipa::path(
    operation_id = "createOrganization",
    tag = "organizations",
    request_body(content = OrganizationInput, example = json!({
        "name": "Age UK Trafford",
        "description": "Charity for older people hosting the Urmston community hub at The Sharples Building.",
        "website": "https://www.ageuk.org.uk/trafford/",
        "email": "admin@ageuktrafford.org.uk",
        "phone": "0161 746 9754",
        "trusted": true
    })),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Created.", body = OrganizationView, headers(("Location" = String, description = "URL of the new organisation")), links(
            ("ReadIt" = (operation_id = "getOrganization", parameters(("id" = "$response.body#/id")))),
            ("ChangeIt" = (operation_id = "patchOrganization", parameters(("id" = "$response.body#/id")))),
            ("KeyForIt" = (operation_id = "createApiKey", parameters(("id" = "$response.body#/id"))))
        )),
        AdminOnly,
        (status = 422, description = "Invalid fields.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/organizations")]
pub async fn create(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    body: JsonBody<OrganizationInput>,
) -> Result<HttpResponse, ApiError> {
    let row = organizations::create(&pool, &caller, &body.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/organizations/{}", row.id)))
        .json(OrganizationView::from(row)))
}

/// Read an organisation
///
/// Public: no key is needed.
#[utoipa::path(
    operation_id = "getOrganization",
    tag = "organizations",
    params(("id" = Uuid, Path, description = "The organisation's id (uuid).", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")),
    responses(
        (status = 200, description = "The organisation.", body = OrganizationView),
        (status = 404, description = "No such organisation.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/organizations/{id}")]
pub async fn get(pool: web::Data<DbPool>, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(OrganizationView::from(
        organizations::get(&pool, *id).await?,
    )))
}

/// Change an organisation
///
/// Needs an admin key or the organisation's own agency key. The body is a JSON Merge Patch:
/// absent fields stay, `null` clears. Only admins may change `trusted`.
#[utoipa::path(
    operation_id = "patchOrganization",
    tag = "organizations",
    params(("id" = Uuid, Path, description = "The organisation's id (uuid).", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")),
    request_body(content = OrganizationPatch, content_type = "application/merge-patch+json", example = json!({
        "phone": "0161 746 9754",
        "company_number": null
    })),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The organisation as stored.", body = OrganizationView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not change this organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[patch("/organizations/{id}")]
pub async fn patch(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<OrganizationPatch>,
) -> Result<HttpResponse, ApiError> {
    let row = organizations::patch(&pool, &caller, *id, &body.0).await?;
    Ok(HttpResponse::Ok().json(OrganizationView::from(row)))
}
