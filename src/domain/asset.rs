//! Assets: the groups, volunteering roles, courses and activities a person can join, as
//! submitted by agencies, and the rules a submission must meet.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::contact;
use super::cost::{self, Cost, CostInput};
use super::geometry::{self, Area};
use super::phrase;
use super::schedule::{self, Schedule, ScheduleInput};
use super::validation::{Errors, FieldError, at};
use super::venue::{self, Venue, VenueInput};

pub const MAX_INTERESTS: usize = 20;
pub const MAX_AGE: i64 = 120;

string_enum! {
    /// What sort of thing the asset is.
    AssetKind {
        Group => "group",
        Volunteering => "volunteering",
        Course => "course",
        Activity => "activity",
    }
}

string_enum! {
    /// The Five Ways to Wellbeing an asset contributes to.
    FiveWays {
        Connect => "connect",
        BeActive => "be_active",
        TakeNotice => "take_notice",
        KeepLearning => "keep_learning",
        Give => "give",
    }
}

string_enum! {
    /// Publication state: `pending` waits for a moderator, only `published` is public,
    /// `archived` is withdrawn but kept.
    AssetStatus {
        Pending => "pending",
        Published => "published",
        Archived => "archived",
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityInput {
    /// Youngest age in years who can take part.
    #[serde(default)]
    #[schema(example = 18, minimum = 0, maximum = 120)]
    pub min_age: Option<i64>,
    /// Oldest age in years who can take part.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 120)]
    pub max_age: Option<i64>,
    /// Any other condition, in plain words (e.g. "Trafford residents", "women only").
    #[serde(default)]
    pub criteria: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Eligibility {
    pub min_age: Option<i16>,
    pub max_age: Option<i16>,
    pub criteria: Option<String>,
}

/// How the asset welcomes someone new; `null` means not stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Newcomers {
    /// Anyone can turn up without arranging it first.
    #[serde(default)]
    pub drop_in: Option<bool>,
    /// A free or low-cost first session to try it out.
    #[serde(default)]
    pub taster_session: Option<bool>,
    /// Someone meets newcomers and introduces them.
    #[serde(default)]
    pub meet_and_greet: Option<bool>,
    /// A place must be booked in advance.
    #[serde(default)]
    pub booking_required: Option<bool>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityInput {
    /// Most people who can take part in one session.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub max_participants: Option<i64>,
    /// How many people usually come (helps someone anxious in big groups).
    #[serde(default)]
    #[schema(example = 12, minimum = 1, maximum = 100000)]
    pub typical_group_size: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Capacity {
    pub max_participants: Option<i32>,
    pub typical_group_size: Option<i32>,
}

/// Who to contact about the asset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(example = "hello@example.org")]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(example = "0161 912 3456")]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(example = "https://example.org/walking-football")]
    pub url: Option<String>,
}

/// An asset as submitted with `POST /v1/assets` or `PUT /v1/assets/{id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// The organisation that runs it. An agency key may omit it (its own organisation is
    /// used); an admin key must give it. It cannot be changed by `PUT`.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    pub kind: AssetKind,
    #[schema(example = "Walking football for over-50s")]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// An existing venue. Give this or `venue`, not both.
    #[serde(default)]
    pub venue_id: Option<Uuid>,
    /// A new venue, created with the asset.
    #[serde(default)]
    pub venue: Option<VenueInput>,
    /// Where the asset is offered when it has no single venue: a GeoJSON (RFC 7946) Polygon or
    /// MultiPolygon in WGS 84 longitude/latitude.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub service_area: Option<Value>,
    /// Whether the asset (also) takes place online.
    #[serde(default)]
    pub online: bool,
    /// Interest terms: vocabulary ids, slugs, labels or synonyms (see `GET /v1/interests`).
    #[schema(example = json!(["walking football"]))]
    #[serde(default)]
    pub interests: Vec<String>,
    #[serde(default)]
    pub five_ways: Vec<FiveWays>,
    #[serde(default)]
    pub eligibility: EligibilityInput,
    #[serde(default)]
    pub cost: CostInput,
    #[serde(default)]
    pub schedule: ScheduleInput,
    #[serde(default)]
    pub newcomers: Newcomers,
    #[serde(default)]
    pub capacity: CapacityInput,
    #[serde(default)]
    pub contact: Contact,
}

/// Where a validated asset happens.
#[derive(Debug, Clone, PartialEq)]
pub enum VenueChoice {
    None,
    Existing(Uuid),
    New(Box<Venue>),
}

/// A validated asset; interests are still phrases, resolved against the vocabulary later.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub kind: AssetKind,
    pub title: String,
    pub description: String,
    pub venue: VenueChoice,
    pub service_area: Option<Area>,
    pub online: bool,
    pub interests: Vec<String>,
    pub five_ways: Vec<FiveWays>,
    pub eligibility: Eligibility,
    pub cost: Cost,
    pub schedule: Schedule,
    pub newcomers: Newcomers,
    pub capacity: Capacity,
    pub contact: Contact,
}

fn age(errors: &mut Errors, field: &str, value: Option<i64>) -> Option<i16> {
    let v = value?;
    if !(0..=MAX_AGE).contains(&v) {
        errors.add(field, format!("must be an age between 0 and {MAX_AGE}"));
        return None;
    }
    i16::try_from(v).ok()
}

fn count(errors: &mut Errors, field: &str, value: Option<i64>) -> Option<i32> {
    let v = value?;
    if !(1..=100_000).contains(&v) {
        errors.add(field, "must be between 1 and 100000");
        return None;
    }
    i32::try_from(v).ok()
}

pub fn validate(input: &AssetInput) -> Result<Asset, Vec<FieldError>> {
    let mut errors = Errors::default();
    let title = errors.required_text("title", &input.title, 200);
    let description = errors
        .optional_text("description", input.description.as_deref(), 10_000)
        .unwrap_or_default();

    let venue = match (&input.venue_id, &input.venue) {
        (Some(_), Some(_)) => {
            errors.add("venue", "give either venue_id or venue, not both");
            VenueChoice::None
        }
        (Some(id), None) => VenueChoice::Existing(*id),
        (None, Some(v)) => VenueChoice::New(Box::new(venue::validate(v, "venue", &mut errors))),
        (None, None) => VenueChoice::None,
    };
    let service_area = input
        .service_area
        .as_ref()
        .and_then(|v| geometry::parse_area(&mut errors, "service_area", v));
    if venue == VenueChoice::None && input.service_area.is_none() && !input.online {
        errors.add(
            "venue",
            "an asset needs a place: venue_id or venue, a service_area, or online: true",
        );
    }

    let mut interests: Vec<String> = Vec::new();
    if input.interests.is_empty() {
        errors.add(
            "interests",
            "must name at least one interest term (see GET /v1/interests)",
        );
    }
    if input.interests.len() > MAX_INTERESTS {
        errors.add(
            "interests",
            format!("must have at most {MAX_INTERESTS} terms"),
        );
    }
    for (i, raw) in input.interests.iter().enumerate() {
        let trimmed = raw.trim();
        if phrase::normalise(trimmed).is_empty() || trimmed.chars().count() > 100 {
            errors.add(
                at("interests", i),
                "must be a term id, slug or name of 1 to 100 characters",
            );
        } else if !interests
            .iter()
            .any(|seen| phrase::normalise(seen) == phrase::normalise(trimmed))
        {
            interests.push(trimmed.to_string());
        }
    }

    let mut five_ways = input.five_ways.clone();
    five_ways.sort();
    five_ways.dedup();

    let e = &input.eligibility;
    let eligibility = Eligibility {
        min_age: age(&mut errors, "eligibility.min_age", e.min_age),
        max_age: age(&mut errors, "eligibility.max_age", e.max_age),
        criteria: errors.optional_text("eligibility.criteria", e.criteria.as_deref(), 1000),
    };
    if let (Some(min), Some(max)) = (eligibility.min_age, eligibility.max_age)
        && min > max
    {
        errors.add(
            "eligibility.max_age",
            format!("must not be less than min_age ({min})"),
        );
    }

    let cost = cost::validate(&input.cost, "cost", &mut errors);
    let schedule = schedule::validate(&input.schedule, "schedule", &mut errors);

    let newcomers = Newcomers {
        notes: errors.optional_text("newcomers.notes", input.newcomers.notes.as_deref(), 1000),
        ..input.newcomers.clone()
    };
    let capacity = Capacity {
        max_participants: count(
            &mut errors,
            "capacity.max_participants",
            input.capacity.max_participants,
        ),
        typical_group_size: count(
            &mut errors,
            "capacity.typical_group_size",
            input.capacity.typical_group_size,
        ),
    };
    if let (Some(max), Some(typical)) = (capacity.max_participants, capacity.typical_group_size)
        && typical > max
    {
        errors.add(
            "capacity.typical_group_size",
            format!("must not be more than max_participants ({max})"),
        );
    }
    let c = &input.contact;
    let contact = Contact {
        name: errors.optional_text("contact.name", c.name.as_deref(), 200),
        email: contact::email(&mut errors, "contact.email", c.email.as_deref()),
        phone: contact::phone(&mut errors, "contact.phone", c.phone.as_deref()),
        url: contact::url(&mut errors, "contact.url", c.url.as_deref()),
    };

    errors.finish(Asset {
        kind: input.kind,
        title,
        description,
        venue,
        service_area,
        online: input.online,
        interests,
        five_ways,
        eligibility,
        cost,
        schedule,
        newcomers,
        capacity,
        contact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> AssetInput {
        serde_json::from_value(body).unwrap()
    }

    fn minimal() -> Value {
        json!({
            "kind": "activity",
            "title": "Walking football",
            "online": true,
            "interests": ["walking football"]
        })
    }

    fn rejected_fields(body: Value) -> Vec<String> {
        validate(&parse(body))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn minimal_asset_is_valid() {
        let asset = validate(&parse(minimal())).unwrap();
        assert_eq!(asset.kind, AssetKind::Activity);
        assert_eq!(asset.cost.free, None);
        assert!(asset.schedule.sessions.is_empty());
    }

    #[test]
    fn needs_a_place_and_an_interest() {
        let mut body = minimal();
        body["online"] = json!(false);
        body["interests"] = json!([]);
        assert_eq!(rejected_fields(body), ["venue", "interests"]);
    }

    #[test]
    fn venue_id_and_venue_are_exclusive() {
        let mut body = minimal();
        body["venue_id"] = json!(Uuid::nil());
        body["venue"] = json!({"name": "Hall", "venue_type": "online"});
        assert_eq!(rejected_fields(body), ["venue"]);
    }

    #[test]
    fn ages_must_be_in_range_and_ordered() {
        let mut body = minimal();
        body["eligibility"] = json!({"min_age": 130, "max_age": -1});
        assert_eq!(
            rejected_fields(body),
            ["eligibility.min_age", "eligibility.max_age"]
        );
        let mut body = minimal();
        body["eligibility"] = json!({"min_age": 65, "max_age": 18});
        assert_eq!(rejected_fields(body), ["eligibility.max_age"]);
    }

    #[test]
    fn duplicate_interests_collapse() {
        let mut body = minimal();
        body["interests"] = json!(["Walking Football", "walking-football", "bowls"]);
        assert_eq!(
            validate(&parse(body)).unwrap().interests,
            ["Walking Football", "bowls"]
        );
    }

    #[test]
    fn nested_errors_name_their_path() {
        let mut body = minimal();
        body["venue"] = json!({"name": "", "venue_type": "library", "location": {"lat": 100, "lon": 101}, "postcode": "hello"});
        body["online"] = json!(false);
        body["schedule"] = json!({"weekly": [{"day": "tue", "start": "19:00", "end": "18:00"}]});
        body["cost"] = json!({"amount_pence": -5});
        body["contact"] = json!({"email": "not-an-email"});
        assert_eq!(
            rejected_fields(body),
            [
                "venue.name",
                "venue.postcode",
                "venue.location.lat",
                "cost.amount_pence",
                "schedule.weekly[0].end",
                "contact.email"
            ]
        );
    }

    #[test]
    fn unknown_fields_and_kinds_fail_to_parse() {
        let mut body = minimal();
        body["titel"] = json!("typo");
        assert!(serde_json::from_value::<AssetInput>(body).is_err());
        let mut body = minimal();
        body["kind"] = json!("party");
        assert!(serde_json::from_value::<AssetInput>(body).is_err());
    }
}
