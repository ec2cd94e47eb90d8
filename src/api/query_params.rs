//! Reading simple query parameters by hand, so that every bad value is named in one 422
//! problem. Blank free text counts as absent; the first of repeated values wins; a parameter
//! the handler never asked for is refused, so a misspelt one is not silently ignored.

use chrono::{DateTime, NaiveTime, Utc};
use uuid::Uuid;

use crate::domain::paging::decode_position;
use crate::domain::schedule::parse_hhmm;
use crate::domain::validation::{Errors, is_incidental_param};
use crate::error::ApiError;

pub struct QueryParams<'a> {
    pairs: &'a [(String, String)],
    asked: Vec<String>,
    pub errors: Errors,
}

impl<'a> QueryParams<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Self {
        Self {
            pairs,
            asked: Vec::new(),
            errors: Errors::default(),
        }
    }

    /// The first value of `name`. Typed values are read exactly as sent (no trimming, and an
    /// empty value is not a number, id or flag), so they mean what the documented schema says.
    fn raw(&mut self, name: &str) -> Option<&'a str> {
        self.asked.push(name.to_string());
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Free text: blank counts as absent; returned trimmed.
    pub fn text(&mut self, name: &str, max_chars: usize) -> Option<String> {
        let value = self.raw(name)?;
        if value.chars().any(char::is_control) {
            self.errors.add(name, "must not contain control characters");
            None
        } else if value.chars().count() > max_chars {
            self.errors
                .add(name, format!("must be at most {max_chars} characters"));
            None
        } else {
            Some(value.trim().to_string()).filter(|v| !v.is_empty())
        }
    }

    /// One of a closed set of words, compared without regard to case.
    pub fn choice<T: Copy>(
        &mut self,
        name: &str,
        options: &[(&str, T)],
        expected: &str,
    ) -> Option<T> {
        let value = self.raw(name)?;
        let found = options
            .iter()
            .find(|(word, _)| word.eq_ignore_ascii_case(value))
            .map(|(_, v)| *v);
        if found.is_none() {
            self.errors.add(name, format!("must be {expected}"));
        }
        found
    }

    /// Every value of a repeated parameter (`a=x&a=y`), each one of a closed set of words.
    pub fn choices<T: Copy>(
        &mut self,
        name: &str,
        options: &[(&str, T)],
        expected: &str,
    ) -> Vec<T> {
        self.asked.push(name.to_string());
        let mut found = Vec::new();
        for (_, value) in self.pairs.iter().filter(|(k, _)| k == name) {
            match options
                .iter()
                .find(|(word, _)| word.eq_ignore_ascii_case(value))
            {
                Some((_, v)) => found.push(*v),
                None => self
                    .errors
                    .add(name, format!("\"{value}\" is not {expected}")),
            }
        }
        found
    }

    pub fn uuid(&mut self, name: &str) -> Option<Uuid> {
        let value = self.raw(name)?;
        value
            .parse()
            .map_err(|_| self.errors.add(name, "must be a UUID"))
            .ok()
    }

    pub fn int(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        let value = self.raw(name)?;
        match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors
                    .add(name, format!("must be a whole number from {min} to {max}"));
                None
            }
        }
    }

    /// A finite decimal number within `min..=max`.
    pub fn number(&mut self, name: &str, min: f64, max: f64) -> Option<f64> {
        let value = self.raw(name)?;
        match value.parse::<f64>() {
            Ok(n) if n.is_finite() && (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors
                    .add(name, format!("must be a number from {min} to {max}"));
                None
            }
        }
    }

    /// `cursor`, for a list ordered by an increasing integer: the position a page of the list
    /// tagged `tag` gave as its `next_cursor`.
    pub fn position_cursor(&mut self, tag: &str) -> Option<i64> {
        let text = self.text("cursor", 200)?;
        let position = decode_position(tag, &text);
        if position.is_none() {
            self.errors.add("cursor", "is not a cursor this list gave");
        }
        position
    }

    pub fn flag(&mut self, name: &str) -> bool {
        match self.raw(name) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                self.errors.add(name, "must be true or false");
                false
            }
        }
    }

    pub fn date_time(&mut self, name: &str) -> Option<DateTime<Utc>> {
        let value = self.raw(name)?;
        DateTime::parse_from_rfc3339(value)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                self.errors.add(
                    name,
                    "must be an RFC 3339 date-time such as 2026-01-31T09:00:00Z",
                )
            })
            .ok()
    }

    pub fn time(&mut self, name: &str) -> Option<NaiveTime> {
        let value = self.raw(name)?;
        parse_hhmm(value)
            .ok_or_else(|| {
                self.errors
                    .add(name, "must be a time HH:MM, 00:00 to 23:59")
            })
            .ok()
    }

    /// The errors as a 422 problem (the same status and problem type as every other invalid
    /// value), or the value.
    pub fn finish<T>(mut self, value: T) -> Result<T, ApiError> {
        for (name, _) in self.pairs {
            if !self.asked.contains(name) && !is_incidental_param(name) {
                let expected = if self.asked.is_empty() {
                    "this operation takes no query parameters".to_string()
                } else {
                    format!("expected one of {}", self.asked.join(", "))
                };
                self.errors.add(
                    name.as_str(),
                    format!("is not a parameter here ({expected})"),
                );
            }
        }
        self.errors.finish(value).map_err(ApiError::Validation)
    }
}
