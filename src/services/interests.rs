use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::{self, DbPool, interests::TermRow};
use crate::error::ApiError;

/// A term of the interest vocabulary with the narrower terms under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestNode {
    pub id: Uuid,
    #[schema(example = "football")]
    pub slug: String,
    #[schema(example = "Football")]
    pub label: String,
    /// Other words people use for it; all resolve to this term.
    #[schema(example = json!(["soccer", "5-a-side"]))]
    pub synonyms: Vec<String>,
    pub definition: Option<String>,
    /// `openactive` (the OpenActive Activity List) or `community-assets` (this service's own).
    pub source: String,
    pub source_uri: Option<String>,
    #[schema(no_recursion)]
    pub children: Vec<InterestNode>,
}

/// Arranges terms into a forest under their parents, roots and children sorted by label.
pub fn build_tree(terms: Vec<TermRow>) -> Vec<InterestNode> {
    let mut children: HashMap<Option<Uuid>, Vec<TermRow>> = HashMap::new();
    for term in terms {
        children.entry(term.parent_id).or_default().push(term);
    }
    fn attach(
        parent: Option<Uuid>,
        children: &mut HashMap<Option<Uuid>, Vec<TermRow>>,
    ) -> Vec<InterestNode> {
        let mut level = children.remove(&parent).unwrap_or_default();
        level.sort_by(|a, b| {
            a.label
                .to_lowercase()
                .cmp(&b.label.to_lowercase())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        level
            .into_iter()
            .map(|t| InterestNode {
                children: attach(Some(t.id), children),
                id: t.id,
                slug: t.slug,
                label: t.label,
                synonyms: t.synonyms,
                definition: t.definition,
                source: t.source,
                source_uri: t.source_uri,
            })
            .collect()
    }
    attach(None, &mut children)
}

pub async fn tree(pool: &DbPool) -> Result<Vec<InterestNode>, ApiError> {
    let mut conn = db::connect(pool).await?;
    Ok(build_tree(db::interests::all_terms(&mut conn).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(slug: &str, parent: Option<Uuid>) -> TermRow {
        TermRow {
            id: Uuid::new_v5(&Uuid::NAMESPACE_OID, slug.as_bytes()),
            slug: slug.into(),
            label: slug.to_uppercase(),
            parent_id: parent,
            domain: "x".into(),
            synonyms: vec![],
            definition: None,
            source: "community-assets".into(),
            source_uri: None,
        }
    }

    #[test]
    fn builds_nested_sorted_tree() {
        let sport = term("sport", None);
        let football = term("football", Some(sport.id));
        let five = term("5-a-side", Some(football.id));
        let arts = term("arts", None);
        let tree = build_tree(vec![five, football, arts, sport]);
        assert_eq!(
            tree.iter().map(|n| n.slug.as_str()).collect::<Vec<_>>(),
            ["arts", "sport"]
        );
        assert_eq!(tree[1].children[0].slug, "football");
        assert_eq!(tree[1].children[0].children[0].slug, "5-a-side");
    }
}
