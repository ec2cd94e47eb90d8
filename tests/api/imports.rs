//! Importing ORUK feeds and the CSV template: from another running instance (the round trip),
//! from the ORUK validator's mock feeds served by a local stub with injected faults, from a
//! 1.0 feed, and with duplicates of assets already held.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use community_assets::db::imports::ImportRow;
use community_assets::domain::audit::Actor;
use community_assets::geocoder::Geocoder;
use community_assets::import::feed::FeedOptions;
use community_assets::services::imports::{self, Target};
use community_assets::startup::Settings;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    TestApp, app_db, count, spawn_app, spawn_app_with, spawn_demo_app, walking_football,
};

fn quick() -> FeedOptions {
    FeedOptions {
        timeout: Duration::from_millis(800),
        retries: 2,
        backoff: Duration::from_millis(50),
        min_interval: Duration::ZERO,
        per_page: 100,
        allow_private: true,
    }
}

async fn spawn_importer() -> TestApp {
    spawn_app_with(Settings {
        workers: Some(1),
        feed: quick(),
        ..Settings::default()
    })
    .await
}

/// Starts an import through the API and waits for it to end.
async fn import_via_api(app: &TestApp, url: &str) -> Value {
    let response = app
        .send_json(
            Method::POST,
            "/v1/imports",
            Some(&app.admin_key),
            &json!({"url": url}),
        )
        .await;
    assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let started: Value = response.json().await.unwrap();
    assert_eq!(started["status"], "queued");
    for _ in 0..600 {
        let body: Value = app.get_json(&location, Some(&app.admin_key)).await;
        if body["status"] == "succeeded" || body["status"] == "failed" {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the import did not finish within a minute");
}

#[derive(QueryableByName)]
struct Pair {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    source_id: String,
}

/// The public view of an asset without what is local to one instance (ids, times, version,
/// provenance).
fn comparable(mut asset: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for key in [
                    "id",
                    "organization_id",
                    "created_at",
                    "updated_at",
                    "published_at",
                    "version",
                    "etag",
                    "source",
                    "source_id",
                ] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut asset);
    asset
}

#[tokio::test]
async fn a_feed_one_instance_publishes_imports_into_another_unchanged() {
    let publisher = spawn_demo_app().await;
    let importer = spawn_importer().await;
    let feed = format!("{}/oruk", publisher.address);

    let report = import_via_api(&importer, &feed).await;
    assert_eq!(report["status"], "succeeded", "{report:#}");
    assert_eq!(report["detected_version"], "3.0");
    let counts = &report["counts"];
    assert_eq!(counts["failed"], 0, "{:#}", report["errors"]);
    assert!(counts["created"].as_i64().unwrap() >= 400);
    assert_eq!(counts["created"], counts["seen"]);

    let mut conn = app_db(&importer).await;
    let pairs: Vec<Pair> = diesel::sql_query("SELECT id, source_id FROM assets")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(pairs.len() as i64, counts["created"].as_i64().unwrap());
    for pair in &pairs {
        let original: Value = publisher
            .get_json(&format!("/v1/assets/{}", pair.source_id), None)
            .await;
        let copy: Value = importer
            .get_json(&format!("/v1/assets/{}", pair.id), None)
            .await;
        assert_eq!(
            comparable(copy),
            comparable(original),
            "asset {}",
            pair.source_id
        );
    }

    // Twice changes nothing.
    let again = import_via_api(&importer, &feed).await;
    assert_eq!(again["counts"]["unchanged"], counts["created"], "{again:#}");
    assert_eq!(again["counts"]["created"], 0);
    assert_eq!(again["counts"]["updated"], 0);

    // A change at the source is an update; a service gone from the feed is archived.
    let changed = &pairs[0].source_id;
    let gone = &pairs[1].source_id;
    for (method, path) in [
        (Method::POST, format!("/v1/assets/{changed}/confirm")),
        (Method::DELETE, format!("/v1/assets/{gone}")),
    ] {
        let response = publisher
            .request(method, &path, Some(&publisher.admin_key))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let third = import_via_api(&importer, &feed).await;
    assert_eq!(third["counts"]["updated"], 1, "{third:#}");
    assert_eq!(third["counts"]["archived"], 1);
    let gone = importer
        .get(
            &format!("/v1/assets/{}", pairs[1].id),
            Some(&importer.admin_key),
        )
        .await;
    assert_eq!(gone.status(), 410, "archived, not deleted");
    let confirmed: Value = importer
        .get_json(&format!("/v1/assets/{}", pairs[0].id), None)
        .await;
    assert_eq!(
        confirmed["confirmed_at"].as_str().unwrap()[..10],
        chrono::Utc::now().date_naive().to_string()
    );
}

/// A stub ORUK feed: pages of services, full records, and faults to inject.
#[derive(Default)]
struct Stub {
    details: Option<Value>,
    v1: bool,
    pages: Vec<Vec<Value>>,
    /// Replaces `pages` when set (a feed that changed between two runs).
    changed: Mutex<Option<Vec<Vec<Value>>>>,
    full: HashMap<String, Value>,
    /// Page number → how many of its first requests fail, and how.
    faults: Mutex<HashMap<usize, (usize, Fault)>>,
    log: Mutex<Vec<String>>,
}

#[derive(Clone, Copy)]
enum Fault {
    ServerError,
    Slow,
}

async fn stub_handler(req: HttpRequest, stub: web::Data<Arc<Stub>>) -> HttpResponse {
    let path = req.path().to_string();
    stub.log.lock().unwrap().push(req.uri().to_string());
    if path == "/feed/" || path == "/feed" {
        return match &stub.details {
            Some(d) => HttpResponse::Ok().json(d),
            None => HttpResponse::NotFound().finish(),
        };
    }
    if path == "/feed/services" {
        let query: HashMap<String, String> = web::Query::from_query(req.query_string())
            .map(|q: web::Query<HashMap<String, String>>| q.into_inner())
            .unwrap_or_default();
        let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let fault = {
            let mut faults = stub.faults.lock().unwrap();
            match faults.get_mut(&page) {
                Some((left, fault)) if *left > 0 => {
                    *left -= 1;
                    Some(*fault)
                }
                _ => None,
            }
        };
        match fault {
            Some(Fault::ServerError) => return HttpResponse::InternalServerError().body("boom"),
            Some(Fault::Slow) => tokio::time::sleep(Duration::from_secs(3)).await,
            None => {}
        }
        let changed = stub.changed.lock().unwrap().clone();
        let pages = changed.as_ref().unwrap_or(&stub.pages);
        let items = pages.get(page - 1).cloned().unwrap_or_default();
        let total_pages = pages.len();
        let total: usize = pages.iter().map(Vec::len).sum();
        let last = page >= total_pages;
        return HttpResponse::Ok().json(if stub.v1 {
            json!({"content": items, "totalElements": total, "totalPages": total_pages, "number": page, "size": items.len(), "first": page == 1, "last": last})
        } else {
            json!({"contents": items, "total_items": total, "total_pages": total_pages, "page_number": page, "size": items.len(), "first_page": page == 1, "last_page": last, "empty": items.is_empty()})
        });
    }
    if let Some(id) = path.strip_prefix("/feed/services/") {
        return match stub.full.get(id) {
            Some(s) => HttpResponse::Ok().json(s),
            None => HttpResponse::NotFound().finish(),
        };
    }
    HttpResponse::NotFound().finish()
}

/// Serves the stub and returns its feed URL.
fn serve_stub(stub: Arc<Stub>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let data = web::Data::new(stub);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(stub_handler))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    format!("http://127.0.0.1:{port}/feed")
}

fn mock(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/oruk/validator-mocks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The validator's mock service, moved to a real place in Sale under a new id.
fn placed_mock(n: usize) -> Value {
    let mut s = mock("V3.0-UK-Default/service_full.json");
    s["id"] = json!(Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("mock-{n}").as_bytes()).to_string());
    s["name"] = json!(format!("Community counselling {n}"));
    let location = &mut s["service_at_locations"][0]["location"];
    location["latitude"] = json!(53.4248);
    location["longitude"] = json!(-2.3232);
    location["addresses"][0]["postal_code"] = json!("M33 7ZF");
    s
}

async fn run(pool_app: &TestApp, url: &str) -> ImportRow {
    let pool =
        community_assets::db::pool(&crate::helpers::database_url(&pool_app.db_name), 2).unwrap();
    let target = Target {
        source: imports::feed_source(url),
        organization_id: None,
    };
    let queued = imports::create(&pool, &Actor::command_line(), "oruk", &target)
        .await
        .unwrap();
    imports::run_feed(&pool, &Geocoder::offline(), &queued, quick())
        .await
        .unwrap()
}

fn reasons(row: &ImportRow) -> Vec<(String, String)> {
    row.errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_validator_mocks_import_through_faults_with_bad_records_reported() {
    let app = spawn_app().await;
    let official_list = mock("V3.0-UK-Default/service_list.json");
    let official = mock("V3.0-UK-Default/service_full.json");
    let good: Vec<Value> = (1..=4).map(placed_mock).collect();
    let mut bad_time = placed_mock(5);
    bad_time["schedules"][0]["opens_at"] = json!("ten o'clock");
    let mut nameless = placed_mock(6);
    nameless.as_object_mut().unwrap().remove("name");
    let duplicate = good[0].clone();
    let mut full: HashMap<String, Value> = HashMap::new();
    full.insert(
        official["id"].as_str().unwrap().to_string(),
        official.clone(),
    );
    let stub = Arc::new(Stub {
        details: Some(mock("V3.0-UK-Default/api_details.json")),
        pages: vec![
            // Page 1 is the validator's own list: a summary whose full record has latitude 100.
            official_list["contents"].as_array().unwrap().clone(),
            vec![good[0].clone(), good[1].clone()],
            vec![good[2].clone(), bad_time, nameless],
            vec![good[3].clone(), duplicate],
        ],
        full,
        faults: Mutex::new(HashMap::from([
            (2, (1, Fault::ServerError)),
            (3, (1, Fault::Slow)),
        ])),
        ..Stub::default()
    });
    let url = serve_stub(stub.clone());
    let row = run(&app, &url).await;
    assert_eq!(row.status, "succeeded", "{:?}", row.error);
    assert_eq!(row.detected_version.as_deref(), Some("3.0"));
    assert_eq!(
        (row.pages, row.seen, row.created, row.failed),
        (4, 8, 4, 4),
        "{:#?}",
        reasons(&row)
    );
    let errors = reasons(&row);
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert!(
        fields.contains(&"service_at_locations[0].location.latitude"),
        "{errors:#?}"
    );
    assert!(fields.contains(&"schedules[0].opens_at"));
    assert!(fields.contains(&"name"));
    assert!(errors.iter().any(|(f, r)| f == "id" && r.contains("twice")));
    let log = stub.log.lock().unwrap().clone();
    let page_2 = log.iter().filter(|u| u.contains("page=2&")).count();
    let page_3 = log.iter().filter(|u| u.contains("page=3&")).count();
    assert_eq!(
        (page_2, page_3),
        (2, 2),
        "a 500 and a timeout are each retried once: {log:#?}"
    );

    // The imported services are searchable like any other. Their sources last assured them
    // years ago, so they are stale and only found when asked for.
    let found: Value = app
        .get_json(
            "/v1/assets?postcode=M33%207ZF&radius_km=1&include_stale=true",
            None,
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 4);

    // Run it again: nothing changes; nothing is archived.
    let again = run(&app, &url).await;
    assert_eq!(
        (again.created, again.unchanged, again.archived, again.failed),
        (0, 4, 0, 4)
    );
}

#[tokio::test]
async fn a_feed_that_fails_half_way_archives_nothing() {
    let app = spawn_app().await;
    let stub = Arc::new(Stub {
        details: Some(mock("V3.0-UK-Default/api_details.json")),
        pages: vec![vec![placed_mock(1)], vec![placed_mock(2)]],
        ..Stub::default()
    });
    let url = serve_stub(stub.clone());
    assert_eq!(run(&app, &url).await.created, 2);
    stub.faults
        .lock()
        .unwrap()
        .insert(2, (10, Fault::ServerError));
    let failed = run(&app, &url).await;
    assert_eq!(failed.status, "failed");
    assert!(
        failed.error.as_deref().unwrap().contains("500"),
        "{:?}",
        failed.error
    );
    assert_eq!(
        failed.archived, 0,
        "a partial walk must not archive what it did not reach"
    );
    let found: Value = app
        .get_json(
            "/v1/assets?postcode=M33%207ZF&radius_km=1&include_stale=true",
            None,
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_version_1_feed_is_detected_and_imported() {
    let app = spawn_app().await;
    let v1 = |n: usize, day: &str| {
        json!({
            "id": format!("v1-{n}"), "name": format!("Tuesday walking group {n}"), "status": "active",
            "description": "A friendly walk round the park.",
            "organization": {"id": "ramblers", "name": "Sale Ramblers", "description": "Walking club"},
            "eligibilitys": [{"minimum_age": 18}],
            "cost_options": [{"option": "Free", "amount": 0}],
            "regular_schedules": [{"freq": "WEEKLY", "byday": day, "opens_at": "10:00", "closes_at": "11:30"}],
            "service_at_locations": [{"location": {"id": "park", "name": "Walkden Gardens", "latitude": 53.4205, "longitude": -2.3260,
                "physical_addresses": [{"address_1": "Derbyshire Road", "city": "Sale", "postal_code": "M33 3EL"}]}}],
            "service_taxonomys": [{"taxonomy": {"id": "t1", "name": "Walking", "vocabulary": "esd"}}, {"taxonomy": {"id": "t2", "name": "Tuesday Trampers", "vocabulary": "local"}}]
        })
    };
    let stub = Arc::new(Stub {
        details: None,
        v1: true,
        pages: vec![vec![v1(1, "TU"), v1(2, "TH")], vec![v1(3, "SA")]],
        ..Stub::default()
    });
    let url = serve_stub(stub);
    let row = run(&app, &url).await;
    assert_eq!(row.detected_version.as_deref(), Some("1.0"));
    assert_eq!(
        (row.status.as_str(), row.created, row.failed),
        ("succeeded", 3, 0),
        "{:?}",
        reasons(&row)
    );
    let found: Value = app
        .get(
            "/v1/assets?postcode=M33%203EL&radius_km=3&interest=walking",
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "the Walking term maps to our vocabulary");
    assert_eq!(items[0]["cost"]["free"], true);
    assert_eq!(items[0]["kind"], "group");
    // One venue and one organisation, shared.
    let mut conn = app_db(&app).await;
    let venues = count(&mut conn, "SELECT count(*) AS n FROM venues").await;
    let orgs = count(&mut conn, "SELECT count(*) AS n FROM organizations").await;
    assert_eq!((venues, orgs), (1, 1));
    let tags = count(
        &mut conn,
        "SELECT count(*) AS n FROM assets WHERE source_tags = ARRAY['Tuesday Trampers']",
    )
    .await;
    assert_eq!(tags, 3, "unknown terms are kept as source tags");
    let by_tag: Value = app.get_json("/v1/assets?q=trampers", None).await;
    let items = by_tag["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "source tags are searchable");
    assert_eq!(items[0]["source_tags"], json!(["Tuesday Trampers"]));
}

#[tokio::test]
async fn a_service_already_held_is_linked_not_duplicated() {
    let publisher = spawn_app().await;
    let importer = spawn_importer().await;
    for app in [&publisher, &importer] {
        let (_, key) = app.agency("Sale Sports Club", true).await;
        let mut asset = walking_football();
        if std::ptr::eq(app, &publisher) {
            asset["title"] = json!("Walking Football (over 50s)");
            asset["venue"]["location"] = json!({"lat": 53.4240, "lon": -2.3180});
        }
        assert_eq!(app.post_asset(&key, &asset).await.status(), 201);
        // Something else at the same place that is not a duplicate.
        let mut other = walking_football();
        other["title"] = json!(if std::ptr::eq(app, &publisher) {
            "Chair yoga"
        } else {
            "Book club"
        });
        other["interests"] = json!(["yoga"]);
        assert_eq!(app.post_asset(&key, &other).await.status(), 201);
    }
    let report = import_via_api(&importer, &format!("{}/oruk", publisher.address)).await;
    assert_eq!(report["status"], "succeeded", "{report:#}");
    assert_eq!(
        (
            report["counts"]["linked"].as_i64(),
            report["counts"]["created"].as_i64()
        ),
        (Some(1), Some(1)),
        "{report:#}"
    );
    let all: Value = importer
        .get_json("/v1/assets?postcode=M33%202AB&radius_km=2", None)
        .await;
    let titles: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles.contains(&"Walking football for over-50s"),
        "the agency's own listing stays"
    );
    assert!(!titles.contains(&"Walking Football (over 50s)"));
    let again = import_via_api(&importer, &format!("{}/oruk", publisher.address)).await;
    assert_eq!(
        (
            again["counts"]["linked"].as_i64(),
            again["counts"]["unchanged"].as_i64()
        ),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn the_csv_template_imports_updates_and_archives() {
    let app = spawn_app().await;
    let org = app.create_org("Sale Community Hub", true).await;
    let pool = community_assets::db::pool(&crate::helpers::database_url(&app.db_name), 2).unwrap();
    let target = Target {
        source: imports::csv_source(org),
        organization_id: Some(org),
    };
    let template = include_str!("../../seed-data/import-template.csv");
    let csv = |text: String| {
        let pool = pool.clone();
        let target = target.clone();
        async move {
            let queued = imports::create(&pool, &Actor::command_line(), "csv", &target)
                .await
                .unwrap();
            imports::run_csv(&pool, &Geocoder::offline(), &queued, &text)
                .await
                .unwrap()
        }
    };
    let first = csv(template.to_string()).await;
    assert_eq!(
        (first.status.as_str(), first.created, first.failed),
        ("succeeded", 2, 0),
        "{:?}",
        reasons(&first)
    );
    let again = csv(template.to_string()).await;
    assert_eq!(again.unchanged, 2);

    // Drop the second row, change the first, add a bad one.
    let mut lines: Vec<String> = template.lines().map(String::from).collect();
    lines.remove(2);
    lines[1] = lines[1].replace(
        "Walking football for over-50s",
        "Walking football for over-55s",
    );
    lines.push("BAD-1,party,Mystery,,,,,,,,,,,,,,,,,,,,,Someday 10:00-11:00,,,,,,,,,".to_string());
    let changed = csv(lines.join("\n")).await;
    assert_eq!(
        (changed.updated, changed.archived, changed.failed),
        (1, 1, 1),
        "{:?}",
        reasons(&changed)
    );
    let bad = &changed.errors[0];
    assert_eq!(bad["line"], 3);
    assert_eq!(bad["record"], "line 3");
    let found: Value = app.get_json("/v1/assets?q=over-55s", None).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);

    // Each run's writes are in the audit log under the run's id; unchanged rows wrote nothing.
    let id = found["items"][0]["id"].as_str().unwrap();
    let history = app
        .get_json(&format!("/v1/assets/{id}/history"), Some(&app.admin_key))
        .await;
    let events = history["events"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, [("create", "import"), ("update", "import")]);
    assert_eq!(events[0]["actor"]["import_id"], first.id.to_string());
    assert_eq!(events[1]["actor"]["import_id"], changed.id.to_string());
    let mut conn = crate::helpers::app_db(&app).await;
    let runs = crate::helpers::count(
        &mut conn,
        "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'import' AND action = 'start'",
    )
    .await;
    assert_eq!(runs, 3);
    let archived = crate::helpers::count(
        &mut conn,
        &format!(
            "SELECT count(*) AS n FROM audit_events WHERE action = 'archive' AND import_id = '{}'",
            changed.id
        ),
    )
    .await;
    assert_eq!(archived, 1);
}

#[tokio::test]
async fn only_admins_import_and_bad_requests_are_named() {
    let app = spawn_importer().await;
    let (_, agency) = app.agency("Some Club", true).await;
    let body = json!({"url": "http://127.0.0.1:9/oruk"});
    let response = app
        .send_json(Method::POST, "/v1/imports", Some(&agency), &body)
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .send_json(Method::POST, "/v1/imports", None, &body)
        .await;
    assert_eq!(response.status(), 401);
    for (body, field) in [
        (json!({"url": "ftp://example.org"}), "url"),
        (json!({"url": "http://"}), "url"),
        (
            json!({"url": "http://example.org", "organization_id": Uuid::new_v4()}),
            "organization_id",
        ),
    ] {
        let response = app
            .send_json(Method::POST, "/v1/imports", Some(&app.admin_key), &body)
            .await;
        assert_eq!(crate::helpers::problem_fields(response, 422).await, [field]);
    }
    let response = app
        .get(
            &format!("/v1/imports/{}", Uuid::new_v4()),
            Some(&app.admin_key),
        )
        .await;
    assert_eq!(response.status(), 404);
    // A feed that does not answer fails the run, with the reason.
    let report = import_via_api(&app, "http://127.0.0.1:9/oruk").await;
    assert_eq!(report["status"], "failed");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{report:#}"
    );
}

#[tokio::test]
async fn the_validators_failing_mock_is_reported_record_by_record() {
    let app = spawn_app().await;
    let full = mock("V3.0-UK-Fail/service_full.json");
    let stub = Arc::new(Stub {
        details: Some(mock("V3.0-UK-Fail/api_details.json")),
        pages: vec![
            mock("V3.0-UK-Fail/service_list.json")["contents"]
                .as_array()
                .unwrap()
                .clone(),
        ],
        full: HashMap::from([(full["id"].as_str().unwrap().to_string(), full.clone())]),
        ..Stub::default()
    });
    let row = run(&app, &serve_stub(stub)).await;
    assert_eq!(row.status, "succeeded", "bad records never abort a run");
    assert_eq!(
        (row.seen, row.created, row.failed),
        (4, 0, 4),
        "{:#?}",
        reasons(&row)
    );
    let errors = reasons(&row);
    assert!(
        errors
            .iter()
            .any(|(f, r)| f == "service_at_locations[0].location.latitude" && r.contains("100"))
    );
    assert_eq!(
        errors
            .iter()
            .filter(|(_, r)| r.contains("answers 404"))
            .count(),
        2
    );
    assert!(errors.iter().any(|(f, r)| f == "id" && r.contains("twice")));
    let mut conn = app_db(&app).await;
    let written = count(
        &mut conn,
        "SELECT (SELECT count(*) FROM assets) + (SELECT count(*) FROM venues) + (SELECT count(*) FROM organizations) AS n",
    )
    .await;
    assert_eq!(written, 0, "nothing of a refused record is written");
}

#[tokio::test]
async fn a_record_that_turns_bad_keeps_its_last_good_version() {
    let app = spawn_app().await;
    let stub = Arc::new(Stub {
        details: Some(mock("V3.0-UK-Default/api_details.json")),
        pages: vec![vec![placed_mock(1), placed_mock(2)]],
        ..Stub::default()
    });
    let url = serve_stub(stub.clone());
    assert_eq!(run(&app, &url).await.created, 2);
    // The source breaks one record (a time no one can read) and drops the other.
    let mut broken = placed_mock(1);
    broken["schedules"][0]["closes_at"] = json!("late");
    *stub.changed.lock().unwrap() = Some(vec![vec![broken]]);
    let row = run(&app, &url).await;
    assert_eq!(
        (row.failed, row.archived, row.updated),
        (1, 1, 0),
        "{:#?}",
        reasons(&row)
    );
    let found: Value = app
        .get_json(
            "/v1/assets?postcode=M33%207ZF&radius_km=1&include_stale=true",
            None,
        )
        .await;
    let titles: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Community counselling 1"],
        "still listed, so kept as it was"
    );
}

#[tokio::test]
async fn a_feed_cannot_place_listings_under_an_organisation_it_names() {
    let publisher = spawn_app().await;
    let importer = spawn_importer().await;
    // The importer's own Sale Sports Club, and a feed whose publisher calls itself that too.
    let (own_org, own_key) = importer.agency("Sale Sports Club", true).await;
    assert_eq!(
        importer
            .post_asset(&own_key, &walking_football())
            .await
            .status(),
        201
    );
    let (_, impostor) = publisher.agency("Sale Sports Club", true).await;
    let mut planted = walking_football();
    planted["title"] = json!("Send your bank details to join");
    planted["interests"] = json!(["yoga"]);
    assert_eq!(
        publisher.post_asset(&impostor, &planted).await.status(),
        201
    );
    let mut same = walking_football();
    same["title"] = json!("Walking Football (over 50s)");
    assert_eq!(publisher.post_asset(&impostor, &same).await.status(), 201);

    let report = import_via_api(&importer, &format!("{}/oruk", publisher.address)).await;
    assert_eq!(report["status"], "succeeded", "{report:#}");
    assert_eq!(
        report["counts"]["linked"], 1,
        "the same session is recognised"
    );
    assert_eq!(report["counts"]["created"], 1, "{report:#}");
    // The club's own listings are only its own.
    let mine = importer
        .get_json(
            &format!("/v1/organizations/{own_org}/assets"),
            Some(&own_key),
        )
        .await;
    let titles: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Walking football for over-50s"], "{mine:#}");
    // The planted listing is under an organisation the feed's source made.
    let mut conn = app_db(&importer).await;
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM assets a JOIN organizations o ON o.id = a.organization_id \
                 WHERE a.title = 'Send your bank details to join' AND o.id <> '{own_org}' \
                   AND o.source IS NOT NULL"
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn imports_over_http_read_only_feeds_on_public_addresses() {
    let app = spawn_app().await;
    let stub = Arc::new(Stub {
        details: Some(json!({"version": "3.0"})),
        ..Stub::default()
    });
    let url = serve_stub(stub.clone());
    for internal in [
        url.clone(),
        url.replace("127.0.0.1", "localhost"),
        "http://[::1]:9/oruk".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.7/oruk".to_string(),
    ] {
        let response = app
            .send_json(
                Method::POST,
                "/v1/imports",
                Some(&app.admin_key),
                &json!({"url": internal}),
            )
            .await;
        assert_eq!(
            crate::helpers::problem_fields(response, 422).await,
            ["url"],
            "{internal}"
        );
    }
    // A name that resolves inside the network (this machine's own name) is refused when it is
    // resolved: the run fails, and the feed never hears from us.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let resolved: Vec<std::net::IpAddr> = tokio::net::lookup_host((host.as_str(), 80))
        .await
        .unwrap()
        .map(|a| a.ip())
        .collect();
    assert!(
        resolved
            .iter()
            .all(|ip| !community_assets::domain::address::is_public(*ip)),
        "this test needs the machine's name to resolve to an internal address: {resolved:?}"
    );
    let report = import_via_api(&app, &url.replace("127.0.0.1", &host)).await;
    assert_eq!(report["status"], "failed", "{report:#}");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("no public address"),
        "{report:#}"
    );
    assert!(stub.log.lock().unwrap().is_empty(), "nothing was fetched");
}
