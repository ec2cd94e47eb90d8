use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::{self, DbPool, venues::VenueRow};
use crate::domain::audit::{Actor, Entity};
use crate::domain::geometry::LatLon;
use crate::domain::validation::Errors;
use crate::domain::venue::{self, Venue, VenueInput};
use crate::error::ApiError;
use crate::geocoder::Geocoder;

/// Gives a venue submitted without coordinates the point of its postcode, recording how
/// precise that point is.
pub async fn place_by_postcode(
    geocoder: &Geocoder,
    venue: &mut Venue,
    field: &str,
) -> Result<(), ApiError> {
    let (None, Some(postcode)) = (venue.location, &venue.postcode) else {
        return Ok(());
    };
    let found = geocoder.locate(postcode.as_str()).await.map_err(|_| {
        ApiError::validation(
            field,
            format!("{postcode} cannot be placed on the map; give the location (lat and lon)"),
        )
    })?;
    venue.location = Some(LatLon {
        lat: found.latitude,
        lon: found.longitude,
    });
    venue.location_precision = Some(found.precision);
    Ok(())
}

pub async fn create(
    pool: &DbPool,
    geocoder: &Geocoder,
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
    let mut venue = venue::validate(input, "", &mut errors);
    errors.finish(())?;
    place_by_postcode(geocoder, &mut venue, "postcode").await?;
    let actor = Actor::key(principal);
    let mut conn = db::connect(pool).await?;
    conn.transaction(async |conn| {
        // An organisation not yet trusted adds venues as it adds assets: waiting for an admin,
        // who publishes a venue with the first asset there.
        let trusted = match owner {
            None => true,
            Some(org) => db::organizations::find(conn, org)
                .await?
                .is_some_and(|o| o.trusted),
        };
        let new = db::venues::NewVenue {
            published: trusted,
            with_asset: false,
        };
        let row = db::venues::insert(conn, Uuid::new_v4(), &venue, owner, None, new).await?;
        db::audit::record(conn, &actor, "create", Entity::Venue, row.id, None).await?;
        Ok(row)
    })
    .await
}

/// A venue: public ones to everybody, those waiting for moderation to their organisation and
/// admins only (404 to the rest).
pub async fn get(pool: &DbPool, caller: &Caller, id: Uuid) -> Result<VenueRow, ApiError> {
    let mut conn = db::connect(pool).await?;
    let not_found = || ApiError::NotFound(format!("no venue has id {id}"));
    let (row, state) = db::venues::find_with_state(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    // A venue with no organisation is an admin's or a source's, and public.
    let visible = state.published
        || state
            .organization_id
            .is_some_and(|org| caller.sees_private_of(org));
    if !visible {
        return Err(not_found());
    }
    Ok(row)
}
