//! Opaque cursors for lists kept in the order of an increasing integer (an audit entry's id, a
//! delivery's sequence number): the client passes back what it was given and never builds one.
//! The tag keeps one list's cursor from being taken for another's.

use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `position` in the list tagged `tag`, as a cursor.
pub fn encode_position(tag: &str, position: i64) -> String {
    ENGINE.encode(format!("{tag}:{position}"))
}

/// The position a cursor of the list tagged `tag` holds; `None` for anything else.
pub fn decode_position(tag: &str, cursor: &str) -> Option<i64> {
    let bytes = ENGINE.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (found, position) = text.split_once(':')?;
    let position: i64 = position.parse().ok()?;
    (found == tag && position >= 0).then_some(position)
}

/// A position in a list ordered by a time and then an id, as a cursor.
pub fn encode_key(tag: &str, at: DateTime<Utc>, id: Uuid) -> String {
    ENGINE.encode(format!("{tag}:{}|{id}", at.to_rfc3339()))
}

/// The time and id a cursor of the list tagged `tag` holds.
pub fn decode_key(tag: &str, cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let bytes = ENGINE.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix(tag)?.strip_prefix(':')?;
    let (at, id) = rest.split_once('|')?;
    Some((
        DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_in_its_own_list() {
        let cursor = encode_position("history", 41);
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(decode_position("history", &cursor), Some(41));
        assert_eq!(decode_position("deliveries", &cursor), None);
        assert_eq!(decode_position("history", "41"), None);
        assert_eq!(
            decode_position("history", &encode_position("history", -1)),
            None
        );
        assert_eq!(decode_position("history", "!!"), None);
    }

    #[test]
    fn a_time_and_id_cursor_keeps_microseconds() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T10:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = Uuid::new_v4();
        let cursor = encode_key("imports", at, id);
        assert_eq!(decode_key("imports", &cursor), Some((at, id)));
        assert_eq!(decode_key("other", &cursor), None);
    }
}
