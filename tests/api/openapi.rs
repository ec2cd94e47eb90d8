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

/// Whether a schema property says what it is: its own description, or that of the schema it
/// refers to, or (a discriminator) a single allowed value.
fn documented(property: &serde_json::Value, schemas: &serde_json::Value) -> bool {
    if property
        .get("description")
        .is_some_and(|d| d.as_str().is_some_and(|d| !d.is_empty()))
    {
        return true;
    }
    if let Some(name) = property["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return schemas[name]["description"].is_string();
    }
    if property["enum"].as_array().is_some_and(|e| e.len() == 1) {
        return true;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = property[key].as_array() {
            return options
                .iter()
                .all(|o| o["type"] == "null" || documented(o, schemas));
        }
    }
    false
}

/// Every operation, parameter and property of the document is described, and every `_km`
/// property names its unit: the document is the contract, so nothing in it is left to guess.
#[test]
fn every_operation_parameter_and_property_is_described() {
    let doc = serde_json::to_value(community_assets::openapi::document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let mut missing = Vec::new();
    let mut operations = 0;
    for section in ["paths", "webhooks"] {
        for (path, item) in doc[section].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                for field in ["summary", "description"] {
                    if !op[field].is_string() {
                        missing.push(format!("{method} {path}: no {field}"));
                    }
                }
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if !p["description"].is_string() {
                        missing.push(format!("{method} {path}: parameter {}", p["name"]));
                    }
                }
            }
        }
    }
    let mut properties = 0;
    for (name, schema) in schemas.as_object().unwrap() {
        let mut objects = vec![schema];
        for key in ["oneOf", "anyOf", "allOf"] {
            objects.extend(schema[key].as_array().into_iter().flatten());
        }
        for object in objects {
            for (field, property) in object["properties"].as_object().into_iter().flatten() {
                properties += 1;
                if !documented(property, schemas) {
                    missing.push(format!("{name}.{field}"));
                }
                if field.ends_with("_km")
                    && !property["description"]
                        .as_str()
                        .is_some_and(|d| d.contains("kilometres"))
                {
                    missing.push(format!("{name}.{field}: the unit is not named"));
                }
            }
        }
    }
    assert!(
        operations >= 50 && properties >= 600,
        "{operations} operations, {properties} properties"
    );
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}
