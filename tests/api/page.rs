//! The page at `/` and the endpoints made for it (and for any map or form like it): the map's
//! tiles, the key's own description and interest phrases read on their own.

use std::time::{Duration, Instant};

use community_assets::page::MapSettings;
use community_assets::startup::Settings;
use reqwest::Method;
use serde_json::{Value, json};

use diesel_async::SimpleAsyncConnection;

use crate::helpers::{
    TestApp, app_db, problem_fields, spawn_app, spawn_app_with, walking_football,
};

#[tokio::test]
async fn the_page_and_its_files_are_served_under_a_policy_that_lets_in_nothing_else() {
    let app = spawn_app().await;
    let page = app.get("/", None).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(policy.contains("connect-src 'self';"), "{policy}");
    assert!(
        policy.contains("https://tile.openstreetmap.org"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png""#));
    assert!(!html.contains("<script>") && !html.contains(" style="));

    // Every file the page names is there, with its type; nothing is loaded from elsewhere.
    let named = regex::Regex::new(r#"(?:src|href)="([^"]+)""#).unwrap();
    let mut files = 0;
    for found in named.captures_iter(&html) {
        let path = &found[1];
        assert!(
            path.starts_with("/ui/") || path.starts_with('#') || path.starts_with("data:"),
            "{path}"
        );
        if !path.starts_with("/ui/") {
            continue;
        }
        let file = app.get(path, None).await;
        assert_eq!(file.status(), 200, "{path}");
        let kind = file.headers()["content-type"].to_str().unwrap().to_string();
        let expected = if path.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        let etag = file.headers()["etag"].clone();
        let again = app
            .request(Method::GET, path, None)
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        files += 1;
    }
    assert!(files >= 3, "the page names {files} files");
    let head = app.request(Method::HEAD, "/", None).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(app.get("/ui/no-such-file.js", None).await.status(), 404);
    assert_eq!(app.get("/ui/index.html", None).await.status(), 404);
}

#[tokio::test]
async fn without_tiles_the_page_asks_for_none_and_the_policy_lets_in_no_tile_server() {
    let app = spawn_app_with(Settings {
        workers: Some(1),
        map: MapSettings {
            tiles: None,
            attribution: "Test tiles".into(),
        },
        ..Settings::default()
    })
    .await;
    let page = app.get("/", None).await;
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("img-src 'self' data: blob:;"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"data-tiles="""#));
    assert!(html.contains(r#"data-tile-attribution="Test tiles""#));
}

/// An asset at a point, created by the agency; returns its id.
async fn asset_at(app: &TestApp, key: &str, title: &str, lat: f64, lon: f64) -> String {
    let mut body = walking_football();
    body["title"] = json!(title);
    body["venue"]["name"] = json!(format!("{title} hall"));
    body["venue"]["location"] = json!({"lat": lat, "lon": lon});
    let created = app.create_asset(key, &body).await;
    created["id"].as_str().unwrap().to_string()
}

/// The tile at zoom `z` holding the point, as (path, body).
async fn tile_at(app: &TestApp, z: u8, lat: f64, lon: f64) -> (String, Value) {
    let id = community_assets::domain::map_tile::TileId::containing(z, lon, lat).unwrap();
    let path = format!("/v1/map/tiles/{}/{}/{}", id.z, id.x, id.y);
    let response = app.get(&path, None).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    (path, response.json().await.unwrap())
}

fn singles(tile: &Value) -> Vec<String> {
    let mut titles: Vec<String> = tile["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["count"] == 1)
        .map(|f| f["properties"]["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn map_tiles_draw_every_published_placed_asset_once_clustered_by_zoom() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Map makers", true).await;
    // Two halls 60 m apart in Stretford, one in York; an archived one and an online-only one.
    asset_at(&app, &key, "Chess club", 53.4466, -2.3097).await;
    asset_at(&app, &key, "Book club", 53.4471, -2.3100).await;
    asset_at(&app, &key, "Choir", 53.9590, -1.0815).await;
    let gone = asset_at(&app, &key, "Old choir", 53.4480, -2.3090).await;
    let archived = app
        .request(Method::DELETE, &format!("/v1/assets/{gone}"), Some(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    let mut online = walking_football();
    online.as_object_mut().unwrap().remove("venue");
    online["online"] = json!(true);
    online["title"] = json!("Online quiz");
    app.create_asset(&key, &online).await;

    let (_, world) = tile_at(&app, 0, 53.4466, -2.3097).await;
    assert_eq!(world["total"], 3, "{world}");
    assert_eq!(world["type"], "FeatureCollection");
    // The country: Stretford's two are one cluster of 2, York apart.
    let (_, country) = tile_at(&app, 6, 53.4466, -2.3097).await;
    let counts: Vec<i64> = country["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["count"].as_i64().unwrap())
        .collect();
    assert!(counts.contains(&2), "{country}");
    let cluster = country["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["count"] == 2)
        .unwrap();
    assert_eq!(cluster["properties"], json!({"count": 2}));
    let lat = cluster["geometry"]["coordinates"][1].as_f64().unwrap();
    assert!(
        (lat - 53.44685).abs() < 1e-4,
        "the cluster sits between its two: {lat}"
    );
    // Street level: each on its own, with its id and title.
    let (_, street) = tile_at(&app, 18, 53.4466, -2.3097).await;
    let (_, next_door) = tile_at(&app, 18, 53.4471, -2.3100).await;
    let mut seen = singles(&street);
    seen.extend(singles(&next_door));
    seen.sort();
    seen.dedup();
    assert_eq!(seen, vec!["Book club", "Chess club"]);
    let one = &street["features"][0]["properties"];
    assert_eq!(one["kind"], "activity");
    assert!(one["id"].as_str().unwrap().len() == 36);

    // Summed over the four tiles of zoom 1, every asset is counted once.
    let mut total = 0;
    for (x, y) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let tile: Value = app
            .get_json(&format!("/v1/map/tiles/1/{x}/{y}"), None)
            .await;
        total += tile["total"].as_i64().unwrap();
    }
    assert_eq!(total, 3);
}

async fn wait_for_total(app: &TestApp, path: &str, expected: i64) -> Value {
    let started = Instant::now();
    loop {
        let tile: Value = app.get_json(path, None).await;
        if tile["total"] == expected {
            return tile;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{path} still shows {} after 20 s, not {expected}",
            tile["total"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_cached_tile_shows_changes_within_seconds_and_revalidates() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Movers", true).await;
    let (lat, lon) = (53.4466, -2.3097);
    let id = asset_at(&app, &key, "Chess club", lat, lon).await;
    let (path, first) = tile_at(&app, 14, lat, lon).await;
    assert_eq!(first["total"], 1);

    // The same tile again comes from the cache, and a copy held is current.
    let response = app.get(&path, None).await;
    let etag = response.headers()["etag"].clone();
    let again = app
        .request(Method::GET, &path, None)
        .header("If-None-Match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A new asset in the tile appears, even while another transaction runs long (the change
    // feed would hold it back until that one ends).
    let mut long = app_db(&app).await;
    long.batch_execute("BEGIN; SELECT pg_current_xact_id();")
        .await
        .unwrap();
    asset_at(&app, &key, "Book club", lat + 0.0005, lon).await;
    wait_for_total(&app, &path, 2).await;
    long.batch_execute("ROLLBACK").await.unwrap();
    let changed = app
        .request(Method::GET, &path, None)
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);

    // Moving one to York takes it off this tile and onto York's.
    let (york_path, york) = tile_at(&app, 14, 53.9590, -1.0815).await;
    assert_eq!(york["total"], 0);
    let mut moved = walking_football();
    moved["title"] = json!("Chess club");
    moved["venue"]["name"] = json!("York hall");
    moved["venue"]["location"] = json!({"lat": 53.9590, "lon": -1.0815});
    let response = app
        .request(Method::PUT, &format!("/v1/assets/{id}"), Some(&key))
        .header("If-Match", "\"1\"")
        .json(&moved)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    wait_for_total(&app, &path, 1).await;
    wait_for_total(&app, &york_path, 1).await;

    // Archived, it leaves the map.
    let archived = app
        .request(Method::DELETE, &format!("/v1/assets/{id}"), Some(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    wait_for_total(&app, &york_path, 0).await;
}

#[tokio::test]
async fn tiles_that_do_not_exist_are_refused_by_name() {
    let app = spawn_app().await;
    for (path, field) in [
        ("/v1/map/tiles/21/0/0", "z"),
        ("/v1/map/tiles/3/8/0", "x"),
        ("/v1/map/tiles/3/0/8", "y"),
        ("/v1/map/tiles/a/0/0", "z"),
        ("/v1/map/tiles/3/-1/0", "x"),
    ] {
        let fields = problem_fields(app.get(path, None).await, 422).await;
        assert_eq!(fields, vec![field], "{path}");
    }
}

#[tokio::test]
async fn a_key_can_ask_what_it_is_and_a_revoked_or_missing_one_cannot() {
    let app = spawn_app().await;
    let org = app.create_org("Askers", true).await;
    let (key_id, secret) = app.create_key(org, "agency").await;
    let me = app.get("/v1/api-key", Some(&secret)).await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.headers()["cache-control"], "no-store");
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["id"], key_id.to_string());
    assert_eq!(me["role"], "agency");
    assert_eq!(me["organization_id"], org.to_string());
    assert!(me.get("secret").is_none());

    problem_fields(app.get("/v1/api-key", None).await, 401).await;
    let revoked = app
        .request(
            Method::DELETE,
            &format!("/v1/api-keys/{key_id}"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    problem_fields(app.get("/v1/api-key", Some(&secret)).await, 401).await;
}

#[tokio::test]
async fn interest_phrases_are_read_as_a_match_reads_them() {
    let app = spawn_app().await;
    let read = app
        .send_json(
            Method::POST,
            "/v1/interests/understand",
            None,
            &json!({"phrases": ["knittin", "Swimming", "swimming!", "old steam engines"]}),
        )
        .await;
    assert_eq!(read.status(), 200);
    let read: Value = read.json().await.unwrap();
    let readings = read["interests"].as_array().unwrap();
    // Phrases differing only in case or punctuation count once.
    assert_eq!(readings.len(), 3, "{read}");
    assert_eq!(readings[0]["resolution"], "spelling");
    assert_eq!(readings[0]["term"]["slug"], "knitting");
    assert_eq!(readings[1]["term"]["slug"], "swimming");
    assert!(readings[1]["narrower_terms"].as_u64().unwrap() > 0);
    assert!(readings[1].get("widened").is_none());

    // The same reading as a match's.
    let matched: Value = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"postcode": "M32 0JG"}, "interests": ["knittin"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(matched["interests"][0]["term"], readings[0]["term"]);
    assert_eq!(matched["interests"][0]["concepts"], readings[0]["concepts"]);

    for (body, field) in [
        (json!({"phrases": []}), "phrases"),
        (json!({"phrases": ["  "]}), "phrases[0]"),
        (json!({"phrases": vec!["a"; 11]}), "phrases"),
        (json!({"phrases": ["x".repeat(101)]}), "phrases[0]"),
    ] {
        let response = app
            .send_json(Method::POST, "/v1/interests/understand", None, &body)
            .await;
        assert_eq!(problem_fields(response, 422).await, vec![field], "{body}");
    }
}
