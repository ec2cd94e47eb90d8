//! `GET /v1/assets`: each filter alone and combined, ordering, paging, GeoJSON, bad input.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem_fields, spawn_app, spawn_demo_app};

/// M32 0JG, Stretford: the unit postcode's centroid.
const HERE: (f64, f64) = (53.455654, -2.302836);

struct Fixture {
    app: TestApp,
    key: String,
    org: String,
}

fn asset(title: &str, lat: f64, lon: f64, venue_type: &str, interests: &[&str]) -> Value {
    json!({
        "kind": "activity",
        "title": title,
        "description": format!("{title}: a friendly session."),
        "venue": {"name": format!("{title} venue"), "location": {"lat": lat, "lon": lon}, "venue_type": venue_type},
        "interests": interests,
    })
}

async fn post(f: &Fixture, body: Value) -> Value {
    let response = f.app.post_asset(&f.key, &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// Six assets around Stretford, one in York and one online.
async fn fixture() -> Fixture {
    let app = spawn_app().await;
    let (org, key) = app.agency("Trafford Connect", true).await;
    let f = Fixture {
        app,
        key,
        org: org.to_string(),
    };
    let mut a = asset(
        "Walking football",
        53.4566,
        -2.3030,
        "sports_centre",
        &["walking football"],
    );
    a["cost"] = json!({"free": true});
    a["eligibility"] = json!({"min_age": 50});
    a["schedule"] = json!({"weekly": [{"day": "tue", "start": "18:00", "end": "19:30"}]});
    a["venue"]["accessibility"] = json!(["step_free_access"]);
    post(&f, a).await;
    let mut b = asset(
        "Knit and natter",
        53.4248,
        -2.3232,
        "library",
        &["knitting"],
    );
    b["cost"] = json!({"amount_pence": 200, "concession_pence": 100});
    b["schedule"] = json!({"weekly": [{"day": "thu", "start": "14:00", "end": "16:00"}]});
    b["venue"]["accessibility"] = json!(["step_free_access", "hearing_loop"]);
    b["kind"] = json!("group");
    post(&f, b).await;
    let mut c = asset(
        "Community choir",
        53.3874,
        -2.3502,
        "place_of_worship",
        &["choir"],
    );
    c["cost"] = json!({"free": true});
    c["schedule"] = json!({"weekly": [{"day": "wed", "start": "19:00", "end": "21:00"}]});
    c["kind"] = json!("group");
    post(&f, c).await;
    let mut d = asset(
        "Peer support group",
        53.4600,
        -2.2900,
        "mental_health_service",
        &["peer support"],
    );
    d["cost"] = json!({"free": true});
    d["schedule"] = json!({"weekly": [{"day": "mon", "start": "10:00", "end": "12:00"}]});
    d["kind"] = json!("group");
    post(&f, d).await;
    post(
        &f,
        json!({"kind": "course", "title": "Online maths GCSE", "online": true, "interests": ["maths GCSE"], "cost": {"free": true}}),
    )
    .await;
    let mut york = asset(
        "York football club",
        53.9484,
        -1.0535,
        "sports_centre",
        &["football"],
    );
    york["cost"] = json!({"amount_pence": 300});
    york["kind"] = json!("group");
    post(&f, york).await;
    f
}

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/v1/assets?{query}"), None).await;
    assert_eq!(
        response.status(),
        200,
        "{query}: {}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    search(app, query).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn near_a_postcode_in_distance_order() {
    let f = fixture().await;
    let body = search(&f.app, "postcode=M32%200JG&radius_km=5").await;
    let items = body["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Walking football", "Peer support group", "Knit and natter"]
    );
    let distances: Vec<f64> = items
        .iter()
        .map(|i| i["distance_km"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(
        distances[0] < 0.2 && (3.0..4.5).contains(&distances[2]),
        "{distances:?}"
    );
    assert_eq!(body["location"]["precision"], "unit");
    assert_eq!(body["location"]["postcode"], "M32 0JG");
    assert!(body.get("next_cursor").is_none());

    let wider = titles(
        &f.app,
        &format!("lat={}&lon={}&radius_km=10", HERE.0, HERE.1),
    )
    .await;
    assert_eq!(wider.last().unwrap(), "Community choir");
    let with_online = titles(&f.app, "postcode=M32 0JG&radius_km=5&include_online=true").await;
    assert_eq!(
        with_online.last().unwrap(),
        "Online maths GCSE",
        "online assets come after located ones"
    );
    assert_eq!(with_online.len(), 4);
    let default_radius = titles(&f.app, "postcode=M32 0JG").await;
    assert_eq!(default_radius.len(), 3, "5 km by default");
}

#[tokio::test]
async fn each_filter_alone() {
    let f = fixture().await;
    let app = &f.app;
    let mut all = titles(app, "").await;
    all.sort();
    assert_eq!(all.len(), 6, "no filter: everything published, by title");
    assert_eq!(
        titles(app, "interest=sport").await,
        ["Walking football", "York football club"],
        "narrower terms match"
    );
    assert_eq!(titles(app, "interest=5-a-side").await, Vec::<String>::new());
    assert_eq!(
        titles(app, "interest=choir&interest=knitting").await,
        ["Community choir", "Knit and natter"]
    );
    assert_eq!(titles(app, "kind=course").await, ["Online maths GCSE"]);
    assert_eq!(
        titles(app, "kind=course&kind=activity").await,
        ["Online maths GCSE", "Walking football"]
    );
    assert_eq!(
        titles(app, "free=false").await,
        ["Knit and natter", "York football club"]
    );
    assert_eq!(
        titles(app, "max_cost_pence=150").await.len(),
        4,
        "only the free ones"
    );
    assert!(
        titles(app, "max_cost_pence=150&concessions=true")
            .await
            .contains(&"Knit and natter".to_string())
    );
    assert_eq!(titles(app, "day=tue").await, ["Walking football"]);
    assert_eq!(
        titles(app, "day=tue&from=18:30&to=20:00").await,
        ["Walking football"]
    );
    assert_eq!(
        titles(app, "day=wed&from=10:00&to=12:00").await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles(app, "from=13:00&to=15:00").await,
        ["Knit and natter"]
    );
    assert_eq!(
        titles(app, "day=mon&day=thu").await,
        ["Knit and natter", "Peer support group"]
    );
    assert!(
        !titles(app, "age=30")
            .await
            .contains(&"Walking football".to_string())
    );
    assert!(
        titles(app, "age=60")
            .await
            .contains(&"Walking football".to_string())
    );
    assert_eq!(
        titles(app, "access=step_free_access").await,
        ["Knit and natter", "Walking football"]
    );
    assert_eq!(
        titles(app, "access=step_free_access&access=hearing_loop").await,
        ["Knit and natter"]
    );
    let mainstream = titles(app, "non_stigmatised=true").await;
    assert!(!mainstream.contains(&"Peer support group".to_string()));
    assert!(
        mainstream.contains(&"Online maths GCSE".to_string()),
        "online counts as mainstream"
    );
    assert_eq!(
        titles(app, "non_stigmatised=false").await,
        ["Peer support group"]
    );
    assert_eq!(
        titles(app, "bbox=-2.40,53.40,-2.20,53.50").await,
        ["Knit and natter", "Peer support group", "Walking football"]
    );
    assert_eq!(
        titles(app, "bbox=-2.40,53.40,-2.20,53.50&include_online=true").await,
        [
            "Knit and natter",
            "Online maths GCSE",
            "Peer support group",
            "Walking football"
        ]
    );
    assert_eq!(
        titles(
            app,
            "bbox=-2.40,53.40,-2.20,53.50&include_online=true&limit=2"
        )
        .await,
        ["Knit and natter", "Online maths GCSE"]
    );
    assert_eq!(
        titles(app, &format!("organization_id={}", f.org))
            .await
            .len(),
        6
    );
    assert_eq!(
        titles(app, &format!("organization_id={}", uuid::Uuid::new_v4()))
            .await
            .len(),
        0
    );
    assert_eq!(titles(app, "updated_since=2999-01-01").await.len(), 0);
    assert_eq!(
        titles(app, "updated_since=2020-01-01T00:00:00Z")
            .await
            .len(),
        6
    );
    assert_eq!(titles(app, "confirmed_within_days=30").await.len(), 0);
}

#[tokio::test]
async fn words_find_with_stemming_and_typos() {
    let f = fixture().await;
    assert_eq!(titles(&f.app, "q=knitting").await, ["Knit and natter"]);
    assert_eq!(
        titles(&f.app, "q=choirs").await,
        ["Community choir"],
        "English stemming"
    );
    let typo = titles(&f.app, "q=fotball").await;
    assert!(
        typo.contains(&"Walking football".to_string())
            && typo.contains(&"York football club".to_string()),
        "{typo:?}"
    );
    assert_eq!(
        titles(&f.app, "q=Trafford Connect").await.len(),
        6,
        "organisation names are searched"
    );
    assert!(
        titles(&f.app, "q=soccer")
            .await
            .contains(&"York football club".to_string()),
        "interest synonyms are searched"
    );
    assert_eq!(titles(&f.app, "q=zzzqqqxxx").await, Vec::<String>::new());
}

#[tokio::test]
async fn the_readme_query_combines_filters() {
    let f = fixture().await;
    let body = search(
        &f.app,
        "postcode=M32%200JG&radius_km=3&interest=sport&free=true",
    )
    .await;
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Walking football"]);
    assert_eq!(body["interests"][0]["slug"], "sport");
    let combined = titles(&f.app, "postcode=M32 0JG&radius_km=5&free=true&non_stigmatised=true&day=tue&from=18:00&to=21:00&access=step_free_access&age=55").await;
    assert_eq!(combined, ["Walking football"]);
}

#[tokio::test]
async fn only_published_assets_are_found() {
    let f = fixture().await;
    let (_, untrusted) = f.app.agency("New group", false).await;
    let pending = f
        .app
        .post_asset(
            &untrusted,
            &asset("Pending walk", 53.4560, -2.3020, "park", &["walking"]),
        )
        .await;
    assert_eq!(pending.status(), 201);
    assert!(
        !titles(&f.app, "q=walk")
            .await
            .contains(&"Pending walk".to_string())
    );
    let found: Value = search(&f.app, "q=choir").await;
    let id = found["items"][0]["id"].as_str().unwrap().to_string();
    let archived = f
        .app
        .request(Method::DELETE, &format!("/v1/assets/{id}"), Some(&f.key))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), 200);
    assert!(titles(&f.app, "q=choir").await.is_empty());
}

#[tokio::test]
async fn geojson_for_maps() {
    let f = fixture().await;
    let path = "/v1/assets.geojson?postcode=M32+0JG&include_online=true";
    for accept in [
        None,
        Some("application/geo+json"),
        Some("application/json"),
        Some("*/*"),
    ] {
        let mut request = f.app.client.get(f.app.url(path));
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/geo+json");
        assert_eq!(response.headers()["vary"], "Accept");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["type"], "FeatureCollection");
        let features = body["features"].as_array().unwrap();
        assert_eq!(features.len(), 4);
        let first = &features[0];
        assert_eq!(first["type"], "Feature");
        assert_eq!(first["geometry"]["type"], "Point");
        assert_eq!(
            first["geometry"]["coordinates"],
            json!([-2.303, 53.4566]),
            "longitude first (RFC 7946)"
        );
        assert_eq!(first["properties"]["title"], "Walking football");
        assert!(first["properties"]["distance_km"].is_number());
        let url = first["properties"]["url"].as_str().unwrap();
        assert_eq!(
            url,
            f.app
                .url(&format!("/v1/assets/{}", first["id"].as_str().unwrap()))
        );
        assert!(
            features[3]["geometry"].is_null(),
            "online-only assets have no geometry"
        );
    }
}

/// Each operation answers one media type; asking for another is a 406 that says where to look,
/// never a silently different body.
#[tokio::test]
async fn content_negotiation_is_honest() {
    let f = fixture().await;
    let send = |path: &'static str, accept: &'static str| {
        let request = f.app.client.get(f.app.url(path)).header("Accept", accept);
        async move { request.send().await.unwrap() }
    };
    let json = send(
        "/v1/assets?q=football",
        "application/geo+json;q=1, application/json;q=0.5",
    )
    .await;
    assert_eq!(json.status(), 200);
    assert_eq!(json.headers()["content-type"], "application/json");
    assert_eq!(json.headers()["vary"], "Accept");
    for refused in ["application/geo+json", "text/html", "application/json;q=0"] {
        let response = send("/v1/assets?q=football", refused).await;
        assert_eq!(response.status(), 406, "{refused}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("/v1/assets.geojson")
        );
    }
    let response = send("/v1/assets.geojson?q=football", "text/csv").await;
    assert_eq!(response.status(), 406);
    let response = f
        .app
        .get("/v1/assets?q=football&format=geojson", None)
        .await;
    assert_eq!(problem_fields(response, 422).await, ["format"]);
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let f = fixture().await;
    for (query, field) in [
        ("bbox=-2.2,53.5,-2.4,53.4", "bbox"),
        ("lat=53.4&lon=-2.3&radius_km=0", "radius_km"),
        ("lat=53.4&lon=-2.3&radius_km=10000", "radius_km"),
        ("day=funday", "day"),
        ("from=25:00", "from"),
        ("interest=underwater+basket+weaving", "interest"),
        ("cursor=not-a-cursor", "cursor"),
        ("postcode=hello", "postcode"),
        ("postcode=ZZ99+9ZZ", "postcode"),
        ("lat=100&lon=0", "lat"),
        ("limit=1000", "limit"),
        ("age=-1", "age"),
        ("max_cost_pence=-5", "max_cost_pence"),
        ("access=lift", "access"),
        ("kind=party", "kind"),
        ("free=perhaps", "free"),
        ("organization_id=42", "organization_id"),
        ("updated_since=last+week", "updated_since"),
        ("confirmed_within_days=0", "confirmed_within_days"),
        ("colour=blue", "colour"),
    ] {
        let response = f.app.get(&format!("/v1/assets?{query}"), None).await;
        assert_eq!(problem_fields(response, 422).await, [field], "{query}");
    }
    let response = f.app.get("/v1/assets?interest=fotball", None).await;
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"][0]["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "football"),
        "{body}"
    );
}

/// Follows every page; returns the ids in order.
async fn all_pages(app: &TestApp, query: &str, between: impl AsyncFn(usize)) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    for page in 0.. {
        let url = match &next {
            Some(cursor) => format!("{query}&cursor={cursor}"),
            None => query.to_string(),
        };
        let body = search(app, &url).await;
        ids.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string()),
        );
        between(page).await;
        match body["next_cursor"].as_str() {
            Some(cursor) => next = Some(cursor.to_string()),
            None => break,
        }
        assert!(page < 100, "paging does not end");
    }
    ids
}

async fn many(f: &Fixture, n: usize, prefix: &str) {
    for i in 0..n {
        // A spiral of points, some at identical distances, so that ties are broken by id.
        let ring = (i / 4) as f64 * 0.003;
        let (dlat, dlon) = [(ring, 0.0), (-ring, 0.0), (0.0, ring), (0.0, -ring)][i % 4];
        post(
            f,
            asset(
                &format!("{prefix} {:02}", i % 7),
                HERE.0 + dlat,
                HERE.1 + dlon,
                "park",
                &["walking"],
            ),
        )
        .await;
    }
}

#[tokio::test]
async fn cursor_paging_has_no_gaps_or_repeats_in_every_order() {
    let f = fixture().await;
    many(&f, 23, "Walk").await;
    for (query, expected) in [
        (
            "interest=walking&lat=53.455654&lon=-2.302836&radius_km=20&limit=5",
            23,
        ),
        ("interest=walking&limit=4", 23),
        ("q=walk&limit=6", 24),
        ("limit=7", 29),
    ] {
        let ids = all_pages(&f.app, query, async |_| {}).await;
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), expected, "{query}");
        assert_eq!(unique.len(), expected, "{query}: no repeats");
    }
    let pages = search(&f.app, "interest=walking&limit=5").await;
    let cursor = pages["next_cursor"].as_str().unwrap();
    let response = f
        .app
        .get(
            &format!("/v1/assets?interest=choir&limit=5&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        problem_fields(response, 422).await,
        ["cursor"],
        "a cursor belongs to its query"
    );
    let link = f
        .app
        .get("/v1/assets?interest=walking&limit=5", None)
        .await
        .headers()["link"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        link.contains("rel=\"next\"") && link.contains("cursor="),
        "{link}"
    );
}

#[tokio::test]
async fn paging_is_stable_under_concurrent_inserts() {
    let f = fixture().await;
    many(&f, 20, "Walk").await;
    let before: HashSet<String> = all_pages(&f.app, "interest=walking&limit=50", async |_| {})
        .await
        .into_iter()
        .collect();
    assert_eq!(before.len(), 20);
    let query = "interest=walking&lat=53.455654&lon=-2.302836&radius_km=20&limit=4";
    let seen = all_pages(&f.app, query, async |page| {
        if page < 3 {
            // New assets both nearer than the cursor and further away, between page fetches.
            post(
                &f,
                asset(
                    &format!("Inserted near {page}"),
                    HERE.0,
                    HERE.1,
                    "park",
                    &["walking"],
                ),
            )
            .await;
            post(
                &f,
                asset(
                    &format!("Inserted far {page}"),
                    HERE.0 + 0.05,
                    HERE.1,
                    "park",
                    &["walking"],
                ),
            )
            .await;
        }
    })
    .await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no repeats");
    for id in &before {
        assert!(
            seen.contains(id),
            "every asset present from the start is seen exactly once"
        );
    }
}

/// The bounded KNN walk must return exactly what the exact within-radius form returns whenever
/// it fills a page: same rows, same order, same distances.
#[tokio::test]
async fn the_fast_and_exact_shapes_agree() {
    use community_assets::db::search::{Place, SearchQuery, Shape, run_shape};
    use community_assets::domain::geometry::LatLon;
    use community_assets::domain::search::Order;
    use diesel_async::{AsyncConnection, AsyncPgConnection};

    let f = fixture().await;
    many(&f, 30, "Walk").await;
    let mut conn = AsyncPgConnection::establish(&crate::helpers::database_url(&f.app.db_name))
        .await
        .unwrap();
    let base = SearchQuery {
        place: Place::Near {
            point: LatLon {
                lat: HERE.0,
                lon: HERE.1,
            },
            radius_m: 20_000.0,
            within: None,
        },
        q: None,
        interest_ids: None,
        kinds: vec![],
        free: None,
        max_cost_pence: None,
        concessions: false,
        genders: vec![],
        audiences: vec![],
        referral_only: None,
        days: vec![],
        from: None,
        to: None,
        age: None,
        access: vec![],
        non_stigmatised: None,
        organization_id: None,
        updated_since: None,
        confirmed_within_days: None,
        hidden_before: None,
        include_online: false,
        order: Order::Distance,
        after: None,
        fetch: 11,
    };
    let free = SearchQuery {
        free: Some(true),
        fetch: 3,
        ..base.clone()
    };
    let parks = SearchQuery {
        kinds: vec!["activity".into()],
        fetch: 30,
        ..base.clone()
    };
    for query in [base, free, parks] {
        let fast = run_shape(&mut conn, &query, Shape::Nearest).await.unwrap();
        let exact = run_shape(&mut conn, &query, Shape::WithinRadius)
            .await
            .unwrap();
        assert_eq!(fast.len() as i64, query.fetch, "the fixture fills the page");
        let key = |hits: &[community_assets::db::search::Hit]| -> Vec<(uuid::Uuid, i64)> {
            hits.iter()
                .map(|h| (h.record.asset.id, (h.distance_m.unwrap() * 1000.0) as i64))
                .collect()
        };
        assert_eq!(key(&fast), key(&exact));
    }
}

#[tokio::test]
async fn hostile_search_input_never_breaks_the_service() {
    let f = fixture().await;
    let forged = {
        use base64::Engine;
        let raw = json!({"o": "t", "t": "x".repeat(5000), "id": uuid::Uuid::nil(), "q": "0000000000000000"});
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
    };
    for query in [
        "q=%27%3B%20DROP%20TABLE%20assets%3B%20--".to_string(),
        "q=%21%21%21".to_string(),
        "q=%F0%9F%8E%B8%20guitar%20%E2%80%94%20caf%C3%A9".to_string(),
        "q=a%00b".to_string(),
        "interest=%27%20OR%201%3D1".to_string(),
        "postcode=%E2%80%8BYO10%205DD".to_string(),
        "lat=NaN&lon=0".to_string(),
        "lat=1e308&lon=-1e308".to_string(),
        "radius_km=inf&lat=53&lon=-2".to_string(),
        "bbox=-180,-90,180,90".to_string(),
        "limit=99999999999999999999".to_string(),
        format!("cursor={forged}"),
        format!("q={}", "x".repeat(300)),
        "day=tue&day=tue&day=tue".to_string(),
    ] {
        let response = f.app.get(&format!("/v1/assets?{query}"), None).await;
        let status = response.status().as_u16();
        assert!(
            status == 200 || (400..500).contains(&status),
            "{query} gave {status}"
        );
        if status != 200 {
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{query}"
            );
        }
    }
    assert_eq!(f.app.get("/readyz", None).await.status(), 200);
}

/// Every page size through clusters of assets at one venue (tied distances): the pages, joined,
/// are exactly the single page of everything, in its order. PostGIS can compute a distance a
/// hair differently from one statement to the next; paging on the exact float repeated, skipped
/// or looped (`limit=1` here returned one asset for ever).
#[tokio::test]
async fn paging_through_tied_distances_at_every_page_size() {
    let app = spawn_demo_app().await;
    // The demo directory as it comes (near M32 0JG, limit=1 used to loop), then with five more
    // at one brand-new place, all at the same distance.
    check_paging_by_distance(&app).await;
    let (_, key) = app.agency("Tied Together", true).await;
    for i in 0..5 {
        let mut body = asset(
            &format!("Same place {i}"),
            53.4551,
            -2.3071,
            "library",
            &["reading"],
        );
        body["venue"]["name"] = json!("One Hall");
        let response = app.post_asset(&key, &body).await;
        assert_eq!(response.status(), 201);
    }
    check_paging_by_distance(&app).await;
}

/// Pages near two points at every page size up to 25: the pages, joined, must be exactly the
/// single page of everything, in its order, and no page may lead back to itself.
async fn check_paging_by_distance(app: &TestApp) {
    for area in [
        "postcode=M32%200JG&radius_km=2.5",
        "lat=53.4551&lon=-2.3071&radius_km=1",
    ] {
        let everything: Vec<String> = search(app, &format!("{area}&limit=100")).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        assert!(
            everything.len() > 10 && everything.len() < 100,
            "{}",
            everything.len()
        );
        for limit in 1..=everything.len().min(25) {
            let mut ids = Vec::new();
            let mut cursor: Option<String> = None;
            for page in 0.. {
                let url = match &cursor {
                    Some(c) => format!("{area}&limit={limit}&cursor={c}"),
                    None => format!("{area}&limit={limit}"),
                };
                let body = search(app, &url).await;
                ids.extend(
                    body["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i["id"].as_str().unwrap().to_string()),
                );
                let next = body["next_cursor"].as_str().map(str::to_string);
                assert!(
                    next.is_none() || next != cursor,
                    "{area} limit {limit}: a page led to itself"
                );
                assert!(
                    page <= everything.len(),
                    "{area} limit {limit}: paging does not end"
                );
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(ids, everything, "{area} limit {limit}");
        }
    }
}

#[tokio::test]
async fn a_forged_cursor_is_refused_not_a_500() {
    use base64::Engine;
    let f = fixture().await;
    many(&f, 6, "Walk").await;
    let first = search(&f.app, "interest=walking&limit=2").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut decoded: Value = serde_json::from_slice(&engine.decode(cursor).unwrap()).unwrap();
    for (field, value) in [("t", json!("Walk\u{0}01")), ("t", json!("x".repeat(5000)))] {
        decoded[field] = value;
        let forged = engine.encode(decoded.to_string());
        let response = f
            .app
            .get(
                &format!("/v1/assets?interest=walking&limit=2&cursor={forged}"),
                None,
            )
            .await;
        assert_eq!(problem_fields(response, 422).await, ["cursor"]);
    }
}

/// The distance in a cursor and the same distance computed again for the next page may differ
/// in the last bits (PostGIS computes a distance from a cached tree of the point after its
/// first few rows). A page after a cursor whose distance is a hair off either way continues
/// after the right asset: neither repeating it nor skipping the next.
#[tokio::test]
async fn a_cursor_a_hair_off_in_distance_still_continues_after_the_right_asset() {
    use base64::Engine;
    let app = spawn_demo_app().await;
    let area = "postcode=M32%200JG&radius_km=3";
    let everything: Vec<String> = search(&app, &format!("{area}&limit=100")).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut cursor: Option<String> = None;
    for (position, expected) in everything.iter().enumerate() {
        let url = match &cursor {
            Some(c) => format!("{area}&limit=1&cursor={c}"),
            None => format!("{area}&limit=1"),
        };
        let page = search(&app, &url).await;
        assert_eq!(
            page["items"][0]["id"],
            expected.as_str(),
            "position {position}"
        );
        let Some(next) = page["next_cursor"].as_str() else {
            break;
        };
        let decoded: Value = serde_json::from_slice(&engine.decode(next).unwrap()).unwrap();
        // The distance in metres as the cursor carries it, whatever its form.
        let metres = decoded["m"]
            .as_f64()
            .map(|mm| mm / 1000.0)
            .or_else(|| decoded["n"].as_f64())
            .unwrap();
        if let Some(following) = everything.get(position + 1) {
            for nudge in [-1e-9, 1e-9] {
                let mut off = decoded.clone();
                off.as_object_mut().unwrap().remove("m");
                off["n"] = json!(metres + nudge);
                let page = search(
                    &app,
                    &format!("{area}&limit=1&cursor={}", engine.encode(off.to_string())),
                )
                .await;
                assert_eq!(
                    page["items"][0]["id"],
                    following.as_str(),
                    "after position {position}, a cursor {nudge:+e} m off"
                );
            }
        }
        cursor = Some(next.to_string());
    }
}

/// One distance everywhere: what a radius lets in is exactly what is shown inside it, in the
/// search, its GeoJSON and the coverage counts.
#[tokio::test]
async fn a_radius_keeps_what_it_shows_inside_it() {
    let app = crate::helpers::spawn_app().await;
    let (_, key) = app.agency("Edge Of Town Club", true).await;
    // Metres per degree of latitude on the sphere PostGIS and haversine share.
    let per_degree = 6_371_008.8 * std::f64::consts::PI / 180.0;
    let (lat, lon) = (53.40, -2.30);
    for (name, metres) in [("Just inside", 3000.7), ("Just outside", 3006.0)] {
        let mut body = crate::helpers::walking_football();
        body["title"] = json!(name);
        body["venue"]["name"] = json!(format!("{name} Hall"));
        body["venue"]["location"] = json!({"lat": lat + metres / per_degree, "lon": lon});
        app.create_asset(&key, &body).await;
    }
    let found = app
        .get_json(&format!("/v1/assets?lat={lat}&lon={lon}&radius_km=3"), None)
        .await;
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{found}");
    assert_eq!(items[0]["title"], "Just inside");
    assert_eq!(items[0]["distance_km"], 3.0);
    let wider = app
        .get_json(&format!("/v1/assets?lat={lat}&lon={lon}&radius_km=4"), None)
        .await;
    assert_eq!(wider["items"][1]["distance_km"], 3.01);
    let map = app
        .get_json(
            &format!("/v1/assets.geojson?lat={lat}&lon={lon}&radius_km=3"),
            None,
        )
        .await;
    assert_eq!(map["features"].as_array().unwrap().len(), 1);
    let coverage = app
        .get_json(
            &format!("/v1/coverage?lat={lat}&lon={lon}&radius_km=3"),
            None,
        )
        .await;
    assert_eq!(coverage["assets"], 1, "{coverage}");
}
