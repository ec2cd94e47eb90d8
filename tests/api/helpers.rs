use std::net::TcpListener;

use community_assets::auth::Role;
use community_assets::db;
use community_assets::startup::{self, Settings};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn template_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .expect("TEST_DATABASE_URL is unset: run the tests with scripts/test, which starts a throwaway PostGIS")
}

/// The URL of another database on the same server.
pub fn database_url(name: &str) -> String {
    let template = template_url();
    let (server, _) = template.rsplit_once('/').expect("database URL has a path");
    format!("{server}/{name}")
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db_name: String,
    pub admin_key: String,
    /// The server runs on a runtime of its own thread, with everything it spawns (the webhook
    /// dispatcher): stopped and joined before the database is dropped, so that nothing is left
    /// half-way through connecting to it. (On the test's own runtime, blocked in `Drop`, a
    /// dispatcher caught mid-handshake held `DROP DATABASE` for the server's 60 s
    /// authentication timeout.)
    server: Option<(actix_web::dev::ServerHandle, std::thread::JoinHandle<()>)>,
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = diesel::sql_types::Int4)]
    #[allow(dead_code)]
    n: i32,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings {
        workers: Some(1),
        ..Settings::default()
    })
    .await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let db_name = format!("t_{}", Uuid::new_v4().simple());
    let template = template_url();
    let template_name = template.rsplit_once('/').unwrap().1.to_string();
    let mut admin = AsyncPgConnection::establish(&database_url("postgres"))
        .await
        .expect("connect to postgres");
    diesel::sql_query(format!(
        "CREATE DATABASE {db_name} TEMPLATE {template_name} STRATEGY FILE_COPY"
    ))
    .execute(&mut admin)
    .await
    .expect("clone the template database");
    serve_on(&database_url(&db_name), db_name, settings).await
}

/// Serves a database that is already migrated (the caller's own cluster, say), with an admin
/// key. `db_name` is dropped with the app when it names a database of the test cluster.
pub async fn serve_on(url: &str, db_name: String, settings: Settings) -> TestApp {
    let url = url.to_string();
    let pool = db::pool_with(&url, 4, settings.db_limits).expect("pool");
    let mut conn = db::connect::establish(&url)
        .await
        .expect("connect to test db");
    let _: One = diesel::sql_query("SELECT 1 AS n")
        .get_result(&mut conn)
        .await
        .unwrap();
    let (_, admin_key) = community_assets::services::api_keys::insert(
        &mut conn,
        &community_assets::domain::audit::Actor::command_line(),
        "test admin",
        Role::Admin,
        None,
    )
    .await
    .expect("admin key");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let server = startup::run(listener, pool, settings).expect("server");
            handle_tx.send(server.handle()).unwrap();
            let _ = server.await;
        });
    });
    let handle = handle_rx.recv().expect("the server starts");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        // Idle connections are dropped well before the server's 5 s keep-alive ends, so that a
        // request is never sent on a connection the server is closing (hyper's IncompleteMessage).
        client: reqwest::Client::builder()
            .pool_idle_timeout(std::time::Duration::from_secs(1))
            .build()
            .unwrap(),
        db_name,
        admin_key,
        server: Some((handle, thread)),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((handle, thread)) = self.server.take() {
            // The stop is sent at once; the thread ends when the server has stopped.
            drop(handle.stop(false));
            let _ = thread.join();
        }
        let name = self.db_name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread removes the database.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(&database_url("postgres")).await
                {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                }
            });
        })
        .join();
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: Method, path: &str, key: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match key {
            Some(k) => builder.bearer_auth(k),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Response {
        self.request(Method::GET, path, key).send().await.unwrap()
    }

    /// GETs a path and reads the body as JSON, whatever the status.
    pub async fn get_json(&self, path: &str, key: Option<&str>) -> Value {
        self.get(path, key).await.json().await.unwrap()
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: &Value,
    ) -> Response {
        self.request(method, path, key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Creates an organisation as admin and returns its id.
    pub async fn create_org(&self, name: &str, trusted: bool) -> Uuid {
        let response = self
            .send_json(
                Method::POST,
                "/v1/organizations",
                Some(&self.admin_key),
                &json!({"name": name, "trusted": trusted}),
            )
            .await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().parse().unwrap()
    }

    /// Creates a key for the organisation and returns (key id, secret).
    pub async fn create_key(&self, org: Uuid, role: &str) -> (Uuid, String) {
        let response = self
            .send_json(
                Method::POST,
                &format!("/v1/organizations/{org}/api-keys"),
                Some(&self.admin_key),
                &json!({"name": format!("{role} key"), "role": role}),
            )
            .await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        (
            body["id"].as_str().unwrap().parse().unwrap(),
            body["secret"].as_str().unwrap().to_string(),
        )
    }

    /// An organisation with an agency key: (org id, key secret).
    pub async fn agency(&self, name: &str, trusted: bool) -> (Uuid, String) {
        let org = self.create_org(name, trusted).await;
        let (_, secret) = self.create_key(org, "agency").await;
        (org, secret)
    }

    /// Submits an asset and returns the response.
    pub async fn post_asset(&self, key: &str, body: &Value) -> Response {
        self.send_json(Method::POST, "/v1/assets", Some(key), body)
            .await
    }

    /// Submits an asset that must be created (201) and returns the created asset.
    pub async fn create_asset(&self, key: &str, body: &Value) -> Value {
        let response = self.post_asset(key, body).await;
        let status = response.status();
        let created: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{created}");
        created
    }
}

/// A complete, valid asset submission at a new venue in Sale.
pub fn walking_football() -> Value {
    json!({
        "kind": "activity",
        "title": "Walking football for over-50s",
        "description": "A gentle, friendly game. No experience needed.",
        "venue": {
            "name": "Sale Leisure Centre",
            "address_lines": ["Broad Road"],
            "town": "Sale",
            "postcode": "m33 2ab",
            "location": {"lat": 53.4235, "lon": -2.3186},
            "venue_type": "sports_centre",
            "accessibility": ["step_free_access", "accessible_toilet"]
        },
        "interests": ["walking football"],
        "five_ways": ["be_active", "connect"],
        "eligibility": {"min_age": 50},
        "cost": {"amount_pence": 300, "concession_pence": 150},
        "schedule": {"weekly": [{"day": "tue", "start": "18:00", "end": "19:30"}]},
        "newcomers": {"drop_in": true, "meet_and_greet": true},
        "capacity": {"typical_group_size": 14},
        "contact": {"email": "football@example.org", "phone": "0161 912 3456"}
    })
}

/// Asserts a problem response and returns its field names.
pub async fn problem_fields(response: Response, status: u16) -> Vec<String> {
    assert_eq!(response.status(), status);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("/problems/"));
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A server whose database holds the demo directory.
pub async fn spawn_demo_app() -> TestApp {
    let app = spawn_app().await;
    let mut conn = AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    community_assets::seed::load_demo(&mut conn)
        .await
        .expect("demo data loads");
    app
}

/// A connection to the app's own database, for checks the API does not expose.
pub async fn app_db(app: &TestApp) -> AsyncPgConnection {
    AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap()
}

/// The single `n` (a bigint) a counting query returns.
pub async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql)
        .get_result::<N>(conn)
        .await
        .unwrap()
        .n
}

/// A connection of the test's own holding the asset's row lock, as a long transaction of
/// another request would; `ROLLBACK` on it (or dropping it) lets go.
pub async fn hold_asset_lock(app: &TestApp, id: &str) -> AsyncPgConnection {
    use diesel_async::SimpleAsyncConnection;
    let mut conn = app_db(app).await;
    conn.batch_execute(&format!(
        "BEGIN; SELECT 1 FROM assets WHERE id = '{id}' FOR UPDATE"
    ))
    .await
    .unwrap();
    conn
}

/// Waits (up to 30 s) until a server started as a separate process answers `/readyz`.
pub async fn wait_until_ready(client: &reqwest::Client, base: &str) {
    let started = std::time::Instant::now();
    while client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| r.status())
        .ok()
        != Some(reqwest::StatusCode::OK)
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the server did not become ready"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
