//! Moderation of organisations not yet trusted: their new assets wait as `pending` (as before),
//! and now so do their changes to an asset an admin has published, and the venues they add.
//! Inline venues repeated by a `PUT` are kept, not duplicated, and ones no asset uses go.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, count, problem_fields, spawn_app, walking_football};

async fn put(app: &TestApp, key: &str, id: &str, version: &str, body: &Value) -> reqwest::Response {
    app.request(Method::PUT, &format!("/v1/assets/{id}"), Some(key))
        .header("If-Match", version)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn publish(app: &TestApp, id: &str) -> Value {
    let response = app
        .request(
            Method::POST,
            &format!("/v1/assets/{id}/publish"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn history_actions(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let page = app
        .get_json(
            &format!("/v1/assets/{id}/history?limit=100"),
            Some(&app.admin_key),
        )
        .await;
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity_type"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_untrusted_organisations_change_to_a_published_asset_waits_for_review() {
    let app = spawn_app().await;
    let (_, key) = app.agency("New Friends Club", false).await;
    let created = app.create_asset(&key, &walking_football()).await;
    assert_eq!(created["status"], "pending");
    let id = created["id"].as_str().unwrap().to_string();
    let published = publish(&app, &id).await;
    assert_eq!(published["status"], "published");
    let version = format!("\"{}\"", published["version"]);

    // The agency rewrites the published listing.
    let mut changed = walking_football();
    changed["title"] = json!("Send £50 to join");
    changed["contact"] = json!({"phone": "09098 790 790"});
    let response = put(&app, &key, &id, &version, &changed).await;
    assert_eq!(response.status(), 202);
    assert_eq!(
        response.headers()["etag"],
        version.as_str(),
        "nothing changed yet"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["title"], "Walking football for over-50s");
    assert_eq!(
        body["pending_change"]["submission"]["title"],
        "Send £50 to join"
    );

    // The public sees the published version everywhere.
    let public = app.get_json(&format!("/v1/assets/{id}"), None).await;
    assert_eq!(public["title"], "Walking football for over-50s");
    assert!(public.get("pending_change").is_none(), "{public}");
    let found = app.get_json("/v1/assets?q=join", None).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 0, "{found}");
    let feed = app.get_json(&format!("/oruk/services/{id}"), None).await;
    assert_eq!(feed["name"], "Walking football for over-50s");
    let matched: Value = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"lat": 53.4235, "lon": -2.3186}, "interests": ["walking football"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        matched["results"][0]["asset"]["title"],
        "Walking football for over-50s"
    );

    // A bad change is refused in full now, not at review.
    let mut bad = changed.clone();
    bad["interests"] = json!(["not a real interest term"]);
    bad["schedule"] = json!({"weekly": [{"day": "tue", "start": "19:00", "end": "18:00"}]});
    let fields = problem_fields(put(&app, &key, &id, &version, &bad).await, 422).await;
    assert!(fields.contains(&"interests[0]".to_string()), "{fields:?}");
    assert_eq!(fields.len(), 2, "{fields:?}");

    // The admin sees what waits, and approves it.
    let seen = app
        .get_json(&format!("/v1/assets/{id}"), Some(&app.admin_key))
        .await;
    assert_eq!(
        seen["pending_change"]["submission"]["title"],
        "Send £50 to join"
    );
    let approved = publish(&app, &id).await;
    assert_eq!(approved["title"], "Send £50 to join");
    assert!(approved.get("pending_change").is_none());
    let public = app.get_json(&format!("/v1/assets/{id}"), None).await;
    assert_eq!(public["contact"]["phone"], "09098 790 790");

    // Another change, turned down by the admin; one more, withdrawn by the agency.
    let version = format!("\"{}\"", approved["version"]);
    changed["title"] = json!("Second thoughts");
    assert_eq!(put(&app, &key, &id, &version, &changed).await.status(), 202);
    let rejected = app
        .request(
            Method::DELETE,
            &format!("/v1/assets/{id}/pending-change"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 200);
    let rejected: Value = rejected.json().await.unwrap();
    assert_eq!(rejected["title"], "Send £50 to join");
    assert!(rejected.get("pending_change").is_none());
    assert_eq!(put(&app, &key, &id, &version, &changed).await.status(), 202);
    let withdrawn = app
        .request(
            Method::DELETE,
            &format!("/v1/assets/{id}/pending-change"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 200);
    let nothing = app
        .request(
            Method::DELETE,
            &format!("/v1/assets/{id}/pending-change"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    problem_fields(nothing, 404).await;

    // The audit log shows each proposal and who decided.
    let actions = history_actions(&app, &id).await;
    let about_change: Vec<&str> = actions
        .iter()
        .filter(|(entity, _)| entity == "asset_change")
        .map(|(_, action)| action.as_str())
        .collect();
    assert_eq!(
        about_change,
        [
            "propose", "approve", "propose", "reject", "propose", "withdraw"
        ],
        "{actions:?}"
    );
    let page = app
        .get_json(
            &format!("/v1/assets/{id}/history?limit=100"),
            Some(&app.admin_key),
        )
        .await;
    let approval = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "approve")
        .unwrap();
    assert_eq!(approval["actor"]["role"], "admin");
    // A proposal is nothing a mirror or subscriber must hear of (the change feed and webhooks
    // read the asset's own entries); the approved update is one of those.
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'asset' \
                 AND entity_id = '{id}' AND action NOT IN ('create', 'publish', 'update')"
            )
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_trusted_organisation_changes_its_published_asset_at_once() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Sale Sports Club", true).await;
    let created = app.create_asset(&key, &walking_football()).await;
    let id = created["id"].as_str().unwrap();
    let mut changed = walking_football();
    changed["title"] = json!("Walking football (50+)");
    let response = put(&app, &key, id, "\"1\"", &changed).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["title"], "Walking football (50+)");
}

#[tokio::test]
async fn venues_of_untrusted_organisations_wait_for_moderation() {
    let app = spawn_app().await;
    let (_, key) = app.agency("New Friends Club", false).await;
    let venue = app
        .send_json(
            Method::POST,
            "/v1/venues",
            Some(&key),
            &json!({"name": "Our Hall", "location": {"lat": 53.42, "lon": -2.31}, "venue_type": "community_centre"}),
        )
        .await;
    assert_eq!(venue.status(), 201);
    let venue_id = venue.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/venues/{venue_id}");
    problem_fields(app.get(&path, None).await, 404).await;
    assert_eq!(app.get(&path, Some(&key)).await.status(), 200);
    assert_eq!(app.get(&path, Some(&app.admin_key)).await.status(), 200);
    // Another organisation can neither see it nor hold its sessions there.
    let (_, other) = app.agency("Other Club", true).await;
    problem_fields(app.get(&path, Some(&other)).await, 404).await;
    let mut there = walking_football();
    there.as_object_mut().unwrap().remove("venue");
    there["venue_id"] = json!(venue_id);
    assert_eq!(
        problem_fields(app.post_asset(&other, &there).await, 422).await,
        ["venue_id"]
    );
    // The organisation's own asset there waits; publishing it publishes the venue.
    let created: Value = app.post_asset(&key, &there).await.json().await.unwrap();
    assert_eq!(created["status"], "pending");
    problem_fields(app.get(&path, None).await, 404).await;
    publish(&app, created["id"].as_str().unwrap()).await;
    assert_eq!(app.get(&path, None).await.status(), 200);
    // Inline venues of an untrusted organisation wait too.
    let inline: Value = app
        .post_asset(&key, &walking_football())
        .await
        .json()
        .await
        .unwrap();
    let inline_venue = inline["venue"]["id"].as_str().unwrap();
    problem_fields(
        app.get(&format!("/v1/venues/{inline_venue}"), None).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_put_repeating_the_inline_venue_keeps_it_and_a_replaced_one_goes() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Sports Club", true).await;
    let created = app.create_asset(&key, &walking_football()).await;
    let id = created["id"].as_str().unwrap().to_string();
    let first_venue = created["venue"]["id"].as_str().unwrap().to_string();
    let mut version = 1;
    for i in 0..5 {
        let mut body = walking_football();
        body["title"] = json!(format!("Walking football, week {i}"));
        let response = put(&app, &key, &id, &format!("\"{version}\""), &body).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["venue"]["id"], first_venue.as_str(), "the same venue");
        version = body["version"].as_i64().unwrap();
    }
    let mut conn = app_db(&app).await;
    let venues = format!("SELECT count(*) AS n FROM venues WHERE organization_id = '{org}'");
    assert_eq!(count(&mut conn, &venues).await, 1);
    // The venue moves: the new one is stored, the old one (no longer used) goes, audited.
    let mut moved = walking_football();
    moved["venue"]["name"] = json!("Sale Leisure Centre, sports hall 2");
    let response = put(&app, &key, &id, &format!("\"{version}\""), &moved).await;
    let body: Value = response.json().await.unwrap();
    assert_ne!(body["venue"]["id"], first_venue.as_str());
    assert_eq!(count(&mut conn, &venues).await, 1);
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'venue' \
                 AND action = 'delete' AND entity_id = '{first_venue}'"
            )
        )
        .await,
        1
    );
    // A venue made on its own, or shared with another asset, is never collected.
    let shared: Value = app
        .send_json(
            Method::POST,
            "/v1/venues",
            Some(&key),
            &json!({"name": "Shared Hall", "location": {"lat": 53.42, "lon": -2.31}, "venue_type": "community_centre"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut at_shared = walking_football();
    at_shared.as_object_mut().unwrap().remove("venue");
    at_shared["venue_id"] = shared["id"].clone();
    let version = body["version"].as_i64().unwrap();
    let response = put(&app, &key, &id, &format!("\"{version}\""), &at_shared).await;
    assert_eq!(response.status(), 200);
    let response = put(
        &app,
        &key,
        &id,
        &format!("\"{}\"", version + 1),
        &walking_football(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        app.get(
            &format!("/v1/venues/{}", shared["id"].as_str().unwrap()),
            None
        )
        .await
        .status(),
        200,
        "still there"
    );
}
