//! How taking part works, as session feeds (OpenActive) describe it: the levels it suits,
//! whether it is coached, what to bring or do on arrival, the support offered to disabled
//! people, and whether a place must be paid for in advance.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{Errors, at};

pub const MAX_LEVELS: usize = 10;
pub const MAX_SUPPORT: usize = 20;

string_enum! {
    /// Whether a place must be paid for before the session: `required`, `optional` (pay in
    /// advance or on the day) or `unavailable` (pay on the day only).
    Prepayment {
        Required => "required",
        Optional => "optional",
        Unavailable => "unavailable",
    }
}

/// A list of short texts: at most `max_items`, each 1 to `max_chars` characters after trimming,
/// no control characters.
fn text_list(
    max_items: usize,
    pattern: &str,
    description: &str,
    example: serde_json::Value,
) -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern)),
        )
        .max_items(Some(max_items))
        .description(Some(description))
        .examples([example])
        .build()
}

fn levels_schema() -> utoipa::openapi::schema::Array {
    text_list(
        MAX_LEVELS,
        r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,98}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$",
        "The levels it suits in the provider's words, e.g. \"Beginner\"; at most 10, each 1 to 100 \
         characters after trimming, no control characters (repeats count once).",
        serde_json::json!(["Beginner"]),
    )
}

fn support_schema() -> utoipa::openapi::schema::Array {
    text_list(
        MAX_SUPPORT,
        r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$",
        "Support offered to disabled people, e.g. \"Visual impairment\", \"Learning \
         impairment\"; at most 20, each 1 to 200 characters after trimming, no control characters \
         (repeats count once). Our OpenActive feed carries those named in OpenActive's \
         Accessibility Support list.",
        serde_json::json!(["Visual impairment"]),
    )
}

/// How taking part works; every field is optional and an empty list means not stated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Participation {
    /// The levels it suits in the provider's words, e.g. "Beginner"; at most 10, each 1 to 100
    /// characters after trimming (repeats count once).
    #[serde(default)]
    #[schema(schema_with = levels_schema)]
    pub levels: Vec<String>,
    /// `true` when a coach or instructor leads it; `null` when not stated.
    #[serde(default)]
    #[schema(example = true)]
    pub coached: Option<bool>,
    /// What to bring, wear or do on arrival; at most 2,000 characters, no control characters.
    #[serde(default)]
    #[schema(
        example = "Arrive ten minutes early; bring water and trainers.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,1998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub attendee_instructions: Option<String>,
    /// Support offered to disabled people, e.g. "Visual impairment", "Learning disability";
    /// at most 20, each 1 to 200 characters after trimming (repeats count once).
    #[serde(default)]
    #[schema(schema_with = support_schema)]
    pub accessibility_support: Vec<String>,
    /// Whether a place must be paid for in advance; `null` when not stated.
    #[serde(default)]
    pub prepayment: Option<Prepayment>,
}

/// The trimmed, de-duplicated list; every bad entry named.
fn terms(
    errors: &mut Errors,
    field: &str,
    input: &[String],
    max_items: usize,
    max_chars: usize,
) -> Vec<String> {
    if input.len() > max_items {
        errors.add(field, format!("must have at most {max_items} entries"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, raw) in input.iter().enumerate() {
        let value = errors.required_text(&at(field, i), raw, max_chars);
        if !value.is_empty() && !out.iter().any(|seen| seen.eq_ignore_ascii_case(&value)) {
            out.push(value);
        }
    }
    out
}

pub fn validate(input: &Participation, field: &str, errors: &mut Errors) -> Participation {
    Participation {
        levels: terms(
            errors,
            &format!("{field}.levels"),
            &input.levels,
            MAX_LEVELS,
            100,
        ),
        coached: input.coached,
        attendee_instructions: errors.optional_text(
            &format!("{field}.attendee_instructions"),
            input.attendee_instructions.as_deref(),
            2000,
        ),
        accessibility_support: terms(
            errors,
            &format!("{field}.accessibility_support"),
            &input.accessibility_support,
            MAX_SUPPORT,
            200,
        ),
        prepayment: input.prepayment,
    }
}

impl Participation {
    /// As stored: a prepayment outside the set (which the table's check rules out) reads as
    /// not stated rather than failing a read.
    pub fn from_columns(
        levels: Vec<String>,
        coached: Option<bool>,
        attendee_instructions: Option<String>,
        accessibility_support: Vec<String>,
        prepayment: Option<&str>,
    ) -> Self {
        Self {
            levels,
            coached,
            attendee_instructions,
            accessibility_support,
            prepayment: prepayment.and_then(Prepayment::parse),
        }
    }

    /// Whether a level names beginners (or says all levels are welcome): someone new to an
    /// activity should hear it.
    pub fn suits_beginners(&self) -> bool {
        self.levels.iter().any(|l| {
            let l = l.to_lowercase();
            l.contains("beginner")
                || l.contains("all level")
                || l.contains("novice")
                || l.contains("intro")
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == Participation::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_dedups_and_names_every_bad_entry() {
        let mut errors = Errors::default();
        let input = Participation {
            levels: vec![" Beginner ".into(), "beginner".into(), "  ".into()],
            accessibility_support: vec!["x".repeat(201)],
            attendee_instructions: Some("   ".into()),
            ..Default::default()
        };
        let out = validate(&input, "participation", &mut errors);
        assert_eq!(out.levels, ["Beginner"]);
        assert_eq!(out.attendee_instructions, None);
        let fields: Vec<_> = errors
            .finish(())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "participation.levels[2]",
                "participation.accessibility_support[0]"
            ]
        );
    }

    #[test]
    fn too_many_levels_is_refused() {
        let mut errors = Errors::default();
        let input = Participation {
            levels: (0..11).map(|i| format!("Level {i}")).collect(),
            ..Default::default()
        };
        validate(&input, "participation", &mut errors);
        assert!(errors.finish(()).is_err());
    }

    #[test]
    fn beginners_are_recognised_in_the_provider_s_words() {
        let p = |l: &str| Participation {
            levels: vec![l.into()],
            ..Default::default()
        };
        assert!(p("Beginner").suits_beginners());
        assert!(p("All levels welcome").suits_beginners());
        assert!(!p("Advanced").suits_beginners());
    }
}
