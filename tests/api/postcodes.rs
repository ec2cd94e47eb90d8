//! Postcode geocoding: offline precisions, and the optional online geocoder against a stub
//! that answers, fails, and is too slow.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use community_assets::startup::Settings;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{problem_fields, spawn_app, spawn_app_with};

async fn postcode(app: &crate::helpers::TestApp, raw: &str) -> Value {
    let response = app.get(&format!("/v1/postcodes/{raw}"), None).await;
    assert_eq!(response.status(), 200, "{raw}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn offline_precisions() {
    let app = spawn_app().await;
    let unit = postcode(&app, "%20YO10%20%205DD%20").await;
    assert_eq!(unit["postcode"], "YO10 5DD");
    assert_eq!(unit["precision"], "unit");
    assert_eq!(unit["source"], "offline");
    assert!((unit["lat"].as_f64().unwrap() - 53.9484).abs() < 0.001);
    assert!((unit["lon"].as_f64().unwrap() + 1.0535).abs() < 0.001);
    let sector = postcode(&app, "m11aa").await;
    assert_eq!(
        (sector["postcode"].as_str(), sector["precision"].as_str()),
        (Some("M1 1AA"), Some("sector"))
    );
    assert_eq!(postcode(&app, "YO10%205").await["precision"], "sector");
    let district = postcode(&app, "M1").await;
    assert_eq!(
        (
            district["postcode"].as_str(),
            district["precision"].as_str()
        ),
        (Some("M1"), Some("district"))
    );
    problem_fields(app.get("/v1/postcodes/ZZ99%209ZZ", None).await, 404).await;
    assert_eq!(
        problem_fields(app.get("/v1/postcodes/hello", None).await, 422).await,
        ["postcode"]
    );
}

#[tokio::test]
async fn venues_can_be_placed_by_postcode() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Org", true).await;
    let venue = app
        .send_json(Method::POST, "/v1/venues", Some(&key), &json!({"name": "Stretford Hall", "postcode": "m32 0jg", "venue_type": "community_centre"}))
        .await;
    assert_eq!(venue.status(), 201);
    let venue: Value = venue.json().await.unwrap();
    assert_eq!(venue["location_precision"], "unit");
    assert!((venue["location"]["lat"].as_f64().unwrap() - 53.455654).abs() < 1e-6);
    let unknown = app
        .send_json(
            Method::POST,
            "/v1/venues",
            Some(&key),
            &json!({"name": "Nowhere", "postcode": "TR29 9ZZ", "venue_type": "other"}),
        )
        .await;
    assert_eq!(problem_fields(unknown, 422).await, ["postcode"]);
    let mut inline = crate::helpers::walking_football();
    inline["venue"]["location"] = Value::Null;
    inline["venue"]["postcode"] = json!("M1 1AA");
    let asset = app.post_asset(&key, &inline).await;
    assert_eq!(asset.status(), 201);
    let asset: Value = asset.json().await.unwrap();
    assert_eq!(asset["venue"]["location_precision"], "sector");
}

/// A postcodes.io-like stub: `M1 1AA` is found, `M2 2BB` is too slow, `M3 3DD` fails, anything
/// else is unknown. Counts the requests it gets.
fn stub_geocoder(hits: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let hits = hits.clone();
        App::new().route(
            "/postcodes/{postcode}",
            web::get().to(move |path: web::Path<String>| {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    match path.as_str() {
                        "M1 1AA" => HttpResponse::Ok().json(json!({"status": 200, "result": {"postcode": "M1 1AA", "latitude": 53.4711, "longitude": -2.2386}})),
                        "M2 2BB" => {
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            HttpResponse::Ok().json(json!({"status": 200, "result": {"latitude": 1.0, "longitude": 1.0}}))
                        }
                        "M3 3DD" => HttpResponse::InternalServerError().body("boom"),
                        _ => HttpResponse::NotFound().json(json!({"status": 404, "error": "Postcode not found"})),
                    }
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    address
}

#[tokio::test]
async fn online_geocoder_is_used_cached_and_survived() {
    let hits = Arc::new(AtomicUsize::new(0));
    let stub = stub_geocoder(hits.clone());
    let app = spawn_app_with(Settings {
        workers: Some(1),
        geocoder_url: Some(stub),
        geocoder_timeout: Duration::from_millis(300),
        ..Settings::default()
    })
    .await;

    let online = postcode(&app, "M1 1AA").await;
    assert_eq!(
        (online["precision"].as_str(), online["source"].as_str()),
        (Some("unit"), Some("online"))
    );
    assert_eq!(online["lat"], 53.4711);
    let again = postcode(&app, "m11aa").await;
    assert_eq!(again["source"], "online");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the second answer came from the cache"
    );

    let started = Instant::now();
    let slow = postcode(&app, "M2 2BB").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the timeout bounds the wait"
    );
    assert_eq!(
        (slow["precision"].as_str(), slow["source"].as_str()),
        (Some("sector"), Some("offline"))
    );

    let failing = postcode(&app, "M3 3DD").await;
    assert_eq!(
        (failing["precision"].as_str(), failing["source"].as_str()),
        (Some("sector"), Some("offline"))
    );

    let unknown_online = postcode(&app, "M4 4DD").await;
    assert_eq!(
        unknown_online["source"], "offline",
        "not found online: the offline sector stands"
    );

    let before = hits.load(Ordering::SeqCst);
    assert_eq!(postcode(&app, "YO10 5DD").await["source"], "offline");
    assert_eq!(postcode(&app, "M1").await["source"], "offline");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        before,
        "offline unit answers and districts never go online"
    );

    let near: Value = app
        .get("/v1/assets?postcode=M1+1AA", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        near["location"]["source"], "online",
        "search uses the same geocoder"
    );
}

/// Every location the API echoes has one shape: `lat`, `lon`, `postcode` as a string and
/// `precision`, whichever operation placed it.
#[tokio::test]
async fn every_echoed_location_has_one_shape() {
    let app = spawn_app().await;
    let looked_up = postcode(&app, "M32%200JG").await;
    let searched = app.get_json("/v1/assets?postcode=M32%200JG", None).await["location"].clone();
    let covered = app
        .get_json("/v1/coverage?postcode=M32%200JG&radius_km=2", None)
        .await["location"]
        .clone();
    let matched: Value = app
        .send_json(
            Method::POST,
            "/v1/match",
            None,
            &json!({"location": {"postcode": "M32 0JG"}, "interests": ["football"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let matched = matched["location"].clone();
    for (what, location) in [
        ("postcodes", &looked_up),
        ("search", &searched),
        ("coverage", &covered),
        ("match", &matched),
    ] {
        assert_eq!(location["postcode"], "M32 0JG", "{what}: {location}");
        assert_eq!(location["precision"], "unit", "{what}");
        assert!(
            (location["lat"].as_f64().unwrap() - looked_up["lat"].as_f64().unwrap()).abs() < 1e-6,
            "{what}"
        );
        assert!(
            (location["lon"].as_f64().unwrap() - looked_up["lon"].as_f64().unwrap()).abs() < 1e-6,
            "{what}"
        );
        assert!(
            location.get("latitude").is_none() && location.get("longitude").is_none(),
            "{what}"
        );
    }
}
