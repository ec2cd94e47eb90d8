use crate::helpers::spawn_app;

#[tokio::test]
async fn served_document_equals_the_committed_file() {
    let app = spawn_app().await;
    let response = app.get("/openapi.json", None).await;
    assert_eq!(response.status(), 200);
    let served = response.text().await.unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists");
    assert!(
        served == committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/v1/assets",
        "/v1/assets/{id}",
        "/v1/organizations/{id}/api-keys",
        "/v1/interests",
        "/readyz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}

#[tokio::test]
async fn docs_ui_is_served_without_a_cdn() {
    let app = spawn_app().await;
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"));
    assert!(
        !html.contains("://cdn") && !html.contains("unpkg.com"),
        "no CDN assets"
    );
    let config = app
        .get("/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(config.contains("/openapi.json"));
}
