//! What a team's area holds: counts and shares over the assets within reach, the interest
//! domains with nothing in reach, and a grid of asset density for a map. Pure functions over
//! the assets the data layer found.

use std::collections::BTreeMap;

use chrono::NaiveTime;

use super::geometry::LatLon;
use super::schedule::{Session, Weekday};

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
