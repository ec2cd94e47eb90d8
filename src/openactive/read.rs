//! An OpenActive opportunity (SessionSeries, FacilityUse, IndividualFacilityUse,
//! CourseInstance, EventSeries, Event) with its occurrences (ScheduledSession, Slot) mapped onto
//! our submission, so that it passes the API's own rules on the way in. Occurrences become
//! weekly patterns where they repeat (the same weekday and times in at least
//! `WEEKLY_FROM` weeks) and dated sessions otherwise; past ones are dropped.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use serde_json::Value;

use super::rpde::{node_id, node_type};
use crate::domain::asset::{
    AssetInput, AssetKind, CapacityInput, Contact, EligibilityInput, FiveWays, Newcomers,
};
use crate::domain::audience::{Audience, GenderRule};
use crate::domain::cost::{ConcessionRule, CostInput};
use crate::domain::organization::OrganizationInput;
use crate::domain::participation::{Participation, Prepayment};
use crate::domain::schedule::{
    DatedSessionInput, MAX_DATED_SESSIONS, MAX_WEEKLY_SESSIONS, ScheduleInput, Weekday,
    WeeklySessionInput,
};
use crate::domain::validation::{Errors, FieldError};
use crate::domain::venue::{AccessibilityFeature, VenueInput, VenueType};
use crate::oruk::read::{Concept, ImportRecord, OrganizationRecord};

/// Occurrences on the same weekday and times in at least this many different weeks are a
/// weekly pattern.
pub const WEEKLY_FROM: usize = 3;

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    match v.get(key) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(one @ Value::String(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// A concept's label: `prefLabel` of a Concept, or the string itself.
fn label(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(_) => text(v, "prefLabel").or_else(|| text(v, "name")),
        _ => None,
    }
}

/// The last path segment or fragment of an OpenActive enumeration URL
/// (`https://openactive.io/FemaleOnly` → `FemaleOnly`).
fn enum_name(v: &Value) -> Option<&str> {
    let s = v.as_str()?;
    s.rsplit(['/', '#']).next()
}

/// ISO 8601 durations of hours, minutes and seconds (`PT1H30M`); days are left out.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let t = s.strip_prefix("PT")?;
    let mut total = 0i64;
    let mut number = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                total += (n * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                }) as i64;
            }
            _ => return None,
        }
    }
    number.is_empty().then(|| Duration::seconds(total))
}

fn local_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .ok()
}

/// A date-time with an offset, as UK local date and time.
fn local(s: &str) -> Option<(NaiveDate, NaiveTime)> {
    let t = DateTime::parse_from_rfc3339(s).ok()?;
    let l = London.from_utc_datetime(&t.naive_utc()).naive_local();
    Some((l.date(), l.time()))
}

fn weekday(v: &Value) -> Option<Weekday> {
    let name = enum_name(v)?.to_lowercase();
    Weekday::ALL
        .iter()
        .copied()
        .find(|d| name.starts_with(&format!("{d:?}").to_lowercase()))
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// One occurrence, in UK local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Occurrence {
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
}

/// An occurrence from a ScheduledSession or Slot: `startDate` and `endDate` (or `duration`).
/// Cancelled ones and ones that cross midnight are left out.
fn occurrence(v: &Value) -> Option<Occurrence> {
    if v.get("eventStatus")
        .and_then(enum_name)
        .is_some_and(|s| s.contains("Cancelled") || s.contains("Postponed"))
    {
        return None;
    }
    let start = DateTime::parse_from_rfc3339(v.get("startDate")?.as_str()?).ok()?;
    let end = match v.get("endDate").and_then(Value::as_str) {
        Some(e) => DateTime::parse_from_rfc3339(e).ok()?,
        None => start + parse_duration(v.get("duration")?.as_str()?)?,
    };
    let (date, start_time) = local(&start.to_rfc3339())?;
    let (end_date, end_time) = local(&end.to_rfc3339())?;
    (end_date == date && end_time > start_time).then_some(Occurrence {
        date,
        start: start_time,
        end: end_time,
    })
}

/// Weekly patterns from `eventSchedule` (weekly or daily repeats with `byDay`, start and end
/// times or a duration), and what it could not say as weekly sessions.
fn schedules(v: &Value, notes: &mut Vec<String>) -> Vec<WeeklySessionInput> {
    let mut weekly = Vec::new();
    for s in list(v, "eventSchedule") {
        let frequency = text(s, "repeatFrequency").unwrap_or_default();
        let Some(start) = text(s, "startTime").and_then(|t| local_time(&t)) else {
            continue;
        };
        let end = text(s, "endTime").and_then(|t| local_time(&t)).or_else(|| {
            text(s, "duration")
                .and_then(|d| parse_duration(&d))
                .and_then(|d| start.overflowing_add_signed(d).0.into())
        });
        let Some(end) = end.filter(|e| *e > start) else {
            continue;
        };
        let mut days: Vec<Weekday> = list(s, "byDay").into_iter().filter_map(weekday).collect();
        if days.is_empty() && frequency == "P1D" {
            days = Weekday::ALL.to_vec();
        }
        if days.is_empty() || !(frequency == "P1W" || frequency == "P1D" || frequency.is_empty()) {
            if !frequency.is_empty() {
                notes.push(format!("Repeats every {frequency} from {}.", hhmm(start)));
            }
            continue;
        }
        let date = |k: &str| {
            text(s, k)
                .and_then(|d| NaiveDate::parse_from_str(&d[..d.len().min(10)], "%Y-%m-%d").ok())
        };
        for day in days {
            weekly.push(WeeklySessionInput {
                day,
                start: hhmm(start),
                end: hhmm(end),
                valid_from: date("startDate"),
                valid_until: date("endDate"),
            });
        }
    }
    weekly
}

/// Occurrences that repeat weekly become weekly sessions (from the first to the last date);
/// the rest stay dated. Past occurrences are dropped, and ones a weekly pattern covers.
fn collapse(
    mut occurrences: Vec<Occurrence>,
    weekly: &mut Vec<WeeklySessionInput>,
    today: NaiveDate,
) -> Vec<DatedSessionInput> {
    occurrences.retain(|o| o.date >= today);
    occurrences.sort();
    occurrences.dedup();
    let covered = |o: &Occurrence, w: &[WeeklySessionInput]| {
        w.iter().any(|p| {
            p.day == Weekday::of(o.date)
                && p.start == hhmm(o.start)
                && p.end == hhmm(o.end)
                && p.valid_from.is_none_or(|f| o.date >= f)
                && p.valid_until.is_none_or(|u| o.date <= u)
        })
    };
    let mut groups: BTreeMap<(i16, NaiveTime, NaiveTime), Vec<NaiveDate>> = BTreeMap::new();
    for o in &occurrences {
        if !covered(o, weekly) {
            groups
                .entry((Weekday::of(o.date).iso_number(), o.start, o.end))
                .or_default()
                .push(o.date);
        }
    }
    for ((day, start, end), dates) in groups {
        if dates.len() >= WEEKLY_FROM && weekly.len() < MAX_WEEKLY_SESSIONS {
            weekly.push(WeeklySessionInput {
                day: Weekday::from_iso_number(day).unwrap_or(Weekday::Mon),
                start: hhmm(start),
                end: hhmm(end),
                valid_from: dates.first().copied(),
                valid_until: dates.last().copied(),
            });
        }
    }
    occurrences
        .iter()
        .filter(|o| !covered(o, weekly))
        .take(MAX_DATED_SESSIONS)
        .map(|o| DatedSessionInput {
            date: o.date,
            start: hhmm(o.start),
            end: hhmm(o.end),
        })
        .collect()
}

fn pence(v: &Value) -> Option<i64> {
    let price = match v.get("price")? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (price >= 0.0).then(|| (price * 100.0).round() as i64)
}

fn age_range(v: &Value) -> (Option<i64>, Option<i64>) {
    let whole = |k: &str| v.get(k).and_then(Value::as_f64).map(|n| n as i64);
    (whole("minValue"), whole("maxValue"))
}

/// Offers: the highest price not restricted by age is the price (a members' or off-peak price
/// is not for everyone, and a budget must never be promised what it cannot buy); offers
/// restricted by age are concession rules; every offer free means free. All are named in the
/// notes. Prepayment is the strictest stated.
fn cost(offers: &[&Value], participation: &mut Participation) -> CostInput {
    let mut general: Vec<i64> = Vec::new();
    let mut rules: Vec<ConcessionRule> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for offer in offers {
        let Some(price) = pence(offer) else { continue };
        if let Some(name) = text(offer, "name") {
            names.push(format!("{name} £{}.{:02}", price / 100, price % 100));
        }
        match offer.get("ageRestriction").map(age_range) {
            Some((min_age, max_age)) if min_age.is_some() || max_age.is_some() => {
                rules.push(ConcessionRule {
                    price_pence: price,
                    who: Vec::new(),
                    min_age,
                    max_age,
                })
            }
            _ => general.push(price),
        }
        // `openBookingPrepayment` is the published name; some feeds write `prepayment`.
        let prepayment = ["openBookingPrepayment", "prepayment"]
            .iter()
            .find_map(|k| offer.get(*k))
            .and_then(enum_name)
            .and_then(|p| Prepayment::parse(&p.to_lowercase()));
        participation.prepayment = match (participation.prepayment, prepayment) {
            (Some(Prepayment::Required), _) | (_, Some(Prepayment::Required)) => {
                Some(Prepayment::Required)
            }
            (Some(p), _) => Some(p),
            (None, p) => p,
        };
    }
    let amount = general.iter().copied().max().or_else(|| {
        // Every offer is age-restricted: the dearest is the full price.
        rules.iter().map(|r| r.price_pence).max()
    });
    // A rule only counts as a concession when it is cheaper than the full price.
    rules.retain(|r| amount.is_some_and(|a| r.price_pence < a));
    rules.sort_by_key(|r| (r.price_pence, r.min_age, r.max_age));
    rules.dedup();
    rules.truncate(crate::domain::cost::MAX_RULES);
    let all_free = !offers.is_empty() && amount == Some(0);
    CostInput {
        free: amount.map(|_| all_free),
        amount_pence: amount,
        concession_pence: None,
        concessions: rules,
        notes: (names.len() > 1).then(|| {
            let mut notes = names.join("; ");
            notes.truncate(
                notes
                    .char_indices()
                    .nth(490)
                    .map_or(notes.len(), |(i, _)| i),
            );
            notes
        }),
    }
}

/// Amenities that say something about access; the rest (showers, lockers) are not kept.
fn accessibility(place: &Value) -> Vec<AccessibilityFeature> {
    let mut out = Vec::new();
    for feature in list(place, "amenityFeature") {
        if feature.get("value").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let kind = node_type(feature).unwrap_or("").to_lowercase();
        let name = text(feature, "name").unwrap_or_default().to_lowercase();
        let words = format!("{kind} {name}");
        if words.contains("parking") {
            out.push(AccessibilityFeature::Parking);
        }
        if words.contains("wheelchair") {
            out.push(AccessibilityFeature::WheelchairAccessible);
        }
        if words.contains("step") && words.contains("free") {
            out.push(AccessibilityFeature::StepFreeAccess);
        }
        if words.contains("accessible toilet") || words.contains("accessibletoilet") {
            out.push(AccessibilityFeature::AccessibleToilet);
        }
        if words.contains("hearing loop") {
            out.push(AccessibilityFeature::HearingLoop);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn venue(place: &Value) -> Option<(VenueInput, Option<String>)> {
    let name = text(place, "name")?;
    let address = place.get("address").filter(|a| a.is_object());
    let geo = place.get("geo");
    let coordinate = |k: &str| {
        geo.and_then(|g| g.get(k)).and_then(|v| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    };
    let location = match (coordinate("latitude"), coordinate("longitude")) {
        (Some(lat), Some(lon)) => Some(crate::domain::geometry::LatLon { lat, lon }),
        _ => None,
    };
    let lines: Vec<String> = address
        .and_then(|a| text(a, "streetAddress"))
        .into_iter()
        .flat_map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .take(4)
        .collect();
    let input = VenueInput {
        name,
        address_lines: lines,
        town: address.and_then(|a| text(a, "addressLocality").or_else(|| text(a, "addressRegion"))),
        postcode: address.and_then(|a| text(a, "postalCode")),
        location,
        venue_type: VenueType::SportsCentre,
        non_stigmatised: Some(true),
        accessibility: accessibility(place),
        website: text(place, "url"),
        phone: text(place, "telephone"),
    };
    let id = node_id(place).or_else(|| text(place, "identifier"));
    Some((input, id))
}

fn organization(v: &Value) -> Option<OrganizationRecord> {
    let org = ["organizer", "provider"]
        .iter()
        .find_map(|k| v.get(*k).filter(|o| o.is_object()))?;
    let name =
        text(org, "name").or_else(|| match (text(org, "givenName"), text(org, "familyName")) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (g, f) => g.or(f),
        })?;
    let source_id = node_id(org)
        .or_else(|| text(org, "identifier"))
        .unwrap_or_else(|| name.clone());
    Some(OrganizationRecord {
        source_id,
        input: OrganizationInput {
            name,
            description: text(org, "description"),
            website: text(org, "url"),
            email: text(org, "email"),
            phone: text(org, "telephone"),
            ..Default::default()
        },
        raw: org.clone(),
    })
}

/// The value of `key` on the opportunity, else on what it is an instance of (the EventSeries
/// above a SessionSeries, the Course of a CourseInstance, the FacilityUse of an individual one).
fn inherited<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null()).or_else(|| {
        ["superEvent", "instanceOfCourse", "aggregateFacilityUse"]
            .iter()
            .filter_map(|k| v.get(*k).filter(|p| p.is_object()))
            .find_map(|p| p.get(key).filter(|x| !x.is_null()))
    })
}

fn inherited_text(v: &Value, key: &str) -> Option<String> {
    inherited(v, key).and_then(label)
}

fn inherited_list<'a>(v: &'a Value, key: &str) -> Vec<&'a Value> {
    match inherited(v, key) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// Maps an opportunity and its occurrences (already stripped of deleted ones) onto a
/// submission; `today` drops past occurrences.
pub fn read_opportunity(
    v: &Value,
    children: &[Value],
    today: NaiveDate,
) -> Result<ImportRecord, Vec<FieldError>> {
    let mut errors = Errors::default();
    let kind_name = node_type(v).unwrap_or("");
    let source_id = node_id(v).or_else(|| text(v, "identifier"));
    if source_id.is_none() {
        errors.add("@id", "the opportunity has no @id or identifier");
    }
    let title = inherited_text(v, "name");
    if title.is_none() {
        errors.add("name", "the opportunity has no name");
    }
    let kind = if kind_name == "CourseInstance" {
        AssetKind::Course
    } else {
        AssetKind::Activity
    };

    let mut participation = Participation {
        levels: inherited_list(v, "level")
            .into_iter()
            .filter_map(label)
            .collect(),
        coached: inherited(v, "isCoached").and_then(Value::as_bool),
        attendee_instructions: inherited_text(v, "attendeeInstructions"),
        accessibility_support: inherited_list(v, "accessibilitySupport")
            .into_iter()
            .filter_map(label)
            .collect(),
        prepayment: None,
    };
    participation
        .levels
        .truncate(crate::domain::participation::MAX_LEVELS);
    participation
        .accessibility_support
        .truncate(crate::domain::participation::MAX_SUPPORT);

    // Offers: the opportunity's own, else those of its occurrences.
    let mut offers = inherited_list(v, "offers");
    if offers.is_empty() {
        offers = children.iter().flat_map(|c| list(c, "offers")).collect();
    }
    let cost = cost(&offers, &mut participation);

    let mut notes = Vec::new();
    let mut weekly = schedules(v, &mut notes);
    let mut occurrences: Vec<Occurrence> = children.iter().filter_map(occurrence).collect();
    // A CourseInstance or Event carries its own dates.
    if children.is_empty()
        && let Some(o) = occurrence(v)
    {
        occurrences.push(o);
    }
    let dated = collapse(occurrences, &mut weekly, today);
    weekly.truncate(MAX_WEEKLY_SESSIONS);

    let place = inherited(v, "location").filter(|p| p.is_object());
    let (venue_input, venue_source_id) = match place.and_then(venue) {
        Some((input, id)) => (Some(input), id),
        None => (None, None),
    };
    let online = venue_input.is_none()
        && (inherited(v, "beta:virtualLocation").is_some()
            || inherited(v, "virtualLocation").is_some()
            || kind_name == "OnDemandEvent");
    let (min_age, max_age) = inherited(v, "ageRange").map(age_range).unwrap_or_default();
    let gender = match inherited(v, "genderRestriction").and_then(enum_name) {
        Some("FemaleOnly") => GenderRule::WomenOnly,
        Some("MaleOnly") => GenderRule::MenOnly,
        _ => GenderRule::Mixed,
    };
    let max_participants = inherited(v, "maximumAttendeeCapacity")
        .and_then(Value::as_i64)
        .or_else(|| {
            children
                .iter()
                .filter_map(|c| c.get("maximumAttendeeCapacity").and_then(Value::as_i64))
                .max()
        })
        .filter(|n| (1..=100_000).contains(n));
    let organization = organization(v).or_else(|| {
        ["superEvent", "instanceOfCourse", "aggregateFacilityUse"]
            .iter()
            .filter_map(|k| v.get(*k))
            .find_map(organization)
    });
    let contact_org = organization.as_ref().map(|o| &o.raw);
    let url = inherited_text(v, "url");
    let concepts: Vec<Concept> = inherited_list(v, "activity")
        .into_iter()
        .filter_map(|c| {
            Some(Concept {
                uri: node_id(c),
                label: label(c)?,
            })
        })
        .collect();
    let mut description = inherited_text(v, "description");
    if let Some(info) = inherited_text(v, "accessibilityInformation") {
        description = Some(match description {
            Some(d) => format!("{d}\n\nAccessibility: {info}"),
            None => format!("Accessibility: {info}"),
        });
    }
    if let Some(d) = &mut description
        && d.chars().count() > 10_000
    {
        *d = d.chars().take(9_999).collect::<String>() + "…";
    }

    let asset = AssetInput {
        organization_id: None,
        kind,
        title: title
            .map(|t| t.chars().take(200).collect())
            .unwrap_or_default(),
        description,
        venue_id: None,
        venue: venue_input,
        service_area: None,
        online,
        interests: Vec::new(),
        five_ways: vec![FiveWays::BeActive],
        eligibility: EligibilityInput {
            min_age,
            max_age,
            criteria: None,
        },
        audience: Audience {
            gender,
            ..Default::default()
        },
        cost,
        schedule: ScheduleInput {
            weekly,
            dated,
            notes: (!notes.is_empty()).then(|| notes.join(" ")),
        },
        newcomers: Newcomers {
            booking_required: (participation.prepayment == Some(Prepayment::Required))
                .then_some(true),
            ..Default::default()
        },
        capacity: CapacityInput {
            max_participants,
            typical_group_size: None,
        },
        contact: Contact {
            name: None,
            email: contact_org.and_then(|o| text(o, "email")),
            phone: contact_org.and_then(|o| text(o, "telephone")),
            url,
        },
        participation,
        external_id: None,
    };
    let active = !v
        .get("eventStatus")
        .and_then(enum_name)
        .is_some_and(|s| s.contains("Cancelled"));
    errors.finish(ImportRecord {
        source_id: source_id.unwrap_or_default(),
        organization,
        asset,
        venue_source_id,
        interest_phrases: Vec::new(),
        concepts,
        confirmed_at: None,
        active,
        example: false,
        attribution: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
    }

    fn series() -> Value {
        json!({
            "@context": "https://openactive.io/",
            "@type": "SessionSeries",
            "@id": "https://leisure.example.org/session-series/42",
            "name": "Women's beginners swim",
            "description": "A relaxed swim for women new to the pool.",
            "activity": [{"@type": "Concept", "@id": "https://openactive.io/activity-list#2750229d-b725-4171-9276-376be913957c", "prefLabel": "Swimming", "inScheme": "https://openactive.io/activity-list"}],
            "genderRestriction": "https://openactive.io/FemaleOnly",
            "ageRange": {"@type": "QuantitativeValue", "minValue": 16},
            "level": ["Beginner"],
            "isCoached": true,
            "attendeeInstructions": "Bring a towel and a padlock.",
            "accessibilitySupport": [{"@type": "Concept", "prefLabel": "Visual impairment"}],
            "organizer": {"@type": "Organization", "@id": "https://leisure.example.org/org/1", "name": "Example Leisure Trust", "url": "https://leisure.example.org", "email": "hello@leisure.example.org", "telephone": "0161 000 0000"},
            "location": {"@type": "Place", "@id": "https://leisure.example.org/places/7", "name": "Sale Leisure Centre",
                "address": {"@type": "PostalAddress", "streetAddress": "Broad Road", "addressLocality": "Sale", "postalCode": "M33 2AL", "addressCountry": "GB"},
                "geo": {"@type": "GeoCoordinates", "latitude": 53.4237, "longitude": -2.3196},
                "amenityFeature": [{"@type": "Parking", "name": "Parking", "value": true}, {"@type": "Showers", "name": "Showers", "value": true}]},
            "offers": [
                {"@type": "Offer", "name": "Adult", "price": 4.5, "priceCurrency": "GBP", "prepayment": "https://openactive.io/Optional"},
                {"@type": "Offer", "name": "Over 60", "price": 3.0, "priceCurrency": "GBP", "ageRestriction": {"@type": "QuantitativeValue", "minValue": 60}}
            ],
            "url": "https://leisure.example.org/book/42"
        })
    }

    fn session(start: &str, end: &str) -> Value {
        json!({"@type": "ScheduledSession", "superEvent": "https://leisure.example.org/session-series/42",
               "startDate": start, "endDate": end, "maximumAttendeeCapacity": 20})
    }

    #[test]
    fn a_session_series_maps_every_field_the_directory_holds() {
        let r = read_opportunity(&series(), &[], today()).unwrap();
        let a = &r.asset;
        assert_eq!(r.source_id, "https://leisure.example.org/session-series/42");
        assert_eq!(a.title, "Women's beginners swim");
        assert_eq!(a.audience.gender, GenderRule::WomenOnly);
        assert_eq!(a.eligibility.min_age, Some(16));
        assert_eq!(a.cost.amount_pence, Some(450));
        assert_eq!(a.cost.free, Some(false));
        assert_eq!(a.cost.concessions.len(), 1);
        assert_eq!(a.cost.concessions[0].price_pence, 300);
        assert_eq!(a.cost.concessions[0].min_age, Some(60));
        assert_eq!(a.participation.levels, ["Beginner"]);
        assert_eq!(a.participation.coached, Some(true));
        assert_eq!(a.participation.prepayment, Some(Prepayment::Optional));
        assert_eq!(a.participation.accessibility_support, ["Visual impairment"]);
        assert!(a.participation.attendee_instructions.is_some());
        let venue = a.venue.as_ref().unwrap();
        assert_eq!(venue.postcode.as_deref(), Some("M33 2AL"));
        assert_eq!(venue.accessibility, [AccessibilityFeature::Parking]);
        assert_eq!(
            r.venue_source_id.as_deref(),
            Some("https://leisure.example.org/places/7")
        );
        assert_eq!(
            r.organization.as_ref().unwrap().input.name,
            "Example Leisure Trust"
        );
        assert_eq!(a.contact.phone.as_deref(), Some("0161 000 0000"));
        assert_eq!(r.concepts[0].label, "Swimming");
        assert!(crate::domain::asset::validate_imported(a).is_ok());
    }

    #[test]
    fn weekly_occurrences_collapse_into_a_pattern_and_odd_ones_stay_dated() {
        // Tuesdays 19:15–19:45 UTC in January = 19:15 local; in June (BST) 18:15 UTC = 19:15.
        let children = vec![
            session("2027-01-05T19:15:00Z", "2027-01-05T19:45:00Z"),
            session("2027-01-12T19:15:00Z", "2027-01-12T19:45:00Z"),
            session("2027-01-19T19:15:00Z", "2027-01-19T19:45:00Z"),
            session("2027-01-23T10:00:00Z", "2027-01-23T11:00:00Z"),
            session("2026-12-01T19:15:00Z", "2026-12-01T19:45:00Z"),
            json!({"@type": "ScheduledSession", "startDate": "2027-01-26T19:15:00Z", "endDate": "2027-01-26T19:45:00Z", "eventStatus": "https://schema.org/EventCancelled"}),
        ];
        let r = read_opportunity(&series(), &children, today()).unwrap();
        let s = &r.asset.schedule;
        assert_eq!(s.weekly.len(), 1);
        assert_eq!(s.weekly[0].day, Weekday::Tue);
        assert_eq!(
            (s.weekly[0].start.as_str(), s.weekly[0].end.as_str()),
            ("19:15", "19:45")
        );
        assert_eq!(s.weekly[0].valid_from, NaiveDate::from_ymd_opt(2027, 1, 5));
        assert_eq!(s.dated.len(), 1, "the Saturday one-off");
        assert_eq!(s.dated[0].start, "10:00");
        assert_eq!(r.asset.capacity.max_participants, Some(20));
    }

    #[test]
    fn summer_times_are_read_in_uk_local_time() {
        let o = occurrence(&session("2027-06-01T18:15:00Z", "2027-06-01T18:45:00Z")).unwrap();
        assert_eq!(hhmm(o.start), "19:15");
    }

    #[test]
    fn an_event_schedule_gives_weekly_sessions() {
        let mut v = series();
        v["eventSchedule"] = json!([{"@type": "PartialSchedule", "repeatFrequency": "P1W",
            "byDay": ["https://schema.org/Monday", "https://schema.org/Thursday"],
            "startTime": "10:00", "duration": "PT45M", "startDate": "2027-01-04", "scheduleTimezone": "Europe/London"}]);
        let r = read_opportunity(&v, &[], today()).unwrap();
        let w = &r.asset.schedule.weekly;
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].day, Weekday::Thu);
        assert_eq!(w[1].end, "10:45");
        assert_eq!(w[0].valid_from, NaiveDate::from_ymd_opt(2027, 1, 4));
    }

    #[test]
    fn facility_slots_and_course_instances_map_too() {
        let facility = json!({"@type": "IndividualFacilityUse", "@id": "https://x/ifu/1", "name": "Badminton court 1",
            "activity": [{"prefLabel": "Badminton"}],
            "location": {"@type": "Place", "name": "Sports hall", "geo": {"latitude": 53.4, "longitude": -2.3}}});
        let slots: Vec<Value> = (0..4)
            .map(|w| json!({"@type": "Slot", "facilityUse": "https://x/ifu/1",
                "startDate": format!("2027-01-{:02}T18:00:00Z", 4 + 7 * w), "duration": "PT1H",
                "offers": [{"@type": "Offer", "price": 9.8, "prepayment": "https://openactive.io/Required"}]}))
            .collect();
        let r = read_opportunity(&facility, &slots, today()).unwrap();
        assert_eq!(r.asset.schedule.weekly.len(), 1);
        assert_eq!(r.asset.cost.amount_pence, Some(980));
        assert_eq!(r.asset.participation.prepayment, Some(Prepayment::Required));
        assert_eq!(r.asset.newcomers.booking_required, Some(true));

        let course = json!({"@type": "CourseInstance", "@id": "https://x/ci/1",
            "startDate": "2027-02-01T09:00:00Z", "endDate": "2027-02-01T17:00:00Z",
            "instanceOfCourse": {"@type": "Course", "name": "Netball camp", "description": "Coaching for juniors."},
            "organizer": {"@type": "Organization", "name": "Netball Club"},
            "location": {"@type": "Place", "name": "College", "address": {"postalCode": "M33 2AL"}},
            "offers": [{"@type": "Offer", "price": 0}]});
        let r = read_opportunity(&course, &[], today()).unwrap();
        assert_eq!(r.asset.kind, AssetKind::Course);
        assert_eq!(r.asset.title, "Netball camp");
        assert_eq!(r.asset.cost.free, Some(true));
        assert_eq!(r.asset.schedule.dated.len(), 1);
    }

    #[test]
    fn an_opportunity_without_a_name_or_id_is_refused_by_field() {
        let err = read_opportunity(&json!({"@type": "SessionSeries"}), &[], today()).unwrap_err();
        let fields: Vec<_> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["@id", "name"]);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("PT45M"), Some(Duration::minutes(45)));
        assert_eq!(parse_duration("P1D"), None);
    }
}

/// OpenActive's own published examples (tests/fixtures/openactive, MIT, © OpenActive).
#[cfg(test)]
mod published_examples {
    use super::*;
    use crate::openactive::rpde::parse_page;

    fn page(name: &str) -> crate::openactive::rpde::Page {
        let path = format!(
            "{}/tests/fixtures/openactive/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let body: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        parse_page(
            &body,
            &url::Url::parse("http://www.example.org/feeds/x").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn the_course_instance_example_maps_onto_a_valid_listing() {
        let p = page("courseinstance_example_1.json");
        assert_eq!(p.items[0].kind, "CourseInstance");
        assert_eq!(p.items[0].id, "76121");
        let data = p.items[0].data.as_ref().unwrap();
        let today = NaiveDate::from_ymd_opt(2018, 7, 1).unwrap();
        let r = read_opportunity(data, &[], today).unwrap();
        assert_eq!(r.asset.kind, AssetKind::Course);
        assert_eq!(r.asset.title, "Netball Youth Camp");
        assert!(
            r.asset
                .description
                .as_deref()
                .unwrap()
                .starts_with("Netball Youth Camps")
        );
        assert_eq!(
            r.asset.cost.amount_pence,
            Some(15400),
            "the non-member's price"
        );
        assert!(
            r.asset
                .cost
                .notes
                .as_deref()
                .unwrap()
                .contains("Member £124.00")
        );
        assert_eq!(r.asset.capacity.max_participants, Some(30));
        assert_eq!(
            r.organization.as_ref().unwrap().input.name,
            "England Netball"
        );
        assert_eq!(
            r.asset.venue.as_ref().unwrap().postcode.as_deref(),
            Some("NG10 4AD")
        );
        assert_eq!(
            r.asset.participation.accessibility_support,
            ["Visual impairment"]
        );
        // Daily, 1 to 4 August: every day of the week between those dates.
        let weekly = &r.asset.schedule.weekly;
        assert_eq!(weekly.len(), 7);
        assert_eq!(weekly[0].valid_from, NaiveDate::from_ymd_opt(2018, 8, 1));
        assert_eq!(
            (weekly[0].start.as_str(), weekly[0].end.as_str()),
            ("09:00", "17:00")
        );
        crate::domain::asset::validate_imported(&r.asset).unwrap();
    }

    #[test]
    fn a_scheduled_session_published_apart_names_its_series() {
        let p = page("scheduledsession-split_example_1.json");
        let item = &p.items[0];
        assert!(item.is_child());
        assert_eq!(
            item.parent_id().as_deref(),
            Some("https://opensessions.io/api/session-series/1402CBP20150217")
        );
        let o = occurrence(item.data.as_ref().unwrap()).unwrap();
        // 18:15 UTC on 9 May 2016 is 19:15 in British Summer Time.
        assert_eq!(
            (o.date.to_string(), hhmm(o.start)),
            ("2016-05-09".into(), "19:15".into())
        );
    }
}
