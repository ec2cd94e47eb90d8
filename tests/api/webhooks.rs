//! Webhooks end to end: a local receiver that accepts, fails, times out, answers 410 and
//! recovers, driven through the real API and the real dispatcher.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use community_assets::domain::webhooks::{PausePolicy, RetryPolicy};
use community_assets::startup::Settings;
use community_assets::webhooks::WebhookSettings;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{
    TestApp, app_db, count, database_url, problem_fields, serve_on, spawn_app_with,
    walking_football,
};

/// What the receiver does with the next request.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reply {
    Ok,
    Status(u16),
    /// Answers only after this long (past the dispatcher's timeout).
    Stall(Duration),
}

#[derive(Clone, Debug)]
pub(crate) struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    at: Instant,
}

#[derive(Default)]
struct Receiver {
    /// Replies to use in turn; when empty, `otherwise`.
    script: VecDeque<Reply>,
    otherwise: Option<Reply>,
    received: Vec<Received>,
}

pub(crate) struct Hook {
    pub(crate) url: String,
    state: Arc<Mutex<Receiver>>,
}

impl Hook {
    pub(crate) async fn start(otherwise: Reply) -> Hook {
        let state = Arc::new(Mutex::new(Receiver {
            otherwise: Some(otherwise),
            ..Receiver::default()
        }));
        let shared = web::Data::new(state.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Hook {
            url: format!("http://127.0.0.1:{port}/hook"),
            state,
        }
    }

    fn then(&self, replies: &[Reply]) {
        self.state.lock().unwrap().script.extend(replies);
    }

    fn otherwise(&self, reply: Reply) {
        self.state.lock().unwrap().otherwise = Some(reply);
    }

    fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits until `n` requests have arrived.
    pub(crate) async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<Mutex<Receiver>>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let reply = {
        let mut s = state.lock().unwrap();
        s.received.push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body: String::from_utf8_lossy(&body).into_owned(),
            at: Instant::now(),
        });
        s.script.pop_front().or(s.otherwise).unwrap_or(Reply::Ok)
    };
    match reply {
        Reply::Ok => HttpResponse::NoContent().finish(),
        Reply::Status(code) => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish()
        }
        Reply::Stall(wait) => {
            tokio::time::sleep(wait).await;
            HttpResponse::Ok().finish()
        }
    }
}

/// Checks a delivery's signature the way a receiver would, from the secret alone.
fn verify(secret: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", r.id, r.timestamp, r.body).as_bytes());
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    r.signature.split(' ').any(|s| s == expected)
}

pub(crate) fn fast_settings(webhooks: WebhookSettings) -> Settings {
    Settings {
        workers: Some(1),
        webhooks,
        ..Settings::default()
    }
}

pub(crate) fn quick_webhooks() -> WebhookSettings {
    WebhookSettings {
        poll: Duration::from_millis(50),
        timeout: Duration::from_millis(800),
        retry: RetryPolicy {
            base: Duration::from_millis(300),
            cap: Duration::from_secs(2),
            max_attempts: 5,
        },
        pause: PausePolicy {
            after_failures: 100,
            after: Duration::ZERO,
            at_failures: 1000,
        },
        allow_private: true,
        ..WebhookSettings::default()
    }
}

pub(crate) async fn subscribe(app: &TestApp, key: &str, body: Value) -> Value {
    let response = app
        .send_json(Method::POST, "/v1/webhooks", Some(key), &body)
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn deliveries(app: &TestApp, key: &str, id: &str) -> Vec<Value> {
    let log = app
        .get_json(&format!("/v1/webhooks/{id}/deliveries"), Some(key))
        .await;
    log["deliveries"].as_array().unwrap().clone()
}

/// Polls the delivery log until `done` holds (or the time is up).
async fn log_until(
    app: &TestApp,
    key: &str,
    id: &str,
    within: Duration,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + within;
    loop {
        let log = deliveries(app, key, id).await;
        if done(&log) || Instant::now() > deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn changes_in_the_area_are_delivered_signed_and_logged() {
    let app = spawn_app_with(fast_settings(quick_webhooks())).await;
    let hook = Hook::start(Reply::Ok).await;
    let (_, key) = app.agency("Sale Sports Trust", true).await;
    let webhook = subscribe(
        &app,
        &app.admin_key,
        json!({
            "url": hook.url,
            "description": "Sale team app",
            "filter": {"near": {"lat": 53.4235, "lon": -2.3186}, "radius_km": 3,
                       "interests": ["football"]}
        }),
    )
    .await;
    let secret = webhook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(webhook["status"], "active");
    assert_eq!(webhook["filter"]["interests"], json!(["football"]));
    assert_eq!(webhook["events"].as_array().unwrap().len(), 5);
    let id = webhook["id"].as_str().unwrap().to_string();
    // The secret is shown once.
    let read = app
        .get_json(&format!("/v1/webhooks/{id}"), Some(&app.admin_key))
        .await;
    assert!(read.get("secret").is_none(), "{read}");

    // In the area, and walking football is narrower than football: delivered.
    let created = app.post_asset(&key, &walking_football()).await;
    assert_eq!(created.status(), 201);
    let asset: Value = created.json().await.unwrap();
    // Elsewhere (York): not delivered.
    let mut far = walking_football();
    far["venue"]["location"] = json!({"lat": 53.959, "lon": -1.0815});
    far["venue"]["postcode"] = json!("YO1 7HH");
    assert_eq!(app.post_asset(&key, &far).await.status(), 201);
    // A confirmation of the first asset: delivered.
    let confirmed = app
        .request(
            Method::POST,
            &format!("/v1/assets/{}/confirm", asset["id"].as_str().unwrap()),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);

    let got = hook.wait_for(2, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_all = hook.received();
    assert_eq!(got.len(), 2, "{got_all:?}");
    assert_eq!(got_all.len(), 2, "the York asset must not be delivered");
    let bodies: Vec<Value> = got_all
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let mut types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    types.sort();
    assert_eq!(types, ["asset.confirmed", "asset.created"]);
    for (r, body) in got_all.iter().zip(&bodies) {
        assert!(verify(&secret, r), "bad signature on {r:?}");
        assert!(!verify(
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            r
        ));
        let sent_at: i64 = r.timestamp.parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
        assert_eq!(body["data"]["asset_id"], asset["id"]);
        assert_eq!(
            body["data"]["asset"]["title"],
            "Walking football for over-50s"
        );
        assert!(body["data"]["cursor"].is_string());
    }
    // The cursor in a delivery resumes the change feed right after that change.
    let created_body = bodies
        .iter()
        .find(|b| b["type"] == "asset.created")
        .unwrap();
    let feed = app
        .get_json(
            &format!(
                "/v1/changes?cursor={}",
                created_body["data"]["cursor"].as_str().unwrap()
            ),
            Some(&app.admin_key),
        )
        .await;
    let next_ids: Vec<&Value> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert!(!next_ids.contains(&&created_body["data"]["id"]));

    let log = log_until(&app, &app.admin_key, &id, Duration::from_secs(5), |log| {
        log.len() == 2 && log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    assert_eq!(log.len(), 2, "{log:?}");
    for delivery in &log {
        assert_eq!(delivery["status"], "delivered", "{delivery}");
        let attempts = delivery["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0]["status_code"], 204);
        assert!(got_all.iter().any(|r| r.id == delivery["id"]));
    }
    let view = app
        .get_json(&format!("/v1/webhooks/{id}"), Some(&app.admin_key))
        .await;
    assert_eq!(view["counts"]["delivered"], 2);
    assert_eq!(view["counts"]["pending"], 0);
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_a_failing_subscriber_is_paused_then_resumed() {
    let mut settings = quick_webhooks();
    settings.pause = PausePolicy {
        after_failures: 3,
        after: Duration::ZERO,
        at_failures: 1000,
    };
    let app = spawn_app_with(fast_settings(settings)).await;
    let hook = Hook::start(Reply::Ok).await;
    let (_, key) = app.agency("Sale Sports Trust", true).await;
    let webhook = subscribe(
        &app,
        &key,
        json!({"url": hook.url, "events": ["asset.created"]}),
    )
    .await;
    let id = webhook["id"].as_str().unwrap().to_string();
    assert!(webhook["organization_id"].is_string());

    // A 500, then no answer in time, then success: three attempts of one delivery.
    hook.then(&[
        Reply::Status(500),
        Reply::Stall(Duration::from_secs(3)),
        Reply::Ok,
    ]);
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    let got = hook.wait_for(3, Duration::from_secs(15)).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "one delivery, retried"
    );
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "the same body each time"
    );
    // Backoff: ~300 ms after the first failure, ~600 ms after the second (±20%), each
    // counted from when the failed attempt ended.
    let first_gap = got[1].at - got[0].at;
    let second_gap = got[2].at - got[1].at;
    assert!(first_gap >= Duration::from_millis(240), "{first_gap:?}");
    assert!(
        second_gap >= Duration::from_millis(800 + 480),
        "the stall (800 ms timeout) then at least 480 ms: {second_gap:?}"
    );
    let log = log_until(&app, &key, &id, Duration::from_secs(5), |log| {
        log.first().is_some_and(|d| d["status"] == "delivered")
    })
    .await;
    let attempts = log[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{log:?}");
    assert_eq!(attempts[0]["status_code"], 500);
    assert!(attempts[1]["status_code"].is_null());
    assert!(
        attempts[1]["error"]
            .as_str()
            .unwrap()
            .contains("no answer within"),
        "{}",
        attempts[1]
    );
    assert_eq!(attempts[2]["status_code"], 204);
    let view = app
        .get_json(&format!("/v1/webhooks/{id}"), Some(&key))
        .await;
    assert_eq!(view["consecutive_failures"], 0, "a success ends the streak");

    // The receiver goes down: three failures in a row pause the subscription.
    hook.otherwise(Reply::Status(503));
    let before = hook.received().len();
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let paused = loop {
        let view = app
            .get_json(&format!("/v1/webhooks/{id}"), Some(&key))
            .await;
        if view["status"] == "paused" || Instant::now() > deadline {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(paused["status"], "paused", "{paused}");
    assert!(
        paused["paused_reason"]
            .as_str()
            .unwrap()
            .contains("3 failed attempts in a row"),
        "{paused}"
    );
    assert_eq!(hook.received().len() - before, 3);
    // While paused, nothing is sent, and new changes are not queued for it.
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hook.received().len() - before, 3);
    assert_eq!(paused["counts"]["pending"], 1);

    // It recovers and is resumed: the held delivery goes out at once.
    hook.otherwise(Reply::Ok);
    let resumed = app
        .request(
            Method::POST,
            &format!("/v1/webhooks/{id}/resume"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200);
    let resumed: Value = resumed.json().await.unwrap();
    assert_eq!(resumed["status"], "active");
    assert!(resumed["paused_reason"].is_null());
    let got = hook.wait_for(before + 4, Duration::from_secs(5)).await;
    assert_eq!(got.len(), before + 4);
    let log = log_until(&app, &key, &id, Duration::from_secs(5), |log| {
        log.iter().all(|d| d["status"] == "delivered")
    })
    .await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 4);
    // The resumption is in the audit log, as the subscription was.
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'webhook' \
                 AND entity_id = '{id}' AND action IN ('create', 'resume') \
                 AND NOT (after ? 'secret')"
            )
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_receiver_answering_410_is_paused_and_one_that_never_answers_gives_up() {
    let mut settings = quick_webhooks();
    settings.retry.max_attempts = 2;
    settings.retry.base = Duration::from_millis(100);
    let app = spawn_app_with(fast_settings(settings)).await;
    let gone = Hook::start(Reply::Status(410)).await;
    let broken = Hook::start(Reply::Status(500)).await;
    let (_, key) = app.agency("Sale Sports Trust", true).await;
    let gone_hook = subscribe(&app, &key, json!({"url": gone.url})).await;
    let broken_hook = subscribe(&app, &key, json!({"url": broken.url})).await;
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    let gone_id = gone_hook["id"].as_str().unwrap();
    let broken_id = broken_hook["id"].as_str().unwrap();
    let log = log_until(&app, &key, broken_id, Duration::from_secs(10), |log| {
        log.first().is_some_and(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(log[0]["status"], "failed", "{log:?}");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(broken.received().len(), 2);
    let view = app
        .get_json(&format!("/v1/webhooks/{gone_id}"), Some(&key))
        .await;
    assert_eq!(view["status"], "paused", "{view}");
    assert_eq!(view["paused_reason"], "the receiver answered 410 Gone");
    assert_eq!(gone.received().len(), 1);
    // The failed-delivery filter of the log.
    let failed = app
        .get_json(
            &format!("/v1/webhooks/{broken_id}/deliveries?status=failed&status=pending"),
            Some(&key),
        )
        .await;
    assert_eq!(failed["deliveries"].as_array().unwrap().len(), 1);
    let delivered = app
        .get_json(
            &format!("/v1/webhooks/{broken_id}/deliveries?status=delivered"),
            Some(&key),
        )
        .await;
    assert_eq!(delivered["deliveries"], json!([]));
}

#[tokio::test]
async fn an_organisation_hears_of_its_own_pending_assets_but_not_of_others() {
    let app = spawn_app_with(fast_settings(quick_webhooks())).await;
    let mine = Hook::start(Reply::Ok).await;
    let all = Hook::start(Reply::Ok).await;
    let (_, untrusted_key) = app.agency("New Group", false).await;
    let (_, other_key) = app.agency("Other Trust", false).await;
    subscribe(&app, &untrusted_key, json!({"url": mine.url})).await;
    let admin_hook = subscribe(&app, &app.admin_key, json!({"url": all.url})).await;
    // Pending (the organisation is not trusted): its own key's subscription and the admin's
    // hear of it; the other organisation's does not.
    let other = Hook::start(Reply::Ok).await;
    subscribe(&app, &other_key, json!({"url": other.url})).await;
    assert_eq!(
        app.post_asset(&untrusted_key, &walking_football())
            .await
            .status(),
        201
    );
    assert_eq!(mine.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    assert_eq!(all.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(other.received().len(), 0);

    // Listing and reading: each sees its own; others get 404.
    let listed = app.get_json("/v1/webhooks", Some(&other_key)).await;
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1);
    let everything = app.get_json("/v1/webhooks", Some(&app.admin_key)).await;
    assert_eq!(everything["webhooks"].as_array().unwrap().len(), 3);

    let admin_id = admin_hook["id"].as_str().unwrap();
    for (method, path) in [
        (Method::GET, format!("/v1/webhooks/{admin_id}")),
        (Method::DELETE, format!("/v1/webhooks/{admin_id}")),
        (Method::POST, format!("/v1/webhooks/{admin_id}/resume")),
        (Method::GET, format!("/v1/webhooks/{admin_id}/deliveries")),
    ] {
        let response = app
            .request(method, &path, Some(&other_key))
            .send()
            .await
            .unwrap();
        problem_fields(response, 404).await;
    }
    // Revoking the key that made a subscription pauses it.
    let (key_id, key) = app
        .create_key(app.create_org("Short-lived", false).await, "agency")
        .await;
    let doomed = subscribe(&app, &key, json!({"url": all.url})).await;
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
    let view = app
        .get_json(
            &format!("/v1/webhooks/{}", doomed["id"].as_str().unwrap()),
            Some(&app.admin_key),
        )
        .await;
    assert_eq!(view["status"], "paused", "{view}");
    assert_eq!(
        view["paused_reason"],
        "the API key that created it was revoked"
    );

    // Deleting: gone with its log.
    let response = app
        .request(
            Method::DELETE,
            &format!("/v1/webhooks/{admin_id}"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = app
        .get(&format!("/v1/webhooks/{admin_id}"), Some(&app.admin_key))
        .await;
    problem_fields(response, 404).await;
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_the_field_named() {
    // The production default: https to public hosts only.
    let app = spawn_app_with(fast_settings(WebhookSettings::default())).await;
    let org = app.create_org("Readers' Group", false).await;
    let (_, reader) = app.create_key(org, "reader").await;
    let body = json!({"url": "https://hooks.example.org/x"});
    let response = app
        .send_json(Method::POST, "/v1/webhooks", Some(&reader), &body)
        .await;
    problem_fields(response, 403).await;
    let response = app
        .send_json(Method::POST, "/v1/webhooks", None, &body)
        .await;
    problem_fields(response, 401).await;
    for (body, field) in [
        (json!({"url": "http://hooks.example.org/x"}), "url"),
        (json!({"url": "https://127.0.0.1:9000/x"}), "url"),
        (json!({"url": "https://169.254.169.254/latest"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (
            json!({"url": "https://hooks.example.org/x", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://hooks.example.org/x", "filter": {"radius_km": 3}}),
            "filter.radius_km",
        ),
        (
            json!({"url": "https://hooks.example.org/x",
                   "filter": {"near": {"postcode": "M32 0JG"}, "radius_km": 500}}),
            "filter.radius_km",
        ),
        (
            json!({"url": "https://hooks.example.org/x", "filter": {"near": {"postcode": "ZZ9 9ZZ"}}}),
            "filter.near.postcode",
        ),
        (
            json!({"url": "https://hooks.example.org/x", "filter": {"interests": ["fotbal"]}}),
            "filter.interests",
        ),
        (
            json!({"url": "https://hooks.example.org/x",
                   "filter": {"organization_id": "7f0b5c1e-0000-4000-8000-000000000000"}}),
            "filter.organization_id",
        ),
    ] {
        let response = app
            .send_json(Method::POST, "/v1/webhooks", Some(&app.admin_key), &body)
            .await;
        let fields = problem_fields(response, 422).await;
        assert!(
            fields.iter().any(|f| f.starts_with(field)),
            "{body}: {fields:?}"
        );
    }
    let response = app
        .send_json(
            Method::POST,
            "/v1/webhooks",
            Some(&app.admin_key),
            &json!({"url": "https://hooks.example.org/x", "events": ["asset.deleted"]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .get(
            "/v1/webhooks/7f0b5c1e-0000-4000-8000-000000000000/deliveries?status=lost",
            Some(&app.admin_key),
        )
        .await;
    assert_eq!(problem_fields(response, 422).await, ["status"]);
    // Nothing was stored.
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM webhook_subscriptions").await,
        0
    );
    // A good one, and the 51st is refused.
    for i in 0..50 {
        subscribe(
            &app,
            &app.admin_key,
            json!({"url": format!("https://hooks.example.org/{i}")}),
        )
        .await;
    }
    let response = app
        .send_json(Method::POST, "/v1/webhooks", Some(&app.admin_key), &body)
        .await;
    problem_fields(response, 409).await;
}

#[tokio::test]
async fn changes_made_while_no_dispatcher_runs_are_delivered_once_by_several_later() {
    let quiet = WebhookSettings {
        concurrency: 0,
        ..quick_webhooks()
    };
    let app = spawn_app_with(fast_settings(quiet)).await;
    let hook = Hook::start(Reply::Ok).await;
    let (_, key) = app.agency("Sale Sports Trust", true).await;
    subscribe(&app, &key, json!({"url": hook.url})).await;
    for _ in 0..20 {
        assert_eq!(
            app.post_asset(&key, &walking_football()).await.status(),
            201
        );
    }
    // Queued in the writes' own transactions, waiting for a dispatcher.
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM webhook_outbox").await,
        20
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(hook.received().is_empty());
    // Two processes with dispatchers start on the same database: every change arrives
    // once (the outbox and the claims are shared with SKIP LOCKED).
    let url = database_url(&app.db_name);
    let _one = serve_on(
        &url,
        "not_a_test_db_1".into(),
        fast_settings(quick_webhooks()),
    )
    .await;
    let _two = serve_on(
        &url,
        "not_a_test_db_2".into(),
        fast_settings(quick_webhooks()),
    )
    .await;
    let got = hook.wait_for(20, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_all = hook.received();
    assert_eq!(got.len(), 20);
    let mut ids: Vec<&str> = got_all.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "each delivery once");
    assert_eq!(got_all.len(), 20);
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM webhook_outbox").await,
        0
    );
}

#[tokio::test]
async fn one_subscribers_backlog_does_not_hold_up_another() {
    let mut settings = quick_webhooks();
    settings.concurrency = 4;
    settings.retry.max_attempts = 50;
    let app = spawn_app_with(fast_settings(settings)).await;
    let (_, key) = app.agency("Two Teams", true).await;
    // A receiver that never answers in time, with a backlog of changes for it.
    let stuck = Hook::start(Reply::Stall(Duration::from_secs(5))).await;
    subscribe(
        &app,
        &key,
        json!({"url": stuck.url, "events": ["asset.created"]}),
    )
    .await;
    for _ in 0..24 {
        assert_eq!(
            app.post_asset(&key, &walking_football()).await.status(),
            201
        );
    }
    stuck.wait_for(2, Duration::from_secs(10)).await;
    // Every change is matched to the stuck subscription before the next team subscribes.
    let mut conn = app_db(&app).await;
    for _ in 0..200 {
        if count(&mut conn, "SELECT count(*) AS n FROM webhook_outbox").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Another team subscribes; its change comes after the whole backlog.
    let healthy = Hook::start(Reply::Ok).await;
    subscribe(
        &app,
        &key,
        json!({"url": healthy.url, "events": ["asset.created"]}),
    )
    .await;
    let changed = Instant::now();
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    let got = healthy.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(
        got.len(),
        1,
        "{:?}",
        got.iter()
            .map(|r| (r.id.clone(), r.body.chars().take(120).collect::<String>()))
            .collect::<Vec<_>>()
    );
    let waited = got[0].at - changed;
    // Unfair, it would wait behind 24 attempts of 800 ms, four at a time (about 5 s).
    assert!(
        waited < Duration::from_millis(2500),
        "the healthy subscriber waited {waited:?} behind the stuck one"
    );
}

#[tokio::test]
async fn a_subscriber_failing_every_attempt_is_paused_without_waiting_a_day() {
    let mut settings = quick_webhooks();
    settings.pause = PausePolicy {
        after_failures: 20,
        after: Duration::from_secs(24 * 3600),
        at_failures: 6,
    };
    let app = spawn_app_with(fast_settings(settings)).await;
    let (_, key) = app.agency("Failing Fast", true).await;
    let hook = Hook::start(Reply::Status(500)).await;
    let webhook = subscribe(
        &app,
        &key,
        json!({"url": hook.url, "events": ["asset.created"]}),
    )
    .await;
    let id = webhook["id"].as_str().unwrap().to_string();
    for _ in 0..4 {
        assert_eq!(
            app.post_asset(&key, &walking_football()).await.status(),
            201
        );
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let view = loop {
        let view = app
            .get_json(&format!("/v1/webhooks/{id}"), Some(&key))
            .await;
        if view["status"] == "paused" || Instant::now() > deadline {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(view["status"], "paused", "{view}");
    // Attempts already in flight when it paused still count.
    assert!(
        view["consecutive_failures"].as_i64().unwrap() >= 6,
        "{view}"
    );
    assert!(
        view["paused_reason"]
            .as_str()
            .unwrap()
            .starts_with("6 failed attempts in a row"),
        "{view}"
    );
    let attempts = hook.received().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        hook.received().len(),
        attempts,
        "nothing is sent once paused"
    );
}
