//! When an imported service is very likely an asset we already hold. The data layer finds
//! candidates run by an organisation of the same name, at a venue within
//! `NEARBY_METRES` (or, when neither has a venue, anywhere); this rule then compares titles.
//! Linking rather than importing keeps one listing per activity, owned by whoever wrote it
//! first.

/// How far apart two venues may be and still be the same place: a big building's entrances,
/// or a postcode centroid against a door.
pub const NEARBY_METRES: f64 = 250.0;

/// How similar two titles must be (trigram similarity, 0 to 1).
pub const TITLE_THRESHOLD: f64 = 0.6;

/// Lower-case letters and digits, words separated by single spaces.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The trigrams of each word padded with two spaces before and one after, as PostgreSQL's
/// pg_trgm makes them, so the figure agrees with `similarity()` there.
fn trigrams(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in words(text) {
        let padded: Vec<char> = format!("  {word} ").chars().collect();
        for window in padded.windows(3) {
            out.push(window.iter().collect());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Shared trigrams over all distinct trigrams, 0 (nothing shared) to 1 (same words).
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let (ta, tb) = (trigrams(a), trigrams(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let shared = ta.iter().filter(|t| tb.binary_search(t).is_ok()).count();
    shared as f64 / (ta.len() + tb.len() - shared) as f64
}

/// Whether two titles (of assets already known to share an organisation and a place) name the
/// same activity.
pub fn same_activity(a: &str, b: &str) -> bool {
    title_similarity(a, b) >= TITLE_THRESHOLD
}

/// How far apart an imported venue and one we hold may be and still be the same place when
/// their names agree: a building's doors, a feed's rounding.
pub const SAME_PLACE_METRES: f64 = 50.0;

/// How similar two venue names must be (trigram similarity) unless one contains the other.
pub const VENUE_NAME_THRESHOLD: f64 = 0.5;

/// Whether two names (of places already known to be within `SAME_PLACE_METRES`) name the same
/// venue: similar enough, or every word of one in the other ("Sale Leisure Centre" and
/// "Sale Leisure Centre, Broad Road").
pub fn same_venue(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return false;
    }
    let within = |x: &[String], y: &[String]| x.iter().all(|w| y.contains(w));
    title_similarity(a, b) >= VENUE_NAME_THRESHOLD || within(&wa, &wb) || within(&wb, &wa)
}

/// Organisation names compared as people write them: case, punctuation and spacing ignored.
pub fn same_organization_name(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    !wa.is_empty() && wa == wb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venues_are_the_same_when_their_names_agree() {
        assert!(same_venue(
            "Sale Leisure Centre",
            "Sale Leisure Centre, Broad Road"
        ));
        assert!(same_venue(
            "Stretford Sports Village",
            "Stretford Sports Villiage"
        ));
        assert!(!same_venue("Sale Leisure Centre", "Sale Library"));
        assert!(!same_venue("", "Sale Library"));
    }

    #[test]
    fn identical_and_reworded_titles_match() {
        assert!(same_activity("Walking football", "Walking football"));
        assert!(same_activity(
            "Walking football for over-50s",
            "Walking Football (over 50s)"
        ));
        assert!(same_activity("Knit and natter", "Knit & Natter"));
    }

    #[test]
    fn different_activities_at_one_place_do_not_match() {
        assert!(!same_activity("Walking football", "Walking netball"));
        assert!(!same_activity("Chair yoga", "Book club"));
        assert!(!same_activity("", "Book club"));
    }

    #[test]
    fn similarity_agrees_with_pg_trgm() {
        // SELECT similarity('word', 'words') = 0.5714286 in PostgreSQL 15.
        assert!((title_similarity("word", "words") - 4.0 / 7.0).abs() < 1e-9);
        assert_eq!(title_similarity("abc", "abc"), 1.0);
    }

    #[test]
    fn organisation_names_ignore_case_and_punctuation() {
        assert!(same_organization_name(
            "Age UK Trafford",
            "AGE UK  trafford."
        ));
        assert!(!same_organization_name("Age UK Trafford", "Age UK Salford"));
        assert!(!same_organization_name("", ""));
    }
}
