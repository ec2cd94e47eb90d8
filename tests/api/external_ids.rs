//! Agency systems push listings by their own ids: `PUT …/assets/by-external-id/{external_id}`
//! creates, replaces, leaves alone what is unchanged, revives what was archived, and never
//! touches another organisation's listings.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, count, problem_fields, spawn_app, walking_football};

async fn put(
    app: &TestApp,
    key: &str,
    org: &str,
    external: &str,
    body: &Value,
) -> reqwest::Response {
    app.request(
        Method::PUT,
        &format!("/v1/organizations/{org}/assets/by-external-id/{external}"),
        Some(key),
    )
    .json(body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_put_by_external_id_creates_then_replaces_and_a_repeat_writes_nothing() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Booking System Club", true).await;
    let org = org.to_string();
    let mut body = walking_football();
    body["participation"] = json!({"levels": ["Beginner", "beginner"], "coached": true,
        "attendee_instructions": "Bring water", "accessibility_support": ["Visual impairment"],
        "prepayment": "optional"});

    let created = put(&app, &key, &org, "session%2F42", &body).await;
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["external_id"], "session/42");
    assert_eq!(created["participation"]["levels"], json!(["Beginner"]));
    assert_eq!(created["participation"]["prepayment"], "optional");
    assert_eq!(
        location,
        format!("/v1/assets/{}", created["id"].as_str().unwrap())
    );

    let again = put(&app, &key, &org, "session%2F42", &body).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], created["id"]);
    assert_eq!(
        again["version"], created["version"],
        "an unchanged body writes nothing"
    );

    body["title"] = json!("Walking football, Thursdays");
    let replaced: Value = put(&app, &key, &org, "session%2F42", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replaced["id"], created["id"]);
    assert_eq!(replaced["title"], "Walking football, Thursdays");
    assert_eq!(
        replaced["version"],
        created["version"].as_i64().unwrap() + 1
    );

    let read = app
        .get_json(
            &format!("/v1/organizations/{org}/assets/by-external-id/session%2F42"),
            None,
        )
        .await;
    assert_eq!(read["id"], created["id"]);

    // Someone edits it by our id: the same external body is no longer "unchanged".
    let id = created["id"].as_str().unwrap();
    let mut edited = body.clone();
    edited["title"] = json!("Edited by hand");
    let response = app
        .request(Method::PUT, &format!("/v1/assets/{id}"), Some(&key))
        .header("If-Match", "*")
        .json(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let back: Value = put(&app, &key, &org, "session%2F42", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(back["title"], "Walking football, Thursdays");

    // Archived, then pushed again: it comes back, the same asset.
    let response = app
        .request(Method::DELETE, &format!("/v1/assets/{id}"), Some(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let revived = put(&app, &key, &org, "session%2F42", &body).await;
    assert_eq!(revived.status(), 200);
    let revived: Value = revived.json().await.unwrap();
    assert_eq!(revived["id"], created["id"]);
    assert_eq!(revived["status"], "published");

    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM assets WHERE organization_id = '{org}'")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn external_ids_are_the_organisation_s_own_and_must_agree_with_the_path() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Club A", true).await;
    let (other_org, other_key) = app.agency("Club B", true).await;
    let (org, other_org) = (org.to_string(), other_org.to_string());

    assert_eq!(
        put(&app, &key, &org, "x1", &walking_football())
            .await
            .status(),
        201
    );
    // Another organisation may use the same id for its own listing…
    assert_eq!(
        put(&app, &other_key, &other_org, "x1", &walking_football())
            .await
            .status(),
        201
    );
    // …but not write under the first organisation.
    assert_eq!(
        put(&app, &other_key, &org, "x1", &walking_football())
            .await
            .status(),
        403
    );

    let mut body = walking_football();
    body["external_id"] = json!("x2");
    let fields = problem_fields(put(&app, &key, &org, "x1", &body).await, 422).await;
    assert_eq!(fields, ["external_id"]);

    // A second asset posted with an external id already in use is a conflict naming it.
    body["external_id"] = json!("x1");
    let response = app.post_asset(&key, &body).await;
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("external_id"),
        "{problem}"
    );

    let missing = app
        .get(
            &format!("/v1/organizations/{org}/assets/by-external-id/nope"),
            None,
        )
        .await;
    assert_eq!(missing.status(), 404);
    let blank = put(&app, &key, &org, "%20", &walking_football()).await;
    assert_eq!(problem_fields(blank, 422).await, ["external_id"]);
}
