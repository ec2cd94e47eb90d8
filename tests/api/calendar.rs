//! `GET /v1/assets/{id}/sessions.ics`: a real calendar file, as a phone would read it.

use serde_json::{Value, json};

use crate::helpers::{problem_fields, spawn_app, walking_football};

#[tokio::test]
async fn an_assets_sessions_come_as_an_icalendar_a_phone_can_read() {
    let app = spawn_app().await;
    let (_, key) = app.agency("Sale Striders", true).await;
    let mut body = walking_football();
    body["schedule"] = json!({
        "weekly": [
            {"day": "tue", "start": "18:00", "end": "19:30"},
            {"day": "sat", "start": "10:00", "end": "11:00", "valid_until": "2099-08-29"}
        ],
        "dated": [{"date": "2099-12-31", "start": "21:00", "end": "23:30"}]
    });
    let created = app.post_asset(&key, &body).await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap();

    let response = app
        .get(&format!("/v1/assets/{id}/sessions.ics"), None)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = response.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "folded: {line}");
    }
    let lines: Vec<&str> = ics.split("\r\n").collect();
    let unfolded = ics.replace("\r\n ", "");
    for expected in [
        "TZID:Europe/London",
        "RRULE:FREQ=WEEKLY;BYDAY=TU",
        "RRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=20990829T225959Z",
        "DTSTART;TZID=Europe/London:20991231T210000",
        "DTEND;TZID=Europe/London:20991231T233000",
        "SUMMARY:Walking football for over-50s",
        "GEO:53.423500;-2.318600",
    ] {
        assert!(
            unfolded.contains(&format!("{expected}\r\n")),
            "{expected}:\n{ics}"
        );
    }
    assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 3);
    let tuesday = lines
        .iter()
        .find(|l| l.starts_with("DTSTART;TZID=Europe/London:") && l.ends_with("T180000"))
        .expect("the Tuesday session starts at 18:00 London time");
    let date = chrono::NaiveDate::parse_from_str(&tuesday[27..35], "%Y%m%d").unwrap();
    assert_eq!(chrono::Datelike::weekday(&date), chrono::Weekday::Tue);

    // Nothing to put in a calendar, or nothing to see.
    let mut no_sessions = walking_football();
    no_sessions["schedule"] = json!({"notes": "Ask at reception"});
    let bare: Value = app
        .post_asset(&key, &no_sessions)
        .await
        .json()
        .await
        .unwrap();
    problem_fields(
        app.get(
            &format!("/v1/assets/{}/sessions.ics", bare["id"].as_str().unwrap()),
            None,
        )
        .await,
        404,
    )
    .await;
    problem_fields(
        app.get(
            &format!("/v1/assets/{}/sessions.ics", uuid::Uuid::new_v4()),
            None,
        )
        .await,
        404,
    )
    .await;
}
