//! One paging style for every list of ours: `limit` and an opaque `cursor` in, `next_cursor`
//! (absent on the last page) and the same as a `Link: rel="next"` header out. Each list is
//! walked to its end by following the `Link` header, as a generic client would, and must give
//! exactly what one large page gives: same records, same order, none twice, none missing.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, spawn_app_with, walking_football};
use crate::webhooks::{Hook, Reply, fast_settings, quick_webhooks, subscribe};

/// The URL inside `<…>` of a `Link: <…>; rel="next"` header.
fn link_target(link: &str) -> String {
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    link[1..link.find('>').unwrap()].to_string()
}

/// Follows `Link` headers from `path` to the last page; returns every record of `field`.
async fn walk(app: &TestApp, path: &str, key: Option<&str>, field: &str) -> Vec<Value> {
    let mut url = path.to_string();
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let response = app.get(&url, key).await;
        assert_eq!(response.status(), 200, "{url}");
        let link = response
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = response.json().await.unwrap();
        all.extend(body[field].as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 1000, "{path}: no end");
        match body["next_cursor"].as_str() {
            None => {
                assert!(link.is_none(), "{url}: a Link header on the last page");
                break;
            }
            Some(cursor) => {
                let link = link.unwrap_or_else(|| panic!("{url}: next_cursor but no Link"));
                url = link_target(&link);
                assert!(url.contains(&format!("cursor={cursor}")), "{url}");
            }
        }
    }
    assert!(pages > 2, "{path}: only {pages} pages; the test needs more");
    all
}

fn ids(records: &[Value], id: &str) -> Vec<String> {
    records.iter().map(|r| r[id].to_string()).collect()
}

/// Walks `path` (which carries a small `limit`) and checks it against one page of `all`.
async fn walks_like_one_page(
    app: &TestApp,
    path: &str,
    all: &str,
    key: Option<&str>,
    field: &str,
    id: &str,
) {
    let walked = ids(&walk(app, path, key, field).await, id);
    let whole = app.get_json(all, key).await;
    assert!(whole["next_cursor"].is_null(), "{all} fits one page");
    let whole = ids(whole[field].as_array().unwrap(), id);
    assert_eq!(walked, whole, "{path}");
    let mut unique = walked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), walked.len(), "{path}: a record on two pages");
}

#[tokio::test]
async fn every_list_pages_the_same_way_to_the_end() {
    let app = spawn_app_with(fast_settings(quick_webhooks())).await;
    let admin = app.admin_key.clone();
    let (org, key) = app.agency("Paging Partnership", true).await;
    let hook = Hook::start(Reply::Ok).await;
    let webhook = subscribe(
        &app,
        &key,
        json!({"url": hook.url, "events": ["asset.created", "asset.updated"]}),
    )
    .await;
    for n in 0..4 {
        subscribe(
            &app,
            &key,
            json!({"url": format!("{}/{n}", hook.url), "events": ["asset.archived"]}),
        )
        .await;
        app.create_key(org, "reader").await;
    }
    let mut body = walking_football();
    let mut first = None;
    for n in 0..7 {
        body["title"] = json!(format!("Walking football {n}"));
        let created = app.create_asset(&key, &body).await;
        first.get_or_insert(created["id"].as_str().unwrap().to_string());
    }
    let asset = first.unwrap();
    for n in 0..6 {
        body["title"] = json!(format!("Walking football, edit {n}"));
        let current = app.get(&format!("/v1/assets/{asset}"), Some(&key)).await;
        let etag = current.headers()["etag"].to_str().unwrap().to_string();
        let response = app
            .request(Method::PUT, &format!("/v1/assets/{asset}"), Some(&key))
            .header("If-Match", etag)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    hook.wait_for(13, Duration::from_secs(20)).await;
    // Import runs created in one statement share their creation time: the id breaks the tie.
    let mut conn = app_db(&app).await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO imports (id, format, source, status) \
             SELECT gen_random_uuid(), 'oruk', 'https://feed.example.org/' || n, 'succeeded' \
             FROM generate_series(1, 7) n",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    // OpenActive sources, on a name that never resolves (their harvests fail harmlessly), two
    // of them made in one statement so that they share their creation time.
    for n in 0..5 {
        let response = app
            .send_json(
                Method::POST,
                "/v1/sources",
                Some(&admin),
                &json!({"name": format!("Publisher {n}"), "feeds": [format!("https://feeds.invalid/{n}")],
                        "licence": "https://creativecommons.org/licenses/by/4.0/", "attribution": "Test data"}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO openactive_sources (id, name, licence, attribution, poll_interval_secs) \
             SELECT gen_random_uuid(), 'Same time ' || n, 'https://creativecommons.org/licenses/by/4.0/', \
                    'Test data', 900 FROM generate_series(1, 2) n",
        ),
        &mut conn,
    )
    .await
    .unwrap();

    let search = "/v1/assets?q=football&limit=2";
    walks_like_one_page(
        &app,
        search,
        "/v1/assets?q=football&limit=100",
        None,
        "items",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        "/v1/assets.geojson?q=football&limit=2",
        "/v1/assets.geojson?q=football&limit=100",
        None,
        "features",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        &format!("/v1/organizations/{org}/assets?limit=2"),
        &format!("/v1/organizations/{org}/assets?limit=200"),
        Some(&key),
        "items",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        &format!("/v1/assets/{asset}/history?limit=2"),
        &format!("/v1/assets/{asset}/history?limit=200"),
        Some(&key),
        "events",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        &format!(
            "/v1/webhooks/{}/deliveries?limit=2",
            webhook["id"].as_str().unwrap()
        ),
        &format!(
            "/v1/webhooks/{}/deliveries?limit=200",
            webhook["id"].as_str().unwrap()
        ),
        Some(&key),
        "deliveries",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        "/v1/webhooks?limit=2",
        "/v1/webhooks?limit=200",
        Some(&key),
        "webhooks",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        &format!("/v1/organizations/{org}/api-keys?limit=2"),
        &format!("/v1/organizations/{org}/api-keys?limit=200"),
        Some(&key),
        "items",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        "/v1/imports?limit=2",
        "/v1/imports?limit=200",
        Some(&admin),
        "imports",
        "id",
    )
    .await;
    walks_like_one_page(
        &app,
        "/v1/sources?limit=2",
        "/v1/sources?limit=200",
        Some(&admin),
        "sources",
        "id",
    )
    .await;

    // The change feed never ends: it pages the same way until it is caught up.
    let mut url = "/v1/changes?limit=3".to_string();
    let mut walked = Vec::new();
    loop {
        let response = app.get(&url, Some(&key)).await;
        let link = link_target(response.headers()["link"].to_str().unwrap());
        let page: Value = response.json().await.unwrap();
        walked.extend(ids(page["changes"].as_array().unwrap(), "cursor"));
        assert!(link.contains(&format!("cursor={}", page["next_cursor"].as_str().unwrap())));
        if page["caught_up"] == true {
            break;
        }
        url = link;
    }
    let whole = app.get_json("/v1/changes?limit=1000", Some(&key)).await;
    assert_eq!(whole["caught_up"], true);
    assert_eq!(walked, ids(whole["changes"].as_array().unwrap(), "cursor"));
    assert!(walked.len() >= 13);
}
