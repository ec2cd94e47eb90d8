//! Another directory's ORUK records as our submissions. An ORUK 1.0 service is first reshaped
//! into the 3.0 form (`v1_to_v3`), so one reader serves both. The reader only maps; the result
//! is then checked by the same rules as an agency's submission (`domain::asset::validate`), so
//! an imported record can never be something the API would refuse.
//!
//! Our own taxonomies (see `taxonomy`) are read back exactly; anything else is mapped by
//! keywords where that is safe (an asset's kind, accessibility words), and taxonomy terms
//! that name nothing in our vocabulary are kept as source tags.

use crate::domain::audience::{Audience, AudienceGroup, GenderRule};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};

use super::taxonomy::Taxonomy;
use crate::domain::asset::{
    AssetInput, AssetKind, CapacityInput, Contact, EligibilityInput, FiveWays, Newcomers,
};
use crate::domain::cost::{ConcessionGroup, ConcessionRule, CostInput};
use crate::domain::geometry::LatLon;
use crate::domain::organization::OrganizationInput;
use crate::domain::participation::{Participation, Prepayment};
use crate::domain::schedule::{DatedSessionInput, ScheduleInput, Weekday, WeeklySessionInput};
use crate::domain::validation::{Errors, FieldError};
use crate::domain::venue::{AccessibilityFeature, VenueInput, VenueType};

/// The organisation a record names.
#[derive(Debug, Clone)]
pub struct OrganizationRecord {
    pub source_id: String,
    pub input: OrganizationInput,
    /// The organisation's source JSON, whose digest says whether it changed.
    pub raw: Value,
}

/// A list a detail term holds, separated by "; ".
fn split_list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split("; ")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

/// A concept as a source names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    pub uri: Option<String>,
    pub label: String,
}

/// One source service, mapped.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub source_id: String,
    pub organization: Option<OrganizationRecord>,
    /// The submission; its `interests` are left empty, see `interest_phrases`.
    pub asset: AssetInput,
    /// The source's id of the venue (`asset.venue`), so a venue shared by several services is
    /// stored once.
    pub venue_source_id: Option<String>,
    /// Taxonomy terms to resolve against our vocabulary: ids and slugs of our own terms, names
    /// of others. Those that resolve to nothing become `source_tags`.
    pub interest_phrases: Vec<String>,
    /// Concepts of a published scheme (OpenActive's activity list): resolved by their URI
    /// first, then by their label; a label that names nothing becomes a source tag.
    pub concepts: Vec<Concept>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// `false` for services the source marks inactive or defunct: they are treated as gone.
    pub active: bool,
    /// An illustrative listing (our own feeds mark the demo data's examples).
    pub example: bool,
    /// The licence and credit the source requires on the listing.
    pub attribution: Option<crate::domain::attribution::Attribution>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A number that may come as a JSON number or a numeric string.
fn number(errors: &mut Errors, v: &Value, key: &str, field: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Null => None,
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => s.trim().parse().ok().or_else(|| {
            errors.add(field, format!("{s:?} is not a number"));
            None
        }),
        other => {
            errors.add(field, format!("{other} is not a number"));
            None
        }
    }
}

fn whole(errors: &mut Errors, v: &Value, key: &str, field: &str) -> Option<i64> {
    let n = number(errors, v, key, field)?;
    if n.fract() != 0.0 || !n.is_finite() {
        errors.add(field, format!("{n} is not a whole number"));
        return None;
    }
    Some(n as i64)
}

/// `HH:MM` or `HH:MM:SS` (seconds dropped).
fn time(errors: &mut Errors, v: &Value, key: &str, field: &str) -> Option<String> {
    let raw = text(v, key)?;
    let hhmm = match raw.len() {
        5 => raw.clone(),
        8 if raw.as_bytes()[5] == b':' => raw[..5].to_string(),
        _ => String::new(),
    };
    if crate::domain::schedule::parse_hhmm(&hhmm).is_none() {
        errors.add(field, format!("{raw:?} is not a time (HH:MM)"));
        return None;
    }
    Some(hhmm)
}

/// A date, or the date part of a date-time.
fn date(errors: &mut Errors, v: &Value, key: &str, field: &str) -> Option<NaiveDate> {
    let raw = text(v, key)?;
    raw.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .or_else(|| {
            errors.add(field, format!("{raw:?} is not a date (YYYY-MM-DD)"));
            None
        })
}

fn rrule_day(code: &str) -> Option<Weekday> {
    // RRULE days may carry an ordinal (`1MO`, `-1FR`), which a weekly session cannot express.
    let letters: String = code
        .trim()
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect();
    let index = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        .iter()
        .position(|d| letters.eq_ignore_ascii_case(d))?;
    Some(Weekday::ALL[index])
}

/// Which of our taxonomies a term belongs to, if any.
fn our_taxonomy(term: &Value) -> Option<Taxonomy> {
    term.get("taxonomy_id")
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok())
        .and_then(Taxonomy::from_id)
        .or_else(|| {
            term.get("taxonomy")
                .and_then(Value::as_str)
                .and_then(Taxonomy::from_name)
        })
}

/// What the attributes of a record say, split by taxonomy.
#[derive(Default)]
struct Terms {
    kind: Option<AssetKind>,
    five_ways: Vec<FiveWays>,
    details: Vec<(String, String)>,
    venue_type: Option<VenueType>,
    accessibility: Vec<AccessibilityFeature>,
    interests: Vec<String>,
    foreign: Vec<String>,
}

fn terms(attributes: &[Value]) -> Terms {
    let mut out = Terms::default();
    for attribute in attributes {
        let Some(term) = attribute.get("taxonomy_term") else {
            continue;
        };
        let code = text(term, "code").or_else(|| text(term, "term"));
        let value = text(attribute, "value");
        match (our_taxonomy(term), code.as_deref()) {
            (Some(Taxonomy::Interests), _) => {
                if let Some(id) = text(term, "id") {
                    out.interests.push(id);
                }
            }
            (Some(Taxonomy::Kind), Some(c)) => out.kind = AssetKind::parse(c),
            (Some(Taxonomy::FiveWays), Some(c)) => out.five_ways.extend(FiveWays::parse(c)),
            (Some(Taxonomy::VenueType), Some(c)) => out.venue_type = VenueType::parse(c),
            (Some(Taxonomy::Accessibility), Some(c)) => {
                out.accessibility.extend(AccessibilityFeature::parse(c))
            }
            (Some(Taxonomy::Details), Some(c)) => {
                out.details.push((c.to_string(), value.unwrap_or_default()))
            }
            _ => {
                if let Some(name) = text(term, "name").or(code) {
                    out.foreign.push(name);
                }
            }
        }
    }
    out
}

impl Terms {
    fn detail(&self, code: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, v)| v.as_str())
    }

    fn flag(&self, errors: &mut Errors, code: &str) -> Option<bool> {
        match self.detail(code)? {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                errors.add(
                    format!("attributes.{code}"),
                    format!("{other:?} is not true or false"),
                );
                None
            }
        }
    }

    fn count(&self, errors: &mut Errors, code: &str) -> Option<i64> {
        let raw = self.detail(code)?;
        raw.parse().ok().or_else(|| {
            errors.add(
                format!("attributes.{code}"),
                format!("{raw:?} is not a whole number"),
            );
            None
        })
    }
}

/// A guess at the kind of a service from a feed that does not say, from words in its name,
/// description and taxonomy terms. Activity is the safe default: it promises nothing.
pub fn guess_kind(words: &str) -> AssetKind {
    let w = words.to_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| w.contains(n));
    if has(&["volunteer"]) {
        AssetKind::Volunteering
    } else if has(&[
        "course", "class", "lesson", "workshop", "college", "training",
    ]) {
        AssetKind::Course
    } else if has(&[
        "group", "club", "society", "circle", "choir", "café", "cafe",
    ]) {
        AssetKind::Group
    } else {
        AssetKind::Activity
    }
}

/// Accessibility features named in free text.
pub fn accessibility_from_words(words: &str) -> Vec<AccessibilityFeature> {
    let w = words.to_lowercase();
    let mut out = Vec::new();
    let rules: [(&[&str], AccessibilityFeature); 8] = [
        (&["wheelchair"], AccessibilityFeature::WheelchairAccessible),
        (
            &["step-free", "step free", "level access", "ramp"],
            AccessibilityFeature::StepFreeAccess,
        ),
        (
            &["hearing loop", "induction loop"],
            AccessibilityFeature::HearingLoop,
        ),
        (
            &["accessible toilet", "disabled toilet"],
            AccessibilityFeature::AccessibleToilet,
        ),
        (
            &["changing places"],
            AccessibilityFeature::ChangingPlacesToilet,
        ),
        (
            &["disabled parking", "accessible parking", "blue badge"],
            AccessibilityFeature::AccessibleParking,
        ),
        (&["large print"], AccessibilityFeature::LargePrint),
        (
            &["bsl", "sign language"],
            AccessibilityFeature::SignLanguage,
        ),
    ];
    for (needles, feature) in rules {
        if needles.iter().any(|n| w.contains(n)) && !out.contains(&feature) {
            out.push(feature);
        }
    }
    out
}

fn organization(v: &Value) -> Option<OrganizationRecord> {
    let org = v.get("organization").filter(|o| o.is_object())?;
    let source_id = text(org, "id").or_else(|| text(v, "organization_id"))?;
    let phone = array(org, "phones").iter().find_map(|p| text(p, "number"));
    let identifier = |scheme: &str| {
        array(org, "organization_identifiers")
            .iter()
            .find(|i| text(i, "identifier_scheme").as_deref() == Some(scheme))
            .and_then(|i| text(i, "identifier"))
    };
    Some(OrganizationRecord {
        source_id,
        input: OrganizationInput {
            name: text(org, "name").unwrap_or_default(),
            description: text(org, "description"),
            website: text(org, "website").or_else(|| text(org, "url")),
            email: text(org, "email"),
            phone,
            charity_number: identifier("GB-CHC"),
            company_number: identifier("GB-COH"),
            trusted: false,
        },
        raw: org.clone(),
    })
}

/// The venue among a service's locations: the first that is physical or carries our venue
/// type. A virtual location without one means the service is (also) online.
fn venue(errors: &mut Errors, v: &Value) -> (Option<VenueInput>, Option<String>, bool) {
    let mut online = false;
    let mut found: Option<(VenueInput, Option<String>)> = None;
    for (i, at) in array(v, "service_at_locations").iter().enumerate() {
        let Some(location) = at.get("location").filter(|l| l.is_object()) else {
            continue;
        };
        let field = format!("service_at_locations[{i}].location");
        let t = terms(array(location, "attributes"));
        let virtual_place = text(location, "location_type").as_deref() == Some("virtual");
        if virtual_place && t.venue_type.is_none() {
            online = true;
            continue;
        }
        if found.is_some() {
            continue;
        }
        let address = array(location, "addresses")
            .first()
            .cloned()
            .unwrap_or(Value::Null);
        let mut address_lines: Vec<String> = Vec::new();
        address_lines.extend(text(&address, "address_1"));
        if let Some(more) = text(&address, "address_2") {
            address_lines.extend(
                more.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from),
            );
        }
        let lat = number(errors, location, "latitude", &format!("{field}.latitude"));
        let lon = number(errors, location, "longitude", &format!("{field}.longitude"));
        let location_point = match (lat, lon) {
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) {
                    errors.add(
                        format!("{field}.latitude"),
                        format!("{lat} is not a latitude (-90 to 90)"),
                    );
                }
                if !(-180.0..=180.0).contains(&lon) {
                    errors.add(
                        format!("{field}.longitude"),
                        format!("{lon} is not a longitude (-180 to 180)"),
                    );
                }
                Some(LatLon { lat, lon })
            }
            (None, None) => None,
            _ => {
                errors.add(field.clone(), "has only one of latitude and longitude");
                None
            }
        };
        let words: Vec<String> = array(location, "accessibility")
            .iter()
            .flat_map(|a| {
                [
                    text(a, "description"),
                    text(a, "accessibility"),
                    text(a, "details"),
                ]
            })
            .flatten()
            .collect();
        let mut accessibility = t.accessibility.clone();
        if accessibility.is_empty() {
            accessibility = accessibility_from_words(&words.join(" "));
        }
        let non_stigmatised = t.flag(errors, "non_stigmatised");
        let name = text(location, "name")
            .or_else(|| address_lines.first().cloned())
            .or_else(|| text(&address, "postal_code"))
            .unwrap_or_default();
        found = Some((
            VenueInput {
                name,
                address_lines,
                town: text(&address, "city"),
                postcode: text(&address, "postal_code"),
                location: location_point,
                venue_type: t.venue_type.unwrap_or(VenueType::Other),
                non_stigmatised,
                accessibility,
                website: text(location, "url"),
                phone: array(location, "phones")
                    .iter()
                    .find_map(|p| text(p, "number")),
            },
            text(location, "id"),
        ));
    }
    match found {
        Some((venue, id)) => (Some(venue), id, online),
        None => (None, None, online),
    }
}

fn schedule(errors: &mut Errors, v: &Value) -> ScheduleInput {
    let mut out = ScheduleInput::default();
    let mut notes: Vec<String> = Vec::new();
    for (i, s) in array(v, "schedules").iter().enumerate() {
        let field = format!("schedules[{i}]");
        if let Some(n) = text(s, "notes")
            && !notes.contains(&n)
        {
            notes.push(n);
        }
        let opens = time(errors, s, "opens_at", &format!("{field}.opens_at"));
        let closes = time(errors, s, "closes_at", &format!("{field}.closes_at"));
        let valid_from = date(errors, s, "valid_from", &format!("{field}.valid_from"));
        let valid_to = date(errors, s, "valid_to", &format!("{field}.valid_to"));
        let freq = text(s, "freq").map(|f| f.to_ascii_uppercase());
        let interval = whole(errors, s, "interval", &format!("{field}.interval")).unwrap_or(1);
        let (Some(start), Some(end)) = (opens, closes) else {
            // Opening hours in words only: keep the words.
            if let Some(d) = text(s, "description")
                && !notes.contains(&d)
            {
                notes.push(d);
            }
            continue;
        };
        match freq.as_deref() {
            Some("WEEKLY") if interval == 1 => {
                let days = text(s, "byday").unwrap_or_default();
                let parsed: Vec<Option<Weekday>> = days.split(',').map(rrule_day).collect();
                if days.is_empty() || parsed.iter().any(Option::is_none) {
                    errors.add(
                        format!("{field}.byday"),
                        format!("{days:?} is not a list of days (MO,TU,…)"),
                    );
                    continue;
                }
                for day in parsed.into_iter().flatten() {
                    out.weekly.push(WeeklySessionInput {
                        day,
                        start: start.clone(),
                        end: end.clone(),
                        valid_from,
                        valid_until: valid_to,
                    });
                }
            }
            None => {
                let on = date(errors, s, "dtstart", &format!("{field}.dtstart")).or(valid_from);
                match on {
                    Some(date) => out.dated.push(DatedSessionInput { date, start, end }),
                    None => {
                        errors.add(field.clone(), "has times but no freq and no date");
                    }
                }
            }
            // Fortnightly and monthly patterns have no weekly form: keep them in words.
            Some(_) => {
                let words = text(s, "description").unwrap_or_else(|| {
                    format!(
                        "{} {} {start}–{end}",
                        freq.clone().unwrap_or_default().to_lowercase(),
                        text(s, "byday")
                            .or_else(|| text(s, "bymonthday"))
                            .unwrap_or_default()
                    )
                });
                if !notes.contains(&words) {
                    notes.push(words);
                }
            }
        }
    }
    if !notes.is_empty() {
        out.notes = Some(notes.join("; "));
    }
    out
}

/// Who a concession of our own feed is for, from its words (`describe_rule`'s form:
/// "students, benefits; aged 60 and over"); `None` when the words are not that form.
fn read_rule(words: &str) -> Option<(Vec<ConcessionGroup>, Option<i64>, Option<i64>)> {
    let mut who = Vec::new();
    let (mut min, mut max) = (None, None);
    for part in words.split("; ") {
        if let Some(ages) = part.strip_prefix("aged ") {
            let number = |s: &str| s.trim().parse::<i64>().ok();
            if let Some(from) = ages.strip_suffix(" and over") {
                min = Some(number(from)?);
            } else if let Some(to) = ages.strip_suffix(" and under") {
                max = Some(number(to)?);
            } else {
                let (from, to) = ages.split_once(" to ")?;
                (min, max) = (Some(number(from)?), Some(number(to)?));
            }
        } else {
            for group in part.split(", ") {
                who.push(ConcessionGroup::parse(group.trim())?);
            }
        }
    }
    Some((who, min, max))
}

fn cost(errors: &mut Errors, v: &Value) -> CostInput {
    let mut out = CostInput {
        notes: text(v, "fees"),
        ..CostInput::default()
    };
    for (i, option) in array(v, "cost_options").iter().enumerate() {
        let name = text(option, "option").unwrap_or_default().to_lowercase();
        let amount = number(
            errors,
            option,
            "amount",
            &format!("cost_options[{i}].amount"),
        );
        let pence = amount.map(|a| (a * 100.0).round() as i64);
        // Our own feed's rule-bound concessions ("Concession (students; aged 60 and over)")
        // are read back as rules, not as a flat concession price.
        if let Some(inner) = name
            .strip_prefix("concession (")
            .and_then(|r| r.strip_suffix(')'))
        {
            if let (Some(price_pence), Some((who, min_age, max_age))) = (pence, read_rule(inner)) {
                out.concessions.push(ConcessionRule {
                    price_pence,
                    who,
                    min_age,
                    max_age,
                });
            }
            continue;
        }
        if name.contains("free") || pence == Some(0) && !name.contains("concession") {
            out.free = Some(true);
        } else if name.contains("concession") {
            out.concession_pence = pence;
        } else if out.amount_pence.is_none() {
            out.amount_pence = pence;
        }
    }
    if out.free == Some(true) && out.amount_pence.is_some() {
        // Free for some, paid for others: keep the price, say so in words.
        out.free = None;
    }
    out
}

/// A value of one of our closed sets, or a field error naming it: a rule the feed states but we
/// cannot read (a women-only session) must never quietly become the default (mixed).
fn known<T>(
    errors: &mut Errors,
    code: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let parsed = parse(value);
    if parsed.is_none() {
        errors.add(
            format!("attributes.{code}"),
            format!("{value:?} is not one of the allowed values"),
        );
    }
    parsed
}

/// Maps one ORUK 3.0 service. Errors are the fields the source got wrong; what our rules
/// refuse is found later by `asset::validate`.
pub fn read_service(v: &Value) -> Result<ImportRecord, Vec<FieldError>> {
    let mut errors = Errors::default();
    let source_id = text(v, "id");
    if source_id.is_none() {
        errors.add("id", "is missing");
    }
    let title = text(v, "name");
    if title.is_none() {
        errors.add("name", "is missing");
    }
    let t = terms(array(v, "attributes"));
    let (venue_input, venue_source_id, online) = venue(&mut errors, v);
    let service_area = array(v, "service_areas").iter().find_map(|a| {
        let geojson = text(a, "extent_type").is_some_and(|t| t.eq_ignore_ascii_case("geojson"));
        geojson
            .then(|| text(a, "extent"))
            .flatten()
            .and_then(|e| serde_json::from_str::<Value>(&e).ok())
    });
    let contact = array(v, "contacts").first().cloned().unwrap_or(Value::Null);
    let contact_phone = array(&contact, "phones")
        .iter()
        .chain(array(v, "phones"))
        .find_map(|p| text(p, "number"));
    let kind = t.kind.unwrap_or_else(|| {
        guess_kind(&format!(
            "{} {}",
            title.clone().unwrap_or_default(),
            t.foreign.join(" ")
        ))
    });
    let mut five_ways = t.five_ways.clone();
    five_ways.dedup();
    let min_age = whole(&mut errors, v, "minimum_age", "minimum_age");
    let max_age = whole(&mut errors, v, "maximum_age", "maximum_age");
    let schedule = schedule(&mut errors, v);
    let cost = cost(&mut errors, v);
    let newcomers = Newcomers {
        drop_in: t.flag(&mut errors, "drop_in"),
        taster_session: t.flag(&mut errors, "taster_session"),
        meet_and_greet: t.flag(&mut errors, "meet_and_greet"),
        booking_required: t.flag(&mut errors, "booking_required"),
        notes: t.detail("newcomer_notes").map(String::from),
    };
    let capacity = CapacityInput {
        max_participants: t.count(&mut errors, "max_participants"),
        typical_group_size: t.count(&mut errors, "typical_group_size"),
    };
    let confirmed_at = date(&mut errors, v, "assured_date", "assured_date")
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let active = !matches!(
        text(v, "status").map(|s| s.to_lowercase()).as_deref(),
        Some("inactive" | "defunct")
    );
    let example = t.flag(&mut errors, "example") == Some(true);
    let mut interest_phrases = t.interests.clone();
    interest_phrases.extend(t.foreign.iter().cloned());
    let record = ImportRecord {
        source_id: source_id.unwrap_or_default(),
        organization: organization(v),
        asset: AssetInput {
            organization_id: None,
            kind,
            title: title.unwrap_or_default(),
            description: text(v, "description"),
            venue_id: None,
            venue: venue_input,
            service_area,
            online,
            interests: Vec::new(),
            five_ways,
            eligibility: EligibilityInput {
                min_age,
                max_age,
                criteria: text(v, "eligibility_description"),
            },
            audience: Audience {
                gender: t
                    .detail("audience_gender")
                    .and_then(|g| known(&mut errors, "audience_gender", g, GenderRule::parse))
                    .unwrap_or_default(),
                groups: t
                    .detail("audience_groups")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .filter_map(|g| known(&mut errors, "audience_groups", g, AudienceGroup::parse))
                    .collect(),
                groups_only: t.flag(&mut errors, "audience_groups_only").unwrap_or(false),
                referral_only: t.flag(&mut errors, "referral_only").unwrap_or(false),
            },
            cost,
            schedule,
            newcomers,
            capacity,
            contact: Contact {
                name: text(&contact, "name"),
                email: text(v, "email").or_else(|| text(&contact, "email")),
                phone: contact_phone,
                url: text(v, "url"),
            },
            participation: Participation {
                levels: split_list(t.detail("levels")),
                coached: t.flag(&mut errors, "coached"),
                attendee_instructions: t.detail("attendee_instructions").map(String::from),
                accessibility_support: split_list(t.detail("accessibility_support")),
                prepayment: t
                    .detail("prepayment")
                    .and_then(|p| known(&mut errors, "prepayment", p, Prepayment::parse)),
            },
            external_id: None,
        },
        venue_source_id,
        interest_phrases,
        concepts: Vec::new(),
        confirmed_at,
        active,
        example,
        attribution: match (t.detail("licence"), t.detail("attribution")) {
            (Some(licence), Some(text)) => Some(crate::domain::attribution::Attribution {
                text: text.to_string(),
                licence: licence.to_string(),
                url: t.detail("attribution_url").map(String::from),
            }),
            _ => None,
        },
    };
    errors.finish(record)
}

/// Reshapes an ORUK 1.0 service into the 3.0 form.
pub fn v1_to_v3(v: &Value) -> Value {
    let mut out: Map<String, Value> = v.as_object().cloned().unwrap_or_default();
    if let Some(eligibility) = array(v, "eligibilitys").first() {
        for (from, to) in [
            ("minimum_age", "minimum_age"),
            ("maximum_age", "maximum_age"),
        ] {
            if let Some(age) = eligibility.get(from).filter(|a| !a.is_null()) {
                out.entry(to).or_insert(age.clone());
            }
        }
        if let Some(words) = text(eligibility, "eligibility") {
            out.insert("eligibility_description".into(), json!(words));
        }
    }
    out.insert("schedules".into(), json!(array(v, "regular_schedules")));
    let locations: Vec<Value> = array(v, "service_at_locations")
        .iter()
        .map(|at| {
            let mut at = at.clone();
            if let Some(location) = at.get_mut("location").and_then(Value::as_object_mut) {
                let addresses = location.remove("physical_addresses").unwrap_or(json!([]));
                location.insert("addresses".into(), addresses);
                let access: Vec<Value> = location
                    .remove("accessibility_for_disabilities")
                    .and_then(|a| a.as_array().cloned())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| json!({"description": text(&a, "accessibility")}))
                    .collect();
                location.insert("accessibility".into(), json!(access));
                location.entry("location_type").or_insert(json!("physical"));
            }
            at
        })
        .collect();
    out.insert("service_at_locations".into(), json!(locations));
    let attributes: Vec<Value> = array(v, "service_taxonomys")
        .iter()
        .filter_map(|st| st.get("taxonomy"))
        .map(|t| {
            json!({"taxonomy_term": {
                "id": text(t, "id"),
                "name": text(t, "name"),
                "taxonomy": text(t, "vocabulary"),
            }})
        })
        .collect();
    out.insert("attributes".into(), json!(attributes));
    if let Some(org) = out.get_mut("organization").and_then(Value::as_object_mut)
        && !org.contains_key("website")
        && let Some(url) = org.get("url").cloned()
    {
        org.insert("website".into(), url);
    }
    Value::Object(out)
}

/// A text field of a source record (strings, or numbers written as text).
pub fn text_of(v: &Value, key: &str) -> Option<String> {
    text(v, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOCK_SERVICE: &str =
        include_str!("../../tests/fixtures/oruk/validator-mocks/V3.0-UK-Default/service_full.json");

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn the_official_example_is_refused_for_its_coordinates() {
        let v: Value = serde_json::from_str(MOCK_SERVICE).unwrap();
        let errors = read_service(&v).unwrap_err();
        // Longitude 101 is a longitude somewhere on Earth; latitude 100 is not.
        assert_eq!(
            fields(&errors),
            ["service_at_locations[0].location.latitude"]
        );
        assert!(errors[0].reason.contains("100"));
    }

    #[test]
    fn the_official_example_maps_once_placed() {
        let mut v: Value = serde_json::from_str(MOCK_SERVICE).unwrap();
        let location = &mut v["service_at_locations"][0]["location"];
        location["latitude"] = json!(53.4248);
        location["longitude"] = json!(-2.3232);
        let record = read_service(&v).unwrap();
        assert_eq!(record.source_id, v["id"].as_str().unwrap());
        assert_eq!(record.asset.title, v["name"].as_str().unwrap());
        let org = record.organization.unwrap();
        assert_eq!(org.source_id, v["organization"]["id"].as_str().unwrap());
        let venue = record.asset.venue.clone().unwrap();
        assert_eq!(venue.location.unwrap().lat, 53.4248);
        assert_eq!(venue.venue_type, VenueType::Other);
        // "induction loops for hearing aids. Wheelchair access is possible on all levels."
        assert!(
            venue
                .accessibility
                .contains(&AccessibilityFeature::HearingLoop)
        );
        assert!(
            venue
                .accessibility
                .contains(&AccessibilityFeature::WheelchairAccessible)
        );
        assert!(
            !record.interest_phrases.is_empty(),
            "taxonomy terms are kept"
        );
        // The mock's postcode "ABC 1234" is not a UK postcode: our own rules refuse it.
        let refused = crate::domain::asset::validate_imported(&record.asset).unwrap_err();
        assert!(fields(&refused).contains(&"venue.postcode"), "{refused:?}");
    }

    #[test]
    fn missing_names_and_malformed_times_are_named() {
        let v = json!({
            "id": "s1",
            "schedules": [
                {"freq": "WEEKLY", "byday": "MO", "opens_at": "9am", "closes_at": "10:00"},
                {"freq": "WEEKLY", "byday": "XX", "opens_at": "09:00", "closes_at": "10:00"}
            ],
            "minimum_age": "ten"
        });
        let errors = read_service(&v).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "name",
                "minimum_age",
                "schedules[0].opens_at",
                "schedules[1].byday"
            ]
        );
    }

    #[test]
    fn schedules_become_weekly_dated_or_words() {
        let v = json!({
            "id": "s1", "name": "Choir",
            "schedules": [
                {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "18:00:00", "closes_at": "19:30", "valid_from": "2026-01-05"},
                {"dtstart": "2026-12-24", "opens_at": "18:00", "closes_at": "20:00"},
                {"freq": "MONTHLY", "byday": "1SA", "opens_at": "10:00", "closes_at": "12:00", "description": "First Saturday of the month"}
            ]
        });
        let s = read_service(&v).unwrap().asset.schedule;
        assert_eq!(s.weekly.len(), 2);
        assert_eq!(s.weekly[1].day, Weekday::Wed);
        assert_eq!(s.weekly[0].start, "18:00");
        assert_eq!(s.dated.len(), 1);
        assert_eq!(s.notes.as_deref(), Some("First Saturday of the month"));
    }

    #[test]
    fn costs_read_free_paid_and_concession() {
        let v = json!({"id": "s", "name": "n", "fees": "Pay on the door", "cost_options": [
            {"option": "Adult", "amount": 3.5}, {"option": "Concession", "amount": "1.75"}
        ]});
        let c = read_service(&v).unwrap().asset.cost;
        assert_eq!(
            (c.free, c.amount_pence, c.concession_pence),
            (None, Some(350), Some(175))
        );
        assert_eq!(c.notes.as_deref(), Some("Pay on the door"));
        let free =
            json!({"id": "s", "name": "n", "cost_options": [{"option": "Free", "amount": 0}]});
        assert_eq!(read_service(&free).unwrap().asset.cost.free, Some(true));
    }

    #[test]
    fn a_v1_service_reads_like_a_v3_one() {
        let v1 = json!({
            "id": "v1-1", "name": "Walking group", "status": "active",
            "organization": {"id": "o1", "name": "Ramblers", "url": "https://ramblers.example"},
            "eligibilitys": [{"minimum_age": 18, "eligibility": "adults"}],
            "regular_schedules": [{"freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00"}],
            "service_at_locations": [{"location": {"id": "l1", "name": "Park gates", "latitude": 53.4, "longitude": -2.3,
                "physical_addresses": [{"address_1": "Park Road", "city": "Sale", "postal_code": "M33 7ZF"}],
                "accessibility_for_disabilities": [{"accessibility": "Step-free paths"}]}}],
            "service_taxonomys": [{"taxonomy": {"id": "t1", "name": "Walking", "vocabulary": "esd"}}]
        });
        let record = read_service(&v1_to_v3(&v1)).unwrap();
        assert_eq!(record.asset.kind, AssetKind::Group);
        assert_eq!(record.asset.eligibility.min_age, Some(18));
        assert_eq!(record.asset.eligibility.criteria.as_deref(), Some("adults"));
        assert_eq!(record.asset.schedule.weekly[0].day, Weekday::Sat);
        let venue = record.asset.venue.unwrap();
        assert_eq!(venue.postcode.as_deref(), Some("M33 7ZF"));
        assert_eq!(venue.accessibility, [AccessibilityFeature::StepFreeAccess]);
        assert_eq!(record.venue_source_id.as_deref(), Some("l1"));
        assert_eq!(
            record.organization.unwrap().input.website.as_deref(),
            Some("https://ramblers.example")
        );
        assert_eq!(record.interest_phrases, ["Walking"]);
    }

    #[test]
    fn kinds_are_guessed_from_words() {
        assert_eq!(guess_kind("Volunteer driver"), AssetKind::Volunteering);
        assert_eq!(guess_kind("Pottery class"), AssetKind::Course);
        assert_eq!(guess_kind("Knit and natter group"), AssetKind::Group);
        assert_eq!(guess_kind("Parkrun"), AssetKind::Activity);
    }
}
