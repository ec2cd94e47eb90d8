//! What an asset costs a person per session, in pence (GBP). "Not stated" is kept distinct from
//! "free" because an unknown cost must never pass as affordable.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::Errors;

/// The most a session can cost (£1,000): anything above is a typo in pence vs pounds.
pub const MAX_PENCE: i64 = 100_000;

/// What a session costs, as submitted; omit what is not known.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostInput {
    /// `true` when it is free to everyone; omit when unknown. With `amount_pence` alone, 0 means
    /// free and more means paid.
    #[serde(default)]
    #[schema(example = false)]
    pub free: Option<bool>,
    /// Full price per session in pence (GBP), e.g. 300 for £3.00; 0 to 100,000 (£1,000). Must be
    /// 0 or omitted when `free` is `true`.
    #[serde(default)]
    #[schema(example = 300, minimum = 0, maximum = 100000)]
    pub amount_pence: Option<i64>,
    /// Concession price per session in pence (GBP), for people on benefits, students, over-60s
    /// etc.; 0 to 100,000 and not more than `amount_pence`.
    #[serde(default)]
    #[schema(example = 150, minimum = 0, maximum = 100000)]
    pub concession_pence: Option<i64>,
    /// E.g. "first session free", "membership £10 a year"; at most 500 characters, no control
    /// characters.
    #[serde(default)]
    #[schema(
        example = "£3 a session, £1.50 concession; first session free.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,498}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub notes: Option<String>,
}

/// Cost per session; every field `null` (except `currency`) means the provider did not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Cost {
    /// `true` free, `false` paid, `null` not stated.
    #[schema(example = false)]
    pub free: Option<bool>,
    /// Full price per session in pence (GBP), e.g. 300 for £3.00; `null` when not stated.
    #[schema(example = 300)]
    pub amount_pence: Option<i32>,
    /// Concession price per session in pence (GBP); `null` when there is none or it is not
    /// stated.
    #[schema(example = 150)]
    pub concession_pence: Option<i32>,
    /// Always `GBP`.
    #[schema(example = "GBP")]
    pub currency: &'static str,
    /// Anything else about the cost, in plain words.
    #[schema(example = "£3 a session, £1.50 concession; first session free.")]
    pub notes: Option<String>,
}

impl Cost {
    pub fn new(
        free: Option<bool>,
        amount_pence: Option<i32>,
        concession_pence: Option<i32>,
        notes: Option<String>,
    ) -> Self {
        Self {
            free,
            amount_pence,
            concession_pence,
            currency: "GBP",
            notes,
        }
    }
}

fn pence(errors: &mut Errors, field: String, value: Option<i64>) -> Option<i32> {
    let v = value?;
    if !(0..=MAX_PENCE).contains(&v) {
        errors.add(field, format!("must be between 0 and {MAX_PENCE} pence"));
        return None;
    }
    i32::try_from(v).ok()
}

pub fn validate(input: &CostInput, field: &str, errors: &mut Errors) -> Cost {
    let amount = pence(errors, format!("{field}.amount_pence"), input.amount_pence);
    let concession = pence(
        errors,
        format!("{field}.concession_pence"),
        input.concession_pence,
    );
    let notes = errors.optional_text(&format!("{field}.notes"), input.notes.as_deref(), 500);
    let free = match (input.free, amount) {
        (Some(true), Some(a)) if a > 0 => {
            errors.add(
                format!("{field}.amount_pence"),
                "must be 0 or omitted when free is true",
            );
            Some(true)
        }
        (Some(false), Some(0)) => {
            errors.add(
                format!("{field}.free"),
                "cannot be false when amount_pence is 0",
            );
            Some(false)
        }
        (Some(f), _) => Some(f),
        (None, Some(a)) => Some(a == 0),
        (None, None) => None,
    };
    if let (Some(a), Some(c)) = (amount, concession)
        && c > a
    {
        errors.add(
            format!("{field}.concession_pence"),
            format!("must not be more than amount_pence ({a})"),
        );
    }
    if free == Some(true) && concession.is_some_and(|c| c > 0) {
        errors.add(
            format!("{field}.concession_pence"),
            "must be 0 or omitted when the asset is free",
        );
    }
    Cost::new(free, amount, concession, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: CostInput) -> Result<Cost, Vec<String>> {
        let mut errors = Errors::default();
        let cost = validate(&input, "cost", &mut errors);
        errors
            .finish(cost)
            .map_err(|e| e.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn unknown_cost_stays_unknown() {
        assert_eq!(check(CostInput::default()).unwrap().free, None);
    }

    #[test]
    fn zero_amount_means_free_and_positive_means_paid() {
        let zero = CostInput {
            amount_pence: Some(0),
            ..Default::default()
        };
        assert_eq!(check(zero).unwrap().free, Some(true));
        let paid = CostInput {
            amount_pence: Some(250),
            concession_pence: Some(100),
            ..Default::default()
        };
        let cost = check(paid).unwrap();
        assert_eq!(
            (cost.free, cost.amount_pence, cost.concession_pence),
            (Some(false), Some(250), Some(100))
        );
    }

    #[test]
    fn rejects_negative_huge_and_contradictory_costs() {
        let negative = CostInput {
            amount_pence: Some(-1),
            ..Default::default()
        };
        assert_eq!(check(negative).unwrap_err(), ["cost.amount_pence"]);
        let huge = CostInput {
            concession_pence: Some(i64::MAX),
            ..Default::default()
        };
        assert_eq!(check(huge).unwrap_err(), ["cost.concession_pence"]);
        let free_but_paid = CostInput {
            free: Some(true),
            amount_pence: Some(300),
            ..Default::default()
        };
        assert_eq!(check(free_but_paid).unwrap_err(), ["cost.amount_pence"]);
        let concession_above = CostInput {
            amount_pence: Some(100),
            concession_pence: Some(200),
            ..Default::default()
        };
        assert_eq!(
            check(concession_above).unwrap_err(),
            ["cost.concession_pence"]
        );
    }
}
