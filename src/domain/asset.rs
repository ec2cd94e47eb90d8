//! Assets: the groups, volunteering roles, courses and activities a person can join, as
//! submitted by agencies, and the rules a submission must meet.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::audience::{self, Audience};
use super::contact;
use super::cost::{self, Cost, CostInput};
use super::geometry::{self, Area};
use super::participation::{self, Participation};
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

/// Who can take part, as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityInput {
    /// Youngest age in years who can take part, 0 to 120; omit when there is no lower limit.
    #[serde(default)]
    #[schema(example = 18, minimum = 0, maximum = 120)]
    pub min_age: Option<i64>,
    /// Oldest age in years who can take part, 0 to 120 and not below `min_age`; omit when there
    /// is no upper limit.
    #[serde(default)]
    #[schema(example = 65, minimum = 0, maximum = 120)]
    pub max_age: Option<i64>,
    /// Any other condition, in plain words (e.g. "Trafford residents", "women only"); at most
    /// 1,000 characters, no control characters.
    #[serde(default)]
    #[schema(
        example = "Trafford residents",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub criteria: Option<String>,
}

/// Who can take part; `null` fields mean no limit was stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Eligibility {
    /// Youngest age in years who can take part; `null` when there is no lower limit.
    #[schema(example = 18)]
    pub min_age: Option<i16>,
    /// Oldest age in years who can take part; `null` when there is no upper limit.
    #[schema(example = 65)]
    pub max_age: Option<i16>,
    /// Any other condition, in plain words; `null` when there is none.
    #[schema(example = "Trafford residents")]
    pub criteria: Option<String>,
}

/// How the asset welcomes someone new; `null` means not stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Newcomers {
    /// Anyone can turn up without arranging it first.
    #[serde(default)]
    #[schema(example = true)]
    pub drop_in: Option<bool>,
    /// A free or low-cost first session to try it out.
    #[serde(default)]
    #[schema(example = true)]
    pub taster_session: Option<bool>,
    /// Someone meets newcomers and introduces them.
    #[serde(default)]
    #[schema(example = true)]
    pub meet_and_greet: Option<bool>,
    /// A place must be booked in advance.
    #[serde(default)]
    #[schema(example = false)]
    pub booking_required: Option<bool>,
    /// Anything else a newcomer should know, e.g. what to wear or bring; at most 1,000
    /// characters, no control characters.
    #[serde(default)]
    #[schema(
        example = "Wear trainers; bibs and balls are provided.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub notes: Option<String>,
}

/// How many people take part, as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityInput {
    /// Most people who can take part in one session, 1 to 100,000.
    #[serde(default)]
    #[schema(example = 20, minimum = 1, maximum = 100000)]
    pub max_participants: Option<i64>,
    /// How many people usually come (helps someone anxious in big groups), 1 to 100,000 and
    /// not more than `max_participants`.
    #[serde(default)]
    #[schema(example = 12, minimum = 1, maximum = 100000)]
    pub typical_group_size: Option<i64>,
}

/// How many people take part; `null` means not stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Capacity {
    /// Most people who can take part in one session.
    #[schema(example = 20)]
    pub max_participants: Option<i32>,
    /// How many people usually come.
    #[schema(example = 12)]
    pub typical_group_size: Option<i32>,
}

/// Who to contact about the asset. Every field is optional; blank text counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Who to ask for, a person or a role; at most 200 characters, no control characters.
    #[serde(default)]
    #[schema(
        example = "Library reception",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: Option<String>,
    /// E-mail address, e.g. `sale.library@trafford.gov.uk`; at most 254 characters.
    #[serde(default)]
    #[schema(
        example = "sale.library@trafford.gov.uk",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{255})([^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+@[^@.\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*\.[^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^@.\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub email: Option<String>,
    /// Phone number of 6 to 15 digits, written any usual way (spaces, `+`, brackets, hyphens,
    /// dots, and words such as "ext"); at most 40 characters.
    #[serde(default)]
    #[schema(
        example = "0161 912 3456",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?!.{40}.*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])(([ +().A-Za-z-]*[0-9]){6,15}[ +().A-Za-z-]*)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub phone: Option<String>,
    /// Web page about the asset, starting `https://` or `http://`; at most 500 characters.
    #[serde(default)]
    #[schema(
        example = "https://www.trafford.gov.uk/residents/leisure-and-lifestyle/libraries/libraries-in-trafford/sale-library.aspx",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,491}|http://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,492})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub url: Option<String>,
}

/// An asset as submitted with `POST /v1/assets` or `PUT /v1/assets/{id}`. Text is trimmed of
/// leading and trailing whitespace: length limits count what is left, and blank optional text
/// counts as absent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    /// The organisation that runs it (uuid). An agency key may omit it (its own organisation is
    /// used); an admin key must give it. It cannot be changed by `PUT`.
    #[serde(default)]
    #[schema(example = "33c5180e-f0a8-5ecb-97b1-c64477ff1d80")]
    pub organization_id: Option<Uuid>,
    /// What sort of thing it is.
    pub kind: AssetKind,
    /// The name people will see in results; 1 to 200 characters after trimming, no control
    /// characters.
    #[schema(
        example = "Walking football for adults",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// What happens, who it suits and what to bring, in plain words; at most 10,000
    /// characters, no control characters except line breaks and tabs.
    #[serde(default)]
    #[schema(
        example = "A gentle, no-running version of football for adults who want to get back into sport at their own pace. Bibs and balls provided; wear trainers.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,9998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub description: Option<String>,
    /// An existing venue (uuid, from `POST /v1/venues` or another asset), e.g.
    /// `4dc38f77-ffb1-5760-8360-00c1458b8890`. Give this or `venue`, not both (so the schema
    /// gives no example of its own: the body's example uses `venue`).
    #[serde(default)]
    pub venue_id: Option<Uuid>,
    /// A new venue, created with the asset.
    #[serde(default)]
    pub venue: Option<VenueInput>,
    /// Where the asset is offered when it has no single venue: a GeoJSON (RFC 7946) Polygon or
    /// MultiPolygon in WGS 84 longitude/latitude. Each ring must be closed and have at least 4
    /// positions, every position must lie in the UK and Ireland, and the whole area may have at
    /// most 10,000 positions. It must be a valid area (OGC: no ring crossing itself or another,
    /// holes inside their polygon, polygons not overlapping); the 422 gives the reason. Rings
    /// may be wound either way; they are served as RFC 7946 says (outer rings anticlockwise).
    #[serde(default)]
    #[schema(value_type = Option<Object>, example = json!({
        "type": "Polygon",
        "coordinates": [[[-2.32, 53.44], [-2.30, 53.44], [-2.30, 53.46], [-2.32, 53.46], [-2.32, 53.44]]]
    }))]
    pub service_area: Option<Value>,
    /// Whether the asset (also) takes place online. An asset needs a place: `venue_id` or
    /// `venue`, a `service_area`, or `online: true`.
    #[serde(default)]
    #[schema(example = false)]
    pub online: bool,
    /// Interest terms: vocabulary ids, slugs, labels or synonyms (see `GET /v1/interests`); 1 to
    /// 20 terms, each 1 to 100 characters with at least one letter or digit. Unknown terms are
    /// refused with suggestions; terms that differ only in case or punctuation count once.
    #[schema(
        example = json!(["walking football"]),
        required = true,
        min_items = 1,
        max_items = 20,
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,98}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    #[serde(default)]
    pub interests: Vec<String>,
    /// Which of the Five Ways to Wellbeing it supports (duplicates are ignored).
    #[serde(default)]
    #[schema(example = json!(["connect", "be_active"]))]
    pub five_ways: Vec<FiveWays>,
    /// Who can take part; omit when anyone can.
    #[serde(default)]
    pub eligibility: EligibilityInput,
    /// Who the session is for: gender rule, groups it is made for, referral only; omit for a
    /// mixed session open to everyone.
    #[serde(default)]
    pub audience: Audience,
    /// What a session costs; omit when not known (an unknown cost never counts as free).
    #[serde(default)]
    pub cost: CostInput,
    /// When it runs; omit when not known.
    #[serde(default)]
    pub schedule: ScheduleInput,
    /// How it welcomes someone new; omit what is not known.
    #[serde(default)]
    pub newcomers: Newcomers,
    /// How many people take part; omit when not known.
    #[serde(default)]
    pub capacity: CapacityInput,
    /// Who to ask about it.
    #[serde(default)]
    pub contact: Contact,
    /// How taking part works: levels, coaching, what to bring, support for disabled people,
    /// paying in advance; omit what is not known.
    #[serde(default)]
    pub participation: Participation,
    /// The submitter's own id for this listing (its booking system's or database's), unique
    /// within the organisation; 1 to 200 characters, no control characters. Lets that system
    /// replace the listing with `PUT /v1/organizations/{id}/assets/by-external-id/{external_id}`
    /// without keeping our ids. Omitted on `PUT /v1/assets/{id}`, the stored one is kept.
    #[serde(default)]
    #[schema(
        example = "club-42-walking-football",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub external_id: Option<String>,
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
    pub audience: Audience,
    pub cost: Cost,
    pub schedule: Schedule,
    pub newcomers: Newcomers,
    pub capacity: Capacity,
    pub contact: Contact,
    pub participation: Participation,
    pub external_id: Option<String>,
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
    validate_with(input, true)
}

/// The rules for an imported record: the same, except that it may have no interest terms (a
/// source's taxonomy may name nothing in our vocabulary; its terms are kept as source tags).
pub fn validate_imported(input: &AssetInput) -> Result<Asset, Vec<FieldError>> {
    validate_with(input, false)
}

fn validate_with(input: &AssetInput, require_interest: bool) -> Result<Asset, Vec<FieldError>> {
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
    if require_interest && input.interests.is_empty() {
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

    let audience = audience::validate(&input.audience, "audience", &mut errors);
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

    let participation = participation::validate(&input.participation, "participation", &mut errors);
    let external_id = errors.optional_text("external_id", input.external_id.as_deref(), 200);

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
        audience,
        cost,
        schedule,
        newcomers,
        capacity,
        contact,
        participation,
        external_id,
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
