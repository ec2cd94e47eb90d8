//! The request-handling layer: rate limits, Idempotency-Key, CORS, request ids, metrics,
//! timeouts and consistency tokens, each through the real server.

use std::time::Duration;

use community_assets::middleware::rate_limit::RateLimitSettings;
use community_assets::startup::Settings;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{app_db, count, spawn_app, spawn_app_with, walking_football};

fn settings() -> Settings {
    Settings {
        workers: Some(1),
        ..Settings::default()
    }
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_per_address_and_per_key() {
    let app = spawn_app_with(Settings {
        rate_limits: RateLimitSettings {
            per_ip: 5,
            per_key: 8,
            trust_forwarded_for: false,
        },
        ..settings()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(app.get("/v1/interests", None).await.status(), 200);
    }
    let refused = app.get("/v1/interests", None).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=13).contains(&wait), "{wait}");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/too-many-requests");
    assert!(problem["detail"].as_str().unwrap().contains("retry after"));
    // Probes are never limited; a key has its own budget.
    assert_eq!(app.get("/readyz", None).await.status(), 200);
    for _ in 0..8 {
        assert_eq!(
            app.get("/v1/interests", Some(&app.admin_key))
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        app.get("/v1/interests", Some(&app.admin_key))
            .await
            .status(),
        429
    );
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("community_assets_rate_limited_total{scope=\"ip\"}"));
}

#[tokio::test]
async fn guessing_keys_gets_the_address_refused() {
    let app = spawn_app_with(Settings {
        rate_limits: RateLimitSettings {
            per_ip: 1000,
            per_key: 1000,
            trust_forwarded_for: false,
        },
        ..settings()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..40 {
        let key = format!("ca_guess{i:040}");
        statuses.push(
            app.get(
                "/v1/imports/00000000-0000-0000-0000-000000000000",
                Some(&key),
            )
            .await
            .status()
            .as_u16(),
        );
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    // A real key from the same address is refused too while the block lasts.
    assert_eq!(
        app.get("/v1/interests", Some(&app.admin_key))
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn a_retried_post_with_an_idempotency_key_creates_nothing_twice() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Striders", true).await;
    let post = |body: Value, idempotency: &'static str| {
        app.request(Method::POST, "/v1/assets", Some(&key))
            .header("Idempotency-Key", idempotency)
            .json(&body)
            .send()
    };
    let first = post(walking_football(), "retry-1").await.unwrap();
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].clone();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body: Value = first.json().await.unwrap();

    let again = post(walking_football(), "retry-1").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.headers()["content-type"], "application/json");
    assert!(again.headers().contains_key("consistency-token"));
    let again_body: Value = again.json().await.unwrap();
    assert_eq!(again_body, first_body, "the first response, byte for byte");

    let mut other = walking_football();
    other["title"] = json!("Something else");
    let misused = post(other.clone(), "retry-1").await.unwrap();
    assert_eq!(misused.status(), 422);
    let problem: Value = misused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");

    // Two at once with one key: one runs, the other waits its turn (409) or is replayed.
    let (a, b) = tokio::join!(post(other.clone(), "race"), post(other.clone(), "race"));
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert!(
        statuses == [201, 201] || statuses == [201, 409],
        "{statuses:?}"
    );

    // Another key's same idempotency key is its own.
    let (_, other_key) = app.create_key(org, "agency").await;
    let separate = app
        .request(Method::POST, "/v1/assets", Some(&other_key))
        .header("Idempotency-Key", "retry-1")
        .json(&walking_football())
        .send()
        .await
        .unwrap();
    assert_eq!(separate.status(), 201);
    assert!(separate.headers().get("idempotent-replayed").is_none());

    let bad = app
        .request(Method::POST, "/v1/assets", Some(&key))
        .header("Idempotency-Key", "has space")
        .json(&walking_football())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM assets WHERE organization_id = '{org}'")
        )
        .await,
        3,
        "retry-1 once, race once, the other key once"
    );
    // A match is never stored, whatever the header says.
    let matched = app
        .request(Method::POST, "/v1/match", None)
        .header("Idempotency-Key", "match-1")
        .json(&json!({"location": {"postcode": "M33 2AB"}, "interests": ["walking"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(matched.status(), 200);
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM idempotency_keys WHERE key = 'match-1'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn cors_allows_configured_origins_and_any_origin_on_the_feed() {
    let app = spawn_app_with(Settings {
        cors_origins: vec!["https://app.example.org".into()],
        ..settings()
    })
    .await;
    let preflight = |origin: &'static str, path: &'static str| {
        app.request(Method::OPTIONS, path, None)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://app.example.org", "/v1/assets")
        .await
        .unwrap();
    assert_eq!(allowed.status(), 204);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let refused = preflight("https://evil.example.com", "/v1/assets")
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );

    let read = app
        .request(Method::GET, "/v1/interests", None)
        .header("Origin", "https://app.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert!(
        read.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("etag")
    );
    let foreign = app
        .request(Method::GET, "/v1/interests", None)
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 200);
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let feed = app
        .request(Method::GET, "/oruk/services", None)
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(feed.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        preflight("https://anyone.example", "/oruk/services")
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn requests_carry_an_id_and_are_counted_per_route() {
    let app = spawn_app().await;
    let given = app
        .request(Method::GET, "/v1/interests", None)
        .header("X-Request-Id", "trace-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-abc.123");
    let made = app
        .request(Method::GET, "/v1/interests", None)
        .header("X-Request-Id", "not a token")
        .send()
        .await
        .unwrap();
    assert_eq!(made.headers()["x-request-id"].len(), 32);
    let missing = app
        .get(&format!("/v1/assets/{}", uuid::Uuid::new_v4()), None)
        .await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().contains_key("x-request-id"));

    let metrics = app.get("/metrics", None).await;
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    for expected in [
        r#"community_assets_http_requests_total{method="GET",route="/v1/assets/{id}",status="404"}"#,
        r#"community_assets_http_request_duration_seconds_bucket{method="GET",route="/v1/interests""#,
        r#"community_assets_db_pool_connections{pool="primary",state="max"} 4"#,
        "community_assets_process_resident_memory_bytes",
        "community_assets_http_requests_in_flight",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        !text.contains(
            &missing.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_string()
        )
    );
}

#[tokio::test]
async fn a_request_past_the_time_limit_is_abandoned_with_a_503() {
    let app = spawn_app_with(Settings {
        request_timeout: Duration::ZERO,
        ..settings()
    })
    .await;
    let slow = app
        .get("/v1/assets?postcode=M33%202AB&radius_km=5", None)
        .await;
    assert_eq!(slow.status(), 503);
    assert_eq!(slow.headers()["retry-after"], "5");
    let problem: Value = slow.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/timeout");
}

#[tokio::test]
async fn writes_return_a_consistency_token_that_reads_accept() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Sale Striders", true).await;
    let created = app.post_asset(&key, &walking_football()).await;
    let token = created.headers()["consistency-token"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(community_assets::db::replicas::valid_lsn(&token), "{token}");
    let read = app
        .request(Method::GET, "/v1/assets?q=walking", None)
        .header("Consistency-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    // A token that cannot be read sends the read to the primary, which is always fresh.
    let unreadable = app
        .request(Method::GET, "/v1/assets?q=walking", None)
        .header("Consistency-Token", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(unreadable.status(), 200);
    let body: Value = unreadable.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_metrics_token_keeps_metrics_from_anyone_without_it() {
    let token = "metrics-scraper-token-0123456789";
    let app = spawn_app_with(Settings {
        metrics_token: Some(token.into()),
        ..settings()
    })
    .await;
    for authorization in [
        None,
        Some("Bearer wrong-token-0123456789"),
        Some("Basic eDp5"),
    ] {
        let mut request = app.client.get(app.url("/metrics"));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), 401, "{authorization:?}");
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
        assert!(!refused.text().await.unwrap().contains("community_assets_"));
    }
    // An API key, even an admin's, is not the metrics token.
    let admin = app.get("/metrics", Some(&app.admin_key)).await;
    assert_eq!(admin.status(), 401);
    let allowed = app.get("/metrics", Some(token)).await;
    assert_eq!(allowed.status(), 200);
    assert!(
        allowed
            .text()
            .await
            .unwrap()
            .contains("community_assets_http_requests_total")
    );
    // Health checks stay open.
    assert_eq!(app.get("/readyz", None).await.status(), 200);
}
