//! Encrypted connections to PostgreSQL, as managed servers demand: a cluster of the test's own
//! with TLS switched on, a certificate from a throwaway CA naming `localhost`, and each
//! `sslmode` meaning what it means to libpq.

use std::path::{Path, PathBuf};

use community_assets::db::connect::establish;
use community_assets::startup::Settings;
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

use crate::faults::{OwnCluster, serve};
use crate::helpers::walking_football;

struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        Authority {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    /// A server certificate and key (PEM) for `host`.
    fn server(&self, host: &str) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![host.to_string()])
            .unwrap()
            .signed_by(&key, &self.issuer)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn write_root(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.issuer.pem()).unwrap();
        path
    }
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct Encrypted {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

/// Writes `pem` into the server's data directory, owned by the server's user and readable
/// only by it, as PostgreSQL demands of a key.
fn write_server_file(data_dir: &str, name: &str, pem: &str) {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let path = Path::new(data_dir).join(name);
    std::fs::write(&path, pem).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let owner = std::fs::metadata(data_dir).unwrap();
    std::os::unix::fs::chown(&path, Some(owner.uid()), Some(owner.gid())).unwrap();
}

async fn encrypted(conn: &mut AsyncPgConnection) -> bool {
    diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Encrypted>(conn)
        .await
        .unwrap()
        .ssl
}

/// `own.url` with another host and query.
fn with(url: &str, host: &str, query: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_host(Some(host)).unwrap();
    url.set_query(Some(query));
    url.to_string()
}

#[tokio::test]
async fn sslmode_encrypts_and_checks_the_server_as_libpq_does() {
    let own = OwnCluster::start().await;
    let ca = Authority::new("community-assets test CA");
    let stranger = Authority::new("some other CA");
    let client_dir = tempdir();
    let root = ca.write_root(&client_dir, "root.pem");
    let wrong_root = stranger.write_root(&client_dir, "other.pem");
    let (cert, key) = ca.server("localhost");

    let mut admin = establish(&own.url).await.unwrap();
    let data_dir = diesel::sql_query("SELECT current_setting('data_directory') AS value")
        .get_result::<Setting>(&mut admin)
        .await
        .unwrap()
        .value;
    write_server_file(&data_dir, "server.crt", &cert);
    write_server_file(&data_dir, "server.key", &key);
    for statement in [
        "ALTER SYSTEM SET ssl_cert_file = 'server.crt'",
        "ALTER SYSTEM SET ssl_key_file = 'server.key'",
        "ALTER SYSTEM SET ssl = on",
        "SELECT pg_reload_conf()",
    ] {
        diesel::sql_query(statement)
            .execute(&mut admin)
            .await
            .unwrap();
    }
    // The reload is asynchronous: wait until a new session sees it.
    let mut on = false;
    for _ in 0..50 {
        let mut probe = establish(&own.url).await.unwrap();
        let ssl = diesel::sql_query("SELECT current_setting('ssl') AS value")
            .get_result::<Setting>(&mut probe)
            .await
            .unwrap()
            .value;
        if ssl == "on" {
            on = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(on, "the server did not switch TLS on");

    let root = root.display();
    let wrong_root = wrong_root.display();
    let cases = [
        // (host, query, encrypted, or the error's telling words)
        ("127.0.0.1", String::new(), Ok(false)),
        ("127.0.0.1", "sslmode=disable".into(), Ok(false)),
        ("127.0.0.1", "sslmode=require".into(), Ok(true)),
        (
            "127.0.0.1",
            format!("sslmode=require&sslrootcert={wrong_root}"),
            Err("UnknownIssuer"),
        ),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={root}"),
            Ok(true),
        ),
        (
            "127.0.0.1",
            format!("sslmode=verify-full&sslrootcert={root}"),
            Err("not valid for name"),
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={root}"),
            Ok(true),
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={wrong_root}"),
            Err("UnknownIssuer"),
        ),
        (
            "localhost",
            "sslmode=verify-full&sslrootcert=/nonexistent/root.pem".into(),
            Err("/nonexistent/root.pem"),
        ),
        (
            "localhost",
            "sslmode=sometimes".into(),
            Err("sslmode=sometimes"),
        ),
    ];
    for (host, query, expected) in cases {
        let url = with(&own.url, host, &query);
        match (establish(&url).await, expected) {
            (Ok(mut conn), Ok(ssl)) => assert_eq!(encrypted(&mut conn).await, ssl, "{query}"),
            (Err(e), Err(words)) => assert!(e.to_string().contains(words), "{query}: {e}"),
            (Ok(_), Err(words)) => panic!("{host} {query} connected; expected {words}"),
            (Err(e), Ok(_)) => panic!("{host} {query} failed: {e}"),
        }
    }

    // The service itself, pool and all, over verify-full.
    let started = diesel::sql_query("SELECT clock_timestamp()::text AS value")
        .get_result::<Setting>(&mut admin)
        .await
        .unwrap()
        .value;
    let url = with(
        &own.url,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={root}"),
    );
    let app = serve(&url, Settings::default()).await;
    let (_, key) = app.agency("Sale Striders", true).await;
    assert_eq!(
        app.post_asset(&key, &walking_football()).await.status(),
        201
    );
    assert_eq!(app.get("/v1/assets?q=walking", None).await.status(), 200);
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Sessions {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        encrypted: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        plain: i64,
    }
    let sessions = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE s.ssl) AS encrypted, count(*) FILTER (WHERE NOT s.ssl) AS plain \
         FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.backend_type = 'client backend' AND a.backend_start > $1::timestamptz",
    )
    .bind::<Text, _>(&started)
    .get_result::<Sessions>(&mut admin)
    .await
    .unwrap();
    assert!(sessions.encrypted >= 1, "{sessions:?}");
    assert_eq!(
        sessions.plain, 0,
        "every connection the service opened is encrypted"
    );
    let _ = std::fs::remove_dir_all(&client_dir);
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ca-tls-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
