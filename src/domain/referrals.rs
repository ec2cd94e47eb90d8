//! Outcomes of referrals: what became of an asset suggested to someone, recorded without
//! anything about the person. A referral moves forward only: suggested → tried → kept going
//! (still going after four weeks), and may stop at any point, with the barrier that stopped it.
//! Per-asset aggregates are shown only from `MIN_SHOWN` referrals, so that a single referral is
//! never on show, and they become a small, smoothed factor in matching.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::matching::request::Barrier;
use super::validation::{Errors, FieldError};

string_enum! {
    /// How far a referral got.
    Outcome {
        /// The asset was suggested to the person.
        Suggested => "suggested",
        /// The person went at least once.
        Tried => "tried",
        /// The person was still going four weeks after first going.
        KeptGoing => "kept_going",
        /// The person stopped going, or never started.
        Stopped => "stopped",
    }
}

impl Outcome {
    fn rank(self) -> u8 {
        match self {
            Outcome::Suggested => 0,
            Outcome::Tried => 1,
            Outcome::KeptGoing => 2,
            Outcome::Stopped => 3,
        }
    }
}

/// Aggregates are shown from this many referrals of an asset. The counts within (a barrier
/// named once, say) can still be small: they carry no dates and no link to a referral.
pub const MIN_SHOWN: i32 = 5;
/// "Kept going" means still going this many days after first going.
pub const KEPT_GOING_DAYS: i64 = 28;
/// How far back an outcome's date may be.
pub const MAX_PAST_DAYS: i64 = 3 * 366;

/// A referral as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub outcome: Outcome,
    pub suggested_on: NaiveDate,
    pub tried_on: Option<NaiveDate>,
    pub kept_going_on: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    pub barrier: Option<Barrier>,
}

/// Something that happened next to a referral.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub outcome: Outcome,
    /// The day it happened, UK local date (default today); not in the future, at most three
    /// years ago.
    #[serde(default)]
    #[schema(example = "2026-11-20")]
    pub on: Option<NaiveDate>,
    /// With `stopped` only: what stopped the person, from the matching barrier list.
    #[serde(default)]
    pub barrier: Option<Barrier>,
}

/// A new referral.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    /// The asset suggested (uuid).
    pub asset_id: Uuid,
    /// How far it has got already (default `suggested`).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The day of that outcome, UK local date (default today).
    #[serde(default)]
    #[schema(example = "2026-11-20")]
    pub on: Option<NaiveDate>,
    /// With `stopped` only: what stopped the person.
    #[serde(default)]
    pub barrier: Option<Barrier>,
}

fn check_date(errors: &mut Errors, on: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    let day = on.unwrap_or(today);
    if day > today {
        errors.add("on", "must not be in the future");
    } else if (today - day).num_days() > MAX_PAST_DAYS {
        errors.add("on", "must be within the last three years");
    }
    day
}

fn check_barrier(errors: &mut Errors, outcome: Outcome, barrier: Option<Barrier>) {
    if barrier.is_some() && outcome != Outcome::Stopped {
        errors.add("barrier", "is only recorded with the outcome stopped");
    }
}

/// The referral a new record starts as: at `outcome` on `on`, the earlier steps unknown
/// (a referral recorded as tried was suggested that day or before).
pub fn start(input: &ReferralInput, today: NaiveDate) -> Result<Progress, Vec<FieldError>> {
    let mut errors = Errors::default();
    let outcome = input.outcome.unwrap_or(Outcome::Suggested);
    let day = check_date(&mut errors, input.on, today);
    check_barrier(&mut errors, outcome, input.barrier);
    errors.finish(Progress {
        outcome,
        suggested_on: day,
        tried_on: (outcome == Outcome::Tried).then_some(day),
        kept_going_on: (outcome == Outcome::KeptGoing).then_some(day),
        stopped_on: (outcome == Outcome::Stopped).then_some(day),
        barrier: input.barrier,
    })
}

/// The referral after `input`, if it moves forward: no step back, no step after stopping,
/// no date before the last one, and kept going only four weeks after first going.
pub fn advance(
    current: &Progress,
    input: &OutcomeInput,
    today: NaiveDate,
) -> Result<Progress, Vec<FieldError>> {
    let mut errors = Errors::default();
    let day = check_date(&mut errors, input.on, today);
    check_barrier(&mut errors, input.outcome, input.barrier);
    if current.outcome == Outcome::Stopped {
        errors.add(
            "outcome",
            "the referral has stopped; record a new one if the person goes back",
        );
    } else if input.outcome.rank() <= current.outcome.rank() {
        errors.add(
            "outcome",
            format!(
                "the referral is already at {}; outcomes only move forward",
                current.outcome.as_str()
            ),
        );
    }
    let last = [
        Some(current.suggested_on),
        current.tried_on,
        current.kept_going_on,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(current.suggested_on);
    if day < last {
        errors.add(
            "on",
            format!("must not be before the referral's last outcome ({last})"),
        );
    }
    // Four weeks from first going, or, when that day was not recorded, from the suggestion.
    let went = current.tried_on.unwrap_or(current.suggested_on);
    if input.outcome == Outcome::KeptGoing && (day - went).num_days() < KEPT_GOING_DAYS {
        errors.add(
            "on",
            format!(
                "kept going means still going four weeks after first going ({went}): from {}",
                went + chrono::Duration::days(KEPT_GOING_DAYS)
            ),
        );
    }
    let mut next = current.clone();
    next.outcome = input.outcome;
    match input.outcome {
        Outcome::Tried => next.tried_on = Some(day),
        Outcome::KeptGoing => next.kept_going_on = Some(day),
        Outcome::Stopped => {
            next.stopped_on = Some(day);
            next.barrier = input.barrier;
        }
        Outcome::Suggested => {}
    }
    errors.finish(next)
}

/// An asset's referrals in sum.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Aggregate {
    /// Referrals recorded.
    #[schema(example = 12)]
    pub referrals: i32,
    /// Of those, how many people went at least once.
    #[schema(example = 9)]
    pub tried: i32,
    /// Of those, how many were still going after four weeks.
    #[schema(example = 7)]
    pub kept_going: i32,
    /// How many stopped (before or after going).
    #[schema(example = 3)]
    pub stopped: i32,
    /// What stopped people, where the link worker recorded it: barrier → count.
    #[schema(example = json!({"cost": 1, "transport": 1}))]
    pub barriers: std::collections::BTreeMap<String, i32>,
}

impl Aggregate {
    /// Shown to anyone only from `MIN_SHOWN` referrals.
    pub fn shown(&self) -> bool {
        self.referrals >= MIN_SHOWN
    }

    /// Of the people who went, the share still going after four weeks, pulled towards one in
    /// two by five imaginary referrals so that a handful of people cannot swing it; 0.5 when
    /// the aggregate is not shown.
    pub fn keep_going_score(&self) -> f64 {
        if !self.shown() {
            return 0.5;
        }
        const PRIOR_WEIGHT: f64 = 5.0;
        (f64::from(self.kept_going) + 0.5 * PRIOR_WEIGHT) / (f64::from(self.tried) + PRIOR_WEIGHT)
    }

    /// "People referred here usually keep going": shown, at least five who went, and most of
    /// them still going.
    pub fn usually_kept_going(&self) -> bool {
        self.shown()
            && self.tried >= MIN_SHOWN
            && f64::from(self.kept_going) / f64::from(self.tried) >= 0.6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn fields(result: Result<Progress, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_referral_moves_forward_only() {
        let today = day("2026-11-22");
        let start_input = ReferralInput {
            asset_id: Uuid::nil(),
            outcome: None,
            on: Some(day("2026-09-01")),
            barrier: None,
        };
        let suggested = start(&start_input, today).unwrap();
        assert_eq!(suggested.outcome, Outcome::Suggested);
        let go = |outcome, on: &str, barrier| OutcomeInput {
            outcome,
            on: Some(day(on)),
            barrier,
        };
        let tried = advance(&suggested, &go(Outcome::Tried, "2026-09-08", None), today).unwrap();
        assert_eq!(tried.tried_on, Some(day("2026-09-08")));
        // Too soon to say they kept going; then four weeks on it is fine.
        assert_eq!(
            fields(advance(
                &tried,
                &go(Outcome::KeptGoing, "2026-09-20", None),
                today
            )),
            ["on"]
        );
        let kept = advance(&tried, &go(Outcome::KeptGoing, "2026-10-06", None), today).unwrap();
        assert_eq!(
            fields(advance(
                &kept,
                &go(Outcome::Tried, "2026-10-07", None),
                today
            )),
            ["outcome"]
        );
        let stopped = advance(
            &kept,
            &go(Outcome::Stopped, "2026-11-01", Some(Barrier::Cost)),
            today,
        )
        .unwrap();
        assert_eq!(stopped.barrier, Some(Barrier::Cost));
        assert_eq!(stopped.kept_going_on, Some(day("2026-10-06")));
        assert_eq!(
            fields(advance(
                &stopped,
                &go(Outcome::Stopped, "2026-11-02", None),
                today
            )),
            ["outcome"]
        );
        // Straight from a suggestion, four weeks count from the suggestion.
        let recent = start(
            &ReferralInput {
                on: Some(day("2026-11-10")),
                ..start_input.clone()
            },
            today,
        )
        .unwrap();
        assert_eq!(
            fields(advance(
                &recent,
                &go(Outcome::KeptGoing, "2026-11-22", None),
                today
            )),
            ["on"]
        );
        assert!(
            advance(
                &suggested,
                &go(Outcome::KeptGoing, "2026-11-22", None),
                today
            )
            .is_ok()
        );
        // Dates: not before the last outcome, not in the future; barriers only when stopping.
        assert_eq!(
            fields(advance(
                &suggested,
                &go(Outcome::Tried, "2026-08-01", None),
                today
            )),
            ["on"]
        );
        assert_eq!(
            fields(advance(
                &suggested,
                &go(Outcome::Tried, "2026-12-01", Some(Barrier::Cost)),
                today
            )),
            ["on", "barrier"]
        );
    }

    #[test]
    fn a_referral_can_start_further_on() {
        let today = day("2026-11-22");
        let input = ReferralInput {
            asset_id: Uuid::nil(),
            outcome: Some(Outcome::Stopped),
            on: None,
            barrier: Some(Barrier::Transport),
        };
        let p = start(&input, today).unwrap();
        assert_eq!((p.stopped_on, p.tried_on), (Some(today), None));
        let wrong = ReferralInput {
            outcome: Some(Outcome::Tried),
            ..input
        };
        assert_eq!(fields(start(&wrong, today)), ["barrier"]);
    }

    #[test]
    fn aggregates_are_hidden_below_five_and_smoothed() {
        let few = Aggregate {
            referrals: 4,
            tried: 4,
            kept_going: 4,
            ..Aggregate::default()
        };
        assert!(!few.shown());
        assert_eq!(few.keep_going_score(), 0.5);
        assert!(!few.usually_kept_going());
        let good = Aggregate {
            referrals: 12,
            tried: 9,
            kept_going: 7,
            ..Aggregate::default()
        };
        assert!((good.keep_going_score() - 9.5 / 14.0).abs() < 1e-9);
        assert!(good.usually_kept_going());
        let poor = Aggregate {
            referrals: 10,
            tried: 8,
            kept_going: 1,
            ..Aggregate::default()
        };
        assert!(poor.keep_going_score() < 0.5);
        assert!(!poor.usually_kept_going());
    }
}
