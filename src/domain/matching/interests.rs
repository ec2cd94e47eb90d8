//! How well an asset's interest tags fit what the person said they love.
//!
//! Each phrase the person gave is resolved to a vocabulary term (by id, slug or label: exact; by
//! a synonym; or by the closest-looking name: similar) or, failing that, is only looked for in
//! assets' text. An asset then matches it by carrying the term itself, a narrower term (said
//! "football", tagged "5-a-side"), the broader term (said "5-a-side", tagged "football"), or
//! only in its words.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// How a phrase was resolved to the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The phrase is a term's id, slug or label.
    Exact,
    /// The phrase is one of a term's synonyms.
    Synonym,
    /// No term is named so; the closest-looking term was taken.
    Similar,
    /// No term fits; the phrase is only looked for in assets' text.
    TextOnly,
}

impl Resolution {
    /// How sure we are that the term is what the person meant.
    fn confidence(self) -> f64 {
        match self {
            Resolution::Exact => 1.0,
            Resolution::Synonym => 0.9,
            Resolution::Similar => 0.6,
            Resolution::TextOnly => 0.0,
        }
    }
}

/// A vocabulary term as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
}

/// One of the person's phrases, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedInterest {
    pub input: String,
    pub resolution: Resolution,
    pub term: Option<Term>,
    /// Every term below `term` in the tree.
    pub narrower: Vec<Uuid>,
    /// The term directly above `term`, unless that is a whole domain (too broad to suggest).
    pub broader: Option<Term>,
}

impl ResolvedInterest {
    /// Every term an asset may carry to match this interest.
    pub fn term_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.term.iter().map(|t| t.id).collect();
        ids.extend(&self.narrower);
        ids.extend(self.broader.iter().map(|t| t.id));
        ids
    }
}

/// How an asset relates to one interest, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Tagged,
    Narrower,
    Broader,
    Text,
}

impl Relation {
    fn weight(self) -> f64 {
        match self {
            Relation::Tagged => 1.0,
            Relation::Narrower => 0.8,
            Relation::Broader => 0.5,
            Relation::Text => 0.4,
        }
    }
}

/// An asset's match with one of the person's interests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InterestMatch {
    /// Index into the resolved interests.
    pub interest: usize,
    pub relation: Relation,
    /// The asset's term that matched (none for a text match).
    pub term_id: Option<Uuid>,
    /// In 0..1: exact tag 1.0 > synonym 0.9 > narrower 0.8 > broader 0.5 > text 0.4, each
    /// scaled by how surely the phrase was resolved.
    pub strength: f64,
}

/// The best way the asset matches one interest, if any.
pub fn match_one(
    index: usize,
    interest: &ResolvedInterest,
    asset_terms: &[Uuid],
    text_hit: bool,
) -> Option<InterestMatch> {
    let confidence = interest.resolution.confidence();
    let tagged = |id: &Uuid| asset_terms.contains(id);
    let by_tag = if let Some(term) = interest.term.as_ref().filter(|t| tagged(&t.id)) {
        Some((Relation::Tagged, Some(term.id)))
    } else if let Some(id) = interest.narrower.iter().find(|id| tagged(id)) {
        Some((Relation::Narrower, Some(*id)))
    } else {
        interest
            .broader
            .as_ref()
            .filter(|t| tagged(&t.id))
            .map(|t| (Relation::Broader, Some(t.id)))
    };
    let tag = by_tag.map(|(relation, term_id)| InterestMatch {
        interest: index,
        relation,
        term_id,
        strength: relation.weight() * confidence,
    });
    let text = text_hit.then_some(InterestMatch {
        interest: index,
        relation: Relation::Text,
        term_id: None,
        strength: Relation::Text.weight(),
    });
    match (tag, text) {
        (Some(t), Some(x)) if x.strength > t.strength => Some(x),
        (Some(t), _) => Some(t),
        (None, x) => x,
    }
}

/// Every interest the asset matches, best first (ties by the order the person gave them).
pub fn match_all(
    interests: &[ResolvedInterest],
    asset_terms: &[Uuid],
    text_hits: &[bool],
) -> Vec<InterestMatch> {
    let mut found: Vec<InterestMatch> = interests
        .iter()
        .enumerate()
        .filter_map(|(i, interest)| {
            match_one(
                i,
                interest,
                asset_terms,
                text_hits.get(i).copied().unwrap_or(false),
            )
        })
        .collect();
    found.sort_by(|a, b| {
        b.strength
            .total_cmp(&a.strength)
            .then(a.interest.cmp(&b.interest))
    });
    found
}

/// Interest fit in 0..1: the best match carries most of it; with several interests, matching
/// more of them adds the rest, so two matched beat one.
pub fn fit(matches: &[InterestMatch], requested: usize) -> f64 {
    let Some(best) = matches.first() else {
        return 0.0;
    };
    if requested <= 1 {
        return best.strength;
    }
    let others: f64 = matches.iter().skip(1).map(|m| m.strength).sum();
    0.85 * best.strength + 0.15 * others / (requested - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn term(n: u128, label: &str) -> Term {
        Term {
            id: id(n),
            slug: label.to_lowercase(),
            label: label.into(),
        }
    }

    fn football(resolution: Resolution) -> ResolvedInterest {
        ResolvedInterest {
            input: "football".into(),
            resolution,
            term: Some(term(1, "Football")),
            narrower: vec![id(2), id(3)],
            broader: Some(term(9, "Team sports")),
        }
    }

    #[test]
    fn exact_beats_synonym_beats_narrower_beats_broader_beats_text() {
        let strength =
            |r, tags: &[Uuid], text| match_one(0, &football(r), tags, text).unwrap().strength;
        let exact = strength(Resolution::Exact, &[id(1)], false);
        let synonym = strength(Resolution::Synonym, &[id(1)], false);
        let narrower = strength(Resolution::Exact, &[id(3)], false);
        let broader = strength(Resolution::Exact, &[id(9)], false);
        let text = strength(Resolution::Exact, &[], true);
        assert!(exact > synonym && synonym > narrower && narrower > broader && broader > text);
        assert_eq!(exact, 1.0);
    }

    #[test]
    fn unrelated_assets_do_not_match() {
        assert_eq!(
            match_one(0, &football(Resolution::Exact), &[id(7)], false),
            None
        );
        let text_only = ResolvedInterest {
            input: "ukulele".into(),
            resolution: Resolution::TextOnly,
            term: None,
            narrower: vec![],
            broader: None,
        };
        assert_eq!(match_one(0, &text_only, &[id(1)], false), None);
        assert_eq!(
            match_one(0, &text_only, &[], true).unwrap().relation,
            Relation::Text
        );
    }

    #[test]
    fn the_tag_that_matched_is_reported() {
        let m = match_one(0, &football(Resolution::Exact), &[id(7), id(3)], true).unwrap();
        assert_eq!((m.relation, m.term_id), (Relation::Narrower, Some(id(3))));
    }

    #[test]
    fn several_interests_matched_beat_one() {
        let interests = vec![
            football(Resolution::Exact),
            ResolvedInterest {
                input: "guitar".into(),
                resolution: Resolution::Exact,
                term: Some(term(20, "Guitar")),
                narrower: vec![],
                broader: None,
            },
        ];
        let one = match_all(&interests, &[id(1)], &[false, false]);
        let both = match_all(&interests, &[id(1), id(20)], &[false, false]);
        assert!(fit(&both, 2) > fit(&one, 2));
        assert!((fit(&both, 2) - 1.0).abs() < 1e-12);
        assert_eq!(fit(&[], 2), 0.0);
        // With one interest, a perfect match is a perfect fit.
        assert_eq!(fit(&one[..1], 1), 1.0);
    }
}
