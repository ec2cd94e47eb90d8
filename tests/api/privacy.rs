//! Nothing about the person being matched reaches the logs: the real binary, at the most
//! verbose log level, serves match requests (good, invalid and malformed) carrying distinctive
//! markers, and none of them appears in what it printed. (Numbers and times are left out of the
//! markers: they turn up in timestamps by chance.)

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{database_url, spawn_app};

#[tokio::test]
async fn match_requests_leave_no_trace_in_the_logs() {
    // A database of our own, cloned from the template; the in-process server is not used.
    let app = spawn_app().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_community-assets"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(&app.db_name))
        .env("CA_LOG", "trace")
        .env("CA_LOG_JSON", "true")
        .env("CA_WORKERS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Drain both pipes as the server writes, or it blocks once a pipe's buffer is full.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the server did not become ready");

    let good = json!({
        "location": {"postcode": "YO10 5DD"},
        "interests": ["zebrafinchmarker", "knitting"],
        "travel": {"mode": "public_transport", "max_minutes": 37},
        "budget": {"max_pence_per_session": 431, "concessions": true},
        "availability": [{"day": "wed", "from": "13:17", "to": "16:43"}],
        "age": 67,
        "barriers": ["stigma", "caring"],
        "exclude_asset_ids": ["0e6f7a52-5b7c-4d8e-9f10-1a2b3c4d5e6f"]
    });
    let r = client
        .post(format!("{base}/v1/match"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bad = json!({
        "location": {"postcode": "QX9 9QXMARKER"},
        "interests": ["quokkamarker"],
        "age": 999
    });
    let r = client
        .post(format!("{base}/v1/match"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = client
        .post(format!("{base}/v1/match"))
        .header("content-type", "application/json")
        .body("{\"location\": {\"postcode\": \"YO10 5DD\"}, \"interests\": [\"wombatmarker\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // A search's postcode is the person's too: query strings are never logged either.
    let r = client
        .get(format!(
            "{base}/v1/assets?postcode=YO10%205DD&interest=zebrafinchmarker"
        ))
        .header("x-request-id", "privacy-check-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "an unknown interest");

    // New secrets are shown once, to their caller, and never logged either.
    let org: serde_json::Value = client
        .post(format!("{base}/v1/organizations"))
        .bearer_auth(&app.admin_key)
        .json(&json!({"name": "Privacy Check Club", "trusted": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key: serde_json::Value = client
        .post(format!(
            "{base}/v1/organizations/{}/api-keys",
            org["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.admin_key)
        .json(&json!({"name": "privacy", "role": "agency"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key_secret = key["secret"].as_str().expect("a key secret").to_string();
    let hook: serde_json::Value = client
        .post(format!("{base}/v1/webhooks"))
        .bearer_auth(&key_secret)
        .json(&json!({"url": "https://hooks.example.org/privacy", "events": ["asset.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hook_secret = hook["secret"]
        .as_str()
        .expect("a webhook secret")
        .to_string();

    let _ = child.kill();
    let _ = child.wait();
    let logs = stdout.join().unwrap() + &stderr.join().unwrap();
    // Structured: every line is a JSON object, and each request has one access line with its
    // id, method, route pattern, status and time.
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let search = lines
        .iter()
        .find(|l| l["target"] == "access" && l["span"]["request_id"] == "privacy-check-1")
        .expect("an access line for the search");
    assert_eq!(search["fields"]["route"], "/v1/assets");
    assert_eq!(search["fields"]["status"], 422);
    assert_eq!(search["span"]["method"], "GET");
    assert!(search["fields"]["duration_ms"].is_number());
    let matches = lines
        .iter()
        .filter(|l| l["target"] == "access" && l["fields"]["route"] == "/v1/match")
        .count();
    assert_eq!(matches, 3);
    assert!(
        logs.contains("/v1/match"),
        "the requests were logged at all:\n{logs}"
    );
    // The driver logged parameters as byte arrays (`[122, 101, …]`); other libraries print hex.
    // Whatever the encoding, the content is looked for in its decoded form too.
    let decoded = decode_bytes(&logs);
    let secrets = [key_secret.as_str(), hook_secret.as_str()];
    for marker in secrets.iter().copied().chain([
        "YO10 5DD",
        "YO10",
        "zebrafinchmarker",
        // Quoted or as the enum's Debug name: the column name non_stigmatised is in SQL text.
        "\"stigma\"",
        "Stigma",
        "\"caring\"",
        "Caring",
        "0e6f7a52",
        "QX9",
        "quokkamarker",
        "wombatmarker",
    ]) {
        assert!(
            !logs.contains(marker),
            "{marker:?} appears in the logs:\n{logs}"
        );
        assert!(
            !decoded.contains(marker),
            "{marker:?} appears in the logs, encoded:\n{decoded}"
        );
    }
}

/// Every run of byte values (`[104, 105]`, `104, 105`) and of hex digits (`6869`, `\\x6869`) in
/// the text, decoded as UTF-8 (lossily), one per line.
fn decode_bytes(text: &str) -> String {
    let mut out = String::new();
    let numbers = regex::Regex::new(r"\d{1,3}(?:\s*,\s*\d{1,3}){3,}").unwrap();
    for m in numbers.find_iter(text) {
        let bytes: Vec<u8> = m
            .as_str()
            .split(',')
            .filter_map(|n| n.trim().parse::<u8>().ok())
            .collect();
        out.push_str(&String::from_utf8_lossy(&bytes));
        out.push('\n');
    }
    let hex = regex::Regex::new(r"(?i)(?:[0-9a-f]{2}){4,}").unwrap();
    for m in hex.find_iter(text) {
        let digits = m.as_str();
        let bytes: Vec<u8> = (0..digits.len() / 2)
            .filter_map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).ok())
            .collect();
        out.push_str(&String::from_utf8_lossy(&bytes));
        out.push('\n');
    }
    out
}

#[test]
fn byte_arrays_and_hex_are_decoded() {
    let decoded = decode_bytes("parameters: [[121, 111, 49, 48], 0] and \\x7a6562726166696e6368");
    assert!(decoded.contains("yo10"), "{decoded}");
    assert!(decoded.contains("zebrafinch"), "{decoded}");
}
