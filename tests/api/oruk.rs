//! The ORUK 3.0 feed, checked the way the ORUK validator checks a feed: every response of every
//! endpoint against the ORUK 3.0 JSON schemas (copied into tests/fixtures/oruk with their CC
//! BY-SA attribution), including the first, a middle and the last page of each list.

use jsonschema::{Retrieve, Uri, Validator};
use std::collections::HashMap;

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app, spawn_demo_app};

const SCHEMA_BASE: &str = "https://openreferraluk.org/specifications/3.0/schema/";

/// Serves the ORUK schemas' absolute `$ref`s from the fixtures.
struct Fixtures;

impl Retrieve for Fixtures {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix(SCHEMA_BASE)
            .ok_or_else(|| format!("no fixture for {}", uri.as_str()))?;
        Ok(schema_file(name))
    }
}

fn schema_file(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/oruk/oruk-3.0-schema/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn validator(name: &str) -> Validator {
    jsonschema::options()
        .with_retriever(Fixtures)
        .should_validate_formats(true)
        .build(&schema_file(name))
        .unwrap_or_else(|e| panic!("schema {name}: {e}"))
}

/// GETs a feed path, checks it against the schema and returns it.
async fn conforms(app: &TestApp, path: &str, schema: &str) -> Value {
    let response = app.get(&format!("/oruk{path}"), None).await;
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "*",
        "{path}"
    );
    let body: Value = response.json().await.unwrap();
    let v = validator(schema);
    let errors: Vec<String> = v
        .iter_errors(&body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{path} against {schema}: {errors:#?}");
    body
}

/// Checks pages 1, a middle one and the last of a list, and that they hold every record once.
async fn pages_conform(app: &TestApp, path: &str, schema: &str, per_page: usize) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let first = conforms(app, &format!("{path}{sep}per_page={per_page}"), schema).await;
    let total = first["total_items"].as_i64().unwrap();
    let pages = first["total_pages"].as_i64().unwrap();
    assert!(
        pages >= 3,
        "{path}: want at least 3 pages to test, got {pages}"
    );
    assert_eq!(pages, (total + per_page as i64 - 1) / per_page as i64);
    assert_eq!(first["first_page"], true);
    assert_eq!(first["last_page"], false);
    let middle = conforms(
        app,
        &format!("{path}{sep}per_page={per_page}&page={}", pages / 2 + 1),
        schema,
    )
    .await;
    assert_eq!(middle["first_page"], false);
    assert_eq!(middle["size"], per_page);
    let last = conforms(
        app,
        &format!("{path}{sep}per_page={per_page}&page={pages}"),
        schema,
    )
    .await;
    assert_eq!(last["last_page"], true);
    assert_eq!(last["page_number"], pages);
    let beyond = conforms(
        app,
        &format!("{path}{sep}per_page={per_page}&page={}", pages + 1),
        schema,
    )
    .await;
    assert_eq!(beyond["empty"], true);
    let mut all = Vec::new();
    for page in 1..=pages {
        let body: Value = app
            .get(
                &format!("/oruk{path}{sep}per_page={per_page}&page={page}"),
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        all.extend(body["contents"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(all.len() as i64, total);
    let mut ids: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len() as i64,
        total,
        "{path}: a record appears on two pages"
    );
    all
}

/// The HSDS 3.1 service schema, self-contained (tests/fixtures/hsds-3.1, CC BY-SA 4.0).
fn hsds_31_service() -> Validator {
    let path = format!(
        "{}/tests/fixtures/hsds-3.1/service_with_definitions.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the HSDS 3.1 service schema compiles")
}

fn assert_hsds_31(service: &Value) {
    static HSDS_31: std::sync::OnceLock<Validator> = std::sync::OnceLock::new();
    let errors: Vec<String> = HSDS_31
        .get_or_init(hsds_31_service)
        .iter_errors(service)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "service {} against HSDS 3.1: {errors:#?}",
        service["id"]
    );
}

#[test]
fn the_validators_refuse_the_validator_s_failing_example() {
    // The ORUK validator's "fail" mock has an e-mail that is not one: both schemas must say so,
    // or the checks above would prove nothing.
    let path = format!(
        "{}/tests/fixtures/oruk/validator-mocks/V3.0-UK-Fail/service_full.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let bad: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(validator("service.json").iter_errors(&bad).next().is_some());
    assert!(hsds_31_service().iter_errors(&bad).next().is_some());
}

#[tokio::test]
async fn every_endpoint_conforms_to_the_oruk_schemas() {
    let app = spawn_demo_app().await;
    let details = conforms(&app, "/", "api_details.json").await;
    assert_eq!(details["version"], "HSDS-UK-3.0");
    assert!(
        details["openapi_url"]
            .as_str()
            .unwrap()
            .ends_with("/openapi.json")
    );

    let services = pages_conform(&app, "/services", "service_list.json", 100).await;
    assert!(
        services.len() >= 400,
        "the demo data's published assets are all in the feed"
    );
    for service in services.iter().step_by(40) {
        let id = service["id"].as_str().unwrap();
        let full = conforms(&app, &format!("/services/{id}"), "service.json").await;
        assert!(full["organization"]["name"].is_string());
        assert_hsds_31(&full);
    }
    pages_conform(&app, "/services?minimal=true", "service_list.json", 150).await;
    for service in pages_conform(&app, "/services?full=true", "service_list.json", 150).await {
        assert_hsds_31(&service);
    }

    let orgs = pages_conform(&app, "/organizations", "organization_list.json", 100).await;
    let org = orgs[0]["id"].as_str().unwrap();
    let full = conforms(
        &app,
        &format!("/organizations/{org}?full_service=true"),
        "organization.json",
    )
    .await;
    assert!(!full["services"].as_array().unwrap().is_empty());
    conforms(
        &app,
        "/organizations?full_service=true&per_page=20",
        "organization_list.json",
    )
    .await;

    let at = pages_conform(
        &app,
        "/service_at_locations",
        "service_at_location_list.json",
        100,
    )
    .await;
    let one = at[0]["id"].as_str().unwrap();
    let found = conforms(
        &app,
        &format!("/service_at_locations/{one}"),
        "service_at_location.json",
    )
    .await;
    assert_eq!(found["location_id"], at[0]["location_id"]);
    assert!(found["service"]["name"].is_string());

    let taxonomies = conforms(&app, "/taxonomies", "taxonomy_list.json").await;
    for t in taxonomies["contents"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        conforms(&app, &format!("/taxonomies/{id}"), "taxonomy.json").await;
    }
    let terms = pages_conform(&app, "/taxonomy_terms", "taxonomy_term_list.json", 200).await;
    let term = terms.last().unwrap()["id"].as_str().unwrap();
    conforms(
        &app,
        &format!("/taxonomy_terms/{term}"),
        "taxonomy_term.json",
    )
    .await;
}

#[tokio::test]
async fn only_published_assets_are_in_the_feed_and_empty_fields_are_omitted() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Untrusted Club", false).await;
    let response = app
        .post_asset(&key, &crate::helpers::walking_football())
        .await;
    assert_eq!(response.status(), 201);
    let pending: Value = response.json().await.unwrap();
    let id = pending["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/oruk/services/{id}"), None)
            .await
            .status(),
        404
    );
    let list = conforms(&app, "/services", "service_list.json").await;
    assert_eq!(list["total_items"], 0);
    assert_eq!(list["empty"], true);

    let response = app
        .request(
            reqwest::Method::POST,
            &format!("/v1/assets/{id}/publish"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let service = conforms(&app, &format!("/services/{id}"), "service.json").await;
    let text = service.to_string();
    assert!(
        !text.contains("null"),
        "empty optional fields are omitted: {text}"
    );
    assert_eq!(service["minimum_age"], 50);
    assert!(service.get("maximum_age").is_none());
    assert!(service.get("assured_date").is_none(), "never confirmed");
    assert_eq!(service["schedules"][0]["byday"], "TU");
    assert_eq!(service["schedules"][0]["freq"], "WEEKLY");
    assert_eq!(service["schedules"][0]["opens_at"], "18:00:00");
    let offset = service["schedules"][0]["timezone"].as_f64().unwrap();
    assert!(offset == 0.0 || offset == 1.0, "GMT or BST, not {offset}");
    assert_eq!(service["cost_options"][0]["amount"], 3.0);
    assert_eq!(service["cost_options"][1]["option"], "Concession");
    let location = &service["service_at_locations"][0]["location"];
    assert_eq!(location["addresses"][0]["postal_code"], "M33 2AB");
    assert_eq!(location["latitude"], 53.4235);

    // Confirming sets assured_date.
    let response = app
        .request(
            reqwest::Method::POST,
            &format!("/v1/assets/{id}/confirm"),
            Some(&key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let service = conforms(&app, &format!("/services/{id}"), "service.json").await;
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(service["assured_date"], today);
}

async fn total(app: &TestApp, query: &str) -> i64 {
    let response = app.get(&format!("/oruk/services?{query}"), None).await;
    assert_eq!(response.status(), 200, "{query}");
    let body: Value = response.json().await.unwrap();
    body["total_items"].as_i64().unwrap()
}

#[tokio::test]
async fn the_filters_select_what_they_say() {
    let app = spawn_demo_app().await;
    let all = total(&app, "").await;
    // Interest terms match narrower ones too: sport includes football.
    let terms: Value = app
        .get_json("/oruk/taxonomy_terms?search=football&per_page=500", None)
        .await;
    let football = terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "football")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sport = terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "football")
        .unwrap()["parent_id"]
        .as_str()
        .map(String::from);
    let with_football = total(&app, &format!("taxonomy_term_id={football}")).await;
    assert!(with_football > 0 && with_football < all);
    if let Some(parent) = sport {
        assert!(total(&app, &format!("taxonomy_term_id={parent}")).await >= with_football);
    }
    let page: Value = app
        .get(
            &format!("/oruk/services?taxonomy_term_id={football}&per_page=500"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    for s in page["contents"].as_array().unwrap() {
        assert!(s.to_string().contains("football"), "{}", s["name"]);
    }
    // Kinds are terms too.
    let kinds: Value = app
        .get_json("/oruk/taxonomy_terms?search=volunteering", None)
        .await;
    let volunteering = kinds["contents"][0]["id"].as_str().unwrap();
    let n = total(&app, &format!("taxonomy_term_id={volunteering}")).await;
    assert!(n > 0 && n < all);
    // Ages, days and times.
    let children = total(&app, "maximum_age=10").await;
    let adults = total(&app, "minimum_age=30").await;
    assert!(children < all && adults < all && children > 0);
    let tuesday = total(&app, "day=TU").await;
    let tuesday_evening = total(&app, "day=tuesday&start_time=17:00").await;
    assert!(tuesday > 0 && tuesday_evening <= tuesday && tuesday < all);
    // Near a postcode.
    let near = total(&app, "postcode=M32%200JG&proximity=2000").await;
    let wider = total(&app, "postcode=M32%200JG&proximity=20000").await;
    assert!(near > 0 && near < wider && wider < all);
    // Modified after now: nothing.
    let later = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(total(&app, &format!("modified_after={later}")).await, 0);
    assert_eq!(
        total(&app, "modified_after=2000-01-01T00:00:00Z").await,
        all
    );
    // Text.
    assert!(total(&app, "search=library").await > 0);
}

#[tokio::test]
async fn bad_parameters_are_named_in_a_422() {
    let app = spawn_app().await;
    for (query, field) in [
        ("page=0", "page"),
        ("per_page=501", "per_page"),
        ("taxonomy_term_id=x", "taxonomy_term_id"),
        ("modified_after=yesterday", "modified_after"),
        ("day=funday", "day"),
        ("start_time=25:00", "start_time"),
        ("minimum_age=-1", "minimum_age"),
        ("proximity=100", "proximity"),
        ("postcode=ZZ99%209ZZ", "postcode"),
        ("minimal=maybe", "minimal"),
    ] {
        let response = app.get(&format!("/oruk/services?{query}"), None).await;
        let fields = crate::helpers::problem_fields(response, 422).await;
        assert_eq!(fields, [field], "{query}");
    }
    let response = app.get("/oruk/services/not-a-uuid", None).await;
    assert_eq!(crate::helpers::problem_fields(response, 422).await, ["id"]);
    let response = app
        .get(&format!("/oruk/services/{}", uuid::Uuid::new_v4()), None)
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

/// A value for each ORUK 3.0 query parameter that the demo directory can answer.
fn oruk_value(name: &str, ids: &HashMap<&str, String>) -> String {
    match name {
        "search" => "a".into(),
        "page" => "1".into(),
        "per_page" => "5".into(),
        "format" => "json".into(),
        "taxonomy_term_id" | "parent_id" => ids["term"].clone(),
        "taxonomy_id" => ids["taxonomy"].clone(),
        "organization_id" => ids["organization"].clone(),
        "modified_after" => "2000-01-01T00:00:00Z".into(),
        "minimal" | "top_only" => "false".into(),
        "full" | "full_service" => "true".into(),
        "postcode" => "M32 0JG".into(),
        "proximity" => "5000".into(),
        "minimum_age" => "18".into(),
        "maximum_age" => "99".into(),
        "start_time" => "00:00".into(),
        "end_time" => "23:59".into(),
        "day" => "MO".into(),
        other => panic!("no test value for the ORUK parameter {other}"),
    }
}

fn list_schema(path: &str) -> &'static str {
    match path {
        "/services" => "service_list.json",
        "/taxonomies" => "taxonomy_list.json",
        "/taxonomy_terms" => "taxonomy_term_list.json",
        "/organizations" => "organization_list.json",
        "/service_at_locations" => "service_at_location_list.json",
        "/services/{id}" => "service.json",
        "/taxonomies/{id}" => "taxonomy.json",
        "/taxonomy_terms/{id}" => "taxonomy_term.json",
        "/organizations/{id}" => "organization.json",
        "/service_at_locations/{id}" => "service_at_location.json",
        other => panic!("no schema for {other}"),
    }
}

/// The query parameters each operation of an ORUK 3.0 OpenAPI document defines.
fn oruk_operations(file: &str) -> Vec<(String, Vec<String>)> {
    let path = format!("{}/tests/fixtures/oruk/{file}", env!("CARGO_MANIFEST_DIR"));
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let resolve = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => spec["components"]["parameters"][r.rsplit('/').next().unwrap()].clone(),
            None => p.clone(),
        }
    };
    spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| {
            let mut names: Vec<String> = item["get"]["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(item["parameters"].as_array().into_iter().flatten())
                .map(resolve)
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names.dedup();
            (path.clone(), names)
        })
        .collect()
}

/// The ORUK validator's sequence from the base URL a publisher registers (no trailing slash):
/// the details, the document `openapi_url` names, then every operation of both published ORUK
/// 3.0 OpenAPI documents with each parameter they define, alone and all together, each answer
/// checked against the ORUK schemas.
#[tokio::test]
async fn the_validator_s_sequence_passes_from_the_base_url_with_every_oruk_parameter() {
    let app = spawn_demo_app().await;
    let details = conforms(&app, "", "api_details.json").await;
    assert_eq!(details["version"], "HSDS-UK-3.0");
    assert_eq!(conforms(&app, "/", "api_details.json").await, details);

    // `openapi_url` describes the feed itself, with paths relative to the base URL.
    let document: Value = reqwest::get(details["openapi_url"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["servers"][0]["url"], "/oruk");
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/",
        "/services",
        "/services/{id}",
        "/taxonomies",
        "/organizations",
    ] {
        assert!(paths.contains_key(path), "the feed's document lacks {path}");
    }
    assert!(
        paths
            .keys()
            .all(|p| !p.starts_with("/v1") && !p.starts_with("/oruk"))
    );

    let first = |body: Value| body["contents"][0]["id"].as_str().unwrap().to_string();
    let mut ids = HashMap::new();
    ids.insert(
        "term",
        first(
            app.get_json("/oruk/taxonomy_terms?search=football", None)
                .await,
        ),
    );
    ids.insert(
        "taxonomy",
        first(
            app.get_json("/oruk/taxonomies?search=interests", None)
                .await,
        ),
    );
    ids.insert(
        "organization",
        first(app.get_json("/oruk/organizations", None).await),
    );
    for file in ["oruk-3.0-openapi.json", "oruk-3.0-openapi.2026-01-27.json"] {
        for (path, params) in oruk_operations(file) {
            if path == "/" {
                continue;
            }
            if let Some(list) = path.strip_suffix("/{id}") {
                let id = first(app.get_json(&format!("/oruk{list}"), None).await);
                let query: Vec<String> = params
                    .iter()
                    .map(|p| format!("{p}={}", oruk_value(p, &ids)))
                    .collect();
                conforms(
                    &app,
                    &format!("{list}/{id}?{}", query.join("&")),
                    list_schema(&path),
                )
                .await;
                continue;
            }
            for p in &params {
                let value = urlencoding(&oruk_value(p, &ids));
                // A distance is from a postcode: the one parameter that needs another.
                let with = if p == "proximity" {
                    "&postcode=M32%200JG"
                } else {
                    ""
                };
                conforms(
                    &app,
                    &format!("{path}?{p}={value}{with}"),
                    list_schema(&path),
                )
                .await;
            }
            let all: Vec<String> = params
                .iter()
                .map(|p| format!("{p}={}", urlencoding(&oruk_value(p, &ids))))
                .collect();
            conforms(
                &app,
                &format!("{path}?{}", all.join("&")),
                list_schema(&path),
            )
            .await;
        }
    }
    // `format` names the one format served; another is refused, by name.
    let response = app.get("/oruk/services?format=ndjson", None).await;
    assert_eq!(
        crate::helpers::problem_fields(response, 422).await,
        ["format"]
    );
}

fn urlencoding(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).unwrap()[2..].to_string()
}

/// Feed pages carry validators and a cache lifetime, answer `If-None-Match` with 304, and are
/// compressed for clients that accept it.
#[tokio::test]
async fn feed_pages_are_cacheable_and_compressed() {
    let app = spawn_demo_app().await;
    let page = app.get("/oruk/services?full=true&per_page=200", None).await;
    assert_eq!(page.status(), 200);
    let etag = page.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(page.headers()["cache-control"], "public, max-age=60");
    let plain = page.bytes().await.unwrap().len();
    let again = app
        .request(
            reqwest::Method::GET,
            "/oruk/services?full=true&per_page=200",
            None,
        )
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());
    // Another page is another representation.
    let other = app.get("/oruk/services?full=true&per_page=199", None).await;
    assert_ne!(other.headers()["etag"], etag.as_str());

    for encoding in ["br", "gzip"] {
        let compressed = app
            .request(
                reqwest::Method::GET,
                "/oruk/services?full=true&per_page=200",
                None,
            )
            .header("Accept-Encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(compressed.headers()["content-encoding"], encoding);
        let size = compressed.bytes().await.unwrap().len();
        assert!(
            size * 3 < plain,
            "{encoding}: {size} bytes of {plain} uncompressed"
        );
    }

    // The same middleware serves every cacheable read: the document, postcodes, an asset.
    for path in [
        "/openapi.json",
        "/oruk/openapi.json",
        "/v1/postcodes/M32%200JG",
    ] {
        let first = app.get(path, None).await;
        assert_eq!(first.status(), 200, "{path}");
        let tag = first.headers()["etag"].to_str().unwrap().to_string();
        let second = app
            .request(reqwest::Method::GET, path, None)
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(second.status(), 304, "{path}");
    }
    let search: Value = app
        .get_json("/v1/assets?postcode=M32%200JG&limit=1", None)
        .await;
    let id = search["items"][0]["id"].as_str().unwrap().to_string();
    let asset = app.get(&format!("/v1/assets/{id}"), None).await;
    let tag = asset.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(asset.headers()["cache-control"], "no-cache");
    let second = app
        .request(reqwest::Method::GET, &format!("/v1/assets/{id}"), None)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 304);
}
