use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::json::JsonBody;
use super::paging::{ListParams, keyed_next, keyed_page, link_next};
use super::problems::{AdminOnly, Body, Common};
use super::query_params::QueryParams;
use crate::auth::{Authenticated, Role};
use crate::db::{DbPool, api_keys::ApiKeyRow};
use crate::error::{ApiError, Problem};
use crate::middleware::idempotency::OneTimeSecret;
use crate::services::api_keys::{self, ApiKeyInput};

/// An API key's metadata (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// The key's id (uuid), for `DELETE /v1/api-keys/{id}`; not a secret.
    #[schema(example = "e44474ff-edb0-4e19-ad3b-cc7abd53e178")]
    pub id: Uuid,
    /// What the key is for, as given when it was made.
    #[schema(example = "Link worker team app")]
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// The organisation the key belongs to (uuid); `null` for admin keys.
    #[schema(example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")]
    pub organization_id: Option<Uuid>,
    /// The first characters of the secret, to tell keys apart.
    #[schema(example = "ca_tvPlDW")]
    pub prefix: String,
    /// When the key was made (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:11:10.149964Z")]
    pub created_at: DateTime<Utc>,
    /// When the key was last used (RFC 3339 date-time, UTC, updated at most once a minute);
    /// `null` if never.
    #[schema(example = "2026-11-23T09:02:41Z")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the key was revoked (RFC 3339 date-time, UTC); `null` while it still works.
    #[schema(example = "2026-12-01T16:45:00Z")]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKeyView {
    fn from(r: ApiKeyRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            role: Role::parse(&r.role).unwrap_or(Role::Reader),
            organization_id: r.organization_id,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A new key with its secret, shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyCreated {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// Send as `Authorization: Bearer <secret>`. Store it now: it cannot be shown again.
    #[schema(example = "ca_tvPlDW7qR2mXc9LbN4sHfK1yT8wEa3ZuJ6oVd0GiP5e")]
    pub secret: String,
}

/// An organisation's API keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    /// The organisation's keys, revoked ones too, oldest first.
    pub items: Vec<ApiKeyView>,
    /// Pass as `cursor` for the next page; absent on the last page. Also sent as a
    /// `Link: <…>; rel="next"` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "YXBpLWtleXM6MjAyNi0xMi0wNlQxMDowMDowMCswMDowMHw3ZjBi")]
    pub next_cursor: Option<String>,
}

/// List an organisation's API keys
///
/// Needs an admin key or an agency key of the organisation. Shows each key's metadata (never
/// a secret), including when it was last used, so that unused or forgotten keys can be found
/// and revoked.
#[utoipa::path(
    operation_id = "listApiKeys",
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The id (uuid) of the organisation.", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f"), ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of the organisation's keys.", body = ApiKeyList,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 422, description = "A parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is neither an admin key nor an agency key of this organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/organizations/{id}/api-keys")]
pub async fn list(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let (after, limit) = keyed_page(&mut params, KEYS_CURSOR);
    params.finish(())?;
    let (rows, more) = api_keys::list_for_organization(&pool, &caller, *id, after, limit).await?;
    let next_cursor = keyed_next(KEYS_CURSOR, more, rows.last().map(|r| (r.created_at, r.id)));
    let mut response = HttpResponse::Ok();
    response.insert_header(("Cache-Control", "no-store"));
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(ApiKeyList {
        items: rows.into_iter().map(ApiKeyView::from).collect(),
        next_cursor,
    }))
}

const KEYS_CURSOR: &str = "api-keys";

/// Describe the API key making the request
///
/// Any valid key. Tells a client what the key it holds may do and for which organisation,
/// e.g. to check a key an agency has typed in before showing its listings. Never shows a
/// secret.
#[utoipa::path(
    operation_id = "getCurrentApiKey",
    tag = "api-keys",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The key's metadata.", body = ApiKeyView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/api-key")]
pub async fn current(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let key = api_keys::current(&pool, &caller).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ApiKeyView::from(key)))
}

/// Create an API key for an organisation
///
/// Needs an admin key. The secret is returned once, in this response only; store it then.
#[utoipa::path(
    operation_id = "createApiKey",
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The id (uuid) of the organisation the key will belong to.", example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")),
    request_body(content = ApiKeyInput, example = json!({"name": "Link worker team app", "role": "agency"})),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Created; `secret` is shown only in this response.", body = ApiKeyCreated, links(
            ("RevokeIt" = (operation_id = "revokeApiKey", parameters(("id" = "$response.body#/id"))))
        )),
        AdminOnly,
        (status = 404, description = "No such organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields.", body = Problem, content_type = "application/problem+json"),
        Common,
        Body,
    )
)]
#[post("/organizations/{id}/api-keys")]
pub async fn create(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    body: JsonBody<ApiKeyInput>,
) -> Result<HttpResponse, ApiError> {
    let (row, secret) = api_keys::create_for_organization(&pool, &caller, *id, &body.0).await?;
    let what = format!("API key {}", row.id);
    let mut response = HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(ApiKeyCreated {
            key: row.into(),
            secret,
        });
    response.extensions_mut().insert(OneTimeSecret(what));
    Ok(response)
}

/// Revoke an API key
///
/// Needs an admin key or an agency key of the same organisation; any key may also revoke
/// itself. Revoking twice is harmless.
#[utoipa::path(
    operation_id = "revokeApiKey",
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The key's id (uuid), as returned when it was made; not its secret.", example = "e44474ff-edb0-4e19-ad3b-cc7abd53e178")),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The key, now revoked.", body = ApiKeyView),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not revoke this key.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[delete("/api-keys/{id}")]
pub async fn revoke(
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ApiKeyView::from(
        api_keys::revoke(&pool, &caller, *id).await?,
    )))
}
