//! The change feed: every change once, in an order no later commit can break, visible as the
//! asset is, resumable from any cursor.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use community_assets::domain::changes::decode_cursor;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{TestApp, app_db, problem_fields, spawn_app, walking_football};

/// Reads from `after` until the feed is caught up; returns the changes and the last cursor.
async fn read_all(
    app: &TestApp,
    key: Option<&str>,
    after: &str,
    limit: u32,
) -> (Vec<Value>, String) {
    let mut cursor = after.to_string();
    let mut seen = Vec::new();
    loop {
        let path = if cursor.is_empty() {
            format!("/v1/changes?limit={limit}")
        } else {
            format!("/v1/changes?limit={limit}&cursor={cursor}")
        };
        let page = app.get(&path, key).await;
        assert_eq!(page.status(), 200);
        let page: Value = page.json().await.unwrap();
        seen.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if page["caught_up"] == true {
            return (seen, cursor);
        }
    }
}

/// Reads from `after` until at least `count` changes have come. Transactions anywhere on the
/// cluster (other tests' too) hold the feed's horizon back for a moment, so one read may stop
/// short.
async fn read_until(
    app: &TestApp,
    key: Option<&str>,
    after: &str,
    count: usize,
) -> (Vec<Value>, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut seen, mut cursor) = (Vec::new(), after.to_string());
    while seen.len() < count && Instant::now() < deadline {
        let (more, next) = read_all(app, key, &cursor, 100).await;
        seen.extend(more);
        cursor = next;
        if seen.len() < count {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    (seen, cursor)
}

async fn create(app: &TestApp, key: &str, title: &str) -> String {
    let mut body = walking_football();
    body["title"] = title.into();
    let response = app.post_asset(key, &body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_change_committed_late_is_never_skipped() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Striders", true).await;
    let id = create(&app, &key, "Walking football").await;
    let (before, cursor) = read_until(&app, Some(&app.admin_key), "", 1).await;
    assert_eq!(before.len(), 1);

    // A slow writer: its transaction takes its place in the log, and stays open.
    let mut slow = app_db(&app).await;
    diesel::sql_query("BEGIN").execute(&mut slow).await.unwrap();
    diesel::sql_query(
        "INSERT INTO audit_events (actor_kind, action, entity_type, entity_id, organization_id, after) \
         VALUES ('command_line', 'update', 'asset', $1, $2, audit_snapshot('asset', $1))",
    )
    .bind::<diesel::sql_types::Uuid, _>(id.parse::<Uuid>().unwrap())
    .bind::<diesel::sql_types::Uuid, _>(org)
    .execute(&mut slow)
    .await
    .unwrap();

    // A quick writer commits after it started.
    let confirmed = app
        .request(
            Method::POST,
            &format!("/v1/assets/{id}/confirm"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    let (held, same) = read_all(&app, Some(&app.admin_key), &cursor, 100).await;
    assert!(
        held.is_empty(),
        "served past a transaction still running: {held:?}"
    );
    assert_eq!(same, cursor);

    diesel::sql_query("COMMIT")
        .execute(&mut slow)
        .await
        .unwrap();
    let (after, end) = read_until(&app, Some(&app.admin_key), &cursor, 2).await;
    let actions: Vec<&str> = after
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["update", "confirm"],
        "both, the earlier transaction first"
    );
    let (again, _) = read_all(&app, Some(&app.admin_key), &end, 100).await;
    assert!(again.is_empty(), "nothing twice");
}

#[tokio::test]
async fn under_concurrent_writes_every_change_arrives_once_in_order() {
    let app = spawn_app().await;
    let mut keys = Vec::new();
    for n in 0..4 {
        keys.push(app.agency(&format!("Agency {n}"), true).await.1);
    }
    let (_, start) = read_all(&app, Some(&app.admin_key), "", 100).await;
    let writers = keys.iter().enumerate().map(|(n, key)| {
        let app = &app;
        async move {
            let mut ids = Vec::new();
            for i in 0..10 {
                ids.push(create(app, key, &format!("Walking football {n}-{i}")).await);
            }
            ids
        }
    });
    let reader = async {
        let mut seen: Vec<Value> = Vec::new();
        let mut cursor = start.clone();
        let deadline = Instant::now() + Duration::from_secs(60);
        while seen.len() < 40 && Instant::now() < deadline {
            let (page, next) = read_all(&app, Some(&app.admin_key), &cursor, 7).await;
            seen.extend(page);
            cursor = next;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        seen
    };
    let (created, seen) = tokio::join!(futures_util::future::join_all(writers), reader);
    let created: HashSet<String> = created.into_iter().flatten().collect();
    assert_eq!(created.len(), 40);
    let ids: Vec<i64> = seen.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no duplicates"
    );
    let assets: HashSet<String> = seen
        .iter()
        .map(|c| c["asset_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(assets, created, "no gaps");
    let positions: Vec<(i64, i64)> = seen
        .iter()
        .map(|c| decode_cursor(c["cursor"].as_str().unwrap()).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "in order");
    assert!(
        seen.iter()
            .all(|c| c["action"] == "create" && c["asset"]["id"] == c["asset_id"])
    );
}

#[tokio::test]
async fn the_public_sees_published_changes_and_insiders_see_their_own() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Untrusted group", false).await;
    let (_, start) = read_all(&app, None, "", 100).await;
    let id = create(&app, &key, "Pending walking football").await;
    // Once the organisation's own key sees the change, the horizon has passed it for everyone.
    let (own, _) = read_until(&app, Some(&key), &start, 1).await;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["asset"]["status"], "pending");
    let (public, _) = read_all(&app, None, &start, 100).await;
    assert!(
        public.is_empty(),
        "a pending asset is not public: {public:?}"
    );

    let published = app
        .request(
            Method::POST,
            &format!("/v1/assets/{id}/publish"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    let archived = app
        .request(Method::DELETE, &format!("/v1/assets/{id}"), Some(&key))
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    assert!(archived.status().is_success());
    let (all, _) = read_until(&app, Some(&app.admin_key), &start, 3).await;
    assert_eq!(all.len(), 3, "create, publish, archive: {all:?}");
    let (public, _) = read_all(&app, None, &start, 100).await;
    let actions: Vec<&str> = public
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["archive"],
        "only the end of a published asset: {public:?}"
    );
    assert!(
        public[0]["asset"].is_null(),
        "archived: no state, remove it"
    );

    for query in [
        "cursor=nonsense",
        "cursor=LTEuMg",
        "limit=0",
        "limit=1001",
        "since=1",
        "after=MS4x",
    ] {
        problem_fields(app.get(&format!("/v1/changes?{query}"), None).await, 422).await;
    }
}

/// Every change the public feed gives from the start until it is caught up.
async fn whole_public_feed(app: &TestApp) -> Vec<Value> {
    let mut cursor = String::new();
    let mut all = Vec::new();
    loop {
        let page = app
            .get_json(&format!("/v1/changes?limit=1000&cursor={cursor}"), None)
            .await;
        all.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if page["caught_up"] == true {
            return all;
        }
    }
}

/// The published asset ids, from the ORUK feed (every published asset, in id order).
async fn published_ids(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for page in 1.. {
        let body = app
            .get_json(
                &format!("/oruk/services?minimal=true&per_page=500&page={page}"),
                None,
            )
            .await;
        ids.extend(
            body["contents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_string()),
        );
        if body["last_page"] == true {
            break;
        }
    }
    ids.sort();
    ids
}

/// A mirror built from the feed the way the README says holds what was seeded or restored,
/// not only what was written through the API afterwards.
#[tokio::test]
async fn seeded_and_restored_assets_are_in_the_change_feed() {
    let demo = crate::helpers::spawn_demo_app().await;
    let feed = whole_public_feed(&demo).await;
    let mut mirrored: Vec<String> = feed
        .iter()
        .filter(|c| !c["asset"].is_null())
        .map(|c| c["asset_id"].as_str().unwrap().to_string())
        .collect();
    mirrored.sort();
    mirrored.dedup();
    let published = published_ids(&demo).await;
    assert!(published.len() >= 400);
    assert_eq!(mirrored, published);
    assert!(feed.iter().all(|c| c["action"] == "create"));

    // An export with no audit entries for its assets (an older build's, or a bulk load) is
    // restored into the feed too.
    let mut exported = community_assets::backup::export(&mut crate::helpers::app_db(&demo).await)
        .await
        .unwrap();
    exported["tables"]["audit_events"] = serde_json::json!([]);
    let copy = spawn_app().await;
    community_assets::backup::restore(&mut crate::helpers::app_db(&copy).await, &exported)
        .await
        .unwrap();
    let mut restored: Vec<String> = whole_public_feed(&copy)
        .await
        .iter()
        .filter(|c| !c["asset"].is_null())
        .map(|c| c["asset_id"].as_str().unwrap().to_string())
        .collect();
    restored.sort();
    assert_eq!(restored, published);
}
