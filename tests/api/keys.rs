use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{problem_fields, spawn_app, walking_football};

#[tokio::test]
async fn key_secret_is_shown_once_and_works_until_revoked() {
    let app = spawn_app().await;
    let org = app.create_org("Trafford Walks", true).await;
    let response = app
        .send_json(
            Method::POST,
            &format!("/v1/organizations/{org}/api-keys"),
            Some(&app.admin_key),
            &json!({"name": "coordinator"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let key: Value = response.json().await.unwrap();
    assert_eq!(key["role"], "agency");
    let secret = key["secret"].as_str().unwrap();
    assert!(secret.starts_with(key["prefix"].as_str().unwrap()));

    assert_eq!(
        app.post_asset(secret, &walking_football()).await.status(),
        201
    );

    let revoked = app
        .request(
            Method::DELETE,
            &format!("/v1/api-keys/{}", key["id"].as_str().unwrap()),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let revoked: Value = revoked.json().await.unwrap();
    assert!(revoked["revoked_at"].is_string());
    assert!(
        revoked.get("secret").is_none(),
        "the secret is never shown again"
    );

    let fields = problem_fields(app.post_asset(secret, &walking_football()).await, 401).await;
    assert!(fields.is_empty());
}

#[tokio::test]
async fn missing_malformed_and_unknown_keys_are_401() {
    let app = spawn_app().await;
    problem_fields(app.post_asset("", &walking_football()).await, 401).await;
    let basic = app
        .client
        .post(app.url("/v1/assets"))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .json(&walking_football())
        .send()
        .await
        .unwrap();
    problem_fields(basic, 401).await;
    problem_fields(
        app.post_asset("ca_not-a-real-key", &walking_football())
            .await,
        401,
    )
    .await;
    problem_fields(
        app.post_asset("' OR 1=1 --", &walking_football()).await,
        401,
    )
    .await;
}

#[tokio::test]
async fn admin_keys_are_not_made_over_http_and_agencies_cannot_make_keys() {
    let app = spawn_app().await;
    let (org, agency) = app.agency("Org", false).await;
    let admin_role = app
        .send_json(
            Method::POST,
            &format!("/v1/organizations/{org}/api-keys"),
            Some(&app.admin_key),
            &json!({"name": "x", "role": "admin"}),
        )
        .await;
    assert_eq!(problem_fields(admin_role, 422).await, ["role"]);
    let by_agency = app
        .send_json(
            Method::POST,
            &format!("/v1/organizations/{org}/api-keys"),
            Some(&agency),
            &json!({"name": "x"}),
        )
        .await;
    problem_fields(by_agency, 403).await;
}

#[tokio::test]
async fn an_agency_cannot_revoke_another_organisations_key() {
    let app = spawn_app().await;
    let (_, mine) = app.agency("Mine", false).await;
    let theirs = app.create_org("Theirs", false).await;
    let (their_key_id, their_secret) = app.create_key(theirs, "agency").await;
    let response = app
        .request(
            Method::DELETE,
            &format!("/v1/api-keys/{their_key_id}"),
            Some(&mine),
        )
        .send()
        .await
        .unwrap();
    problem_fields(response, 404).await;
    assert_eq!(
        app.post_asset(&their_secret, &walking_football())
            .await
            .status(),
        201,
        "still works"
    );
}

#[tokio::test]
async fn anonymous_writes_are_refused_before_their_body_is_read() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/assets"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem_fields(response, 401).await;
}

#[tokio::test]
async fn an_organisation_lists_its_keys_with_their_last_use_but_never_a_secret() {
    let app = spawn_app().await;
    let (org, agency) = app.agency("Sale Striders", true).await;
    let (reader_id, _) = app.create_key(org, "reader").await;
    let (_, stranger) = app.agency("Elsewhere", false).await;
    let path = format!("/v1/organizations/{org}/api-keys");

    // The agency key has been used (to make its own request); the reader key not yet.
    assert_eq!(
        app.post_asset(&agency, &walking_football()).await.status(),
        201
    );
    let response = app.get(&path, Some(&agency)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{body}");
    assert!(items.iter().all(|k| k.get("secret").is_none()));
    assert!(
        !body.to_string().contains(&agency[8..]),
        "no secret in any form"
    );
    let by_role = |role: &str| items.iter().find(|k| k["role"] == role).unwrap().clone();
    assert!(by_role("agency")["last_used_at"].is_string());
    assert!(by_role("reader")["last_used_at"].is_null());
    assert_eq!(by_role("reader")["id"], reader_id.to_string());

    // Revoked keys stay listed, with when.
    let revoke = app
        .request(
            Method::DELETE,
            &format!("/v1/api-keys/{reader_id}"),
            Some(&agency),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    let admin_view: Value = app
        .get(&path, Some(&app.admin_key))
        .await
        .json()
        .await
        .unwrap();
    let reader_row = admin_view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == reader_id.to_string())
        .unwrap();
    assert!(reader_row["revoked_at"].is_string());

    problem_fields(app.get(&path, Some(&stranger)).await, 403).await;
    problem_fields(app.get(&path, None).await, 401).await;
    problem_fields(
        app.get(
            &format!("/v1/organizations/{}/api-keys", uuid::Uuid::new_v4()),
            Some(&app.admin_key),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_reader_key_cannot_list_its_organisations_keys() {
    let app = spawn_app().await;
    let org = app.create_org("Trafford Walks", true).await;
    let (_, reader) = app.create_key(org, "reader").await;
    problem_fields(
        app.get(&format!("/v1/organizations/{org}/api-keys"), Some(&reader))
            .await,
        403,
    )
    .await;
}
