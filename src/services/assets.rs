//! Submitting, changing, moderating and reading assets.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::assets::{AssetRecord, Guard, NewAsset, Placement};
use crate::db::pending_changes::PendingChangeRow;
use crate::db::{self, DbPool};
use crate::domain::asset::{self, Asset, AssetInput, AssetStatus, VenueChoice};
use crate::domain::audit::{Actor, Entity};
use crate::domain::phrase;
use crate::domain::validation::{Errors, at};
use crate::error::ApiError;
use crate::geocoder::Geocoder;
use crate::services::unknown_interest;
use crate::services::venues::place_by_postcode;

/// The precondition a client sent in `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Versions(Vec<i32>),
}

impl IfMatch {
    /// Parses `*` or a list of our strong ETags (`"3"`). Weak tags never match (RFC 9110).
    pub fn parse(header: &str) -> IfMatch {
        if header.trim() == "*" {
            return IfMatch::Any;
        }
        IfMatch::Versions(
            header
                .split(',')
                .filter_map(|tag| {
                    tag.trim()
                        .strip_prefix('"')?
                        .strip_suffix('"')?
                        .parse()
                        .ok()
                })
                .collect(),
        )
    }

    fn matches(&self, version: i32) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Versions(v) => v.contains(&version),
        }
    }
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Turns the submitted interest phrases into term ids, or field errors with suggestions.
/// Phrases that are not even well-formed are left to `asset::validate` to report.
async fn resolve_interests(
    conn: &mut AsyncPgConnection,
    phrases: &[String],
    errors: &mut Errors,
) -> Result<Vec<Uuid>, ApiError> {
    let mut ids = Vec::new();
    for (i, phrase) in phrases.iter().enumerate().take(asset::MAX_INTERESTS) {
        if phrase::normalise(phrase).is_empty() || phrase.chars().count() > 100 {
            continue;
        }
        match db::interests::resolve(conn, phrase).await? {
            Some(term) if !ids.contains(&term.id) => ids.push(term.id),
            Some(_) => {}
            None => errors.push(unknown_interest(conn, at("interests", i), phrase).await?),
        }
    }
    Ok(ids)
}

/// Who is writing, for the rules that depend on it: an admin, or an organisation that is
/// trusted or not.
#[derive(Debug, Clone, Copy)]
struct Writer {
    organization_id: Uuid,
    /// An admin's key, or a trusted organisation's: what it writes is public at once.
    trusted: bool,
    /// An admin's key: may use any venue, even one still waiting for moderation.
    admin: bool,
}

/// A submission checked as a whole, so that one response lists every problem: the field rules,
/// unknown interests and a venue that does not exist (or is another organisation's, still
/// waiting for moderation). Nothing is written.
async fn check(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    input: &AssetInput,
    writer: Writer,
) -> Result<(Asset, Vec<Uuid>), ApiError> {
    let validated = asset::validate(input);
    let mut errors = Errors::default();
    if let Err(field_errors) = &validated {
        errors.extend(field_errors.iter().cloned());
    }
    let interest_ids = resolve_interests(conn, &input.interests, &mut errors).await?;
    if let Some(id) = input.venue_id {
        let usable = db::venues::state(conn, id).await?.is_some_and(|v| {
            v.published || writer.admin || v.organization_id == Some(writer.organization_id)
        });
        if !usable {
            errors.add("venue_id", format!("no venue has id {id}"));
        }
    }
    errors.finish(())?;
    let mut asset = validated?;
    if let VenueChoice::New(venue) = &mut asset.venue {
        place_by_postcode(geocoder, venue, "venue.postcode").await?;
    }
    Ok((asset, interest_ids))
}

/// The venue a checked submission goes to: an existing one, the asset's current inline venue
/// when the submission repeats it unchanged, or a new inline venue (public if the writer is
/// trusted, else waiting for moderation).
async fn place_venue(
    conn: &mut AsyncPgConnection,
    asset: &Asset,
    writer: Writer,
    actor: &Actor,
    current: Option<Uuid>,
) -> Result<Option<Uuid>, ApiError> {
    let venue = match &asset.venue {
        VenueChoice::None => return Ok(None),
        VenueChoice::Existing(id) => return Ok(Some(*id)),
        VenueChoice::New(venue) => venue,
    };
    if let Some(current) = current
        && let Some((row, state)) = db::venues::find_with_state(conn, current).await?
        && state.created_with_asset
        && row.organization_id == Some(writer.organization_id)
        && db::venues::holds(&row, venue)
    {
        return Ok(Some(current));
    }
    let new = db::venues::NewVenue {
        published: writer.trusted,
        with_asset: true,
    };
    let id = db::venues::insert(
        conn,
        Uuid::new_v4(),
        venue,
        Some(writer.organization_id),
        None,
        new,
    )
    .await?
    .id;
    db::audit::record(conn, actor, "create", Entity::Venue, id, None).await?;
    Ok(Some(id))
}

/// Removes the asset's old inline venue once nothing uses it (each `PUT` with an inline venue
/// used to leave one behind).
async fn collect_venue(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    old: Option<Uuid>,
    new: Option<Uuid>,
) -> Result<(), ApiError> {
    let Some(old) = old.filter(|old| Some(*old) != new) else {
        return Ok(());
    };
    let before = db::audit::snapshot(conn, Entity::Venue, old).await?;
    if db::venues::delete_if_orphaned(conn, old).await? {
        db::audit::record(conn, actor, "delete", Entity::Venue, old, before).await?;
    }
    Ok(())
}

/// Makes the asset's venue public with it, when it was waiting for moderation.
async fn publish_venue(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    venue: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(venue) = venue {
        let before = db::audit::snapshot(conn, Entity::Venue, venue).await?;
        if db::venues::publish(conn, venue).await? {
            db::audit::record(conn, actor, "publish", Entity::Venue, venue, before).await?;
        }
    }
    Ok(())
}

async fn writer_for(
    conn: &mut AsyncPgConnection,
    principal: &crate::auth::Principal,
    organization_id: Uuid,
) -> Result<Writer, ApiError> {
    let org = db::organizations::find(conn, organization_id)
        .await?
        .ok_or_else(|| {
            ApiError::validation(
                "organization_id",
                format!("no organisation has id {organization_id}"),
            )
        })?;
    Ok(Writer {
        organization_id,
        trusted: org.trusted || principal.is_admin(),
        admin: principal.is_admin(),
    })
}

/// An asset as its reader sees it, with the change waiting for review when the reader is its
/// organisation or an admin.
#[derive(Debug, Clone)]
pub struct AssetState {
    pub record: AssetRecord,
    pub pending_change: Option<PendingChangeRow>,
}

async fn state_for(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    record: AssetRecord,
) -> Result<AssetState, ApiError> {
    let pending_change = if caller.sees_private_of(record.asset.organization_id) {
        db::pending_changes::find(conn, record.asset.id).await?
    } else {
        None
    };
    Ok(AssetState {
        record,
        pending_change,
    })
}

pub async fn create(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    input: &AssetInput,
) -> Result<AssetState, ApiError> {
    let principal = caller.authenticated()?;
    let organization_id = match (input.organization_id, principal.organization_id) {
        (Some(org), _) => org,
        (None, Some(own)) if !principal.is_admin() => own,
        _ => {
            return Err(ApiError::validation(
                "organization_id",
                "is required with an admin key",
            ));
        }
    };
    caller.writer_for(organization_id)?;
    let mut conn = db::connect(pool).await?;
    let id = conn
        .transaction(async |conn| {
            insert_new(conn, geocoder, principal, organization_id, input).await
        })
        .await?;
    let record = find_visible(&mut conn, caller, id).await?;
    state_for(&mut conn, caller, record).await
}

/// Checks and inserts a new asset for the organisation: published at once for a trusted
/// writer, else waiting for moderation.
async fn insert_new(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    principal: &crate::auth::Principal,
    organization_id: Uuid,
    input: &AssetInput,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let writer = writer_for(conn, principal, organization_id).await?;
    let actor = Actor::key(principal);
    let (asset, interest_ids) = check(conn, geocoder, input, writer).await?;
    if let Some(external_id) = &asset.external_id {
        external_id_free(conn, organization_id, external_id, None).await?;
    }
    let venue_id = place_venue(conn, &asset, writer, &actor, None).await?;
    let status = if writer.trusted {
        AssetStatus::Published
    } else {
        AssetStatus::Pending
    };
    let new = NewAsset {
        id,
        organization_id,
        status,
        source: None,
        is_example: false,
    };
    db::assets::insert(
        conn,
        &new,
        &asset,
        &Placement {
            venue_id,
            interest_ids: &interest_ids,
        },
    )
    .await?;
    db::audit::record(conn, &actor, "create", Entity::Asset, id, None).await?;
    Ok(id)
}

/// A 409 naming `external_id` when another of the organisation's assets holds it.
async fn external_id_free(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    external_id: &str,
    this: Option<Uuid>,
) -> Result<(), ApiError> {
    match db::assets::by_external_id(conn, organization_id, external_id).await? {
        Some((other, _)) if Some(other) != this => Err(ApiError::Conflict(format!(
            "external_id {external_id:?} is already used by the organisation's asset {other}; \
             use PUT /v1/organizations/{organization_id}/assets/by-external-id/… to replace it"
        ))),
        _ => Ok(()),
    }
}

/// What a `PUT` by external id did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Replaced(Replaced),
    /// The same submission was applied before and nobody has changed the asset since.
    Unchanged,
}

/// The digest that says an external-id submission was already applied at `version`.
fn submission_digest(input: &AssetInput, version: i32) -> String {
    let body = serde_json::to_string(input).unwrap_or_default();
    format!("{version}:{}", crate::services::imports::digest(&[&body]))
}

/// Creates or replaces the organisation's asset that carries `external_id`, so that an
/// agency's own system can push its listings by its own ids. Sending the same body again
/// writes nothing. An archived asset comes back (published for a trusted writer, else
/// pending). A published asset of an untrusted organisation keeps the change for review, as
/// `PUT /v1/assets/{id}` does.
pub async fn put_by_external_id(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    organization_id: Uuid,
    external_id: &str,
    input: &AssetInput,
) -> Result<(AssetState, Upserted), ApiError> {
    let principal = caller.authenticated()?;
    caller.writer_for(organization_id)?;
    let mut errors = Errors::default();
    let path_id = errors.required_text("external_id", external_id, 200);
    if input
        .external_id
        .as_deref()
        .is_some_and(|body| body.trim() != path_id)
    {
        errors.add("external_id", "must be omitted or equal the id in the path");
    }
    if input.organization_id.is_some_and(|o| o != organization_id) {
        errors.add(
            "organization_id",
            "must be omitted or equal the organisation in the path",
        );
    }
    errors.finish(())?;
    let input = AssetInput {
        organization_id: Some(organization_id),
        external_id: Some(path_id.clone()),
        ..input.clone()
    };
    let actor = Actor::key(principal);
    let mut conn = db::connect(pool).await?;
    let (id, outcome) = conn
        .transaction(async |conn| {
            let Some((id, digest)) =
                db::assets::by_external_id(conn, organization_id, &path_id).await?
            else {
                let id = insert_new(conn, geocoder, principal, organization_id, &input).await?;
                db::assets::set_external_digest(conn, id, &submission_digest(&input, 1)).await?;
                return Ok::<_, ApiError>((id, Upserted::Created));
            };
            let guard = lock_for_write(conn, caller, id).await?;
            let archived = guard.status == AssetStatus::Archived.as_str();
            if !archived && digest.as_deref() == Some(&submission_digest(&input, guard.version)) {
                return Ok((id, Upserted::Unchanged));
            }
            let writer = writer_for(conn, principal, organization_id).await?;
            let replaced =
                replace_or_propose(conn, geocoder, principal, &guard, id, &input, writer).await?;
            if replaced == Replaced::AwaitingReview {
                return Ok((id, Upserted::Replaced(replaced)));
            }
            if archived {
                let status = if writer.trusted {
                    AssetStatus::Published
                } else {
                    AssetStatus::Pending
                };
                let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
                db::assets::set_status(conn, id, status).await?;
                let action = if writer.trusted { "publish" } else { "update" };
                db::audit::record(conn, &actor, action, Entity::Asset, id, before).await?;
            }
            // The version the writes above left, read rather than counted.
            let version = db::assets::lock(conn, id)
                .await?
                .map_or(guard.version, |g| g.version);
            db::assets::set_external_digest(conn, id, &submission_digest(&input, version)).await?;
            Ok((id, Upserted::Replaced(Replaced::Applied)))
        })
        .await?;
    let record = find_visible(&mut conn, caller, id).await?;
    Ok((state_for(&mut conn, caller, record).await?, outcome))
}

/// The organisation's asset with this external id, as `get` shows assets.
pub async fn get_by_external_id(
    pool: &DbPool,
    caller: &Caller,
    organization_id: Uuid,
    external_id: &str,
) -> Result<AssetState, ApiError> {
    let id = {
        let mut conn = db::connect(pool).await?;
        db::assets::by_external_id(&mut conn, organization_id, external_id)
            .await?
            .map(|(id, _)| id)
    };
    let id = id.ok_or_else(|| {
        ApiError::NotFound(format!(
            "organisation {organization_id} has no asset with external_id {external_id:?}"
        ))
    })?;
    get(pool, caller, id).await
}

/// The asset if the caller may see it: published ones to everybody, others to their
/// organisation and admins. Anything else is reported as absent, so ids do not leak.
async fn find_visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AssetRecord, ApiError> {
    let not_found = || ApiError::NotFound(format!("no asset has id {id}"));
    let record = db::assets::find(conn, id).await?.ok_or_else(not_found)?;
    let public = record.asset.status == AssetStatus::Published.as_str();
    if public || caller.sees_private_of(record.asset.organization_id) {
        Ok(record)
    } else {
        Err(not_found())
    }
}

/// An asset as a reader sees it. An archived asset answers 410 Gone: `DELETE` withdrew it, and
/// it is kept only so that nothing is lost. Once published, its withdrawal is as public as it
/// was (the change feed announces it), so everyone gets the 410; one never published stays 404
/// to all but its organisation and admins, so ids do not leak.
pub async fn get(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<AssetState, ApiError> {
    let mut conn = db::connect(pool).await?;
    let not_found = || ApiError::NotFound(format!("no asset has id {id}"));
    let record = db::assets::find(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let archived = record.asset.status == AssetStatus::Archived.as_str();
    let public = record.asset.status == AssetStatus::Published.as_str()
        || (archived && record.asset.published_at.is_some());
    if !public && !caller.sees_private_of(record.asset.organization_id) {
        return Err(not_found());
    }
    if archived {
        return Err(ApiError::Gone(format!(
            "asset {id} was archived (DELETE) at {}; it is kept but no longer served",
            record.asset.updated_at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    state_for(&mut conn, caller, record).await
}

/// Locks the asset and checks the caller may change it; unknown and invisible assets are 404.
async fn lock_for_write(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Guard, ApiError> {
    let not_found = || ApiError::NotFound(format!("no asset has id {id}"));
    let guard = db::assets::lock(conn, id).await?.ok_or_else(not_found)?;
    if guard.status != AssetStatus::Published.as_str()
        && !caller.sees_private_of(guard.organization_id)
    {
        return Err(not_found());
    }
    caller.writer_for(guard.organization_id)?;
    Ok(guard)
}

fn check_precondition(guard: &Guard, if_match: Option<&IfMatch>) -> Result<(), ApiError> {
    match if_match {
        Some(m) if !m.matches(guard.version) => Err(ApiError::PreconditionFailed(format!(
            "the asset has changed: its current ETag is {}; fetch it again and reapply your change",
            etag(guard.version)
        ))),
        _ => Ok(()),
    }
}

/// What a `PUT` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// The asset now holds the new content.
    Applied,
    /// The asset is published and its organisation is not trusted: the change waits for an
    /// admin's review, and the published version stays as it was.
    AwaitingReview,
}

/// Writes checked content over the asset (at the version in `guard`), moving it to its new
/// venue and collecting the old inline one.
async fn apply(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    actor: &Actor,
    guard: &Guard,
    id: Uuid,
    input: &AssetInput,
    writer: Writer,
) -> Result<Option<Uuid>, ApiError> {
    let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
    let (mut asset, interest_ids) = check(conn, geocoder, input, writer).await?;
    match &asset.external_id {
        Some(external_id) => {
            external_id_free(conn, guard.organization_id, external_id, Some(id)).await?
        }
        // An edit by our id keeps the organisation's own id, so its system still finds it.
        None => asset.external_id = db::assets::external_id_of(conn, id).await?,
    }
    let venue_id = place_venue(conn, &asset, writer, actor, guard.venue_id).await?;
    let placement = Placement {
        venue_id,
        interest_ids: &interest_ids,
    };
    db::assets::update(conn, id, guard.version, &asset, &placement)
        .await?
        .ok_or_else(|| {
            ApiError::PreconditionFailed("the asset changed while it was being saved".into())
        })?;
    db::audit::record(conn, actor, "update", Entity::Asset, id, before).await?;
    collect_venue(conn, actor, guard.venue_id, venue_id).await?;
    Ok(venue_id)
}

pub async fn replace(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
    input: &AssetInput,
) -> Result<(AssetState, Replaced), ApiError> {
    let principal = caller.authenticated()?;
    let if_match = if_match.ok_or_else(|| {
        ApiError::PreconditionRequired(
            "send If-Match with the asset's ETag, so that you do not overwrite someone else's change".into(),
        )
    })?;
    let mut conn = db::connect(pool).await?;
    let outcome = conn
        .transaction(async |conn| {
            let guard = lock_for_write(conn, caller, id).await?;
            check_precondition(&guard, Some(if_match))?;
            if input
                .organization_id
                .is_some_and(|org| org != guard.organization_id)
            {
                return Err(ApiError::validation(
                    "organization_id",
                    "cannot be changed; it must be omitted or stay the same",
                ));
            }
            let writer = writer_for(conn, principal, guard.organization_id).await?;
            replace_or_propose(conn, geocoder, principal, &guard, id, input, writer).await
        })
        .await?;
    let record = find_visible(&mut conn, caller, id).await?;
    Ok((state_for(&mut conn, caller, record).await?, outcome))
}

/// Writes new content over a locked asset, or, when the asset is published and the writer not
/// trusted, keeps it as a change waiting for an admin's review.
async fn replace_or_propose(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    principal: &crate::auth::Principal,
    guard: &Guard,
    id: Uuid,
    input: &AssetInput,
    writer: Writer,
) -> Result<Replaced, ApiError> {
    let actor = Actor::key(principal);
    if guard.status == AssetStatus::Published.as_str() && !writer.trusted {
        // Checked in full now, so the agency hears of every mistake at once; stored as sent,
        // and applied (checked again) only when an admin approves it.
        check(conn, geocoder, input, writer).await?;
        let submission =
            serde_json::to_value(input).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
        let before = db::audit::snapshot(conn, Entity::AssetChange, id).await?;
        db::pending_changes::put(
            conn,
            id,
            guard.organization_id,
            &submission,
            principal.key_id,
            guard.version,
        )
        .await?;
        db::audit::record(conn, &actor, "propose", Entity::AssetChange, id, before).await?;
        return Ok(Replaced::AwaitingReview);
    }
    apply(conn, geocoder, &actor, guard, id, input, writer).await?;
    Ok(Replaced::Applied)
}

/// Archives, publishes or confirms an asset under the usual checks.
async fn transition(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
    change: Transition<'_>,
) -> Result<AssetState, ApiError> {
    let principal = caller.authenticated()?;
    let actor = Actor::key(principal);
    if matches!(change, Transition::Publish(_)) {
        caller.admin()?;
    }
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        let guard = lock_for_write(conn, caller, id).await?;
        check_precondition(&guard, if_match)?;
        match change {
            Transition::Publish(geocoder) => {
                // Publishing approves the change waiting for review, if there is one.
                let mut venue = guard.venue_id;
                if let Some(pending) = db::pending_changes::find(conn, id).await? {
                    // Stored by `replace` from a checked `AssetInput`: it reads back as one.
                    let input: AssetInput = serde_json::from_value(pending.submission)
                        .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
                    let writer = Writer {
                        organization_id: guard.organization_id,
                        trusted: true,
                        admin: true,
                    };
                    venue = apply(conn, geocoder, &actor, &guard, id, &input, writer).await?;
                    discard_pending(conn, &actor, id, "approve").await?;
                }
                if guard.status != AssetStatus::Published.as_str() {
                    let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
                    db::assets::set_status(conn, id, AssetStatus::Published).await?;
                    db::audit::record(conn, &actor, "publish", Entity::Asset, id, before).await?;
                }
                publish_venue(conn, &actor, venue).await?;
            }
            Transition::Archive => {
                let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
                db::assets::set_status(conn, id, AssetStatus::Archived).await?;
                db::audit::record(conn, &actor, "archive", Entity::Asset, id, before).await?;
                discard_pending(conn, &actor, id, "discard").await?;
            }
            Transition::Confirm => {
                let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
                db::assets::confirm(conn, id).await?;
                db::audit::record(conn, &actor, "confirm", Entity::Asset, id, before).await?;
            }
        }
        Ok::<_, ApiError>(())
    })
    .await?;
    let record = find_visible(&mut conn, caller, id).await?;
    state_for(&mut conn, caller, record).await
}

/// Drops the change waiting for review, if any, recording why.
async fn discard_pending(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    id: Uuid,
    action: &str,
) -> Result<bool, ApiError> {
    let before = db::audit::snapshot(conn, Entity::AssetChange, id).await?;
    if db::pending_changes::delete(conn, id).await? {
        db::audit::record(conn, actor, action, Entity::AssetChange, id, before).await?;
        return Ok(true);
    }
    Ok(false)
}

/// Turns down (an admin) or withdraws (the organisation) the change waiting for review; the
/// published version stays as it is.
pub async fn reject_change(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
) -> Result<AssetState, ApiError> {
    let principal = caller.authenticated()?;
    let actor = Actor::key(principal);
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        lock_for_write(conn, caller, id).await?;
        let action = if principal.is_admin() {
            "reject"
        } else {
            "withdraw"
        };
        if !discard_pending(conn, &actor, id, action).await? {
            return Err(ApiError::NotFound(format!(
                "asset {id} has no change waiting for review"
            )));
        }
        Ok::<_, ApiError>(())
    })
    .await?;
    let record = find_visible(&mut conn, caller, id).await?;
    state_for(&mut conn, caller, record).await
}

#[derive(Clone, Copy)]
enum Transition<'a> {
    Archive,
    /// Publishing may apply a waiting change, whose new venue may need placing.
    Publish(&'a Geocoder),
    Confirm,
}

pub async fn archive(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssetState, ApiError> {
    transition(pool, caller, id, if_match, Transition::Archive).await
}

/// Publishes a pending or archived asset, and applies the change waiting for review, if any.
pub async fn publish(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssetState, ApiError> {
    transition(pool, caller, id, if_match, Transition::Publish(geocoder)).await
}

pub async fn confirm(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssetState, ApiError> {
    transition(pool, caller, id, if_match, Transition::Confirm).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_parsing() {
        assert_eq!(IfMatch::parse("*"), IfMatch::Any);
        assert_eq!(IfMatch::parse("\"3\""), IfMatch::Versions(vec![3]));
        assert_eq!(
            IfMatch::parse("\"3\", \"4\""),
            IfMatch::Versions(vec![3, 4])
        );
        assert!(
            !IfMatch::parse("W/\"3\"").matches(3),
            "weak tags never match"
        );
        assert!(!IfMatch::parse("garbage").matches(1));
        assert!(IfMatch::parse("\"7\"").matches(7));
    }
}
