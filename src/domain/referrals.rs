//! Outcomes of referrals: what became of an asset suggested to someone, recorded without
//! anything about the person. A referral moves forward only: suggested → tried → kept going
//! (still going after four weeks), and may stop at any point, with the barrier that stopped it.
//! Per-asset aggregates are shown only from `MIN_SHOWN` referrals, so that a single referral is
//! never on show, and they become a small, smoothed factor in matching. No one source can move
//! that factor: it counts only once at least `MIN_SOURCES` teams have recorded referrals to the
//! asset, and each team's outcomes weigh at most `SOURCE_CAP` people's worth. Each team may
//! record at most `PER_ASSET_PER_DAY` referrals to one asset and `PER_DAY` in all, a day
//! (admins, the service's operators, are not held to these).

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
/// Teams (organisations, or keys of no organisation) whose referrals must be on record before
/// the outcomes weigh in matching at all.
pub const MIN_SOURCES: i32 = 2;
/// The most people's worth of outcomes one team's referrals count for in matching.
pub const SOURCE_CAP: f64 = 3.0;
/// Referrals one team may record to one asset in a day.
pub const PER_ASSET_PER_DAY: i64 = 10;
/// Referrals one team may record in a day, to any assets.
pub const PER_DAY: i64 = 200;

/// Whether a team may record another referral today, given how many it has recorded today to
/// this asset and in all; the reason when not.
pub fn within_daily_limits(to_this_asset: i64, in_all: i64) -> Result<(), String> {
    if to_this_asset >= PER_ASSET_PER_DAY {
        return Err(format!(
            "your organisation has recorded {to_this_asset} referrals to this asset today, the \
             most a day; record more tomorrow"
        ));
    }
    if in_all >= PER_DAY {
        return Err(format!(
            "your organisation has recorded {in_all} referrals today, the most a day; record \
             more tomorrow"
        ));
    }
    Ok(())
}

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
    /// How many teams (organisations, or keys of no organisation) recorded them.
    #[serde(default)]
    #[schema(example = 3)]
    pub sources: i32,
    /// Per team, how many went and how many of those kept going: what matching weighs, each
    /// team capped. Stored with the sum, never shown.
    #[serde(default, skip_serializing)]
    #[schema(ignore)]
    pub by_source: Vec<(i32, i32)>,
}

impl Aggregate {
    /// Shown to anyone only from `MIN_SHOWN` referrals.
    pub fn shown(&self) -> bool {
        self.referrals >= MIN_SHOWN
    }

    /// Whether the outcomes may weigh in matching: shown, and from enough teams.
    fn weighs(&self) -> bool {
        self.shown() && self.sources >= MIN_SOURCES
    }

    /// Those who went and those who kept going, each team counting for at most `SOURCE_CAP`
    /// people (its share kept going scaled down with it).
    fn balanced(&self) -> (f64, f64) {
        self.by_source.iter().filter(|(tried, _)| *tried > 0).fold(
            (0.0, 0.0),
            |(tried, kept), &(t, k)| {
                let weight = f64::from(t).min(SOURCE_CAP);
                let share = f64::from(k.clamp(0, t)) / f64::from(t);
                (tried + weight, kept + weight * share)
            },
        )
    }

    /// Of the people who went, the share still going after four weeks, pulled towards one in
    /// two by five imaginary referrals so that a handful of people cannot swing it, and with
    /// each team's weight capped so that no one team can; 0.5 until the outcomes weigh.
    pub fn keep_going_score(&self) -> f64 {
        if !self.weighs() {
            return 0.5;
        }
        const PRIOR_WEIGHT: f64 = 5.0;
        let (tried, kept) = self.balanced();
        (kept + 0.5 * PRIOR_WEIGHT) / (tried + PRIOR_WEIGHT)
    }

    /// "People referred here usually keep going": the outcomes weigh, at least five people's
    /// worth went (teams capped), and most of them are still going.
    pub fn usually_kept_going(&self) -> bool {
        let (tried, kept) = self.balanced();
        self.weighs() && tried >= f64::from(MIN_SHOWN) && kept / tried >= 0.6
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
        // Four teams: 3 of 3, 2 of 2, 1 of 2 and 1 of 2 kept going (9 went, 7 kept going).
        let good = Aggregate {
            referrals: 12,
            tried: 9,
            kept_going: 7,
            sources: 4,
            by_source: vec![(3, 3), (2, 2), (2, 1), (2, 1)],
            ..Aggregate::default()
        };
        assert!((good.keep_going_score() - 9.5 / 14.0).abs() < 1e-9);
        assert!(good.usually_kept_going());
        let poor = Aggregate {
            referrals: 10,
            tried: 8,
            kept_going: 1,
            sources: 3,
            by_source: vec![(3, 0), (3, 1), (2, 0)],
            ..Aggregate::default()
        };
        assert!(poor.keep_going_score() < 0.5);
        assert!(!poor.usually_kept_going());
    }

    #[test]
    fn no_one_team_can_swing_an_assets_outcomes() {
        // One team records thirty people who went and stopped: nothing changes.
        let one_team = Aggregate {
            referrals: 30,
            tried: 30,
            stopped: 30,
            sources: 1,
            by_source: vec![(30, 0)],
            ..Aggregate::default()
        };
        assert!(one_team.shown(), "the figures are still shown");
        assert_eq!(one_team.keep_going_score(), 0.5);
        // Nor can it flatter its own asset.
        let self_praise = Aggregate {
            referrals: 30,
            tried: 30,
            kept_going: 30,
            sources: 1,
            by_source: vec![(30, 30)],
            ..Aggregate::default()
        };
        assert_eq!(self_praise.keep_going_score(), 0.5);
        assert!(!self_praise.usually_kept_going());
        // Beside two honest teams (4 of 4 kept going), thirty made-up failures from a third
        // weigh as three people, not thirty.
        let mixed = Aggregate {
            referrals: 38,
            tried: 38,
            kept_going: 8,
            sources: 3,
            by_source: vec![(4, 4), (4, 4), (30, 0)],
            ..Aggregate::default()
        };
        let honest = Aggregate {
            sources: 2,
            by_source: vec![(4, 4), (4, 4)],
            ..mixed.clone()
        };
        let shift = honest.keep_going_score() - mixed.keep_going_score();
        assert!(shift > 0.0 && shift < 0.25, "{shift}");
        // Uncapped, the thirty would have dragged it to (8 + 2.5) / (38 + 5) = 0.24.
        assert!(
            mixed.keep_going_score() > 0.5,
            "{}",
            mixed.keep_going_score()
        );
    }

    #[test]
    fn a_team_records_a_bounded_number_of_referrals_a_day() {
        assert!(within_daily_limits(0, 0).is_ok());
        assert!(within_daily_limits(PER_ASSET_PER_DAY - 1, PER_DAY - 1).is_ok());
        assert!(within_daily_limits(PER_ASSET_PER_DAY, 0).is_err());
        assert!(within_daily_limits(0, PER_DAY).is_err());
    }
}
