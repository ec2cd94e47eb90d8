//! Realistic OpenActive feeds made up locally (deterministic from a seed): session series of
//! many organisers at many venues around Greater Manchester, with offers, concessions, levels,
//! gender restrictions and weekly schedules, and their scheduled sessions in a second feed.
//! For the harvester's tests and benchmark; no real publisher's data is used.

use serde_json::{Value, json};

/// A small deterministic generator (SplitMix64), so that runs are comparable.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// One RPDE item as a publisher holds it.
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub id: String,
    pub modified: i64,
    pub kind: &'static str,
    pub data: Option<Value>,
}

impl FeedItem {
    pub fn to_json(&self) -> Value {
        match &self.data {
            Some(data) => json!({"state": "updated", "kind": self.kind, "id": self.id,
                                 "modified": self.modified, "data": data}),
            None => json!({"state": "deleted", "kind": self.kind, "id": self.id,
                           "modified": self.modified}),
        }
    }
}

/// A publisher's feed: items kept in RPDE order (`modified`, then `id`).
#[derive(Debug, Clone, Default)]
pub struct Feed {
    pub items: Vec<FeedItem>,
}

impl Feed {
    pub fn sort(&mut self) {
        self.items
            .sort_by(|a, b| (a.modified, &a.id).cmp(&(b.modified, &b.id)));
    }

    /// The page after (`after_modified`, `after_id`), at most `limit` items, as RPDE 1.0
    /// serves it; `base` is the feed's URL.
    pub fn page(&self, base: &str, after: Option<(i64, &str)>, limit: usize) -> Value {
        let start = match after {
            None => 0,
            Some((m, id)) => self
                .items
                .partition_point(|i| (i.modified, i.id.as_str()) <= (m, id)),
        };
        let items: Vec<&FeedItem> = self.items[start..].iter().take(limit).collect();
        let next = match items.last() {
            Some(last) => format!(
                "{base}?afterTimestamp={}&afterId={}",
                last.modified, last.id
            ),
            None => match after {
                Some((m, id)) => format!("{base}?afterTimestamp={m}&afterId={id}"),
                None => base.to_string(),
            },
        };
        json!({
            "next": next,
            "items": items.iter().map(|i| i.to_json()).collect::<Vec<_>>(),
            "license": "https://creativecommons.org/licenses/by/4.0/",
        })
    }

    /// The page a request with this query string asks for (`afterTimestamp` and `afterId`, as
    /// the previous page's `next` gives them; without both, the first page).
    pub fn answer(&self, base: &str, query: &str, limit: usize) -> Value {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let after = match (get("afterTimestamp"), get("afterId")) {
            (Some(t), Some(id)) => t.parse::<i64>().ok().map(|t| (t, id)),
            _ => None,
        };
        self.page(base, after, limit)
    }

    /// Changes an item (new `modified` at the end of the feed).
    pub fn touch(&mut self, index: usize, modified: i64, data: Option<Value>) {
        let item = &mut self.items[index];
        item.modified = modified;
        item.data = data;
    }

    pub fn last_modified(&self) -> i64 {
        self.items.iter().map(|i| i.modified).max().unwrap_or(0)
    }
}

const ACTIVITIES: [(&str, &str); 12] = [
    (
        "Swimming",
        "https://openactive.io/activity-list#2750229d-b725-4171-9276-376be913957c",
    ),
    (
        "Yoga",
        "https://openactive.io/activity-list#bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e",
    ),
    (
        "Badminton",
        "https://openactive.io/activity-list#c0360db0-a817-4bae-9167-40f89b49fc9e",
    ),
    (
        "Walking Football",
        "https://openactive.io/activity-list#b8019b67-2ade-406f-a012-91a5c3869652",
    ),
    (
        "Pilates",
        "https://openactive.io/activity-list#3a6b1c08-7aa6-48d4-9690-dca9e0133057",
    ),
    (
        "Netball",
        "https://openactive.io/activity-list#fbdc35a8-3dd0-40ee-a7ca-6ff40b3e5f90",
    ),
    (
        "Tai Chi",
        "https://openactive.io/activity-list#c16df6ed-a4a0-4275-a8c3-1c8cff56856f",
    ),
    (
        "Dance",
        "https://openactive.io/activity-list#6ca15167-51da-4d91-a1ae-8a45dc47b0ea",
    ),
    (
        "Table Tennis",
        "https://openactive.io/activity-list#1a05993d-b206-4efe-85da-646fa340bdf4",
    ),
    (
        "Aqua Aerobics",
        "https://openactive.io/activity-list#6e31262b-ce37-4fc7-b3e3-d827ac5e8b42",
    ),
    (
        "Boxercise",
        "https://openactive.io/activity-list#25b963ea-e01e-4fd9-ba38-275f1d278ed6",
    ),
    (
        "Circuit Training",
        "https://openactive.io/activity-list#d22d1d7d-8a2f-4e18-88c8-80abcbdded9d",
    ),
];
const LEVELS: [&str; 4] = ["Beginner", "Intermediate", "Advanced", "All levels"];
const TOWNS: [&str; 6] = [
    "Sale",
    "Altrincham",
    "Stretford",
    "Urmston",
    "Manchester",
    "Salford",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The base of every generated `@id`.
pub const ID_BASE: &str = "https://booking.example.org/api";

/// A session series: `n` names it, `orgs` and `venues` bound how many organisers and places
/// are shared.
pub fn session_series(rng: &mut Rng, n: usize, orgs: usize, venues: usize) -> Value {
    let (activity, uri) = *rng.pick(&ACTIVITIES);
    let org = rng.below(orgs as u64);
    let venue = rng.below(venues as u64);
    let town = TOWNS[(venue % TOWNS.len() as u64) as usize];
    // Places spread over ~20 km around Manchester.
    let lat = 53.40 + (venue as f64 * 0.618).fract() * 0.12;
    let lon = -2.40 + (venue as f64 * 0.414).fract() * 0.25;
    let price = 200 + rng.below(600) as i64;
    let hour = 7 + rng.below(13);
    let minute = [0, 15, 30, 45][rng.below(4) as usize];
    let day = *rng.pick(&DAYS);
    let women_only = rng.below(10) == 0;
    let level = *rng.pick(&LEVELS);
    let prepayment = [
        "https://openactive.io/Required",
        "https://openactive.io/Optional",
        "https://openactive.io/Unavailable",
    ][rng.below(3) as usize];
    let mut offers = vec![
        json!({"@type": "Offer", "identifier": "adult", "name": "Adult",
        "price": price as f64 / 100.0, "priceCurrency": "GBP", "prepayment": prepayment}),
    ];
    if rng.below(2) == 0 {
        offers.push(
            json!({"@type": "Offer", "identifier": "senior", "name": "Over 60",
            "price": (price / 2) as f64 / 100.0, "priceCurrency": "GBP",
            "ageRestriction": {"@type": "QuantitativeValue", "minValue": 60}}),
        );
    }
    json!({
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "SessionSeries",
        "@id": format!("{ID_BASE}/session-series/{n}"),
        "identifier": n.to_string(),
        "name": format!("{activity} at {town} {n}"),
        "description": format!("A friendly {} {activity} session for adults.", level.to_lowercase()),
        "activity": [{"@type": "Concept", "@id": uri, "prefLabel": activity, "inScheme": "https://openactive.io/activity-list"}],
        "genderRestriction": if women_only { "https://openactive.io/FemaleOnly" } else { "https://openactive.io/NoRestriction" },
        "ageRange": {"@type": "QuantitativeValue", "minValue": 16},
        "level": [level],
        "isCoached": rng.below(2) == 0,
        "attendeeInstructions": "Arrive ten minutes early and bring water.",
        "accessibilitySupport": if rng.below(4) == 0 { json!([{"@type": "Concept", "@id": "https://openactive.io/accessibility-support#1393f2dc-3fcc-4be9-a99f-f1e51f5ad277", "prefLabel": "Visual impairment", "inScheme": "https://openactive.io/accessibility-support"}]) } else { json!([]) },
        "organizer": {"@type": "Organization", "@id": format!("{ID_BASE}/organizers/{org}"),
            "name": format!("Community Sport Club {org}"), "url": format!("https://club{org}.example.org/"),
            "email": format!("hello@club{org}.example.org"), "telephone": "0161 496 0000"},
        "location": {"@type": "Place", "@id": format!("{ID_BASE}/places/{venue}"), "identifier": venue.to_string(),
            "name": format!("{town} Community Sports Hall {venue}"),
            "address": {"@type": "PostalAddress", "streetAddress": format!("{} Park Road", 1 + venue % 200),
                "addressLocality": town, "addressRegion": "Greater Manchester", "addressCountry": "GB"},
            "geo": {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon},
            "amenityFeature": [{"@type": "Parking", "name": "Parking", "value": rng.below(2) == 0}]},
        "offers": offers,
        "eventSchedule": [{"@type": "PartialSchedule", "repeatFrequency": "P1W", "byDay": [format!("https://schema.org/{day}")],
            "startTime": format!("{hour:02}:{minute:02}"), "duration": "PT1H", "scheduleTimezone": "Europe/London"}],
        "url": format!("https://booking.example.org/book/{n}"),
    })
}

/// A scheduled session of series `series`, `week` weeks after `first` (a date, YYYY-MM-DD).
pub fn scheduled_session(series: usize, k: usize, first: chrono::NaiveDate, week: i64) -> Value {
    let date = first + chrono::Duration::weeks(week) + chrono::Duration::days((series % 7) as i64);
    json!({
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "ScheduledSession",
        "@id": format!("{ID_BASE}/session-series/{series}/scheduled-sessions/{k}"),
        "identifier": format!("{series}-{k}"),
        "superEvent": format!("{ID_BASE}/session-series/{series}"),
        "startDate": format!("{date}T12:00:00Z"),
        "endDate": format!("{date}T13:00:00Z"),
        "duration": "PT1H",
        "maximumAttendeeCapacity": 20,
        "eventStatus": "https://schema.org/EventScheduled",
    })
}

/// A publisher with `series` session series and `sessions_each` sessions of each, in two
/// feeds; sessions are modified before their series, so a harvester reading both meets
/// children before parents.
pub fn publisher(
    seed: u64,
    series: usize,
    sessions_each: usize,
    first: chrono::NaiveDate,
) -> (Feed, Feed) {
    let mut rng = Rng::new(seed);
    let orgs = (series / 40).max(2);
    let venues = (series / 8).max(3);
    let mut parents = Feed::default();
    let mut children = Feed::default();
    for n in 0..series {
        parents.items.push(FeedItem {
            id: n.to_string(),
            modified: 1_000_000 + n as i64 * 2 + 1,
            kind: "SessionSeries",
            data: Some(session_series(&mut rng, n, orgs, venues)),
        });
        for k in 0..sessions_each {
            children.items.push(FeedItem {
                id: format!("{n}-{k}"),
                modified: 1_000_000 + n as i64 * 2,
                kind: "ScheduledSession",
                data: Some(scheduled_session(n, k, first, k as i64)),
            });
        }
    }
    parents.sort();
    children.sort();
    (parents, children)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_rpde_order_and_end_on_an_empty_page_pointing_at_itself() {
        let (parents, _) = publisher(
            1,
            5,
            0,
            chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        );
        let first = parents.page("http://x/f", None, 2);
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let next = first["next"].as_str().unwrap();
        assert!(next.contains("afterTimestamp=1000003&afterId=1"), "{next}");
        let last = parents.page("http://x/f", Some((1_000_009, "4")), 2);
        assert!(last["items"].as_array().unwrap().is_empty());
        assert_eq!(last["next"], "http://x/f?afterTimestamp=1000009&afterId=4");
    }

    #[test]
    fn generated_series_map_onto_valid_listings() {
        let mut rng = Rng::new(7);
        let today = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        for n in 0..50 {
            let v = session_series(&mut rng, n, 5, 10);
            let r = super::super::read::read_opportunity(&v, &[], today).unwrap();
            crate::domain::asset::validate_imported(&r.asset).unwrap();
        }
    }
}
