//! What an asset costs a person per session, in pence (GBP). "Not stated" is kept distinct from
//! "free" because an unknown cost must never pass as affordable.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::Errors;

/// The most a session can cost (£1,000): anything above is a typo in pence vs pounds.
pub const MAX_PENCE: i64 = 100_000;
/// Concession rules an asset may state.
pub const MAX_RULES: usize = 10;

string_enum! {
    /// Who a concession price is for, besides an age range.
    ConcessionGroup {
        Benefits => "benefits",
        Students => "students",
        Disabled => "disabled",
        Carers => "carers",
        Unemployed => "unemployed",
        ArmedForces => "armed_forces",
    }
}

/// A concession price and who it is for: anyone in one of `who`, within the age range when one
/// is given (for example over-60s: `min_age` 60; students: `who` `["students"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcessionRule {
    /// Price per session in pence (GBP) for the people this rule covers; 0 to 100,000 and not
    /// more than `amount_pence`.
    #[schema(example = 150, minimum = 0, maximum = 100000)]
    pub price_pence: i64,
    /// Any of these groups qualifies (empty: the age range alone decides).
    #[serde(default)]
    #[schema(example = json!(["benefits", "students"]))]
    pub who: Vec<ConcessionGroup>,
    /// Youngest age that qualifies, 0 to 120.
    #[serde(default)]
    #[schema(example = json!(null), minimum = 0, maximum = 120)]
    pub min_age: Option<i64>,
    /// Oldest age that qualifies, 0 to 120.
    #[serde(default)]
    #[schema(example = json!(null), minimum = 0, maximum = 120)]
    pub max_age: Option<i64>,
}

impl ConcessionRule {
    /// Whether the rule covers someone of this age (when known) in these groups. An age range
    /// covers nobody whose age is not known.
    pub fn covers(&self, age: Option<i64>, groups: &[ConcessionGroup]) -> bool {
        let by_group = self.who.is_empty() || self.who.iter().any(|g| groups.contains(g));
        let by_age = match (self.min_age, self.max_age) {
            (None, None) => true,
            (min, max) => {
                age.is_some_and(|a| min.is_none_or(|m| a >= m) && max.is_none_or(|m| a <= m))
            }
        };
        by_group && by_age
    }
}

/// The lowest price among the rules that cover the person.
pub fn best_rule_price(
    rules: &[ConcessionRule],
    age: Option<i64>,
    groups: &[ConcessionGroup],
) -> Option<i32> {
    rules
        .iter()
        .filter(|r| r.covers(age, groups))
        .filter_map(|r| i32::try_from(r.price_pence).ok())
        .min()
}

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
    /// Concession prices with their own rules (at most 10): who qualifies and at what age.
    #[serde(default)]
    #[schema(
        example = json!([{"price_pence": 100, "min_age": 60}, {"price_pence": 150, "who": ["students", "benefits"]}]),
        max_items = 10
    )]
    pub concessions: Vec<ConcessionRule>,
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
    /// Concession prices with their own rules: who qualifies and at what age.
    pub concessions: Vec<ConcessionRule>,
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
            concessions: Vec::new(),
            currency: "GBP",
            notes,
        }
    }

    pub fn with_rules(self, concessions: Vec<ConcessionRule>) -> Self {
        Self {
            concessions,
            ..self
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
    let rules = rules(errors, field, &input.concessions, amount);
    Cost::new(free, amount, concession, notes).with_rules(rules)
}

fn rules(
    errors: &mut Errors,
    field: &str,
    input: &[ConcessionRule],
    amount: Option<i32>,
) -> Vec<ConcessionRule> {
    if input.len() > MAX_RULES {
        errors.add(
            format!("{field}.concessions"),
            format!("must have at most {MAX_RULES} rules"),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, rule) in input.iter().enumerate() {
        let at = format!("{field}.concessions[{i}]");
        let before = errors.len();
        let price = pence(errors, format!("{at}.price_pence"), Some(rule.price_pence));
        if let (Some(p), Some(a)) = (price, amount)
            && p > a
        {
            errors.add(
                format!("{at}.price_pence"),
                format!("must not be more than amount_pence ({a})"),
            );
        }
        for (name, age) in [("min_age", rule.min_age), ("max_age", rule.max_age)] {
            if age.is_some_and(|a| !(0..=120).contains(&a)) {
                errors.add(format!("{at}.{name}"), "must be an age between 0 and 120");
            }
        }
        if let (Some(min), Some(max)) = (rule.min_age, rule.max_age)
            && min > max
        {
            errors.add(
                format!("{at}.max_age"),
                format!("must not be less than min_age ({min})"),
            );
        }
        if rule.who.is_empty() && rule.min_age.is_none() && rule.max_age.is_none() {
            errors.add(
                format!("{at}.who"),
                "say who qualifies: groups in who, or an age range",
            );
        }
        if errors.len() == before {
            let mut who = rule.who.clone();
            who.sort();
            who.dedup();
            out.push(ConcessionRule {
                who,
                ..rule.clone()
            });
        }
    }
    out
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
    fn concession_rules_cover_their_groups_and_ages() {
        let over_60 = ConcessionRule {
            price_pence: 100,
            who: vec![],
            min_age: Some(60),
            max_age: None,
        };
        let students = ConcessionRule {
            price_pence: 150,
            who: vec![ConcessionGroup::Students, ConcessionGroup::Benefits],
            min_age: None,
            max_age: None,
        };
        let rules = [over_60.clone(), students];
        assert_eq!(best_rule_price(&rules, Some(70), &[]), Some(100));
        assert_eq!(best_rule_price(&rules, Some(30), &[]), None);
        assert_eq!(best_rule_price(&rules, None, &[]), None, "age unknown");
        assert_eq!(
            best_rule_price(&rules, Some(30), &[ConcessionGroup::Benefits]),
            Some(150)
        );
        assert_eq!(
            best_rule_price(&rules, Some(61), &[ConcessionGroup::Students]),
            Some(100)
        );
        let bad = CostInput {
            amount_pence: Some(120),
            concessions: vec![
                ConcessionRule {
                    price_pence: 200,
                    ..over_60
                },
                ConcessionRule {
                    price_pence: 50,
                    who: vec![],
                    min_age: Some(70),
                    max_age: Some(60),
                },
                ConcessionRule {
                    price_pence: 50,
                    who: vec![],
                    min_age: None,
                    max_age: None,
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            check(bad).unwrap_err(),
            [
                "cost.concessions[0].price_pence",
                "cost.concessions[1].max_age",
                "cost.concessions[2].who"
            ]
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
