//! Submitting, changing, moderating and reading assets.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::assets::{AssetRecord, Guard, NewAsset, Placement};
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

/// A submission checked as a whole, so that one response lists every problem: the field rules,
/// unknown interests and a missing venue. Only when all pass is a new inline venue stored.
async fn prepare(
    conn: &mut AsyncPgConnection,
    geocoder: &Geocoder,
    input: &AssetInput,
    organization_id: Uuid,
    actor: &Actor,
) -> Result<(Asset, Option<Uuid>, Vec<Uuid>), ApiError> {
    let validated = asset::validate(input);
    let mut errors = Errors::default();
    if let Err(field_errors) = &validated {
        errors.extend(field_errors.iter().cloned());
    }
    let interest_ids = resolve_interests(conn, &input.interests, &mut errors).await?;
    if let Some(id) = input.venue_id
        && db::venues::find(conn, id).await?.is_none()
    {
        errors.add("venue_id", format!("no venue has id {id}"));
    }
    errors.finish(())?;
    let mut asset = validated?;
    if let VenueChoice::New(venue) = &mut asset.venue {
        place_by_postcode(geocoder, venue, "venue.postcode").await?;
    }
    let venue_id = match &asset.venue {
        VenueChoice::None => None,
        VenueChoice::Existing(id) => Some(*id),
        VenueChoice::New(venue) => {
            let id = db::venues::insert(conn, Uuid::new_v4(), venue, Some(organization_id), None)
                .await?
                .id;
            db::audit::record(conn, actor, "create", Entity::Venue, id, None).await?;
            Some(id)
        }
    };
    Ok((asset, venue_id, interest_ids))
}

pub async fn create(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    input: &AssetInput,
) -> Result<AssetRecord, ApiError> {
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
    let id = Uuid::new_v4();
    conn.transaction(async |conn| {
        let Some(org) = db::organizations::find(conn, organization_id).await? else {
            return Err(ApiError::validation(
                "organization_id",
                format!("no organisation has id {organization_id}"),
            ));
        };
        let actor = Actor::key(principal);
        let (asset, venue_id, interest_ids) =
            prepare(conn, geocoder, input, organization_id, &actor).await?;
        let status = if org.trusted || principal.is_admin() {
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
        Ok(())
    })
    .await?;
    find_visible(&mut conn, caller, id).await
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

/// An asset as a reader sees it. An archived asset answers 410 Gone to whoever could see it
/// (its organisation and admins; 404 to the rest): `DELETE` withdrew it, and it is kept only so
/// that nothing is lost.
pub async fn get(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<AssetRecord, ApiError> {
    let mut conn = db::connect(pool).await?;
    let record = find_visible(&mut conn, caller, id).await?;
    if record.asset.status == AssetStatus::Archived.as_str() {
        return Err(ApiError::Gone(format!(
            "asset {id} was archived (DELETE) at {}; it is kept but no longer served",
            record.asset.updated_at.format("%Y-%m-%d %H:%M UTC")
        )));
    }
    Ok(record)
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

pub async fn replace(
    pool: &DbPool,
    geocoder: &Geocoder,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
    input: &AssetInput,
) -> Result<AssetRecord, ApiError> {
    let actor = Actor::key(caller.authenticated()?);
    let if_match = if_match.ok_or_else(|| {
        ApiError::PreconditionRequired(
            "send If-Match with the asset's ETag, so that you do not overwrite someone else's change".into(),
        )
    })?;
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
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
        let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
        let (asset, venue_id, interest_ids) =
            prepare(conn, geocoder, input, guard.organization_id, &actor).await?;
        let placement = Placement {
            venue_id,
            interest_ids: &interest_ids,
        };
        db::assets::update(conn, id, guard.version, &asset, &placement)
            .await?
            .ok_or_else(|| {
                ApiError::PreconditionFailed("the asset changed while it was being saved".into())
            })?;
        db::audit::record(conn, &actor, "update", Entity::Asset, id, before).await?;
        Ok(())
    })
    .await?;
    find_visible(&mut conn, caller, id).await
}

/// Archives, publishes or confirms an asset under the usual checks.
async fn transition(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
    change: Transition,
) -> Result<AssetRecord, ApiError> {
    let actor = Actor::key(caller.authenticated()?);
    if change == Transition::Publish {
        caller.admin()?;
    }
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        let guard = lock_for_write(conn, caller, id).await?;
        check_precondition(&guard, if_match)?;
        let before = db::audit::snapshot(conn, Entity::Asset, id).await?;
        match change {
            Transition::Archive => db::assets::set_status(conn, id, AssetStatus::Archived).await?,
            Transition::Publish => db::assets::set_status(conn, id, AssetStatus::Published).await?,
            Transition::Confirm => db::assets::confirm(conn, id).await?,
        }
        db::audit::record(conn, &actor, change.action(), Entity::Asset, id, before).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    find_visible(&mut conn, caller, id).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transition {
    Archive,
    Publish,
    Confirm,
}

impl Transition {
    fn action(self) -> &'static str {
        match self {
            Transition::Archive => "archive",
            Transition::Publish => "publish",
            Transition::Confirm => "confirm",
        }
    }
}

pub async fn archive(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssetRecord, ApiError> {
    transition(pool, caller, id, if_match, Transition::Archive).await
}

pub async fn publish(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssetRecord, ApiError> {
    transition(pool, caller, id, if_match, Transition::Publish).await
}

pub async fn confirm(
    pool: &DbPool,
    caller: &Caller,
    id: Uuid,
    if_match: Option<&IfMatch>,
) -> Result<AssetRecord, ApiError> {
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
