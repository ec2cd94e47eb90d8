//! `GET /v1/assets/{id}/history`: the audit log of one asset.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::link_next;
use super::query_params::QueryParams;
use crate::auth::Authenticated;
use crate::db::{DbPool, audit::AuditRow};
use crate::domain::audit::{Actor, AuditAction, changed_asset_fields, changed_fields};
use crate::domain::paging::encode_position;
use crate::error::{ApiError, Problem};
use crate::services::audit;

const CURSOR_TAG: &str = "history";
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// One write to an asset.
#[derive(Serialize, ToSchema)]
pub struct AuditEventView {
    /// Increases with every write to the directory.
    #[schema(example = 41)]
    pub id: i64,
    /// When the write was made (RFC 3339, UTC).
    pub occurred_at: DateTime<Utc>,
    /// `asset` for a write to the asset itself; `asset_change` for a change waiting for
    /// review (an organisation not yet trusted changing a published asset).
    #[schema(example = "asset")]
    pub entity_type: String,
    /// For the asset: `create`, `update`, `archive`, `publish` or `confirm`. For a change
    /// waiting for review: `propose`, then `approve` or `reject` (an admin), `withdraw` (the
    /// organisation) or `discard` (the asset was archived).
    pub action: AuditAction,
    pub actor: Actor,
    /// The fields whose values the write changed: for the asset, paths into the asset as
    /// `GET /v1/assets/{id}` shows it (e.g. `cost.amount_pence`); for a proposal, the stored
    /// proposal's fields. Bookkeeping such as `version` is left out.
    #[schema(example = json!(["cost.amount_pence", "title"]))]
    pub changed: Vec<String>,
    /// The asset as stored before the write (absent for a creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The asset as stored after the write.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

impl From<AuditRow> for AuditEventView {
    fn from(row: AuditRow) -> Self {
        AuditEventView {
            id: row.id,
            occurred_at: row.occurred_at,
            // An asset's changes by the API's field paths; a proposal's by its own fields.
            changed: if row.entity_type == "asset" {
                changed_asset_fields(row.before.as_ref(), row.after.as_ref())
            } else {
                changed_fields(row.before.as_ref(), row.after.as_ref())
            },
            entity_type: row.entity_type,
            action: AuditAction::from_log(&row.action),
            actor: Actor {
                kind: match row.actor_kind.as_str() {
                    "key" => "key",
                    "import" => "import",
                    _ => "command_line",
                },
                key_id: row.actor_key_id,
                organization_id: row.actor_organization_id,
                role: row.actor_role,
                import_id: row.import_id,
            },
            before: row.before,
            after: row.after,
        }
    }
}

/// A page of an asset's history, oldest first.
#[derive(Serialize, ToSchema)]
pub struct HistoryPage {
    /// The asset (uuid).
    pub asset_id: Uuid,
    /// The writes on this page, oldest first.
    pub events: Vec<AuditEventView>,
    /// Pass as `cursor` for the next page; absent on the last page. Also sent as a
    /// `Link: <…>; rel="next"` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "aGlzdG9yeTo0MQ")]
    pub next_cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct HistoryParams {
    /// `next_cursor` from the previous page; omit to start from the beginning.
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// Entries per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    limit: Option<i64>,
}

/// Read an asset's history
///
/// Every write to the asset from the append-only audit log, oldest first: who made it (the API
/// key and its organisation, an import run, or the command line), when, which fields changed,
/// and the asset before and after. Readable by admin keys and by the keys of the asset's
/// organisation.
#[utoipa::path(
    operation_id = "getAssetHistory",
    tag = "assets",
    params(
        ("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab"),
        HistoryParams,
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of the asset's history.", body = HistoryPage,
            headers(("Link" = String, description = "`<…&cursor=…>; rel=\"next\"` when there is a next page"))),
        (status = 422, description = "The id is not a UUID, or a parameter is invalid (each one named).", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key belongs to another organisation.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset, or not visible to this key.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the `Retry-After` seconds.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assets/{id}/history")]
pub async fn asset_history(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    Authenticated(caller): Authenticated,
    id: web::Path<Uuid>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::new(&query);
    let after = params.position_cursor(CURSOR_TAG).unwrap_or(0);
    let limit = params.int("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT);
    params.finish(())?;
    // One row more than the page says whether there is a next one.
    let mut rows = audit::asset_history(&pool, &caller, *id, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| encode_position(CURSOR_TAG, r.id)))
        .flatten();
    let mut response = HttpResponse::Ok();
    link_next(&mut response, &req, next_cursor.as_deref());
    Ok(response.json(HistoryPage {
        asset_id: *id,
        events: rows.into_iter().map(AuditEventView::from).collect(),
        next_cursor,
    }))
}
