//! Turning travel time into distance and back. These are estimates from straight-line distance:
//! the response says so, and the figures are documented in `docs/matching.md`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the person gets about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    Walk,
    Cycle,
    PublicTransport,
    Car,
}

/// Routes are longer than the straight line between two points; 1.3 is the usual ratio of
/// network to straight-line distance in British towns.
pub const DETOUR_FACTOR: f64 = 1.3;
pub const DEFAULT_MODE: TravelMode = TravelMode::Walk;
pub const DEFAULT_MINUTES: f64 = 30.0;

impl TravelMode {
    /// Average door-to-door speed in km/h. For public transport it includes walking to the stop
    /// and waiting, which is why it is far below a bus's running speed.
    pub fn speed_kmh(self) -> f64 {
        match self {
            TravelMode::Walk => 4.8,
            TravelMode::Cycle => 14.0,
            TravelMode::PublicTransport => 12.0,
            TravelMode::Car => 25.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Walk => "walk",
            TravelMode::Cycle => "cycle",
            TravelMode::PublicTransport => "public_transport",
            TravelMode::Car => "car",
        }
    }

    /// "14 minutes' walk", "25 minutes by bus or train".
    pub fn journey(self, minutes: f64) -> String {
        let m = minutes.round().max(1.0) as i64;
        let unit = if m == 1 { "minute" } else { "minutes" };
        match self {
            TravelMode::Walk if m == 1 => "1 minute's walk".to_string(),
            TravelMode::Walk => format!("{m} minutes' walk"),
            TravelMode::Cycle => format!("{m} {unit} by bike"),
            TravelMode::PublicTransport => format!("{m} {unit} by bus or train"),
            TravelMode::Car => format!("{m} {unit} by car"),
        }
    }
}

/// How far the person can get: a straight-line radius, and the mode and minutes it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    pub mode: Option<TravelMode>,
    pub max_minutes: Option<f64>,
    pub max_km: f64,
}

impl Reach {
    pub fn by_time(mode: TravelMode, minutes: f64) -> Self {
        Reach {
            mode: Some(mode),
            max_minutes: Some(minutes),
            max_km: km_for_minutes(mode, minutes),
        }
    }

    pub fn by_distance(mode: Option<TravelMode>, km: f64) -> Self {
        Reach {
            mode,
            max_minutes: mode.map(|m| minutes_for_km(m, km)),
            max_km: km,
        }
    }

    /// Estimated travel minutes for a straight-line distance, when the mode is known.
    pub fn minutes(&self, km: f64) -> Option<f64> {
        self.mode.map(|m| minutes_for_km(m, km))
    }

    /// The same journey stretched by `factor`, for "N more within 45 minutes' walk".
    pub fn stretched(&self, factor: f64) -> Reach {
        Reach {
            mode: self.mode,
            max_minutes: self.max_minutes.map(|m| m * factor),
            max_km: self.max_km * factor,
        }
    }

    /// "within 45 minutes' walk", or "within 7.5 km" when only a distance was given.
    pub fn describe(&self) -> String {
        match (self.mode, self.max_minutes) {
            (Some(mode), Some(minutes)) => format!("within {}", mode.journey(minutes)),
            _ => format!("within {}", format_km(self.max_km)),
        }
    }
}

pub fn km_for_minutes(mode: TravelMode, minutes: f64) -> f64 {
    mode.speed_kmh() * minutes / 60.0 / DETOUR_FACTOR
}

pub fn minutes_for_km(mode: TravelMode, km: f64) -> f64 {
    km * DETOUR_FACTOR / mode.speed_kmh() * 60.0
}

/// "800 m", "1.2 km", "12 km".
pub fn format_km(km: f64) -> String {
    let metres = ((km * 1000.0) / 50.0).round() as i64 * 50;
    if metres < 1000 {
        format!("{metres} m")
    } else if km < 10.0 {
        format!("{:.1} km", km)
    } else {
        format!("{} km", km.round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_minutes_walk_is_under_two_km_as_the_crow_flies() {
        let reach = Reach::by_time(TravelMode::Walk, 30.0);
        assert!((reach.max_km - 1.846).abs() < 0.001, "{}", reach.max_km);
        let back = reach.minutes(reach.max_km).unwrap();
        assert!((back - 30.0).abs() < 1e-9);
    }

    #[test]
    fn faster_modes_reach_further_in_the_same_time() {
        let km = |m| km_for_minutes(m, 30.0);
        assert!(km(TravelMode::Walk) < km(TravelMode::PublicTransport));
        assert!(km(TravelMode::PublicTransport) < km(TravelMode::Cycle));
        assert!(km(TravelMode::Cycle) < km(TravelMode::Car));
    }

    #[test]
    fn distance_only_reach_has_no_minutes() {
        let reach = Reach::by_distance(None, 5.0);
        assert_eq!(reach.minutes(2.0), None);
        assert_eq!(reach.stretched(1.5).describe(), "within 7.5 km");
        let bus = Reach::by_time(TravelMode::PublicTransport, 30.0).stretched(1.5);
        assert_eq!(bus.describe(), "within 45 minutes by bus or train");
    }

    #[test]
    fn journeys_and_distances_read_naturally() {
        assert_eq!(TravelMode::Walk.journey(13.6), "14 minutes' walk");
        assert_eq!(TravelMode::Walk.journey(0.2), "1 minute's walk");
        assert_eq!(TravelMode::Cycle.journey(1.0), "1 minute by bike");
        assert_eq!(format_km(0.83), "850 m");
        assert_eq!(format_km(1.24), "1.2 km");
        assert_eq!(format_km(0.98), "1.0 km");
        assert_eq!(format_km(12.4), "12 km");
    }
}
