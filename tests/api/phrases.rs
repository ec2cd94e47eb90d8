//! The phrase evaluation: every phrase of `tests/eval/phrases.json` read by the lexicon built
//! from the committed vocabulary, scored against the concepts written down for it before the
//! matcher was changed. Reports the development and hold-out parts apart, writes the table to
//! `target/phrase-evaluation.md` (docs/matching.md quotes it) and fails if the hold-out part
//! falls below the bar.

use std::collections::HashMap;
use std::fmt::Write;

use community_assets::domain::matching::interests::Resolution;
use community_assets::domain::matching::lexicon::{LexTerm, Lexicon, understand};
use community_assets::domain::semantic;
use serde_json::Value;
use uuid::Uuid;

const VOCABULARY: &str = include_str!("../../seed-data/vocabulary.json");
const RELATED: &str = include_str!("../../seed-data/vocabulary/related.json");
const PHRASES: &str = include_str!("../eval/phrases.json");

pub fn lexicon() -> Lexicon {
    let vocabulary: Value = serde_json::from_str(VOCABULARY).unwrap();
    let terms = vocabulary["terms"].as_array().unwrap();
    let id_of: HashMap<&str, Uuid> = terms
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap(),
                t["id"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let lex_terms = terms
        .iter()
        .map(|t| LexTerm {
            id: id_of[t["slug"].as_str().unwrap()],
            slug: t["slug"].as_str().unwrap().to_string(),
            label: t["label"].as_str().unwrap().to_string(),
            parent: t["parent"].as_str().map(|p| id_of[p]),
            synonyms: t["synonyms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect(),
        })
        .collect();
    let related: Value = serde_json::from_str(RELATED).unwrap();
    let listed: Vec<(String, String)> = related["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l[0].as_str().unwrap().to_string(),
                l[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    Lexicon::new(lex_terms, &listed, semantic::model())
}

#[derive(Default, Clone, Copy)]
struct Tally {
    phrases: usize,
    right_first: usize,
    wrong: usize,
    nothing_but_expected: usize,
    all_ideas: usize,
    with_ideas: usize,
}

impl Tally {
    fn pct(n: usize, d: usize) -> f64 {
        if d == 0 {
            0.0
        } else {
            100.0 * n as f64 / d as f64
        }
    }
}

#[test]
fn phrases_resolve_to_the_concepts_people_mean() {
    let lex = lexicon();
    let model = semantic::model();
    let data: Value = serde_json::from_str(PHRASES).unwrap();
    let mut tallies: HashMap<(String, String), Tally> = HashMap::new();
    let mut misses = Vec::new();
    for p in data["phrases"].as_array().unwrap() {
        let phrase = p["phrase"].as_str().unwrap();
        let part = p["part"].as_str().unwrap().to_string();
        let kind = p["kind"].as_str().unwrap().to_string();
        let groups: Vec<Vec<&str>> = p["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                g.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect()
            })
            .collect();
        let acceptable: Vec<&str> = groups.iter().flatten().copied().collect();
        let u = understand(&lex, model, phrase);
        let found: Vec<(&str, Resolution)> = u
            .found
            .iter()
            .map(|f| (lex.terms[f.term].slug.as_str(), f.resolution))
            .collect();
        let right_first = match found.first() {
            Some((slug, _)) => acceptable.contains(slug),
            None => groups.is_empty(),
        };
        let wrong = found.iter().any(|(slug, _)| !acceptable.contains(slug));
        let nothing = found.is_empty() && !groups.is_empty();
        let all_ideas = groups
            .iter()
            .all(|g| found.iter().any(|(slug, _)| g.contains(slug)));
        for key in [
            (part.clone(), "all".to_string()),
            (part.clone(), kind.clone()),
        ] {
            let t = tallies.entry(key).or_default();
            t.phrases += 1;
            t.right_first += usize::from(right_first);
            t.wrong += usize::from(wrong);
            t.nothing_but_expected += usize::from(nothing);
            if groups.len() > 1 {
                t.with_ideas += 1;
                t.all_ideas += usize::from(all_ideas);
            }
        }
        if std::env::var("PHRASE_DEBUG").is_ok()
            && part == "dev"
            && let Some(v) = &u.vector
        {
            let near: Vec<String> = lex
                .nearest(v, 0.0, 3)
                .iter()
                .map(|(t, c)| format!("{} {c:.2}", lex.terms[*t].slug))
                .collect();
            eprintln!("DEBUG {phrase:?} -> {near:?}");
        }
        if !right_first || wrong {
            misses.push(format!(
                "| {part} | {kind} | {phrase} | {} | {} |",
                acceptable.join(", "),
                found
                    .iter()
                    .map(|(s, r)| format!("{s} ({r:?})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    let mut out = String::new();
    writeln!(out, "| part | kind | phrases | right concept first | a wrong concept | nothing found though expected | every idea of a multi-idea phrase |").unwrap();
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|").unwrap();
    let mut keys: Vec<&(String, String)> = tallies.keys().collect();
    keys.sort_by_key(|(part, kind)| (part.clone(), kind != "all", kind.clone()));
    for key in keys {
        let t = tallies[key];
        writeln!(
            out,
            "| {} | {} | {} | {:.1}% | {:.1}% | {:.1}% | {} |",
            key.0,
            key.1,
            t.phrases,
            Tally::pct(t.right_first, t.phrases),
            Tally::pct(t.wrong, t.phrases),
            Tally::pct(t.nothing_but_expected, t.phrases),
            if t.with_ideas > 0 {
                format!("{} of {}", t.all_ideas, t.with_ideas)
            } else {
                "–".into()
            }
        )
        .unwrap();
    }
    writeln!(out, "\nPhrases not resolved as expected:\n").unwrap();
    writeln!(
        out,
        "| part | kind | phrase | expected | found |\n|---|---|---|---|---|"
    )
    .unwrap();
    misses.sort();
    for m in &misses {
        writeln!(out, "{m}").unwrap();
    }
    let _ = std::fs::create_dir_all("target");
    std::fs::write("target/phrase-evaluation.md", &out).unwrap();
    eprintln!("{out}");

    let holdout = tallies[&("holdout".to_string(), "all".to_string())];
    let right = Tally::pct(holdout.right_first, holdout.phrases);
    let wrong = Tally::pct(holdout.wrong, holdout.phrases);
    let nothing = Tally::pct(holdout.nothing_but_expected, holdout.phrases);
    // Floors at what the matcher reached when this test was written (86.4% / 9.9% / 6.2%), so
    // any regression fails; docs/matching.md states them against the targets (95% /
    // 1% / 2%), which are not reached yet.
    assert!(
        right >= FLOOR_RIGHT,
        "right first {right:.1}% < {FLOOR_RIGHT}%"
    );
    assert!(
        wrong <= CEILING_WRONG,
        "wrong {wrong:.1}% > {CEILING_WRONG}%"
    );
    assert!(
        nothing <= CEILING_NOTHING,
        "nothing {nothing:.1}% > {CEILING_NOTHING}%"
    );
}

const FLOOR_RIGHT: f64 = 86.0;
const CEILING_WRONG: f64 = 10.0;
const CEILING_NOTHING: f64 = 6.5;
