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

#[tokio::test]
async fn personas_rank_well_and_never_break_a_hard_constraint() {
    let app = spawn_app().await;
    let mut conn = AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    seed::load_demo(&mut conn).await.expect("demo data loads");
    let personas: Vec<Value> = serde_json::from_str(include_str!("../eval/personas.json")).unwrap();
    assert!(personas.len() >= 20);

    let names = ["matching", "nearest first", "text match"];
    let mut totals = [Totals::default(); 3];
    let mut rows = String::new();
    for p in &personas {
        let request = &p["request"];
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
        let nearest = search(
            &app,
            &[
                ("lat", person.0.to_string()),
                ("lon", person.1.to_string()),
                ("radius_km", max_km.to_string()),
                ("limit", K.to_string()),
            ],
        )
        .await;
        let words: Vec<String> = request["interests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().replace('-', " "))
            .collect();
        let text = search(&app, &[("q", words.join(" or ")), ("limit", K.to_string())]).await;

        let rules = Rules {
            person,
            max_km,
            request: request.clone(),
        };
        let _ = write!(rows, "| {} |", p["name"].as_str().unwrap());
        for (i, ranking) in [matched, nearest, text].iter().enumerate() {
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
            }
            let t = &mut totals[i];
            t.ndcg += score;
            t.violations += broken.len();
            t.never += ids.iter().filter(|id| never.contains(*id)).count();
            t.returned += ids.len();
            let _ = write!(rows, " {score:.3} / {} |", broken.len());
        }
        rows.push('\n');
    }

    let n = personas.len() as f64;
    let mut report = format!(
        "Personas: {}. nDCG@{K} (graded gains 2^grade − 1) and hard-constraint violations in the top {K}.\n\n\
         | ranking | mean nDCG@{K} | violations | judged-never shown | results returned |\n|---|---:|---:|---:|---:|\n",
        personas.len()
    );
    for (name, t) in names.iter().zip(&totals) {
        let _ = writeln!(
            report,
            "| {name} | {:.3} | {} | {} | {} |",
            t.ndcg / n,
            t.violations,
            t.never,
            t.returned
        );
    }
    let _ = write!(
        report,
        "\n| persona | matching nDCG / violations | nearest first | text match |\n|---|---:|---:|---:|\n{rows}"
    );
    println!("{report}");
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/evaluation.md");
    let _ = std::fs::write(target, &report);

    assert_eq!(totals[0].violations, 0);
    assert!(
        totals[0].ndcg > totals[1].ndcg && totals[0].ndcg > totals[2].ndcg,
        "matching must beat both baselines:\n{report}"
    );
}
