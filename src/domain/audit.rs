//! The audit log's vocabulary: who acted, on what, and which fields a change touched.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Principal;

/// Who made a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Actor {
    /// `key` (an API key), `import` (an import run, named in `import_id`) or `command_line`.
    #[schema(example = "key")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<Uuid>,
    /// The organisation of the key (none for admin keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    /// The key's role: `admin`, `agency` or `reader`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_id: Option<Uuid>,
}

impl Actor {
    pub fn key(principal: &Principal) -> Self {
        Actor {
            kind: "key",
            key_id: Some(principal.key_id),
            organization_id: principal.organization_id,
            role: Some(principal.role.as_str().to_string()),
            import_id: None,
        }
    }

    pub fn import(run: Uuid) -> Self {
        Actor {
            kind: "import",
            key_id: None,
            organization_id: None,
            role: None,
            import_id: Some(run),
        }
    }

    pub fn command_line() -> Self {
        Actor {
            kind: "command_line",
            key_id: None,
            organization_id: None,
            role: None,
            import_id: None,
        }
    }
}

/// What an audit entry is about, as stored in `audit_events.entity_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Asset,
    Organization,
    Venue,
    ApiKey,
    Import,
    Webhook,
    Referral,
    /// A change to a published asset waiting for review, under the asset's id.
    AssetChange,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Asset => "asset",
            Entity::Organization => "organization",
            Entity::Venue => "venue",
            Entity::ApiKey => "api_key",
            Entity::Import => "import",
            Entity::Webhook => "webhook",
            Entity::Referral => "referral",
            Entity::AssetChange => "asset_change",
        }
    }
}

/// Bookkeeping fields that change with every write and say nothing on their own.
const BOOKKEEPING: [&str; 3] = ["updated_at", "version", "source_digest"];

/// The top-level fields whose values differ between two snapshots, in name order. A creation
/// (no `before`) lists every field it set; a removal lists every field it had.
pub fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut names: Vec<String> = b
        .keys()
        .chain(a.keys())
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter(|k| {
            let (old, new) = (b.get(*k), a.get(*k));
            if before.is_none() || after.is_none() {
                !old.or(new).is_none_or(Value::is_null)
            } else {
                old.unwrap_or(&Value::Null) != new.unwrap_or(&Value::Null)
            }
        })
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_update_lists_what_differs_but_not_bookkeeping() {
        let before = json!({"title": "Walk", "version": 1, "sessions": [], "cost_pence": null});
        let after = json!({"title": "Walks", "version": 2, "sessions": [], "cost_pence": 300});
        assert_eq!(
            changed_fields(Some(&before), Some(&after)),
            vec!["cost_pence", "title"]
        );
    }

    #[test]
    fn a_field_that_appears_or_disappears_counts() {
        let before = json!({"a": 1});
        let after = json!({"b": 1});
        assert_eq!(changed_fields(Some(&before), Some(&after)), vec!["a", "b"]);
    }

    #[test]
    fn a_creation_lists_the_fields_it_set() {
        let after = json!({"title": "Walk", "cost_pence": null, "status": "published"});
        assert_eq!(changed_fields(None, Some(&after)), vec!["status", "title"]);
    }

    #[test]
    fn no_change_lists_nothing() {
        let same = json!({"title": "Walk", "version": 3});
        assert!(
            changed_fields(Some(&same), Some(&json!({"title": "Walk", "version": 4}))).is_empty()
        );
    }
}
