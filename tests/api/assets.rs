use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, database_url, problem_fields, spawn_app, walking_football};

async fn create(app: &TestApp, key: &str, body: &Value) -> Value {
    let response = app.post_asset(key, body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

fn path(asset: &Value) -> String {
    format!("/v1/assets/{}", asset["id"].as_str().unwrap())
}

#[tokio::test]
async fn create_read_update_archive() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Trafford Walking Football", true).await;
    let response = app.post_asset(&key, &walking_football()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let created: Value = response.json().await.unwrap();
    assert_eq!(location, path(&created));
    assert_eq!(
        created["status"], "published",
        "a trusted organisation publishes at once"
    );
    assert_eq!(created["organization"]["id"], org.to_string());
    assert_eq!(created["venue"]["postcode"], "M33 2AB");
    assert_eq!(created["venue"]["non_stigmatised"], true);
    assert_eq!(
        created["venue"]["accessibility"],
        json!(["step_free_access", "accessible_toilet"])
    );
    assert_eq!(created["interests"][0]["slug"], "walking-football");
    assert_eq!(
        created["cost"],
        json!({"free": false, "amount_pence": 300, "concession_pence": 150, "concessions": [], "currency": "GBP", "notes": null})
    );
    assert_eq!(
        created["schedule"]["weekly"],
        json!([{"day": "tue", "start": "18:00", "end": "19:30", "valid_from": null, "valid_until": null}])
    );
    assert_eq!(created["eligibility"]["min_age"], 50);
    assert_eq!(created["newcomers"]["drop_in"], true);
    assert_eq!(created["five_ways"], json!(["connect", "be_active"]));

    let read = app.get(&location, None).await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.headers()["etag"], "\"1\"");

    let mut changed = walking_football();
    changed["title"] = json!("Walking football (over-50s)");
    changed["cost"] = json!({"free": true});
    changed["schedule"] = json!({"weekly": [{"day": "thu", "start": "10:00", "end": "11:00"}], "dated": [{"date": "2027-01-02", "start": "10:00", "end": "12:00"}]});
    let updated = app
        .request(Method::PUT, &location, Some(&key))
        .header("If-Match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200);
    assert_eq!(updated.headers()["etag"], "\"2\"");
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["title"], "Walking football (over-50s)");
    assert_eq!(updated["cost"]["free"], true);
    assert_eq!(updated["schedule"]["weekly"][0]["day"], "thu");
    assert_eq!(updated["schedule"]["dated"][0]["date"], "2027-01-02");

    let stale = app
        .request(Method::PUT, &location, Some(&key))
        .header("If-Match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    problem_fields(stale, 412).await;
    let unconditional = app
        .send_json(Method::PUT, &location, Some(&key), &changed)
        .await;
    problem_fields(unconditional, 428).await;

    let archived = app
        .request(Method::DELETE, &location, Some(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    let archived: Value = archived.json().await.unwrap();
    assert_eq!(archived["status"], "archived");
    // It was public, so its withdrawal is too: everyone is told it is gone (410), not that it
    // never existed; it is kept, not deleted.
    problem_fields(app.get(&location, None).await, 410).await;
    problem_fields(app.get(&location, Some(&key)).await, 410).await;
}

#[tokio::test]
async fn pending_assets_are_visible_only_to_their_organisation_until_published() {
    let app = spawn_app().await;
    let (org, key) = app.agency("New Group", false).await;
    let (_, reader) = app.create_key(org, "reader").await;
    let (_, stranger) = app.agency("Someone Else", true).await;
    let asset = create(&app, &key, &walking_football()).await;
    assert_eq!(asset["status"], "pending");
    let location = path(&asset);
    problem_fields(app.get(&location, None).await, 404).await;
    problem_fields(app.get(&location, Some(&stranger)).await, 404).await;
    assert_eq!(app.get(&location, Some(&reader)).await.status(), 200);
    // One never published and then archived stays unknown outside its organisation.
    let draft = create(&app, &key, &walking_football()).await;
    let draft = path(&draft);
    let archived = app
        .request(Method::DELETE, &draft, Some(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    problem_fields(app.get(&draft, None).await, 404).await;
    problem_fields(app.get(&draft, Some(&stranger)).await, 404).await;
    problem_fields(app.get(&draft, Some(&key)).await, 410).await;
    assert_eq!(app.get(&location, Some(&key)).await.status(), 200);

    let by_agency = app
        .request(Method::POST, &format!("{location}/publish"), Some(&key))
        .send()
        .await
        .unwrap();
    problem_fields(by_agency, 403).await;
    let published = app
        .request(
            Method::POST,
            &format!("{location}/publish"),
            Some(&app.admin_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    let published: Value = published.json().await.unwrap();
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    assert_eq!(app.get(&location, None).await.status(), 200);
}

#[tokio::test]
async fn an_agency_cannot_touch_another_organisations_asset() {
    let app = spawn_app().await;
    let (_, owner) = app.agency("Owner", true).await;
    let (_, intruder) = app.agency("Intruder", true).await;
    let asset = create(&app, &owner, &walking_football()).await;
    let location = path(&asset);
    let mut changed = walking_football();
    changed["title"] = json!("Hijacked");
    let put = app
        .request(Method::PUT, &location, Some(&intruder))
        .header("If-Match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    problem_fields(put, 403).await;
    problem_fields(
        app.request(Method::DELETE, &location, Some(&intruder))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    problem_fields(
        app.request(
            Method::POST,
            &format!("{location}/confirm"),
            Some(&intruder),
        )
        .send()
        .await
        .unwrap(),
        403,
    )
    .await;
    let mut for_owner = walking_football();
    for_owner["organization_id"] = asset["organization"]["id"].clone();
    problem_fields(app.post_asset(&intruder, &for_owner).await, 403).await;

    let unchanged: Value = app.get(&location, None).await.json().await.unwrap();
    assert_eq!(unchanged["title"], "Walking football for over-50s");
    assert_eq!(unchanged["version"], 1);
}

#[tokio::test]
async fn a_reader_key_cannot_write() {
    let app = spawn_app().await;
    let org = app.create_org("Readers", true).await;
    let (_, reader) = app.create_key(org, "reader").await;
    problem_fields(app.post_asset(&reader, &walking_football()).await, 403).await;
    let venue = app
        .send_json(
            Method::POST,
            "/v1/venues",
            Some(&reader),
            &json!({"name": "Hall", "venue_type": "online"}),
        )
        .await;
    problem_fields(venue, 403).await;
}

#[tokio::test]
async fn confirm_records_when_the_provider_last_confirmed() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Org", true).await;
    let asset = create(&app, &key, &walking_football()).await;
    assert_eq!(asset["confirmed_at"], Value::Null);
    let confirmed = app
        .request(
            Method::POST,
            &format!("{}/confirm", path(&asset)),
            Some(&key),
        )
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    assert_eq!(confirmed.headers()["etag"], "\"2\"");
    let confirmed: Value = confirmed.json().await.unwrap();
    assert!(confirmed["confirmed_at"].is_string());
}

#[tokio::test]
async fn admin_submits_for_any_organisation_and_must_name_it() {
    let app = spawn_app().await;
    let org = app.create_org("Untrusted", false).await;
    let fields = problem_fields(
        app.post_asset(&app.admin_key, &walking_football()).await,
        422,
    )
    .await;
    assert_eq!(fields, ["organization_id"]);
    let mut body = walking_football();
    body["organization_id"] = json!(org);
    let asset = create(&app, &app.admin_key, &body).await;
    assert_eq!(
        asset["status"], "published",
        "an admin's submission needs no moderation"
    );
    body["organization_id"] = json!(uuid::Uuid::new_v4());
    assert_eq!(
        problem_fields(app.post_asset(&app.admin_key, &body).await, 422).await,
        ["organization_id"]
    );
}

#[tokio::test]
async fn venues_can_be_registered_and_referred_to() {
    let app = spawn_app().await;
    let (org, key) = app.agency("Org", true).await;
    let venue = app
        .send_json(
            Method::POST,
            "/v1/venues",
            Some(&key),
            &json!({"name": "Stretford Library", "postcode": "M32 0LG", "location": {"lat": 53.4466, "lon": -2.3086}, "venue_type": "library", "accessibility": ["hearing_loop"]}),
        )
        .await;
    assert_eq!(venue.status(), 201);
    let venue: Value = venue.json().await.unwrap();
    assert_eq!(venue["organization_id"], org.to_string());
    let venue_path = format!("/v1/venues/{}", venue["id"].as_str().unwrap());
    assert_eq!(app.get(&venue_path, None).await.status(), 200);

    let mut body = walking_football();
    body.as_object_mut().unwrap().remove("venue");
    body["venue_id"] = venue["id"].clone();
    let asset = create(&app, &key, &body).await;
    assert_eq!(asset["venue"]["name"], "Stretford Library");

    body["venue_id"] = json!(uuid::Uuid::new_v4());
    assert_eq!(
        problem_fields(app.post_asset(&key, &body).await, 422).await,
        ["venue_id"]
    );
    problem_fields(
        app.get(&format!("/v1/venues/{}", uuid::Uuid::new_v4()), None)
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn interests_resolve_through_synonyms_and_unknown_ones_get_suggestions() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Org", true).await;
    let mut body = walking_football();
    body["interests"] = json!([
        "5-a-side",
        "Playing Guitar",
        "allotment",
        "maths GCSE",
        "knitting"
    ]);
    let asset = create(&app, &key, &body).await;
    let mut slugs: Vec<&str> = asset["interests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    assert_eq!(
        slugs,
        ["5-a-side", "allotment", "guitar", "knitting", "maths"]
    );

    body["interests"] = json!(["football", "fotball", "underwater basket weaving"]);
    let response = app.post_asset(&key, &body).await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["field"], "interests[1]");
    assert!(
        errors[0]["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "football"),
        "{problem}"
    );
    assert_eq!(errors[1]["field"], "interests[2]");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let mut conn = AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    let row: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result(&mut conn)
        .await
        .unwrap();
    row.n
}

#[tokio::test]
async fn a_rejected_write_changes_nothing() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Org", true).await;
    let mut body = walking_football();
    body["interests"] = json!(["not a real interest at all"]);
    problem_fields(app.post_asset(&key, &body).await, 422).await;
    assert_eq!(
        count(&app, "venues").await,
        0,
        "the inline venue was not created"
    );
    assert_eq!(count(&app, "assets").await, 0);

    let asset = create(&app, &key, &walking_football()).await;
    let mut bad_update = walking_football();
    bad_update["title"] = json!("Changed");
    bad_update["venue_id"] = json!(uuid::Uuid::new_v4());
    bad_update.as_object_mut().unwrap().remove("venue");
    let response = app
        .request(Method::PUT, &path(&asset), Some(&key))
        .header("If-Match", "\"1\"")
        .json(&bad_update)
        .send()
        .await
        .unwrap();
    problem_fields(response, 422).await;
    let unchanged: Value = app.get(&path(&asset), None).await.json().await.unwrap();
    assert_eq!(unchanged["title"], "Walking football for over-50s");
    assert_eq!(unchanged["version"], 1);
    assert_eq!(count(&app, "asset_sessions").await, 1);
}

#[tokio::test]
async fn the_vocabulary_is_a_tree_with_synonyms() {
    let app = spawn_app().await;
    let response = app.get("/v1/interests", None).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let again = app
        .client
        .get(app.url("/v1/interests"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "a current copy is not sent again");
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    let stale = app
        .client
        .get(app.url("/v1/interests"))
        .header("If-None-Match", "\"old\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    let body: Value = response.json().await.unwrap();
    fn find<'a>(nodes: &'a Value, slug: &str) -> Option<&'a Value> {
        nodes.as_array()?.iter().find_map(|n| {
            if n["slug"] == slug {
                Some(n)
            } else {
                find(&n["children"], slug)
            }
        })
    }
    let roots: Vec<&str> = body["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["slug"].as_str().unwrap())
        .collect();
    for domain in [
        "being-active",
        "arts-and-crafts",
        "music",
        "learning",
        "volunteering",
        "peer-support",
    ] {
        assert!(roots.contains(&domain), "{domain} in {roots:?}");
    }
    let active = find(&body["terms"], "being-active").unwrap();
    let sport = find(&active["children"], "sport").unwrap();
    let football = find(&sport["children"], "football").unwrap();
    assert!(find(&football["children"], "5-a-side").is_some());
    assert!(
        !find(&body["terms"], "knitting").unwrap()["synonyms"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A service area must be a valid polygon (422 with the reason), and is served wound as RFC
/// 7946 says however it was sent.
#[tokio::test]
async fn service_areas_are_valid_and_wound_anticlockwise() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Home Visits Team", true).await;
    let mut body = walking_football();
    body.as_object_mut().unwrap().remove("venue");
    body["service_area"] = json!({"type": "Polygon", "coordinates": [[
        [-2.32, 53.44], [-2.30, 53.46], [-2.30, 53.44], [-2.32, 53.46], [-2.32, 53.44]
    ]]});
    let response = app.post_asset(&key, &body).await;
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["errors"][0]["field"], "service_area.coordinates");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a valid area"),
        "{problem}"
    );
    // Clockwise as sent; anticlockwise as served.
    body["service_area"] = json!({"type": "Polygon", "coordinates": [[
        [-2.32, 53.44], [-2.32, 53.46], [-2.30, 53.46], [-2.30, 53.44], [-2.32, 53.44]
    ]]});
    let created = app.create_asset(&key, &body).await;
    let ring = created["service_area"]["coordinates"][0][0]
        .as_array()
        .unwrap()
        .clone();
    let twice_area: f64 = ring
        .windows(2)
        .map(|w| {
            w[0][0].as_f64().unwrap() * w[1][1].as_f64().unwrap()
                - w[1][0].as_f64().unwrap() * w[0][1].as_f64().unwrap()
        })
        .sum();
    assert!(twice_area > 0.0, "outer ring anticlockwise: {ring:?}");
}
