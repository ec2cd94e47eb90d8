//! Coordinates and service areas: range checks, the UK and Ireland bounding box, and GeoJSON
//! (RFC 7946) polygons in and out.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::validation::Errors;

/// Great Britain, Northern Ireland, the Republic of Ireland, the Isle of Man and the Channel
/// Islands, with a margin for offshore islands.
pub const UK_IRELAND_BBOX: Bbox = Bbox {
    min_lon: -11.0,
    min_lat: 49.0,
    max_lon: 2.1,
    max_lat: 61.0,
};

/// Most vertices a service area may have, to keep a single write bounded.
pub const MAX_SERVICE_AREA_POINTS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl Bbox {
    pub fn contains(&self, p: LatLon) -> bool {
        (self.min_lat..=self.max_lat).contains(&p.lat)
            && (self.min_lon..=self.max_lon).contains(&p.lon)
    }
}

/// Distances are measured on the sphere (PostGIS geography with `use_spheroid` false, and
/// haversine on the same mean radius, 6,371,008.8 m) and shown in kilometres to 2 decimal
/// places: this is the number shown for `metres`.
pub fn shown_km(metres: f64) -> f64 {
    (metres / 10.0).round() / 100.0
}

/// The distance a filter of `radius_m` lets in: everything that is shown as within the radius
/// (up to 5 m beyond it, short of what rounds up), so that no result a filter drops would
/// have been shown inside it, and none it keeps is shown outside.
pub fn reach_as_shown(radius_m: f64) -> f64 {
    radius_m + 5.0 - 1e-6
}

/// A WGS 84 position in the UK and Ireland (anything else is refused as a likely swap of
/// latitude and longitude).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    /// Latitude in decimal degrees (WGS 84), 49 to 61.
    #[schema(example = 53.4248, minimum = 49, maximum = 61)]
    pub lat: f64,
    /// Longitude in decimal degrees (WGS 84), -11 to 2.1.
    #[schema(example = -2.3232, minimum = -11, maximum = 2.1)]
    pub lon: f64,
}

/// Metres per degree of arc on the mean Earth sphere (radius 6,371.0088 km), as in haversine.
pub const METRES_PER_DEGREE: f64 = 111_195.08;

/// The point on a sinusoidal projection of the sphere centred on 2°W, in metres: what the
/// `geom_plane` column of assets holds. Within a few hundred km of 2°W, distances on it are
/// within about 4% of distances on the sphere, so it serves to find nearest candidates fast.
pub fn plane(p: LatLon) -> (f64, f64) {
    (
        (p.lon + 2.0) * p.lat.to_radians().cos() * METRES_PER_DEGREE,
        p.lat * METRES_PER_DEGREE,
    )
}

/// Checks range, then the UK/Ireland box: the directory serves the UK, so a place outside it
/// is almost always latitude and longitude swapped.
pub fn check_position(errors: &mut Errors, field: &str, p: LatLon) -> bool {
    let before = errors.len();
    if !p.lat.is_finite() || !(-90.0..=90.0).contains(&p.lat) {
        errors.add(
            format!("{field}.lat"),
            "must be a latitude between -90 and 90",
        );
    }
    if !p.lon.is_finite() || !(-180.0..=180.0).contains(&p.lon) {
        errors.add(
            format!("{field}.lon"),
            "must be a longitude between -180 and 180",
        );
    }
    if errors.len() == before && !UK_IRELAND_BBOX.contains(p) {
        errors.add(
            field,
            "is outside the UK and Ireland (latitude 49 to 61, longitude -11 to 2.1); check that lat and lon are not swapped",
        );
    }
    errors.len() == before
}

/// A validated area: polygons of rings of (lon, lat), each ring closed.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
}

impl Area {
    /// With RFC 7946's winding: outer rings anticlockwise, holes clockwise.
    pub fn oriented(mut self) -> Self {
        for polygon in &mut self.polygons {
            for (i, ring) in polygon.iter_mut().enumerate() {
                let anticlockwise = signed_area2(ring) > 0.0;
                if anticlockwise != (i == 0) {
                    ring.reverse();
                }
            }
        }
        self
    }

    fn to_geo(&self) -> geo::MultiPolygon<f64> {
        geo::MultiPolygon(
            self.polygons
                .iter()
                .map(|rings| {
                    let mut rings = rings.iter().map(|r| geo::LineString::from(r.clone()));
                    let exterior = rings.next().unwrap_or_else(|| geo::LineString(Vec::new()));
                    geo::Polygon::new(exterior, rings.collect())
                })
                .collect(),
        )
    }

    /// As a GeoJSON MultiPolygon geometry.
    pub fn to_geojson(&self) -> Value {
        let coords: Vec<Value> = self
            .polygons
            .iter()
            .map(|rings| {
                Value::Array(
                    rings
                        .iter()
                        .map(|ring| Value::Array(ring.iter().map(|(x, y)| json!([x, y])).collect()))
                        .collect(),
                )
            })
            .collect();
        json!({ "type": "MultiPolygon", "coordinates": coords })
    }
}

/// Parses a GeoJSON Polygon or MultiPolygon geometry into an [`Area`].
pub fn parse_area(errors: &mut Errors, field: &str, value: &Value) -> Option<Area> {
    let kind = value.get("type").and_then(Value::as_str);
    let coords = value.get("coordinates");
    let polygons_json: Vec<&Value> = match (kind, coords) {
        (Some("Polygon"), Some(c)) => vec![c],
        (Some("MultiPolygon"), Some(Value::Array(list))) => list.iter().collect(),
        _ => {
            errors.add(
                field,
                "must be a GeoJSON geometry of type Polygon or MultiPolygon with coordinates",
            );
            return None;
        }
    };
    if polygons_json.is_empty() {
        errors.add(
            format!("{field}.coordinates"),
            "must contain at least one polygon",
        );
        return None;
    }
    let mut polygons = Vec::new();
    let mut points = 0usize;
    for (pi, polygon) in polygons_json.iter().enumerate() {
        let Some(rings_json) = polygon.as_array().filter(|r| !r.is_empty()) else {
            errors.add(
                format!("{field}.coordinates"),
                format!("polygon {pi} must be a non-empty array of rings"),
            );
            return None;
        };
        let mut rings = Vec::new();
        for (ri, ring_json) in rings_json.iter().enumerate() {
            let ring: Option<Vec<(f64, f64)>> = ring_json.as_array().and_then(|positions| {
                positions
                    .iter()
                    .map(|p| match p.as_array().map(Vec::as_slice) {
                        Some([x, y, ..]) => Some((x.as_f64()?, y.as_f64()?)),
                        _ => None,
                    })
                    .collect()
            });
            let Some(ring) = ring else {
                errors.add(
                    format!("{field}.coordinates"),
                    format!("ring {ri} of polygon {pi} must be an array of [lon, lat] positions"),
                );
                return None;
            };
            points += ring.len();
            if ring.len() < 4 || ring.first() != ring.last() {
                errors.add(
                    format!("{field}.coordinates"),
                    format!("ring {ri} of polygon {pi} must have at least 4 positions and end where it starts"),
                );
                return None;
            }
            // Geography edges are great circles: one spanning half the globe is ambiguous.
            if ring.windows(2).any(|w| (w[1].0 - w[0].0).abs() >= 180.0) {
                errors.add(
                    format!("{field}.coordinates"),
                    format!("ring {ri} of polygon {pi} has an edge spanning 180° of longitude or more; add intermediate positions"),
                );
                return None;
            }
            for &(lon, lat) in &ring {
                if !check_position(errors, &format!("{field}.coordinates"), LatLon { lat, lon }) {
                    return None;
                }
            }
            rings.push(ring);
        }
        polygons.push(rings);
    }
    if points > MAX_SERVICE_AREA_POINTS {
        errors.add(
            format!("{field}.coordinates"),
            format!("must have at most {MAX_SERVICE_AREA_POINTS} positions (got {points})"),
        );
        return None;
    }
    let area = Area { polygons };
    // OGC validity (no self-intersection, holes inside, polygons not overlapping): PostGIS
    // would store an invalid area, and areas, distances and containment on it are wrong.
    if let Err(problem) = geo::Validation::check_validation(&area.to_geo()) {
        errors.add(
            format!("{field}.coordinates"),
            format!("is not a valid area: {problem}"),
        );
        return None;
    }
    Some(area.oriented())
}

/// Twice the signed area of a closed ring in the plane of its coordinates: positive when the
/// ring turns anticlockwise.
fn signed_area2(ring: &[(f64, f64)]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(coordinates: serde_json::Value) -> Result<Area, Vec<String>> {
        let mut errors = Errors::default();
        let parsed = parse_area(
            &mut errors,
            "service_area",
            &serde_json::json!({"type": "Polygon", "coordinates": coordinates}),
        );
        match parsed {
            Some(a) => Ok(a),
            None => Err(errors
                .finish(())
                .unwrap_err()
                .into_iter()
                .map(|e| format!("{}: {}", e.field, e.reason))
                .collect()),
        }
    }

    #[test]
    fn a_self_intersecting_area_is_refused_with_the_reason() {
        // A bow tie: its edges cross in the middle.
        let errors = area(serde_json::json!([[
            [-2.32, 53.44],
            [-2.30, 53.46],
            [-2.30, 53.44],
            [-2.32, 53.46],
            [-2.32, 53.44]
        ]]))
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("service_area.coordinates: is not a valid area"),
            "{errors:?}"
        );
        assert!(errors[0].contains("intersect"), "{errors:?}");
    }

    #[test]
    fn rings_are_wound_as_rfc_7946_says() {
        // Outer ring clockwise and a hole anticlockwise, both the wrong way round.
        let a = area(serde_json::json!([
            [
                [-2.32, 53.44],
                [-2.32, 53.46],
                [-2.30, 53.46],
                [-2.30, 53.44],
                [-2.32, 53.44]
            ],
            [
                [-2.315, 53.445],
                [-2.305, 53.445],
                [-2.305, 53.455],
                [-2.315, 53.455],
                [-2.315, 53.445]
            ]
        ]))
        .unwrap();
        assert!(
            signed_area2(&a.polygons[0][0]) > 0.0,
            "outer ring anticlockwise"
        );
        assert!(signed_area2(&a.polygons[0][1]) < 0.0, "hole clockwise");
        // Already right: unchanged.
        assert_eq!(a.clone().oriented(), a);
    }

    #[test]
    fn what_a_radius_lets_in_is_what_is_shown_inside_it() {
        for radius_km in [0.5, 3.0, 10.0] {
            let r = radius_km * 1000.0;
            for metres in [r - 4.0, r, r + 0.7, r + 4.9, r + 5.1, r + 12.0] {
                let shown_inside = shown_km(metres) <= radius_km;
                assert_eq!(
                    metres <= reach_as_shown(r),
                    shown_inside,
                    "{metres} m, radius {r} m"
                );
            }
        }
        assert_eq!(shown_km(3000.7), 3.0);
    }

    #[test]
    fn the_plane_keeps_local_distances_close_to_the_sphere() {
        use geo::{Distance, Haversine, Point};
        for (lat, lon) in [
            (53.4557, -2.3028),
            (50.1, -5.5),
            (58.5, -3.1),
            (54.6, -7.9),
            (51.5, 0.1),
        ] {
            let a = LatLon { lat, lon };
            for (dlat, dlon) in [(0.02, 0.0), (0.0, 0.05), (0.03, -0.04), (-0.05, 0.05)] {
                let b = LatLon {
                    lat: lat + dlat,
                    lon: lon + dlon,
                };
                let (ax, ay) = plane(a);
                let (bx, by) = plane(b);
                let planar = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
                let sphere = Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat));
                assert!(
                    (planar / sphere - 1.0).abs() < 0.05,
                    "{a:?} {b:?}: {planar} vs {sphere}"
                );
            }
        }
    }

    fn position_errors(lat: f64, lon: f64) -> Vec<String> {
        let mut errors = Errors::default();
        check_position(&mut errors, "location", LatLon { lat, lon });
        errors
            .finish(())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn positions() {
        assert!(position_errors(53.95, -1.05).is_empty());
        assert!(position_errors(54.6, -5.93).is_empty(), "Belfast");
        assert!(position_errors(53.35, -6.26).is_empty(), "Dublin");
        assert!(position_errors(49.19, -2.11).is_empty(), "Jersey");
        assert_eq!(position_errors(100.0, 101.0), ["location.lat"]);
        assert_eq!(position_errors(-1.05, 53.95), ["location"], "swapped");
        assert_eq!(position_errors(48.85, 2.35), ["location"], "Paris");
        assert_eq!(position_errors(f64::NAN, 0.0), ["location.lat"]);
    }

    #[test]
    fn polygon_round_trip() {
        let square = json!({"type": "Polygon", "coordinates": [[[-1.1, 53.9], [-1.0, 53.9], [-1.0, 54.0], [-1.1, 53.9]]]});
        let mut errors = Errors::default();
        let area = parse_area(&mut errors, "service_area", &square).unwrap();
        assert!(errors.is_empty());
        assert_eq!(area.to_geojson()["type"], "MultiPolygon");
        assert_eq!(area.to_geojson()["coordinates"][0], square["coordinates"]);
    }

    #[test]
    fn bad_polygons() {
        for bad in [
            json!({"type": "Point", "coordinates": [0, 0]}),
            json!({"type": "Polygon", "coordinates": [[[-1.1, 53.9], [-1.0, 53.9], [-1.0, 54.0]]]}),
            json!({"type": "Polygon", "coordinates": [[[-1.1, 53.9], [-1.0, 53.9], [-1.0, 54.0], [-1.2, 53.9]]]}),
            json!({"type": "Polygon", "coordinates": [[["a", 53.9]]]}),
            json!({"type": "MultiPolygon", "coordinates": []}),
            json!({"type": "Polygon", "coordinates": [[[-170.0, 10.0], [170.0, 10.0], [170.0, 20.0], [-170.0, 10.0]]]}),
            json!("Polygon"),
        ] {
            let mut errors = Errors::default();
            assert!(
                parse_area(&mut errors, "service_area", &bad).is_none(),
                "{bad}"
            );
            assert!(!errors.is_empty());
        }
    }
}
