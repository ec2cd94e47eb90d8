//! The hard constraints: a result never breaks one. The candidate query applies the same rules
//! in SQL for speed; these functions are the definition, used to check every candidate, to count
//! near misses and to count violations in the evaluation.
//!
//! A property the asset does not state (its cost, its times) is not a violation: it is ranked
//! lower and flagged instead.

use chrono::NaiveDate;

use super::candidate::Candidate;
use super::request::MatchSpec;
use super::schedule_fit::{self, Fit};
use crate::domain::asset::AssetKind;
use crate::domain::audience::{self, Exclusion};
use crate::domain::geometry::shown_km;
use crate::domain::venue::AccessibilityFeature;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Violation {
    /// Further than the person can travel.
    TooFar,
    /// Online only, and the person did not ask for online assets.
    Online,
    /// Outside the asset's age range.
    Age,
    /// The venue lacks a feature the person needs.
    Access(AccessibilityFeature),
    /// Dearer than the person's budget.
    Cost,
    /// Not one of the kinds asked for.
    Kind(AssetKind),
    /// Already tried or turned down.
    Excluded,
    /// Every session is outside the person's times, and they asked for strict times.
    Times,
    /// Who the session is for leaves the person out (gender, a closed group, referral only,
    /// or not the single-gender session they asked for).
    Audience(Exclusion),
}

/// Every hard constraint the candidate breaks, given its straight-line distance in km (`None`
/// when it has no place).
pub fn violations(
    spec: &MatchSpec,
    c: &Candidate,
    distance_km: Option<f64>,
    today: NaiveDate,
) -> Vec<Violation> {
    let mut out = Vec::new();
    match distance_km {
        // Judged on the distance as shown, so that nothing shown within reach is dropped.
        Some(km) if shown_km(km * 1000.0) > spec.reach.max_km => out.push(Violation::TooFar),
        Some(_) => {}
        None if !spec.include_online => out.push(Violation::Online),
        None => {}
    }
    if let Some(age) = spec.age
        && (c.min_age.is_some_and(|min| age < min) || c.max_age.is_some_and(|max| age > max))
    {
        out.push(Violation::Age);
    }
    // Access needs are about a venue; an asset with none (online, or visiting people in an area)
    // has no building to get into.
    for need in spec.access_needs.iter().filter(|_| c.venue_id.is_some()) {
        if !c.has_feature(need.as_str()) {
            out.push(Violation::Access(*need));
        }
    }
    if let (Some(max), Some(cost)) = (
        spec.budget.max_pence,
        c.price_for(&spec.budget, &spec.person),
    ) && cost > max
    {
        out.push(Violation::Cost);
    }
    if !spec.kinds.is_empty() && !spec.kinds.contains(&c.kind) {
        out.push(Violation::Kind(c.kind));
    }
    if spec.exclude.binary_search(&c.id).is_ok() {
        out.push(Violation::Excluded);
    }
    out.extend(
        audience::exclusions(&c.audience, &spec.person)
            .into_iter()
            .map(Violation::Audience),
    );
    if spec.availability_strict {
        let current = schedule_fit::current(&c.sessions, today);
        if schedule_fit::fit(&current, &spec.availability).0 == Fit::Outside {
            out.push(Violation::Times);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::matching::candidate::tests::blank;
    use crate::domain::matching::request::tests::request;
    use crate::domain::matching::request::validate;
    use crate::domain::schedule::{Session, Weekday, parse_hhmm};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn spec(json: serde_json::Value) -> MatchSpec {
        let mut body = json;
        body["location"] = serde_json::json!({"postcode": "M32 0JG"});
        validate(&request(body)).unwrap()
    }

    #[test]
    fn a_plain_nearby_asset_passes() {
        assert!(violations(&spec(serde_json::json!({})), &blank(1), Some(1.0), today()).is_empty());
    }

    #[test]
    fn each_rule_is_checked() {
        let s = spec(serde_json::json!({
            "age": 17,
            "access_needs": ["step_free_access", "hearing_loop"],
            "budget": {"max_pence_per_session": 300, "concessions": true},
            "kinds": ["course"],
            "exclude_asset_ids": [uuid::Uuid::from_u128(1)],
        }));
        let mut c = blank(1);
        c.min_age = Some(18);
        c.accessibility = vec!["hearing_loop".into()];
        c.cost_pence = Some(500);
        c.concession_pence = Some(400);
        assert_eq!(
            violations(&s, &c, Some(5.0), today()),
            [
                Violation::TooFar,
                Violation::Age,
                Violation::Access(AccessibilityFeature::StepFreeAccess),
                Violation::Cost,
                Violation::Kind(AssetKind::Group),
                Violation::Excluded,
            ]
        );
        assert_eq!(violations(&s, &c, None, today())[0], Violation::Online);
    }

    #[test]
    fn unknown_cost_and_times_are_not_violations() {
        let s = spec(serde_json::json!({
            "budget": {"max_pence_per_session": 0},
            "availability": [{"day": "mon", "from": "09:00", "to": "12:00"}],
            "availability_strict": true,
        }));
        let mut c = blank(1);
        assert!(violations(&s, &c, Some(0.5), today()).is_empty());
        c.sessions = vec![Session {
            weekday: Some(Weekday::Fri),
            date: None,
            start: parse_hhmm("10:00").unwrap(),
            end: parse_hhmm("11:00").unwrap(),
            valid_from: None,
            valid_until: None,
        }];
        assert_eq!(violations(&s, &c, Some(0.5), today()), [Violation::Times]);
        c.cost_pence = Some(1);
        assert_eq!(
            violations(&s, &c, Some(0.5), today()),
            [Violation::Cost, Violation::Times]
        );
    }

    #[test]
    fn audience_rules_are_hard_constraints() {
        use crate::domain::audience::{Audience, GenderRule};
        let man = spec(serde_json::json!({"gender": "man"}));
        let mut c = blank(1);
        c.audience = Audience {
            gender: GenderRule::WomenOnly,
            ..Audience::default()
        };
        assert_eq!(
            violations(&man, &c, Some(0.5), today()),
            [Violation::Audience(Exclusion::Gender)]
        );
        let unsaid = spec(serde_json::json!({}));
        assert!(violations(&unsaid, &c, Some(0.5), today()).is_empty());
        c.audience = Audience {
            referral_only: true,
            ..Audience::default()
        };
        assert_eq!(
            violations(&man, &c, Some(0.5), today()),
            [Violation::Audience(Exclusion::Referral)]
        );
        let referred = spec(serde_json::json!({"has_referral": true}));
        assert!(violations(&referred, &c, Some(0.5), today()).is_empty());
    }

    #[test]
    fn online_assets_pass_when_asked_for() {
        let s = spec(serde_json::json!({"include_online": true}));
        assert!(violations(&s, &blank(1), None, today()).is_empty());
    }
}
