//! Content negotiation by RFC 9110 §12.5.1: which of the media types an operation offers the
//! client's `Accept` allows, honouring q-values (`q=0` refuses) and letting the most specific
//! range decide for each type.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::ApiError;

struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: f32,
}

fn ranges(accept: &str) -> Vec<Range<'_>> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let (kind, subtype) = pieces.next()?.trim().split_once('/')?;
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            Some(Range {
                kind: kind.trim(),
                subtype: subtype.trim(),
                quality,
            })
        })
        .collect()
}

/// How much the client wants `media` (0 when it does not accept it at all).
fn quality(ranges: &[Range], media: &str) -> f32 {
    let (kind, subtype) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for r in ranges {
        let specificity =
            if r.kind.eq_ignore_ascii_case(kind) && r.subtype.eq_ignore_ascii_case(subtype) {
                2
            } else if r.kind.eq_ignore_ascii_case(kind) && r.subtype == "*" {
                1
            } else if r.kind == "*" && r.subtype == "*" {
                0
            } else {
                continue;
            };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, r.quality));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// The offered type the client prefers (the server's order breaks ties); any when `Accept` is
/// absent or blank; `None` when it accepts none of them.
pub fn choose<'a>(accept: Option<&str>, offered: &[&'a str]) -> Option<&'a str> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return offered.first().copied();
    };
    let ranges = ranges(accept);
    let mut chosen: Option<(&str, f32)> = None;
    for media in offered {
        let q = quality(&ranges, media);
        if q > 0.0 && chosen.is_none_or(|(_, best)| q > best) {
            chosen = Some((media, q));
        }
    }
    chosen.map(|(media, _)| media)
}

/// The media type to answer `req` with, or a 406 that says what the operation offers and,
/// when given, where else to look.
pub fn negotiate(
    req: &HttpRequest,
    offered: &[&'static str],
    elsewhere: &str,
) -> Result<&'static str, ApiError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .map(|v| v.to_str().unwrap_or(""));
    choose(accept, offered).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "this operation answers {}{elsewhere}",
            offered.join(" or ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json";
    const GEO: &str = "application/geo+json";

    #[test]
    fn no_accept_takes_the_first_offer() {
        assert_eq!(choose(None, &[JSON]), Some(JSON));
        assert_eq!(choose(Some(" "), &[GEO, JSON]), Some(GEO));
    }

    #[test]
    fn wildcards_and_exact_types_match() {
        assert_eq!(choose(Some("*/*"), &[JSON]), Some(JSON));
        assert_eq!(choose(Some("application/*"), &[JSON]), Some(JSON));
        assert_eq!(
            choose(Some("text/html, application/json"), &[JSON]),
            Some(JSON)
        );
        assert_eq!(choose(Some("APPLICATION/JSON"), &[JSON]), Some(JSON));
    }

    #[test]
    fn q_zero_refuses_and_the_most_specific_range_decides() {
        assert_eq!(choose(Some("application/geo+json"), &[JSON]), None);
        assert_eq!(choose(Some("text/html"), &[JSON]), None);
        assert_eq!(choose(Some("application/json;q=0"), &[JSON]), None);
        assert_eq!(choose(Some("*/*, application/json;q=0"), &[JSON]), None);
        assert_eq!(choose(Some("application/json;q=0, */*"), &[JSON]), None);
    }

    #[test]
    fn the_higher_quality_wins_and_ties_keep_the_server_order() {
        assert_eq!(
            choose(
                Some("application/json;q=0.5, application/geo+json"),
                &[JSON, GEO]
            ),
            Some(GEO)
        );
        assert_eq!(choose(Some("*/*"), &[GEO, JSON]), Some(GEO));
        assert_eq!(
            choose(
                Some("application/json, application/geo+json;q=0.9"),
                &[GEO, JSON]
            ),
            Some(JSON)
        );
    }
}
