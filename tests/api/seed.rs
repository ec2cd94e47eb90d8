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
