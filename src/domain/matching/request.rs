//! The match request: what a link worker learned about the person, checked as a whole so that
//! one 422 names every bad field. Nothing here is stored or logged.

use std::collections::BTreeSet;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::travel::{DEFAULT_MINUTES, DEFAULT_MODE, Reach, TravelMode};
use crate::domain::asset::AssetKind;
use crate::domain::audience::{Circumstance, Person, PersonGender, SingleGender};
use crate::domain::cost::ConcessionGroup;
use crate::domain::geometry::{LatLon, check_position};
use crate::domain::schedule::{Weekday, parse_hhmm};
use crate::domain::validation::{Errors, FieldError, at};
use crate::domain::venue::AccessibilityFeature;

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 50;
pub const MAX_INTERESTS: usize = 10;
pub const MAX_INTEREST_CHARS: usize = 100;
pub const MAX_MINUTES: f64 = 180.0;
pub const MAX_KM: f64 = 100.0;
pub const MAX_WINDOWS: usize = 50;
pub const MAX_EXCLUDED: usize = 500;
pub const MAX_BUDGET_PENCE: i64 = 100_000;

string_enum! {
    /// What stops a person taking part; each one changes how results are weighed.
    Barrier {
        Cost => "cost",
        Transport => "transport",
        Confidence => "confidence",
        Stigma => "stigma",
        Access => "access",
        Timing => "timing",
        Caring => "caring",
        Crowds => "crowds",
        Mobility => "mobility",
        AfterDark => "after_dark",
        NewToArea => "new_to_area",
    }
}

fn yes() -> bool {
    true
}

/// A request to `POST /v1/match`. Text is trimmed of leading and trailing whitespace, and length
/// limits count what is left.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// Where the person starts from: a postcode, or `lat` and `lon`.
    pub location: LocationInput,
    /// What the person loves or wants to try, in their own words or as vocabulary slugs or ids
    /// (e.g. "football", "playing guitar", "maths"). Each is resolved to the vocabulary and the
    /// resolution is returned. With none, assets are ranked on everything else. At most 10,
    /// each 1 to 100 characters after trimming; phrases that differ only in case or punctuation
    /// count once.
    #[serde(default)]
    #[schema(
        example = json!(["football", "playing guitar"]),
        max_items = 10,
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,98}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub interests: Vec<String>,
    /// How the person gets about; default a 30-minute walk.
    #[serde(default)]
    pub travel: Option<TravelInput>,
    /// What the person can pay per session; default no limit.
    #[serde(default)]
    pub budget: Option<BudgetInput>,
    /// When the person is free (UK local times), at most 50 weekly windows. Sessions outside
    /// these times rank far lower.
    #[serde(default)]
    #[schema(
        example = json!([{"day": "tue", "from": "18:00", "to": "21:00"}]),
        max_items = 50
    )]
    pub availability: Vec<WindowInput>,
    /// Leave out assets whose sessions all fall outside `availability` (default: rank them low).
    /// Needs at least one availability window.
    #[serde(default)]
    #[schema(example = false)]
    pub availability_strict: bool,
    /// The person's age in years, 0 to 120, to respect assets' age limits.
    #[serde(default)]
    #[schema(example = 34, minimum = 0, maximum = 120)]
    pub age: Option<i64>,
    /// The person's gender, only if they choose to say: sessions for the other gender only are
    /// then left out. Never stored or logged.
    #[serde(default)]
    #[schema(example = "woman")]
    pub gender: Option<PersonGender>,
    /// Only sessions for this gender (e.g. a woman who wants women-only sessions); mixed ones
    /// are left out and counted as near misses.
    #[serde(default)]
    #[schema(example = json!(null))]
    pub single_gender: Option<SingleGender>,
    /// What in the person's life decides which sessions are for them (e.g. `carer`,
    /// `new_parent`): sessions closed to a group pass only for its members, sessions made for
    /// them rank higher, and some add advice. Never stored or logged.
    #[serde(default)]
    #[schema(example = json!(["carer"]))]
    pub circumstances: Vec<Circumstance>,
    /// The person has, or the link worker can arrange, a referral from a GP or health
    /// professional; referral-only sessions (e.g. exercise on referral) are left out without it.
    #[serde(default)]
    #[schema(example = false)]
    pub has_referral: bool,
    /// Accessibility features every result's venue must have.
    #[serde(default)]
    #[schema(example = json!(["step_free_access"]))]
    pub access_needs: Vec<AccessibilityFeature>,
    /// What makes taking part hard for the person; each changes the weighting.
    #[serde(default)]
    #[schema(example = json!(["confidence", "cost"]))]
    pub barriers: Vec<Barrier>,
    /// Favour mainstream, non-stigmatised venues over health settings (default true).
    #[serde(default = "yes")]
    #[schema(example = true)]
    pub prefer_non_stigmatised: bool,
    /// Only these kinds of asset (default: all).
    #[serde(default)]
    #[schema(example = json!(["group", "activity"]))]
    pub kinds: Vec<AssetKind>,
    /// Also suggest online assets, which have no travel (default false).
    #[serde(default)]
    #[schema(example = false)]
    pub include_online: bool,
    /// Assets (uuids) the person has already tried or turned down; at most 500.
    #[serde(default)]
    #[schema(example = json!(["5a8c5b38-72e0-5099-b654-1be90fec86ab"]), max_items = 500)]
    pub exclude_asset_ids: Vec<Uuid>,
    /// How many suggestions to return (default 10, at most 50).
    #[serde(default)]
    #[schema(example = 10, minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// A postcode, or a point: give `postcode`, or `lat` with `lon`, not both.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    /// A UK postcode in any spacing or case; a full unit (`M32 0JG`) is most precise, a sector
    /// (`M32 0`) or district (`M32`) is accepted. At most 16 characters; one the service cannot
    /// place is refused.
    #[schema(
        example = "M32 0JG",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z]([0-9][A-Za-z0-9]{0,2}|[A-Za-z][0-9][A-Za-z0-9]?)([\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{1,9}[0-9]|[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{0,9}[0-9][A-Za-z]{2})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub postcode: Option<String>,
    /// Latitude in decimal degrees (WGS 84), with `lon` and instead of `postcode`; 49 to 61
    /// (the UK and Ireland), e.g. `53.4557`.
    #[schema(minimum = 49, maximum = 61)]
    pub lat: Option<f64>,
    /// Longitude in decimal degrees (WGS 84), with `lat` and instead of `postcode`; -11 to 2.1
    /// (the UK and Ireland), e.g. `-2.3028`.
    #[schema(minimum = -11, maximum = 2.1)]
    pub lon: Option<f64>,
}

/// A travel time by a mode, or a straight-line distance; with both, the tighter limit applies.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TravelInput {
    /// How the person travels (default walk).
    pub mode: Option<TravelMode>,
    /// Longest acceptable journey in minutes, 1 to 180, turned into a distance with the mode's
    /// speed and a detour factor (default 30 unless only `max_km` is given).
    #[schema(example = 30, minimum = 1, maximum = 180)]
    pub max_minutes: Option<f64>,
    /// The furthest straight-line distance in kilometres, 0.1 to 100. With `max_minutes` too, the
    /// tighter limit applies.
    #[schema(example = 3, minimum = 0.1, maximum = 100)]
    pub max_km: Option<f64>,
}

/// What the person can pay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// Most the person can pay for one session, in pence (GBP), 0 to 100,000 (0 for free
    /// only); omit for no limit. Assets that do not state a cost still pass, ranked lower.
    #[schema(example = 300, minimum = 0, maximum = 100000)]
    pub max_pence_per_session: Option<i64>,
    /// The person qualifies for concession prices (e.g. on benefits); an asset's one flat
    /// concession price is used.
    #[serde(default)]
    #[schema(example = true)]
    pub concessions: bool,
    /// Groups the person is in for assets' concession rules (`benefits`, `students`,
    /// `disabled`, `carers`, `unemployed`, `armed_forces`); their age applies too, and the
    /// circumstances `carer`, `disabled`, `learning_disability` and `veteran` count as the
    /// matching groups. The lowest price a rule gives them is used.
    #[serde(default)]
    #[schema(example = json!(["benefits"]))]
    pub eligible_for: Vec<ConcessionGroup>,
}

/// A weekly window when the person is free.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    /// The day of the week.
    pub day: Weekday,
    /// Start of the window, `HH:MM` (24-hour, UK local time).
    #[schema(example = "18:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub from: String,
    /// End of the window, `HH:MM` (24-hour, UK local time), later than `from`.
    #[schema(example = "21:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub to: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Postcode(String),
    Point(LatLon),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub max_pence: Option<i32>,
    pub concessions: bool,
    /// The groups the person is in for concession rules, circumstances included.
    pub eligible_for: Vec<ConcessionGroup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub day: Weekday,
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// A checked request.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSpec {
    pub location: Location,
    pub interests: Vec<String>,
    pub reach: Reach,
    pub budget: Budget,
    pub availability: Vec<Window>,
    pub availability_strict: bool,
    pub age: Option<i16>,
    pub access_needs: Vec<AccessibilityFeature>,
    pub barriers: BTreeSet<Barrier>,
    pub prefer_non_stigmatised: bool,
    pub kinds: Vec<AssetKind>,
    pub include_online: bool,
    pub exclude: Vec<Uuid>,
    pub limit: usize,
    /// Who the person is, as far as sessions' audience rules need to know.
    pub person: Person,
}

impl MatchSpec {
    pub fn has(&self, barrier: Barrier) -> bool {
        self.barriers.contains(&barrier)
    }
}

/// A postcode or a point, its errors named under `field`.
pub fn location(errors: &mut Errors, field: &str, input: &LocationInput) -> Option<Location> {
    match (&input.postcode, input.lat, input.lon) {
        (Some(pc), None, None) => {
            let pc = errors.required_text(&format!("{field}.postcode"), pc, 16);
            Some(Location::Postcode(pc))
        }
        (None, Some(lat), Some(lon)) => {
            let p = LatLon { lat, lon };
            check_position(errors, field, p).then_some(Location::Point(p))
        }
        (Some(_), _, _) => {
            errors.add(field, "give either postcode or lat and lon, not both");
            None
        }
        (None, Some(_), None) => {
            errors.add(format!("{field}.lon"), "is required with lat");
            None
        }
        (None, None, Some(_)) => {
            errors.add(format!("{field}.lat"), "is required with lon");
            None
        }
        (None, None, None) => {
            errors.add(field, "give a postcode, or lat and lon");
            None
        }
    }
}

/// The journey limit. With both a time and a distance, the tighter of the two applies.
fn reach(errors: &mut Errors, input: Option<&TravelInput>) -> Reach {
    let default = Reach::by_time(DEFAULT_MODE, DEFAULT_MINUTES);
    let Some(input) = input else {
        return default;
    };
    let by_distance = input.max_km.and_then(|km| {
        if km.is_finite() && (0.1..=MAX_KM).contains(&km) {
            Some(Reach::by_distance(input.mode, km))
        } else {
            errors.add(
                "travel.max_km",
                format!("must be between 0.1 and {MAX_KM} km"),
            );
            None
        }
    });
    let minutes = match (input.max_minutes, input.max_km) {
        (None, Some(_)) => None,
        (minutes, _) => Some(minutes.unwrap_or(DEFAULT_MINUTES)),
    };
    let by_time = minutes.and_then(|minutes| {
        if minutes.is_finite() && (1.0..=MAX_MINUTES).contains(&minutes) {
            Some(Reach::by_time(input.mode.unwrap_or(DEFAULT_MODE), minutes))
        } else {
            errors.add(
                "travel.max_minutes",
                format!("must be between 1 and {MAX_MINUTES} minutes"),
            );
            None
        }
    });
    match (by_time, by_distance) {
        (Some(t), Some(d)) if d.max_km < t.max_km => {
            Reach::by_distance(Some(input.mode.unwrap_or(DEFAULT_MODE)), d.max_km)
        }
        (Some(t), _) => t,
        (None, Some(d)) => d,
        (None, None) => default,
    }
}

fn windows(errors: &mut Errors, input: &[WindowInput]) -> Vec<Window> {
    if input.len() > MAX_WINDOWS {
        errors.add(
            "availability",
            format!("must have at most {MAX_WINDOWS} windows"),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, w) in input.iter().enumerate() {
        let field = at("availability", i);
        let from = parse_hhmm(&w.from);
        let to = parse_hhmm(&w.to);
        if from.is_none() {
            errors.add(format!("{field}.from"), "must be a time as HH:MM");
        }
        if to.is_none() {
            errors.add(format!("{field}.to"), "must be a time as HH:MM");
        }
        if let (Some(from), Some(to)) = (from, to) {
            if to <= from {
                errors.add(
                    format!("{field}.to"),
                    format!("must be later than from ({})", w.from),
                );
            } else {
                out.push(Window {
                    day: w.day,
                    from,
                    to,
                });
            }
        }
    }
    out
}

fn dedup<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

/// Interest phrases to be read on their own (as a form shows, while someone types, how each
/// was understood). The same limits as a match's `interests`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhrasesRequest {
    /// Phrases in the person's own words, 1 to 10, each 1 to 100 characters after trimming;
    /// phrases that differ only in case or punctuation count once.
    #[schema(
        example = json!(["swimming", "knitting", "used to play in a band"]),
        min_items = 1,
        max_items = 10,
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,98}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub phrases: Vec<String>,
}

/// The distinct, trimmed phrases of a request.
pub fn validate_phrases(input: &PhrasesRequest) -> Result<Vec<String>, Vec<FieldError>> {
    let mut errors = Errors::default();
    if input.phrases.is_empty() {
        errors.add("phrases", "must have at least one entry");
    }
    let phrases = distinct_phrases(&mut errors, "phrases", &input.phrases);
    errors.finish(phrases)
}

fn distinct_phrases(errors: &mut Errors, field: &str, raw: &[String]) -> Vec<String> {
    if raw.len() > MAX_INTERESTS {
        errors.add(field, format!("must have at most {MAX_INTERESTS} entries"));
    }
    let mut phrases: Vec<String> = Vec::new();
    for (i, raw) in raw.iter().take(MAX_INTERESTS).enumerate() {
        let text = errors.required_text(&at(field, i), raw, MAX_INTEREST_CHARS);
        if !text.is_empty()
            && !phrases.iter().any(|t| {
                crate::domain::phrase::normalise(t) == crate::domain::phrase::normalise(&text)
            })
        {
            phrases.push(text);
        }
    }
    phrases
}

/// Checks a request and gives its defaults.
pub fn validate(input: &MatchRequest) -> Result<MatchSpec, Vec<FieldError>> {
    let mut errors = Errors::default();
    let location = location(&mut errors, "location", &input.location);

    let interests = distinct_phrases(&mut errors, "interests", &input.interests);

    let reach = reach(&mut errors, input.travel.as_ref());

    let budget = match &input.budget {
        None => Budget {
            max_pence: None,
            concessions: false,
            eligible_for: Vec::new(),
        },
        Some(b) => {
            let max_pence = match b.max_pence_per_session {
                Some(p) if !(0..=MAX_BUDGET_PENCE).contains(&p) => {
                    errors.add(
                        "budget.max_pence_per_session",
                        format!("must be between 0 and {MAX_BUDGET_PENCE} pence"),
                    );
                    None
                }
                other => other.map(|p| p as i32),
            };
            Budget {
                max_pence,
                concessions: b.concessions,
                eligible_for: b.eligible_for.clone(),
            }
        }
    };

    let availability = windows(&mut errors, &input.availability);
    if input.availability_strict && input.availability.is_empty() {
        errors.add("availability_strict", "needs availability windows");
    }

    let age = match input.age {
        Some(a) if !(0..=120).contains(&a) => {
            errors.add("age", "must be between 0 and 120");
            None
        }
        other => other.map(|a| a as i16),
    };

    if input.exclude_asset_ids.len() > MAX_EXCLUDED {
        errors.add(
            "exclude_asset_ids",
            format!("must have at most {MAX_EXCLUDED} ids"),
        );
    }

    let limit = match input.limit {
        None => DEFAULT_LIMIT,
        Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as usize,
        Some(_) => {
            errors.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
            DEFAULT_LIMIT
        }
    };

    // Wanting sessions for the other gender only would leave out every session made for them.
    let contradicts = matches!(
        (input.gender, input.single_gender),
        (Some(PersonGender::Man), Some(SingleGender::WomenOnly))
            | (Some(PersonGender::Woman), Some(SingleGender::MenOnly))
    );
    if contradicts {
        errors.add(
            "single_gender",
            "must be for the person's own gender (women_only for a woman, men_only for a man)",
        );
    }
    let mut budget = budget;
    for c in &input.circumstances {
        budget.eligible_for.extend(match c {
            Circumstance::Carer => Some(ConcessionGroup::Carers),
            Circumstance::Disabled | Circumstance::LearningDisability => {
                Some(ConcessionGroup::Disabled)
            }
            Circumstance::Veteran => Some(ConcessionGroup::ArmedForces),
            _ => None,
        });
    }
    budget.eligible_for = dedup(budget.eligible_for);
    let spec = MatchSpec {
        location: location.unwrap_or(Location::Postcode(String::new())),
        interests,
        reach,
        budget,
        availability,
        availability_strict: input.availability_strict,
        age,
        access_needs: dedup(input.access_needs.clone()),
        barriers: input.barriers.iter().copied().collect(),
        prefer_non_stigmatised: input.prefer_non_stigmatised,
        kinds: dedup(input.kinds.clone()),
        include_online: input.include_online,
        exclude: dedup(input.exclude_asset_ids.clone()),
        limit,
        person: Person {
            age: age.map(i64::from),
            gender: input.gender,
            single_gender: input.single_gender,
            circumstances: dedup(input.circumstances.clone()),
            has_referral: input.has_referral,
        },
    };
    errors.finish(spec)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn request(json: serde_json::Value) -> MatchRequest {
        serde_json::from_value(json).expect("request parses")
    }

    fn fields(json: serde_json::Value) -> Vec<String> {
        validate(&request(json))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn defaults_are_a_half_hour_walk_and_ten_results() {
        let spec = validate(&request(
            serde_json::json!({"location": {"postcode": "M32 0JG"}}),
        ))
        .unwrap();
        assert_eq!(spec.reach.mode, Some(TravelMode::Walk));
        assert_eq!(spec.reach.max_minutes, Some(30.0));
        assert_eq!(spec.limit, 10);
        assert!(spec.prefer_non_stigmatised);
        assert!(!spec.include_online);
        assert_eq!(spec.location, Location::Postcode("M32 0JG".into()));
    }

    #[test]
    fn with_a_time_and_a_distance_the_tighter_applies() {
        let reach = |travel| {
            validate(&request(
                serde_json::json!({"location": {"postcode": "M32 0JG"}, "travel": travel}),
            ))
            .unwrap()
            .reach
        };
        let short = reach(serde_json::json!({"max_minutes": 30, "max_km": 0.5}));
        assert_eq!(short.max_km, 0.5);
        assert_eq!(short.mode, Some(TravelMode::Walk));
        let long = reach(serde_json::json!({"max_minutes": 10, "max_km": 50}));
        assert_eq!(long.max_minutes, Some(10.0));
        assert!(long.max_km < 1.0);
        assert_eq!(
            fields(
                serde_json::json!({"location": {"postcode": "M32 0JG"}, "travel": {"max_minutes": 0, "max_km": 500}})
            ),
            ["travel.max_km", "travel.max_minutes"]
        );
    }

    #[test]
    fn a_full_request_is_read() {
        let spec = validate(&request(serde_json::json!({
            "location": {"lat": 53.95, "lon": -1.08},
            "interests": ["football", " Football ", "guitar"],
            "travel": {"mode": "public_transport", "max_minutes": 45},
            "budget": {"max_pence_per_session": 300, "concessions": true},
            "availability": [{"day": "tue", "from": "18:00", "to": "21:00"}],
            "availability_strict": true,
            "age": 34,
            "access_needs": ["step_free_access", "step_free_access"],
            "barriers": ["confidence", "cost"],
            "kinds": ["group"],
            "include_online": true,
            "limit": 5
        })))
        .unwrap();
        assert_eq!(spec.interests, ["football", "guitar"]);
        assert_eq!(spec.reach.mode, Some(TravelMode::PublicTransport));
        assert_eq!(spec.budget.max_pence, Some(300));
        assert!(spec.budget.concessions);
        assert_eq!(spec.availability.len(), 1);
        assert_eq!(spec.access_needs.len(), 1);
        assert!(spec.has(Barrier::Confidence) && spec.has(Barrier::Cost));
        assert_eq!(spec.limit, 5);
    }

    #[test]
    fn every_bad_field_is_named() {
        let got = fields(serde_json::json!({
            "location": {"lat": 100.0, "lon": -1.0},
            "interests": ["", "x".repeat(101)],
            "travel": {"mode": "walk", "max_minutes": 0},
            "budget": {"max_pence_per_session": -1},
            "availability": [{"day": "mon", "from": "21:00", "to": "18:00"}, {"day": "tue", "from": "9", "to": "10:00"}],
            "age": 200,
            "limit": 51
        }));
        assert_eq!(
            got,
            [
                "location.lat",
                "interests[0]",
                "interests[1]",
                "travel.max_minutes",
                "budget.max_pence_per_session",
                "availability[0].to",
                "availability[1].from",
                "age",
                "limit"
            ]
        );
    }

    #[test]
    fn location_needs_exactly_one_form() {
        assert_eq!(fields(serde_json::json!({"location": {}})), ["location"]);
        assert_eq!(
            fields(
                serde_json::json!({"location": {"postcode": "M32 0JG", "lat": 53.0, "lon": -2.0}})
            ),
            ["location"]
        );
        assert_eq!(
            fields(serde_json::json!({"location": {"lat": 53.0}})),
            ["location.lon"]
        );
        assert_eq!(
            fields(serde_json::json!({"location": {"lat": 40.7, "lon": -74.0}})),
            ["location"]
        );
    }

    #[test]
    fn travel_takes_minutes_or_km() {
        let base =
            |travel| serde_json::json!({"location": {"postcode": "YO1 7HH"}, "travel": travel});
        let spec = validate(&request(base(serde_json::json!({"max_km": 3})))).unwrap();
        assert_eq!(spec.reach.max_km, 3.0);
        assert_eq!(spec.reach.mode, None);
        assert_eq!(
            fields(base(serde_json::json!({"max_km": 500}))),
            ["travel.max_km"]
        );
        assert_eq!(
            fields(
                serde_json::json!({"location": {"postcode": "YO1 7HH"}, "availability_strict": true})
            ),
            ["availability_strict"]
        );
    }
}
