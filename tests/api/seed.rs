use community_assets::seed;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::Value;

use crate::helpers::{database_url, spawn_app};

#[tokio::test]
async fn demo_directory_loads_once_and_is_served() {
    let app = spawn_app().await;
    let mut conn = AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    let counts = seed::load_demo(&mut conn).await.expect("demo data loads");
    assert!(counts.assets > 100, "{counts:?}");
    assert_eq!(
        seed::load_demo(&mut conn).await.unwrap().assets,
        0,
        "a second load is a no-op"
    );

    let assets: Vec<Value> =
        serde_json::from_str(include_str!("../../seed-data/demo/assets.json")).unwrap();
    let example = assets.iter().find(|a| a["example"] == true).unwrap();
    let read: Value = app
        .get(
            &format!("/v1/assets/{}", example["id"].as_str().unwrap()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["example"], true);
    assert!(
        read["description"]
            .as_str()
            .unwrap()
            .starts_with("Example listing")
    );
    let real = assets
        .iter()
        .find(|a| a["example"] == false && a["venue_id"].is_string())
        .unwrap();
    let read: Value = app
        .get(
            &format!("/v1/assets/{}", real["id"].as_str().unwrap()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["status"], "published");
    assert!(read["venue"]["location"]["lat"].is_number());
    assert!(!read["interests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_renamed_term_refreshes_its_assets_search_text() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app().await;
    let (_, key) = app.agency("Wool group", true).await;
    let mut body = crate::helpers::walking_football();
    body["title"] = serde_json::json!("Wool evening");
    body["description"] = serde_json::json!("Bring needles.");
    body["interests"] = serde_json::json!(["knitting"]);
    assert_eq!(app.post_asset(&key, &body).await.status(), 201);
    let found = |v: Value| v["items"].as_array().unwrap().len();
    let search = |q: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/v1/assets?q={q}"), None)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(found(search("knitting").await), 1);

    // An older release named the term differently, and its assets' search text says so.
    let mut conn = AsyncPgConnection::establish(&database_url(&app.db_name))
        .await
        .unwrap();
    diesel::sql_query(
        "UPDATE interest_terms SET label = 'Purling', synonyms = '{}' WHERE slug = 'knitting'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query("SELECT refresh_asset_search(array(SELECT id FROM assets))")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(found(search("knitting").await), 0);
    assert_eq!(found(search("purling").await), 1);

    // This release's vocabulary load renames it back and refreshes the asset.
    seed::load_vocabulary(&mut conn).await.unwrap();
    assert_eq!(found(search("knitting").await), 1);
    assert_eq!(found(search("purling").await), 0);
}
