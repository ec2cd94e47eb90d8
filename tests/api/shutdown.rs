//! Graceful shutdown of the real binary: on SIGTERM a request in flight is still answered,
//! and an import running in the background is marked failed (its unfinished page rolled
//! back), never left "running" or half-applied.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{app_db, count, database_url, spawn_app, wait_until_ready, walking_football};

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_and_fails_running_imports() {
    let app = spawn_app().await;
    let org = app.create_org("Sale Striders", true).await;
    // A feed that accepts connections and never answers: the import waits on it.
    let stall = TcpListener::bind("127.0.0.1:0").unwrap();
    let stall_port = stall.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in stall.incoming().take(8) {
            held.push(stream);
        }
    });

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_community-assets"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(&app.db_name))
        .env("CA_DEMO_DATA", "false")
        .env("CA_WORKERS", "2")
        // The stalling feed is on loopback.
        .env("CA_IMPORT_ALLOW_PRIVATE_URLS", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_until_ready(&client, &base).await;

    let import: Value = client
        .request(Method::POST, format!("{base}/v1/imports"))
        .bearer_auth(&app.admin_key)
        .json(&json!({"url": format!("http://127.0.0.1:{stall_port}/oruk")}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let import_id = import["id"].as_str().unwrap().to_string();

    // A request whose body is still arriving when the signal comes.
    let mut body = walking_football();
    body["organization_id"] = json!(org);
    let body = body.to_string();
    let (head_part, tail_part) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /v1/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head_part}",
        app.admin_key,
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    stream.write_all(tail_part.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the request in flight was answered: {answer}"
    );

    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the process did not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");

    let row: Value = app
        .get_json(&format!("/v1/imports/{import_id}"), Some(&app.admin_key))
        .await;
    assert_eq!(row["status"], "failed", "{row:#}");
    assert!(
        row["error"].as_str().unwrap().contains("shut down"),
        "{row:#}"
    );
    let mut conn = app_db(&app).await;
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM assets WHERE organization_id = '{org}'")
        )
        .await,
        1,
        "the request in flight was stored once"
    );
}
