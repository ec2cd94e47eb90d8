//! Reading an interest phrase the way a person means it: every vocabulary concept it names
//! ("kickboxing or self defence" names two), through plurals, spelling slips and filler words
//! ("something arty", "tai chi for beginners"), with a meaning-based fallback for phrasing the
//! vocabulary has no word for ("get my confidence back"). A look-alike that shares letters but
//! not meaning never wins: a phrase that names nothing and means nothing close enough is "not
//! understood" and only looked for in assets' words.
//!
//! The `Lexicon` is built once from the vocabulary (terms, tree, synonyms, related links) and
//! the static embedding model; `understand` (what a phrase names) and `resolve` (those
//! concepts with their narrower, broader, related and domain terms, as matching weighs them)
//! are plain functions of it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use uuid::Uuid;

use super::interests::{Concept, Resolution, ResolvedInterest, Term, Widening};
use crate::domain::phrase::normalise;
use crate::domain::semantic::{StaticModel, cosine};

/// A vocabulary term as the lexicon needs it.
#[derive(Debug, Clone)]
pub struct LexTerm {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
    pub parent: Option<Uuid>,
    pub synonyms: Vec<String>,
}

/// How a name belongs to its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NameKind {
    Slug,
    Label,
    Synonym,
}

/// A concept found in a phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub term: usize,
    pub resolution: Resolution,
    /// 0..1: how sure we are that the person meant this term.
    pub confidence: f64,
}

/// What a phrase was understood to mean.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understanding {
    /// Concepts in the order the phrase names them.
    pub found: Vec<Found>,
    /// The phrase's meaning as a vector, when the model knows any of its words (for relating it
    /// to assets' texts when nothing is tagged).
    pub vector: Option<Vec<f32>>,
}

/// A term of another term's neighbourhood, with how strongly it relates (0..1).
pub type Link = (usize, f64);

/// Strength of a sibling under a specific shared parent ("judo" for "karate").
pub const SIBLING: f64 = 0.6;
/// Strength of an OpenActive `related` link, or a second broader concept.
pub const LISTED_RELATED: f64 = 0.7;
/// Strength of a nearest neighbour by meaning within the same domain.
pub const NEIGHBOUR: f64 = 0.55;
/// Two terms' name vectors at least this similar are neighbours by meaning.
const NEIGHBOUR_MIN_COSINE: f32 = 0.80;
const NEIGHBOURS_PER_TERM: usize = 3;
/// Parents with more children than this are too broad for their children to count as related
/// ("sport" has every sport under it).
const MAX_SIBLINGS: usize = 25;

/// A phrase's meaning must be at least this close to a term's to take it, and clearly closer
/// than to the runner-up's domain.
pub const SEMANTIC_MIN_COSINE: f32 = 0.60;

/// A term named by one word of a longer phrase gives way to the term the whole phrase means
/// when that is at least this much closer in meaning ("making cards for birthdays" is card
/// making, not card games).
const ARBITRATION_MARGIN: f32 = 0.12;

/// Words that carry no interest of their own: said around an interest ("something", "for
/// beginners", "like I used to"), about times, or about the person.
const FILLER: &[&str] = &[
    "a",
    "about",
    "again",
    "all",
    "also",
    "an",
    "and",
    "any",
    "anything",
    "are",
    "around",
    "at",
    "back",
    "be",
    "been",
    "beginner",
    "bit",
    "but",
    "by",
    "can",
    "could",
    "day",
    "doing",
    "done",
    "enjoy",
    "enjoyed",
    "etc",
    "even",
    "ever",
    "every",
    "fan",
    "few",
    "for",
    "from",
    "fun",
    "gentle",
    "get",
    "getting",
    "go",
    "going",
    "good",
    "had",
    "has",
    "have",
    "he",
    "her",
    "him",
    "his",
    "i",
    "id",
    "if",
    "im",
    "in",
    "interest",
    "interested",
    "into",
    "is",
    "it",
    "its",
    "just",
    "keen",
    "kind",
    "like",
    "liked",
    "lot",
    "love",
    "loved",
    "maybe",
    "me",
    "might",
    "more",
    "morning",
    "afternoon",
    "evening",
    "weekend",
    "week",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "much",
    "my",
    "new",
    "nice",
    "of",
    "off",
    "old",
    "on",
    "once",
    "or",
    "other",
    "our",
    "out",
    "perhaps",
    "people",
    "place",
    "please",
    "pretty",
    "quite",
    "really",
    "she",
    "so",
    "some",
    "someone",
    "something",
    "sort",
    "start",
    "started",
    "starting",
    "still",
    "stuff",
    "such",
    "take",
    "taking",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "they",
    "thing",
    "things",
    "this",
    "to",
    "too",
    "try",
    "trying",
    "up",
    "us",
    "use",
    "used",
    "very",
    "want",
    "wanted",
    "wants",
    "was",
    "way",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whilst",
    "will",
    "wish",
    "with",
    "would",
    "year",
    "you",
    "young",
    "your",
    "local",
    "nearby",
    "near",
    "home",
    "area",
    "town",
    "able",
    "help",
    "helps",
    "group",
    "class",
    "club",
    "session",
    "course",
    "meet",
    "meeting",
    "likes",
    "loves",
    "enjoys",
    "fancy",
    "fancies",
    "tried",
    "own",
    "friendly",
    "regular",
    "regularly",
    "weekly",
    "free",
    "cheap",
    "low",
    "cost",
    "level",
    "beginners",
    "basic",
    "basics",
    "play",
    "playing",
    "learn",
    "learning",
    "do",
    "join",
    "joining",
    "attend",
    "attending",
    "went",
    "goes",
    "did",
    "does",
];

/// Words that turn what follows into something the person does not want.
const NEGATIONS: &[&str] = &[
    "not", "isn", "isnt", "no", "without", "doesn", "doesnt", "don", "dont", "never", "nothing",
    "except", "avoid", "hate", "hates", "won", "wont", "cannot", "cant",
];

/// Words that negate only with the word after them ("rather than", "instead of"); alone they
/// prefer ("I'd rather do yoga").
const NEGATING_PAIRS: &[(&str, &str)] = &[("rather", "than"), ("instead", "of")];

/// Names of at most this many words are tried for a slip of spelling across words.
const MAX_SLIP_WORDS: usize = 3;

/// How many words after a negation it covers, unless a conjunction ends it sooner.
const NEGATION_REACH: usize = 3;

/// Singular form of an English word, good enough to make "classes", "walks" and "babies" meet
/// "class", "walk" and "baby". Both the vocabulary's names and phrases go through it, so a rare
/// wrong form still compares equal.
pub fn singular(word: &str) -> String {
    let n = word.len();
    if n <= 3 || !word.is_ascii() {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for end in ["sses", "shes", "ches", "xes"] {
        if word.ends_with(end) {
            return word[..n - 2].to_string();
        }
    }
    if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..n - 1].to_string();
    }
    word.to_string()
}

/// A phrase's words, normalised and singular; apostrophes join ("isn't" is one word) and "&"
/// is "and".
fn words(text: &str) -> Vec<String> {
    normalise(&text.replace(['\'', '’'], "").replace('&', " and "))
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(singular)
        .collect()
}

/// A crude stem, for a second try when a name of several words is not found as written:
/// "belly dancing" and "belly dance" meet at "belly danc". Not used for the first try, nor for
/// single words, because it also joins names that differ ("bowling" and "bowls").
fn stem(word: &str) -> String {
    // Byte arithmetic below: only for ASCII words (others are left as they are).
    if !word.is_ascii() {
        return word.to_string();
    }
    let mut w = word.to_string();
    if w.len() >= 6
        && let Some(base) = w.strip_suffix("ing")
    {
        let b = base.as_bytes();
        let doubled = b.len() >= 2 && b[b.len() - 1] == b[b.len() - 2] && !base.ends_with("ll");
        w = if doubled {
            base[..base.len() - 1].to_string()
        } else {
            base.to_string()
        };
    }
    if w.len() >= 4
        && let Some(base) = w.strip_suffix('e')
    {
        w = base.to_string();
    }
    w
}

/// The phrase cut into clauses at punctuation that ends a thought (", ; . ? ! ( )"), so that
/// "not sure, maybe gardening" negates nothing that matters.
fn clauses(text: &str) -> Vec<Vec<String>> {
    text.split([',', ';', '.', '?', '!', '(', ')', '/'])
        .map(words)
        .filter(|w| !w.is_empty())
        .collect()
}

/// How often each letter a–z and the space occur.
fn letter_counts(text: &str) -> [u8; 27] {
    let mut out = [0u8; 27];
    for b in text.bytes() {
        match b {
            b'a'..=b'z' => out[(b - b'a') as usize] = out[(b - b'a') as usize].saturating_add(1),
            _ => out[26] = out[26].saturating_add(1),
        }
    }
    out
}

fn letter_distance(a: &[u8; 27], b: &[u8; 27]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.abs_diff(*y)))
        .sum()
}

/// Damerau–Levenshtein distance (optimal string alignment), for short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

pub struct Lexicon {
    pub terms: Vec<LexTerm>,
    by_id: HashMap<Uuid, usize>,
    /// Each term's parent, by index.
    parent: Vec<Option<usize>>,
    /// Normalised, singular names → (term, kind).
    names: HashMap<String, Vec<(usize, NameKind)>>,
    /// The same names by their words' stems, for a second try.
    stems: HashMap<String, Vec<(usize, NameKind)>>,
    /// Names of two or three words by their length in bytes, with their letter counts, for a
    /// slip of spelling across them ("thai chi").
    long_names: HashMap<usize, Vec<(String, [u8; 27], usize)>>,
    /// Longest name in words.
    max_words: usize,
    /// One-word names of 5 letters or more, for spelling slips.
    long_words: Vec<(String, usize)>,
    children: HashMap<usize, Vec<usize>>,
    /// Depth in the tree: domains are 0.
    depth: Vec<usize>,
    related: Vec<Vec<Link>>,
    vectors: Vec<Option<Vec<f32>>>,
    filler: HashSet<&'static str>,
}

impl Lexicon {
    /// Builds the lexicon. `listed` are extra links by slug (`related`, `also_broader`) from
    /// `seed-data/vocabulary/related.json`; `model` relates phrases by meaning.
    pub fn new(terms: Vec<LexTerm>, listed: &[(String, String)], model: &StaticModel) -> Self {
        let by_id: HashMap<Uuid, usize> =
            terms.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        let mut names: HashMap<String, Vec<(usize, NameKind)>> = HashMap::new();
        let mut stems: HashMap<String, Vec<(usize, NameKind)>> = HashMap::new();
        let mut max_words = 1;
        let mut long_words = Vec::new();
        let mut long_names: HashMap<usize, Vec<(String, [u8; 27], usize)>> = HashMap::new();
        for (i, t) in terms.iter().enumerate() {
            let slug = t.slug.replace('-', " ");
            let all = std::iter::once((slug.as_str(), NameKind::Slug))
                .chain(std::iter::once((t.label.as_str(), NameKind::Label)))
                .chain(t.synonyms.iter().map(|s| (s.as_str(), NameKind::Synonym)));
            for (name, kind) in all {
                let w = words(name);
                if w.is_empty() {
                    continue;
                }
                max_words = max_words.max(w.len());
                if w.len() == 1 && w[0].chars().count() >= 5 {
                    long_words.push((w[0].clone(), i));
                }
                let joined = w.join(" ");
                if (2..=MAX_SLIP_WORDS).contains(&w.len()) && joined.len() >= 7 {
                    let letters = letter_counts(&joined);
                    long_names
                        .entry(joined.len())
                        .or_default()
                        .push((joined, letters, i));
                }
                let stemmed: Vec<String> = w.iter().map(|x| stem(x)).collect();
                for (map, key) in [(&mut names, w.join(" ")), (&mut stems, stemmed.join(" "))] {
                    let entry = map.entry(key).or_default();
                    if !entry.iter().any(|(j, _)| *j == i) {
                        entry.push((i, kind));
                    }
                }
            }
        }
        let parent: Vec<Option<usize>> = terms
            .iter()
            .map(|t| t.parent.and_then(|p| by_id.get(&p).copied()))
            .collect();
        let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                children.entry(*p).or_default().push(i);
            }
        }
        let depth: Vec<usize> = (0..terms.len())
            .map(|mut i| {
                let mut d = 0;
                while let Some(p) = parent[i] {
                    d += 1;
                    i = p;
                    if d > 32 {
                        break;
                    }
                }
                d
            })
            .collect();
        let vectors: Vec<Option<Vec<f32>>> = terms.iter().map(|t| term_vector(model, t)).collect();
        let mut lexicon = Lexicon {
            terms,
            by_id,
            parent,
            names,
            stems,
            long_names,
            max_words,
            long_words,
            children,
            depth,
            related: Vec::new(),
            vectors,
            filler: FILLER.iter().copied().collect(),
        };
        lexicon.related = lexicon.build_related(listed);
        lexicon
    }

    pub fn index(&self, id: Uuid) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    pub fn domain_root(&self, i: usize) -> usize {
        let mut i = i;
        while let Some(p) = self.parent[i] {
            i = p;
        }
        i
    }

    /// Every term below `i`.
    pub fn narrower(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            for c in self.children.get(&n).into_iter().flatten() {
                out.push(*c);
                stack.push(*c);
            }
        }
        out
    }

    /// The term directly above, unless that is a whole domain.
    pub fn broader(&self, i: usize) -> Option<usize> {
        let p = self.parent[i]?;
        (self.depth[p] > 0).then_some(p)
    }

    /// Terms related to `i`, strongest first.
    pub fn related(&self, i: usize) -> &[Link] {
        &self.related[i]
    }

    fn build_related(&self, listed: &[(String, String)]) -> Vec<Vec<Link>> {
        let n = self.terms.len();
        let mut links: Vec<HashMap<usize, f64>> = vec![HashMap::new(); n];
        let mut add = |a: usize, b: usize, s: f64| {
            if a != b {
                let e = links[a].entry(b).or_insert(0.0);
                *e = e.max(s);
            }
        };
        // Siblings under a specific parent: not a domain, and not a catch-all like "sport".
        for (parent, kids) in &self.children {
            if self.depth[*parent] == 0 || kids.len() > MAX_SIBLINGS {
                continue;
            }
            let under_being_active_top = self.depth[*parent] == 1
                && self.terms[self.domain_root(*parent)].slug == "being-active";
            if under_being_active_top {
                continue;
            }
            for a in kids {
                for b in kids {
                    add(*a, *b, SIBLING);
                }
            }
        }
        let slug_index: HashMap<&str, usize> = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.slug.as_str(), i))
            .collect();
        for (a, b) in listed {
            if let (Some(a), Some(b)) = (slug_index.get(a.as_str()), slug_index.get(b.as_str())) {
                add(*a, *b, LISTED_RELATED);
                add(*b, *a, LISTED_RELATED);
            }
        }
        // Nearest neighbours by meaning, within a domain (a vector is no judge across them).
        let roots: Vec<usize> = (0..n).map(|i| self.domain_root(i)).collect();
        for a in 0..n {
            let Some(va) = &self.vectors[a] else { continue };
            let mut near: Vec<(usize, f32)> = (0..n)
                .filter(|b| *b != a && roots[*b] == roots[a] && self.depth[*b] > 0)
                .filter_map(|b| self.vectors[b].as_ref().map(|vb| (b, cosine(va, vb))))
                .filter(|(_, c)| *c >= NEIGHBOUR_MIN_COSINE)
                .collect();
            near.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            for (b, _) in near.into_iter().take(NEIGHBOURS_PER_TERM) {
                add(a, b, NEIGHBOUR);
                add(b, a, NEIGHBOUR);
            }
        }
        links
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let tree: HashSet<usize> =
                    self.narrower(i).into_iter().chain(self.parent[i]).collect();
                let mut v: Vec<Link> = m.into_iter().filter(|(b, _)| !tree.contains(b)).collect();
                v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
                v
            })
            .collect()
    }

    fn lookup(&self, key: &str) -> Option<(usize, NameKind)> {
        self.lookup_in(&self.names, key).or_else(|| {
            let stemmed: Vec<String> = key.split(' ').map(stem).collect();
            let stemmed = stemmed.join(" ");
            // One word's stem joins too much ("booking" and "book", "school" and the
            // equestrian "schooling"); in a name of several words the others keep it honest.
            stemmed
                .contains(' ')
                .then(|| self.lookup_in(&self.stems, &stemmed))
                .flatten()
        })
    }

    fn lookup_in(
        &self,
        map: &HashMap<String, Vec<(usize, NameKind)>>,
        key: &str,
    ) -> Option<(usize, NameKind)> {
        let found = map.get(key)?;
        // The strongest way of naming wins (slug, then label, then synonym); then the most
        // specific term (deepest), so "walking football" is not its parent.
        found
            .iter()
            .min_by(|a, b| {
                a.1.cmp(&b.1)
                    .then(self.depth[b.0].cmp(&self.depth[a.0]))
                    .then(self.terms[a.0].slug.cmp(&self.terms[b.0].slug))
            })
            .copied()
    }

    fn is_filler(&self, word: &str) -> bool {
        self.filler.contains(word) || word.chars().all(|c| c.is_ascii_digit())
    }

    /// A one-word name within a spelling slip of `word`: one edit for words of 5 to 7 letters,
    /// two from 8; same first letter; only when a single term is that close.
    fn spelling(&self, word: &str, model: &StaticModel) -> Option<usize> {
        let len = word.chars().count();
        // A real word ("improve", "looking") is what the person meant, not a slip.
        if len < 5 || model.knows_word(word) {
            return None;
        }
        let limit = if len >= 8 { 2 } else { 1 };
        let first = word.chars().next();
        let mut best: Option<(usize, usize)> = None;
        let mut tie = false;
        for (name, term) in &self.long_words {
            if name.chars().next() != first || name.len().abs_diff(word.len()) > limit {
                continue;
            }
            let d = edit_distance(word, name);
            if d == 0 || d > limit {
                continue;
            }
            match best {
                Some((bd, bt)) if d == bd && bt != *term => tie = true,
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, *term));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, t)| t)
    }

    /// A name of several words one slip away from `text` ("thai chi" for "tai chi").
    fn spelling_across(&self, text: &str) -> Option<usize> {
        let len = text.len();
        let letters = letter_counts(text);
        let mut hits = (len.saturating_sub(1)..=len + 1)
            .filter_map(|l| self.long_names.get(&l))
            .flatten()
            // One edit changes at most two letter counts by one each: a cheap first sieve.
            .filter(|(_, counts, _)| letter_distance(&letters, counts) <= 2)
            .filter(|(name, _, _)| edit_distance(name, text) == 1)
            .map(|(_, _, t)| *t);
        let first = hits.next()?;
        hits.all(|t| t == first).then_some(first)
    }

    /// Terms closest in meaning to a vector, best first, at least `min` similar.
    pub fn nearest(&self, v: &[f32], min: f32, k: usize) -> Vec<(usize, f32)> {
        let mut all: Vec<(usize, f32)> = self
            .vectors
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.as_ref().map(|t| (i, cosine(v, t))))
            .filter(|(_, c)| *c >= min)
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }
}

/// A term's meaning: its label counted twice, with its synonyms.
fn term_vector(model: &StaticModel, t: &LexTerm) -> Option<Vec<f32>> {
    let mut sum: Option<Vec<f32>> = None;
    let label = model.embed(&t.label);
    let synonyms = t.synonyms.iter().filter_map(|s| model.embed(s));
    for (v, weight) in label
        .iter()
        .map(|v| (v.clone(), 2.0))
        .chain(synonyms.map(|v| (v, 1.0)))
    {
        let s = sum.get_or_insert_with(|| vec![0.0; v.len()]);
        for (a, b) in s.iter_mut().zip(&v) {
            *a += b * weight;
        }
    }
    let mut v = sum?;
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        return None;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    Some(v)
}

/// The words of the part of a clause around word `at`, between "and"/"or".
fn segment(w: &[String], at: usize) -> impl Iterator<Item = (usize, &String)> {
    let joins = |x: &String| x == "and" || x == "or";
    let start = w[..at].iter().rposition(joins).map_or(0, |p| p + 1);
    let end = w[at..].iter().position(joins).map_or(w.len(), |p| at + p);
    w[start..end]
        .iter()
        .enumerate()
        .map(move |(k, x)| (start + k, x))
}

/// Which words of a clause a negation covers: up to `NEGATION_REACH` words after "not",
/// "isn't", "without"…, until "and"/"or" ("a choir that doesn't need auditions": auditions are
/// not wanted). "Not sure" is doubt, not a negation.
fn negated(w: &[String]) -> Vec<bool> {
    let mut out = vec![false; w.len()];
    let mut i = 0;
    while i < w.len() {
        let next = w.get(i + 1).map(String::as_str);
        let doubt = next == Some("sure");
        let paired = NEGATING_PAIRS
            .iter()
            .any(|(a, b)| w[i] == *a && next == Some(*b));
        if (NEGATIONS.contains(&w[i].as_str()) && !doubt) || paired {
            out[i] = true;
            let mut j = i + 1;
            while j < w.len() && j <= i + NEGATION_REACH && w[j] != "and" && w[j] != "or" {
                out[j] = true;
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Lets the meaning of the whole phrase overrule a term one of its words named: when a term
/// the phrase means is clearly closer, or when the word named a whole domain and the phrase
/// means a term inside it ("Jamaican cooking" is world food, not just cooking).
fn arbitrate(
    lex: &Lexicon,
    model: &StaticModel,
    single_word: &[(usize, Vec<String>)],
    found: &mut Vec<Found>,
) {
    for f in found.iter_mut() {
        let Some((_, part)) = single_word.iter().find(|(t, _)| *t == f.term) else {
            continue;
        };
        if part.len() < 2 {
            continue;
        }
        let Some(v) = model.embed(&part.join(" ")) else {
            continue;
        };
        let Some(&(best, best_cos)) = lex.nearest(&v, SEMANTIC_MIN_COSINE, 1).first() else {
            continue;
        };
        if f.term == best {
            continue;
        }
        let v = v.as_slice();
        let own = lex.vectors[f.term].as_ref().map_or(0.0, |t| cosine(v, t));
        let clearer = best_cos - own >= ARBITRATION_MARGIN;
        let inside_domain = lex.depth[f.term] == 0 && lex.domain_root(best) == f.term;
        if clearer || (inside_domain && best_cos >= own) {
            f.term = best;
            f.resolution = Resolution::Semantic;
            f.confidence = f64::from(best_cos).clamp(0.3, 0.7);
        }
    }
    let mut seen = HashSet::new();
    found.retain(|f| seen.insert(f.term));
}

/// Reads one phrase.
pub fn understand(lex: &Lexicon, model: &StaticModel, phrase: &str) -> Understanding {
    let trimmed = phrase.trim();
    // A term's id names it exactly.
    if let Ok(id) = Uuid::parse_str(trimmed)
        && let Some(i) = lex.index(id)
    {
        return Understanding {
            found: vec![Found {
                term: i,
                resolution: Resolution::Exact,
                confidence: 1.0,
            }],
            vector: lex.vectors[i].clone(),
        };
    }
    // The whole phrase as a name.
    if let Some((i, kind)) = lex.lookup(&words(trimmed).join(" ")) {
        let (resolution, confidence) = match kind {
            NameKind::Synonym => (Resolution::Synonym, 0.9),
            _ => (Resolution::Exact, 1.0),
        };
        return Understanding {
            found: vec![Found {
                term: i,
                resolution,
                confidence,
            }],
            vector: model.embed(trimmed),
        };
    }

    let mut found: Vec<Found> = Vec::new();
    let mut content: Vec<String> = Vec::new();
    // Terms named by a single word, with the words of their part of the phrase (between
    // "and"/"or"), whose meaning may overrule them.
    let mut single_word: Vec<(usize, Vec<String>)> = Vec::new();
    let add = |found: &mut Vec<Found>, term: usize, resolution, confidence| {
        if !found.iter().any(|f| f.term == term) {
            found.push(Found {
                term,
                resolution,
                confidence,
            });
        }
    };
    // The clause each concept was named in.
    let mut clause_of: HashMap<usize, usize> = HashMap::new();
    let mut any_negated = false;
    for (clause, w) in clauses(trimmed).into_iter().enumerate() {
        let negated = negated(&w);
        any_negated |= negated.iter().any(|n| *n);
        let mut covered = vec![false; w.len()];
        // Longest names first, left to right.
        let mut i = 0;
        while i < w.len() {
            if negated[i] {
                i += 1;
                continue;
            }
            let mut taken = 0;
            for len in (1..=lex.max_words.min(w.len() - i)).rev() {
                if negated[i..i + len].iter().any(|n| *n) {
                    continue;
                }
                let key = w[i..i + len].join(" ");
                // Filler words alone ("help", "group", "get out") are not an interest, even
                // when a term has them for a name; as part of a longer name they count.
                if w[i..i + len].iter().all(|x| lex.is_filler(x)) {
                    continue;
                }
                let hit = lex
                    .lookup(&key)
                    .map(|(t, _)| (t, Resolution::Contained, 0.9))
                    .or_else(|| {
                        // Names hold no filler words at their ends, and this keeps the slip
                        // search to the few word runs that could be a name.
                        let ends = [&w[i], &w[i + len - 1]];
                        ((2..=MAX_SLIP_WORDS).contains(&len)
                            && !ends.iter().any(|x| lex.is_filler(x)))
                        .then(|| lex.spelling_across(&key))
                        .flatten()
                        .map(|t| (t, Resolution::Spelling, 0.75))
                    });
                if let Some((term, resolution, confidence)) = hit {
                    if len == 1 {
                        let part = segment(&w, i)
                            .filter(|(k, x)| !negated[*k] && !lex.is_filler(x))
                            .map(|(_, x)| x.clone())
                            .collect();
                        single_word.push((term, part));
                    }
                    add(&mut found, term, resolution, confidence);
                    clause_of.entry(term).or_insert(clause);
                    taken = len;
                    break;
                }
            }
            if taken > 0 {
                covered[i..i + taken].iter_mut().for_each(|c| *c = true);
                i += taken;
            } else {
                i += 1;
            }
        }
        // Spelling slips among the words left over.
        for (k, word) in w.iter().enumerate() {
            if covered[k] || negated[k] || lex.is_filler(word) {
                continue;
            }
            if let Some(term) = lex.spelling(word, model) {
                add(&mut found, term, Resolution::Spelling, 0.75);
                clause_of.entry(term).or_insert(clause);
                covered[k] = true;
            }
        }
        content.extend(
            w.iter()
                .enumerate()
                .filter(|(k, word)| !negated[*k] && !lex.is_filler(word))
                .map(|(_, word)| word.clone()),
        );
    }

    // A concept whose narrower term the same clause also names adds nothing ("Strictly-style
    // dancing" is ballroom, not dance in general); said apart, both count ("singing, he was in
    // a male voice choir").
    let named: Vec<usize> = found.iter().map(|f| f.term).collect();
    found.retain(|f| {
        let below = lex.narrower(f.term);
        !named
            .iter()
            .any(|n| below.contains(n) && clause_of.get(n) == clause_of.get(&f.term))
    });

    // The meaning of what the person wants: never of the words they said they do not want.
    let vector = model
        .embed(&content.join(" "))
        .or_else(|| (!any_negated).then(|| model.embed(trimmed)).flatten());
    arbitrate(lex, model, &single_word, &mut found);
    if found.is_empty()
        && let Some(v) = &vector
    {
        for (term, cos) in lex.nearest(v, SEMANTIC_MIN_COSINE, 1) {
            found.push(Found {
                term,
                resolution: Resolution::Semantic,
                confidence: f64::from(cos).clamp(0.3, 0.7),
            });
        }
    }
    Understanding { found, vector }
}

fn term_of(lex: &Lexicon, i: usize) -> Term {
    let t = &lex.terms[i];
    Term {
        id: t.id,
        slug: t.slug.clone(),
        label: t.label.clone(),
    }
}

/// One phrase, read into concepts with their neighbourhoods: what matching weighs.
pub fn resolve(lex: &Lexicon, model: &StaticModel, input: &str) -> ResolvedInterest {
    let understanding = understand(lex, model, input);
    let concepts: Vec<Concept> = understanding
        .found
        .iter()
        .map(|f| Concept {
            term: term_of(lex, f.term),
            resolution: f.resolution,
            confidence: f.confidence,
            narrower: lex
                .narrower(f.term)
                .iter()
                .map(|i| lex.terms[*i].id)
                .collect(),
            broader: lex.broader(f.term).map(|b| term_of(lex, b)),
            related: lex
                .related(f.term)
                .iter()
                .map(|(i, s)| (lex.terms[*i].id, *s))
                .collect(),
            domain: Some(lex.domain_root(f.term))
                .filter(|root| *root != f.term && Some(*root) != lex.broader(f.term))
                .map(|root| term_of(lex, root)),
        })
        .collect();
    ResolvedInterest {
        input: input.to_string(),
        widening: Widening::None,
        vector: understanding.vector.map(Arc::new),
        concepts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_meet_singulars() {
        assert_eq!(singular("classes"), "class");
        assert_eq!(singular("babies"), "baby");
        assert_eq!(singular("walks"), "walk");
        assert_eq!(singular("bus"), "bus");
        assert_eq!(singular("dance"), "dance");
        assert_eq!(words("Mums & Babies!"), ["mum", "and", "baby"]);
        assert_eq!(words("isn't"), ["isnt"]);
    }

    fn lexicon() -> Lexicon {
        let term = |n: u128, slug: &str, label: &str, parent: Option<u128>, syn: &[&str]| LexTerm {
            id: Uuid::from_u128(n),
            slug: slug.into(),
            label: label.into(),
            parent: parent.map(Uuid::from_u128),
            synonyms: syn.iter().map(|s| s.to_string()).collect(),
        };
        Lexicon::new(
            vec![
                term(1, "being-active", "Being active", None, &[]),
                term(2, "sport", "Sport", Some(1), &[]),
                term(3, "football", "Football", Some(2), &["footy", "soccer"]),
                term(4, "martial-arts", "Martial Arts", Some(2), &[]),
                term(5, "kickboxing", "Kickboxing", Some(4), &[]),
                term(6, "self-defence", "Self Defence", Some(4), &[]),
                term(7, "tai-chi", "Tai Chi", Some(4), &[]),
                term(10, "music", "Music", None, &[]),
                term(11, "singing", "Singing", Some(10), &["sing"]),
                term(12, "choir", "Choir", Some(11), &["choirs"]),
                term(20, "heritage", "Heritage", None, &[]),
                term(
                    21,
                    "museums",
                    "Museums and galleries",
                    Some(20),
                    &["museum"],
                ),
            ],
            &[],
            crate::domain::semantic::model(),
        )
    }

    fn read(lex: &Lexicon, phrase: &str) -> Vec<(String, Resolution)> {
        understand(lex, crate::domain::semantic::model(), phrase)
            .found
            .iter()
            .map(|f| (lex.terms[f.term].slug.clone(), f.resolution))
            .collect()
    }

    #[test]
    fn a_phrase_names_every_concept_in_it() {
        let lex = lexicon();
        assert_eq!(
            read(&lex, "kickboxing or self defence"),
            [
                ("kickboxing".into(), Resolution::Contained),
                ("self-defence".into(), Resolution::Contained)
            ]
        );
        assert_eq!(
            read(&lex, "Footy"),
            [("football".into(), Resolution::Synonym)]
        );
        assert_eq!(
            read(&lex, "football"),
            [("football".into(), Resolution::Exact)]
        );
    }

    #[test]
    fn filler_negation_and_spelling_are_read_as_meant() {
        let lex = lexicon();
        assert_eq!(
            read(&lex, "tai chi for beginners"),
            [("tai-chi".into(), Resolution::Contained)]
        );
        assert_eq!(
            read(&lex, "a choir that doesn't need auditions"),
            [("choir".into(), Resolution::Contained)]
        );
        assert_eq!(
            read(&lex, "footbal"),
            [("football".into(), Resolution::Spelling)]
        );
        assert_eq!(
            read(&lex, "thai chi"),
            [("tai-chi".into(), Resolution::Spelling)]
        );
        // "not sure" is doubt: the interest after it still counts.
        assert_eq!(
            read(&lex, "not sure, maybe singing?"),
            [("singing".into(), Resolution::Contained)]
        );
        // Said apart, the broader and the narrower both count; said together, the narrower.
        assert_eq!(read(&lex, "singing, choirs").len(), 2);
    }

    #[test]
    fn what_the_person_does_not_want_is_never_what_they_get() {
        let lex = lexicon();
        assert!(read(&lex, "not football").is_empty());
        assert!(read(&lex, "anything but no singing").is_empty());
        assert_eq!(
            read(&lex, "I'd rather do tai chi"),
            [("tai-chi".into(), Resolution::Contained)]
        );
        assert_eq!(
            read(&lex, "tai chi rather than kickboxing"),
            [("tai-chi".into(), Resolution::Contained)]
        );
    }

    #[test]
    fn words_in_other_scripts_are_read_without_a_panic() {
        let lex = lexicon();
        for phrase in ["ぁing", "偁ing football", "၁ing", "ÉÉing", "café dancing"] {
            let _ = read(&lex, phrase);
        }
        assert_eq!(stem("ぁing"), "ぁing");
    }

    #[test]
    fn a_look_alike_never_wins() {
        let lex = lexicon();
        assert!(
            read(&lex, "mums and babies")
                .iter()
                .all(|(s, _)| s != "museums")
        );
        assert!(read(&lex, "zzqx").is_empty());
        // A real word is never taken for a slip of another ("improve" is not "improv").
        assert!(read(&lex, "improve").is_empty());
    }

    #[test]
    fn related_terms_are_siblings_under_a_specific_parent() {
        let lex = lexicon();
        let kick = lex.index(Uuid::from_u128(5)).unwrap();
        let related: Vec<&str> = lex
            .related(kick)
            .iter()
            .map(|(i, _)| lex.terms[*i].slug.as_str())
            .collect();
        assert!(related.contains(&"self-defence") && related.contains(&"tai-chi"));
        // Football's parent is "sport", a catch-all under a domain: no siblings from it.
        let football = lex.index(Uuid::from_u128(3)).unwrap();
        assert!(
            lex.related(football)
                .iter()
                .all(|(i, _)| lex.terms[*i].slug != "martial-arts")
        );
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("pilates", "pilaets"), 1);
        assert_eq!(edit_distance("yoga", "yoga"), 0);
        assert_eq!(edit_distance("museum", "mum"), 3);
    }
}
