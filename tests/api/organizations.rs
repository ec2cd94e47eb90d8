use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{problem_fields, spawn_app};

#[tokio::test]
async fn admin_creates_reads_and_patches_an_organisation() {
    let app = spawn_app().await;
    let response = app
        .send_json(
            Method::POST,
            "/v1/organizations",
            Some(&app.admin_key),
            &json!({"name": "Sale Harriers", "website": "https://example.org", "charity_number": "1123456"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/v1/organizations/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["trusted"], false);

    let read: Value = app.get(&location, None).await.json().await.unwrap();
    assert_eq!(read["name"], "Sale Harriers");

    let patched = app
        .send_json(
            Method::PATCH,
            &location,
            Some(&app.admin_key),
            &json!({"website": null, "trusted": true}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["website"], Value::Null);
    assert_eq!(patched["trusted"], true);
    assert_eq!(patched["charity_number"], "1123456");
    assert_eq!(patched["version"], 2);
}

#[tokio::test]
async fn agency_patches_only_its_own_organisation_and_not_trust() {
    let app = spawn_app().await;
    let (mine, key) = app.agency("Mine", false).await;
    let theirs = app.create_org("Theirs", false).await;
    let ok = app
        .send_json(
            Method::PATCH,
            &format!("/v1/organizations/{mine}"),
            Some(&key),
            &json!({"description": "We run walks"}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let other = app
        .send_json(
            Method::PATCH,
            &format!("/v1/organizations/{theirs}"),
            Some(&key),
            &json!({"description": "hijack"}),
        )
        .await;
    problem_fields(other, 403).await;
    let trust = app
        .send_json(
            Method::PATCH,
            &format!("/v1/organizations/{mine}"),
            Some(&key),
            &json!({"trusted": true}),
        )
        .await;
    problem_fields(trust, 403).await;
    let read: Value = app
        .get(&format!("/v1/organizations/{theirs}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        read["description"],
        Value::Null,
        "the refused patch changed nothing"
    );
}

#[tokio::test]
async fn only_admins_create_organisations() {
    let app = spawn_app().await;
    let (_, agency_key) = app.agency("Agency", false).await;
    let anonymous = app
        .send_json(
            Method::POST,
            "/v1/organizations",
            None,
            &json!({"name": "X"}),
        )
        .await;
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    problem_fields(anonymous, 401).await;
    let agency = app
        .send_json(
            Method::POST,
            "/v1/organizations",
            Some(&agency_key),
            &json!({"name": "X"}),
        )
        .await;
    problem_fields(agency, 403).await;
}

#[tokio::test]
async fn unknown_organisation_is_a_404_problem() {
    let app = spawn_app().await;
    problem_fields(
        app.get(&format!("/v1/organizations/{}", uuid::Uuid::new_v4()), None)
            .await,
        404,
    )
    .await;
    // A malformed id is the same invalid value in a path as in a query: 422, in our words.
    let response = app.get("/v1/organizations/not-a-uuid", None).await;
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["type"], "/problems/validation-error");
    assert_eq!(problem["errors"][0]["field"], "id");
    assert_eq!(
        problem["errors"][0]["reason"],
        "must be a UUID, such as 5a8c5b38-72e0-5099-b654-1be90fec86ab"
    );
    let fields = problem_fields(app.get("/v1/assets/42", None).await, 422).await;
    assert_eq!(fields, ["id"]);
    // The problem's type is a page that explains it.
    let page = app.get(problem["type"].as_str().unwrap(), None).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Invalid fields</h1>") && html.contains("HTTP status 422"));
    assert_eq!(app.get("/problems/no-such-thing", None).await.status(), 404);
}
