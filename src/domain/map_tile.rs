//! Slippy-map tiles (the `z/x/y` Web Mercator scheme every web map uses) and how the directory
//! is drawn on them: assets close together on screen become one cluster with a count, so a
//! tile of a city over a million assets is a few dozen features, whatever the zoom.

use std::f64::consts::PI;

/// Deepest zoom served: street level and a little closer.
pub const MAX_ZOOM: u8 = 20;
/// From this zoom on, assets are not clustered unless they are within a few pixels.
pub const DETAIL_ZOOM: u8 = 16;
/// Tiles are 256 px square; clusters are gathered in cells of this many pixels.
const CLUSTER_PX: u32 = 32;
const DETAIL_PX: u32 = 4;
const TILE_PX: u32 = 256;
/// Web Mercator stops here (the square world map).
const MAX_LAT: f64 = 85.051_128_779_806_6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl TileId {
    /// A tile that exists: zoom 0 to [`MAX_ZOOM`], `x` and `y` below `2^z`; otherwise the
    /// first coordinate out of range (`z`, `x` or `y`) and why.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, (&'static str, String)> {
        if z > MAX_ZOOM as u32 {
            return Err(("z", format!("must be 0 to {MAX_ZOOM}")));
        }
        let n = 1u32 << z;
        for (name, value) in [("x", x), ("y", y)] {
            if value >= n {
                return Err((name, format!("must be below {n} at zoom {z}")));
            }
        }
        Ok(Self { z: z as u8, x, y })
    }

    pub fn bounds(self) -> Bounds {
        let n = f64::from(1u32 << self.z);
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| (PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
        Bounds {
            west: lon(f64::from(self.x)),
            east: lon(f64::from(self.x + 1)),
            north: lat(f64::from(self.y)),
            south: lat(f64::from(self.y + 1)),
        }
    }

    /// The tile at zoom `z` holding a point; `None` off the Mercator square.
    pub fn containing(z: u8, lon: f64, lat: f64) -> Option<Self> {
        if !(-180.0..=180.0).contains(&lon) || !(-MAX_LAT..=MAX_LAT).contains(&lat) {
            return None;
        }
        let n = f64::from(1u32 << z);
        let x = ((lon + 180.0) / 360.0 * n).floor().clamp(0.0, n - 1.0) as u32;
        let y = ((1.0 - mercator_y(lat) / PI) / 2.0 * n)
            .floor()
            .clamp(0.0, n - 1.0) as u32;
        Some(Self { z, x, y })
    }

    /// How many cells a side the tile is split into for clustering.
    pub fn grid(self) -> u32 {
        TILE_PX
            / if self.z >= DETAIL_ZOOM {
                DETAIL_PX
            } else {
                CLUSTER_PX
            }
    }
}

/// Every tile, at every zoom, that holds the point: what a change there makes out of date.
pub fn tiles_holding(lon: f64, lat: f64) -> Vec<TileId> {
    (0..=MAX_ZOOM)
        .filter_map(|z| TileId::containing(z, lon, lat))
        .collect()
}

/// The Mercator northing of a latitude, in radians of the projection (as PostgreSQL computes
/// it in the tile query: `ln(tan(pi()/4 + radians(lat)/2))`).
pub fn mercator_y(lat: f64) -> f64 {
    (PI / 4.0 + lat.clamp(-MAX_LAT, MAX_LAT).to_radians() / 2.0)
        .tan()
        .ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_have_the_bounds_web_maps_give_them() {
        let world = TileId::new(0, 0, 0).unwrap().bounds();
        assert_eq!((world.west, world.east), (-180.0, 180.0));
        assert!((world.north - MAX_LAT).abs() < 1e-9);
        // Stretford, at zoom 12: the tile OpenStreetMap serves as 12/2021/1325.
        let t = TileId::containing(12, -2.3097, 53.4466).unwrap();
        assert_eq!((t.x, t.y), (2021, 1325));
        let b = t.bounds();
        assert!(b.west <= -2.3097 && -2.3097 < b.east);
        assert!(b.south < 53.4466 && 53.4466 <= b.north);
    }

    #[test]
    fn tiles_that_do_not_exist_are_refused() {
        assert_eq!(TileId::new(21, 0, 0).unwrap_err().0, "z");
        assert_eq!(TileId::new(3, 8, 0).unwrap_err().0, "x");
        assert_eq!(TileId::new(3, 0, 8).unwrap_err().0, "y");
        assert!(TileId::new(3, 7, 7).is_ok());
        assert_eq!(TileId::containing(5, 0.0, 89.0), None);
    }

    #[test]
    fn a_point_is_in_one_tile_per_zoom_each_inside_the_last() {
        let tiles = tiles_holding(-1.0815, 53.9590);
        assert_eq!(tiles.len(), MAX_ZOOM as usize + 1);
        for pair in tiles.windows(2) {
            assert_eq!(pair[1].z, pair[0].z + 1);
            assert_eq!((pair[1].x / 2, pair[1].y / 2), (pair[0].x, pair[0].y));
        }
    }

    #[test]
    fn clusters_are_coarse_until_street_level() {
        assert_eq!(TileId::new(12, 0, 0).unwrap().grid(), 8);
        assert_eq!(TileId::new(16, 0, 0).unwrap().grid(), 64);
    }
}
