//! A team's coverage report: what the assets within reach of a place offer, and what is
//! missing.

use chrono::Utc;

use super::search::locate;
use crate::db::coverage::{self as queries, NearestRow, Reach};
use crate::db::{self, DbPool, assets::sessions_from_json};
use crate::domain::coverage::{self, Cell, Reached, Summary};
use crate::domain::freshness::FreshnessPolicy;
use crate::domain::geometry::{Area, LatLon};
use crate::error::ApiError;
use crate::geocoder::{Geocoded, Geocoder};

pub enum Place {
    Postcode(String),
    Point(LatLon),
    /// A drawn area, with its centre.
    Area(Area, LatLon),
}

pub struct Request {
    pub place: Place,
    pub radius_km: f64,
    pub cell_km: f64,
}

pub struct Report {
    pub centre: LatLon,
    pub located: Option<Geocoded>,
    pub summary: Summary,
    /// Each domain with nothing in reach, with the nearest asset outside (if any).
    pub gaps: Vec<NearestRow>,
    pub grid: Vec<Cell>,
}

pub async fn report(
    pool: &DbPool,
    geocoder: &Geocoder,
    policy: &FreshnessPolicy,
    request: &Request,
) -> Result<Report, ApiError> {
    let (centre, located) = match &request.place {
        Place::Point(p) | Place::Area(_, p) => (*p, None),
        Place::Postcode(raw) => {
            let found = locate(geocoder, "postcode", raw).await?;
            (
                LatLon {
                    lat: found.latitude,
                    lon: found.longitude,
                },
                Some(found),
            )
        }
    };
    let now = Utc::now();
    let reach = Reach {
        point: centre,
        radius_m: request.radius_km * 1000.0,
        area: match &request.place {
            Place::Area(area, _) => Some(area.to_geojson().to_string()),
            _ => None,
        },
        hidden_before: policy.hidden_before(now),
        stale_before: policy.stale_before(now),
    };
    let mut conn = db::connect(pool).await?;
    let reached: Vec<Reached> = queries::reached(&mut conn, &reach)
        .await?
        .into_iter()
        .map(|row| Reached {
            sessions: sessions_from_json(row.id, row.sessions)
                .iter()
                .map(|s| s.to_session())
                .collect(),
            kind: row.kind,
            five_ways: row.five_ways,
            domains: row.domains,
            free: row.free,
            step_free: row.step_free,
            non_stigmatised: row.non_stigmatised,
            stale: row.stale,
            point: LatLon {
                lat: row.lat,
                lon: row.lon,
            },
        })
        .collect();
    let summary = coverage::summarise(&reached);
    let all = queries::domains(&mut conn).await?;
    let missing = coverage::gaps(&summary, &all);
    let gaps = if missing.is_empty() {
        Vec::new()
    } else {
        queries::nearest(&mut conn, &reach, &missing).await?
    };
    Ok(Report {
        grid: coverage::grid(&reached, centre, request.cell_km),
        centre,
        located,
        summary,
        gaps,
    })
}
