//! Search parameters: parsed from the raw query string so that every bad parameter is named
//! in the 422, repeated parameters (`interest=a&interest=b`) are supported, and unknown ones are
//! refused rather than silently ignored. Also the opaque keyset cursor.

use crate::domain::audience::{AudienceGroup, GenderRule};
use std::collections::BTreeMap;

use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::asset::{AssetKind, MAX_AGE};
use super::geometry::{Bbox, LatLon};
use super::schedule::{Weekday, parse_hhmm};
use super::validation::{Errors, FieldError, is_incidental_param};
use super::venue::AccessibilityFeature;

pub const DEFAULT_RADIUS_KM: f64 = 5.0;
pub const MAX_RADIUS_KM: f64 = 100.0;
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

const REPEATABLE: &[&str] = &["interest", "kind", "day", "access", "gender", "audience"];
const KNOWN: &[&str] = &[
    "postcode",
    "lat",
    "lon",
    "radius_km",
    "bbox",
    "q",
    "interest",
    "kind",
    "free",
    "max_cost_pence",
    "concessions",
    "day",
    "from",
    "to",
    "age",
    "access",
    "non_stigmatised",
    "gender",
    "audience",
    "referral_only",
    "organization_id",
    "updated_since",
    "confirmed_within_days",
    "include_online",
    "include_stale",
    "limit",
    "cursor",
];

/// Where to look.
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    Anywhere,
    /// Around a point given as coordinates, or a postcode still to be geocoded; with a box too,
    /// only what lies in both (a map view ordered by distance from the person).
    Near {
        point: NearPoint,
        radius_m: f64,
        within: Option<Bbox>,
    },
    Within(Bbox),
}

#[derive(Debug, Clone, PartialEq)]
pub enum NearPoint {
    Coordinates(LatLon),
    Postcode(String),
}

/// How results are ordered; the cursor carries the last row's key in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    #[serde(rename = "d")]
    Distance,
    #[serde(rename = "r")]
    Relevance,
    #[serde(rename = "t")]
    Title,
}

/// The position after the last row of a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "o")]
    pub order: Order,
    /// The relevance score (ordering by relevance).
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
    /// Distance in whole millimetres (ordering by distance; `None`: past every located asset,
    /// among online ones).
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub millimetres: Option<i64>,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub id: Uuid,
    /// Fingerprint of the query the cursor belongs to.
    #[serde(rename = "q")]
    pub query: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// A cursor this service could have issued, or `None`: a forged one must not reach the
    /// database with a value it cannot hold (a NUL in a title) or compare (a NaN score).
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        let mut cursor: Cursor = serde_json::from_slice(&bytes).ok()?;
        // Cursors issued before distances were paged in millimetres carried metres.
        if cursor.order == Order::Distance
            && cursor.millimetres.is_none()
            && let Some(metres) = cursor.number.take()
        {
            cursor.millimetres = Some((metres * 1000.0).round() as i64);
        }
        let sane = cursor.number.is_none_or(f64::is_finite)
            && cursor.millimetres.is_none_or(|mm| mm >= 0)
            && cursor
                .title
                .as_deref()
                .is_none_or(|t| t.chars().count() <= 1000 && !t.contains('\0'))
            && cursor.query.len() <= 200
            && !cursor.query.contains('\0');
        sane.then_some(cursor)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchParams {
    pub area: Area,
    pub q: Option<String>,
    pub interests: Vec<String>,
    pub kinds: Vec<AssetKind>,
    pub free: Option<bool>,
    pub max_cost_pence: Option<i32>,
    pub concessions: bool,
    pub days: Vec<Weekday>,
    pub from: Option<NaiveTime>,
    pub to: Option<NaiveTime>,
    pub age: Option<i16>,
    pub access: Vec<AccessibilityFeature>,
    pub non_stigmatised: Option<bool>,
    /// Any of these gender rules (empty: any).
    pub genders: Vec<GenderRule>,
    /// Made for any of these groups (empty: any).
    pub audiences: Vec<AudienceGroup>,
    pub referral_only: Option<bool>,
    pub organization_id: Option<Uuid>,
    pub updated_since: Option<DateTime<Utc>>,
    pub confirmed_within_days: Option<i32>,
    pub include_online: bool,
    /// Also assets not confirmed for longer than the freshness policy's hiding threshold.
    pub include_stale: bool,
    pub limit: i64,
    pub cursor: Option<Cursor>,
    /// Fingerprint of the filters (everything but cursor, limit and format).
    pub fingerprint: String,
}

impl SearchParams {
    pub fn order(&self) -> Order {
        match (&self.area, &self.q) {
            (Area::Near { .. }, _) => Order::Distance,
            (_, Some(_)) => Order::Relevance,
            _ => Order::Title,
        }
    }
}

fn fingerprint(pairs: &[(String, String)]) -> String {
    let mut canonical: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "cursor" | "limit"))
        .filter(|(k, v)| !(k == "interest" && v.trim().is_empty()))
        .collect();
    canonical.sort();
    let mut hasher = Sha256::new();
    for (k, v) in canonical {
        hasher.update(k.as_bytes());
        hasher.update([0]);
        hasher.update(v.trim().as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn boolean(errors: &mut Errors, name: &str, value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => {
            errors.add(name, "must be true or false");
            None
        }
    }
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    errors: &mut Errors,
    name: &str,
    value: &str,
    min: T,
    max: T,
) -> Option<T> {
    match value.trim().parse::<T>() {
        Ok(n) if n >= min && n <= max => Some(n),
        _ => {
            errors.add(name, format!("must be a number from {min} to {max}"));
            None
        }
    }
}

fn float(errors: &mut Errors, name: &str, value: &str) -> Option<f64> {
    match value.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            errors.add(name, "must be a number");
            None
        }
    }
}

fn named<T>(
    errors: &mut Errors,
    name: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Option<T> {
    let parsed = parse(value.trim());
    if parsed.is_none() {
        errors.add(name, format!("\"{value}\" is not one of {expected}"));
    }
    parsed
}

fn parse_bbox(errors: &mut Errors, value: &str) -> Option<Bbox> {
    let parts: Vec<Option<f64>> = value
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect();
    let [Some(min_lon), Some(min_lat), Some(max_lon), Some(max_lat)] = parts.as_slice() else {
        errors.add("bbox", "must be four numbers: minLon,minLat,maxLon,maxLat");
        return None;
    };
    let b = Bbox {
        min_lon: *min_lon,
        min_lat: *min_lat,
        max_lon: *max_lon,
        max_lat: *max_lat,
    };
    if !(-180.0..=180.0).contains(&b.min_lon) || !(-180.0..=180.0).contains(&b.max_lon) {
        errors.add("bbox", "longitudes must be between -180 and 180");
    } else if !(-90.0..=90.0).contains(&b.min_lat) || !(-90.0..=90.0).contains(&b.max_lat) {
        errors.add("bbox", "latitudes must be between -90 and 90");
    } else if b.min_lon >= b.max_lon || b.min_lat >= b.max_lat {
        errors.add(
            "bbox",
            "must be ordered minLon,minLat,maxLon,maxLat with each minimum below its maximum",
        );
    } else {
        return Some(b);
    }
    None
}

fn parse_since(value: &str) -> Option<DateTime<Utc>> {
    let v = value.trim();
    DateTime::parse_from_rfc3339(v)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
}

/// Parses and checks the query pairs of `GET /v1/assets`.
pub fn parse(pairs: &[(String, String)]) -> Result<SearchParams, Vec<FieldError>> {
    let mut errors = Errors::default();
    let mut single: BTreeMap<&str, &str> = BTreeMap::new();
    let mut repeated: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (key, value) in pairs {
        let key = key.as_str();
        // PostgreSQL text cannot hold NUL, and no parameter has a use for control characters.
        if value.chars().any(char::is_control) {
            errors.add(key, "must not contain control characters");
            continue;
        }
        if is_incidental_param(key) {
            continue;
        }
        if key == "format" {
            errors.add(
                key,
                "is not a search parameter: the search answers JSON; GeoJSON is GET /v1/assets.geojson",
            );
        } else if !KNOWN.contains(&key) {
            errors.add(
                key,
                format!("is not a search parameter (known: {})", KNOWN.join(", ")),
            );
        } else if REPEATABLE.contains(&key) {
            // A form that sends an empty interest box (`interest=`) means no interest filter;
            // a blank beside other interests is a malformed list. The other lists are enums,
            // where a blank is simply not one of the values, and is refused as such.
            if key != "interest" || !value.trim().is_empty() {
                repeated.entry(key).or_default().push(value.as_str());
            } else if pairs.iter().filter(|(k, _)| k == key).count() > 1 {
                errors.add(key, "must not be blank when given more than once");
            }
        } else if single.insert(key, value.as_str()).is_some() {
            errors.add(key, "must be given at most once");
        }
    }
    let get = |k: &str| single.get(k).copied();
    let many = |k: &str| repeated.get(k).cloned().unwrap_or_default();

    let lat = get("lat").and_then(|v| float(&mut errors, "lat", v));
    let lon = get("lon").and_then(|v| float(&mut errors, "lon", v));
    let radius_km = get("radius_km").map(|v| match v.trim().parse::<f64>() {
        Ok(r) if r > 0.0 && r <= MAX_RADIUS_KM => Some(r),
        _ => {
            errors.add(
                "radius_km",
                format!("must be more than 0 and at most {MAX_RADIUS_KM}"),
            );
            None
        }
    });
    let postcode = get("postcode").map(str::trim).filter(|p| !p.is_empty());
    let bbox = get("bbox").and_then(|v| parse_bbox(&mut errors, v));
    let point = match (
        lat,
        lon,
        postcode,
        get("lat").is_some() || get("lon").is_some(),
    ) {
        (_, _, Some(_), true) => {
            errors.add("postcode", "give either postcode or lat and lon, not both");
            None
        }
        (_, _, Some(p), false) => Some(NearPoint::Postcode(p.to_string())),
        (Some(lat), Some(lon), None, _) => {
            let lat_ok = (-90.0..=90.0).contains(&lat);
            let lon_ok = (-180.0..=180.0).contains(&lon);
            if !lat_ok {
                errors.add("lat", "must be a latitude between -90 and 90");
            }
            if !lon_ok {
                errors.add("lon", "must be a longitude between -180 and 180");
            }
            (lat_ok && lon_ok).then_some(NearPoint::Coordinates(LatLon { lat, lon }))
        }
        (_, _, None, true) => {
            if get("lat").is_none() {
                errors.add("lat", "is required with lon");
            }
            if get("lon").is_none() {
                errors.add("lon", "is required with lat");
            }
            None
        }
        _ => None,
    };
    let area = match (point, get("bbox")) {
        (Some(point), _) => Area::Near {
            point,
            radius_m: radius_km.flatten().unwrap_or(DEFAULT_RADIUS_KM) * 1000.0,
            within: bbox,
        },
        (None, _) => {
            if radius_km.is_some()
                && postcode.is_none()
                && get("lat").is_none()
                && get("lon").is_none()
            {
                errors.add("radius_km", "needs a point: postcode, or lat and lon");
            }
            bbox.map(Area::Within).unwrap_or(Area::Anywhere)
        }
    };

    let q = get("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.add("q", "must be at most 200 characters");
    }
    let interests: Vec<String> = many("interest")
        .iter()
        .map(|i| i.trim().to_string())
        .collect();
    for (i, interest) in interests.iter().enumerate() {
        if interest.is_empty() || interest.chars().count() > 100 {
            errors.add(
                "interest",
                format!(
                    "value {} must be a term id, slug or name of 1 to 100 characters",
                    i + 1
                ),
            );
        }
    }
    if interests.len() > 20 {
        errors.add("interest", "must be given at most 20 times");
    }
    let kinds = many("kind")
        .iter()
        .filter_map(|k| {
            named(
                &mut errors,
                "kind",
                k,
                AssetKind::parse,
                "group, volunteering, course, activity",
            )
        })
        .collect();
    let days = many("day")
        .iter()
        .filter_map(|d| {
            named(
                &mut errors,
                "day",
                d,
                |v| {
                    Weekday::ALL.iter().copied().find(|w| {
                        serde_json::to_value(w).is_ok_and(|j| j == v.to_ascii_lowercase())
                    })
                },
                "mon, tue, wed, thu, fri, sat, sun",
            )
        })
        .collect();
    let time = |errors: &mut Errors, name: &str| {
        get(name).and_then(|v| {
            let t = parse_hhmm(v.trim());
            if t.is_none() {
                errors.add(name, "must be a time as HH:MM (24-hour), e.g. 18:00");
            }
            t
        })
    };
    let from = time(&mut errors, "from");
    let to = time(&mut errors, "to");
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        errors.add("to", "must be later than from");
    }
    let access = many("access")
        .iter()
        .filter_map(|a| {
            let expected: Vec<&str> = AccessibilityFeature::ALL
                .iter()
                .map(|f| f.as_str())
                .collect();
            named(
                &mut errors,
                "access",
                a,
                AccessibilityFeature::parse,
                &expected.join(", "),
            )
        })
        .collect();
    let genders = many("gender")
        .iter()
        .filter_map(|g| {
            named(
                &mut errors,
                "gender",
                g,
                GenderRule::parse,
                "mixed, women_only, men_only",
            )
        })
        .collect();
    let audiences = many("audience")
        .iter()
        .filter_map(|g| {
            let expected: Vec<&str> = AudienceGroup::ALL.iter().map(|f| f.as_str()).collect();
            named(
                &mut errors,
                "audience",
                g,
                AudienceGroup::parse,
                &expected.join(", "),
            )
        })
        .collect();
    let referral_only = get("referral_only").and_then(|v| boolean(&mut errors, "referral_only", v));
    let free = get("free").and_then(|v| boolean(&mut errors, "free", v));
    let max_cost_pence =
        get("max_cost_pence").and_then(|v| number(&mut errors, "max_cost_pence", v, 0, 100_000));
    let concessions = get("concessions")
        .and_then(|v| boolean(&mut errors, "concessions", v))
        .unwrap_or(false);
    let age = get("age").and_then(|v| number(&mut errors, "age", v, 0, MAX_AGE as i16));
    let non_stigmatised =
        get("non_stigmatised").and_then(|v| boolean(&mut errors, "non_stigmatised", v));
    let organization_id = get("organization_id").and_then(|v| {
        let id = Uuid::parse_str(v.trim()).ok();
        if id.is_none() {
            errors.add("organization_id", "must be a UUID");
        }
        id
    });
    let updated_since = get("updated_since").and_then(|v| {
        let d = parse_since(v);
        if d.is_none() {
            errors.add(
                "updated_since",
                "must be a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T09:00:00Z)",
            );
        }
        d
    });
    let confirmed_within_days = get("confirmed_within_days")
        .and_then(|v| number(&mut errors, "confirmed_within_days", v, 1, 3650));
    let include_online = get("include_online")
        .and_then(|v| boolean(&mut errors, "include_online", v))
        .unwrap_or(false);
    let include_stale = get("include_stale")
        .and_then(|v| boolean(&mut errors, "include_stale", v))
        .unwrap_or(false);
    let limit = get("limit")
        .and_then(|v| number(&mut errors, "limit", v, 1, MAX_LIMIT))
        .unwrap_or(DEFAULT_LIMIT);
    let fingerprint = fingerprint(pairs);
    let mut params = SearchParams {
        area,
        q,
        interests,
        kinds,
        free,
        max_cost_pence,
        concessions,
        days,
        from,
        to,
        age,
        access,
        non_stigmatised,
        genders,
        audiences,
        referral_only,
        organization_id,
        updated_since,
        confirmed_within_days,
        include_online,
        include_stale,
        limit,
        cursor: None,
        fingerprint,
    };
    if let Some(text) = get("cursor") {
        match Cursor::decode(text.trim()) {
            None => errors.add(
                "cursor",
                "is not a cursor this service issued; use next_cursor from a previous page",
            ),
            Some(c) if c.query != params.fingerprint || c.order != params.order() => errors.add(
                "cursor",
                "belongs to a search with other filters; start again without a cursor",
            ),
            Some(c) => params.cursor = Some(c),
        }
    }
    errors.finish(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.replace('+', " "))
            })
            .collect()
    }

    fn fields(query: &str) -> Vec<String> {
        parse(&pairs(query))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn cache_busters_and_campaign_tags_are_ignored_but_typos_are_not() {
        assert!(
            parse(&pairs(
                "postcode=YO10 3&_=1733500000&utm_source=newsletter&utm_medium=email"
            ))
            .is_ok()
        );
        assert_eq!(fields("postcode=YO10 3&intrest=football"), ["intrest"]);
        assert_eq!(fields("postcode=YO10 3&utm=x"), ["utm"]);
    }

    #[test]
    fn a_full_query_parses() {
        let p = parse(&pairs("postcode=YO10 3&radius_km=3&interest=football&interest=walking&free=true&day=tue&from=18:00&to=21:00&access=step_free_access&age=40&kind=group&limit=5")).unwrap();
        assert_eq!(
            p.area,
            Area::Near {
                point: NearPoint::Postcode("YO10 3".into()),
                radius_m: 3000.0,
                within: None,
            }
        );
        assert_eq!(p.interests, ["football", "walking"]);
        assert_eq!(p.days, [Weekday::Tue]);
        assert_eq!(p.free, Some(true));
        assert_eq!(p.limit, 5);
        assert_eq!(p.order(), Order::Distance);
    }

    #[test]
    fn defaults_and_orders() {
        let p = parse(&pairs("lat=53.95&lon=-1.05")).unwrap();
        assert_eq!(
            p.area,
            Area::Near {
                point: NearPoint::Coordinates(LatLon {
                    lat: 53.95,
                    lon: -1.05
                }),
                radius_m: 5000.0,
                within: None,
            }
        );
        assert_eq!(p.limit, DEFAULT_LIMIT);
        assert_eq!(parse(&pairs("q=choir")).unwrap().order(), Order::Relevance);
        assert_eq!(parse(&pairs("")).unwrap().order(), Order::Title);
        assert_eq!(
            parse(&pairs("bbox=-2.4,53.4,-2.2,53.5")).unwrap().order(),
            Order::Title
        );
    }

    #[test]
    fn every_bad_parameter_is_named() {
        assert_eq!(fields("bbox=-2.2,53.5,-2.4,53.4"), ["bbox"]);
        assert_eq!(fields("bbox=1,2,3"), ["bbox"]);
        assert_eq!(fields("lat=53&lon=-1&radius_km=0"), ["radius_km"]);
        assert_eq!(fields("lat=53&lon=-1&radius_km=10000"), ["radius_km"]);
        assert_eq!(fields("radius_km=3"), ["radius_km"]);
        assert_eq!(fields("day=funday"), ["day"]);
        assert_eq!(fields("from=25:00"), ["from"]);
        assert_eq!(fields("from=18:00&to=17:00"), ["to"]);
        assert_eq!(fields("lat=95&lon=0"), ["lat"]);
        assert_eq!(fields("lat=53"), ["lon"]);
        assert_eq!(
            fields("free=maybe&age=200&limit=0&kind=party&access=lift"),
            ["kind", "access", "free", "age", "limit"]
        );
        assert_eq!(fields("cursor=nonsense"), ["cursor"]);
        assert_eq!(fields("intrest=football"), ["intrest"]);
        assert_eq!(fields("q=a&q=b"), ["q"]);
        assert_eq!(fields("postcode=M1&lat=53&lon=-2"), ["postcode"]);
        assert_eq!(fields("postcode=M1&bbox=-2.2,53.5,-2.4,53.4"), ["bbox"]);
        assert_eq!(fields("updated_since=yesterday"), ["updated_since"]);
        assert_eq!(fields("format=xml"), ["format"]);
        assert_eq!(
            parse(&pairs("interest=")).unwrap(),
            parse(&pairs("")).unwrap(),
            "an empty interest box is no filter"
        );
        assert_eq!(fields("interest=&interest="), ["interest", "interest"]);
        assert_eq!(fields("kind=&day=&access="), ["kind", "day", "access"]);
        assert_eq!(fields("access=step_free_access&access="), ["access"]);
        assert_eq!(
            parse(&[("q".into(), "a\0b".into())]).unwrap_err()[0].field,
            "q"
        );
    }

    #[test]
    fn forged_cursors_with_values_the_database_cannot_hold_are_refused() {
        let encode = |json: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
        };
        let id = Uuid::nil();
        for forged in [
            serde_json::json!({"o": "t", "t": "Choir\u{0}", "id": id, "q": "x"}),
            serde_json::json!({"o": "t", "t": "x".repeat(1001), "id": id, "q": "x"}),
            serde_json::json!({"o": "d", "m": -5, "id": id, "q": "x"}),
            serde_json::json!({"o": "d", "m": 5, "id": id, "q": "x\u{0}"}),
        ] {
            assert_eq!(Cursor::decode(&encode(forged.clone())), None, "{forged}");
        }
        let huge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            r#"{{"o": "r", "n": 1e400, "id": "{id}", "q": "x"}}"#
        ));
        assert_eq!(Cursor::decode(&huge), None);
        assert!(
            Cursor::decode(&encode(
                serde_json::json!({"o": "t", "t": "Choir", "id": id, "q": "x"})
            ))
            .is_some()
        );
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_query() {
        let first = parse(&pairs("lat=53.95&lon=-1.05&interest=sport")).unwrap();
        let cursor = Cursor {
            order: Order::Distance,
            number: None,
            millimetres: Some(1_234_568),
            title: None,
            id: Uuid::nil(),
            query: first.fingerprint.clone(),
        };
        let encoded = cursor.encode();
        assert_eq!(Cursor::decode(&encoded), Some(cursor.clone()));
        // One issued before paging in millimetres carried metres.
        let older = Cursor {
            number: Some(1234.5678),
            millimetres: None,
            ..cursor.clone()
        };
        assert_eq!(Cursor::decode(&older.encode()), Some(cursor));
        let next = parse(&pairs(&format!(
            "lat=53.95&lon=-1.05&interest=sport&limit=50&cursor={encoded}"
        )))
        .unwrap();
        assert!(next.cursor.is_some(), "limit may change between pages");
        assert_eq!(
            fields(&format!(
                "lat=53.95&lon=-1.05&interest=music&cursor={encoded}"
            )),
            ["cursor"]
        );
    }
}
