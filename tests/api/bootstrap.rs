//! The private cluster that `serve` runs when no DATABASE_URL is given.

use community_assets::bootstrap;
use community_assets::config::{ClusterArgs, DbArgs};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

#[tokio::test]
async fn private_cluster_starts_migrates_and_stops() {
    let dir = std::env::temp_dir().join(format!("ca-bootstrap-{}", uuid::Uuid::new_v4().simple()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let args = DbArgs {
        database_url: None,
        cluster: ClusterArgs {
            data_dir: dir.clone(),
            pg_port: port,
        },
    };

    let database = bootstrap::open(&args)
        .await
        .expect("private cluster comes up");
    assert!(database.started_cluster.is_some());
    let mut conn = AsyncPgConnection::establish(&database.url).await.unwrap();
    let v: Version = diesel::sql_query("SELECT postgis_lib_version() AS version")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(v.version.starts_with('3'), "{}", v.version);
    drop(conn);
    database.shutdown();
    assert!(
        AsyncPgConnection::establish(&database.url).await.is_err(),
        "stopped on shutdown"
    );

    // A second start reuses the initialised cluster and its password.
    let again = bootstrap::open(&args).await.expect("restarts");
    assert_eq!(again.url, database.url);
    again.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
