//! Faults against real PostgreSQL clusters of the test's own (the shared test cluster cannot
//! be stopped): the database going away and coming back, and reading from a streaming hot
//! standby made with `pg_basebackup -R`, including a standby that lags or is down.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use community_assets::bootstrap;
use community_assets::config::{ClusterArgs, DbArgs};
use community_assets::local_cluster::LocalCluster;
use community_assets::startup::Settings;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::{TestApp, serve_on, walking_football};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A private cluster in a fresh directory, removed (and stopped) when dropped.
pub struct OwnCluster {
    dir: PathBuf,
    pub cluster: LocalCluster,
    pub url: String,
}

impl OwnCluster {
    pub async fn start() -> OwnCluster {
        let dir = std::env::temp_dir().join(format!("ca-fault-{}", uuid::Uuid::new_v4().simple()));
        let args = DbArgs {
            database_url: None,
            cluster: ClusterArgs {
                data_dir: dir.clone(),
                pg_port: free_port(),
            },
        };
        let database = bootstrap::open(&args)
            .await
            .expect("a private cluster starts");
        let cluster = database
            .started_cluster
            .clone()
            .expect("this test started it");
        OwnCluster {
            dir,
            cluster,
            url: database.url,
        }
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self.cluster.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn serve(url: &str, settings: Settings) -> TestApp {
    // The name is unique, so the helper's clean-up on the shared cluster finds nothing to drop.
    let name = format!("own_{}", uuid::Uuid::new_v4().simple());
    serve_on(url, name, settings).await
}

/// Polls until `check` holds, or fails after `limit`.
async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what} did not happen within {limit:?}");
}

#[tokio::test]
async fn a_database_outage_gets_503s_with_retry_after_and_the_service_recovers_by_itself() {
    let own = OwnCluster::start().await;
    let app = serve(
        &own.url,
        Settings {
            workers: Some(2),
            ..Settings::default()
        },
    )
    .await;
    let (_, key) = app.agency("Sale Striders", true).await;
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    assert_eq!(app.get("/readyz", None).await.status(), 200);

    let cluster = own.cluster.clone();
    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .unwrap()
        .unwrap();
    // One readiness answer serves every probe for a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // Every kind of request fails fast and cleanly while it is down.
    for _ in 0..3 {
        let started = Instant::now();
        let requests = [
            app.get("/readyz", None).await,
            app.get("/v1/assets?q=walking", None).await,
            app.get("/oruk/services", None).await,
            app.post_asset(&key, &walking_football()).await,
            app.send_json(
                Method::POST,
                "/v1/match",
                None,
                &serde_json::json!({"location": {"postcode": "M33 2AB"}, "interests": ["walking"]}),
            )
            .await,
        ];
        for response in requests {
            let url = response.url().to_string();
            assert_eq!(response.status(), 503, "{url}");
            assert!(response.headers().contains_key("retry-after"), "{url}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json"
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(12),
            "{:?}",
            started.elapsed()
        );
    }
    assert_eq!(
        app.get("/healthz", None).await.status(),
        200,
        "the process itself is fine"
    );

    let cluster = own.cluster.clone();
    tokio::task::spawn_blocking(move || cluster.start(false))
        .await
        .unwrap()
        .unwrap();
    eventually(Duration::from_secs(30), "readiness", || async {
        app.get("/readyz", None).await.status() == 200
    })
    .await;
    // Connections that died with the old server are replaced: every request works again.
    for _ in 0..10 {
        assert_eq!(app.get("/v1/assets?q=walking", None).await.status(), 200);
    }
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    let found: Value = app.get_json("/v1/assets?q=walking", None).await;
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        2,
        "nothing lost, nothing doubled"
    );
}

#[tokio::test]
async fn searches_read_from_a_streaming_replica_with_read_your_writes_and_fallback() {
    let primary = OwnCluster::start().await;
    let standby_dir = primary.dir.join("standby");
    let standby = {
        let primary = primary.cluster.clone();
        let dir = standby_dir.clone();
        tokio::task::spawn_blocking(move || {
            let standby = LocalCluster::standby_of(&primary, &dir, free_port())?;
            standby.start(true)?;
            anyhow::Ok(standby)
        })
        .await
        .unwrap()
        .expect("pg_basebackup -R makes a standby that starts")
    };
    let replica_url = standby.url(bootstrap::DATABASE_NAME);
    let app = serve(
        &primary.url,
        Settings {
            workers: Some(2),
            replica_urls: vec![replica_url.clone()],
            ..Settings::default()
        },
    )
    .await;
    let (_, key) = app.agency("Sale Striders", true).await;
    let search = |token: Option<String>| {
        let request = app.request(Method::GET, "/v1/assets?q=walking", None);
        let request = match token {
            Some(t) => request.header("Consistency-Token", t),
            None => request,
        };
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            body["items"].as_array().unwrap().len()
        }
    };
    let first = app.post_asset(&key, &walking_football()).await;
    assert_eq!(first.status(), 201);
    eventually(
        Duration::from_secs(20),
        "replication of the first write",
        || async { search(None).await == 1 },
    )
    .await;

    // Hold the standby back: a plain search now shows what the replica has, proving it is
    // the one being read, while the writer's token gets its own write (from the primary).
    let mut replica = AsyncPgConnection::establish(&replica_url).await.unwrap();
    diesel::sql_query("SELECT pg_wal_replay_pause()")
        .execute(&mut replica)
        .await
        .unwrap();
    let second = app.post_asset(&key, &walking_football()).await;
    assert_eq!(second.status(), 201);
    let token = second.headers()["consistency-token"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        search(None).await,
        1,
        "the paused replica answers without the new asset"
    );
    assert_eq!(search(Some(token.clone())).await, 2, "read your own write");
    let oruk = app
        .request(Method::GET, "/oruk/services", None)
        .header("Consistency-Token", &token)
        .send()
        .await
        .unwrap();
    let page: Value = oruk.json().await.unwrap();
    assert_eq!(page["total_items"], 2);

    diesel::sql_query("SELECT pg_wal_replay_resume()")
        .execute(&mut replica)
        .await
        .unwrap();
    drop(replica);
    eventually(
        Duration::from_secs(20),
        "the replica catching up",
        || async { search(None).await == 2 },
    )
    .await;
    assert_eq!(search(Some(token)).await, 2);

    // The replica goes away: reads fall back to the primary without an error.
    tokio::task::spawn_blocking(move || standby.stop())
        .await
        .unwrap()
        .unwrap();
    for _ in 0..5 {
        assert_eq!(search(None).await, 2);
    }
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("community_assets_db_reads_total{target=\"replica\"}"));
    assert!(metrics.contains("community_assets_db_reads_total{target=\"fallback\"}"));
    assert!(metrics.contains("community_assets_db_pool_connections{pool=\"replica1\""));
}
