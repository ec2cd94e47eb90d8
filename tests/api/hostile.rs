//! Hostile input: injection strings, invalid UTF-8, absurd numbers, deep and oversized JSON,
//! unicode tricks, and keys used where they may not be. Every request gets a clean 4xx problem
//! (or, for harmless text such as a search for an injection string, an ordinary answer), none
//! changes anything, and the service stays healthy.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, count, spawn_app, walking_football};

const TABLES: [&str; 11] = [
    "assets",
    "asset_pending_changes",
    "webhook_subscriptions",
    "imports",
    "referrals",
    "asset_sessions",
    "organizations",
    "venues",
    "api_keys",
    "audit_events",
    "idempotency_keys",
];

async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut conn = app_db(app).await;
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")).await);
    }
    let versions = count(
        &mut conn,
        "SELECT coalesce(sum(version), 0)::bigint AS n FROM assets",
    )
    .await;
    counts.push(versions);
    counts
}

/// Sends and checks: a 4xx problem document, or (when `harmless`) any answer below 500.
async fn expect_refused(what: &str, request: RequestBuilder, harmless: bool) {
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let body = response.text().await.unwrap_or_default();
    if harmless && status < 400 {
        return;
    }
    let short: String = body.chars().take(300).collect();
    assert!((400..500).contains(&status), "{what}: {status} {short}");
    {
        assert_eq!(content_type, "application/problem+json", "{what}: {short}");
        let problem: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: {body}"));
        assert_eq!(problem["status"], status, "{what}");
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}"
        );
    }
}

#[tokio::test]
async fn hostile_requests_get_clean_refusals_and_change_nothing() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Sale Striders", true).await;
    let (_, other) = app.agency("Another agency", true).await;
    let (_, reader) = app.create_key(org, "reader").await;
    let (revoked_id, revoked) = app.create_key(org, "agency").await;
    let response = app
        .request(
            Method::DELETE,
            &format!("/v1/api-keys/{revoked_id}"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let created = app.create_asset(&key, &walking_football()).await;
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/v1/assets/{id}");

    // Unusual but real text is stored and read back exactly as sent.
    for title in [
        "\u{202e}gnikla W (right-to-left override)",
        "Café ☕ 👩🏽‍🤝‍👩🏻 group",
        "Zoë's Ŵelsh clüb: ＦＵＬＬＷＩＤＴＨ",
        "نادي المشي",
    ] {
        let mut body = walking_football();
        body["title"] = json!(title);
        let response = app.post_asset(&key, &body).await;
        assert_eq!(response.status(), 201, "{title}");
        let stored: Value = response.json().await.unwrap();
        let read: Value = app
            .get_json(
                &format!("/v1/assets/{}", stored["id"].as_str().unwrap()),
                None,
            )
            .await;
        assert_eq!(read["title"], title);
    }
    let before = snapshot(&app).await;

    let injections = [
        "' OR '1'='1",
        "1; DROP TABLE assets; --",
        "\") UNION SELECT secret_hash FROM api_keys --",
        "%' AND pg_sleep(5) --",
        "$1$2$3",
    ];
    for text in injections {
        let encoded: String = url_encode(text);
        for query in [
            format!("/v1/assets?q={encoded}"),
            format!("/v1/assets?postcode={encoded}"),
            format!("/v1/assets?interest={encoded}"),
            format!("/oruk/services?search={encoded}"),
            format!("/v1/postcodes/{encoded}"),
            format!("/v1/assets/{encoded}"),
        ] {
            expect_refused(&query, app.request(Method::GET, &query, None), true).await;
        }
        let mut body = walking_football();
        body["venue"]["postcode"] = json!(text);
        expect_refused(
            text,
            app.request(Method::POST, "/v1/assets", Some(&key))
                .json(&body),
            false,
        )
        .await;
        let mut body = walking_football();
        body["interests"] = json!([text]);
        expect_refused(
            text,
            app.request(Method::POST, "/v1/assets", Some(&key))
                .json(&body),
            false,
        )
        .await;
        expect_refused(
            text,
            app.request(Method::POST, "/v1/match", None)
                .json(&json!({"location": {"postcode": text}, "interests": ["walking"]})),
            false,
        )
        .await;
    }

    // Bytes that are not UTF-8, in a body and in a query.
    expect_refused(
        "invalid UTF-8 body",
        app.request(Method::POST, "/v1/assets", Some(&key))
            .header("content-type", "application/json")
            .body(b"{\"title\": \"caf\xe9\"}".to_vec()),
        false,
    )
    .await;
    expect_refused(
        "invalid UTF-8 query",
        app.request(Method::GET, "/v1/assets?q=%FF%FE", None),
        false,
    )
    .await;
    expect_refused(
        "invalid UTF-8 path",
        app.request(Method::GET, "/v1/postcodes/%C3%28", None),
        true,
    )
    .await;

    // Huge, negative and non-finite numbers.
    for query in [
        "/v1/assets?lat=1e400&lon=0",
        "/v1/assets?lat=53.4&lon=-2.3&radius_km=-5",
        "/v1/assets?lat=53.4&lon=-2.3&radius_km=99999999999999999999",
        "/v1/assets?lat=NaN&lon=-2.3",
        "/v1/assets?limit=-1",
        "/v1/assets?limit=18446744073709551617",
        "/oruk/services?page=-3",
        "/oruk/services?per_page=1e9",
    ] {
        expect_refused(query, app.request(Method::GET, query, None), false).await;
    }
    for (field, value) in [
        ("cost", json!({"free": false, "amount_pence": 1e30})),
        ("cost", json!({"free": false, "amount_pence": -300})),
        ("eligibility", json!({"min_age": -1})),
        ("newcomers", json!({"max_participants": 2147483648i64})),
    ] {
        let mut body = walking_football();
        body[field] = value.clone();
        expect_refused(
            &format!("{field} {value}"),
            app.request(Method::POST, "/v1/assets", Some(&key))
                .json(&body),
            false,
        )
        .await;
    }
    for huge in ["99999999999999999999", "1e400", "-0.5"] {
        let text = walking_football().to_string();
        assert!(text.contains("\"min_age\":50"));
        expect_refused(
            huge,
            app.request(Method::POST, "/v1/assets", Some(&key))
                .header("content-type", "application/json")
                .body(text.replace("\"min_age\":50", &format!("\"min_age\":{huge}"))),
            false,
        )
        .await;
    }
    expect_refused(
        "match radius",
        app.request(Method::POST, "/v1/match", None).json(
            &json!({"location": {"postcode": "M33 2AB"}, "interests": ["walking"], "travel": {"max_minutes": 1e308}}),
        ),
        false,
    )
    .await;

    // Deeply nested and oversized JSON.
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    expect_refused(
        "deep JSON",
        app.request(Method::POST, "/v1/match", None)
            .header("content-type", "application/json")
            .body(deep),
        false,
    )
    .await;
    let mut deep_object = json!("x");
    for _ in 0..200 {
        deep_object = json!({"a": deep_object});
    }
    let mut body = walking_football();
    body["description"] = deep_object;
    expect_refused(
        "deep object",
        app.request(Method::POST, "/v1/assets", Some(&key))
            .json(&body),
        false,
    )
    .await;
    let mut body = walking_football();
    body["description"] = json!("x".repeat(400 * 1024));
    expect_refused(
        "oversized body",
        app.request(Method::POST, "/v1/assets", Some(&key))
            .json(&body),
        false,
    )
    .await;
    let many: Vec<String> = (0..50_000).map(|i| format!("interest {i}")).collect();
    expect_refused(
        "huge array",
        app.request(Method::POST, "/v1/match", None)
            .json(&json!({"location": {"postcode": "M33 2AB"}, "interests": many})),
        false,
    )
    .await;
    expect_refused(
        "oversized header",
        app.request(Method::GET, "/v1/interests", None)
            .header("x-padding", "p".repeat(64 * 1024)),
        false,
    )
    .await;

    // Unicode edge cases in names and postcodes.
    for title in [
        "Walk\u{0}ing",
        " \u{3000} ",
        "\u{7}bell",
        "Walk\u{1b}[31mred",
    ] {
        let mut body = walking_football();
        body["title"] = json!(title);
        expect_refused(
            &format!("title {title:?}"),
            app.request(Method::POST, "/v1/assets", Some(&key))
                .json(&body),
            false,
        )
        .await;
    }
    for postcode in [
        "M33\u{0}2AB",
        "M33 2AB\u{200b}",
        "Ｍ３３ ２ＡＢ",
        "M33 2AB\u{301}",
    ] {
        let mut body = walking_football();
        body["venue"]["postcode"] = json!(postcode);
        expect_refused(
            &format!("postcode {postcode:?}"),
            app.request(Method::POST, "/v1/assets", Some(&key))
                .json(&body),
            false,
        )
        .await;
    }
    expect_refused(
        "organisation name with NUL",
        app.request(Method::POST, "/v1/organizations", Some(&app.admin_key))
            .json(&json!({"name": "Sale\u{0} Hub"})),
        false,
    )
    .await;

    // Keys where they may not act.
    let mut changed = walking_football();
    changed["title"] = json!("Taken over");
    expect_refused(
        "another organisation's key",
        app.request(Method::PUT, &path, Some(&other))
            .header("If-Match", "*")
            .json(&changed),
        false,
    )
    .await;
    expect_refused(
        "another organisation archives",
        app.request(Method::DELETE, &path, Some(&other)),
        false,
    )
    .await;
    expect_refused(
        "a revoked key",
        app.request(Method::PUT, &path, Some(&revoked))
            .header("If-Match", "*")
            .json(&changed),
        false,
    )
    .await;
    expect_refused(
        "a reader key writing",
        app.request(Method::PUT, &path, Some(&reader))
            .header("If-Match", "*")
            .json(&changed),
        false,
    )
    .await;
    expect_refused(
        "a reader key creating",
        app.request(Method::POST, "/v1/assets", Some(&reader))
            .json(&walking_football()),
        false,
    )
    .await;
    expect_refused(
        "an agency publishing",
        app.request(Method::POST, &format!("{path}/publish"), Some(&key)),
        false,
    )
    .await;
    expect_refused(
        "an agency making keys",
        app.request(
            Method::POST,
            &format!("/v1/organizations/{org}/api-keys"),
            Some(&key),
        )
        .json(&json!({"name": "mine"})),
        false,
    )
    .await;
    expect_refused(
        "an agency importing",
        app.request(Method::POST, "/v1/imports", Some(&key))
            .json(&json!({"url": "http://127.0.0.1:9/oruk"})),
        false,
    )
    .await;
    expect_refused(
        "a key in the wrong scheme",
        app.request(Method::POST, "/v1/assets", None)
            .header("authorization", format!("Basic {key}"))
            .json(&walking_football()),
        false,
    )
    .await;
    expect_refused(
        "a key that is not text",
        app.request(
            Method::GET,
            "/v1/imports/00000000-0000-0000-0000-000000000000",
            None,
        )
        .header(
            "authorization",
            reqwest::header::HeaderValue::from_bytes(b"Bearer ca_\xff\xfe").unwrap(),
        ),
        false,
    )
    .await;

    // Made-up and misspelt keys, on public reads as much as writes: refused, never ignored.
    for (what, header) in [
        (
            "a made-up key on a search",
            "Bearer ca_madeupmadeupmadeupmadeupmadeupmadeupmad",
        ),
        ("a key that is not ours at all", "Bearer sk_live_0123456789"),
        ("a scheme with no key", "Bearer"),
        ("a scheme and blanks", "Bearer    "),
        ("two keys", "Bearer ca_a ca_b"),
    ] {
        for path in ["/v1/assets?q=walking", "/oruk/services", "/v1/interests"] {
            expect_refused(
                &format!("{what} on {path}"),
                app.request(Method::GET, path, None)
                    .header("authorization", header),
                false,
            )
            .await;
        }
    }
    // A forged search cursor with a NUL in it.
    let first: Value = app
        .get_json("/v1/assets?interest=walking&limit=1", None)
        .await;
    if let Some(cursor) = first["next_cursor"].as_str() {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut decoded: Value = serde_json::from_slice(&engine.decode(cursor).unwrap()).unwrap();
        decoded["t"] = json!("Walking\u{0}");
        decoded["m"] = json!(-1);
        expect_refused(
            "a cursor with a NUL",
            app.request(
                Method::GET,
                &format!(
                    "/v1/assets?interest=walking&limit=1&cursor={}",
                    engine.encode(decoded.to_string())
                ),
                None,
            ),
            false,
        )
        .await;
    }
    // Webhook receivers and feeds inside the network, by every special-purpose block.
    for url in [
        "https://192.0.0.9/hook",
        "https://192.0.0.170/hook",
        "https://100.64.0.1/hook",
        "https://198.18.0.1/hook",
        "https://[64:ff9b:1::a00:1]/hook",
        "https://[2001::1]/hook",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
        "https://[2002:a00:1::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:169.254.169.254]/hook",
    ] {
        expect_refused(
            &format!("a webhook to {url}"),
            app.request(Method::POST, "/v1/webhooks", Some(&key))
                .json(&json!({"url": url, "events": ["asset.created"]})),
            false,
        )
        .await;
        expect_refused(
            &format!("an import from {url}"),
            app.request(Method::POST, "/v1/imports", Some(&app.admin_key))
                .json(&json!({"url": url.replace("/hook", "/oruk")})),
            false,
        )
        .await;
    }

    assert_eq!(snapshot(&app).await, before, "nothing changed");
    assert_eq!(app.get("/readyz", None).await.status(), 200);
    let read = app.get(&path, Some(&key)).await;
    assert_eq!(read.status(), 200);
    let body: Value = read.json().await.unwrap();
    assert_eq!(body["title"], created["title"]);
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A flood of writes aimed at one row someone holds: each gives up at the lock timeout with a
/// 503 and `Retry-After`, none changes anything, and reads carry on meanwhile.
#[tokio::test]
async fn a_flood_of_writes_on_a_locked_row_changes_nothing_and_blocks_no_reads() {
    use diesel_async::SimpleAsyncConnection;
    let app = crate::helpers::spawn_app_with(community_assets::startup::Settings {
        workers: Some(1),
        db_limits: community_assets::db::SessionLimits {
            lock_timeout: std::time::Duration::from_millis(500),
            statement_timeout: std::time::Duration::from_secs(10),
        },
        ..Default::default()
    })
    .await;
    let (_, key) = app.agency("Sale Striders", true).await;
    let created = app.create_asset(&key, &walking_football()).await;
    let id = created["id"].as_str().unwrap().to_string();
    let before = snapshot(&app).await;
    let mut locker = crate::helpers::hold_asset_lock(&app, &id).await;
    let writes = futures_util::future::join_all((0..20).map(|i| {
        let request = match i % 4 {
            0 => app
                .request(Method::PUT, &format!("/v1/assets/{id}"), Some(&key))
                .header("If-Match", "*")
                .json(&walking_football()),
            1 => app.request(Method::DELETE, &format!("/v1/assets/{id}"), Some(&key)),
            2 => app.request(
                Method::POST,
                &format!("/v1/assets/{id}/confirm"),
                Some(&key),
            ),
            _ => app
                .request(
                    Method::POST,
                    &format!("/v1/assets/{id}/confirm"),
                    Some(&key),
                )
                .header("Idempotency-Key", format!("flood-{i}")),
        };
        request.send()
    }));
    let reads = futures_util::future::join_all(
        (0..10).map(|_| app.get("/v1/assets?postcode=M33%202AB", None)),
    );
    let (writes, reads) = tokio::join!(writes, reads);
    for response in writes {
        let response = response.unwrap();
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key("retry-after"));
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/busy");
    }
    assert!(reads.iter().all(|r| r.status() == 200));
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}
