//! The OpenActive harvester against a local RPDE publisher that pages, deletes, sends sessions
//! before their series, goes down, and fails half way; and a kill in the middle of a harvest.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{Datelike, NaiveDate, Utc};
use community_assets::import::feed::FeedOptions;
use community_assets::openactive::synthetic::{self, Feed};
use community_assets::services::harvest::HarvestSettings;
use community_assets::startup::Settings;
use diesel::QueryableByName;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, count, database_url, spawn_app_with, wait_until_ready};

/// The publisher: two feeds and the faults to inject.
struct Publisher {
    series: Mutex<Feed>,
    sessions: Mutex<Feed>,
    page_size: usize,
    series_down: AtomicBool,
    /// Requests to the sessions feed still to fail with a 500.
    sessions_failures: AtomicUsize,
    /// A wait before each page, in milliseconds.
    delay_ms: AtomicU64,
    /// Requests to the series feed still to answer only after the harvester gave up waiting.
    series_stalls: AtomicUsize,
    requests: AtomicUsize,
}

async fn serve_feed(req: HttpRequest, publisher: web::Data<Arc<Publisher>>) -> HttpResponse {
    publisher.requests.fetch_add(1, Ordering::SeqCst);
    let delay = publisher.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let path = req.path().to_string();
    let base = format!("http://{}{}", req.connection_info().host(), path);
    let feed = match path.as_str() {
        "/feeds/session-series" => {
            if publisher.series_down.load(Ordering::SeqCst) {
                return HttpResponse::ServiceUnavailable().finish();
            }
            if publisher
                .series_stalls
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            publisher.series.lock().unwrap().clone()
        }
        "/feeds/scheduled-sessions" => {
            if publisher
                .sessions_failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return HttpResponse::InternalServerError().finish();
            }
            publisher.sessions.lock().unwrap().clone()
        }
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok().json(feed.answer(&base, req.query_string(), publisher.page_size))
}

fn next_monday() -> NaiveDate {
    let today = Utc::now().date_naive();
    today + chrono::Duration::days(7 - today.weekday().num_days_from_monday() as i64)
}

fn publisher(series: usize, sessions_each: usize, page_size: usize) -> Arc<Publisher> {
    let (s, c) = synthetic::publisher(42, series, sessions_each, next_monday());
    Arc::new(Publisher {
        series: Mutex::new(s),
        sessions: Mutex::new(c),
        page_size,
        series_down: AtomicBool::new(false),
        sessions_failures: AtomicUsize::new(0),
        delay_ms: AtomicU64::new(0),
        series_stalls: AtomicUsize::new(0),
        requests: AtomicUsize::new(0),
    })
}

/// Serves the publisher on a thread of its own (it outlives any one app) and returns its base.
fn serve(publisher: Arc<Publisher>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let data = web::Data::new(publisher);
            HttpServer::new(move || {
                App::new()
                    .app_data(data.clone())
                    .default_service(web::to(serve_feed))
            })
            .workers(1)
            .listen(listener)
            .unwrap()
            .run()
            .await
        })
    });
    format!("http://127.0.0.1:{port}")
}

fn quick_feeds() -> FeedOptions {
    FeedOptions {
        timeout: Duration::from_secs(2),
        retries: 1,
        backoff: Duration::from_millis(20),
        min_interval: Duration::ZERO,
        per_page: 100,
        allow_private: true,
    }
}

async fn harvesting_app() -> TestApp {
    spawn_app_with(Settings {
        workers: Some(1),
        feed: quick_feeds(),
        harvest: HarvestSettings {
            enabled: true,
            lease: Duration::from_secs(5),
            pages_per_turn: 50,
            retry_base: Duration::from_millis(300),
            idle: Duration::from_millis(50),
        },
        ..Settings::default()
    })
    .await
}

fn source_body(base: &str) -> Value {
    json!({
        "name": "Example Booking System",
        "feeds": [format!("{base}/feeds/session-series"), format!("{base}/feeds/scheduled-sessions")],
        "licence": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Contains data from Example Booking System, CC BY 4.0",
        "attribution_url": "https://booking.example.org/openactive",
        "poll_interval_secs": 3600
    })
}

async fn register(client: &reqwest::Client, base: &str, key: &str, feeds_base: &str) -> Value {
    let response = client
        .post(format!("{base}/v1/sources"))
        .bearer_auth(key)
        .json(&source_body(feeds_base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn source(client: &reqwest::Client, base: &str, key: &str, id: &str) -> Value {
    client
        .get(format!("{base}/v1/sources/{id}"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits until `done` holds for the source.
async fn wait_for(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let s = source(client, base, key, id).await;
        if done(&s) {
            return s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}: {s:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn caught_up(s: &Value) -> bool {
    s["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["caught_up"] == true && f["health"] == "ok")
}

async fn poll(app: &TestApp, id: &str) {
    let response = app
        .request(
            Method::POST,
            &format!("/v1/sources/{id}/poll"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
}

async fn listing(app: &TestApp, source_id: &str, series: usize) -> (String, Value) {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = app_db(app).await;
    let row: Id = diesel::sql_query(format!(
        "SELECT id FROM assets WHERE source = 'openactive:{source_id}' AND source_id = '{}/session-series/{series}'",
        synthetic::ID_BASE
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    let id = row.id.to_string();
    let response = app.get(&format!("/v1/assets/{id}"), None).await;
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (
        id,
        if status == 200 {
            body
        } else {
            json!({"status": status})
        },
    )
}

#[tokio::test]
async fn a_publisher_is_harvested_through_outages_deletions_and_updates() {
    let app = harvesting_app().await;
    let feeds = publisher(6, 3, 4);
    feeds.series_down.store(true, Ordering::SeqCst);
    let feeds_base = serve(feeds.clone());
    let client = reqwest::Client::new();

    let created = register(&client, &app.address, &app.admin_key, &feeds_base).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["listings_source"], format!("openactive:{id}"));

    // The sessions arrive while their series cannot be read: held, nothing listed yet.
    let s = wait_for(
        &client,
        &app.address,
        &app.admin_key,
        &id,
        "sessions read, series failing",
        |s| {
            let f = s["feeds"].as_array().unwrap();
            f.iter().any(|f| {
                f["url"].as_str().unwrap().ends_with("scheduled-sessions") && f["caught_up"] == true
            }) && f.iter().any(|f| f["health"] == "failing")
        },
    )
    .await;
    let failing = s["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["health"] == "failing")
        .unwrap();
    assert!(
        failing["last_error"].as_str().unwrap().contains("503"),
        "{failing}"
    );
    let mut conn = app_db(&app).await;
    let listed = format!("SELECT count(*) AS n FROM assets WHERE source = 'openactive:{id}'");
    assert_eq!(count(&mut conn, &listed).await, 0);

    // The series come back: every listing is built with the sessions read before it.
    feeds.series_down.store(false, Ordering::SeqCst);
    poll(&app, &id).await;
    wait_for(
        &client,
        &app.address,
        &app.admin_key,
        &id,
        "both feeds caught up",
        caught_up,
    )
    .await;
    assert_eq!(count(&mut conn, &listed).await, 6);

    let (asset_id, a) = listing(&app, &id, 0).await;
    assert_eq!(a["status"], "published");
    assert_eq!(a["source"], format!("openactive:{id}"));
    assert_eq!(
        a["source_id"],
        format!("{}/session-series/0", synthetic::ID_BASE)
    );
    assert_eq!(
        a["attribution"]["licence"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert_eq!(
        a["attribution"]["url"],
        "https://booking.example.org/openactive"
    );
    assert_eq!(
        a["participation"]["attendee_instructions"],
        "Arrive ten minutes early and bring water."
    );
    assert_eq!(a["participation"]["levels"].as_array().unwrap().len(), 1);
    assert_eq!(a["eligibility"]["min_age"], 16);
    assert!(
        !a["interests"].as_array().unwrap().is_empty(),
        "the activity concept resolves: {a}"
    );
    assert!(a["cost"]["amount_pence"].as_i64().unwrap() >= 200);
    // Weekly from eventSchedule, plus the three sessions (weekly too: the same day and time).
    assert!(
        a["schedule"]["weekly"].as_array().unwrap().len() >= 2,
        "{}",
        a["schedule"]
    );
    assert!(
        a["organization"]["name"]
            .as_str()
            .unwrap()
            .starts_with("Community Sport Club")
    );

    // The ORUK feed carries the credit too.
    let oruk = app
        .get_json(&format!("/oruk/services/{asset_id}"), None)
        .await;
    assert!(
        oruk.to_string()
            .contains("Contains data from Example Booking System"),
        "{oruk}"
    );
    // And search results and the map.
    let found = app.get_json("/v1/assets?limit=100", None).await;
    let item = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == asset_id.as_str())
        .unwrap();
    assert_eq!(
        item["attribution"]["text"],
        "Contains data from Example Booking System, CC BY 4.0"
    );
    let map = app.get_json("/v1/assets.geojson?limit=100", None).await;
    let feature = map["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == asset_id.as_str())
        .unwrap();
    assert_eq!(
        feature["properties"]["licence"],
        "https://creativecommons.org/licenses/by/4.0/"
    );

    // An update pass: a series renamed, another deleted, a session deleted; the sessions
    // feed fails half way and is read again from where it stopped.
    {
        let mut series = feeds.series.lock().unwrap();
        let next = series.last_modified() + 10;
        let mut renamed = series
            .items
            .iter()
            .find(|i| i.id == "1")
            .unwrap()
            .data
            .clone()
            .unwrap();
        renamed["name"] = json!("Renamed session series");
        let one = series.items.iter().position(|i| i.id == "1").unwrap();
        series.touch(one, next, Some(renamed));
        let two = series.items.iter().position(|i| i.id == "2").unwrap();
        series.touch(two, next + 1, None);
        series.sort();
        let mut sessions = feeds.sessions.lock().unwrap();
        let next = sessions.last_modified() + 10;
        for (k, i) in (0..sessions.items.len()).step_by(2).enumerate() {
            let data = sessions.items[i].data.clone();
            sessions.touch(i, next + k as i64, data);
        }
        let gone = sessions.items.iter().position(|i| i.id == "0-0").unwrap();
        sessions.touch(gone, next + 100, None);
        sessions.sort();
    }
    feeds.sessions_failures.store(3, Ordering::SeqCst);
    // …and the series feed stops answering in time (the harvester waits 2 s, and retries once).
    feeds.series_stalls.store(2, Ordering::SeqCst);
    poll(&app, &id).await;
    // Each failure is reported on its feed while it lasts, and the harvest goes on from the
    // page that failed.
    let seen = std::sync::Mutex::new(Vec::<String>::new());
    wait_for(
        &client,
        &app.address,
        &app.admin_key,
        &id,
        "both failures reported and overcome",
        |s| {
            let mut seen = seen.lock().unwrap();
            for f in s["feeds"].as_array().unwrap() {
                if let Some(e) = f["last_error"].as_str() {
                    seen.push(e.to_string());
                }
            }
            caught_up(s)
                && seen.iter().any(|e| e.contains("no answer within"))
                && seen.iter().any(|e| e.contains("500"))
        },
    )
    .await;
    let s = wait_for(
        &client,
        &app.address,
        &app.admin_key,
        &id,
        "caught up after the update",
        caught_up,
    )
    .await;
    assert_eq!(s["rejected"], 0, "{s}");
    let (_, renamed) = listing(&app, &id, 1).await;
    assert_eq!(renamed["title"], "Renamed session series");
    let (_, deleted) = listing(&app, &id, 2).await;
    assert_eq!(deleted["status"], 410);
    assert_eq!(count(&mut conn, &listed).await, 6, "nothing duplicated");
    let held =
        format!("SELECT count(*) AS n FROM openactive_items WHERE source_id = '{id}' AND deleted");
    assert_eq!(count(&mut conn, &held).await, 2);

    // A pause stops reading; the listings' credit follows the source's.
    let changed = app
        .send_json(Method::PATCH, &format!("/v1/sources/{id}"), Some(&app.admin_key),
            &json!({"enabled": false, "attribution": "Data from Example Booking System (CC BY 4.0)"}))
        .await;
    assert_eq!(changed.status(), 200);
    let (_, a) = listing(&app, &id, 0).await;
    assert_eq!(
        a["attribution"]["text"],
        "Data from Example Booking System (CC BY 4.0)"
    );
}

#[tokio::test]
async fn sources_are_for_admins_and_their_fields_are_checked() {
    let app = harvesting_app().await;
    let (_, agency_key) = app.agency("Club", true).await;
    let body = source_body("http://127.0.0.1:9");
    let response = app
        .send_json(Method::POST, "/v1/sources", Some(&agency_key), &body)
        .await;
    assert_eq!(response.status(), 403);
    let bad = json!({"name": " ", "feeds": ["ftp://x", "http://ok.example.org/f", "http://ok.example.org/f"],
        "licence": "CC BY", "attribution": "x", "poll_interval_secs": 5});
    let response = app
        .send_json(Method::POST, "/v1/sources", Some(&app.admin_key), &bad)
        .await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "licence",
            "feeds[0]",
            "feeds[2]",
            "poll_interval_secs"
        ],
        "{problem}"
    );
}

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    rows: Value,
}

/// Everything a harvest wrote, without ids and times: what two runs must agree on.
async fn directory(url: &str) -> Value {
    use diesel_async::RunQueryDsl;
    let mut conn = community_assets::db::connect::establish(url).await.unwrap();
    let snap: Snapshot = diesel::sql_query(
        "SELECT jsonb_build_object(
            'assets', (SELECT jsonb_agg(jsonb_build_object(
                'source_id', a.source_id, 'title', a.title, 'status', a.status,
                'description', a.description, 'cost', a.cost_pence, 'rules', a.concession_rules,
                'levels', a.levels, 'coached', a.coached, 'gender', a.audience_gender,
                'prepayment', a.prepayment, 'support', a.accessibility_support,
                'venue', v.name, 'organization', o.name, 'attribution', a.attribution,
                'sessions', (SELECT jsonb_agg(jsonb_build_array(s.weekday, s.on_date, s.start_time, s.end_time) ORDER BY s.position)
                             FROM asset_sessions s WHERE s.asset_id = a.id),
                'interests', (SELECT jsonb_agg(t.slug ORDER BY t.slug) FROM asset_interests ai
                              JOIN interest_terms t ON t.id = ai.term_id WHERE ai.asset_id = a.id))
                ORDER BY a.source_id)
                FROM assets a JOIN organizations o ON o.id = a.organization_id
                LEFT JOIN venues v ON v.id = a.venue_id WHERE a.source LIKE 'openactive:%'),
            'venues', (SELECT count(*) FROM venues),
            'organizations', (SELECT count(*) FROM organizations),
            'asset_creates', (SELECT count(*) FROM audit_events WHERE entity_type = 'asset' AND action = 'create'),
            'items', (SELECT count(*) FROM openactive_items)) AS rows",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    snap.rows
}

fn start_binary(db_name: &str, port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_community-assets"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(db_name))
        .env("CA_DEMO_DATA", "false")
        .env("CA_WORKERS", "1")
        .env("CA_IMPORT_ALLOW_PRIVATE_URLS", "true")
        .env("CA_HARVEST_LEASE_SECS", "1")
        .env("CA_HARVEST_RETRY_BASE_SECS", "1")
        .env("CA_HARVEST_IDLE_MS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

#[tokio::test]
async fn a_harvest_killed_half_way_and_restarted_ends_as_a_clean_run_does() {
    let feeds = publisher(24, 2, 3);
    let feeds_base = serve(feeds.clone());
    let client = reqwest::Client::new();

    // The clean run, in process.
    let clean = harvesting_app().await;
    let created = register(&client, &clean.address, &clean.admin_key, &feeds_base).await;
    let clean_id = created["id"].as_str().unwrap().to_string();
    wait_for(
        &client,
        &clean.address,
        &clean.admin_key,
        &clean_id,
        "the clean run",
        caught_up,
    )
    .await;
    let expected = directory(&database_url(&clean.db_name)).await;
    assert_eq!(expected["assets"].as_array().unwrap().len(), 24);

    // The killed run: the real binary, pages slowed so that the kill lands mid-harvest.
    // (The in-process app only makes the database and key; the binary harvests.)
    let app = spawn_app_with(Settings {
        workers: Some(1),
        harvest: HarvestSettings {
            enabled: false,
            ..Default::default()
        },
        ..Settings::default()
    })
    .await;
    feeds.delay_ms.store(150, Ordering::SeqCst);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start_binary(&app.db_name, port);
    wait_until_ready(&client, &base).await;
    let created = register(&client, &base, &app.admin_key, &feeds_base).await;
    let id = created["id"].as_str().unwrap().to_string();
    wait_for(
        &client,
        &base,
        &app.admin_key,
        &id,
        "a few pages stored",
        |s| {
            s["feeds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["pages_read"].as_i64().unwrap())
                .sum::<i64>()
                >= 3
        },
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let mut conn = community_assets::db::connect::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    let mid = count(
        &mut conn,
        &format!("SELECT count(*) AS n FROM assets WHERE source = 'openactive:{id}'"),
    )
    .await;
    assert!(
        mid < 24,
        "the kill came after the harvest ended ({mid} listings)"
    );

    feeds.delay_ms.store(0, Ordering::SeqCst);
    let mut child = start_binary(&app.db_name, port);
    wait_until_ready(&client, &base).await;
    wait_for(
        &client,
        &base,
        &app.admin_key,
        &id,
        "the resumed run",
        caught_up,
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let got = directory(&database_url(&app.db_name)).await;
    assert_eq!(got["assets"], expected["assets"]);
    // (How often a listing was rewritten depends on which feed was read first; each is
    // created once.)
    for k in ["venues", "organizations", "asset_creates", "items"] {
        assert_eq!(got[k], expected[k], "{k}");
    }
}

/// Waits for an import run to end, and returns it.
async fn imported(app: &TestApp, feed: &str) -> Value {
    let response = app
        .send_json(
            Method::POST,
            "/v1/imports",
            Some(&app.admin_key),
            &json!({"url": feed}),
        )
        .await;
    assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let started = Instant::now();
    loop {
        let run = app.get_json(&location, Some(&app.admin_key)).await;
        if run["status"] != "queued" && run["status"] != "running" {
            return run;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import did not end: {run}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn every_field_round_trips_from_openactive_through_our_api_and_oruk_to_our_openactive_feed() {
    // A publisher's series with every field we map, women only, with a concession by age.
    let feeds = publisher(0, 0, 10);
    let first = next_monday();
    {
        let mut series = feeds.series.lock().unwrap();
        let mut rng = synthetic::Rng::new(3);
        let mut data = synthetic::session_series(&mut rng, 900, 1, 1);
        data["genderRestriction"] = json!("https://openactive.io/FemaleOnly");
        data["ageRange"] = json!({"@type": "QuantitativeValue", "minValue": 18, "maxValue": 65});
        data["level"] = json!(["Beginner"]);
        data["isCoached"] = json!(true);
        data["accessibilitySupport"] = json!([{"@type": "Concept",
            "@id": "https://openactive.io/accessibility-support#2bfb7228-5969-4927-8435-38b5005a8771",
            "prefLabel": "Hearing impairment", "inScheme": "https://openactive.io/accessibility-support"}]);
        data["offers"] = json!([
            {"@type": "Offer", "name": "Adult", "price": 5.5, "priceCurrency": "GBP", "openBookingPrepayment": "https://openactive.io/Required"},
            {"@type": "Offer", "name": "Over 60", "price": 3.0, "priceCurrency": "GBP", "ageRestriction": {"@type": "QuantitativeValue", "minValue": 60}}
        ]);
        data["eventSchedule"] = json!([{"@type": "PartialSchedule", "repeatFrequency": "P1W",
            "byDay": ["https://schema.org/Thursday"], "startTime": "19:00", "endTime": "20:15",
            "scheduleTimezone": "Europe/London"}]);
        series.items.push(synthetic::FeedItem {
            id: "900".into(),
            modified: 5,
            kind: "SessionSeries",
            data: Some(data.clone()),
        });
        let mut sessions = feeds.sessions.lock().unwrap();
        sessions.items.push(synthetic::FeedItem {
            id: "900-0".into(),
            modified: 4,
            kind: "ScheduledSession",
            data: Some(synthetic::scheduled_session(900, 0, first, 1)),
        });
    }
    let feeds_base = serve(feeds.clone());
    let client = reqwest::Client::new();

    // In: harvested by one instance.
    let a = harvesting_app().await;
    let created = register(&client, &a.address, &a.admin_key, &feeds_base).await;
    let id = created["id"].as_str().unwrap().to_string();
    wait_for(
        &client,
        &a.address,
        &a.admin_key,
        &id,
        "the harvest",
        caught_up,
    )
    .await;
    let (asset_id, listing) = listing(&a, &id, 900).await;
    assert_eq!(listing["audience"]["gender"], "women_only");
    assert_eq!(
        listing["eligibility"],
        json!({"min_age": 18, "max_age": 65, "criteria": null})
    );
    assert_eq!(listing["cost"]["amount_pence"], 550);
    assert_eq!(
        listing["cost"]["concessions"],
        json!([{"price_pence": 300, "who": [], "min_age": 60, "max_age": null}])
    );
    assert_eq!(listing["participation"]["levels"], json!(["Beginner"]));
    assert_eq!(listing["participation"]["coached"], true);
    assert_eq!(listing["participation"]["prepayment"], "required");
    assert_eq!(
        listing["participation"]["accessibility_support"],
        json!(["Hearing impairment"])
    );
    assert_eq!(listing["newcomers"]["booking_required"], true);
    assert_eq!(listing["schedule"]["weekly"][0]["day"], "thu");

    // Matching keeps the publisher's rules as hard rules and reads the rest out.
    let original = feeds
        .series
        .lock()
        .unwrap()
        .items
        .iter()
        .find(|i| i.id == "900")
        .unwrap()
        .data
        .clone()
        .unwrap();
    let place = &original["location"]["geo"];
    let ask = |extra: Value| {
        let mut body = json!({
            "location": {"lat": place["latitude"], "lon": place["longitude"]},
            "interests": [original["activity"][0]["prefLabel"]],
            "budget": {"max_pence_per_session": 400},
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let matched = |result: &Value| {
        result["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["asset"]["id"] == asset_id.as_str())
            .cloned()
    };
    for (who, shown) in [
        (json!({"gender": "man", "age": 62}), false),
        (json!({"gender": "woman", "age": 40}), false),
        (json!({"gender": "woman", "age": 62}), true),
    ] {
        let response = a
            .send_json(Method::POST, "/v1/match", None, &ask(who.clone()))
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let result: Value = response.json().await.unwrap();
        assert_eq!(matched(&result).is_some(), shown, "{who}: {result:#}");
        if let Some(r) = matched(&result) {
            let reasons: Vec<&str> = r["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            for line in [
                "£3 a session at the concession price",
                "Suits beginners",
                "Led by a coach or instructor",
                "Support offered for hearing impairment",
                "Before going: Arrive ten minutes early and bring water.",
            ] {
                assert!(reasons.contains(&line), "{line}: {reasons:?}");
            }
        }
    }

    // Out through ORUK: another instance imports the first one's feed.
    let b = harvesting_app().await;
    let run = imported(&b, &format!("{}/oruk", a.address)).await;
    assert_eq!(run["status"], "succeeded", "{run}");

    // Out through our OpenActive feed, from the second instance. The feed shows changes once
    // every transaction older than them has ended (on the whole cluster, where other tests
    // run too), so it may take a moment.
    let started = Instant::now();
    let (page, item) = loop {
        let page = b.get_json("/openactive/session-series", None).await;
        let item = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["data"]["name"] == listing["title"])
            .cloned();
        if let Some(item) = item {
            break (page, item);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the listing is not in the feed: {page:#}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let d = &item["data"];
    assert_eq!(d["@type"], "SessionSeries");
    assert_eq!(d["genderRestriction"], "https://openactive.io/FemaleOnly");
    assert_eq!(d["ageRange"]["minValue"], 18);
    assert_eq!(d["ageRange"]["maxValue"], 65);
    assert_eq!(d["level"], json!(["Beginner"]));
    assert_eq!(d["isCoached"], true);
    assert_eq!(
        d["attendeeInstructions"],
        "Arrive ten minutes early and bring water."
    );
    assert_eq!(
        d["accessibilitySupport"][0]["@id"],
        "https://openactive.io/accessibility-support#2bfb7228-5969-4927-8435-38b5005a8771"
    );
    assert_eq!(d["offers"][0]["price"], 5.5);
    assert_eq!(
        d["offers"][0]["openBookingPrepayment"],
        "https://openactive.io/Required"
    );
    assert_eq!(d["offers"][1]["price"], 3.0);
    assert_eq!(d["offers"][1]["ageRestriction"]["minValue"], 60);
    assert_eq!(d["activity"][0]["@id"], original["activity"][0]["@id"]);
    assert_eq!(d["organizer"]["name"], original["organizer"]["name"]);
    assert_eq!(d["location"]["name"], original["location"]["name"]);
    let schedule = d["eventSchedule"].as_array().unwrap();
    assert!(
        schedule
            .iter()
            .any(|s| s["byDay"] == json!(["https://schema.org/Thursday"])
                && s["startTime"] == "19:00"
                && s["endTime"] == "20:15"),
        "{schedule:?}"
    );
    let start = d["subEvent"][0]["startDate"]
        .as_str()
        .unwrap_or_else(|| panic!("{d:#}"));
    assert!(
        start.starts_with(
            &(first + chrono::Duration::weeks(1) + chrono::Duration::days(900 % 7)).to_string()
        ),
        "{start}"
    );
    // The credit travels with the data.
    let b_listing = b
        .get_json(
            &format!("/v1/assets/{}", item["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(b_listing["attribution"], listing["attribution"]);
    let oruk = a
        .get_json(&format!("/oruk/services/{asset_id}"), None)
        .await;
    assert!(oruk.to_string().contains("Hearing impairment"));

    // OpenActive's validator reads this page in the contract check.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/openactive");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("round-trip-page.json"),
        serde_json::to_vec_pretty(&page).unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn a_harvested_venue_is_one_we_hold_and_an_agency_s_own_listing_is_linked_not_overwritten() {
    let feeds = publisher(3, 0, 10);
    let original = feeds.series.lock().unwrap().items[0].data.clone().unwrap();
    let geo = &original["location"]["geo"];
    let app = harvesting_app().await;
    // The organiser's own listing, typed in by hand before the feed was registered, at the
    // same hall (its name written a little differently, 20 m away).
    let organiser = original["organizer"]["name"].as_str().unwrap();
    let (_, key) = app.agency(organiser, true).await;
    let hand = app
        .create_asset(
            &key,
            &json!({
                "kind": "activity",
                "title": original["name"],
                "description": "Typed in by the club.",
                "venue": {
                    "name": format!("{}, main hall", original["location"]["name"].as_str().unwrap()),
                    "location": {"lat": geo["latitude"].as_f64().unwrap() + 0.00018, "lon": geo["longitude"]},
                    "venue_type": "sports_centre"
                },
                "interests": [original["activity"][0]["prefLabel"]],
            }),
        )
        .await;
    let feeds_base = serve(feeds.clone());
    let client = reqwest::Client::new();
    let created = register(&client, &app.address, &app.admin_key, &feeds_base).await;
    let id = created["id"].as_str().unwrap().to_string();
    wait_for(
        &client,
        &app.address,
        &app.admin_key,
        &id,
        "the harvest",
        caught_up,
    )
    .await;

    let mut conn = app_db(&app).await;
    // The same series as the hand-typed listing is linked to it, not imported beside it.
    let linked = format!(
        "SELECT count(*) AS n FROM import_links WHERE asset_id = '{}'",
        hand["id"].as_str().unwrap()
    );
    assert_eq!(count(&mut conn, &linked).await, 1);
    let kept = app
        .get_json(
            &format!("/v1/assets/{}", hand["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(kept["description"], "Typed in by the club.");
    assert_eq!(kept["source"], Value::Null);
    // The other series at that hall use the hall we hold rather than a copy of it.
    let same_place = format!(
        "SELECT count(*) AS n FROM venues WHERE ST_DWithin(location, ST_SetSRID(ST_MakePoint({}, {}), 4326)::geography, 50)",
        geo["longitude"], geo["latitude"]
    );
    assert_eq!(
        count(&mut conn, &same_place).await,
        1,
        "one venue at that place"
    );
}
