//! The change feed's rules: positions as opaque cursors, and who sees which change.

use base64::Engine;

/// How one change appears to a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// With the asset's current state.
    WithState,
    /// The asset is archived (or gone): the change is shown without a state, so a mirror
    /// removes it.
    Gone,
    /// Not for this caller: someone else's unpublished asset. The position still advances.
    Hidden,
}

/// `insider`: an admin, or a key of the asset's organisation. `status_before` is the status
/// the change started from, `status_now` the asset's status today.
pub fn shown(
    action: &str,
    status_before: Option<&str>,
    status_now: Option<&str>,
    insider: bool,
) -> Shown {
    let live = |s: Option<&str>| matches!(s, Some("published" | "pending"));
    if insider {
        return if live(status_now) {
            Shown::WithState
        } else {
            Shown::Gone
        };
    }
    match status_now {
        Some("published") => Shown::WithState,
        // A public mirror must hear that a published asset went away, and nothing else of it.
        _ if action == "archive" && status_before == Some("published") => Shown::Gone,
        _ => Shown::Hidden,
    }
}

/// A position in the feed, `(transaction id, entry id)`, as an opaque cursor.
pub fn encode_cursor(position: (i64, i64)) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}.{}", position.0, position.1))
}

pub fn decode_cursor(text: &str) -> Option<(i64, i64)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (txid, id) = text.split_once('.')?;
    let position = (txid.parse().ok()?, id.parse().ok()?);
    (position.0 >= 0 && position.1 >= 0).then_some(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insiders_see_everything_the_public_only_what_is_published() {
        assert_eq!(
            shown("create", None, Some("pending"), true),
            Shown::WithState
        );
        assert_eq!(shown("create", None, Some("pending"), false), Shown::Hidden);
        assert_eq!(
            shown("update", Some("published"), Some("published"), false),
            Shown::WithState
        );
        assert_eq!(
            shown("archive", Some("published"), Some("archived"), false),
            Shown::Gone
        );
        assert_eq!(
            shown("archive", Some("pending"), Some("archived"), false),
            Shown::Hidden
        );
        assert_eq!(
            shown("update", Some("published"), Some("archived"), false),
            Shown::Hidden
        );
        assert_eq!(
            shown("archive", Some("pending"), Some("archived"), true),
            Shown::Gone
        );
        assert_eq!(shown("update", None, None, true), Shown::Gone);
    }

    #[test]
    fn cursors_round_trip_and_nonsense_is_refused() {
        for position in [(0, 0), (752, 31), (i64::MAX, i64::MAX)] {
            assert_eq!(decode_cursor(&encode_cursor(position)), Some(position));
        }
        for bad in ["", "x", "MTIz", "LTEuMg", "YS5i"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
