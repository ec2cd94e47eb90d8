//! Who a session is for, end to end: stored and shown on the asset, a hard constraint and a
//! strong positive in matching, a search filter, and attributes in the ORUK feed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem_fields, spawn_app};

/// M32 0JG, Stretford.
const HERE: (f64, f64) = (53.455654, -2.302836);

fn swim(title: &str, km_north: f64, audience: Value) -> Value {
    json!({
        "kind": "activity",
        "title": title,
        "description": format!("{title}: lanes and a friendly welcome."),
        "venue": {"name": format!("{title} pool"), "location": {"lat": HERE.0 + km_north / 111.2, "lon": HERE.1}, "venue_type": "sports_centre"},
        "interests": ["swimming"],
        "audience": audience,
    })
}

async fn post(app: &TestApp, key: &str, body: Value) -> String {
    app.create_asset(key, &body).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The `relax` of each near miss in a match response.
fn relaxations(result: &Value) -> Vec<&str> {
    result["near_misses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["relax"].as_str().unwrap())
        .collect()
}

async fn titles(app: &TestApp, body: Value) -> (Vec<String>, Value) {
    let response = app.send_json(Method::POST, "/v1/match", None, &body).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let result: Value = response.json().await.unwrap();
    let titles = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["asset"]["title"].as_str().unwrap().to_string())
        .collect();
    (titles, result)
}

#[tokio::test]
async fn audience_rules_are_kept_in_matching_search_and_the_feed() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Trafford Pools", true).await;
    let women = post(
        &app,
        &key,
        swim("Women-only swim", 0.4, json!({"gender": "women_only"})),
    )
    .await;
    post(&app, &key, swim("Family swim", 0.8, json!({}))).await;
    post(
        &app,
        &key,
        swim(
            "Postnatal aqua",
            1.0,
            json!({"groups": ["pregnant_postnatal"], "groups_only": true}),
        ),
    )
    .await;
    post(
        &app,
        &key,
        swim("Swim on referral", 1.2, json!({"referral_only": true})),
    )
    .await;

    let shown = app.get_json(&format!("/v1/assets/{women}"), None).await;
    assert_eq!(
        shown["audience"],
        json!({"gender": "women_only", "groups": [], "groups_only": false, "referral_only": false})
    );

    let base = json!({"location": {"postcode": "M32 0JG"}, "interests": ["swimming"]});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let (man, _) = titles(&app, with(json!({"gender": "man"}))).await;
    assert_eq!(
        man,
        ["Family swim"],
        "a man gets no women-only, closed or referral-only session"
    );

    let (woman, result) = titles(
        &app,
        with(json!({"gender": "woman", "single_gender": "women_only"})),
    )
    .await;
    assert_eq!(woman, ["Women-only swim"]);
    let reasons = result["results"][0]["reasons"].as_array().unwrap();
    assert!(
        reasons.contains(&json!("Women only, as asked")),
        "{reasons:?}"
    );
    let relax = relaxations(&result);
    assert!(relax.contains(&"single_gender"), "{relax:?}");

    let (new_mum, result) = titles(
        &app,
        with(json!({"gender": "woman", "circumstances": ["new_parent"], "has_referral": true})),
    )
    .await;
    assert_eq!(new_mum.len(), 4, "{new_mum:?}");
    assert_eq!(
        new_mum[0], "Postnatal aqua",
        "made for her ranks first: {new_mum:?}"
    );
    let components = &result["results"][0]["components"];
    assert_eq!(components["audience"], 1.0);

    let found = app
        .get_json(
            "/v1/assets?gender=women_only&audience=pregnant_postnatal",
            None,
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 0);
    let found = app.get_json("/v1/assets?referral_only=true", None).await;
    assert_eq!(found["items"][0]["title"], "Swim on referral");
    assert_eq!(
        problem_fields(app.get("/v1/assets?gender=ladies", None).await, 422).await,
        ["gender"]
    );

    let feed = app.get_json(&format!("/oruk/services/{women}"), None).await;
    let attributes: Vec<(String, String)> = feed["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["taxonomy_term"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                a["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        attributes.contains(&("audience_gender".into(), "women_only".into())),
        "{attributes:?}"
    );
}

#[tokio::test]
async fn a_closed_group_needs_a_group_and_unknown_values_are_named() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Trafford Pools", true).await;
    let response = app
        .post_asset(&key, &swim("Closed", 0.1, json!({"groups_only": true})))
        .await;
    assert_eq!(
        problem_fields(response, 422).await,
        ["audience.groups_only"]
    );
    let response = app
        .post_asset(&key, &swim("Odd", 0.1, json!({"gender": "ladies"})))
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"postcode": "M32 0JG"}, "circumstances": ["astronaut"]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"postcode": "M32 0JG"}, "gender": "man", "single_gender": "women_only"}),
        )
        .await;
    assert_eq!(problem_fields(response, 422).await, ["single_gender"]);
}

#[tokio::test]
async fn concession_rules_decide_what_each_person_pays() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Trafford Pools", true).await;
    let mut body = swim("Lane swim", 0.5, json!({}));
    body["cost"] = json!({
        "amount_pence": 500,
        "concessions": [
            {"price_pence": 100, "min_age": 60},
            {"price_pence": 200, "who": ["students", "students"]}
        ]
    });
    let id = post(&app, &key, body).await;
    let shown = app.get_json(&format!("/v1/assets/{id}"), None).await;
    assert_eq!(
        shown["cost"]["concessions"],
        json!([
            {"price_pence": 100, "who": [], "min_age": 60, "max_age": null},
            {"price_pence": 200, "who": ["students"], "min_age": null, "max_age": null}
        ])
    );

    let ask = |extra: Value| {
        let mut b = json!({
            "location": {"postcode": "M32 0JG"},
            "interests": ["swimming"],
            "budget": {"max_pence_per_session": 250}
        });
        for (k, v) in extra.as_object().unwrap() {
            if k == "eligible_for" {
                b["budget"]["eligible_for"] = v.clone();
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let (young, result) = titles(&app, ask(json!({"age": 30}))).await;
    assert!(young.is_empty(), "£5 is over a £2.50 budget: {young:?}");
    let relax = relaxations(&result);
    assert!(relax.contains(&"budget"), "{relax:?}");
    let (_, older) = titles(&app, ask(json!({"age": 65}))).await;
    assert_eq!(older["results"][0]["effective_cost_pence"], 100);
    let (_, student) = titles(&app, ask(json!({"age": 30, "eligible_for": ["students"]}))).await;
    assert_eq!(student["results"][0]["effective_cost_pence"], 200);

    let feed = app.get_json(&format!("/oruk/services/{id}"), None).await;
    let options: Vec<&str> = feed["cost_options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["option"].as_str().unwrap())
        .collect();
    assert!(
        options.contains(&"Concession (aged 60 and over)")
            && options.contains(&"Concession (students)"),
        "{options:?}"
    );

    let mut bad = swim("Odd prices", 0.5, json!({}));
    bad["cost"] =
        json!({"amount_pence": 100, "concessions": [{"price_pence": 150, "min_age": 60}]});
    assert_eq!(
        problem_fields(app.post_asset(&key, &bad).await, 422).await,
        ["cost.concessions[0].price_pence"]
    );
}
