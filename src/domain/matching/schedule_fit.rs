//! When an asset's sessions fall for the person: inside their free windows or not, and the next
//! one to come. Session times are UK local wall-clock times.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::request::Window;
use crate::domain::schedule::{Session, Weekday};

/// How an asset's sessions sit with the person's free windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    /// A session lies wholly inside a window.
    Inside,
    /// A session overlaps a window but runs outside it too.
    Partly,
    /// Sessions are listed, none in the person's times.
    Outside,
    /// No current sessions are listed.
    NotStated,
}

/// Sessions still to run: weekly ones not yet ended, dated ones today or later.
pub fn current(sessions: &[Session], today: NaiveDate) -> Vec<&Session> {
    sessions
        .iter()
        .filter(|s| match s.date {
            Some(date) => date >= today,
            None => s.valid_until.is_none_or(|until| until >= today),
        })
        .collect()
}

fn day_of(session: &Session) -> Option<Weekday> {
    session.weekday.or(session.date.map(Weekday::of))
}

/// How one session sits with the windows.
fn session_fit(session: &Session, windows: &[Window]) -> Fit {
    let Some(day) = day_of(session) else {
        return Fit::Outside;
    };
    let mut best = Fit::Outside;
    for w in windows.iter().filter(|w| w.day == day) {
        if session.start >= w.from && session.end <= w.to {
            return Fit::Inside;
        }
        if session.start < w.to && session.end > w.from {
            best = Fit::Partly;
        }
    }
    best
}

/// The best fit of any current session, with the session that gives it.
pub fn fit<'a>(current: &[&'a Session], windows: &[Window]) -> (Fit, Option<&'a Session>) {
    let mut best: (Fit, Option<&Session>) = (Fit::NotStated, None);
    for s in current {
        let f = session_fit(s, windows);
        if best.1.is_none() || f < best.0 {
            best = (f, Some(s));
        }
    }
    best
}

/// The next session the person can go to: among the sessions that sit best with their free
/// windows when any is inside or overlaps one (a plan needs a date they are free), otherwise
/// the next of all.
pub fn next_for(
    current: &[&Session],
    windows: &[Window],
    now: NaiveDateTime,
) -> Option<(NaiveDate, Session)> {
    let (best, _) = fit(current, windows);
    if windows.is_empty() || !matches!(best, Fit::Inside | Fit::Partly) {
        return next(current, now);
    }
    let fitting: Vec<&Session> = current
        .iter()
        .copied()
        .filter(|s| session_fit(s, windows) == best)
        .collect();
    next(&fitting, now)
}

/// The next time a session starts after `now`, within a year.
pub fn next(current: &[&Session], now: NaiveDateTime) -> Option<(NaiveDate, Session)> {
    let today = now.date();
    let mut best: Option<(NaiveDateTime, &Session)> = None;
    for s in current {
        let start = match (s.date, s.weekday) {
            (Some(date), _) => Some(date.and_time(s.start)).filter(|t| *t > now),
            (None, Some(day)) => {
                let first = s.valid_from.map_or(today, |f| f.max(today));
                let ahead = (day.iso_number() as i64 - first.weekday().number_from_monday() as i64)
                    .rem_euclid(7);
                let mut date = first + Duration::days(ahead);
                if date.and_time(s.start) <= now {
                    date += Duration::days(7);
                }
                Some(date.and_time(s.start))
                    .filter(|_| s.valid_until.is_none_or(|until| date <= until))
                    .filter(|_| date <= today + Duration::days(366))
            }
            (None, None) => None,
        };
        if let Some(start) = start
            && best.is_none_or(|(b, _)| start < b)
        {
            best = Some((start, s));
        }
    }
    best.map(|(start, s)| (start.date(), s.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schedule::parse_hhmm;

    fn weekly(day: Weekday, start: &str, end: &str) -> Session {
        Session {
            weekday: Some(day),
            date: None,
            start: parse_hhmm(start).unwrap(),
            end: parse_hhmm(end).unwrap(),
            valid_from: None,
            valid_until: None,
        }
    }

    fn window(day: Weekday, from: &str, to: &str) -> Window {
        Window {
            day,
            from: parse_hhmm(from).unwrap(),
            to: parse_hhmm(to).unwrap(),
        }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn inside_beats_partly_beats_outside() {
        let tue_evening = [window(Weekday::Tue, "18:00", "21:00")];
        let inside = weekly(Weekday::Tue, "18:00", "19:30");
        let partly = weekly(Weekday::Tue, "17:00", "19:00");
        let outside = weekly(Weekday::Wed, "18:00", "19:30");
        assert_eq!(fit(&[&outside, &partly], &tue_evening).0, Fit::Partly);
        let (f, s) = fit(&[&outside, &partly, &inside], &tue_evening);
        assert_eq!((f, s), (Fit::Inside, Some(&inside)));
        assert_eq!(fit(&[&outside], &tue_evening).0, Fit::Outside);
        assert_eq!(fit(&[], &tue_evening).0, Fit::NotStated);
    }

    #[test]
    fn ended_sessions_do_not_count() {
        let mut old = weekly(Weekday::Mon, "10:00", "11:00");
        old.valid_until = Some(date("2026-01-01"));
        let mut past = weekly(Weekday::Mon, "10:00", "11:00");
        past.weekday = None;
        past.date = Some(date("2026-11-01"));
        let sessions = [old, past, weekly(Weekday::Fri, "10:00", "11:00")];
        assert_eq!(current(&sessions, date("2026-11-22")).len(), 1);
    }

    #[test]
    fn dated_sessions_fit_by_their_weekday() {
        let mut s = weekly(Weekday::Mon, "18:30", "20:00");
        s.weekday = None;
        s.date = Some(date("2026-11-24")); // a Tuesday
        assert_eq!(
            fit(&[&s], &[window(Weekday::Tue, "18:00", "21:00")]).0,
            Fit::Inside
        );
    }

    #[test]
    fn next_session_is_the_soonest_start_after_now() {
        // Sunday 22 November 2026, 12:00.
        let now = date("2026-11-22").and_hms_opt(12, 0, 0).unwrap();
        let tue = weekly(Weekday::Tue, "18:00", "19:30");
        let sun_morning = weekly(Weekday::Sun, "10:00", "11:00");
        let (d, s) = next(&[&sun_morning, &tue], now).unwrap();
        assert_eq!((d, s), (date("2026-11-24"), tue.clone()));
        // This morning's session has gone: the next is in a week.
        assert_eq!(next(&[&sun_morning], now).unwrap().0, date("2026-11-29"));
        let mut seasonal = tue.clone();
        seasonal.valid_from = Some(date("2027-03-01"));
        assert_eq!(next(&[&seasonal], now).unwrap().0, date("2027-03-02"));
        let mut ended = tue;
        ended.valid_until = Some(date("2026-11-23"));
        assert_eq!(next(&[&ended], now), None);
    }

    #[test]
    fn the_next_session_for_someone_is_one_in_their_free_times() {
        // Sunday 22 November 2026, 12:00: Monday's early session comes first, but they are
        // free on Thursday evenings only.
        let now = date("2026-11-22").and_hms_opt(12, 0, 0).unwrap();
        let mon = weekly(Weekday::Mon, "06:30", "08:00");
        let thu = weekly(Weekday::Thu, "18:00", "19:00");
        let sessions = [&mon, &thu];
        let thursday_evenings = [window(Weekday::Thu, "17:00", "21:00")];
        let (d, s) = next_for(&sessions, &thursday_evenings, now).unwrap();
        assert_eq!((d, s), (date("2026-11-26"), thu.clone()));
        // With no free time given, or none that fits, the next of all.
        assert_eq!(next_for(&sessions, &[], now).unwrap().1, mon);
        let sunday = [window(Weekday::Sun, "09:00", "10:00")];
        assert_eq!(next_for(&sessions, &sunday, now).unwrap().1, mon);
        // A session only partly in their times still beats one outside them.
        let thursday_late = [window(Weekday::Thu, "18:30", "21:00")];
        assert_eq!(next_for(&sessions, &thursday_late, now).unwrap().1, thu);
    }
}
