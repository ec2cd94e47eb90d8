//! `export` and `restore`: the demo directory round-trips with nothing lost or changed.

use community_assets::backup;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{app_db, spawn_app, spawn_demo_app};

/// The export without its time, the keys' revocation (restored keys are revoked), keys that
/// are not in `only` (the copy's own admin key) and audit entries' numbers.
fn without_volatile(mut document: Value, only: &[Value]) -> Value {
    document.as_object_mut().unwrap().remove("exported_at");
    let keys = document["tables"]["api_keys"].as_array_mut().unwrap();
    keys.retain(|k| only.contains(&k["id"]));
    for key in keys {
        key.as_object_mut().unwrap().remove("revoked_at");
    }
    // Restored audit entries are numbered after the copy's own (its admin key's creation).
    let events = document["tables"]["audit_events"].as_array_mut().unwrap();
    events.retain(|e| e["entity_type"] != "api_key" || only.contains(&e["entity_id"]));
    for event in events {
        event.as_object_mut().unwrap().remove("id");
    }
    document
}

#[tokio::test]
async fn the_demo_directory_round_trips_through_export_and_restore() {
    let original = spawn_demo_app().await;
    // Something of every kind: a key, an archived asset, an import run.
    let org = original.create_org("Sale Community Hub", true).await;
    original.create_key(org, "agency").await;
    let found: Value = original.get_json("/v1/assets?limit=1", None).await;
    let archived = found["items"][0]["id"].as_str().unwrap();
    let response = original
        .request(
            Method::DELETE,
            &format!("/v1/assets/{archived}"),
            Some(&original.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = original
        .send_json(
            Method::POST,
            "/v1/imports",
            Some(&original.admin_key),
            // A public name that never resolves (RFC 2606): the run fails, and is kept.
            &json!({"url": "https://feeds.invalid/oruk"}),
        )
        .await;
    assert_eq!(response.status(), 202);
    // A change waiting for review: an untrusted organisation's edit of its published asset.
    let (_, untrusted) = original.agency("New Friends Club", false).await;
    let created: Value = original
        .post_asset(&untrusted, &crate::helpers::walking_football())
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let published = original
        .request(
            Method::POST,
            &format!("/v1/assets/{id}/publish"),
            Some(&original.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    let mut changed = crate::helpers::walking_football();
    changed["title"] = json!("Walking football, changed");
    let proposed = original
        .request(Method::PUT, &format!("/v1/assets/{id}"), Some(&untrusted))
        .header("If-Match", "*")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), 202);

    let exported = backup::export(&mut app_db(&original).await).await.unwrap();
    let text = serde_json::to_string(&exported).unwrap();
    assert!(
        !text.contains("secret_hash"),
        "secrets never leave the database"
    );
    assert!(exported["tables"]["assets"].as_array().unwrap().len() >= 480);
    assert!(exported["tables"]["audit_events"].as_array().unwrap().len() >= 4);
    assert_eq!(
        exported["tables"]["asset_pending_changes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let copy = spawn_app().await;
    let mut conn = app_db(&copy).await;
    let restored = backup::restore(&mut conn, &exported).await.unwrap();
    assert!(restored.iter().any(|(t, n)| t == "assets" && *n >= 480));
    let again = backup::export(&mut conn).await.unwrap();
    let key_ids: Vec<Value> = exported["tables"]["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].clone())
        .collect();
    assert!(key_ids.len() >= 2);
    assert_eq!(
        without_volatile(again.clone(), &key_ids),
        without_volatile(exported.clone(), &key_ids),
        "every table comes back row for row"
    );
    for key in again["tables"]["api_keys"].as_array().unwrap() {
        if key_ids.contains(&key["id"]) {
            assert!(
                key["revoked_at"].is_string(),
                "restored keys cannot be used"
            );
        }
    }
    // The copy serves the same answers.
    let query = "/v1/assets?postcode=M32%200JG&radius_km=3&interest=sport";
    let a: Value = original.get_json(query, None).await;
    let b: Value = copy.get_json(query, None).await;
    assert_eq!(a["items"], b["items"]);
    assert_eq!(
        copy.get(&format!("/v1/assets/{archived}"), Some(&copy.admin_key))
            .await
            .status(),
        410
    );

    // A second restore is refused and changes nothing.
    let error = backup::restore(&mut conn, &exported).await.unwrap_err();
    assert!(error.to_string().contains("empty directory"), "{error}");
    let error = backup::restore(&mut conn, &json!({"format": "other"}))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not a community-assets export"));
}
