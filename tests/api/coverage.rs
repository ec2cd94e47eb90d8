//! `GET /v1/coverage`: what a team's area holds, its gaps, and a density grid.

use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{TestApp, app_db, problem_fields, spawn_app, walking_football};

async fn post(app: &TestApp, key: &str, body: Value) -> String {
    let response = app.post_asset(key, &body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn coverage_counts_what_is_in_reach_and_names_the_gaps() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Sale Community", true).await;
    // In reach: walking football (Tuesday evening, paid, step-free), made stale below.
    let football = post(&app, &key, walking_football()).await;
    // In reach, 1 km away: a free Saturday choir in a church hall without step-free access.
    let mut choir = walking_football();
    choir["title"] = json!("Sale Community Choir");
    choir["kind"] = json!("group");
    choir["interests"] = json!(["choir"]);
    choir["five_ways"] = json!(["connect"]);
    choir["cost"] = json!({"free": true});
    choir["schedule"] = json!({"weekly": [{"day": "sat", "start": "10:00", "end": "11:30"}]});
    choir["venue"] = json!({
        "name": "St Anne's Church Hall", "postcode": "M33 3EL",
        "location": {"lat": 53.4300, "lon": -2.3100}, "venue_type": "community_centre"
    });
    post(&app, &key, choir).await;
    // Far away, in York: knitting.
    let mut knitting = walking_football();
    knitting["title"] = json!("York knitting circle");
    knitting["kind"] = json!("group");
    knitting["interests"] = json!(["knitting"]);
    knitting["venue"] = json!({
        "name": "Tang Hall Library", "postcode": "YO31 0UT",
        "location": {"lat": 53.9620, "lon": -1.0570}, "venue_type": "library"
    });
    post(&app, &key, knitting).await;
    let mut conn = app_db(&app).await;
    diesel::sql_query(format!(
        "UPDATE assets SET confirmed_at = now() - interval '400 days' WHERE id = '{football}'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();

    let report = app
        .get_json(
            "/v1/coverage?postcode=M33%202AB&radius_km=3&cell_km=0.5",
            None,
        )
        .await;
    assert_eq!(report["assets"], 2, "{report}");
    assert_eq!(report["by_kind"], json!({"activity": 1, "group": 1}));
    assert_eq!(
        report["by_five_ways"],
        json!({"be_active": 1, "connect": 2})
    );
    assert_eq!(report["by_domain"], json!({"being-active": 1, "music": 1}));
    assert_eq!(
        report["shares"],
        json!({"free": 0.5, "evenings": 0.5, "weekends": 0.5, "step_free": 0.5,
               "non_stigmatised": 1.0, "stale": 0.5})
    );
    let gaps = report["gaps"].as_array().unwrap();
    let gap = |domain: &str| gaps.iter().find(|g| g["domain"] == domain).cloned();
    let knitting_gap = gap("arts-and-crafts").expect("no arts and crafts in reach");
    assert_eq!(knitting_gap["nearest"]["title"], "York knitting circle");
    let km = knitting_gap["nearest"]["distance_km"].as_f64().unwrap();
    assert!(
        (90.0..110.0).contains(&km),
        "Sale to York is about 100 km: {km}"
    );
    assert!(
        gap("digital-skills").unwrap()["nearest"].is_null(),
        "none anywhere"
    );
    assert!(gap("music").is_none() && gap("being-active").is_none());
    let cells = report["density"]["features"].as_array().unwrap();
    assert_eq!(
        cells
            .iter()
            .map(|c| c["properties"]["assets"].as_u64().unwrap())
            .sum::<u64>(),
        2
    );
    assert_eq!(cells.len(), 2, "the two assets are over 500 m apart");
    assert_eq!(cells[0]["geometry"]["type"], "Polygon");

    // The same area by coordinates.
    let by_point = app
        .get_json("/v1/coverage?lat=53.4235&lon=-2.3186&radius_km=3", None)
        .await;
    assert_eq!(by_point["assets"], 2);
    assert!(by_point["location"]["postcode"].is_null());

    for (query, field) in [
        ("", "postcode"),
        ("lat=53.4", "postcode"),
        ("postcode=M33%202AB&radius_km=0", "radius_km"),
        ("postcode=M33%202AB&cell_km=50", "cell_km"),
        ("postcode=M33%202AB&lat=53&lon=-2", "postcode"),
        ("postcode=M33%202AB&radius=3", "radius"),
    ] {
        let fields =
            problem_fields(app.get(&format!("/v1/coverage?{query}"), None).await, 422).await;
        assert!(fields.contains(&field.to_string()), "{query}: {fields:?}");
    }
    problem_fields(app.get("/v1/coverage?postcode=ZZ99%209ZZ", None).await, 422).await;
}

#[tokio::test]
async fn an_asset_serving_an_area_counts_where_its_area_comes_nearest() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Trafford Befriending", true).await;
    let mut befriending = walking_football();
    befriending["title"] = json!("Home befriending, east Sale");
    befriending["kind"] = json!("volunteering");
    befriending.as_object_mut().unwrap().remove("venue");
    // A strip east of the centre: its nearest edge is about 1.9 km away, at lon -2.29.
    befriending["service_area"] = json!({"type": "Polygon", "coordinates": [[
        [-2.29, 53.41], [-2.27, 53.41], [-2.27, 53.44], [-2.29, 53.44], [-2.29, 53.41]
    ]]});
    post(&app, &key, befriending).await;

    let report = app
        .get_json(
            "/v1/coverage?lat=53.4235&lon=-2.3186&radius_km=3&cell_km=0.5",
            None,
        )
        .await;
    assert_eq!(report["assets"], 1, "{report}");
    assert_eq!(report["by_kind"], json!({"volunteering": 1}));
    let cells = report["density"]["features"].as_array().unwrap();
    assert_eq!(cells.len(), 1, "{report}");
    let ring = cells[0]["geometry"]["coordinates"][0].as_array().unwrap();
    let lons: Vec<f64> = ring.iter().map(|p| p[0].as_f64().unwrap()).collect();
    let lats: Vec<f64> = ring.iter().map(|p| p[1].as_f64().unwrap()).collect();
    let within = |v: f64, vs: &[f64]| {
        vs.iter().cloned().fold(f64::MAX, f64::min) <= v
            && v <= vs.iter().cloned().fold(f64::MIN, f64::max)
    };
    assert!(
        within(-2.29, &lons) && within(53.4235, &lats),
        "the cell holds the area's nearest point: {ring:?}"
    );

    let far = app
        .get_json("/v1/coverage?lat=53.4235&lon=-2.3186&radius_km=1", None)
        .await;
    assert_eq!(far["assets"], 0, "the area is 1.9 km away: {far}");
}

#[tokio::test]
async fn a_drawn_area_counts_what_lies_inside_it() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Sale Community", true).await;
    // Inside the drawn square: walking football in Sale (53.4235, -2.3186).
    post(&app, &key, walking_football()).await;
    // Outside it, 5 km east, though within 6 km of its centre: a choir.
    let mut choir = walking_football();
    choir["title"] = json!("Didsbury Community Choir");
    choir["kind"] = json!("group");
    choir["interests"] = json!(["choir"]);
    choir["venue"] = json!({
        "name": "Didsbury Parish Hall", "postcode": "M20 2DS",
        "location": {"lat": 53.4200, "lon": -2.2400}, "venue_type": "community_centre"
    });
    post(&app, &key, choir).await;
    let square = json!({"type": "Polygon", "coordinates": [[
        [-2.34, 53.41], [-2.29, 53.41], [-2.29, 53.44], [-2.34, 53.44], [-2.34, 53.41]]]});
    let response = app
        .send_json(
            reqwest::Method::POST,
            "/v1/coverage",
            None,
            &json!({"area": square, "cell_km": 0.5}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["assets"], 1, "{report}");
    assert!(report.get("radius_km").is_none());
    assert!((report["location"]["lat"].as_f64().unwrap() - 53.425).abs() < 1e-6);
    assert!((report["location"]["lon"].as_f64().unwrap() + 2.315).abs() < 1e-6);
    // The choir is the nearest music asset outside, measured from the square's edge.
    let music = report["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["domain"] == "music")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(music["nearest"]["title"], "Didsbury Community Choir");
    let km = music["nearest"]["distance_km"].as_f64().unwrap();
    assert!((3.0..4.0).contains(&km), "{km}");
    assert_eq!(report["density"]["features"].as_array().unwrap().len(), 1);

    // A shape that is not an area, one too large, one outside the UK: named.
    for (area, reason) in [
        (
            json!({"type": "Point", "coordinates": [-2.3, 53.4]}),
            "Polygon",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[-3.5, 53.0], [-1.0, 53.0], [-1.0, 54.0], [-3.5, 53.0]]]}),
            "100 km across",
        ),
        (
            json!({"type": "Polygon", "coordinates": [[[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]]]}),
            "UK",
        ),
    ] {
        let response = app
            .send_json(
                reqwest::Method::POST,
                "/v1/coverage",
                None,
                &json!({"area": area}),
            )
            .await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert!(
            body["errors"][0]["field"]
                .as_str()
                .unwrap()
                .starts_with("area"),
            "{body}"
        );
        assert!(body.to_string().contains(reason), "{reason}: {body}");
    }
}
