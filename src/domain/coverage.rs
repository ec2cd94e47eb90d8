//! What a team's area holds: counts and shares over the assets within reach, the interest
//! domains with nothing in reach, and a grid of asset density for a map. Pure functions over
//! the assets the data layer found.

use std::collections::BTreeMap;

use chrono::NaiveTime;

use geo::{Area as _, BoundingRect, Centroid, LineString, MultiPolygon, Polygon};
use serde::Deserialize;
use utoipa::ToSchema;

use super::geometry::{Area, LatLon, parse_area};
use super::schedule::{Session, Weekday};
use super::validation::{Errors, FieldError};

/// One asset within reach, as the coverage needs it.
#[derive(Debug, Clone)]
pub struct Reached {
    pub kind: String,
    pub five_ways: Vec<String>,
    pub domains: Vec<String>,
    pub free: bool,
    pub sessions: Vec<Session>,
    pub step_free: bool,
    pub non_stigmatised: bool,
    pub stale: bool,
    /// Where it counts on the grid: its venue, or for an asset serving an area, the point of
    /// that area nearest the centre (an area has no single place, and the part nearest the team
    /// is the part they would use).
    pub point: LatLon,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub assets: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub by_five_ways: BTreeMap<String, usize>,
    pub by_domain: BTreeMap<String, usize>,
    pub free: f64,
    pub evenings: f64,
    pub weekends: f64,
    pub step_free: f64,
    pub non_stigmatised: f64,
    pub stale: f64,
}

/// Sessions starting at or after this are evening sessions.
pub fn evening_from() -> NaiveTime {
    NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default()
}

pub fn has_evening(sessions: &[Session]) -> bool {
    sessions.iter().any(|s| s.start >= evening_from())
}

pub fn has_weekend(sessions: &[Session]) -> bool {
    sessions.iter().any(|s| {
        let day = s.weekday.or_else(|| s.date.map(Weekday::of));
        matches!(day, Some(Weekday::Sat | Weekday::Sun))
    })
}

/// The share of `n` in `of`, to three places; 0 when there is nothing.
fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 / of as f64 * 1000.0).round() / 1000.0
    }
}

pub fn summarise(reached: &[Reached]) -> Summary {
    let mut s = Summary {
        assets: reached.len(),
        ..Summary::default()
    };
    let count = |pred: &dyn Fn(&Reached) -> bool| reached.iter().filter(|r| pred(r)).count();
    for r in reached {
        *s.by_kind.entry(r.kind.clone()).or_default() += 1;
        for way in &r.five_ways {
            *s.by_five_ways.entry(way.clone()).or_default() += 1;
        }
        let mut domains = r.domains.clone();
        domains.sort();
        domains.dedup();
        for domain in domains {
            *s.by_domain.entry(domain).or_default() += 1;
        }
    }
    let n = reached.len();
    s.free = share(count(&|r| r.free), n);
    s.evenings = share(count(&|r| has_evening(&r.sessions)), n);
    s.weekends = share(count(&|r| has_weekend(&r.sessions)), n);
    s.step_free = share(count(&|r| r.step_free), n);
    s.non_stigmatised = share(count(&|r| r.non_stigmatised), n);
    s.stale = share(count(&|r| r.stale), n);
    s
}

/// The domains of `all` with no asset within reach.
pub fn gaps(summary: &Summary, all: &[String]) -> Vec<String> {
    all.iter()
        .filter(|d| !summary.by_domain.contains_key(*d))
        .cloned()
        .collect()
}

/// A square cell of the density grid: its south-west and north-east corners and its count.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub south_west: LatLon,
    pub north_east: LatLon,
    pub assets: usize,
}

/// Bins the assets into cells about `cell_km` on a side, aligned on `centre`. Only cells
/// holding assets are returned, west to east within south to north.
pub fn grid(reached: &[Reached], centre: LatLon, cell_km: f64) -> Vec<Cell> {
    let dlat = cell_km / 111.32;
    let dlon = cell_km / (111.32 * centre.lat.to_radians().cos().max(0.01));
    let mut cells: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    for r in reached {
        let row = ((r.point.lat - centre.lat) / dlat).floor() as i64;
        let col = ((r.point.lon - centre.lon) / dlon).floor() as i64;
        *cells.entry((row, col)).or_default() += 1;
    }
    let round = |x: f64| (x * 1e6).round() / 1e6;
    cells
        .into_iter()
        .map(|((row, col), assets)| Cell {
            south_west: LatLon {
                lat: round(centre.lat + row as f64 * dlat),
                lon: round(centre.lon + col as f64 * dlon),
            },
            north_east: LatLon {
                lat: round(centre.lat + (row + 1) as f64 * dlat),
                lon: round(centre.lon + (col + 1) as f64 * dlon),
            },
            assets,
        })
        .collect()
}

/// A drawn area to report on, instead of a place and a radius.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageAreaInput {
    /// A GeoJSON Polygon or MultiPolygon (WGS 84 `[lon, lat]` positions, rings closed), in the
    /// UK or Ireland, at most 100 km across and 10,000 positions: a team's patch, a ward, a
    /// primary care network.
    #[schema(value_type = Object, example = json!({"type": "Polygon", "coordinates": [[[-2.34, 53.44], [-2.29, 53.44], [-2.29, 53.47], [-2.34, 53.47], [-2.34, 53.44]]]}))]
    pub area: serde_json::Value,
    /// Side of the density grid's cells, in kilometres, 0.1 to 10 (default 1).
    #[serde(default)]
    #[schema(minimum = 0.1, maximum = 10, example = 1)]
    pub cell_km: Option<f64>,
}

/// The sides a density grid's cells may have, in km, and the default.
pub const CELL_KM: std::ops::RangeInclusive<f64> = 0.1..=10.0;
pub const DEFAULT_CELL_KM: f64 = 1.0;

/// The widest a drawn area may be, north to south or east to west.
pub const MAX_AREA_SPAN_KM: f64 = 100.0;

/// A checked drawn area: its polygons, the centre its grid and distances start from (the
/// centroid), and the grid's cell size.
#[derive(Debug, Clone)]
pub struct DrawnArea {
    pub area: Area,
    pub centre: LatLon,
    pub cell_km: f64,
}

pub fn check_area(input: &CoverageAreaInput) -> Result<DrawnArea, Vec<FieldError>> {
    let mut errors = Errors::default();
    let cell_km = input.cell_km.unwrap_or(DEFAULT_CELL_KM);
    if !cell_km.is_finite() || !CELL_KM.contains(&cell_km) {
        errors.add("cell_km", "must be between 0.1 and 10 km");
    }
    let drawn =
        parse_area(&mut errors, "area", &input.area).and_then(|area| match centre_of(&area) {
            Ok(centre) => Some((area, centre)),
            Err(reason) => {
                errors.add("area", reason);
                None
            }
        });
    match (errors.finish(()), drawn) {
        (Ok(()), Some((area, centre))) => Ok(DrawnArea {
            area,
            centre,
            cell_km,
        }),
        (Err(refused), _) => Err(refused),
        (Ok(()), None) => Err(vec![FieldError::new("area", "is not an area")]),
    }
}

/// The centroid of an area no more than `MAX_AREA_SPAN_KM` across that encloses something.
fn centre_of(area: &Area) -> Result<LatLon, String> {
    let shape = MultiPolygon::new(
        area.polygons
            .iter()
            .map(|rings| {
                let mut rings = rings.iter().map(|r| LineString::from(r.clone()));
                let outer = rings.next().unwrap_or_else(|| LineString::new(vec![]));
                Polygon::new(outer, rings.collect())
            })
            .collect(),
    );
    let no_area = || "has no area (its rings enclose nothing)".to_string();
    let bounds = shape.bounding_rect().ok_or_else(no_area)?;
    let mid_lat = bounds.center().y;
    let tall = bounds.height() * 111.32;
    let wide = bounds.width() * 111.32 * mid_lat.to_radians().cos();
    if tall > MAX_AREA_SPAN_KM || wide > MAX_AREA_SPAN_KM {
        return Err(format!(
            "must be at most {MAX_AREA_SPAN_KM} km across (this one is {tall:.0} km north to south and {wide:.0} km east to west)"
        ));
    }
    if shape.unsigned_area() <= 0.0 {
        return Err(no_area());
    }
    let c = shape.centroid().ok_or_else(no_area)?;
    Ok(LatLon {
        lat: c.y(),
        lon: c.x(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_drawn_area_is_checked_and_centred() {
        let square = |size: f64| CoverageAreaInput {
            area: serde_json::json!({"type": "Polygon", "coordinates": [[
                [-2.34, 53.44], [-2.34 + size, 53.44], [-2.34 + size, 53.44 + size],
                [-2.34, 53.44 + size], [-2.34, 53.44]]]}),
            cell_km: None,
        };
        let drawn = check_area(&square(0.04)).unwrap();
        assert!((drawn.centre.lat - 53.46).abs() < 1e-9 && (drawn.centre.lon + 2.32).abs() < 1e-9);
        assert_eq!(drawn.cell_km, 1.0);
        let too_big = check_area(&square(1.5)).unwrap_err();
        assert_eq!(too_big[0].field, "area");
        assert!(
            too_big[0].reason.contains("100 km across"),
            "{}",
            too_big[0].reason
        );
        let not_area = CoverageAreaInput {
            area: serde_json::json!({"type": "Point", "coordinates": [-2.3, 53.4]}),
            cell_km: Some(50.0),
        };
        let fields: Vec<String> = check_area(&not_area)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["cell_km", "area"]);
        let flat = CoverageAreaInput {
            area: serde_json::json!({"type": "Polygon", "coordinates": [[
                [-2.34, 53.44], [-2.30, 53.44], [-2.32, 53.44], [-2.34, 53.44]]]}),
            cell_km: None,
        };
        let refused = check_area(&flat).unwrap_err();
        assert!(refused[0].reason.contains("no area"), "{refused:?}");
    }

    fn session(day: Option<Weekday>, date: Option<NaiveDate>, h: u32) -> Session {
        Session {
            weekday: day,
            date,
            start: NaiveTime::from_hms_opt(h, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(h + 1, 0, 0).unwrap(),
            valid_from: None,
            valid_until: None,
        }
    }

    fn reached(kind: &str, domains: &[&str], lat: f64, lon: f64) -> Reached {
        Reached {
            kind: kind.into(),
            five_ways: vec!["connect".into()],
            domains: domains.iter().map(|d| d.to_string()).collect(),
            free: false,
            sessions: vec![],
            step_free: false,
            non_stigmatised: true,
            stale: false,
            point: LatLon { lat, lon },
        }
    }

    #[test]
    fn counts_and_shares() {
        let mut a = reached("group", &["social", "social", "music"], 53.0, -2.0);
        a.free = true;
        a.sessions = vec![session(Some(Weekday::Tue), None, 18)];
        let mut b = reached("activity", &["being-active"], 53.0, -2.0);
        // 2026-11-28 is a Saturday.
        b.sessions = vec![session(None, NaiveDate::from_ymd_opt(2026, 11, 28), 10)];
        b.step_free = true;
        b.stale = true;
        let c = reached("group", &[], 53.0, -2.0);
        let s = summarise(&[a, b, c]);
        assert_eq!(s.assets, 3);
        assert_eq!(s.by_kind["group"], 2);
        assert_eq!(s.by_five_ways["connect"], 3);
        assert_eq!(s.by_domain["social"], 1, "an asset counts once per domain");
        assert_eq!((s.free, s.evenings, s.weekends), (0.333, 0.333, 0.333));
        assert_eq!(
            (s.step_free, s.non_stigmatised, s.stale),
            (0.333, 1.0, 0.333)
        );
        let all: Vec<String> = ["music", "social", "arts-and-crafts"]
            .map(String::from)
            .to_vec();
        assert_eq!(gaps(&s, &all), ["arts-and-crafts"]);
    }

    #[test]
    fn nothing_in_reach_is_all_gaps_and_no_division_by_zero() {
        let s = summarise(&[]);
        assert_eq!((s.assets, s.free, s.stale), (0, 0.0, 0.0));
        assert_eq!(gaps(&s, &["social".to_string()]), ["social"]);
    }

    #[test]
    fn the_grid_bins_points_into_cells_that_contain_them() {
        let centre = LatLon {
            lat: 53.4,
            lon: -2.3,
        };
        let points = [
            (53.401, -2.299),
            (53.402, -2.298),
            (53.43, -2.25),
            (53.39, -2.31),
        ];
        let assets: Vec<Reached> = points
            .iter()
            .map(|(la, lo)| reached("group", &[], *la, *lo))
            .collect();
        let cells = grid(&assets, centre, 1.0);
        assert_eq!(cells.iter().map(|c| c.assets).sum::<usize>(), 4);
        assert_eq!(cells.len(), 3);
        for (lat, lon) in points {
            let holder = cells
                .iter()
                .find(|c| {
                    c.south_west.lat <= lat
                        && lat < c.north_east.lat
                        && c.south_west.lon <= lon
                        && lon < c.north_east.lon
                })
                .expect("a cell holds every point");
            assert!(holder.assets >= 1);
        }
        let side_km = (cells[0].north_east.lat - cells[0].south_west.lat) * 111.32;
        assert!((side_km - 1.0).abs() < 0.01, "{side_km}");
    }
}
