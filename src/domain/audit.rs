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
    /// The API key's id, when a key made the write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<Uuid>,
    /// The organisation of the key (none for admin keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    /// The key's role: `admin`, `agency` or `reader`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The import run's id, when an import made the write.
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

/// Where each stored column of an asset appears in the API's asset (`AssetView`), as a field
/// path; `None` for columns kept for the service's own use. `sessions` holds both kinds of
/// session, so it is the whole `schedule` apart from its notes.
pub fn asset_field_path(column: &str) -> Option<&'static str> {
    Some(match column {
        "id" => "id",
        "organization_id" => "organization",
        "venue_id" => "venue",
        "service_area" => "service_area",
        "online" => "online",
        "kind" => "kind",
        "title" => "title",
        "description" => "description",
        "five_ways" => "five_ways",
        "interests" => "interests",
        "min_age" => "eligibility.min_age",
        "max_age" => "eligibility.max_age",
        "eligibility_criteria" => "eligibility.criteria",
        "audience_gender" => "audience.gender",
        "audience_groups" => "audience.groups",
        "audience_groups_only" => "audience.groups_only",
        "referral_only" => "audience.referral_only",
        "cost_free" => "cost.free",
        "cost_pence" => "cost.amount_pence",
        "concession_pence" => "cost.concession_pence",
        "concession_rules" => "cost.concessions",
        "cost_notes" => "cost.notes",
        "sessions" => "schedule",
        "schedule_notes" => "schedule.notes",
        "drop_in" => "newcomers.drop_in",
        "taster_session" => "newcomers.taster_session",
        "meet_and_greet" => "newcomers.meet_and_greet",
        "booking_required" => "newcomers.booking_required",
        "newcomer_notes" => "newcomers.notes",
        "max_participants" => "capacity.max_participants",
        "typical_group_size" => "capacity.typical_group_size",
        "contact_name" => "contact.name",
        "contact_email" => "contact.email",
        "contact_phone" => "contact.phone",
        "contact_url" => "contact.url",
        "status" => "status",
        "confirmed_at" => "confirmed_at",
        "published_at" => "published_at",
        "created_at" => "created_at",
        "source" | "source_id" => "source",
        "source_tags" => "source_tags",
        "is_example" => "example",
        "external_id" => "external_id",
        "levels" => "participation.levels",
        "coached" => "participation.coached",
        "attendee_instructions" => "participation.attendee_instructions",
        "accessibility_support" => "participation.accessibility_support",
        "prepayment" => "participation.prepayment",
        "attribution" => "attribution",
        _ => return None,
    })
}

/// The API fields (paths into the asset as `GET /v1/assets/{id}` shows it) whose values differ
/// between two stored snapshots of an asset, in order.
pub fn changed_asset_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let mut paths: Vec<String> = changed_fields(before, after)
        .iter()
        .filter_map(|column| asset_field_path(column))
        .map(str::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// What a write to an asset did, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Publish,
    Archive,
    Confirm,
    /// A change to a published asset by an organisation not yet trusted, waiting for review.
    Propose,
    Approve,
    Reject,
    Withdraw,
    Discard,
}

impl AuditAction {
    /// The action as the audit log stores it. The log's asset entries are written only with
    /// these words; anything else is read as an update and reported.
    pub fn from_log(action: &str) -> Self {
        Self::parse(action).unwrap_or_else(|| {
            tracing::warn!(action, "an asset's audit entry has an unknown action");
            Self::Update
        })
    }

    pub fn parse(action: &str) -> Option<Self> {
        Some(match action {
            "create" => Self::Create,
            "update" => Self::Update,
            "publish" => Self::Publish,
            "archive" => Self::Archive,
            "confirm" => Self::Confirm,
            "propose" => Self::Propose,
            "approve" => Self::Approve,
            "reject" => Self::Reject,
            "withdraw" => Self::Withdraw,
            "discard" => Self::Discard,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_asset_column_has_an_api_path_or_is_bookkeeping() {
        let schema = include_str!("../db/schema.rs");
        let start = schema.find("    assets (id) {").unwrap();
        let end = start + schema[start..].find("    }").unwrap();
        // Left out of snapshots (audit_snapshot), or kept for the service's own use.
        let internal = [
            "geom",
            "geom_plane",
            "interest_ids",
            "accessibility",
            "non_stigmatised",
            "venue_type",
            "search_text",
            "search_vector",
            "location_precision",
            "outcomes",
            "updated_at",
            "version",
            "source_digest",
            "min_rule_pence",
        ];
        for line in schema[start..end].lines().skip(1) {
            let Some((column, _)) = line.trim().split_once(" -> ") else {
                continue;
            };
            assert!(
                internal.contains(&column) || asset_field_path(column).is_some(),
                "assets.{column} has no API field path"
            );
        }
    }

    #[test]
    fn changes_are_named_by_the_api_s_field_paths() {
        let before = json!({"cost_pence": 300, "cost_free": false, "title": "A", "version": 1,
            "sessions": [{"weekday": 2}], "min_rule_pence": 100});
        let after = json!({"cost_pence": 0, "cost_free": true, "title": "A", "version": 2,
            "sessions": [{"weekday": 3}], "min_rule_pence": 0});
        assert_eq!(
            changed_asset_fields(Some(&before), Some(&after)),
            ["cost.amount_pence", "cost.free", "schedule"]
        );
        assert_eq!(AuditAction::parse("archive"), Some(AuditAction::Archive));
        assert_eq!(AuditAction::parse("explode"), None);
    }
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
