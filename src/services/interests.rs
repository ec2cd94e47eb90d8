use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::{self, DbPool, interests::TermRow};
use crate::error::ApiError;

/// A term of the interest vocabulary with the narrower terms under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestNode {
    /// The term's id (uuid); usable wherever an interest is asked for.
    #[schema(example = "0a5f732d-e806-4e51-ad40-0a7de0239c8c")]
    pub id: Uuid,
    /// Short lowercase name, hyphenated; usable wherever an interest is asked for.
    #[schema(example = "football")]
    pub slug: String,
    /// The name to show people.
    #[schema(example = "Football")]
    pub label: String,
    /// Other words people use for it; all resolve to this term.
    #[schema(example = json!(["soccer", "footy", "kickabout"]))]
    pub synonyms: Vec<String>,
    /// What the term means, when the source says; `null` otherwise.
    #[schema(
        example = "Football is widely considered to be the most popular sport in the world. The beautiful game is England's national sport."
    )]
    pub definition: Option<String>,
    /// `openactive` (the OpenActive Activity List) or `community-assets` (this service's own).
    #[schema(example = "openactive")]
    pub source: String,
    /// The term's address in its source vocabulary, when it has one; `null` otherwise.
    #[schema(example = "https://openactive.io/activity-list#0a5f732d-e806-4e51-ad40-0a7de0239c8c")]
    pub source_uri: Option<String>,
    /// The narrower terms, sorted by label; each matches wherever this term is asked for.
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
