//! Our records as ORUK 3.0 objects. Plain functions of the stored rows, so the mapping is
//! tested without a database and the importer (`oruk::read`) can be tested against it.

use crate::domain::cost::ConcessionRule;
use uuid::Uuid;

use super::model::*;
use super::taxonomy::{self, FixedTerm, Taxonomy};
use crate::db::assets::{AssetRecord, to_area};
use crate::db::interests::{TermRef, TermRow};
use crate::db::organizations::OrganizationRow;
use crate::db::oruk::Place;
use crate::db::venues::VenueRow;
use crate::domain::schedule::{Weekday, format_hhmm, format_hhmmss, uk_local, uk_utc_offset_hours};

pub const VERSION: &str = "HSDS-UK-3.0";
pub const PROFILE: &str = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md";

/// A derived id for a part of a record, stable across requests.
fn part_id(owner: Uuid, part: &str) -> Uuid {
    Uuid::new_v5(&owner, part.as_bytes())
}

pub const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// RFC 5545 day codes.
pub fn byday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The UK nation of a postcode, from its area letters. Approximate near the borders (a few
/// Chester, Shrewsbury and Carlisle districts cross them); used only for `state_province`, which
/// the profile requires.
pub fn nation(postcode: &str) -> &'static str {
    let area: String = postcode
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    const SCOTLAND: [&str; 16] = [
        "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD",
        "ZE",
    ];
    const WALES: [&str; 5] = ["CF", "LD", "LL", "NP", "SA"];
    match area.as_str() {
        "BT" => "Northern Ireland",
        a if SCOTLAND.contains(&a) => "Scotland",
        a if WALES.contains(&a) => "Wales",
        _ => "England",
    }
}

fn fixed_term(term: &FixedTerm) -> OrukTaxonomyTerm {
    OrukTaxonomyTerm {
        id: term.id(),
        code: term.code.to_string(),
        name: term.name(),
        description: term.description.to_string(),
        parent_id: None,
        taxonomy: term.taxonomy.name().to_string(),
        taxonomy_id: term.taxonomy.id(),
        term_uri: None,
    }
}

/// An interest term of our vocabulary.
pub fn interest_term(term: &TermRow) -> OrukTaxonomyTerm {
    OrukTaxonomyTerm {
        id: term.id,
        code: term.slug.clone(),
        name: term.label.clone(),
        description: term
            .definition
            .clone()
            .unwrap_or_else(|| term.label.clone()),
        parent_id: term.parent_id,
        taxonomy: Taxonomy::Interests.name().to_string(),
        taxonomy_id: Taxonomy::Interests.id(),
        term_uri: term.source_uri.clone(),
    }
}

fn interest_ref(term: &TermRef) -> OrukTaxonomyTerm {
    OrukTaxonomyTerm {
        id: term.id,
        code: term.slug.clone(),
        name: term.label.clone(),
        description: term.label.clone(),
        parent_id: None,
        taxonomy: Taxonomy::Interests.name().to_string(),
        taxonomy_id: Taxonomy::Interests.id(),
        term_uri: term.source_uri.clone(),
    }
}

/// Every taxonomy; `base` is the feed's base URL, for the ones defined by the feed itself.
pub fn taxonomies(base: &str) -> Vec<OrukTaxonomy> {
    Taxonomy::ALL
        .into_iter()
        .map(|t| OrukTaxonomy {
            id: t.id(),
            name: t.name().to_string(),
            description: t.description().to_string(),
            uri: Some(t.uri(base)),
        })
        .collect()
}

/// Every term: the fixed ones, then the interest vocabulary.
pub fn taxonomy_terms(vocabulary: &[TermRow]) -> Vec<OrukTaxonomyTerm> {
    taxonomy::fixed_terms()
        .iter()
        .map(fixed_term)
        .chain(vocabulary.iter().map(interest_term))
        .collect()
}

/// Builds attributes linked to one record.
struct Attributes {
    link_id: Uuid,
    link_type: &'static str,
    list: Vec<OrukAttribute>,
}

impl Attributes {
    fn new(link_id: Uuid, link_type: &'static str) -> Self {
        Self {
            link_id,
            link_type,
            list: Vec::new(),
        }
    }

    fn push(&mut self, term: OrukTaxonomyTerm, value: Option<String>) {
        self.list.push(OrukAttribute {
            id: part_id(self.link_id, &format!("attribute/{}", term.id)),
            link_id: self.link_id,
            link_type: self.link_type.to_string(),
            taxonomy_term_id: term.id,
            value,
            taxonomy_term: term,
        });
    }

    fn fixed(&mut self, taxonomy: Taxonomy, code: &str, value: Option<String>) {
        if let Some(term) = taxonomy::fixed_term(taxonomy, code) {
            self.push(fixed_term(&term), value);
        }
    }

    fn detail<T: ToString>(&mut self, code: &str, value: Option<T>) {
        if let Some(v) = value {
            self.fixed(Taxonomy::Details, code, Some(v.to_string()));
        }
    }
}

pub fn organization(org: &OrganizationRow, services: Vec<OrukService>) -> OrukOrganization {
    let mut identifiers = Vec::new();
    for (scheme, kind, value) in [
        ("GB-CHC", "Charity number", &org.charity_number),
        ("GB-COH", "Company number", &org.company_number),
    ] {
        if let Some(identifier) = value {
            identifiers.push(OrukOrganizationIdentifier {
                id: part_id(org.id, scheme),
                organization_id: org.id,
                identifier_scheme: scheme.to_string(),
                identifier_type: kind.to_string(),
                identifier: identifier.clone(),
            });
        }
    }
    OrukOrganization {
        id: org.id,
        name: org.name.clone(),
        description: org.description.clone().unwrap_or_default(),
        email: org.email.clone(),
        website: org.website.clone(),
        phones: org
            .phone
            .iter()
            .map(|number| OrukPhone {
                id: part_id(org.id, "phone"),
                number: number.clone(),
            })
            .collect(),
        organization_identifiers: identifiers,
        services,
    }
}

pub fn location(venue: &VenueRow) -> OrukLocation {
    let exact = venue.location_precision == "exact";
    let point = venue.location.as_ref().filter(|_| exact);
    let mut attributes = Attributes::new(venue.id, "location");
    attributes.fixed(Taxonomy::VenueType, &venue.venue_type, None);
    attributes.detail("non_stigmatised", Some(venue.non_stigmatised));
    for feature in &venue.accessibility {
        attributes.fixed(Taxonomy::Accessibility, feature, None);
    }
    let has_address =
        venue.postcode.is_some() || venue.town.is_some() || !venue.address_lines.is_empty();
    let addresses = has_address
        .then(|| OrukAddress {
            id: part_id(venue.id, "address"),
            location_id: venue.id,
            address_1: venue.address_lines.first().cloned().unwrap_or_default(),
            address_2: (venue.address_lines.len() > 1).then(|| venue.address_lines[1..].join("\n")),
            city: venue.town.clone().unwrap_or_default(),
            state_province: venue
                .postcode
                .as_deref()
                .map_or("England", nation)
                .to_string(),
            postal_code: venue.postcode.clone().unwrap_or_default(),
            country: "GB".to_string(),
            address_type: "physical".to_string(),
        })
        .into_iter()
        .collect();
    OrukLocation {
        id: venue.id,
        location_type: if venue.venue_type == "online" {
            "virtual"
        } else {
            "physical"
        }
        .to_string(),
        name: Some(venue.name.clone()),
        latitude: point.map(|p| p.y),
        longitude: point.map(|p| p.x),
        url: venue.website.clone(),
        phones: venue
            .phone
            .iter()
            .map(|number| OrukPhone {
                id: part_id(venue.id, "phone"),
                number: number.clone(),
            })
            .collect(),
        addresses,
        accessibility: venue
            .accessibility
            .iter()
            .map(|feature| OrukAccessibility {
                id: part_id(venue.id, &format!("accessibility/{feature}")),
                location_id: venue.id,
                description: taxonomy::label(feature),
            })
            .collect(),
        attributes: attributes.list,
    }
}

/// The virtual location of an online asset.
fn online_location(asset_id: Uuid) -> OrukLocation {
    OrukLocation {
        id: part_id(asset_id, "online"),
        location_type: "virtual".to_string(),
        name: Some("Online".to_string()),
        latitude: None,
        longitude: None,
        url: None,
        phones: Vec::new(),
        addresses: Vec::new(),
        accessibility: Vec::new(),
        attributes: Vec::new(),
    }
}

// A service at a location's id is the asset's id with one of these masks applied, so that
// `GET /oruk/service_at_locations/{id}` finds the asset without a table of its own. The masks
// leave the UUID's version and variant digits alone.
const AT_VENUE: u128 = 0x5a1c_9e3b_7d24_0f61_0a8c_3e5b_9d2f_7c41;
const AT_ONLINE: u128 = 0x93e4_7a10_c5b2_0d8e_0f17_6a2c_4b9e_1d53;

pub fn service_at_location_id(asset_id: Uuid, place: Place) -> Uuid {
    let mask = match place {
        Place::Venue => AT_VENUE,
        Place::Online => AT_ONLINE,
    };
    Uuid::from_u128(asset_id.as_u128() ^ mask)
}

/// The (asset, place) pairs an id of a service at a location could stand for.
pub fn service_at_location_candidates(id: Uuid) -> [(Uuid, Place); 2] {
    [
        (Uuid::from_u128(id.as_u128() ^ AT_VENUE), Place::Venue),
        (Uuid::from_u128(id.as_u128() ^ AT_ONLINE), Place::Online),
    ]
}

pub fn service_at_location(record: &AssetRecord, place: Place) -> Option<OrukServiceAtLocation> {
    let id = record.asset.id;
    let location = match place {
        Place::Venue => location(record.venue.as_ref()?),
        Place::Online if record.asset.online => online_location(id),
        Place::Online => return None,
    };
    Some(OrukServiceAtLocation {
        id: service_at_location_id(id, place),
        service_id: id,
        location_id: location.id,
        location,
        service: None,
    })
}

pub fn service_at_locations(record: &AssetRecord) -> Vec<OrukServiceAtLocation> {
    [Place::Venue, Place::Online]
        .into_iter()
        .filter_map(|place| service_at_location(record, place))
        .collect()
}

fn schedules(record: &AssetRecord) -> Vec<OrukSchedule> {
    let a = &record.asset;
    let notes = a.schedule_notes.clone();
    let today = uk_local(chrono::Utc::now()).date();
    let mut list: Vec<OrukSchedule> = record
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (opens, closes) = (format_hhmm(s.start_time), format_hhmm(s.end_time));
            // A dated session's offset is the one on its day; a weekly one's, today's, unless
            // it has not started yet.
            let on = s
                .on_date
                .or(s.valid_from.filter(|from| *from > today))
                .unwrap_or(today);
            let base = OrukSchedule {
                id: part_id(a.id, &format!("schedule/{i}")),
                service_id: a.id,
                opens_at: Some(format_hhmmss(s.start_time)),
                closes_at: Some(format_hhmmss(s.end_time)),
                timezone: Some(uk_utc_offset_hours(on, s.start_time)),
                notes: notes.clone(),
                ..OrukSchedule::default()
            };
            match (s.weekday.and_then(Weekday::from_iso_number), s.on_date) {
                (Some(day), _) => OrukSchedule {
                    freq: Some("WEEKLY".to_string()),
                    interval: Some(1),
                    byday: Some(byday(day).to_string()),
                    valid_from: s.valid_from.map(|d| d.to_string()),
                    valid_to: s.valid_until.map(|d| d.to_string()),
                    description: Some(format!(
                        "Every {} {opens}–{closes}",
                        DAY_NAMES[day.iso_number() as usize - 1]
                    )),
                    ..base
                },
                (None, Some(date)) => OrukSchedule {
                    dtstart: Some(date.to_string()),
                    valid_from: Some(date.to_string()),
                    valid_to: Some(date.to_string()),
                    description: Some(format!("{date} {opens}–{closes}")),
                    ..base
                },
                (None, None) => base,
            }
        })
        .collect();
    if list.is_empty()
        && let Some(text) = notes
    {
        list.push(OrukSchedule {
            id: part_id(a.id, "schedule/notes"),
            service_id: a.id,
            description: Some(text.clone()),
            notes: Some(text),
            ..OrukSchedule::default()
        });
    }
    list
}

fn cost_options(record: &AssetRecord) -> Vec<OrukCostOption> {
    let a = &record.asset;
    let option = |name: &str, pence: i32| OrukCostOption {
        id: part_id(a.id, &format!("cost/{name}")),
        service_id: a.id,
        option: name.to_string(),
        amount: f64::from(pence) / 100.0,
        currency: "GBP".to_string(),
    };
    let mut list = Vec::new();
    match (a.cost_free, a.cost_pence) {
        (Some(true), _) => list.push(option("Free", 0)),
        (_, Some(pence)) => list.push(option("Per session", pence)),
        _ => {}
    }
    if let Some(pence) = a.concession_pence {
        list.push(option("Concession", pence));
    }
    let rules: Vec<ConcessionRule> =
        serde_json::from_value(a.concession_rules.clone()).unwrap_or_default();
    for rule in rules {
        if let Ok(pence) = i32::try_from(rule.price_pence) {
            list.push(option(
                &format!("Concession ({})", describe_rule(&rule)),
                pence,
            ));
        }
    }
    list
}

/// "students, benefits; aged 60 and over".
fn describe_rule(rule: &ConcessionRule) -> String {
    let who: Vec<&str> = rule.who.iter().map(|g| g.as_str()).collect();
    let ages = match (rule.min_age, rule.max_age) {
        (Some(min), Some(max)) => Some(format!("aged {min} to {max}")),
        (Some(min), None) => Some(format!("aged {min} and over")),
        (None, Some(max)) => Some(format!("aged {max} and under")),
        (None, None) => None,
    };
    let mut parts = Vec::new();
    if !who.is_empty() {
        parts.push(who.join(", "));
    }
    parts.extend(ages);
    parts.join("; ")
}

/// A service, fully nested; with `organization` the organisation is nested too.
pub fn service(record: &AssetRecord, organization: Option<&OrganizationRow>) -> OrukService {
    let a = &record.asset;
    let mut attributes = Attributes::new(a.id, "service");
    attributes.fixed(Taxonomy::Kind, &a.kind, None);
    for way in &a.five_ways {
        attributes.fixed(Taxonomy::FiveWays, way, None);
    }
    for term in &record.interests {
        attributes.push(interest_ref(term), None);
    }
    attributes.detail("drop_in", a.drop_in);
    attributes.detail("taster_session", a.taster_session);
    attributes.detail("meet_and_greet", a.meet_and_greet);
    attributes.detail("booking_required", a.booking_required);
    attributes.detail("newcomer_notes", a.newcomer_notes.as_ref());
    attributes.detail("max_participants", a.max_participants);
    attributes.detail("typical_group_size", a.typical_group_size);
    attributes.detail("example", a.is_example.then_some(true));
    // Only what differs from "mixed, open to all", so feeds of ordinary listings stay small.
    attributes.detail(
        "audience_gender",
        (a.audience_gender != "mixed").then_some(&a.audience_gender),
    );
    attributes.detail(
        "audience_groups",
        (!a.audience_groups.is_empty()).then(|| a.audience_groups.join(",")),
    );
    attributes.detail(
        "audience_groups_only",
        a.audience_groups_only.then_some(true),
    );
    attributes.detail("referral_only", a.referral_only.then_some(true));
    attributes.detail(
        "levels",
        (!a.levels.is_empty()).then(|| a.levels.join("; ")),
    );
    attributes.detail("coached", a.coached);
    attributes.detail("attendee_instructions", a.attendee_instructions.as_ref());
    attributes.detail(
        "accessibility_support",
        (!a.accessibility_support.is_empty()).then(|| a.accessibility_support.join("; ")),
    );
    attributes.detail("prepayment", a.prepayment.as_ref());
    if let Some(credit) = a
        .attribution
        .clone()
        .and_then(|v| serde_json::from_value::<crate::domain::attribution::Attribution>(v).ok())
    {
        attributes.detail("licence", Some(credit.licence));
        attributes.detail("attribution", Some(credit.text));
        attributes.detail("attribution_url", credit.url);
    }

    let contacts = if a.contact_name.is_some() || a.contact_phone.is_some() {
        vec![OrukContact {
            id: part_id(a.id, "contact"),
            service_id: a.id,
            name: a.contact_name.clone(),
            email: a.contact_email.clone(),
            phones: a
                .contact_phone
                .iter()
                .map(|number| OrukPhone {
                    id: part_id(a.id, "contact/phone"),
                    number: number.clone(),
                })
                .collect(),
        }]
    } else {
        Vec::new()
    };
    let service_areas = a
        .service_area
        .as_ref()
        .map(|mp| {
            let area = to_area(mp);
            let coordinates: Vec<Vec<Vec<[f64; 2]>>> = area
                .polygons
                .iter()
                .map(|rings| {
                    rings
                        .iter()
                        .map(|ring| ring.iter().map(|&(x, y)| [x, y]).collect())
                        .collect()
                })
                .collect();
            OrukServiceArea {
                id: part_id(a.id, "area"),
                service_id: a.id,
                name: "Service area".to_string(),
                extent: serde_json::json!({"type": "MultiPolygon", "coordinates": coordinates})
                    .to_string(),
                extent_type: "geojson".to_string(),
            }
        })
        .into_iter()
        .collect();

    OrukService {
        id: a.id,
        organization_id: a.organization_id,
        name: a.title.clone(),
        description: (!a.description.is_empty()).then(|| a.description.clone()),
        url: a.contact_url.clone(),
        email: a.contact_email.clone(),
        status: "active".to_string(),
        fees: a.cost_notes.clone(),
        eligibility_description: a.eligibility_criteria.clone(),
        minimum_age: a.min_age,
        maximum_age: a.max_age,
        assured_date: a.confirmed_at.map(|t| t.date_naive().to_string()),
        last_modified: Some(a.updated_at),
        schedules: schedules(record),
        service_areas,
        service_at_locations: service_at_locations(record),
        organization: organization.map(|org| Box::new(self::organization(org, Vec::new()))),
        cost_options: cost_options(record),
        contacts,
        attributes: attributes.list,
    }
}

/// The page envelope's numbers for `total` records, `per_page` to a page.
pub fn page_numbers(total: i64, page: i64, per_page: i64) -> (i64, bool, bool) {
    let total_pages = ((total + per_page - 1) / per_page).max(1);
    (total_pages, page <= 1, page >= total_pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_at_location_ids_lead_back_to_the_asset() {
        let asset = Uuid::new_v4();
        for place in [Place::Venue, Place::Online] {
            let id = service_at_location_id(asset, place);
            assert_ne!(id, asset);
            assert_eq!(id.get_version_num(), asset.get_version_num());
            assert!(service_at_location_candidates(id).contains(&(asset, place)));
        }
    }

    #[test]
    fn nations_from_postcode_areas() {
        assert_eq!(nation("M33 7ZF"), "England");
        assert_eq!(nation("EH1 1YZ"), "Scotland");
        assert_eq!(nation("G2 1DY"), "Scotland");
        assert_eq!(nation("GL1 1AA"), "England");
        assert_eq!(nation("CF10 1EP"), "Wales");
        assert_eq!(nation("BT1 5GS"), "Northern Ireland");
    }

    #[test]
    fn page_numbers_cover_every_record() {
        assert_eq!(page_numbers(0, 1, 50), (1, true, true));
        assert_eq!(page_numbers(101, 1, 50), (3, true, false));
        assert_eq!(page_numbers(101, 2, 50), (3, false, false));
        assert_eq!(page_numbers(101, 3, 50), (3, false, true));
        assert_eq!(page_numbers(100, 2, 50), (2, false, true));
    }
}
