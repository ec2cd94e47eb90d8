//! Our listings as OpenActive opportunities, so that what agencies type into this service
//! reaches OpenActive's aggregators: each asset a SessionSeries (its weekly sessions a
//! PartialSchedule, its dated ones embedded ScheduledSessions), in an RPDE feed ordered by
//! each asset's last change.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use serde_json::{Map, Value, json};

use crate::db::assets::AssetRecord;
use crate::domain::attribution::Attribution;
use crate::domain::cost::ConcessionRule;
use crate::domain::schedule::Weekday;

const SCHEMA_DAYS: [&str; 7] = [
    "https://schema.org/Monday",
    "https://schema.org/Tuesday",
    "https://schema.org/Wednesday",
    "https://schema.org/Thursday",
    "https://schema.org/Friday",
    "https://schema.org/Saturday",
    "https://schema.org/Sunday",
];

/// OpenActive's Accessibility Support list (https://openactive.io/accessibility-support,
/// CC BY 4.0, OpenActive): the only concepts its validator accepts in `accessibilitySupport`.
pub const ACCESSIBILITY_SUPPORT: [(&str, &str); 6] = [
    ("Visual impairment", "1393f2dc-3fcc-4be9-a99f-f1e51f5ad277"),
    ("Hearing impairment", "2bfb7228-5969-4927-8435-38b5005a8771"),
    (
        "Physical impairment",
        "dd026873-6713-4ea1-af5a-08901f651d98",
    ),
    (
        "Learning impairment",
        "67902468-fd49-4238-8650-20a22d7f0e40",
    ),
    (
        "Mental health issues",
        "40b9b11f-bdd3-4aeb-8984-2ecf74a14c7a",
    ),
    (
        "Social or behavioural problems",
        "69b689d4-be04-4e6d-be56-4ac72ec82444",
    ),
];

/// The `@id` of an asset's SessionSeries.
pub fn series_id(base: &str, id: uuid::Uuid) -> String {
    format!("{base}/openactive/session-series/{id}")
}

fn local_instant(date: NaiveDate, time: NaiveTime) -> Option<String> {
    London
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.to_rfc3339())
}

fn price(pence: i64) -> Value {
    json!(pence as f64 / 100.0)
}

/// An asset as an OpenActive SessionSeries (data of an RPDE item).
pub fn session_series(record: &AssetRecord, base: &str) -> Value {
    let a = &record.asset;
    let id = series_id(base, a.id);
    let mut s = Map::new();
    s.insert("@context".into(), json!("https://openactive.io/"));
    s.insert("@type".into(), json!("SessionSeries"));
    s.insert("@id".into(), json!(id));
    s.insert("identifier".into(), json!(a.id.to_string()));
    s.insert("name".into(), json!(a.title));
    // OpenActive has no property for a third party's credit, so a listing made from openly
    // licensed data says it in words, as CC BY allows.
    let credit = a
        .attribution
        .clone()
        .and_then(|v| serde_json::from_value::<Attribution>(v).ok())
        .map(|c| format!("Source: {} ({})", c.text, c.licence));
    let description = match (a.description.is_empty(), credit) {
        (true, None) => None,
        (false, None) => Some(a.description.clone()),
        (true, Some(credit)) => Some(credit),
        (false, Some(credit)) => Some(format!("{}\n\n{credit}", a.description)),
    };
    if let Some(description) = description {
        s.insert("description".into(), json!(description));
    }
    s.insert(
        "url".into(),
        json!(
            a.contact_url
                .clone()
                .unwrap_or_else(|| format!("{base}/v1/assets/{}", a.id))
        ),
    );
    // Only OpenActive's own concepts: its validator refuses any other scheme.
    let activities: Vec<Value> = record
        .interests
        .iter()
        .filter_map(|t| {
            let uri = t.source_uri.as_ref()?;
            Some(json!({"@type": "Concept", "@id": uri, "prefLabel": t.label,
                        "inScheme": "https://openactive.io/activity-list"}))
        })
        .collect();
    s.insert("activity".into(), json!(activities));
    let mut organizer = json!({
        "@type": "Organization",
        "@id": format!("{base}/v1/organizations/{}", a.organization_id),
        "name": record.organization_name,
    });
    if let Some(email) = &a.contact_email {
        organizer["email"] = json!(email);
    }
    if let Some(phone) = &a.contact_phone {
        organizer["telephone"] = json!(phone);
    }
    s.insert("organizer".into(), organizer);
    if let Some(v) = &record.venue
        && let Some(point) = &v.location
    {
        let mut address = json!({"@type": "PostalAddress", "addressCountry": "GB"});
        if !v.address_lines.is_empty() {
            address["streetAddress"] = json!(v.address_lines.join(", "));
        }
        if let Some(town) = &v.town {
            address["addressLocality"] = json!(town);
        }
        if let Some(postcode) = &v.postcode {
            address["postalCode"] = json!(postcode);
        }
        address["addressRegion"] = json!(
            v.postcode
                .as_deref()
                .map_or("England", crate::oruk::publish::nation)
        );
        let mut place = json!({
            "@type": "Place",
            "@id": format!("{base}/v1/venues/{}", v.id),
            "identifier": v.id.to_string(),
            "name": v.name,
            "geo": {"@type": "GeoCoordinates", "latitude": point.y, "longitude": point.x},
        });
        // OpenActive requires a postcode in any address; without one the place is its point.
        if v.postcode.is_some() {
            place["address"] = address;
        }
        if let Some(phone) = &v.phone {
            place["telephone"] = json!(phone);
        }
        if let Some(url) = &v.website {
            place["url"] = json!(url);
        }
        // Of the venue's access features, parking is the one OpenActive has an amenity for.
        if v.accessibility
            .iter()
            .any(|f| f == "parking" || f == "accessible_parking")
        {
            place["amenityFeature"] =
                json!([{"@type": "Parking", "name": "Parking", "value": true}]);
        }
        s.insert("location".into(), place);
    }
    let attendance = match (record.venue.is_some(), a.online) {
        (true, true) => "https://schema.org/MixedEventAttendanceMode",
        (false, true) => "https://schema.org/OnlineEventAttendanceMode",
        _ => "https://schema.org/OfflineEventAttendanceMode",
    };
    s.insert("eventAttendanceMode".into(), json!(attendance));
    if a.online {
        s.insert(
            "virtualLocation".into(),
            json!({"@type": "VirtualLocation", "name": "Online",
                   "url": a.contact_url.clone().unwrap_or_else(|| format!("{base}/v1/assets/{}", a.id))}),
        );
    }
    if a.min_age.is_some() || a.max_age.is_some() {
        let mut range = json!({"@type": "QuantitativeValue"});
        if let Some(min) = a.min_age {
            range["minValue"] = json!(min);
        }
        if let Some(max) = a.max_age {
            range["maxValue"] = json!(max);
        }
        s.insert("ageRange".into(), range);
    }
    s.insert(
        "genderRestriction".into(),
        json!(match a.audience_gender.as_str() {
            "women_only" => "https://openactive.io/FemaleOnly",
            "men_only" => "https://openactive.io/MaleOnly",
            _ => "https://openactive.io/NoRestriction",
        }),
    );
    if !a.levels.is_empty() {
        s.insert("level".into(), json!(a.levels));
    }
    if let Some(coached) = a.coached {
        s.insert("isCoached".into(), json!(coached));
    }
    if let Some(instructions) = &a.attendee_instructions {
        s.insert("attendeeInstructions".into(), json!(instructions));
    }
    // Support the list does not name stays out: OpenActive has no concept for it.
    let support: Vec<Value> = a
        .accessibility_support
        .iter()
        .filter_map(|label| {
            let (name, id) = ACCESSIBILITY_SUPPORT
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(label))?;
            Some(json!({"@type": "Concept",
                "@id": format!("https://openactive.io/accessibility-support#{id}"),
                "prefLabel": name, "inScheme": "https://openactive.io/accessibility-support"}))
        })
        .collect();
    if !support.is_empty() {
        s.insert("accessibilitySupport".into(), json!(support));
    }
    if let Some(max) = a.max_participants {
        s.insert("maximumAttendeeCapacity".into(), json!(max));
    }
    let offers = offers(record, &id);
    if !offers.is_empty() {
        s.insert("offers".into(), json!(offers));
    }
    let (schedules, sessions) = schedule(record, &id);
    if !schedules.is_empty() {
        s.insert("eventSchedule".into(), json!(schedules));
    }
    if !sessions.is_empty() {
        s.insert("subEvent".into(), json!(sessions));
    }
    Value::Object(s)
}

fn offers(record: &AssetRecord, id: &str) -> Vec<Value> {
    let a = &record.asset;
    let prepayment = a.prepayment.as_deref().map(|p| match p {
        "required" => "https://openactive.io/Required",
        "optional" => "https://openactive.io/Optional",
        _ => "https://openactive.io/Unavailable",
    });
    let amount = match (a.cost_free, a.cost_pence) {
        (Some(true), _) => Some(0),
        (_, Some(p)) => Some(i64::from(p)),
        _ => None,
    };
    let Some(amount) = amount else {
        return Vec::new();
    };
    let with_prepayment = |mut offer: Value| {
        if let Some(p) = prepayment {
            offer["openBookingPrepayment"] = json!(p);
        }
        offer
    };
    let mut out = vec![with_prepayment(json!({
        "@type": "Offer", "@id": format!("{id}#/offers/standard"), "identifier": "standard",
        "name": "Standard", "price": price(amount), "priceCurrency": "GBP",
    }))];
    let rules: Vec<ConcessionRule> =
        serde_json::from_value(a.concession_rules.clone()).unwrap_or_default();
    for (i, rule) in rules.iter().enumerate() {
        // OpenActive can say an age range, not "students" or "on benefits".
        if !rule.who.is_empty() || (rule.min_age.is_none() && rule.max_age.is_none()) {
            continue;
        }
        let mut age = json!({"@type": "QuantitativeValue"});
        if let Some(min) = rule.min_age {
            age["minValue"] = json!(min);
        }
        if let Some(max) = rule.max_age {
            age["maxValue"] = json!(max);
        }
        out.push(with_prepayment(json!({
            "@type": "Offer", "@id": format!("{id}#/offers/concession-{i}"),
            "identifier": format!("concession-{i}"), "name": "Concession",
            "price": price(rule.price_pence), "priceCurrency": "GBP", "ageRestriction": age,
        })));
    }
    out
}

/// Weekly sessions as PartialSchedules; dated ones as embedded ScheduledSessions.
fn schedule(record: &AssetRecord, id: &str) -> (Vec<Value>, Vec<Value>) {
    let mut schedules = Vec::new();
    let mut sessions = Vec::new();
    for s in &record.sessions {
        let times = (
            s.start_time.format("%H:%M").to_string(),
            s.end_time.format("%H:%M").to_string(),
        );
        match (s.weekday.and_then(Weekday::from_iso_number), s.on_date) {
            (Some(day), _) => {
                let mut p = json!({
                    "@type": "PartialSchedule",
                    "repeatFrequency": "P1W",
                    "byDay": [SCHEMA_DAYS[(day.iso_number() - 1) as usize]],
                    "startTime": times.0, "endTime": times.1,
                    "scheduleTimezone": "Europe/London",
                });
                if let Some(from) = s.valid_from {
                    p["startDate"] = json!(from.to_string());
                }
                if let Some(until) = s.valid_until {
                    p["endDate"] = json!(until.to_string());
                }
                schedules.push(p);
            }
            (None, Some(date)) => {
                if let (Some(start), Some(end)) = (
                    local_instant(date, s.start_time),
                    local_instant(date, s.end_time),
                ) {
                    let minutes = (s.end_time - s.start_time).num_minutes();
                    sessions.push(json!({
                        "@type": "ScheduledSession",
                        "@id": format!("{id}#/subEvent/{date}T{}", times.0.replace(':', "")),
                        "startDate": start, "endDate": end,
                        "duration": format!("PT{}H{}M", minutes / 60, minutes % 60),
                        "eventStatus": "https://schema.org/EventScheduled",
                    }));
                }
            }
            _ => {}
        }
    }
    (schedules, sessions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openactive::read::read_opportunity;

    #[test]
    fn a_listing_survives_the_round_trip_through_openactive() {
        use crate::db::assets::{AssetRow, SessionRow};
        use chrono::Utc;
        let now = Utc::now();
        let id = uuid::Uuid::new_v4();
        let row = AssetRow {
            id,
            organization_id: uuid::Uuid::new_v4(),
            venue_id: None,
            service_area: None,
            online: true,
            kind: "activity".into(),
            title: "Women's walking netball".into(),
            description: "Gentle netball.".into(),
            five_ways: vec![],
            min_age: Some(18),
            max_age: None,
            eligibility_criteria: None,
            cost_free: Some(false),
            cost_pence: Some(400),
            concession_pence: None,
            cost_notes: None,
            schedule_notes: None,
            drop_in: None,
            taster_session: None,
            meet_and_greet: None,
            booking_required: None,
            newcomer_notes: None,
            max_participants: Some(16),
            typical_group_size: None,
            contact_name: None,
            contact_email: None,
            contact_phone: None,
            contact_url: Some("https://club.example.org/netball".into()),
            status: "published".into(),
            confirmed_at: None,
            published_at: Some(now),
            source: None,
            source_id: None,
            is_example: false,
            created_at: now,
            updated_at: now,
            version: 1,
            source_tags: vec![],
            outcomes: None,
            audience_gender: "women_only".into(),
            audience_groups: vec![],
            audience_groups_only: false,
            referral_only: false,
            concession_rules: json!([{"price_pence": 200, "who": [], "min_age": 60, "max_age": null}]),
            min_rule_pence: Some(200),
            external_id: None,
            levels: vec!["Beginner".into()],
            coached: Some(true),
            attendee_instructions: Some("Bring trainers.".into()),
            accessibility_support: vec!["Visual impairment".into()],
            prepayment: Some("optional".into()),
            attribution: None,
        };
        let session = |weekday: Option<i16>, on_date: Option<NaiveDate>| SessionRow {
            asset_id: id,
            weekday,
            on_date,
            start_time: NaiveTime::from_hms_opt(18, 30, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(19, 30, 0).unwrap(),
            valid_from: None,
            valid_until: None,
        };
        let record = AssetRecord {
            asset: row,
            organization_name: "Sale Netball Club".into(),
            venue: None,
            interests: vec![],
            sessions: vec![
                session(Some(2), None),
                session(None, NaiveDate::from_ymd_opt(2027, 7, 3)),
            ],
        };
        let data = session_series(&record, "https://ca.example.org");
        assert_eq!(
            data["genderRestriction"],
            "https://openactive.io/FemaleOnly"
        );
        let back = read_opportunity(&data, &[], NaiveDate::from_ymd_opt(2027, 1, 1).unwrap())
            .unwrap()
            .asset;
        assert_eq!(back.title, "Women's walking netball");
        assert_eq!(back.cost.amount_pence, Some(400));
        assert_eq!(back.cost.concessions[0].min_age, Some(60));
        assert_eq!(back.participation.levels, ["Beginner"]);
        assert_eq!(back.participation.coached, Some(true));
        assert_eq!(
            back.participation.prepayment.map(|p| p.as_str()),
            Some("optional")
        );
        assert_eq!(
            back.participation.accessibility_support,
            ["Visual impairment"]
        );
        assert_eq!(back.schedule.weekly[0].start, "18:30");
        assert_eq!(back.eligibility.min_age, Some(18));
        assert_eq!(back.capacity.max_participants, Some(16));
        assert!(back.online);
    }
}
