//! `GET /v1/assets/{id}/sessions.ics`: an asset's sessions for a phone's calendar.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::Utc;
use uuid::Uuid;

use super::problems::Common;
use crate::auth::Caller;
use crate::db::DbPool;
use crate::db::venues::to_lat_lon;
use crate::domain::calendar::{CalendarAsset, calendar};
use crate::domain::schedule::uk_local;
use crate::error::{ApiError, Problem};
use crate::services::assets;

/// An asset's sessions as iCalendar
///
/// The asset's sessions as an RFC 5545 calendar to add to a phone or a shared calendar: weekly
/// sessions as recurring events (`RRULE`), dated sessions as single events, in Europe/London
/// time with the zone's rules included. Visible to whoever may read the asset.
#[utoipa::path(
    operation_id = "getAssetSessionsCalendar",
    tag = "assets",
    params(("id" = Uuid, Path, description = "The asset's id (uuid).", example = "5a8c5b38-72e0-5099-b654-1be90fec86ab")),
    responses(
        (status = 200, description = "The sessions as an iCalendar file.", body = String, content_type = "text/calendar"),
        (status = 401, description = "An Authorization header was sent but the key is not valid.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such asset, not visible to this caller, or it has no sessions to put in a calendar.", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The asset was archived.", body = Problem, content_type = "application/problem+json"),
        Common,
    )
)]
#[get("/assets/{id}/sessions.ics")]
pub async fn sessions(
    pool: web::Data<DbPool>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let record = assets::get(&pool, &caller, *id).await?.record;
    let a = &record.asset;
    let sessions: Vec<_> = record.sessions.iter().map(|s| s.to_session()).collect();
    let location = record.venue.as_ref().map(|v| {
        let mut parts = vec![v.name.clone()];
        parts.extend(v.address_lines.iter().cloned());
        parts.extend(v.town.clone());
        parts.extend(v.postcode.clone());
        parts.join(", ")
    });
    let geo = record
        .venue
        .as_ref()
        .and_then(|v| v.location.as_ref())
        .map(|p| {
            let p = to_lat_lon(p);
            (p.lat, p.lon)
        });
    let today = uk_local(Utc::now()).date();
    let ics = calendar(
        &CalendarAsset {
            id: a.id,
            title: &a.title,
            description: &a.description,
            location,
            geo,
            url: a.contact_url.as_deref(),
            updated_at: a.updated_at,
            sessions: &sessions,
        },
        today,
    )
    .ok_or_else(|| {
        ApiError::NotFound(format!(
            "asset {id} has no sessions to put in a calendar (see its schedule notes)"
        ))
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{id}.ics\""),
        ))
        .body(ics))
}
