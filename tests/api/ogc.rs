//! The directory as OGC API – Features, walked the way a GIS client walks it: from the landing
//! page along its links to the conformance declaration, the collection, its items page by page
//! (`next` links) and one item.

use serde_json::Value;

use crate::helpers::{TestApp, spawn_demo_app};

/// The `href` of the link with this `rel`.
fn href(document: &Value, rel: &str) -> String {
    document["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .unwrap_or_else(|| panic!("no {rel} link in {document}"))["href"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn fetch(app: &TestApp, url: &str, media_type: &str) -> Value {
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    assert_eq!(response.headers()["content-type"], media_type, "{url}");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_gis_client_reads_the_directory_from_the_landing_page() {
    let app = spawn_demo_app().await;
    let landing = fetch(&app, &app.url("/ogc"), "application/json").await;
    assert!(href(&landing, "service-desc").ends_with("/openapi.json"));
    let conformance = fetch(&app, &href(&landing, "conformance"), "application/json").await;
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));
    let collections = fetch(&app, &href(&landing, "data"), "application/json").await;
    let collection = &collections["collections"][0];
    assert_eq!(collection["id"], "assets");
    assert_eq!(
        collection["extent"]["spatial"]["bbox"][0]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // A map viewport over Stretford, 7 features a page, walked along the next links.
    let bbox = "-2.33,53.44,-2.28,53.47";
    let mut url = format!("{}?bbox={bbox}&limit=7", href(collection, "items"));
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = fetch(&app, &url, "application/geo+json").await;
        assert_eq!(page["type"], "FeatureCollection");
        let features = page["features"].as_array().unwrap();
        assert_eq!(page["numberReturned"], features.len());
        for f in features {
            let [lon, lat] = [
                &f["geometry"]["coordinates"][0],
                &f["geometry"]["coordinates"][1],
            ]
            .map(|c| c.as_f64().unwrap());
            assert!(
                (-2.33..=-2.28).contains(&lon) && (53.44..=53.47).contains(&lat),
                "{f}"
            );
            ids.push(f["id"].as_str().unwrap().to_string());
        }
        pages += 1;
        match page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(next) => url = next["href"].as_str().unwrap().to_string(),
            None => break,
        }
    }
    assert!(pages > 2, "{pages} pages");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a feature on two pages");
    let in_box = app
        .get_json(&format!("/v1/assets.geojson?bbox={bbox}&limit=100"), None)
        .await;
    assert_eq!(in_box["features"].as_array().unwrap().len(), ids.len());

    let one = fetch(
        &app,
        &app.url(&format!("/ogc/collections/assets/items/{}", ids[0])),
        "application/geo+json",
    )
    .await;
    assert_eq!(one["type"], "Feature");
    assert_eq!(one["id"], ids[0].as_str());
    assert!(href(&one, "self").ends_with(&ids[0]));
}

#[tokio::test]
async fn bad_requests_are_answered_as_the_standard_says() {
    let app = crate::helpers::spawn_app().await;
    for (path, status) in [
        ("/ogc/collections/assets/items?bbox=1,2,3", 400),
        ("/ogc/collections/assets/items?bbox=", 400),
        ("/ogc/collections/assets/items?limit=0", 400),
        ("/ogc/collections/assets/items?colour=blue", 400),
        ("/ogc/collections/assets/items/not-a-uuid", 400),
        ("/ogc/collections/parks/items", 404),
        ("/ogc/collections/parks", 404),
        (
            "/ogc/collections/assets/items/7f0b5c1e-0000-4000-8000-000000000000",
            404,
        ),
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}
