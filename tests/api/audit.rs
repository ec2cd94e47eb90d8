//! The audit log: every write leaves one entry with who, what (before/after) and when, in the
//! write's own transaction; only admins and the asset's organisation read it; nothing can
//! change or remove an entry.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{app_db, count, spawn_app, walking_football};

#[tokio::test]
async fn every_write_to_an_asset_is_in_its_history() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Striders", false).await;
    let (_, other) = app.agency("Another agency", true).await;
    let (reader_id, reader) = app.create_key(org, "reader").await;

    let created = app.create_asset(&key, &walking_football()).await;
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/v1/assets/{id}");

    let mut changed = walking_football();
    changed["title"] = json!("Walking football (over-50s)");
    changed["cost"] = json!({"free": true});
    let put = app
        .request(Method::PUT, &path, Some(&key))
        .header("If-Match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let published = app
        .request(
            Method::POST,
            &format!("{path}/publish"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    // A refused write leaves no entry.
    let stale = app
        .request(Method::PUT, &path, Some(&key))
        .header("If-Match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let archived = app
        .request(Method::DELETE, &path, Some(&key))
        .send()
        .await
        .unwrap();
    assert!(archived.status().is_success());

    let history = app
        .get_json(&format!("{path}/history"), Some(&reader))
        .await;
    let events = history["events"].as_array().expect("events");
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["create", "update", "publish", "archive"],
        "{history:#}"
    );

    let create = &events[0];
    assert_eq!(create["actor"]["kind"], "key");
    assert_eq!(create["actor"]["organization_id"], org.to_string());
    assert_eq!(create["actor"]["role"], "agency");
    assert!(create.get("before").is_none());
    assert_eq!(create["after"]["title"], "Walking football for over-50s");
    assert_eq!(create["after"]["status"], "pending");
    assert_eq!(create["after"]["interests"], json!(["walking-football"]));

    let update = &events[1];
    assert_eq!(update["before"]["title"], "Walking football for over-50s");
    assert_eq!(update["after"]["title"], "Walking football (over-50s)");
    assert_eq!(update["before"]["cost_pence"], 300);
    assert_eq!(update["after"]["cost_free"], true);
    let changed_fields: Vec<&str> = update["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    // Named by the API's field paths, as GET /v1/assets/{id} shows the asset.
    assert!(
        changed_fields.contains(&"title")
            && changed_fields.contains(&"cost.amount_pence")
            && changed_fields.contains(&"cost.free"),
        "{changed_fields:?}"
    );
    assert!(
        changed_fields.iter().all(|f| !f.contains('_')
            || f.contains('.')
            || [
                "published_at",
                "confirmed_at",
                "service_area",
                "five_ways",
                "created_at",
                "source_tags"
            ]
            .contains(f)),
        "a column name leaked: {changed_fields:?}"
    );
    assert!(!changed_fields.contains(&"version"), "{changed_fields:?}");

    let publish = &events[2];
    assert_eq!(publish["actor"]["role"], "admin");
    assert!(publish["actor"].get("organization_id").is_none());
    assert_eq!(publish["changed"], json!(["published_at", "status"]));
    assert_eq!(events[3]["after"]["status"], "archived");
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    // Paging.
    let first = app
        .get_json(&format!("{path}/history?limit=3"), Some(&app.admin_key))
        .await;
    assert_eq!(first["events"].as_array().unwrap().len(), 3);
    let next = first["next_cursor"]
        .as_str()
        .expect("a full page has a next cursor");
    let rest = app
        .get_json(
            &format!("{path}/history?limit=3&cursor={next}"),
            Some(&app.admin_key),
        )
        .await;
    assert_eq!(rest["events"][0]["action"], "archive");

    // Who may read it.
    assert_eq!(
        app.get(&format!("{path}/history"), None).await.status(),
        401
    );
    assert_eq!(
        app.get(&format!("{path}/history"), Some(&other))
            .await
            .status(),
        404,
        "an archived asset of another organisation is not even acknowledged"
    );
    for bad in [
        "limit=0",
        "limit=201",
        "cursor=-1",
        "cursor=x",
        "after=3",
        "limt=3",
    ] {
        let response = app.get(&format!("{path}/history?{bad}"), Some(&key)).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    assert_eq!(
        app.get(
            &format!("/v1/assets/{}/history", uuid::Uuid::new_v4()),
            Some(&key)
        )
        .await
        .status(),
        404
    );

    // Keys and organisations are audited too, and the log cannot be rewritten.
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'api_key' \
                 AND entity_id = '{reader_id}' AND action = 'create' AND after ? 'prefix' \
                 AND NOT after ? 'secret_hash'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'organization' \
                 AND entity_id = '{org}' AND action = 'create'"
            )
        )
        .await,
        1
    );
    use diesel_async::RunQueryDsl;
    for statement in [
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let refused = diesel::sql_query(statement).execute(&mut conn).await;
        assert!(refused.is_err(), "{statement} must be refused");
    }
}

#[tokio::test]
async fn another_organisation_cannot_read_a_published_assets_history() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Trafford Walking Football", true).await;
    let (_, other) = app.agency("Another agency", true).await;
    let created = app.create_asset(&key, &walking_football()).await;
    let path = format!("/v1/assets/{}/history", created["id"].as_str().unwrap());
    assert_eq!(app.get(&path, Some(&other)).await.status(), 403);
    assert_eq!(app.get(&path, Some(&key)).await.status(), 200);
}
