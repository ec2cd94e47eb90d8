//! Field-level validation errors, collected rather than failing on the first one, so that a
//! client fixing a rejected submission sees every problem at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One rejected field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the offending field in the request, e.g. `venue.location.lat` or
    /// `schedule.weekly[0].end`; `body` when the whole body is at fault.
    #[schema(example = "interests[0]")]
    pub field: String,
    /// Why the value was rejected, in plain words.
    #[schema(example = "\"fotball\" is not a known interest term (see GET /v1/interests)")]
    pub reason: String,
    /// Close matches, when the value had to be one of a known set (e.g. interest terms); absent
    /// when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(example = json!(["football", "flag-football", "fitball"]))]
    pub suggestions: Vec<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
            suggestions: Vec::new(),
        }
    }
}

/// Query parameters that browsers, caches and links add without the client asking for them
/// (`_` cache busters, `utm_*` campaign tags): ignored everywhere, where any other unknown
/// parameter is refused so that a misspelt one is not silently dropped.
pub fn is_incidental_param(name: &str) -> bool {
    name == "_" || name.starts_with("utm_")
}

/// Collects field errors while a request is checked.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldError::new(field, reason));
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was rejected.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    /// Trims a required text field and checks its length in characters.
    pub fn required_text(&mut self, field: &str, value: &str, max_chars: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else {
            self.check_length(field, trimmed, max_chars);
        }
        trimmed.to_string()
    }

    /// Trims an optional text field; blank text counts as absent.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max_chars: usize,
    ) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.check_length(field, trimmed, max_chars);
        Some(trimmed.to_string())
    }

    fn check_length(&mut self, field: &str, value: &str, max_chars: usize) {
        let len = value.chars().count();
        if len > max_chars {
            self.add(
                field,
                format!("must be at most {max_chars} characters (got {len})"),
            );
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            self.add(field, "must not contain control characters");
        }
    }
}

/// Indexed path of an element of a list field, e.g. `schedule.weekly[2]`.
pub fn at(field: &str, index: usize) -> String {
    format!("{field}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error() {
        let mut errors = Errors::default();
        errors.required_text("title", "   ", 10);
        errors.required_text("name", "abcdefghijkl", 10);
        let result = errors.finish(());
        let fields: Vec<_> = result.unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "name"]);
    }

    #[test]
    fn blank_optional_text_is_absent_and_text_is_trimmed() {
        let mut errors = Errors::default();
        assert_eq!(errors.optional_text("notes", Some("  "), 5), None);
        assert_eq!(
            errors.optional_text("notes", Some(" hi "), 5),
            Some("hi".to_string())
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let mut errors = Errors::default();
        errors.required_text("name", "Café Ünïcødé", 12);
        assert!(errors.is_empty());
        errors.required_text("name", "Café Ünïcødé!", 12);
        assert!(!errors.is_empty());
    }

    #[test]
    fn control_characters_are_rejected() {
        let mut errors = Errors::default();
        errors.required_text("name", "bad\u{0}name", 50);
        assert_eq!(
            errors.finish(()).unwrap_err()[0].reason,
            "must not contain control characters"
        );
    }
}
