//! When an asset runs: weekly sessions (weekday + local start/end time, optionally only between
//! two dates) and one-off dated sessions. Times are UK local wall-clock times.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{Errors, at};

/// An instant as UK wall-clock time, the clock sessions and referral dates are kept in.
pub fn uk_local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&chrono_tz::Europe::London).naive_local()
}

/// The UK's offset from UTC, in hours, at a wall-clock time on a date: 0 (GMT) or 1 (BST). A
/// time the clocks skip or repeat takes the offset in force just before the change.
pub fn uk_utc_offset_hours(date: NaiveDate, time: NaiveTime) -> f64 {
    use chrono::{Offset, TimeZone};
    let local = date.and_time(time);
    let offset = match chrono_tz::Europe::London.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.offset().fix().local_minus_utc()
        }
        chrono::LocalResult::None => chrono_tz::Europe::London
            .from_utc_datetime(&(local - chrono::Duration::hours(1)))
            .offset()
            .fix()
            .local_minus_utc(),
    };
    f64::from(offset) / 3600.0
}

/// A wall-clock time as `HH:MM:SS`, the form of HSDS's `opens_at` examples.
pub fn format_hhmmss(time: NaiveTime) -> String {
    time.format("%H:%M:%S").to_string()
}

pub const MAX_WEEKLY_SESSIONS: usize = 50;
pub const MAX_DATED_SESSIONS: usize = 200;

/// A day of the week, by its first three letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// ISO 8601 day number, Monday = 1.
    pub fn iso_number(self) -> i16 {
        Self::ALL.iter().position(|d| *d == self).unwrap_or(0) as i16 + 1
    }

    /// The day of the week a date falls on.
    pub fn of(date: NaiveDate) -> Self {
        use chrono::Datelike;
        Self::ALL[date.weekday().num_days_from_monday() as usize]
    }

    pub fn from_iso_number(n: i16) -> Option<Self> {
        Self::ALL
            .get(usize::try_from(n).ok()?.checked_sub(1)?)
            .copied()
    }
}

/// A session that repeats every week.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklySessionInput {
    /// The day of the week it runs.
    pub day: Weekday,
    /// Local start time, `HH:MM` (24-hour, UK local time).
    #[schema(example = "18:30", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// Local end time, `HH:MM` (24-hour, UK local time), later than `start` on the same day.
    #[schema(example = "20:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
    /// First date the session runs (inclusive, ISO 8601 date `YYYY-MM-DD`), if it is seasonal
    /// or new; omit when it already runs.
    #[serde(default)]
    #[schema(example = "2027-04-06")]
    pub valid_from: Option<NaiveDate>,
    /// Last date the session runs (inclusive, ISO 8601 date `YYYY-MM-DD`), not before
    /// `valid_from`; omit when it has no end date.
    #[serde(default)]
    #[schema(example = "2027-09-28")]
    pub valid_until: Option<NaiveDate>,
}

/// A session on one date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedSessionInput {
    /// The date of the session (ISO 8601 date `YYYY-MM-DD`, UK local).
    #[schema(example = "2027-03-06")]
    pub date: NaiveDate,
    /// Local start time, `HH:MM` (24-hour, UK local time).
    #[schema(example = "10:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// Local end time, `HH:MM` (24-hour, UK local time), later than `start`.
    #[schema(example = "12:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
}

/// When an asset runs, as submitted: weekly sessions, one-off dated sessions, or both.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// Sessions that repeat every week; at most 50.
    #[serde(default)]
    #[schema(
        example = json!([{"day": "wed", "start": "11:00", "end": "12:00"}]),
        max_items = 50
    )]
    pub weekly: Vec<WeeklySessionInput>,
    /// One-off sessions on given dates; at most 200.
    #[serde(default)]
    #[schema(
        example = json!([{"date": "2027-03-06", "start": "10:00", "end": "12:00"}]),
        max_items = 200
    )]
    pub dated: Vec<DatedSessionInput>,
    /// Anything the sessions cannot say, e.g. "not on bank holidays"; at most 1,000
    /// characters, no control characters.
    #[serde(default)]
    #[schema(
        example = "Not on bank holidays.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub notes: Option<String>,
}

/// A validated session: exactly one of `weekday` or `date` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub weekday: Option<Weekday>,
    pub date: Option<NaiveDate>,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub sessions: Vec<Session>,
    pub notes: Option<String>,
}

/// Parses a strict `HH:MM` 24-hour time.
pub fn parse_hhmm(value: &str) -> Option<NaiveTime> {
    let bytes = value.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (h, m) = (&value[..2], &value[3..]);
    if !digits(h) || !digits(m) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

pub fn format_hhmm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn check_times(
    errors: &mut Errors,
    field: &str,
    start: &str,
    end: &str,
) -> Option<(NaiveTime, NaiveTime)> {
    let parsed_start = parse_hhmm(start);
    let parsed_end = parse_hhmm(end);
    if parsed_start.is_none() {
        errors.add(
            format!("{field}.start"),
            "must be a time as HH:MM (24-hour), e.g. 18:30",
        );
    }
    if parsed_end.is_none() {
        errors.add(
            format!("{field}.end"),
            "must be a time as HH:MM (24-hour), e.g. 20:00",
        );
    }
    let (s, e) = (parsed_start?, parsed_end?);
    if e <= s {
        errors.add(
            format!("{field}.end"),
            format!("must be later than start ({start})"),
        );
        return None;
    }
    Some((s, e))
}

pub fn validate(input: &ScheduleInput, field: &str, errors: &mut Errors) -> Schedule {
    let mut sessions = Vec::new();
    if input.weekly.len() > MAX_WEEKLY_SESSIONS {
        errors.add(
            format!("{field}.weekly"),
            format!("must have at most {MAX_WEEKLY_SESSIONS} sessions"),
        );
    }
    if input.dated.len() > MAX_DATED_SESSIONS {
        errors.add(
            format!("{field}.dated"),
            format!("must have at most {MAX_DATED_SESSIONS} sessions"),
        );
    }
    for (i, w) in input.weekly.iter().enumerate() {
        let path = at(&format!("{field}.weekly"), i);
        let times = check_times(errors, &path, &w.start, &w.end);
        if let (Some(from), Some(until)) = (w.valid_from, w.valid_until)
            && until < from
        {
            errors.add(
                format!("{path}.valid_until"),
                format!("must not be before valid_from ({from})"),
            );
        }
        if let Some((start, end)) = times {
            sessions.push(Session {
                weekday: Some(w.day),
                date: None,
                start,
                end,
                valid_from: w.valid_from,
                valid_until: w.valid_until,
            });
        }
    }
    for (i, d) in input.dated.iter().enumerate() {
        let path = at(&format!("{field}.dated"), i);
        if let Some((start, end)) = check_times(errors, &path, &d.start, &d.end) {
            sessions.push(Session {
                weekday: None,
                date: Some(d.date),
                start,
                end,
                valid_from: None,
                valid_until: None,
            });
        }
    }
    let notes = errors.optional_text(&format!("{field}.notes"), input.notes.as_deref(), 1000);
    Schedule { sessions, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uk_offset_follows_summer_time() {
        let t = NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(uk_utc_offset_hours(d(2026, 1, 15), t), 0.0);
        assert_eq!(uk_utc_offset_hours(d(2026, 7, 15), t), 1.0);
        // 01:30 on the last Sunday of March does not exist; the offset before the change.
        let skipped = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        assert_eq!(uk_utc_offset_hours(d(2026, 3, 29), skipped), 0.0);
        assert_eq!(format_hhmmss(t), "18:00:00");
    }

    fn weekly(day: Weekday, start: &str, end: &str) -> WeeklySessionInput {
        WeeklySessionInput {
            day,
            start: start.into(),
            end: end.into(),
            valid_from: None,
            valid_until: None,
        }
    }

    #[test]
    fn strict_hhmm() {
        assert_eq!(parse_hhmm("18:30"), NaiveTime::from_hms_opt(18, 30, 0));
        assert_eq!(parse_hhmm("00:00"), NaiveTime::from_hms_opt(0, 0, 0));
        for bad in [
            "8:30",
            "24:00",
            "18:60",
            "1830",
            "18:30:00",
            "ab:cd",
            "",
            "１８:３０",
        ] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
    }

    #[test]
    fn weekday_numbers_round_trip() {
        for day in Weekday::ALL {
            assert_eq!(Weekday::from_iso_number(day.iso_number()), Some(day));
        }
        assert_eq!(Weekday::Mon.iso_number(), 1);
        assert_eq!(Weekday::Sun.iso_number(), 7);
        assert_eq!(Weekday::from_iso_number(0), None);
        assert_eq!(Weekday::from_iso_number(8), None);
    }

    #[test]
    fn valid_schedule_becomes_sessions() {
        let input = ScheduleInput {
            weekly: vec![weekly(Weekday::Tue, "18:00", "19:30")],
            dated: vec![DatedSessionInput {
                date: NaiveDate::from_ymd_opt(2027, 3, 6).unwrap(),
                start: "10:00".into(),
                end: "12:00".into(),
            }],
            notes: Some(" Not on bank holidays ".into()),
        };
        let mut errors = Errors::default();
        let schedule = validate(&input, "schedule", &mut errors);
        assert!(errors.is_empty());
        assert_eq!(schedule.sessions.len(), 2);
        assert_eq!(schedule.sessions[0].weekday, Some(Weekday::Tue));
        assert_eq!(schedule.notes.as_deref(), Some("Not on bank holidays"));
    }

    #[test]
    fn end_must_follow_start_and_times_must_parse() {
        let input = ScheduleInput {
            weekly: vec![
                weekly(Weekday::Mon, "10:00", "09:00"),
                weekly(Weekday::Mon, "25:00", "26:00"),
            ],
            ..Default::default()
        };
        let mut errors = Errors::default();
        validate(&input, "schedule", &mut errors);
        let errors = errors.finish(()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "schedule.weekly[0].end",
                "schedule.weekly[1].start",
                "schedule.weekly[1].end"
            ]
        );
        assert_eq!(errors[0].reason, "must be later than start (10:00)");
    }

    #[test]
    fn validity_dates_must_be_ordered() {
        let mut w = weekly(Weekday::Fri, "10:00", "11:00");
        w.valid_from = NaiveDate::from_ymd_opt(2027, 5, 1);
        w.valid_until = NaiveDate::from_ymd_opt(2027, 4, 1);
        let input = ScheduleInput {
            weekly: vec![w],
            ..Default::default()
        };
        let mut errors = Errors::default();
        validate(&input, "schedule", &mut errors);
        assert_eq!(
            errors.finish(()).unwrap_err()[0].field,
            "schedule.weekly[0].valid_until"
        );
    }
}
