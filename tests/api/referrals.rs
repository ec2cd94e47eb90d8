//! Referral outcomes: recorded with no personal data, forward only, summed per asset from five
//! referrals, and a soft factor in matching.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, count, problem_fields, spawn_app, walking_football};

async fn refer(app: &TestApp, key: &str, body: Value) -> Value {
    let response = app
        .send_json(Method::POST, "/v1/referrals", Some(key), &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn outcome(app: &TestApp, key: &str, id: &str, body: Value) -> reqwest::Response {
    app.send_json(
        Method::POST,
        &format!("/v1/referrals/{id}/outcomes"),
        Some(key),
        &body,
    )
    .await
}

/// A referral of someone who went two months ago and then reached `then` (`kept_going`, or
/// `stopped` with a barrier).
async fn went_then(app: &TestApp, key: &str, asset_id: &str, then: Value) {
    let r = refer(
        app,
        key,
        json!({"asset_id": asset_id, "outcome": "tried", "on": days_ago(60)}),
    )
    .await;
    let moved = outcome(app, key, r["id"].as_str().unwrap(), then).await;
    assert_eq!(moved.status(), 200);
}

fn days_ago(n: i64) -> String {
    (Utc::now() - Duration::days(n))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn outcomes_move_forward_only_and_are_summed_on_the_asset_from_five_referrals() {
    let app = spawn_app().await;
    let (_, agency) = app.agency("Sale Sports Trust", true).await;
    let team = app.create_org("Trafford Link Workers", false).await;
    let (_, worker) = app.create_key(team, "reader").await;
    let (_, other) = app.agency("Another Team", false).await;
    let asset: Value = app
        .post_asset(&agency, &walking_football())
        .await
        .json()
        .await
        .unwrap();
    let asset_id = asset["id"].as_str().unwrap();

    // One person's journey: suggested, tried, still going four weeks on.
    let first = refer(
        &app,
        &worker,
        json!({"asset_id": asset_id, "on": days_ago(45)}),
    )
    .await;
    assert_eq!(first["outcome"], "suggested");
    let id = first["id"].as_str().unwrap().to_string();
    let tried = outcome(
        &app,
        &worker,
        &id,
        json!({"outcome": "tried", "on": days_ago(40)}),
    )
    .await;
    assert_eq!(tried.status(), 200);
    // Too soon after first going to say they kept going.
    let early = outcome(
        &app,
        &worker,
        &id,
        json!({"outcome": "kept_going", "on": days_ago(30)}),
    )
    .await;
    assert_eq!(problem_fields(early, 422).await, ["on"]);
    let kept = outcome(&app, &worker, &id, json!({"outcome": "kept_going"})).await;
    assert_eq!(kept.status(), 200);
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["outcome"], "kept_going");
    assert_eq!(kept["tried_on"], days_ago(40));
    // No going back; another organisation cannot see or touch it.
    let back = outcome(&app, &worker, &id, json!({"outcome": "tried"})).await;
    assert_eq!(problem_fields(back, 422).await, ["outcome"]);
    let theirs = outcome(&app, &other, &id, json!({"outcome": "stopped"})).await;
    problem_fields(theirs, 404).await;
    problem_fields(
        app.get(&format!("/v1/referrals/{id}"), Some(&other)).await,
        404,
    )
    .await;
    assert_eq!(
        app.get(&format!("/v1/referrals/{id}"), Some(&app.admin_key))
            .await
            .status(),
        200
    );

    // Bad records are refused and store nothing.
    for (body, field) in [
        (
            json!({"asset_id": "7f0b5c1e-0000-4000-8000-000000000000"}),
            "asset_id",
        ),
        (json!({"asset_id": asset_id, "on": "2099-01-01"}), "on"),
        (json!({"asset_id": asset_id, "barrier": "cost"}), "barrier"),
    ] {
        let response = app
            .send_json(Method::POST, "/v1/referrals", Some(&worker), &body)
            .await;
        assert_eq!(problem_fields(response, 422).await, [field], "{body}");
    }
    let response = app
        .send_json(
            Method::POST,
            "/v1/referrals",
            Some(&worker),
            &json!({"asset_id": asset_id, "name": "Jo Bloggs"}),
        )
        .await;
    assert_eq!(
        response.status(),
        422,
        "no field for anything about the person"
    );
    let response = app
        .send_json(
            Method::POST,
            "/v1/referrals",
            None,
            &json!({"asset_id": asset_id}),
        )
        .await;
    problem_fields(response, 401).await;

    // Four referrals: no figures yet on the asset.
    for _ in 0..2 {
        refer(
            &app,
            &worker,
            json!({"asset_id": asset_id, "outcome": "tried"}),
        )
        .await;
    }
    refer(
        &app,
        &worker,
        json!({"asset_id": asset_id, "outcome": "stopped", "barrier": "cost"}),
    )
    .await;
    let shown = app.get_json(&format!("/v1/assets/{asset_id}"), None).await;
    assert!(shown["outcomes"].is_null(), "{}", shown["outcomes"]);
    // The fifth: the sum appears, in the asset and in searches.
    let fifth = refer(&app, &worker, json!({"asset_id": asset_id})).await;
    let stopped = outcome(
        &app,
        &worker,
        fifth["id"].as_str().unwrap(),
        json!({"outcome": "stopped", "barrier": "transport"}),
    )
    .await;
    assert_eq!(stopped.status(), 200);
    let shown = app.get_json(&format!("/v1/assets/{asset_id}"), None).await;
    assert_eq!(
        shown["outcomes"],
        json!({"referrals": 5, "tried": 3, "kept_going": 1, "stopped": 2,
               "barriers": {"cost": 1, "transport": 1}, "sources": 1})
    );
    let found = app.get_json("/v1/assets?q=walking%20football", None).await;
    assert_eq!(found["items"][0]["outcomes"]["referrals"], 5);
    // Audited, with nothing but the referral's own fields.
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'referral'"
        )
        .await,
        8
    );
}

#[tokio::test]
async fn matching_favours_assets_people_keep_going_to() {
    let app = spawn_app().await;
    let (_, agency) = app.agency("Sale Sports Trust", true).await;
    // Two teams' referrals: one team's alone never weigh.
    let mut workers = Vec::new();
    for name in ["Trafford Link Workers", "Sale CMHT"] {
        let team = app.create_org(name, false).await;
        workers.push(app.create_key(team, "reader").await.1);
    }
    let mut ids = Vec::new();
    for title in ["Walking football at Sale", "Walking football in Sale"] {
        let mut body = walking_football();
        body["title"] = json!(title);
        let created: Value = app.post_asset(&agency, &body).await.json().await.unwrap();
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let (kept, dropped) = (&ids[0], &ids[1]);
    for i in 0..6 {
        let worker = &workers[i % 2];
        went_then(&app, worker, kept, json!({"outcome": "kept_going"})).await;
        let stopped = json!({"outcome": "stopped", "barrier": "confidence"});
        went_then(&app, worker, dropped, stopped).await;
    }
    let response = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"lat": 53.4235, "lon": -2.3186}, "interests": ["walking football"]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    let results = result["results"].as_array().unwrap();
    let position = |id: &str| results.iter().position(|r| r["asset"]["id"] == id).unwrap();
    assert!(position(kept) < position(dropped), "{result:#}");
    let good = &results[position(kept)];
    let poor = &results[position(dropped)];
    assert!(good["components"]["outcomes"].as_f64().unwrap() > 0.5);
    assert!(poor["components"]["outcomes"].as_f64().unwrap() < 0.5);
    assert!(
        good["reasons"].as_array().unwrap().iter().any(|r| r
            .as_str()
            .unwrap()
            .starts_with("People referred here usually keep going")),
        "{good:#}"
    );
    assert!(good["score"].as_f64().unwrap() > poor["score"].as_f64().unwrap());
}

#[tokio::test]
async fn referrals_recorded_at_the_same_moment_all_count() {
    let app = spawn_app().await;
    let (_, agency) = app.agency("Sale Sports Trust", true).await;
    let team = app.create_org("Trafford Link Workers", false).await;
    let (_, worker) = app.create_key(team, "reader").await;
    let asset: Value = app
        .post_asset(&agency, &walking_football())
        .await
        .json()
        .await
        .unwrap();
    let asset_id = asset["id"].as_str().unwrap().to_string();
    let other = app.create_org("Sale CMHT", false).await;
    let (_, colleague) = app.create_key(other, "reader").await;
    // Each insert holds a key-share lock on the asset while its sum is rewritten: twelve at
    // once from each of two teams must neither deadlock nor lose a count, and each team gets
    // exactly its ten a day for one asset, however the requests interleave.
    let sends = (0..24).map(|i| {
        let key = if i % 2 == 0 { &worker } else { &colleague };
        app.request(Method::POST, "/v1/referrals", Some(key))
            .json(&json!({"asset_id": asset_id, "outcome": "tried"}))
            .send()
    });
    let mut statuses: Vec<u16> = Vec::new();
    for response in futures_util::future::join_all(sends).await {
        let response = response.unwrap();
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        4,
        "{statuses:?}"
    );
    let shown = app.get_json(&format!("/v1/assets/{asset_id}"), None).await;
    assert_eq!(shown["outcomes"]["referrals"], 20, "{}", shown["outcomes"]);
    assert_eq!(shown["outcomes"]["tried"], 20);
    assert_eq!(shown["outcomes"]["sources"], 2);
}

/// One key, any key, once made up thirty "stopped" outcomes and dragged a listing down in
/// matching. Now a team records at most ten a day for one asset, and one team's outcomes, or a
/// heap of them from one team beside honest ones, barely move the factor.
#[tokio::test]
async fn one_team_cannot_swing_a_listings_outcomes() {
    let app = spawn_app().await;
    let (_, agency) = app.agency("Sale Sports Trust", true).await;
    let asset: Value = app
        .post_asset(&agency, &walking_football())
        .await
        .json()
        .await
        .unwrap();
    let asset_id = asset["id"].as_str().unwrap().to_string();
    let (_, rival) = app.agency("Rival Club", true).await;
    // The rival says ten people went and stopped; an eleventh today is refused.
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let response = app
            .send_json(
                Method::POST,
                "/v1/referrals",
                Some(&rival),
                &json!({"asset_id": asset_id, "outcome": "tried", "on": days_ago(60)}),
            )
            .await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            let problem: Value = response.json().await.unwrap();
            assert_eq!(problem["type"], "/problems/too-many-requests");
            assert!(problem["detail"].as_str().unwrap().contains("tomorrow"));
            continue;
        }
        let made: Value = response.json().await.unwrap();
        let stopped = outcome(
            &app,
            &rival,
            made["id"].as_str().unwrap(),
            json!({"outcome": "stopped", "barrier": "stigma"}),
        )
        .await;
        assert_eq!(stopped.status(), 200);
    }
    assert_eq!(statuses[..10], [201; 10]);
    assert_eq!(statuses[10], 429);
    let matched = |app: &TestApp| {
        let body = json!({"location": {"lat": 53.4235, "lon": -2.3186}, "interests": ["walking football"]});
        let request = app.request(Method::POST, "/v1/match", None).json(&body);
        async move {
            let result: Value = request.send().await.unwrap().json().await.unwrap();
            result["results"][0].clone()
        }
    };
    let first = matched(&app).await;
    assert_eq!(first["asset"]["id"], asset_id);
    assert_eq!(
        first["asset"]["outcomes"]["stopped"], 10,
        "still shown as recorded"
    );
    assert_eq!(
        first["components"]["outcomes"], 0.5,
        "one team's outcomes do not weigh: {first:#}"
    );
    // Two honest teams' three people each who kept going: the rival's ten weigh as three.
    let mut workers = Vec::new();
    for name in ["Trafford Link Workers", "Sale CMHT"] {
        let team = app.create_org(name, false).await;
        workers.push(app.create_key(team, "reader").await.1);
    }
    for i in 0..6 {
        went_then(
            &app,
            &workers[i % 2],
            &asset_id,
            json!({"outcome": "kept_going"}),
        )
        .await;
    }
    let now = matched(&app).await;
    let score = now["components"]["outcomes"].as_f64().unwrap();
    // (6 + 2.5) / (9 + 5) = 0.61; the rival's ten uncapped would have made it
    // (6 + 2.5) / (16 + 5) = 0.40, below the 0.5 of an asset with no outcomes at all.
    assert!((score - 8.5 / 14.0).abs() < 1e-3, "{now:#}");
}
