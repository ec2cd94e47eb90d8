//! Plain-English reasons and cautions, generated from the same numbers as the score, so a link
//! worker can read them out and trust that they say why the asset is on the list.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::candidate::Candidate;
use super::interests::{Relation, ResolvedInterest, Widening};
use super::request::{Barrier, MatchSpec};
use super::schedule_fit::Fit;
use super::score::Assessment;
use super::travel::format_km;
use crate::domain::audience::{self, GenderRule, PersonGender};
use crate::domain::freshness::Freshness;
use crate::domain::participation::Participation;
use crate::domain::schedule::{Session, Weekday, format_hhmm};
use crate::domain::venue::{AccessibilityFeature, VenueType};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    pub reasons: Vec<String>,
    pub cautions: Vec<String>,
}

/// "£2.50", "£5".
pub fn format_pence(pence: i32) -> String {
    if pence % 100 == 0 {
        format!("£{}", pence / 100)
    } else {
        format!("£{}.{:02}", pence / 100, pence % 100)
    }
}

fn plural_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mondays",
        Weekday::Tue => "Tuesdays",
        Weekday::Wed => "Wednesdays",
        Weekday::Thu => "Thursdays",
        Weekday::Fri => "Fridays",
        Weekday::Sat => "Saturdays",
        Weekday::Sun => "Sundays",
    }
}

/// "Tuesdays 18:00–19:30" or "Saturday 5 December 10:00–12:00".
pub fn describe_session(s: &Session) -> String {
    let times = format!("{}–{}", format_hhmm(s.start), format_hhmm(s.end));
    match (s.weekday, s.date) {
        (Some(day), _) => format!("{} {times}", plural_day(day)),
        (None, Some(date)) => format!("{} {times}", date.format("%A %-d %B")),
        (None, None) => times,
    }
}

pub fn venue_phrase(venue_type: VenueType) -> &'static str {
    match venue_type {
        VenueType::Library => "a library",
        VenueType::CommunityCentre => "a community centre",
        VenueType::College => "a college",
        VenueType::SportsCentre => "a sports centre",
        VenueType::Park => "a park",
        VenueType::PlaceOfWorship => "a place of worship",
        VenueType::Cafe => "a café",
        VenueType::ArtsVenue => "an arts venue",
        VenueType::HealthSetting => "a health setting",
        VenueType::MentalHealthService => "a mental health service",
        VenueType::Online => "online",
        VenueType::Other => "a community venue",
    }
}

pub fn feature_phrase(feature: AccessibilityFeature) -> String {
    match feature {
        AccessibilityFeature::StepFreeAccess => "step-free access".into(),
        AccessibilityFeature::ChangingPlacesToilet => "a Changing Places toilet".into(),
        AccessibilityFeature::QuietSpace => "a quiet space".into(),
        AccessibilityFeature::HearingLoop => "a hearing loop".into(),
        AccessibilityFeature::AccessibleToilet => "an accessible toilet".into(),
        other => other.as_str().replace('_', " "),
    }
}

fn month(date: NaiveDate) -> String {
    date.format("%B %Y").to_string()
}

fn interest_reasons(
    interests: &[ResolvedInterest],
    a: &Assessment,
    labels: &HashMap<Uuid, String>,
    out: &mut Vec<String>,
) {
    for m in a.matches.iter().take(3) {
        let Some(interest) = interests.get(m.interest) else {
            continue;
        };
        let input = &interest.input;
        let label = m.term_id.and_then(|id| labels.get(&id));
        let widened = interest.widening > Widening::None;
        out.push(match (m.relation, label) {
            (Relation::Semantic, _) => format!(
                "Nothing tagged {input} within reach; this is close in meaning to what you said"
            ),
            (Relation::Text, _) | (_, None) => format!("Mentions {input}"),
            (Relation::Related | Relation::Broader, Some(label)) if widened => format!(
                "Nothing for {input} within reach; this is the closest kind of thing: {label}"
            ),
            (Relation::Related | Relation::Broader, Some(label)) => {
                format!("Related to your interest in {input}: {label}")
            }
            (_, Some(label)) if label.eq_ignore_ascii_case(input) => {
                format!("Matches your interest in {input}")
            }
            (_, Some(label)) => format!("Matches your interest in {input} ({label})"),
        });
    }
}

/// Reasons and cautions for one result. `labels` names the asset's interest terms.
pub fn explain(
    spec: &MatchSpec,
    interests: &[ResolvedInterest],
    c: &Candidate,
    a: &Assessment,
    labels: &HashMap<Uuid, String>,
    today: NaiveDate,
) -> Explanation {
    let mut reasons = Vec::new();
    let mut cautions = Vec::new();

    interest_reasons(interests, a, labels, &mut reasons);

    match (a.distance_km, a.minutes, spec.reach.mode) {
        (Some(km), Some(minutes), Some(mode)) => reasons.push(format!(
            "About {} ({})",
            mode.journey(minutes),
            format_km(km)
        )),
        (Some(km), _, _) => reasons.push(format!("{} away", format_km(km))),
        (None, _, _) => reasons.push("Online: no travel needed".into()),
    }

    match a.cost_pence {
        Some(0) => reasons.push("Free".into()),
        // A flat concession the person said they get, or a price a rule gives them by age or
        // group (an over-60s offer).
        Some(p)
            if (spec.budget.concessions && c.concession_pence == Some(p))
                || c.cost_pence.is_some_and(|full| p < full) =>
        {
            reasons.push(format!(
                "{} a session at the concession price",
                format_pence(p)
            ))
        }
        Some(p) => reasons.push(format!("{} a session", format_pence(p))),
        None => cautions.push("Cost not stated: check with the organiser".into()),
    }

    match &a.fit {
        Some((Fit::Inside, Some(s))) => reasons.push(format!(
            "{}, when you said you are free",
            describe_session(s)
        )),
        Some((Fit::Partly, Some(s))) => cautions.push(format!(
            "{} is only partly within the times you gave",
            describe_session(s)
        )),
        Some((Fit::Outside, Some(s))) => cautions.push(format!(
            "No sessions in the times you gave (it runs {})",
            describe_session(s)
        )),
        _ => match a.current_sessions.first() {
            Some(s) if a.fit.is_none() => reasons.push(format!("Runs {}", describe_session(s))),
            _ => cautions.push("Times not stated: check with the organiser".into()),
        },
    }

    match (c.non_stigmatised, c.venue_type) {
        (Some(true), Some(v)) if spec.prefer_non_stigmatised || spec.has(Barrier::Stigma) => {
            reasons.push(format!("At {}, not a health setting", venue_phrase(v)))
        }
        (Some(false), Some(v)) => cautions.push(format!("At {}", venue_phrase(v))),
        _ => {}
    }

    audience_lines(spec, c, &mut reasons, &mut cautions);
    if spec.has(Barrier::AfterDark) && a.components.daytime == Some(1.0) {
        reasons.push("Finishes before dark".into());
    } else if a.components.daytime == Some(0.2) {
        cautions.push("Evening sessions only: it may be dark on the way home in winter".into());
    }

    if c.drop_in == Some(true) {
        reasons.push("Drop-in: no need to book".into());
    }
    if c.taster_session == Some(true) {
        reasons.push("Taster sessions for newcomers".into());
    }
    if c.meet_and_greet == Some(true) {
        reasons.push("Someone meets newcomers".into());
    }
    if c.small_group() == Some(true) {
        match c.typical_group_size {
            Some(n) => reasons.push(format!("Small group (about {n} people)")),
            None => reasons.push("Small group".into()),
        }
    }
    if c.booking_required == Some(true) {
        cautions.push("Booking needed".into());
    }
    participation_lines(&c.participation, &mut reasons, &mut cautions);
    for need in &spec.access_needs {
        reasons.push(format!("Has {}", feature_phrase(*need)));
    }
    if (spec.has(Barrier::Transport)
        || spec.reach.mode == Some(super::travel::TravelMode::PublicTransport))
        && c.has_feature("near_public_transport")
    {
        reasons.push("Near public transport".into());
    }

    // Said as the freshness policy judges the listing: a new one needs no confirming yet.
    match (a.confirmed_days_ago, a.freshness) {
        (Some(days), Freshness::Fresh) => reasons.push(format!(
            "Confirmed by the organiser in {}",
            month(today - Duration::days(days))
        )),
        (Some(days), Freshness::Stale) => cautions.push(format!(
            "Not confirmed by the organiser since {}",
            month(today - Duration::days(days))
        )),
        (None, Freshness::Due | Freshness::Stale) => {
            cautions.push("Not confirmed by the organiser".into())
        }
        _ => {}
    }
    if c.outcomes.usually_kept_going() {
        reasons.push(format!(
            "People referred here usually keep going ({} of {} who went were still going after four weeks)",
            c.outcomes.kept_going, c.outcomes.tried
        ));
    }
    Explanation { reasons, cautions }
}

/// Instructions longer than this are cut (with an ellipsis) so that the line can be read out.
const INSTRUCTIONS_SAID: usize = 160;

/// How taking part works, as the provider said it: a level that suits someone new is a reason,
/// levels that do not a caution; coaching, the support offered and what to bring are said.
fn participation_lines(p: &Participation, reasons: &mut Vec<String>, cautions: &mut Vec<String>) {
    if p.suits_beginners() {
        reasons.push("Suits beginners".into());
    } else if !p.levels.is_empty() {
        let levels: Vec<&str> = p.levels.iter().map(String::as_str).collect();
        cautions.push(format!(
            "For {} level: check it suits the person",
            join_and(&levels).to_lowercase()
        ));
    }
    if p.coached == Some(true) {
        reasons.push("Led by a coach or instructor".into());
    }
    if !p.accessibility_support.is_empty() {
        let support: Vec<String> = p
            .accessibility_support
            .iter()
            .map(|s| s.to_lowercase())
            .collect();
        let support: Vec<&str> = support.iter().map(String::as_str).collect();
        reasons.push(format!("Support offered for {}", join_and(&support)));
    }
    if let Some(text) = &p.attendee_instructions {
        let said: String = if text.chars().count() > INSTRUCTIONS_SAID {
            text.chars().take(INSTRUCTIONS_SAID - 1).collect::<String>() + "…"
        } else {
            text.clone()
        };
        reasons.push(format!("Before going: {said}"));
    }
}

/// Who the session is for, said plainly: a match for the person is a reason, a rule they may
/// need to check is a caution.
fn audience_lines(
    spec: &MatchSpec,
    c: &Candidate,
    reasons: &mut Vec<String>,
    cautions: &mut Vec<String>,
) {
    let gender = match c.audience.gender {
        GenderRule::WomenOnly => Some("Women only"),
        GenderRule::MenOnly => Some("Men only"),
        GenderRule::Mixed => None,
    };
    match (gender, spec.person.single_gender, spec.person.gender) {
        (Some(rule), Some(_), _) => reasons.push(format!("{rule}, as asked")),
        (Some(rule), None, Some(PersonGender::Woman | PersonGender::Man)) => {
            reasons.push(rule.to_string())
        }
        (Some(rule), None, _) => cautions.push(format!("{rule}: check it suits the person")),
        (None, ..) => {}
    }
    let made_for = audience::made_for(&c.audience, &spec.person);
    if !made_for.is_empty() {
        let groups: Vec<&str> = made_for
            .iter()
            .map(|g| audience::group_phrase(*g))
            .collect();
        reasons.push(format!("Made for {}", join_and(&groups)));
    } else if !c.audience.groups.is_empty() {
        let groups: Vec<&str> = c
            .audience
            .groups
            .iter()
            .map(|g| audience::group_phrase(*g))
            .collect();
        cautions.push(format!("Made mainly for {}", join_and(&groups)));
    }
    if c.audience.referral_only {
        cautions.push("By referral only: ask the GP or health professional to refer".into());
    }
}

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::LatLon;
    use crate::domain::matching::candidate::tests::blank;
    use crate::domain::matching::interests::tests::single;
    use crate::domain::matching::interests::{Resolution, Term};
    use crate::domain::matching::score::tests::{ctx, spec};
    use crate::domain::matching::score::{assess, weights};
    use crate::domain::schedule::parse_hhmm;
    use chrono::{DateTime, Utc};

    fn setup(body: serde_json::Value, c: &Candidate) -> (Explanation, Assessment) {
        let spec = spec(body);
        let interests = vec![single(
            "football",
            Resolution::Exact,
            Term {
                id: Uuid::from_u128(77),
                slug: "football".into(),
                label: "Football".into(),
            },
            vec![Uuid::from_u128(78)],
            None,
        )];
        let ctx = ctx(interests.clone());
        let a = assess(&spec, &ctx, &weights(&spec), c);
        let labels = HashMap::from([(Uuid::from_u128(78), "5-a-side".to_string())]);
        (explain(&spec, &interests, c, &a, &labels, ctx.today()), a)
    }

    #[test]
    fn reasons_read_like_a_link_worker_would_say_them() {
        let mut c = blank(1);
        c.position = Some(LatLon {
            lat: 53.4248 + 1.1 / 111.2,
            lon: -2.3232,
        });
        c.interest_ids = vec![Uuid::from_u128(78)];
        c.cost_free = Some(true);
        c.drop_in = Some(true);
        c.sessions = vec![Session {
            weekday: Some(Weekday::Tue),
            date: None,
            start: parse_hhmm("18:00").unwrap(),
            end: parse_hhmm("19:30").unwrap(),
            valid_from: None,
            valid_until: None,
        }];
        c.confirmed_at = Some(
            DateTime::parse_from_rfc3339("2025-03-10T09:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        let (e, _) = setup(
            serde_json::json!({
                "interests": ["football"],
                "availability": [{"day": "tue", "from": "17:30", "to": "21:00"}]
            }),
            &c,
        );
        assert_eq!(
            e.reasons,
            [
                "Matches your interest in football (5-a-side)",
                "About 18 minutes' walk (1.1 km)",
                "Free",
                "Tuesdays 18:00–19:30, when you said you are free",
                "At a community centre, not a health setting",
                "Drop-in: no need to book",
            ]
        );
        assert_eq!(
            e.cautions,
            ["Not confirmed by the organiser since March 2025"]
        );
    }

    #[test]
    fn what_is_not_stated_is_said() {
        let mut c = blank(1);
        c.non_stigmatised = Some(false);
        c.venue_type = Some(VenueType::MentalHealthService);
        let (e, _) = setup(serde_json::json!({}), &c);
        assert_eq!(
            e.cautions,
            [
                "Cost not stated: check with the organiser",
                "Times not stated: check with the organiser",
                "At a mental health service",
                "Not confirmed by the organiser",
            ]
        );
    }

    #[test]
    fn prices_and_sessions_are_formatted() {
        assert_eq!(format_pence(250), "£2.50");
        assert_eq!(format_pence(500), "£5");
        assert_eq!(format_pence(5), "£0.05");
        let dated = Session {
            weekday: None,
            date: Some(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()),
            start: parse_hhmm("10:00").unwrap(),
            end: parse_hhmm("12:00").unwrap(),
            valid_from: None,
            valid_until: None,
        };
        assert_eq!(describe_session(&dated), "Saturday 5 December 10:00–12:00");
    }

    #[test]
    fn concession_prices_and_clashing_times_are_explained() {
        let mut c = blank(1);
        c.cost_pence = Some(500);
        c.concession_pence = Some(250);
        c.sessions = vec![Session {
            weekday: Some(Weekday::Wed),
            date: None,
            start: parse_hhmm("10:00").unwrap(),
            end: parse_hhmm("11:00").unwrap(),
            valid_from: None,
            valid_until: None,
        }];
        let (e, _) = setup(
            serde_json::json!({
                "budget": {"concessions": true},
                "availability": [{"day": "tue", "from": "17:30", "to": "21:00"}]
            }),
            &c,
        );
        assert!(
            e.reasons
                .contains(&"£2.50 a session at the concession price".to_string())
        );
        assert!(e.cautions.contains(
            &"No sessions in the times you gave (it runs Wednesdays 10:00–11:00)".to_string()
        ));
    }

    #[test]
    fn levels_coaching_support_and_what_to_bring_are_read_out() {
        let mut c = blank(1);
        c.participation = Participation {
            levels: vec!["Beginner".into()],
            coached: Some(true),
            attendee_instructions: Some("Bring a towel and a padlock.".into()),
            accessibility_support: vec!["Visual impairment".into()],
            prepayment: None,
        };
        let (e, _) = setup(serde_json::json!({}), &c);
        for line in [
            "Suits beginners",
            "Led by a coach or instructor",
            "Support offered for visual impairment",
            "Before going: Bring a towel and a padlock.",
        ] {
            assert!(e.reasons.contains(&line.to_string()), "{line}: {e:?}");
        }
        c.participation.levels = vec!["Intermediate".into(), "Advanced".into()];
        let (e, _) = setup(serde_json::json!({}), &c);
        assert!(e.cautions.contains(
            &"For intermediate and advanced level: check it suits the person".to_string()
        ));
    }

    #[test]
    fn an_age_rule_price_is_said_as_a_concession_only_to_those_it_covers() {
        let mut c = blank(1);
        c.cost_pence = Some(450);
        c.concession_rules = vec![crate::domain::cost::ConcessionRule {
            price_pence: 300,
            who: vec![],
            min_age: Some(60),
            max_age: None,
        }];
        let (e, _) = setup(serde_json::json!({"age": 67}), &c);
        assert!(
            e.reasons
                .contains(&"£3 a session at the concession price".to_string()),
            "{e:?}"
        );
        let (e, _) = setup(serde_json::json!({"age": 40}), &c);
        assert!(e.reasons.contains(&"£4.50 a session".to_string()), "{e:?}");
    }
}
