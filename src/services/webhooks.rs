//! Webhook subscriptions: who may subscribe and manage them, and their delivery log.

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::search::{locate, resolve_terms};
use crate::auth::{Caller, Principal, Role};
use crate::db::webhooks::{AttemptRow, DeliveryRow, NewSubscription, SubscriptionRow};
use crate::db::{self, DbPool};
use crate::domain::audit::{Actor, Entity};
use crate::domain::matching::request::Location;
use crate::domain::webhooks::{WebhookInput, generate_secret, validate};
use crate::error::ApiError;
use crate::geocoder::Geocoder;

/// Subscriptions one organisation (or the admins together) may hold: enough for every team
/// app, few enough that a runaway script cannot flood the dispatcher.
pub const MAX_PER_OWNER: i64 = 50;

/// Admins, and agency keys (for their own organisation).
fn subscriber(caller: &Caller) -> Result<&Principal, ApiError> {
    let principal = caller.authenticated()?;
    match principal.role {
        Role::Admin | Role::Agency => Ok(principal),
        Role::Reader => Err(ApiError::Forbidden(
            "a reader key cannot subscribe to webhooks; use an agency or admin key".into(),
        )),
    }
}

/// A subscription the caller may see: an admin any, an organisation's keys its own. Others
/// are told it does not exist.
async fn visible(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<SubscriptionRow, ApiError> {
    let principal = caller.authenticated()?;
    let row = db::webhooks::find(conn, id).await?;
    match row {
        Some(row)
            if principal.is_admin()
                || (row.organization_id.is_some()
                    && row.organization_id == principal.organization_id) =>
        {
            Ok(row)
        }
        _ => Err(ApiError::NotFound(format!("there is no webhook {id}"))),
    }
}

/// A subscription the caller may change: as `visible`, and not by a reader key.
async fn changeable(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(SubscriptionRow, Principal), ApiError> {
    let row = visible(conn, caller, id).await?;
    let principal = subscriber(caller)?.clone();
    Ok((row, principal))
}

pub struct Created {
    pub subscription: SubscriptionRow,
    pub secret: String,
}

pub async fn subscribe(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    input: &WebhookInput,
    allow_private: bool,
) -> Result<Created, ApiError> {
    let principal = subscriber(caller)?.clone();
    let spec = validate(input, allow_private).map_err(ApiError::Validation)?;
    let area = match &spec.near {
        None => None,
        Some((Location::Point(p), radius_km)) => Some((
            p.lat,
            p.lon,
            radius_km * 1000.0,
            format!("{},{}", p.lat, p.lon),
        )),
        Some((Location::Postcode(raw), radius_km)) => {
            let placed = locate(geocoder, "filter.near.postcode", raw).await?;
            Some((
                placed.latitude,
                placed.longitude,
                radius_km * 1000.0,
                placed.postcode,
            ))
        }
    };
    let mut conn = db::connect(pool).await?;
    if let Some(org) = spec.organization_id
        && db::organizations::find(&mut conn, org).await?.is_none()
    {
        return Err(ApiError::validation(
            "filter.organization_id",
            format!("no organisation has id {org}"),
        ));
    }
    let interests = if spec.interests.is_empty() {
        None
    } else {
        let terms = resolve_terms(&mut conn, "filter.interests", &spec.interests).await?;
        let asked: Vec<Uuid> = terms.iter().map(|t| t.id).collect();
        let widened = db::interests::with_narrower(&mut conn, &asked).await?;
        Some((asked, widened))
    };
    let secret = generate_secret().map_err(ApiError::Internal)?;
    let id = Uuid::new_v4();
    let events: Vec<String> = spec.events.iter().map(|e| e.action().to_string()).collect();
    let owner = if principal.is_admin() {
        None
    } else {
        principal.organization_id
    };
    conn.transaction(async |conn| {
        if db::webhooks::count_for(conn, owner).await? >= MAX_PER_OWNER {
            return Err(ApiError::Conflict(format!(
                "this {} already holds {MAX_PER_OWNER} webhooks, the most allowed; delete one first",
                if owner.is_some() { "organisation" } else { "service's admins" }
            )));
        }
        db::webhooks::insert(
            conn,
            &NewSubscription {
                id,
                organization_id: owner,
                sees_everything: principal.is_admin(),
                created_by_key: principal.key_id,
                url: &spec.url,
                description: spec.description.as_deref(),
                secret: &secret,
                events: &events,
                filter_organization_id: spec.organization_id,
                filter_area: area.clone(),
                filter_interests: interests.clone(),
            },
        )
        .await?;
        db::audit::record(
            conn,
            &Actor::key(&principal),
            "create",
            Entity::Webhook,
            id,
            None,
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    let subscription = visible(&mut conn, caller, id).await?;
    Ok(Created {
        subscription,
        secret,
    })
}

/// A page of the subscriptions the caller may see, oldest first, and whether there are more.
pub async fn list(
    pool: &DbPool,
    caller: &Caller,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    limit: i64,
) -> Result<(Vec<SubscriptionRow>, bool), ApiError> {
    let principal = caller.authenticated()?;
    let owner = match (principal.is_admin(), principal.organization_id) {
        (true, _) => None,
        (false, Some(org)) => Some(org),
        (false, None) => return Ok((Vec::new(), false)),
    };
    let mut conn = db::connect(pool).await?;
    let mut rows = db::webhooks::list(&mut conn, owner, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

pub async fn get(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<SubscriptionRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    visible(&mut conn, caller, id).await
}

pub async fn delete(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<(), ApiError> {
    let mut conn = db::connect(pool).await?;
    let (_, principal) = changeable(&mut conn, caller, id).await?;
    conn.transaction(async |conn| {
        let before = db::audit::snapshot(conn, Entity::Webhook, id).await?;
        db::webhooks::delete(conn, id).await?;
        db::audit::record(
            conn,
            &Actor::key(&principal),
            "delete",
            Entity::Webhook,
            id,
            before,
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await
}

/// Makes a paused subscription active again; its waiting deliveries go out at once.
pub async fn resume(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<SubscriptionRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    let (row, principal) = changeable(&mut conn, caller, id).await?;
    if row.status == "paused" {
        conn.transaction(async |conn| {
            let before = db::audit::snapshot(conn, Entity::Webhook, id).await?;
            db::webhooks::resume(conn, id).await?;
            db::audit::record(
                conn,
                &Actor::key(&principal),
                "resume",
                Entity::Webhook,
                id,
                before,
            )
            .await?;
            Ok::<_, ApiError>(())
        })
        .await?;
    }
    visible(&mut conn, caller, id).await
}

pub struct DeliveryLog {
    /// The deliveries on this page, newest first.
    pub deliveries: Vec<(DeliveryRow, Vec<AttemptRow>)>,
    /// The sequence number to read on from, when there may be more.
    pub next: Option<i64>,
}

pub async fn deliveries(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    statuses: &[String],
    before: Option<i64>,
    limit: i64,
) -> Result<DeliveryLog, ApiError> {
    let mut conn = db::connect(pool).await?;
    visible(&mut conn, caller, id).await?;
    let (rows, attempts) =
        db::webhooks::deliveries(&mut conn, id, statuses, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<DeliveryRow> = rows.into_iter().take(limit as usize).collect();
    let next = more.then(|| rows.last().map(|r| r.seq)).flatten();
    let deliveries = rows
        .into_iter()
        .map(|d| {
            let mine = attempts
                .iter()
                .filter(|a| a.delivery_id == d.id)
                .cloned()
                .collect();
            (d, mine)
        })
        .collect();
    Ok(DeliveryLog { deliveries, next })
}
