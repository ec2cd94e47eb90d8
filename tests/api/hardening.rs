//! The request-handling layer: rate limits, Idempotency-Key, CORS, request ids, metrics,
//! timeouts and consistency tokens, each through the real server.

use std::time::Duration;

use community_assets::middleware::rate_limit::RateLimitSettings;
use community_assets::startup::Settings;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{app_db, count, problem_fields, spawn_app, spawn_app_with, walking_football};

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
    let field = |r: &reqwest::Response, name: &str| -> u64 {
        r.headers()[name].to_str().unwrap().parse().unwrap()
    };
    // Every limited answer says where the client stands (IETF RateLimit header fields).
    for remaining in (0..5).rev() {
        let response = app.get("/v1/interests", None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(field(&response, "ratelimit-limit"), 5);
        assert_eq!(field(&response, "ratelimit-remaining"), remaining);
        assert!((1..=60).contains(&field(&response, "ratelimit-reset")));
        assert_eq!(response.headers()["ratelimit-policy"], "5;w=60");
    }
    let refused = app.get("/v1/interests", None).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(field(&refused, "ratelimit-remaining"), 0);
    assert!(field(&refused, "ratelimit-reset") >= field(&refused, "retry-after"));
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
    assert_eq!(problem_fields(bad, 422).await, ["Idempotency-Key"]);

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
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_string();
    for name in ["etag", "link", "consistency-token", "ratelimit-remaining"] {
        assert!(exposed.contains(name), "{name} not exposed: {exposed}");
    }
    // Answers depend on the origin, so every one says so, with an Origin or without.
    let varies = |r: &reqwest::Response| {
        r.headers()
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Origin"))
    };
    assert!(varies(&read));
    assert!(varies(&app.get("/v1/interests", None).await));
    let allowed = preflight("https://app.example.org", "/v1/assets")
        .await
        .unwrap();
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("if-none-match")
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

#[tokio::test]
async fn made_up_keys_count_against_the_address_on_every_route() {
    let app = spawn_app_with(Settings {
        rate_limits: RateLimitSettings {
            per_ip: 4,
            per_key: 1000,
            trust_forwarded_for: false,
        },
        ..settings()
    })
    .await;
    // The address spends its budget on public reads.
    for _ in 0..4 {
        assert_eq!(app.get("/v1/interests", None).await.status(), 200);
    }
    assert_eq!(app.get("/v1/interests", None).await.status(), 429);
    // A made-up key on a public read, search, match or the ORUK feed is no way round it.
    for (i, path) in ["/v1/interests", "/v1/assets?q=walking", "/oruk/services"]
        .iter()
        .enumerate()
    {
        let token = format!("ca_madeup{i:040}");
        let r = app.get(path, Some(&token)).await;
        assert_eq!(r.status(), 429, "{path}");
    }
    let matched = app
        .request(Method::POST, "/v1/match", Some("anything-at-all"))
        .json(&json!({"location": {"postcode": "M33 2AB"}, "interests": ["walking"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(matched.status(), 429);
    // A real key has its own budget.
    assert_eq!(
        app.get("/v1/interests", Some(&app.admin_key))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_key_that_fails_is_refused_on_public_reads_and_counts_as_a_failure() {
    let app = spawn_app_with(Settings {
        rate_limits: RateLimitSettings {
            per_ip: 1000,
            per_key: 1000,
            trust_forwarded_for: false,
        },
        ..settings()
    })
    .await;
    let r = app.get("/v1/assets?q=walking", Some("ca_madeup")).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unauthorized");
    // Without a key the same read is fine.
    assert_eq!(app.get("/v1/assets?q=walking", None).await.status(), 200);
    // A write is authenticated before its body is read: a bad key, or none, is a 401 however
    // wrong the body, never a list of the body's faults.
    for key in [Some("ca_madeup"), None] {
        let r = app
            .send_json(
                Method::POST,
                "/v1/assets",
                key,
                &serde_json::json!({"title": 7}),
            )
            .await;
        assert_eq!(r.status(), 401, "{key:?}");
    }
    // Thirty failures a minute on public routes block the address's keyed requests.
    let mut statuses = Vec::new();
    for i in 0..35 {
        let token = format!("ca_madeup{i:040}");
        statuses.push(
            app.get("/oruk/services", Some(&token))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    assert_eq!(
        app.get("/v1/interests", Some(&app.admin_key))
            .await
            .status(),
        429,
        "a real key from an address that keeps failing waits too"
    );
}

#[tokio::test]
async fn idempotency_follows_the_key_however_its_header_is_spelt() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Spelling Society", true).await;
    let mut statuses = Vec::new();
    for header in [
        format!("Bearer {key}"),
        format!("bearer {key}"),
        format!("Bearer  {key}"),
        format!("BEARER {key} "),
    ] {
        let r = app
            .client
            .post(app.url("/v1/assets"))
            .header("Authorization", header)
            .header("Idempotency-Key", "one-request")
            .json(&walking_football())
            .send()
            .await
            .unwrap();
        statuses.push((
            r.status().as_u16(),
            r.headers().contains_key("idempotent-replayed"),
        ));
    }
    assert_eq!(
        statuses,
        [(201, false), (201, true), (201, true), (201, true)]
    );
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM assets WHERE organization_id = '{org}'")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn secrets_are_never_kept_for_replay() {
    let app = spawn_app().await;
    let org = app.create_org("Secretive Society", true).await;
    let create_key = || {
        app.request(
            Method::POST,
            &format!("/v1/organizations/{org}/api-keys"),
            Some(&app.admin_key),
        )
        .header("Idempotency-Key", "key-once")
        .json(&json!({"name": "a key", "role": "agency"}))
        .send()
    };
    let first = create_key().await.unwrap();
    assert_eq!(first.status(), 201);
    let created: Value = first.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let key_id = created["id"].as_str().unwrap().to_string();

    let retry = create_key().await.unwrap();
    assert_eq!(retry.status(), 409);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let text = retry.text().await.unwrap();
    assert!(!text.contains(&secret), "{text}");
    let problem: Value = serde_json::from_str(&text).unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains(&key_id),
        "names what was created: {problem}"
    );

    // Revoked, and retried again: still nothing to give away.
    let revoked = app
        .request(
            Method::DELETE,
            &format!("/v1/api-keys/{key_id}"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let again = create_key().await.unwrap().text().await.unwrap();
    assert!(!again.contains(&secret));

    // A webhook's signing secret likewise.
    let hook = || {
        app.request(Method::POST, "/v1/webhooks", Some(&app.admin_key))
            .header("Idempotency-Key", "hook-once")
            .json(&json!({"url": "https://hooks.example.org/ca", "events": ["asset.created"]}))
            .send()
    };
    let first = hook().await.unwrap();
    assert_eq!(first.status(), 201);
    let hook_secret = first.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let retry = hook().await.unwrap();
    assert_eq!(retry.status(), 409);
    assert!(!retry.text().await.unwrap().contains(&hook_secret));

    // Nothing in the store holds either secret, in any column.
    let mut conn = app_db(&app).await;
    for s in [&secret, &hook_secret] {
        let stored = count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM idempotency_keys k \
                 WHERE position(convert_to('{s}', 'UTF8') IN coalesce(k.response_body, '')) > 0 \
                    OR k.response_headers::text LIKE '%{s}%'"
            ),
        )
        .await;
        assert_eq!(stored, 0);
    }
}

#[tokio::test]
async fn an_abandoned_idempotency_key_is_taken_over_after_a_few_minutes() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Interrupted Society", true).await;
    let post = |idempotency: &'static str| {
        app.request(Method::POST, "/v1/assets", Some(&key))
            .header("Idempotency-Key", idempotency)
            .json(&walking_football())
            .send()
    };
    assert_eq!(post("stuck").await.unwrap().status(), 201);
    assert_eq!(post("fresh").await.unwrap().status(), 201);
    // As if each first request's process had died before its answer was stored: one a moment
    // ago, one ten minutes ago (the request timeout is 30 s).
    let mut conn = app_db(&app).await;
    count(
        &mut conn,
        "WITH u AS (UPDATE idempotency_keys SET status = NULL, response_body = NULL, \
            response_headers = NULL, created_at = CASE key WHEN 'stuck' \
            THEN now() - interval '10 minutes' ELSE now() END \
         WHERE key IN ('stuck', 'fresh') RETURNING 1) SELECT count(*) AS n FROM u",
    )
    .await;
    assert_eq!(
        post("fresh").await.unwrap().status(),
        409,
        "still running, perhaps"
    );
    let retried = post("stuck").await.unwrap();
    assert_eq!(retried.status(), 201);
    assert!(retried.headers().get("idempotent-replayed").is_none());
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM assets WHERE organization_id = '{org}'")
        )
        .await,
        3
    );
    // Its answer is stored for later retries.
    let replayed = post("stuck").await.unwrap();
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn writes_queued_on_a_locked_row_give_up_with_a_503_and_leave_reads_alone() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app_with(Settings {
        db_limits: community_assets::db::SessionLimits {
            lock_timeout: Duration::from_millis(800),
            statement_timeout: Duration::from_secs(10),
        },
        ..settings()
    })
    .await;
    let (_, key) = app.agency("Busy Bees", true).await;
    let created = app.post_asset(&key, &walking_football()).await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another session holds the asset's row, as a long transaction would.
    let mut locker = crate::helpers::hold_asset_lock(&app, &id).await;
    let started = std::time::Instant::now();
    let put = || {
        app.request(Method::PUT, &format!("/v1/assets/{id}"), Some(&key))
            .header("If-Match", "\"1\"")
            .json(&walking_football())
            .send()
    };
    let writes = futures_util::future::join_all((0..12).map(|_| put()));
    let reads = async {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(app.get("/readyz", None).await.status().as_u16());
            statuses.push(
                app.get("/v1/assets?postcode=M33%202AB&radius_km=5", None)
                    .await
                    .status()
                    .as_u16(),
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        statuses
    };
    let (writes, reads) = tokio::join!(writes, reads);
    assert!(
        reads.iter().all(|s| *s == 200),
        "reads waited on writes: {reads:?}"
    );
    for response in writes {
        let response = response.unwrap();
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key("retry-after"));
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/busy", "{problem}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "gave up at the lock timeout, not the request timeout: {:?}",
        started.elapsed()
    );
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(put().await.unwrap().status(), 200, "once the lock is gone");
}

#[tokio::test]
async fn losing_the_database_mid_request_is_a_503_and_frees_the_idempotency_key() {
    use diesel_async::SimpleAsyncConnection;
    let app = spawn_app_with(Settings {
        db_limits: community_assets::db::SessionLimits {
            lock_timeout: Duration::from_secs(20),
            statement_timeout: Duration::from_secs(25),
        },
        ..settings()
    })
    .await;
    let (_, key) = app.agency("Fragile Friends", true).await;
    let created = app.post_asset(&key, &walking_football()).await;
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut locker = crate::helpers::hold_asset_lock(&app, &id).await;
    let confirm = || {
        app.request(
            Method::POST,
            &format!("/v1/assets/{id}/confirm"),
            Some(&key),
        )
        .header("Idempotency-Key", "confirm-once")
        .send()
    };
    let waiting = tokio::spawn(confirm());
    // Once the confirmation waits on the lock, its connection is cut, as a failover or a
    // restart of the server would.
    let mut killer = app_db(&app).await;
    let mut killed = 0;
    for _ in 0..100 {
        killed = count(
            &mut killer,
            "SELECT count(*) AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock') t",
        )
        .await;
        if killed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(killed, 1);
    let response = waiting.await.unwrap().unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/service-unavailable");
    locker.batch_execute("ROLLBACK").await.unwrap();
    // The retry runs: the key was not left "in progress".
    let retried = confirm().await.unwrap();
    assert_eq!(retried.status(), 200, "{}", retried.text().await.unwrap());
}

#[tokio::test]
async fn every_answer_tells_browsers_not_to_sniff_frame_or_load_anything() {
    let app = spawn_app_with(Settings {
        rate_limits: RateLimitSettings {
            per_ip: 2,
            per_key: 1000,
            trust_forwarded_for: false,
        },
        ..settings()
    })
    .await;
    let check = |response: &reqwest::Response, docs: bool| {
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{}", response.url());
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        if docs {
            assert!(csp.contains("script-src 'self'"), "{csp}");
        } else {
            assert!(csp.starts_with("default-src 'none'"), "{csp}");
        }
    };
    // With a key, so that the address's small budget is kept for the refusal below.
    let key = Some(app.admin_key.as_str());
    for path in [
        "/v1/interests",
        "/oruk/services",
        "/openapi.json",
        "/healthz",
        "/nothing-here",
    ] {
        check(&app.get(path, key).await, false);
    }
    for path in ["/docs/", "/docs/swagger-ui.css"] {
        let response = app.get(path, key).await;
        assert_eq!(response.status(), 200, "{path}");
        check(&response, true);
    }
    // Refusals made by the middleware carry them too.
    let mut last = app.get("/v1/interests", None).await;
    for _ in 0..3 {
        last = app.get("/v1/interests", None).await;
    }
    assert_eq!(last.status(), 429);
    check(&last, false);
}

#[tokio::test]
async fn readiness_probes_share_one_database_check_a_second() {
    let app = spawn_app_with(Settings {
        webhooks: community_assets::webhooks::WebhookSettings {
            concurrency: 0,
            ..Default::default()
        },
        ..settings()
    })
    .await;
    let checks = async || -> u64 {
        let text = app.get("/metrics", None).await.text().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("community_assets_readiness_checks_total "))
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = checks().await;
    let started = std::time::Instant::now();
    let probes = futures_util::future::join_all((0..400).map(|_| app.get("/readyz", None))).await;
    let seconds = started.elapsed().as_secs_f64();
    assert!(probes.iter().all(|r| r.status() == 200));
    let made = checks().await - before;
    assert!(
        made as f64 <= seconds.ceil() + 1.0,
        "{made} database checks for 400 probes in {seconds:.2} s"
    );
}

#[tokio::test]
async fn metrics_are_closed_beyond_loopback_without_a_token() {
    let app = spawn_app_with(Settings {
        metrics_open_without_token: false,
        ..settings()
    })
    .await;
    let refused = app.get("/metrics", None).await;
    assert_eq!(refused.status(), 403);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("CA_METRICS_TOKEN")
    );
    assert_eq!(
        app.get("/metrics", Some(&app.admin_key)).await.status(),
        403,
        "an API key does not open them"
    );
    let token = "a-long-enough-metrics-token";
    let with_token = spawn_app_with(Settings {
        metrics_open_without_token: false,
        metrics_token: Some(token.into()),
        ..settings()
    })
    .await;
    assert_eq!(with_token.get("/metrics", Some(token)).await.status(), 200);
}
