//! Each validation rule, seen through the API: a clear 4xx problem naming the field.

use serde_json::{Value, json};

use crate::helpers::{TestApp, problem_fields, spawn_app, walking_football};

async fn rejected(app: &TestApp, key: &str, change: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut body = walking_football();
    change(&mut body);
    problem_fields(app.post_asset(key, &body).await, 422).await
}

#[tokio::test]
async fn every_rule_names_its_field() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Validators", true).await;

    let f = rejected(&app, &key, |b| {
        b["venue"]["location"] = json!({"lat": 100, "lon": 101})
    })
    .await;
    assert_eq!(f, ["venue.location.lat"]);
    let f = rejected(&app, &key, |b| {
        b["venue"]["location"] = json!({"lat": 53.0, "lon": 200})
    })
    .await;
    assert_eq!(f, ["venue.location.lon"]);
    let f = rejected(&app, &key, |b| {
        b["venue"]["location"] = json!({"lat": 48.8566, "lon": 2.3522})
    })
    .await;
    assert_eq!(f, ["venue.location"], "Paris is outside the UK and Ireland");
    let f = rejected(&app, &key, |b| {
        b["venue"]["location"] = json!({"lat": -2.3186, "lon": 53.4235})
    })
    .await;
    assert_eq!(f, ["venue.location"], "swapped coordinates");
    let f = rejected(&app, &key, |b| b["venue"]["postcode"] = json!("hello")).await;
    assert_eq!(f, ["venue.postcode"]);
    let f = rejected(&app, &key, |b| {
        b["schedule"]["weekly"][0]["start"] = json!("6pm")
    })
    .await;
    assert_eq!(f, ["schedule.weekly[0].start"]);
    let f = rejected(&app, &key, |b| {
        b["schedule"]["weekly"][0]["end"] = json!("17:00")
    })
    .await;
    assert_eq!(f, ["schedule.weekly[0].end"]);
    let f = rejected(&app, &key, |b| {
        b["schedule"]["weekly"][0]["day"] = json!("funday")
    })
    .await;
    assert_eq!(f, ["schedule.weekly[0].day"]);
    let f = rejected(&app, &key, |b| b["eligibility"] = json!({"min_age": 121})).await;
    assert_eq!(f, ["eligibility.min_age"]);
    let f = rejected(&app, &key, |b| {
        b["eligibility"] = json!({"min_age": 60, "max_age": 18})
    })
    .await;
    assert_eq!(f, ["eligibility.max_age"]);
    let f = rejected(&app, &key, |b| b["cost"] = json!({"amount_pence": -100})).await;
    assert_eq!(f, ["cost.amount_pence"]);
    let f = rejected(&app, &key, |b| b["cost"] = json!({"amount_pence": 99999999999999999999u128.to_string().parse::<f64>().unwrap()})).await;
    assert_eq!(f, ["cost.amount_pence"]);
    let f = rejected(&app, &key, |b| b["title"] = json!("x".repeat(201))).await;
    assert_eq!(f, ["title"]);
    let f = rejected(&app, &key, |b| b["title"] = json!("   ")).await;
    assert_eq!(f, ["title"]);
    let f = rejected(&app, &key, |b| b["kind"] = json!("party")).await;
    assert_eq!(f, ["kind"]);
    let f = rejected(&app, &key, |b| {
        b["contact"] = json!({"email": "nope", "url": "javascript:alert(1)"})
    })
    .await;
    assert_eq!(f, ["contact.email", "contact.url"]);
    let f = rejected(&app, &key, |b| b["colour"] = json!("blue")).await;
    assert_eq!(f, ["colour"]);
    let f = rejected(&app, &key, |b| {
        b.as_object_mut().unwrap().remove("title");
    })
    .await;
    assert_eq!(f, ["title"]);
    let f = rejected(&app, &key, |b| {
        b["venue"]["accessibility"] = json!(["lift"])
    })
    .await;
    assert_eq!(f, ["venue.accessibility[0]"]);
}

#[tokio::test]
async fn unreadable_bodies_get_clear_problems() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Org", true).await;
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(app.url("/v1/assets"))
            .bearer_auth(&key)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_eq!(
        problem_fields(
            send(b"{\"title\": ".to_vec(), "application/json")
                .await
                .unwrap(),
            400
        )
        .await,
        ["body"]
    );
    assert_eq!(
        problem_fields(
            send(vec![0xff, 0xfe, 0x7b], "application/json")
                .await
                .unwrap(),
            400
        )
        .await,
        ["body"]
    );
    problem_fields(
        send(b"title=x".to_vec(), "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
    )
    .await;
    let huge = serde_json::to_vec(&json!({"title": "x".repeat(300 * 1024)})).unwrap();
    problem_fields(send(huge, "application/json").await.unwrap(), 413).await;
    let deep = format!(
        "{{\"service_area\": {}1{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    problem_fields(
        send(deep.into_bytes(), "application/json").await.unwrap(),
        400,
    )
    .await;
}

#[tokio::test]
async fn unknown_routes_are_problems_too() {
    let app = spawn_app().await;
    problem_fields(app.get("/v1/nothing-here", None).await, 404).await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
    let ready: Value = app.get("/readyz", None).await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
}

#[tokio::test]
async fn one_response_lists_every_problem() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Validators", true).await;
    let f = rejected(&app, &key, |b| {
        b["interests"] = json!(["singin", "football"]);
        b["schedule"]["weekly"][0]["end"] = json!("17:00");
        b["cost"] = json!({"amount_pence": -1});
    })
    .await;
    assert_eq!(
        f,
        [
            "cost.amount_pence",
            "schedule.weekly[0].end",
            "interests[0]"
        ]
    );
    let f = rejected(&app, &key, |b| {
        b.as_object_mut().unwrap().remove("venue");
        b["venue_id"] = json!(uuid::Uuid::new_v4());
        b["title"] = json!("");
    })
    .await;
    assert_eq!(f, ["title", "venue_id"]);
}

#[tokio::test]
async fn a_wrong_method_on_a_real_path_is_405_with_allow() {
    let app = crate::helpers::spawn_app().await;
    for (method, path, allow) in [
        (reqwest::Method::PATCH, "/v1/match", "POST"),
        (reqwest::Method::TRACE, "/v1/assets", "GET, POST"),
        (
            reqwest::Method::POST,
            "/v1/assets/0e6f7a52-5b7c-4d8e-9f10-1a2b3c4d5e6f",
            "DELETE, GET, PUT",
        ),
        (reqwest::Method::DELETE, "/healthz", "GET"),
    ] {
        let response = app
            .request(method.clone(), path, None)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let fields = crate::helpers::problem_fields(response, 405).await;
        assert!(fields.is_empty());
    }
    let response = app.get("/v1/nothing-here", None).await;
    crate::helpers::problem_fields(response, 404).await;
    // The right method with a slash too many is sent on (308) to the path that answers, with
    // its query; the client (reqwest, like a browser) follows it.
    let response = app.get("/v1/assets/?q=choir&limit=2", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/v1/assets");
    assert_eq!(response.url().query(), Some("q=choir&limit=2"));
    let response = app
        .request(reqwest::Method::DELETE, "/v1/assets/", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405, "a wrong method is still a 405");
}
