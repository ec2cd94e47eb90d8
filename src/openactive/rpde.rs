//! RPDE 1.0 pages: items ordered by `modified` then `id` (or by change number), `next` the URL
//! to read after this page, the last page known by having no items (or `next` equal to the URL
//! read). Items are kept as the feed gave them; what they mean is `read`'s business.

use serde_json::Value;

/// The kinds that are listings in their own right, and the kinds that are only occurrences of
/// one (a session of a series, a bookable slot of a facility).
const PARENTS: [&str; 7] = [
    "SessionSeries",
    "FacilityUse",
    "IndividualFacilityUse",
    "CourseInstance",
    "EventSeries",
    "Event",
    "HeadlineEvent",
];
const CHILDREN: [&str; 2] = ["ScheduledSession", "Slot"];

/// One RPDE item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The item's kind, normalised to the opportunity type (`SessionSeries`, `Slot`…).
    pub kind: String,
    pub id: String,
    /// `modified` as written (a number or a string), compared only for equality.
    pub modified: String,
    pub deleted: bool,
    pub data: Option<Value>,
}

impl Item {
    pub fn is_parent(&self) -> bool {
        PARENTS.contains(&self.kind.as_str())
    }

    pub fn is_child(&self) -> bool {
        CHILDREN.contains(&self.kind.as_str())
    }

    /// The @ids a child may name as its parent: the item's own, and for a FacilityUse those of
    /// its IndividualFacilityUses (slots may belong to either).
    pub fn node_ids(&self) -> Vec<String> {
        let Some(data) = &self.data else {
            return Vec::new();
        };
        let mut ids: Vec<String> = node_id(data).into_iter().collect();
        for ifu in data
            .get("individualFacilityUse")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            ids.extend(node_id(ifu));
        }
        ids
    }

    /// The @id of the opportunity a child belongs to (`superEvent`, `facilityUse`).
    pub fn parent_id(&self) -> Option<String> {
        let data = self.data.as_ref()?;
        ["superEvent", "facilityUse"]
            .iter()
            .find_map(|key| match data.get(*key)? {
                Value::String(s) => Some(s.clone()),
                v @ Value::Object(_) => node_id(v),
                _ => None,
            })
    }
}

/// A JSON-LD node's id: `@id` (or `id` in the newer compact form).
pub fn node_id(v: &Value) -> Option<String> {
    ["@id", "id"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

/// A JSON-LD node's type: `@type` or `type`.
pub fn node_type(v: &Value) -> Option<&str> {
    ["@type", "type"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
}

/// One page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: String,
    pub license: Option<String>,
}

impl Page {
    /// The last page: RPDE says so with no items, and a feed that sends `next` equal to the
    /// URL just read says the same.
    pub fn is_last(&self, read: &str) -> bool {
        self.items.is_empty() || self.next == read
    }
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The kind an item is, from its data's type when it has data (the item `kind` is free text in
/// practice: `SessionSeries.ScheduledSession`, `session`…), else from `kind`.
fn kind_of(item_kind: &str, data: Option<&Value>) -> String {
    if let Some(t) = data.and_then(node_type) {
        return t.to_string();
    }
    let k = item_kind.rsplit('.').next().unwrap_or(item_kind);
    PARENTS
        .iter()
        .chain(CHILDREN.iter())
        .find(|known| known.eq_ignore_ascii_case(k))
        .map(|s| s.to_string())
        .unwrap_or_else(|| k.to_string())
}

/// Reads a page; `base` resolves a relative `next`. Errors say what is wrong in plain words.
pub fn parse_page(body: &Value, base: &url::Url) -> Result<Page, String> {
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or("the page has no `items` array")?;
    let next = body
        .get("next")
        .and_then(Value::as_str)
        .ok_or("the page has no `next` URL")?;
    let next = base
        .join(next)
        .map_err(|e| format!("`next` is not a URL: {e}"))?
        .to_string();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let id = scalar(item.get("id")).ok_or(format!("items[{i}] has no `id`"))?;
        let modified =
            scalar(item.get("modified")).ok_or(format!("items[{i}] has no `modified`"))?;
        let state = item.get("state").and_then(Value::as_str).unwrap_or("");
        let deleted = match state {
            "deleted" => true,
            "updated" => false,
            other => return Err(format!("items[{i}] has state {other:?}")),
        };
        let data = item.get("data").filter(|d| d.is_object()).cloned();
        if !deleted && data.is_none() {
            return Err(format!("items[{i}] is updated but has no `data`"));
        }
        let kind = kind_of(
            item.get("kind").and_then(Value::as_str).unwrap_or(""),
            data.as_ref(),
        );
        out.push(Item {
            kind,
            id,
            modified,
            deleted,
            data: if deleted { None } else { data },
        });
    }
    Ok(Page {
        items: out,
        next,
        license: body
            .get("license")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> url::Url {
        url::Url::parse("https://feeds.example.org/session-series").unwrap()
    }

    #[test]
    fn reads_items_kinds_and_a_relative_next() {
        let page = parse_page(
            &json!({
                "next": "/session-series?afterTimestamp=2&afterId=b",
                "items": [
                    {"state": "updated", "kind": "SessionSeries.ScheduledSession", "id": "a", "modified": 1,
                     "data": {"@type": "SessionSeries", "@id": "https://x/ss/a"}},
                    {"state": "deleted", "kind": "ScheduledSession", "id": 7, "modified": "2"}
                ],
                "license": "https://creativecommons.org/licenses/by/4.0/"
            }),
            &base(),
        )
        .unwrap();
        assert_eq!(
            page.next,
            "https://feeds.example.org/session-series?afterTimestamp=2&afterId=b"
        );
        assert_eq!(page.items[0].kind, "SessionSeries");
        assert!(page.items[0].is_parent());
        assert_eq!(page.items[1].kind, "ScheduledSession");
        assert_eq!(page.items[1].id, "7");
        assert!(page.items[1].deleted && page.items[1].data.is_none());
        assert!(!page.is_last("https://feeds.example.org/session-series"));
    }

    #[test]
    fn the_last_page_has_no_items_or_points_at_itself() {
        let empty = parse_page(
            &json!({"next": "https://f/x?afterId=1", "items": []}),
            &base(),
        )
        .unwrap();
        assert!(empty.is_last("https://f/x?afterId=0"));
    }

    #[test]
    fn malformed_pages_are_refused_with_a_reason() {
        for (body, reason) in [
            (json!({"items": []}), "no `next`"),
            (json!({"next": "x"}), "no `items`"),
            (
                json!({"next": "x", "items": [{"id": 1, "modified": 1, "state": "updated"}]}),
                "no `data`",
            ),
            (
                json!({"next": "x", "items": [{"id": 1, "modified": 1, "state": "gone"}]}),
                "state",
            ),
        ] {
            let err = parse_page(&body, &base()).unwrap_err();
            assert!(err.contains(reason), "{err}");
        }
    }

    #[test]
    fn children_name_their_parent_and_facilities_their_individual_uses() {
        let slot = Item {
            kind: "Slot".into(),
            id: "s1".into(),
            modified: "1".into(),
            deleted: false,
            data: Some(json!({"@type": "Slot", "facilityUse": "https://x/ifu/1"})),
        };
        assert_eq!(slot.parent_id().as_deref(), Some("https://x/ifu/1"));
        let facility = Item {
            kind: "FacilityUse".into(),
            id: "f1".into(),
            modified: "1".into(),
            deleted: false,
            data: Some(json!({"@type": "FacilityUse", "@id": "https://x/fu/1",
                "individualFacilityUse": [{"@type": "IndividualFacilityUse", "@id": "https://x/ifu/1"}]})),
        };
        assert_eq!(facility.node_ids(), ["https://x/fu/1", "https://x/ifu/1"]);
    }
}
