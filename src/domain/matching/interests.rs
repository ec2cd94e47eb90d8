//! How well an asset's interest tags fit what the person said they love.
//!
//! Each phrase the person gave is read into the vocabulary concepts it names (`lexicon`): by
//! id, slug or label (exact), a synonym, a name inside a longer phrase (contained), a spelling
//! slip, or by meaning (semantic); failing all, it is only looked for in assets' text. An asset
//! then matches a concept by carrying the term itself, a narrower term (said "football", tagged
//! "5-a-side"), and, once the phrase has been widened because nothing closer was in reach, a
//! related term (siblings, OpenActive's related links, neighbours by meaning) or the broader
//! term; or by its words, or by the meaning of its text.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// How a phrase (or one concept in it) was resolved to the vocabulary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The phrase is a term's id, slug or label.
    Exact,
    /// The phrase is one of a term's synonyms.
    Synonym,
    /// The term is named inside a longer phrase ("tai chi for beginners", "kickboxing or self
    /// defence").
    Contained,
    /// A word in the phrase is one slip of spelling from the term's name ("pilaties").
    Spelling,
    /// No term is named; the term closest in meaning was taken (a suggestion, held lightly).
    Semantic,
    /// No term fits; the phrase is only looked for in assets' text.
    #[default]
    TextOnly,
}

impl Resolution {
    /// How sure we are that the term is what the person meant, by default.
    pub fn confidence(self) -> f64 {
        match self {
            Resolution::Exact => 1.0,
            Resolution::Synonym | Resolution::Contained => 0.9,
            Resolution::Spelling => 0.75,
            Resolution::Semantic => 0.5,
            Resolution::TextOnly => 0.0,
        }
    }
}

/// One concept a phrase names.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub term: Term,
    pub resolution: Resolution,
    /// 0..1, scaling every match on this concept.
    pub confidence: f64,
    /// Every term below `term`.
    pub narrower: Vec<Uuid>,
    /// The term directly above, unless that is a whole domain.
    pub broader: Option<Term>,
    /// Related terms with their strength (0..1), strongest first.
    pub related: Vec<(Uuid, f64)>,
    /// The domain the term belongs to, when that is neither the term nor `broader`: the last
    /// step of widening.
    pub domain: Option<Term>,
}

/// How far a phrase was widened because nothing closer passed the person's constraints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Widening {
    /// The terms named and their narrower terms only.
    #[default]
    None,
    /// Also related and broader terms.
    Related,
    /// Also assets whose text is close in meaning.
    Semantic,
}

/// A vocabulary term as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
}

/// One of the person's phrases, resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolvedInterest {
    pub input: String,
    /// Every concept the phrase names, in the order it names them; empty when none fits.
    pub concepts: Vec<Concept>,
    pub widening: Widening,
    /// The phrase's meaning, to relate it to assets' texts.
    pub vector: Option<std::sync::Arc<Vec<f32>>>,
}

impl ResolvedInterest {
    /// The first concept the phrase names: what the response reports as its term.
    pub fn first(&self) -> Option<&Concept> {
        self.concepts.first()
    }

    /// How the first concept was resolved; `text_only` when none was.
    pub fn resolution(&self) -> Resolution {
        self.first().map_or(Resolution::TextOnly, |c| c.resolution)
    }

    /// Every term an asset may carry to match this interest, as widened so far.
    pub fn term_ids(&self) -> Vec<Uuid> {
        let mut ids = Vec::new();
        for c in &self.concepts {
            ids.push(c.term.id);
            ids.extend(&c.narrower);
            if self.widening >= Widening::Related {
                ids.extend(c.related.iter().map(|(id, _)| *id));
                ids.extend(c.broader.iter().map(|t| t.id));
                ids.extend(c.domain.iter().map(|t| t.id));
            }
        }
        ids
    }

    /// Whether the phrase names any concept.
    pub fn understood(&self) -> bool {
        !self.concepts.is_empty()
    }
}

/// How an asset relates to one interest, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Tagged,
    Narrower,
    /// A related term (a sibling, a listed relation, a neighbour by meaning); only once the
    /// phrase was widened.
    Related,
    /// The broader term; only once the phrase was widened.
    Broader,
    Text,
    /// The asset's text is close in meaning to the phrase; only once widened that far.
    Semantic,
}

impl Relation {
    fn weight(self) -> f64 {
        match self {
            Relation::Tagged => 1.0,
            Relation::Narrower => 0.8,
            Relation::Related => 0.7,
            Relation::Broader => 0.5,
            Relation::Text => 0.4,
            Relation::Semantic => 0.35,
        }
    }
}

/// A text at least this close in meaning to a phrase matches it, once widened that far.
pub const SEMANTIC_TEXT_MIN: f32 = 0.5;

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

/// How one concept matches the asset's tags: relation, the tag, and the strength before the
/// concept's confidence.
fn by_tag(
    concept: &Concept,
    widened: bool,
    tagged: impl Fn(&Uuid) -> bool,
) -> Option<(Relation, Uuid, f64)> {
    if tagged(&concept.term.id) {
        return Some((Relation::Tagged, concept.term.id, Relation::Tagged.weight()));
    }
    if let Some(id) = concept.narrower.iter().find(|id| tagged(id)) {
        return Some((Relation::Narrower, *id, Relation::Narrower.weight()));
    }
    if !widened {
        return None;
    }
    if let Some((id, s)) = concept.related.iter().find(|(id, _)| tagged(id)) {
        // A link's own strength (0.55 to 0.7) sits between narrower and broader.
        return Some((
            Relation::Related,
            *id,
            s.clamp(0.0, Relation::Narrower.weight() - 0.01),
        ));
    }
    if let Some(t) = concept.broader.as_ref().filter(|t| tagged(&t.id)) {
        return Some((Relation::Broader, t.id, Relation::Broader.weight()));
    }
    // The whole domain says least of all ("arts and crafts" for woodwork).
    concept
        .domain
        .as_ref()
        .filter(|t| tagged(&t.id))
        .map(|t| (Relation::Broader, t.id, DOMAIN_WEIGHT))
}

/// Strength of a match on the domain a widened concept belongs to.
const DOMAIN_WEIGHT: f64 = 0.4;

/// The best way the asset matches one interest, if any. `semantic` is the similarity in
/// meaning of the asset's text to the phrase, when it was worked out.
pub fn match_one(
    index: usize,
    interest: &ResolvedInterest,
    asset_terms: &[Uuid],
    text_hit: bool,
    semantic: Option<f32>,
) -> Option<InterestMatch> {
    let tagged = |id: &Uuid| asset_terms.contains(id);
    let widened = interest.widening >= Widening::Related;
    let mut best: Option<InterestMatch> = None;
    let mut consider = |m: InterestMatch| {
        if best.is_none_or(|b| m.strength > b.strength) {
            best = Some(m);
        }
    };
    for concept in &interest.concepts {
        if let Some((relation, id, weight)) = by_tag(concept, widened, tagged) {
            consider(InterestMatch {
                interest: index,
                relation,
                term_id: Some(id),
                strength: weight * concept.confidence,
            });
        }
    }
    if text_hit {
        consider(InterestMatch {
            interest: index,
            relation: Relation::Text,
            term_id: None,
            strength: Relation::Text.weight(),
        });
    }
    if interest.widening >= Widening::Semantic
        && let Some(cos) = semantic.filter(|c| *c >= SEMANTIC_TEXT_MIN)
    {
        consider(InterestMatch {
            interest: index,
            relation: Relation::Semantic,
            term_id: None,
            strength: Relation::Semantic.weight() * f64::from(cos).min(1.0),
        });
    }
    best
}

/// Every interest the asset matches, best first (ties by the order the person gave them).
pub fn match_all(
    interests: &[ResolvedInterest],
    asset_terms: &[Uuid],
    text_hits: &[bool],
    semantic: &[Option<f32>],
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
                semantic.get(i).copied().flatten(),
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
pub(crate) mod tests {
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

    /// A phrase that names one term, with the confidence its resolution gives by default.
    pub(crate) fn single(
        input: &str,
        resolution: Resolution,
        term: Term,
        narrower: Vec<Uuid>,
        broader: Option<Term>,
    ) -> ResolvedInterest {
        ResolvedInterest {
            input: input.into(),
            concepts: vec![Concept {
                term,
                resolution,
                confidence: resolution.confidence(),
                narrower,
                broader,
                related: vec![],
                domain: None,
            }],
            ..Default::default()
        }
    }

    fn football(resolution: Resolution) -> ResolvedInterest {
        single(
            "football",
            resolution,
            term(1, "Football"),
            vec![id(2), id(3)],
            Some(term(9, "Team sports")),
        )
    }

    #[test]
    fn exact_beats_synonym_beats_narrower_beats_related_beats_broader_beats_text() {
        let widened = |r| ResolvedInterest {
            widening: Widening::Related,
            concepts: vec![Concept {
                related: vec![(id(5), 0.7)],
                ..football(r).concepts.remove(0)
            }],
            ..football(r)
        };
        let strength = |r, tags: &[Uuid], text| {
            match_one(0, &widened(r), tags, text, None)
                .unwrap()
                .strength
        };
        let exact = strength(Resolution::Exact, &[id(1)], false);
        let synonym = strength(Resolution::Synonym, &[id(1)], false);
        let narrower = strength(Resolution::Exact, &[id(3)], false);
        let related = strength(Resolution::Exact, &[id(5)], false);
        let broader = strength(Resolution::Exact, &[id(9)], false);
        let text = strength(Resolution::Exact, &[], true);
        assert!(exact > synonym && synonym > narrower && narrower > related);
        assert!(related > broader && broader > text);
        assert_eq!(exact, 1.0);
    }

    #[test]
    fn related_and_broader_terms_count_only_once_widened() {
        let plain = football(Resolution::Exact);
        assert_eq!(match_one(0, &plain, &[id(9)], false, None), None);
        let widened = ResolvedInterest {
            widening: Widening::Related,
            ..plain.clone()
        };
        assert_eq!(
            match_one(0, &widened, &[id(9)], false, None)
                .unwrap()
                .relation,
            Relation::Broader
        );
        assert!(!plain.term_ids().contains(&id(9)));
        assert!(widened.term_ids().contains(&id(9)));
    }

    #[test]
    fn the_best_concept_of_a_phrase_counts() {
        let either = ResolvedInterest {
            input: "kickboxing or self defence".into(),
            concepts: vec![
                Concept {
                    term: term(30, "Kickboxing"),
                    resolution: Resolution::Contained,
                    confidence: 0.9,
                    narrower: vec![],
                    broader: None,
                    related: vec![],
                    domain: None,
                },
                Concept {
                    term: term(31, "Self Defence"),
                    resolution: Resolution::Contained,
                    confidence: 0.9,
                    narrower: vec![],
                    broader: None,
                    related: vec![],
                    domain: None,
                },
            ],
            ..Default::default()
        };
        let m = match_one(0, &either, &[id(31)], false, None).unwrap();
        assert_eq!(m.term_id, Some(id(31)));
        assert!((m.strength - 0.9).abs() < 1e-12);
    }

    #[test]
    fn unrelated_assets_do_not_match() {
        assert_eq!(
            match_one(0, &football(Resolution::Exact), &[id(7)], false, None),
            None
        );
        let text_only = ResolvedInterest {
            input: "ukulele".into(),
            ..Default::default()
        };
        assert_eq!(match_one(0, &text_only, &[id(1)], false, None), None);
        assert_eq!(
            match_one(0, &text_only, &[], true, None).unwrap().relation,
            Relation::Text
        );
    }

    #[test]
    fn the_tag_that_matched_is_reported() {
        let m = match_one(0, &football(Resolution::Exact), &[id(7), id(3)], true, None).unwrap();
        assert_eq!((m.relation, m.term_id), (Relation::Narrower, Some(id(3))));
    }

    #[test]
    fn several_interests_matched_beat_one() {
        let interests = vec![
            football(Resolution::Exact),
            single(
                "guitar",
                Resolution::Exact,
                term(20, "Guitar"),
                vec![],
                None,
            ),
        ];
        let one = match_all(&interests, &[id(1)], &[false, false], &[]);
        let both = match_all(&interests, &[id(1), id(20)], &[false, false], &[]);
        assert!(fit(&both, 2) > fit(&one, 2));
        assert!((fit(&both, 2) - 1.0).abs() < 1e-12);
        assert_eq!(fit(&[], 2), 0.0);
        // With one interest, a perfect match is a perfect fit.
        assert_eq!(fit(&one[..1], 1), 1.0);
    }
}
