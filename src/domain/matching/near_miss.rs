//! Near misses: when too few assets pass, what would add more. Counted from the assets that
//! break exactly one hard constraint, so each suggestion is one change the person could make.

use serde::Serialize;
use utoipa::ToSchema;

use chrono::NaiveDate;

use super::candidate::Candidate;
use super::constraints::{Violation, violations};
use super::explain::{feature_phrase, format_pence, join_and};
use super::request::MatchSpec;
use super::score::distance_km;
use super::travel::{Reach, TravelMode};
use crate::domain::audience::Exclusion;
use crate::domain::geometry::LatLon;

/// How far travel is stretched when looking for near misses.
pub const TRAVEL_STRETCH: f64 = 1.5;

/// Budgets tried, in pence, for "N more if you can pay up to £5".
const BUDGET_STEPS: [i32; 10] = [100, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000];

/// One change that would add results.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NearMiss {
    /// What would change: `travel` (a longer journey), `travel:public_transport` (the same time
    /// by bus, for someone on foot), `budget`, `access:<feature>`, `kinds`, `online`, `times`,
    /// `single_gender` (mixed sessions too) or `referral` (with a GP or health referral).
    #[schema(example = "travel")]
    pub relax: String,
    /// How many more assets would pass.
    #[schema(example = 3)]
    pub count: usize,
    /// True when the count stopped at the number of assets examined, so there may be more.
    #[schema(example = false)]
    pub at_least: bool,
    /// The change and what it would add, in a sentence to read out.
    #[schema(example = "3 more within 45 minutes' walk")]
    pub message: String,
}

/// An asset that failed, with what it broke, what it costs the person and how far it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub violations: Vec<Violation>,
    pub cost_pence: Option<i32>,
    pub distance_km: Option<f64>,
    /// The person's interests (indices) the asset matches.
    pub interests: Vec<usize>,
}

impl Miss {
    /// What a candidate breaks, with the price and distance the messages quote; nothing is
    /// scored, since a miss is only counted.
    pub fn of(spec: &MatchSpec, c: &Candidate, person: LatLon, today: NaiveDate) -> Miss {
        let distance_km = c.position.map(|p| distance_km(person, p));
        Miss {
            violations: violations(spec, c, distance_km, today),
            cost_pence: c.price_for(&spec.budget, &spec.person),
            distance_km,
            interests: Vec::new(),
        }
    }
}

/// For someone on foot: the same time by bus or train, which often reaches much further.
fn by_bus(spec: &MatchSpec) -> Option<Reach> {
    match (spec.reach.mode, spec.reach.max_minutes) {
        (Some(TravelMode::Walk), Some(minutes)) => {
            Some(Reach::by_time(TravelMode::PublicTransport, minutes))
        }
        _ => None,
    }
}

/// The widest reach near misses look within.
pub fn relaxed_reach(spec: &MatchSpec) -> Reach {
    let stretched = spec.reach.stretched(TRAVEL_STRETCH);
    match by_bus(spec) {
        Some(bus) if bus.max_km > stretched.max_km => bus,
        _ => stretched,
    }
}

pub fn near_misses(spec: &MatchSpec, misses: &[Miss], window_full: bool) -> Vec<NearMiss> {
    let only = |v: Violation| -> Vec<&Miss> {
        misses
            .iter()
            .filter(|m| m.violations.len() == 1 && m.violations[0] == v)
            .collect()
    };
    let mut out = Vec::new();
    // Each change says which of the person's interests the assets it adds match, so the link
    // worker knows what it would bring within reach.
    let mut add = |relax: String, added: &[&Miss], what: String| {
        if added.is_empty() {
            return;
        }
        let mut matched: Vec<usize> = added
            .iter()
            .flat_map(|m| m.interests.iter().copied())
            .collect();
        matched.sort_unstable();
        matched.dedup();
        let names: Vec<&str> = matched
            .iter()
            .filter_map(|i| spec.interests.get(*i).map(String::as_str))
            .collect();
        let n = added.len();
        let message = if names.is_empty() {
            format!("{n} more {what}")
        } else {
            format!("{n} more {what} (for {})", join_and(&names))
        };
        out.push(NearMiss {
            relax,
            count: n,
            at_least: window_full,
            message,
        })
    };

    let within = |reach: Reach| -> Vec<&Miss> {
        only(Violation::TooFar)
            .into_iter()
            .filter(|m| m.distance_km.is_some_and(|d| d <= reach.max_km))
            .collect()
    };
    let stretched = spec.reach.stretched(TRAVEL_STRETCH);
    add("travel".into(), &within(stretched), stretched.describe());
    if let Some(bus) = by_bus(spec) {
        add(
            "travel:public_transport".into(),
            &within(bus),
            bus.describe(),
        );
    }

    if let Some(max) = spec.budget.max_pence {
        let costly = only(Violation::Cost);
        if let Some(step) = BUDGET_STEPS
            .iter()
            .copied()
            .filter(|s| *s > max)
            .find(|s| costly.iter().any(|m| m.cost_pence.is_some_and(|c| c <= *s)))
        {
            let added: Vec<&Miss> = costly
                .into_iter()
                .filter(|m| m.cost_pence.is_some_and(|c| c <= step))
                .collect();
            add(
                "budget".into(),
                &added,
                format!("if you can pay up to {}", format_pence(step)),
            );
        }
    }

    for need in &spec.access_needs {
        add(
            format!("access:{}", need.as_str()),
            &only(Violation::Access(*need)),
            format!("if {} is not essential", feature_phrase(*need)),
        );
    }

    let other_kinds: Vec<&Miss> = misses
        .iter()
        .filter(|m| m.violations.len() == 1 && matches!(m.violations[0], Violation::Kind(_)))
        .collect();
    add("kinds".into(), &other_kinds, "of other kinds".into());
    add("online".into(), &only(Violation::Online), "online".into());
    add(
        "times".into(),
        &only(Violation::Times),
        "at other times".into(),
    );
    add(
        "single_gender".into(),
        &only(Violation::Audience(Exclusion::NotSingleGender)),
        "open to everyone (not single-gender)".into(),
    );
    add(
        "referral".into(),
        &only(Violation::Audience(Exclusion::Referral)),
        "with a referral from a GP or health professional".into(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::asset::AssetKind;
    use crate::domain::matching::request::tests::request;
    use crate::domain::matching::request::validate;
    use crate::domain::venue::AccessibilityFeature;

    fn miss(violations: Vec<Violation>, cost: Option<i32>) -> Miss {
        Miss {
            violations,
            cost_pence: cost,
            distance_km: Some(6.0),
            interests: Vec::new(),
        }
    }

    #[test]
    fn a_miss_records_what_it_breaks_its_price_and_distance() {
        let spec = validate(&request(serde_json::json!({
            "location": {"lat": 53.4248, "lon": -2.3232},
            "budget": {"max_pence_per_session": 300, "concessions": true},
        })))
        .unwrap();
        let mut c = crate::domain::matching::candidate::tests::blank(1);
        c.position = Some(LatLon {
            lat: 53.4248 + 2.0 / 111.2,
            lon: -2.3232,
        });
        c.cost_pence = Some(500);
        c.concession_pence = Some(400);
        let person = LatLon {
            lat: 53.4248,
            lon: -2.3232,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let m = Miss::of(&spec, &c, person, today);
        assert_eq!(m.violations, [Violation::TooFar, Violation::Cost]);
        assert_eq!(m.cost_pence, Some(400));
        assert!((m.distance_km.unwrap() - 2.0).abs() < 0.01);
    }

    #[test]
    fn walkers_hear_what_the_bus_would_add() {
        let spec = validate(&request(
            serde_json::json!({"location": {"postcode": "YO1 7HH"}}),
        ))
        .unwrap();
        let at = |km| Miss {
            violations: vec![Violation::TooFar],
            cost_pence: None,
            distance_km: Some(km),
            interests: Vec::new(),
        };
        let got: Vec<String> = near_misses(&spec, &[at(2.5), at(4.0), at(9.0)], false)
            .into_iter()
            .map(|n| n.message)
            .collect();
        assert_eq!(
            got,
            [
                "1 more within 45 minutes' walk",
                "2 more within 30 minutes by bus or train"
            ]
        );
        assert!((relaxed_reach(&spec).max_km - 4.615).abs() < 0.001);
    }

    #[test]
    fn a_change_names_the_interests_it_would_add() {
        let spec = validate(&request(serde_json::json!({
            "location": {"postcode": "YO1 7HH"},
            "interests": ["archery", "singing"],
        })))
        .unwrap();
        let at = |interests: Vec<usize>| Miss {
            violations: vec![Violation::TooFar],
            cost_pence: None,
            distance_km: Some(2.5),
            interests,
        };
        let got: Vec<String> = near_misses(&spec, &[at(vec![0]), at(vec![0, 1])], false)
            .into_iter()
            .map(|n| n.message)
            .collect();
        assert_eq!(
            got[0],
            "2 more within 45 minutes' walk (for archery and singing)"
        );
    }

    #[test]
    fn each_single_change_is_counted() {
        let spec = validate(&request(serde_json::json!({
            "location": {"postcode": "YO1 7HH"},
            "travel": {"mode": "public_transport", "max_minutes": 30},
            "budget": {"max_pence_per_session": 300},
            "access_needs": ["step_free_access"],
            "kinds": ["group"],
        })))
        .unwrap();
        let misses = vec![
            miss(vec![Violation::TooFar], None),
            miss(vec![Violation::TooFar], None),
            miss(vec![Violation::TooFar, Violation::Cost], Some(400)),
            miss(vec![Violation::Cost], Some(450)),
            miss(vec![Violation::Cost], Some(700)),
            miss(
                vec![Violation::Access(AccessibilityFeature::StepFreeAccess)],
                None,
            ),
            miss(vec![Violation::Kind(AssetKind::Volunteering)], Some(0)),
            miss(vec![Violation::Online], None),
        ];
        let got: Vec<String> = near_misses(&spec, &misses, false)
            .into_iter()
            .map(|n| n.message)
            .collect();
        assert_eq!(
            got,
            [
                "2 more within 45 minutes by bus or train",
                "1 more if you can pay up to £5",
                "1 more if step-free access is not essential",
                "1 more of other kinds",
                "1 more online",
            ]
        );
    }

    #[test]
    fn nothing_to_suggest_gives_nothing() {
        let spec = validate(&request(
            serde_json::json!({"location": {"postcode": "YO1 7HH"}}),
        ))
        .unwrap();
        assert!(near_misses(&spec, &[miss(vec![Violation::Age], None)], false).is_empty());
        assert!(near_misses(&spec, &[], true).is_empty());
    }
}
