//! Venues: where assets happen. The type of venue decides by default whether it is a
//! mainstream, non-stigmatised setting (the research behind the product: people refuse
//! activities held on "mental health" premises).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contact;
use super::geometry::{self, LatLon};
use super::postcode::Postcode;
use super::postcode_index::Precision;
use super::validation::{Errors, at};

string_enum! {
    /// What kind of place a venue is.
    VenueType {
        Library => "library",
        CommunityCentre => "community_centre",
        College => "college",
        SportsCentre => "sports_centre",
        Park => "park",
        PlaceOfWorship => "place_of_worship",
        Cafe => "cafe",
        ArtsVenue => "arts_venue",
        HealthSetting => "health_setting",
        MentalHealthService => "mental_health_service",
        Online => "online",
        Other => "other",
    }
}

impl VenueType {
    /// Health and mental-health premises are stigmatised settings; everything else is
    /// mainstream unless the submitter says otherwise.
    pub fn default_non_stigmatised(self) -> bool {
        !matches!(
            self,
            VenueType::HealthSetting | VenueType::MentalHealthService
        )
    }
}

string_enum! {
    /// An accessibility feature of a venue.
    AccessibilityFeature {
        StepFreeAccess => "step_free_access",
        WheelchairAccessible => "wheelchair_accessible",
        AccessibleToilet => "accessible_toilet",
        ChangingPlacesToilet => "changing_places_toilet",
        HearingLoop => "hearing_loop",
        QuietSpace => "quiet_space",
        Parking => "parking",
        AccessibleParking => "accessible_parking",
        NearPublicTransport => "near_public_transport",
        LargePrint => "large_print",
        SignLanguage => "sign_language",
        AssistanceDogsWelcome => "assistance_dogs_welcome",
    }
}

/// A venue as submitted. Text is trimmed of leading and trailing whitespace: length limits count
/// what is left, and blank optional text counts as absent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueInput {
    /// Name of the place as people know it; 1 to 200 characters after trimming, no control
    /// characters.
    #[schema(
        example = "Sale Library",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// Street address lines, without town or postcode; at most 4 lines of at most 200
    /// characters each (blank lines are dropped).
    #[serde(default)]
    #[schema(
        example = json!(["Sale Waterside"]),
        max_items = 4,
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub address_lines: Vec<String>,
    /// Town or city; at most 100 characters, no control characters.
    #[serde(default)]
    #[schema(
        example = "Sale",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,98}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub town: Option<String>,
    /// A full UK postcode (a unit, not a sector or district) in any spacing or case; stored
    /// normalised (`M33 7ZF`). Blank counts as absent.
    #[serde(default)]
    #[schema(
        example = "M33 7ZF",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(([Gg][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Ii][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Rr][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*0[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Aa][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[Aa]|([A-PR-UWYZa-pr-uwyz][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9]([\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9])?|[A-PR-UWYZa-pr-uwyz][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-HK-Ya-hk-y][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9]([\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9])?|[A-PR-UWYZa-pr-uwyz][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-HJKPSTUWa-hjkpstuw]|[A-PR-UWYZa-pr-uwyz][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-HK-Ya-hk-y][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[ABEHMNPRVWXYabehmnprvwxy])[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[0-9][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[ABD-HJLNP-UW-Zabd-hjlnp-uw-z][\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[ABD-HJLNP-UW-Zabd-hjlnp-uw-z])[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*)?$"
    )]
    pub postcode: Option<String>,
    /// Where the venue is. When omitted, the venue is placed by its `postcode` (the response's
    /// `location_precision` says how exactly); one of the two is required unless `venue_type`
    /// is `online`.
    #[serde(default)]
    pub location: Option<LatLon>,
    /// What kind of place it is; `online` for a venue that is not a place.
    pub venue_type: VenueType,
    /// Whether this is a mainstream, non-stigmatised setting. Omit to derive it from
    /// `venue_type` (false only for health settings and mental-health services).
    #[serde(default)]
    #[schema(example = true)]
    pub non_stigmatised: Option<bool>,
    /// Accessibility features the venue has (duplicates are ignored).
    #[serde(default)]
    #[schema(example = json!(["step_free_access", "hearing_loop", "accessible_toilet"]))]
    pub accessibility: Vec<AccessibilityFeature>,
    /// The venue's web page, starting `https://` or `http://`; at most 500 characters.
    #[serde(default)]
    #[schema(
        example = "https://www.trafford.gov.uk/residents/leisure-and-lifestyle/libraries/libraries-in-trafford/sale-library.aspx",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,491}|http://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,492})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub website: Option<String>,
    /// The venue's phone number: 6 to 15 digits, written any usual way (spaces, `+`,
    /// brackets, hyphens, dots, and words such as "ext"); at most 40 characters.
    #[serde(default)]
    #[schema(
        example = "0161 912 3456",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?!.{40}.*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])(([ +().A-Za-z-]*[0-9]){6,15}[ +().A-Za-z-]*)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub phone: Option<String>,
}

/// A validated venue, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Venue {
    pub name: String,
    pub address_lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<Postcode>,
    pub location: Option<LatLon>,
    /// `None` when the submitter gave the point; otherwise how exactly its postcode placed it.
    pub location_precision: Option<Precision>,
    pub venue_type: VenueType,
    pub non_stigmatised: bool,
    pub accessibility: Vec<AccessibilityFeature>,
    pub website: Option<String>,
    pub phone: Option<String>,
}

pub fn validate(input: &VenueInput, field: &str, errors: &mut Errors) -> Venue {
    let path = |name: &str| {
        if field.is_empty() {
            name.to_string()
        } else {
            format!("{field}.{name}")
        }
    };
    let name = errors.required_text(&path("name"), &input.name, 200);
    if input.address_lines.len() > 4 {
        errors.add(path("address_lines"), "must have at most 4 lines");
    }
    let address_lines = input
        .address_lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            errors.optional_text(&at(&path("address_lines"), i), Some(line), 200)
        })
        .collect();
    let town = errors.optional_text(&path("town"), input.town.as_deref(), 100);
    let postcode = input
        .postcode
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .and_then(|raw| match Postcode::parse(raw) {
            Ok(pc) => Some(pc),
            Err(e) => {
                errors.add(path("postcode"), e.to_string());
                None
            }
        });
    match input.location {
        Some(p) => {
            geometry::check_position(errors, &path("location"), p);
        }
        None if input.venue_type != VenueType::Online && postcode.is_none() => {
            errors.add(
                path("location"),
                "is required (lat and lon), or give a postcode to place the venue by, unless venue_type is online",
            );
        }
        None => {}
    }
    let mut accessibility = input.accessibility.clone();
    accessibility.sort();
    accessibility.dedup();
    Venue {
        name,
        address_lines,
        town,
        postcode,
        location: input.location,
        location_precision: None,
        venue_type: input.venue_type,
        non_stigmatised: input
            .non_stigmatised
            .unwrap_or_else(|| input.venue_type.default_non_stigmatised()),
        accessibility,
        website: contact::url(errors, &path("website"), input.website.as_deref()),
        phone: contact::phone(errors, &path("phone"), input.phone.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(venue_type: VenueType) -> VenueInput {
        VenueInput {
            name: "Sale Library".into(),
            address_lines: vec!["Sale Waterside".into()],
            town: Some("Sale".into()),
            postcode: Some("m33 7zf".into()),
            location: Some(LatLon {
                lat: 53.4248,
                lon: -2.3232,
            }),
            venue_type,
            non_stigmatised: None,
            accessibility: vec![
                AccessibilityFeature::HearingLoop,
                AccessibilityFeature::StepFreeAccess,
                AccessibilityFeature::HearingLoop,
            ],
            website: None,
            phone: None,
        }
    }

    #[test]
    fn derives_non_stigmatised_from_type_unless_overridden() {
        let mut errors = Errors::default();
        assert!(validate(&input(VenueType::Library), "venue", &mut errors).non_stigmatised);
        assert!(
            !validate(&input(VenueType::MentalHealthService), "venue", &mut errors).non_stigmatised
        );
        let mut overridden = input(VenueType::HealthSetting);
        overridden.non_stigmatised = Some(true);
        assert!(validate(&overridden, "venue", &mut errors).non_stigmatised);
        assert!(errors.is_empty());
    }

    #[test]
    fn normalises_postcode_and_features() {
        let mut errors = Errors::default();
        let venue = validate(&input(VenueType::Library), "venue", &mut errors);
        assert_eq!(venue.postcode.unwrap().as_str(), "M33 7ZF");
        assert_eq!(
            venue.accessibility,
            [
                AccessibilityFeature::StepFreeAccess,
                AccessibilityFeature::HearingLoop
            ]
        );
    }

    #[test]
    fn location_required_except_online() {
        let mut no_location = input(VenueType::Library);
        no_location.location = None;
        let mut errors = Errors::default();
        validate(&no_location, "venue", &mut errors);
        assert!(errors.is_empty(), "a postcode can place the venue");
        no_location.postcode = None;
        let mut errors = Errors::default();
        validate(&no_location, "venue", &mut errors);
        assert_eq!(errors.finish(()).unwrap_err()[0].field, "venue.location");
        no_location.venue_type = VenueType::Online;
        let mut errors = Errors::default();
        validate(&no_location, "venue", &mut errors);
        assert!(errors.is_empty());
    }

    #[test]
    fn string_names_round_trip() {
        for t in VenueType::ALL {
            assert_eq!(VenueType::parse(t.as_str()), Some(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        for f in AccessibilityFeature::ALL {
            assert_eq!(AccessibilityFeature::parse(f.as_str()), Some(*f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
    }
}
