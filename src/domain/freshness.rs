//! How current a listing is. A directory dies when its listings go stale, so every asset is
//! fresh, due for confirmation, or stale, counted from when its provider last confirmed it
//! (or, never confirmed, from when it was listed here: submitting it was a confirmation). An
//! imported record's confirmation is its source's assured date, however old.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

string_enum! {
    /// How current the listing is: `fresh` (confirmed recently), `due` (its provider should
    /// confirm it), `stale` (not confirmed for a long time: it may have stopped).
    Freshness {
        Fresh => "fresh",
        Due => "due",
        Stale => "stale",
    }
}

/// A range of last-confirmation times, `[from, until)`; `None` leaves that end open.
pub type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The thresholds, in days since the last confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreshnessPolicy {
    /// Due for confirmation after this many days (default about 6 months).
    pub due_after_days: u32,
    /// Stale after this many days (default 12 months).
    pub stale_after_days: u32,
    /// Left out of default searches after this many days (default 18 months); never deleted.
    pub hide_after_days: u32,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        Self {
            due_after_days: 182,
            stale_after_days: 365,
            hide_after_days: 548,
        }
    }
}

impl FreshnessPolicy {
    /// Refuses thresholds out of order, which would make states unreachable.
    pub fn new(due: u32, stale: u32, hide: u32) -> Result<Self, String> {
        if due == 0 || !(due < stale && stale <= hide) || hide > 36_500 {
            return Err(format!(
                "freshness thresholds must satisfy 0 < due ({due}) < stale ({stale}) <= hide ({hide}) <= 36500 days"
            ));
        }
        Ok(Self {
            due_after_days: due,
            stale_after_days: stale,
            hide_after_days: hide,
        })
    }

    pub fn classify(&self, last_confirmed: DateTime<Utc>, now: DateTime<Utc>) -> Freshness {
        let age = now - last_confirmed;
        if age >= Duration::days(self.stale_after_days.into()) {
            Freshness::Stale
        } else if age >= Duration::days(self.due_after_days.into()) {
            Freshness::Due
        } else {
            Freshness::Fresh
        }
    }

    /// The moment before which a listing is hidden from default searches.
    pub fn hidden_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.hide_after_days.into())
    }

    /// Listings last confirmed before this are due (or stale).
    pub fn due_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.due_after_days.into())
    }

    /// Listings last confirmed before this are stale.
    pub fn stale_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.stale_after_days.into())
    }

    /// The range of last-confirmation times that have this state, as `[from, until)`.
    pub fn window(&self, state: Freshness, now: DateTime<Utc>) -> Window {
        let due = self.due_before(now);
        let stale = self.stale_before(now);
        match state {
            Freshness::Fresh => (Some(due), None),
            Freshness::Due => (Some(stale), Some(due)),
            Freshness::Stale => (None, Some(stale)),
        }
    }
}

/// When the listing was last known to be current (SQL: `coalesce(confirmed_at, created_at)`).
pub fn last_confirmed(
    confirmed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
) -> DateTime<Utc> {
    confirmed_at.unwrap_or(created_at)
}

/// The position after a listed asset, as an opaque page cursor.
pub fn encode_cursor(last_confirmed: DateTime<Utc>, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}|{id}", last_confirmed.to_rfc3339()))
}

pub fn decode_cursor(text: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (time, id) = text.split_once('|')?;
    Some((
        DateTime::parse_from_rfc3339(time).ok()?.with_timezone(&Utc),
        id.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days_ago(now: DateTime<Utc>, d: i64) -> DateTime<Utc> {
        now - Duration::days(d)
    }

    #[test]
    fn states_follow_the_thresholds() {
        let now = Utc::now();
        let p = FreshnessPolicy::default();
        assert_eq!(p.classify(now, now), Freshness::Fresh);
        assert_eq!(p.classify(days_ago(now, 181), now), Freshness::Fresh);
        assert_eq!(p.classify(days_ago(now, 182), now), Freshness::Due);
        assert_eq!(p.classify(days_ago(now, 364), now), Freshness::Due);
        assert_eq!(p.classify(days_ago(now, 365), now), Freshness::Stale);
        assert_eq!(p.classify(days_ago(now, 4000), now), Freshness::Stale);
        // A confirmation dated in the future (a clock ahead) is simply fresh.
        assert_eq!(p.classify(days_ago(now, -3), now), Freshness::Fresh);
    }

    #[test]
    fn windows_agree_with_classify() {
        let now = Utc::now();
        let p = FreshnessPolicy::new(10, 20, 30).unwrap();
        for age in [0, 9, 10, 11, 19, 20, 21, 400] {
            let t = days_ago(now, age) + Duration::seconds(1);
            let state = p.classify(t, now);
            for candidate in Freshness::ALL {
                let (from, until) = p.window(*candidate, now);
                let inside = from.is_none_or(|f| t >= f) && until.is_none_or(|u| t < u);
                assert_eq!(inside, *candidate == state, "age {age}: {candidate:?}");
            }
        }
        assert_eq!(p.hidden_before(now), days_ago(now, 30));
    }

    #[test]
    fn cursors_round_trip_and_nonsense_is_refused() {
        let t = Utc::now();
        let id = Uuid::new_v4();
        assert_eq!(decode_cursor(&encode_cursor(t, id)), Some((t, id)));
        for bad in ["", "x", "bm9wZQ", &encode_cursor(t, id)[1..]] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn thresholds_out_of_order_are_refused() {
        assert!(FreshnessPolicy::new(0, 10, 20).is_err());
        assert!(FreshnessPolicy::new(10, 10, 20).is_err());
        assert!(FreshnessPolicy::new(10, 30, 20).is_err());
        assert!(FreshnessPolicy::new(10, 20, 20).is_ok());
    }

    #[test]
    fn the_last_confirmation_is_the_confirmation_else_the_listing() {
        let now = Utc::now();
        assert_eq!(last_confirmed(None, days_ago(now, 5)), days_ago(now, 5));
        assert_eq!(
            last_confirmed(Some(days_ago(now, 1)), days_ago(now, 5)),
            days_ago(now, 1)
        );
        // An imported record keeps its source's date: importing it does not make it current.
        assert_eq!(
            last_confirmed(Some(days_ago(now, 900)), days_ago(now, 5)),
            days_ago(now, 900)
        );
    }
}
