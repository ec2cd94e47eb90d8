//! Offline postcode geocoding from OS Code-Point Open, compiled into the binary: full postcodes
//! for York and Trafford, and every GB sector and district centroid. A full postcode that is
//! not in the unit table falls back to its sector, then its district, and says so.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;
use utoipa::ToSchema;

use super::postcode::Postcode;

const UNITS: &str = include_str!("../../seed-data/postcodes/units.csv");
const SECTORS: &str = include_str!("../../seed-data/postcodes/sectors.csv");
const DISTRICTS: &str = include_str!("../../seed-data/postcodes/districts.csv");

/// How exactly a postcode's point is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The postcode unit's own centroid (a street or part of one).
    Unit,
    /// The centroid of the sector, e.g. `YO10 5` (a neighbourhood).
    Sector,
    /// The centroid of the district, e.g. `YO10` (a town or several neighbourhoods).
    District,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Unit => "unit",
            Precision::Sector => "sector",
            Precision::District => "district",
        }
    }
}

/// What a person typed: a full postcode, a sector (`YO10 5`) or a district (`YO10`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostcodeQuery {
    Full(Postcode),
    Sector(String),
    District(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error(
        "is not a UK postcode, sector or district (expected e.g. \"YO10 5DD\", \"YO10 5\" or \"YO10\")"
    )]
    Malformed,
    #[error("is not a known postcode, sector or district")]
    NotFound,
}

/// The loose shape of an outward code: a district such as `M1`, `YO10`, `EC1A`.
fn is_outcode(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=4).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b.iter().any(u8::is_ascii_digit)
        && (b[1].is_ascii_digit() || b.get(2).is_some_and(u8::is_ascii_digit))
}

impl PostcodeQuery {
    pub fn parse(raw: &str) -> Result<Self, LookupError> {
        if let Ok(full) = Postcode::parse(raw) {
            return Ok(PostcodeQuery::Full(full));
        }
        let upper: String = raw.trim().to_ascii_uppercase();
        let parts: Vec<&str> = upper.split_whitespace().collect();
        match parts.as_slice() {
            [out] if is_outcode(out) => Ok(PostcodeQuery::District(out.to_string())),
            [out, sector]
                if is_outcode(out)
                    && sector.len() == 1
                    && sector.as_bytes()[0].is_ascii_digit() =>
            {
                Ok(PostcodeQuery::Sector(format!("{out} {sector}")))
            }
            _ => {
                // Shaped like a postcode but outside the Royal Mail letter rules (e.g. the NHS
                // pseudo-postcode ZZ99 3VZ): a postcode that does not exist, not a mistyped one.
                let compact = parts.concat();
                let shaped = compact.is_ascii() && (5..=7).contains(&compact.len()) && {
                    let (out, inward) = compact.split_at(compact.len() - 3);
                    let inward = inward.as_bytes();
                    is_outcode(out)
                        && inward[0].is_ascii_digit()
                        && inward[1..].iter().all(u8::is_ascii_uppercase)
                };
                Err(if shaped {
                    LookupError::NotFound
                } else {
                    LookupError::Malformed
                })
            }
        }
    }

    /// The normalised text of what was asked for.
    pub fn text(&self) -> &str {
        match self {
            PostcodeQuery::Full(p) => p.as_str(),
            PostcodeQuery::Sector(s) | PostcodeQuery::District(s) => s,
        }
    }
}

/// A resolved location.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    pub lat: f64,
    pub lon: f64,
    pub precision: Precision,
}

pub struct PostcodeIndex {
    units: HashMap<String, (f64, f64)>,
    sectors: HashMap<String, (f64, f64)>,
    districts: HashMap<String, (f64, f64)>,
}

fn load(csv: &str) -> HashMap<String, (f64, f64)> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            let key = fields.next()?.to_string();
            let lat = fields.next()?.parse().ok()?;
            let lon = fields.next()?.parse().ok()?;
            Some((key, (lat, lon)))
        })
        .collect()
}

static INDEX: LazyLock<PostcodeIndex> = LazyLock::new(|| PostcodeIndex {
    units: load(UNITS),
    sectors: load(SECTORS),
    districts: load(DISTRICTS),
});

impl PostcodeIndex {
    pub fn global() -> &'static PostcodeIndex {
        &INDEX
    }

    /// The most precise offline answer for the query.
    pub fn lookup(&self, query: &PostcodeQuery) -> Result<Located, LookupError> {
        let at = |(lat, lon): (f64, f64), precision| Located {
            lat,
            lon,
            precision,
        };
        match query {
            PostcodeQuery::Full(p) => self
                .units
                .get(p.as_str())
                .map(|&ll| at(ll, Precision::Unit))
                .or_else(|| {
                    self.sectors
                        .get(p.sector())
                        .map(|&ll| at(ll, Precision::Sector))
                })
                .or_else(|| {
                    self.districts
                        .get(p.outcode())
                        .map(|&ll| at(ll, Precision::District))
                }),
            PostcodeQuery::Sector(s) => self
                .sectors
                .get(s)
                .map(|&ll| at(ll, Precision::Sector))
                .or_else(|| {
                    self.districts
                        .get(s.split(' ').next().unwrap_or(""))
                        .map(|&ll| at(ll, Precision::District))
                }),
            PostcodeQuery::District(d) => {
                self.districts.get(d).map(|&ll| at(ll, Precision::District))
            }
        }
        .ok_or(LookupError::NotFound)
    }

    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.units.len(), self.sectors.len(), self.districts.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(raw: &str) -> Result<Located, LookupError> {
        PostcodeIndex::global().lookup(&PostcodeQuery::parse(raw)?)
    }

    #[test]
    fn loads_every_row() {
        assert_eq!(PostcodeIndex::global().sizes(), (11_918, 10_847, 2_864));
    }

    #[test]
    fn unit_sector_and_district_precision() {
        let unit = look(" yo10  5dd ").unwrap();
        assert_eq!(unit.precision, Precision::Unit);
        assert!((unit.lat - 53.9484).abs() < 0.001 && (unit.lon + 1.0535).abs() < 0.001);
        assert_eq!(look("M32 0JG").unwrap().precision, Precision::Unit);
        assert_eq!(
            look("m11aa").unwrap().precision,
            Precision::Sector,
            "Manchester units are not in the table"
        );
        assert_eq!(look("YO10 5").unwrap().precision, Precision::Sector);
        assert_eq!(look("M1").unwrap().precision, Precision::District);
        assert_eq!(look("yo10").unwrap().precision, Precision::District);
    }

    #[test]
    fn unknown_and_malformed_are_told_apart() {
        assert_eq!(look("ZZ99 9ZZ"), Err(LookupError::NotFound));
        assert_eq!(look("ZZ999ZZ"), Err(LookupError::NotFound));
        assert_eq!(look("QQ1"), Err(LookupError::NotFound));
        assert_eq!(look("hello"), Err(LookupError::Malformed));
        assert_eq!(look(""), Err(LookupError::Malformed));
        assert_eq!(look("12345"), Err(LookupError::Malformed));
        assert_eq!(look("YO10 5DD; DROP TABLE"), Err(LookupError::Malformed));
    }

    #[test]
    fn normalised_text() {
        assert_eq!(PostcodeQuery::parse("yo10 5").unwrap().text(), "YO10 5");
        assert_eq!(PostcodeQuery::parse("m11aa").unwrap().text(), "M1 1AA");
    }
}
