//! The CSV template for agencies without an API client: one row per asset, headed by the
//! column names in `COLUMNS` (documented in docs/oruk.md; `seed-data/import-template.csv` is
//! a filled-in example). Lists inside a cell are separated by `;`. Each row becomes the same
//! `ImportRecord` an ORUK service does, so the same rules and the same per-record report apply.

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::asset::{
    AssetInput, AssetKind, CapacityInput, Contact, EligibilityInput, FiveWays, Newcomers,
};
use crate::domain::audience::{Audience, AudienceGroup, GenderRule};
use crate::domain::cost::CostInput;
use crate::domain::geometry::LatLon;
use crate::domain::schedule::{DatedSessionInput, ScheduleInput, Weekday, WeeklySessionInput};
use crate::domain::validation::{Errors, FieldError};
use crate::domain::venue::{AccessibilityFeature, VenueInput, VenueType};
use crate::oruk::read::ImportRecord;

/// The template's columns, in order. Only `id`, `kind` and `title` are required (and a place:
/// a venue, `online`, or both).
pub const COLUMNS: [&str; 33] = [
    "id",
    "kind",
    "title",
    "description",
    "interests",
    "five_ways",
    "min_age",
    "max_age",
    "eligibility",
    "free",
    "price_gbp",
    "concession_gbp",
    "cost_notes",
    "venue_id",
    "venue_name",
    "address",
    "town",
    "postcode",
    "latitude",
    "longitude",
    "venue_type",
    "accessibility",
    "online",
    "sessions",
    "schedule_notes",
    "drop_in",
    "taster_session",
    "booking_required",
    "newcomer_notes",
    "typical_group_size",
    "contact_name",
    "contact_email",
    "contact_phone",
];

/// Optional trailing columns also understood.
pub const EXTRA_COLUMNS: [&str; 8] = [
    "meet_and_greet",
    "max_participants",
    "website",
    "confirmed",
    "gender",
    "audience",
    "audience_only",
    "referral_only",
];

struct Row<'a> {
    headers: &'a [String],
    cells: &'a csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, column: &str) -> Option<String> {
        let i = self.headers.iter().position(|h| h == column)?;
        let cell = self.cells.get(i)?.trim();
        (!cell.is_empty()).then(|| cell.to_string())
    }

    fn list(&self, column: &str) -> Vec<String> {
        self.get(column)
            .map(|c| {
                c.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn flag(&self, errors: &mut Errors, column: &str) -> Option<bool> {
        let raw = self.get(column)?;
        match raw.to_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                errors.add(column, format!("{raw:?} is not yes or no"));
                None
            }
        }
    }

    fn number(&self, errors: &mut Errors, column: &str) -> Option<f64> {
        let raw = self.get(column)?;
        raw.trim_start_matches('£').parse().ok().or_else(|| {
            errors.add(column, format!("{raw:?} is not a number"));
            None
        })
    }

    fn whole(&self, errors: &mut Errors, column: &str) -> Option<i64> {
        let raw = self.get(column)?;
        raw.parse().ok().or_else(|| {
            errors.add(column, format!("{raw:?} is not a whole number"));
            None
        })
    }

    fn pence(&self, errors: &mut Errors, column: &str) -> Option<i64> {
        self.number(errors, column)
            .map(|p| (p * 100.0).round() as i64)
    }
}

fn parse_enum<T>(
    errors: &mut Errors,
    column: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let value = parse(&raw.trim().to_lowercase().replace([' ', '-'], "_"));
    if value.is_none() {
        errors.add(column, format!("{raw:?} is not one of the allowed values"));
    }
    value
}

/// `Tue 18:00-19:30` (weekly) or `2026-12-05 10:00-12:00` (one date).
pub fn parse_session(text: &str) -> Option<Result<WeeklySessionInput, DatedSessionInput>> {
    let (when, times) = text.trim().split_once(char::is_whitespace)?;
    let (start, end) = times.trim().split_once(['-', '–'])?;
    let (start, end) = (start.trim().to_string(), end.trim().to_string());
    if let Ok(date) = NaiveDate::parse_from_str(when, "%Y-%m-%d") {
        return Some(Err(DatedSessionInput { date, start, end }));
    }
    let prefix = when.to_lowercase();
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| prefix.len() >= 3 && prefix.starts_with(d))?;
    Some(Ok(WeeklySessionInput {
        day: Weekday::ALL[day],
        start,
        end,
        valid_from: None,
        valid_until: None,
    }))
}

fn read_row(row: &Row) -> Result<ImportRecord, Vec<FieldError>> {
    let mut errors = Errors::default();
    let id = row.get("id");
    if id.is_none() {
        errors.add(
            "id",
            "is missing (your own id for the row, so a re-import updates it)",
        );
    }
    let kind = match row.get("kind") {
        Some(raw) => parse_enum(&mut errors, "kind", &raw, AssetKind::parse),
        None => {
            errors.add(
                "kind",
                "is missing (group, volunteering, course or activity)",
            );
            None
        }
    };
    let five_ways: Vec<FiveWays> = row
        .list("five_ways")
        .iter()
        .filter_map(|w| parse_enum(&mut errors, "five_ways", w, FiveWays::parse))
        .collect();
    let accessibility: Vec<AccessibilityFeature> = row
        .list("accessibility")
        .iter()
        .filter_map(|a| parse_enum(&mut errors, "accessibility", a, AccessibilityFeature::parse))
        .collect();
    let location = match (
        row.number(&mut errors, "latitude"),
        row.number(&mut errors, "longitude"),
    ) {
        (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
        (None, None) => None,
        _ => {
            errors.add("latitude", "give both latitude and longitude, or neither");
            None
        }
    };
    let venue = row.get("venue_name").map(|name| VenueInput {
        name,
        address_lines: row.list("address"),
        town: row.get("town"),
        postcode: row.get("postcode"),
        location,
        venue_type: row
            .get("venue_type")
            .and_then(|t| parse_enum(&mut errors, "venue_type", &t, VenueType::parse))
            .unwrap_or(VenueType::Other),
        non_stigmatised: None,
        accessibility,
        website: None,
        phone: None,
    });
    let mut schedule = ScheduleInput {
        notes: row.get("schedule_notes"),
        ..ScheduleInput::default()
    };
    for text in row.list("sessions") {
        match parse_session(&text) {
            Some(Ok(weekly)) => schedule.weekly.push(weekly),
            Some(Err(dated)) => schedule.dated.push(dated),
            None => errors.add(
                "sessions",
                format!("{text:?} is not a session such as \"Tue 18:00-19:30\" or \"2026-12-05 10:00-12:00\""),
            ),
        }
    }
    let confirmed_at = row.get("confirmed").and_then(|d| {
        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| errors.add("confirmed", format!("{d:?} is not a date (YYYY-MM-DD)")))
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    });
    let asset = AssetInput {
        organization_id: None,
        kind: kind.unwrap_or(AssetKind::Activity),
        title: row.get("title").unwrap_or_default(),
        description: row.get("description"),
        venue_id: row.get("venue_id").and_then(|v| {
            v.parse()
                .map_err(|_| errors.add("venue_id", format!("{v:?} is not a venue id (UUID)")))
                .ok()
        }),
        venue,
        service_area: None::<Value>,
        online: row.flag(&mut errors, "online").unwrap_or(false),
        interests: row.list("interests"),
        five_ways,
        eligibility: EligibilityInput {
            min_age: row.whole(&mut errors, "min_age"),
            max_age: row.whole(&mut errors, "max_age"),
            criteria: row.get("eligibility"),
        },
        audience: Audience {
            gender: row
                .get("gender")
                .and_then(|g| parse_enum(&mut errors, "gender", &g, GenderRule::parse))
                .unwrap_or_default(),
            groups: row
                .list("audience")
                .iter()
                .filter_map(|g| parse_enum(&mut errors, "audience", g, AudienceGroup::parse))
                .collect(),
            groups_only: row.flag(&mut errors, "audience_only").unwrap_or(false),
            referral_only: row.flag(&mut errors, "referral_only").unwrap_or(false),
        },
        cost: CostInput {
            free: row.flag(&mut errors, "free"),
            amount_pence: row.pence(&mut errors, "price_gbp"),
            concession_pence: row.pence(&mut errors, "concession_gbp"),
            notes: row.get("cost_notes"),
            concessions: Vec::new(),
        },
        schedule,
        newcomers: Newcomers {
            drop_in: row.flag(&mut errors, "drop_in"),
            taster_session: row.flag(&mut errors, "taster_session"),
            meet_and_greet: row.flag(&mut errors, "meet_and_greet"),
            booking_required: row.flag(&mut errors, "booking_required"),
            notes: row.get("newcomer_notes"),
        },
        capacity: CapacityInput {
            max_participants: row.whole(&mut errors, "max_participants"),
            typical_group_size: row.whole(&mut errors, "typical_group_size"),
        },
        contact: Contact {
            name: row.get("contact_name"),
            email: row.get("contact_email"),
            phone: row.get("contact_phone"),
            url: row.get("website"),
        },
        participation: Default::default(),
        external_id: None,
    };
    let interest_phrases = asset.interests.clone();
    errors.finish(ImportRecord {
        source_id: id.unwrap_or_default(),
        organization: None,
        asset: AssetInput {
            interests: Vec::new(),
            ..asset
        },
        venue_source_id: None,
        interest_phrases,
        concepts: Vec::new(),
        confirmed_at,
        active: true,
        example: false,
        attribution: None,
    })
}

/// One row read: its record, or what is wrong with it. `line` is the row's line in the file.
#[derive(Debug)]
pub struct CsvRow {
    pub line: u64,
    /// The row's `id` cell, when it has one.
    pub id: Option<String>,
    pub raw: String,
    pub record: Result<ImportRecord, Vec<FieldError>>,
}

/// Reads a whole file. An unreadable header is an error of the whole file; a bad row is
/// reported in its `CsvRow`.
pub fn read(text: &str) -> Result<Vec<CsvRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the header row cannot be read: {e}"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !COLUMNS.contains(&h.as_str()) && !EXTRA_COLUMNS.contains(&h.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown columns {unknown:?}; the template's columns are {}",
            COLUMNS.join(",")
        ));
    }
    for required in ["id", "kind", "title"] {
        if !headers.iter().any(|h| h == required) {
            return Err(format!("the header row has no {required} column"));
        }
    }
    let mut rows = Vec::new();
    for result in reader.records() {
        match result {
            Ok(cells) => {
                let line = cells.position().map_or(0, |p| p.line());
                let row = Row {
                    headers: &headers,
                    cells: &cells,
                };
                rows.push(CsvRow {
                    line,
                    id: row.get("id"),
                    raw: cells.iter().collect::<Vec<_>>().join("\u{1f}"),
                    record: read_row(&row),
                });
            }
            Err(e) => rows.push(CsvRow {
                line: e.position().map_or(0, |p| p.line()),
                id: None,
                raw: String::new(),
                record: Err(vec![FieldError::new("row", e.to_string())]),
            }),
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = include_str!("../../seed-data/import-template.csv");

    #[test]
    fn the_template_reads_cleanly() {
        let rows = read(TEMPLATE).unwrap();
        assert!(rows.len() >= 2);
        for row in &rows {
            let record = row
                .record
                .as_ref()
                .unwrap_or_else(|e| panic!("line {}: {e:?}", row.line));
            assert!(!record.source_id.is_empty());
            assert!(!record.interest_phrases.is_empty());
            assert!(crate::domain::asset::validate_imported(&record.asset).is_ok());
        }
    }

    #[test]
    fn bad_cells_are_named() {
        let text =
            "id,kind,title,min_age,sessions,free\n1,dance,Salsa,ten,Funday 10:00-11:00,maybe\n";
        let rows = read(text).unwrap();
        let errors = rows[0].record.as_ref().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "sessions", "min_age", "free"]);
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn unknown_columns_refuse_the_file() {
        assert!(
            read("id,kind,title,colour\n")
                .unwrap_err()
                .contains("colour")
        );
        assert!(read("kind,title\n").unwrap_err().contains("id"));
    }

    #[test]
    fn sessions_read_weekly_and_dated() {
        assert!(
            matches!(parse_session("Tuesday 18:00-19:30"), Some(Ok(w)) if w.day == Weekday::Tue)
        );
        assert!(
            matches!(parse_session("2026-12-05 10:00–12:00"), Some(Err(d)) if d.start == "10:00")
        );
        assert!(parse_session("soon").is_none());
    }
}
