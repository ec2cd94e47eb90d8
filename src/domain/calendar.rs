//! An asset's sessions as an RFC 5545 iCalendar, so a person can add them to their phone:
//! weekly sessions as recurring events (`RRULE`), dated ones as single events, all in
//! Europe/London time with the zone's rules included.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use uuid::Uuid;

use super::schedule::{Session, Weekday};

/// What the calendar says about the asset.
pub struct CalendarAsset<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub description: &'a str,
    /// Venue name and address, one line.
    pub location: Option<String>,
    /// Latitude and longitude of the venue.
    pub geo: Option<(f64, f64)>,
    pub url: Option<&'a str>,
    pub updated_at: DateTime<Utc>,
    pub sessions: &'a [Session],
}

/// The RFC 5545 rules of Europe/London since 1996 (last Sunday of March and October).
const LONDON: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The calendar, or `None` when the asset has no sessions to put in one (a calendar must hold
/// at least one event). Weekly sessions start from their first occurrence on or after
/// `today` (or their `valid_from`, if later).
pub fn calendar(asset: &CalendarAsset, today: NaiveDate) -> Option<String> {
    if asset.sessions.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//community-assets//asset sessions//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", text(asset.title)),
        "X-WR-TIMEZONE:Europe/London".into(),
    ];
    lines.extend(LONDON.iter().map(|l| l.to_string()));
    let stamp = utc_stamp(asset.updated_at);
    for (n, session) in asset.sessions.iter().enumerate() {
        let (first, rule) = match (session.date, session.weekday) {
            (Some(date), _) => (date, None),
            (None, Some(day)) => {
                let from = session.valid_from.map_or(today, |f| f.max(today));
                let first = next_on_or_after(from, day);
                if session.valid_until.is_some_and(|until| first > until) {
                    continue; // the series has ended
                }
                let mut rule = format!("RRULE:FREQ=WEEKLY;BYDAY={}", byday(day));
                if let Some(until) = session.valid_until {
                    rule.push_str(&format!(";UNTIL={}", end_of_day_utc(until)));
                }
                (first, Some(rule))
            }
            (None, None) => continue,
        };
        // A session ending at or before its start runs past midnight.
        let end_date = if session.end <= session.start {
            first + Duration::days(1)
        } else {
            first
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}-{}@community-assets", asset.id, n + 1));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!(
            "DTSTART;TZID=Europe/London:{}",
            local(first, session.start)
        ));
        lines.push(format!(
            "DTEND;TZID=Europe/London:{}",
            local(end_date, session.end)
        ));
        lines.extend(rule);
        lines.push(format!("SUMMARY:{}", text(asset.title)));
        if !asset.description.trim().is_empty() {
            lines.push(format!("DESCRIPTION:{}", text(asset.description)));
        }
        if let Some(location) = &asset.location {
            lines.push(format!("LOCATION:{}", text(location)));
        }
        if let Some((lat, lon)) = asset.geo {
            lines.push(format!("GEO:{lat:.6};{lon:.6}"));
        }
        if let Some(url) = asset.url {
            lines.push(format!("URL:{}", url.replace(['\r', '\n'], "")));
        }
        lines.push("END:VEVENT".into());
    }
    if !lines.iter().any(|l| l == "BEGIN:VEVENT") {
        return None;
    }
    lines.push("END:VCALENDAR".into());
    Some(lines.iter().map(|l| fold(l)).collect())
}

fn byday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn next_on_or_after(from: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead = (i64::from(day.iso_number()) - i64::from(from.weekday().number_from_monday()))
        .rem_euclid(7);
    from + Duration::days(ahead)
}

fn local(date: NaiveDate, time: NaiveTime) -> String {
    NaiveDateTime::new(date, time)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The last moment of `date` in London, in UTC, as RFC 5545 wants `UNTIL` when the start
/// carries a time zone.
fn end_of_day_utc(date: NaiveDate) -> String {
    let last = NaiveDateTime::new(
        date,
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default(),
    );
    let utc = London
        .from_local_datetime(&last)
        .latest()
        .map_or_else(|| last.and_utc(), |t| t.with_timezone(&Utc));
    utc_stamp(utc)
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped; other control
/// characters dropped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let value = value.replace("\r\n", "\n");
    for c in value.trim().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character), ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += size;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn weekly(day: Weekday, start: NaiveTime, end: NaiveTime) -> Session {
        Session {
            weekday: Some(day),
            date: None,
            start,
            end,
            valid_from: None,
            valid_until: None,
        }
    }

    fn asset<'a>(sessions: &'a [Session]) -> CalendarAsset<'a> {
        CalendarAsset {
            id: Uuid::nil(),
            title: "Walking football, over-50s; all welcome",
            description: "A gentle game.\nNo experience needed.",
            location: Some("Sale Leisure Centre, Broad Road, Sale, M33 2AB".into()),
            geo: Some((53.4235, -2.3186)),
            url: None,
            updated_at: Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap(),
            sessions,
        }
    }

    fn unfolded(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn a_weekly_session_recurs_from_its_next_occurrence_in_london_time() {
        let sessions = [weekly(Weekday::Tue, at(18, 0), at(19, 30))];
        // Sunday 22 November 2026: the next Tuesday is the 24th.
        let ics = calendar(&asset(&sessions), date(2026, 11, 22)).unwrap();
        let lines = unfolded(&ics);
        for expected in [
            "BEGIN:VCALENDAR",
            "TZID:Europe/London",
            "UID:00000000-0000-0000-0000-000000000000-1@community-assets",
            "DTSTAMP:20261122T080000Z",
            "DTSTART;TZID=Europe/London:20261124T180000",
            "DTEND;TZID=Europe/London:20261124T193000",
            "RRULE:FREQ=WEEKLY;BYDAY=TU",
            "SUMMARY:Walking football\\, over-50s\\; all welcome",
            "DESCRIPTION:A gentle game.\\nNo experience needed.",
            "LOCATION:Sale Leisure Centre\\, Broad Road\\, Sale\\, M33 2AB",
            "GEO:53.423500;-2.318600",
            "END:VCALENDAR",
        ] {
            assert!(
                lines.iter().any(|l| l == expected),
                "{expected} missing:\n{ics}"
            );
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "CRLF only");
    }

    #[test]
    fn a_series_ends_at_the_end_of_its_last_day_in_utc_and_an_ended_one_is_left_out() {
        let mut summer = weekly(Weekday::Sat, at(10, 0), at(12, 0));
        summer.valid_from = Some(date(2027, 4, 1));
        summer.valid_until = Some(date(2027, 8, 28));
        let mut over = weekly(Weekday::Mon, at(10, 0), at(11, 0));
        over.valid_until = Some(date(2026, 1, 1));
        let ics = calendar(&asset(&[summer, over]), date(2026, 11, 22)).unwrap();
        let lines = unfolded(&ics);
        // 23:59:59 BST on 28 August is 22:59:59 UTC.
        assert!(lines.contains(&"RRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=20270828T225959Z".to_string()));
        assert!(lines.contains(&"DTSTART;TZID=Europe/London:20270403T100000".to_string()));
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn dated_and_overnight_sessions() {
        let sessions = [Session {
            weekday: None,
            date: Some(date(2026, 12, 31)),
            start: at(21, 0),
            end: at(1, 0),
            valid_from: None,
            valid_until: None,
        }];
        let lines = unfolded(&calendar(&asset(&sessions), date(2026, 11, 22)).unwrap());
        assert!(lines.contains(&"DTSTART;TZID=Europe/London:20261231T210000".to_string()));
        assert!(lines.contains(&"DTEND;TZID=Europe/London:20270101T010000".to_string()));
        assert!(!lines.iter().any(|l| l.starts_with("RRULE:FREQ=WEEKLY")));
    }

    #[test]
    fn no_sessions_no_calendar() {
        assert_eq!(calendar(&asset(&[]), date(2026, 11, 22)), None);
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let folded = fold(&format!("DESCRIPTION:{}", "é".repeat(100)));
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        assert_eq!(
            folded.replace("\r\n ", "").trim_end(),
            format!("DESCRIPTION:{}", "é".repeat(100))
        );
    }

    #[test]
    fn control_characters_cannot_break_out_of_a_value() {
        assert_eq!(
            text("a\r\nEND:VEVENT\u{7}b"),
            "a\\nEND:VEVENT\u{0}b".replace('\u{0}', "")
        );
    }
}
