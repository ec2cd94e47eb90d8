//! The matching evaluation: the hand-judged personas of `tests/eval/personas.json` on the demo
//! directory, scored by nDCG@10 and hard-constraint violations for our ranking and for two
//! baselines a directory without matching would offer (nearest first within reach; text match
//! on the interests). Writes the table to `target/evaluation.md`; `docs/matching.md` quotes it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use community_assets::seed;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::{TestApp, database_url, spawn_app};

const K: usize = 10;

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

/// nDCG@10 with graded gains 2^grade − 1.
fn ndcg(ranked: &[String], grades: &HashMap<String, u32>) -> f64 {
    let dcg = |gains: &[u32]| -> f64 {
        gains
            .iter()
            .take(K)
            .enumerate()
            .map(|(i, g)| (2f64.powi(*g as i32) - 1.0) / ((i + 2) as f64).log2())
            .sum()
    };
    let got: Vec<u32> = ranked
        .iter()
        .map(|id| grades.get(id).copied().unwrap_or(0))
        .collect();
    let mut ideal: Vec<u32> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(&ideal);
    if best == 0.0 { 0.0 } else { dcg(&got) / best }
}

/// The hard constraints of a persona's request, checked independently of the service's code.
struct Rules {
    person: (f64, f64),
    max_km: f64,
    request: Value,
}

impl Rules {
    fn violations(&self, asset: &Value) -> Vec<&'static str> {
        let r = &self.request;
        let mut out = Vec::new();
        if asset["status"] != "published" {
            out.push("not published");
        }
        match asset["venue"]["location"].as_object() {
            Some(loc) => {
                let at = (loc["lat"].as_f64().unwrap(), loc["lon"].as_f64().unwrap());
                if haversine_km(self.person, at) > self.max_km + 0.002 {
                    out.push("too far");
                }
            }
            None if asset["online"] == true && r["include_online"] != true => out.push("online"),
            None => {}
        }
        if let Some(age) = r["age"].as_i64() {
            let min = asset["eligibility"]["min_age"].as_i64();
            let max = asset["eligibility"]["max_age"].as_i64();
            if min.is_some_and(|m| age < m) || max.is_some_and(|m| age > m) {
                out.push("age");
            }
        }
        if let (Some(needs), Some(features)) = (
            r["access_needs"].as_array(),
            asset["venue"]["accessibility"].as_array(),
        ) && needs.iter().any(|n| !features.contains(n))
        {
            out.push("access");
        }
        if let Some(max) = r["budget"]["max_pence_per_session"].as_i64() {
            let cost = &asset["cost"];
            let price = if cost["free"] == true {
                Some(0)
            } else if r["budget"]["concessions"] == true && cost["concession_pence"].is_i64() {
                cost["concession_pence"].as_i64()
            } else {
                cost["amount_pence"].as_i64()
            };
            if price.is_some_and(|p| p > max) {
                out.push("cost");
            }
        }
        if let Some(kinds) = r["kinds"].as_array()
            && !kinds.is_empty()
            && !kinds.contains(&asset["kind"])
        {
            out.push("kind");
        }
        if let Some(ex) = r["exclude_asset_ids"].as_array()
            && ex.contains(&asset["id"])
        {
            out.push("excluded");
        }
        let audience = &asset["audience"];
        let gender = audience["gender"].as_str().unwrap_or("mixed");
        match (gender, r["gender"].as_str()) {
            ("women_only", Some("man")) | ("men_only", Some("woman")) => out.push("gender"),
            _ => {}
        }
        if let Some(wanted) = r["single_gender"].as_str()
            && gender != wanted
        {
            out.push("single gender");
        }
        if audience["groups_only"] == true {
            let theirs = self.groups();
            let admitted = audience["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| theirs.contains(&g.as_str().unwrap()));
            if !admitted {
                out.push("closed group");
            }
        }
        if audience["referral_only"] == true && r["has_referral"] != true {
            out.push("referral only");
        }
        out
    }

    /// The groups the person belongs to, by the mapping tests/eval/README.md states.
    fn groups(&self) -> Vec<&'static str> {
        let r = &self.request;
        let mut out = Vec::new();
        for c in r["circumstances"].as_array().into_iter().flatten() {
            out.extend(match c.as_str().unwrap() {
                "pregnant" => &["pregnant_postnatal"][..],
                "new_parent" => &["pregnant_postnatal", "parents_and_babies"][..],
                "recent_cardiac_event" | "falls_risk" | "long_term_condition" => {
                    &["long_term_conditions"][..]
                }
                "learning_disability" => &["learning_disability", "disabled_people"][..],
                "disabled" => &["disabled_people"][..],
                "carer" => &["carers"][..],
                "lgbtq" => &["lgbtq"][..],
                "dementia" => &["dementia"][..],
                "refugee_or_asylum_seeker" => &["refugees_and_asylum_seekers"][..],
                "veteran" => &["veterans"][..],
                _ => &[][..],
            });
        }
        if let Some(age) = r["age"].as_i64() {
            if age >= 60 {
                out.push("older_people");
            }
            if age <= 25 {
                out.push("young_people");
            }
        }
        out
    }
}

#[derive(Default, Clone, Copy)]
struct Totals {
    ndcg: f64,
    violations: usize,
    never: usize,
    returned: usize,
}

struct Ranking {
    assets: Vec<Value>,
}

async fn ours(app: &TestApp, request: &Value) -> (Ranking, Value) {
    let response = app
        .send_json(Method::POST, "/v1/match", None, request)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let assets = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["asset"].clone())
        .collect();
    (Ranking { assets }, body)
}

async fn search(app: &TestApp, query: &[(&str, String)]) -> Ranking {
    let qs = serde_urlencoded::to_string(query).unwrap();
    let response = app.get(&format!("/v1/assets?{qs}"), None).await;
    assert_eq!(response.status(), 200, "{qs}");
    let body: Value = response.json().await.unwrap();
    Ranking {
        assets: body["items"].as_array().unwrap().clone(),
    }
}

/// The rankings compared, in report order.
const NAMES: [&str; 4] = [
    "matching",
    "nearest first",
    "nearest first passing the hard constraints",
    "text match",
];

#[derive(Default)]
struct Part {
    personas: usize,
    /// Personas with something suitable in reach (nDCG is averaged over these).
    judged: usize,
    totals: [Totals; 4],
    /// Personas with something suitable in reach whose matched list holds none of it.
    left_empty: Vec<String>,
}

#[tokio::test]
async fn personas_rank_well_and_never_break_a_hard_constraint() {
    let app = spawn_app().await;
    let mut conn = AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    seed::load_demo(&mut conn).await.expect("demo data loads");
    let personas: Vec<Value> = serde_json::from_str(include_str!("../eval/personas.json")).unwrap();
    assert!(personas.len() >= 60);

    let mut parts: HashMap<String, Part> = HashMap::new();
    let mut rows = String::new();
    for p in &personas {
        let request = &p["request"];
        let part_name = p["part"].as_str().unwrap_or("dev").to_string();
        let grades: HashMap<String, u32> = p["relevant"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r["grade"].as_u64().unwrap() as u32,
                )
            })
            .collect();
        let never: HashSet<String> = p["never"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();

        let (matched, body) = ours(&app, request).await;
        let person = (
            body["location"]["lat"].as_f64().unwrap(),
            body["location"]["lon"].as_f64().unwrap(),
        );
        let max_km = body["travel"]["max_km"].as_f64().unwrap();
        let rules = Rules {
            person,
            max_km,
            request: request.clone(),
        };
        let nearby = search(
            &app,
            &[
                ("lat", person.0.to_string()),
                ("lon", person.1.to_string()),
                ("radius_km", max_km.to_string()),
                (
                    "include_online",
                    (request["include_online"] == true).to_string(),
                ),
                ("limit", "100".to_string()),
            ],
        )
        .await;
        let nearest = Ranking {
            assets: nearby.assets.iter().take(K).cloned().collect(),
        };
        let nearest_passing = Ranking {
            assets: nearby
                .assets
                .iter()
                .filter(|a| rules.violations(a).is_empty())
                .take(K)
                .cloned()
                .collect(),
        };
        let words: Vec<String> = request["interests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().replace('-', " "))
            .collect();
        let text = if words.is_empty() {
            Ranking { assets: vec![] }
        } else {
            search(&app, &[("q", words.join(" or ")), ("limit", K.to_string())]).await
        };

        let part = parts.entry(part_name.clone()).or_default();
        part.personas += 1;
        let suitable = !grades.is_empty();
        part.judged += usize::from(suitable);
        let _ = write!(rows, "| {} | {part_name} |", p["name"].as_str().unwrap());
        for (i, ranking) in [matched, nearest, nearest_passing, text].iter().enumerate() {
            let ids: Vec<String> = ranking
                .assets
                .iter()
                .take(K)
                .map(|a| a["id"].as_str().unwrap().to_string())
                .collect();
            let score = ndcg(&ids, &grades);
            let broken: Vec<(String, Vec<&str>)> = ranking
                .assets
                .iter()
                .take(K)
                .map(|a| {
                    (
                        a["title"].as_str().unwrap().to_string(),
                        rules.violations(a),
                    )
                })
                .filter(|(_, v)| !v.is_empty())
                .collect();
            if i == 0 {
                assert!(
                    broken.is_empty(),
                    "{}: matching broke hard constraints: {broken:?}",
                    p["name"]
                );
                if suitable && !ids.iter().any(|id| grades.contains_key(id)) {
                    part.left_empty
                        .push(p["name"].as_str().unwrap().to_string());
                }
            }
            let t = &mut part.totals[i];
            if suitable {
                t.ndcg += score;
            }
            t.violations += broken.len();
            t.never += ids.iter().filter(|id| never.contains(*id)).count();
            t.returned += ids.len();
            if suitable {
                let _ = write!(rows, " {score:.3} / {} |", broken.len());
            } else {
                let _ = write!(rows, " – / {} |", broken.len());
            }
        }
        rows.push('\n');
    }

    let mut report = format!(
        "Personas: {}. nDCG@{K} (graded gains 2^grade − 1, averaged over the personas with \
         something suitable in reach) and hard-constraint violations in the top {K}.\n",
        personas.len()
    );
    let mut names: Vec<&String> = parts.keys().collect();
    names.sort();
    for name in names {
        let part = &parts[name];
        let _ = write!(
            report,
            "\n**{name}** ({} personas, {} with something suitable in reach; left with nothing \
             suitable: {})\n\n\
             | ranking | mean nDCG@{K} | violations | judged-never shown | results returned |\n|---|---:|---:|---:|---:|\n",
            part.personas,
            part.judged,
            if part.left_empty.is_empty() {
                "none".to_string()
            } else {
                part.left_empty.join(", ")
            }
        );
        for (ranking, t) in NAMES.iter().zip(&part.totals) {
            let _ = writeln!(
                report,
                "| {ranking} | {:.3} | {} | {} | {} |",
                t.ndcg / part.judged.max(1) as f64,
                t.violations,
                t.never,
                t.returned
            );
        }
    }
    let _ = write!(
        report,
        "\n| persona | part | matching nDCG / violations | nearest first | nearest first passing | text match |\n|---|---|---:|---:|---:|---:|\n{rows}"
    );
    println!("{report}");
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/evaluation.md");
    let _ = std::fs::write(target, &report);

    for (name, part) in &parts {
        let t = &part.totals;
        assert_eq!(t[0].violations, 0, "{name}");
        assert!(
            t[0].ndcg > t[1].ndcg && t[0].ndcg > t[2].ndcg && t[0].ndcg > t[3].ndcg,
            "{name}: matching must beat every baseline:\n{report}"
        );
    }
}
