//! Freshness: every asset is fresh, due or stale by when it was last confirmed; agencies list
//! what they must confirm; long-unconfirmed listings leave default searches but are kept.

use community_assets::domain::freshness::FreshnessPolicy;
use community_assets::startup::Settings;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, app_db, problem_fields, spawn_app, spawn_app_with, walking_football,
};

async fn asset(app: &TestApp, key: &str, title: &str) -> Uuid {
    let mut body = walking_football();
    body["title"] = json!(title);
    let response = app.post_asset(key, &body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().parse().unwrap()
}

/// Pretends the provider last confirmed the asset this many days ago.
async fn confirmed_days_ago(app: &TestApp, id: Uuid, days: i32) {
    let mut conn = app_db(app).await;
    diesel::sql_query(
        "UPDATE assets SET confirmed_at = now() - make_interval(days => $2) WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Int4, _>(days)
    .execute(&mut conn)
    .await
    .unwrap();
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

fn found(page: &Value, title: &str) -> bool {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["asset"]["title"] == title || i["title"] == title)
}

#[tokio::test]
async fn agencies_see_what_to_confirm_and_stale_listings_leave_default_searches() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Striders", true).await;
    let fresh = asset(&app, &key, "Fresh walking football").await;
    let due = asset(&app, &key, "Due walking football").await;
    let stale = asset(&app, &key, "Stale walking football").await;
    let hidden = asset(&app, &key, "Forgotten walking football").await;
    confirmed_days_ago(&app, due, 200).await;
    confirmed_days_ago(&app, stale, 400).await;
    confirmed_days_ago(&app, hidden, 600).await;

    for (id, state) in [
        (fresh, "fresh"),
        (due, "due"),
        (stale, "stale"),
        (hidden, "stale"),
    ] {
        let view = app.get_json(&format!("/v1/assets/{id}"), None).await;
        assert_eq!(view["freshness"], state, "{}", view["title"]);
    }

    // What the agency must confirm, the longest unconfirmed first, a page at a time.
    let path = format!("/v1/organizations/{org}/assets");
    let first = app
        .get_json(
            &format!("{path}?freshness=due&freshness=stale&limit=2"),
            Some(&key),
        )
        .await;
    assert_eq!(
        titles(&first),
        ["Forgotten walking football", "Stale walking football"]
    );
    assert_eq!(first["counts"], json!({"fresh": 1, "due": 1, "stale": 2}));
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_json(
            &format!("{path}?freshness=due&freshness=stale&limit=2&cursor={cursor}"),
            Some(&key),
        )
        .await;
    assert_eq!(titles(&second), ["Due walking football"]);
    assert!(second.get("next_cursor").is_none());
    let everything = app.get_json(&path, None).await;
    assert_eq!(titles(&everything).len(), 4, "published ones are public");

    // Default searches leave out what has not been confirmed for 18 months; it is kept.
    let search = "/v1/assets?postcode=M33%202AB&radius_km=2&limit=50";
    let default = app.get_json(search, None).await;
    assert!(found(&default, "Stale walking football"));
    assert!(!found(&default, "Forgotten walking football"));
    let with_stale = app
        .get_json(&format!("{search}&include_stale=true"), None)
        .await;
    assert!(found(&with_stale, "Forgotten walking football"));

    // Confirming makes it fresh, and findable, again.
    let confirmed = app
        .request(
            Method::POST,
            &format!("/v1/assets/{hidden}/confirm"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(confirmed["freshness"], "fresh");
    assert!(found(
        &app.get_json(search, None).await,
        "Forgotten walking football"
    ));
    let after = app.get_json(&path, Some(&key)).await;
    assert_eq!(after["counts"], json!({"fresh": 2, "due": 1, "stale": 1}));

    // Matching shows the same state on each suggestion.
    let matched = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"postcode": "M33 2AB"}, "interests": ["walking football"], "age": 60}),
        )
        .await;
    assert_eq!(matched.status(), 200);
    let matched: Value = matched.json().await.unwrap();
    let states: Vec<&str> = matched["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["asset"]["freshness"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"due") && states.contains(&"fresh"),
        "{states:?}"
    );
}

#[tokio::test]
async fn the_listing_refuses_what_it_cannot_answer() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Striders", false).await;
    asset(&app, &key, "Pending walking football").await;
    let path = format!("/v1/organizations/{org}/assets");
    let own = app.get_json(&path, Some(&key)).await;
    assert_eq!(
        titles(&own),
        ["Pending walking football"],
        "its own pending asset"
    );
    assert_eq!(
        titles(&app.get_json(&path, None).await).len(),
        0,
        "not public"
    );
    problem_fields(app.get(&format!("{path}?status=pending"), None).await, 403).await;
    let (_, stranger) = app.agency("Elsewhere", true).await;
    problem_fields(
        app.get(&format!("{path}?status=archived"), Some(&stranger))
            .await,
        403,
    )
    .await;
    for (query, field) in [
        ("freshness=old", "freshness"),
        ("status=deleted", "status"),
        ("limit=0", "limit"),
        ("cursor=bm9wZQ", "cursor"),
        ("sort=title", "sort"),
    ] {
        let fields =
            problem_fields(app.get(&format!("{path}?{query}"), Some(&key)).await, 422).await;
        assert_eq!(fields, [field], "{query}");
    }
    problem_fields(
        app.get(
            &format!("/v1/organizations/{}/assets", Uuid::new_v4()),
            None,
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn thresholds_are_configurable() {
    let app = spawn_app_with(Settings {
        freshness: FreshnessPolicy::new(10, 20, 30).unwrap(),
        ..Settings::default()
    })
    .await;
    let (org, key) = app.agency("Sale Striders", true).await;
    let id = asset(&app, &key, "Walking football").await;
    for (days, state, searchable) in [
        (5, "fresh", true),
        (15, "due", true),
        (25, "stale", true),
        (35, "stale", false),
    ] {
        confirmed_days_ago(&app, id, days).await;
        let view = app.get_json(&format!("/v1/assets/{id}"), None).await;
        assert_eq!(view["freshness"], state, "{days} days");
        let search = app
            .get_json("/v1/assets?postcode=M33%202AB&radius_km=2", None)
            .await;
        assert_eq!(
            found(&search, "Walking football"),
            searchable,
            "{days} days"
        );
        let listing = app
            .get_json(
                &format!("/v1/organizations/{org}/assets?freshness={state}"),
                None,
            )
            .await;
        assert_eq!(titles(&listing), ["Walking football"], "{days} days");
    }
}
