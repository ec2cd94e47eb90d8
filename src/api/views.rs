//! Response bodies, built from database records. Field names here are the public contract.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::assets::{AssetRecord, SessionRow, to_area};
use crate::db::interests::TermRef;
use crate::db::organizations::OrganizationRow;
use crate::db::venues::{VenueRow, to_lat_lon};
use crate::domain::asset::{
    AssetKind, AssetStatus, Capacity, Contact, Eligibility, FiveWays, Newcomers,
};
use crate::domain::cost::Cost;
use crate::domain::geometry::LatLon;
use crate::domain::schedule::{Weekday, format_hhmm};
use crate::domain::venue::{AccessibilityFeature, VenueType};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub charity_number: Option<String>,
    pub company_number: Option<String>,
    /// Trusted organisations' assets are published without moderation.
    pub trusted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<OrganizationRow> for OrganizationView {
    fn from(r: OrganizationRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            website: r.website,
            email: r.email,
            phone: r.phone,
            charity_number: r.charity_number,
            company_number: r.company_number,
            trusted: r.trusted,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VenueView {
    pub id: Uuid,
    pub name: String,
    pub address_lines: Vec<String>,
    pub town: Option<String>,
    /// Normalised UK postcode, e.g. `M33 7ZF`.
    pub postcode: Option<String>,
    /// `null` only for online venues.
    pub location: Option<LatLon>,
    /// `exact` when the submitter gave the point; `unit`, `sector` or `district` when it came
    /// from the postcode at that precision.
    #[schema(example = "exact")]
    pub location_precision: String,
    pub venue_type: VenueType,
    /// Whether the venue is a mainstream, non-stigmatised setting.
    pub non_stigmatised: bool,
    pub accessibility: Vec<AccessibilityFeature>,
    pub website: Option<String>,
    pub phone: Option<String>,
    /// The organisation that registered the venue, if any.
    pub organization_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<VenueRow> for VenueView {
    fn from(r: VenueRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            address_lines: r.address_lines,
            town: r.town,
            postcode: r.postcode,
            location: r.location.as_ref().map(to_lat_lon),
            location_precision: r.location_precision,
            venue_type: VenueType::parse(&r.venue_type).unwrap_or(VenueType::Other),
            non_stigmatised: r.non_stigmatised,
            accessibility: r
                .accessibility
                .iter()
                .filter_map(|a| AccessibilityFeature::parse(a))
                .collect(),
            website: r.website,
            phone: r.phone,
            organization_id: r.organization_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A vocabulary term, as attached to an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestRef {
    pub id: Uuid,
    #[schema(example = "walking-football")]
    pub slug: String,
    #[schema(example = "Walking Football")]
    pub label: String,
}

impl From<TermRef> for InterestRef {
    fn from(t: TermRef) -> Self {
        Self {
            id: t.id,
            slug: t.slug,
            label: t.label,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklySessionView {
    pub day: Weekday,
    /// Local time, `HH:MM`.
    #[schema(example = "18:30")]
    pub start: String,
    /// Local time, `HH:MM`.
    #[schema(example = "20:00")]
    pub end: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DatedSessionView {
    pub date: NaiveDate,
    #[schema(example = "10:00")]
    pub start: String,
    #[schema(example = "12:00")]
    pub end: String,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ScheduleView {
    pub weekly: Vec<WeeklySessionView>,
    pub dated: Vec<DatedSessionView>,
    pub notes: Option<String>,
}

impl ScheduleView {
    fn from_rows(rows: &[SessionRow], notes: Option<String>) -> Self {
        let mut view = ScheduleView {
            notes,
            ..Default::default()
        };
        for s in rows {
            let (start, end) = (format_hhmm(s.start_time), format_hhmm(s.end_time));
            match (s.weekday.and_then(Weekday::from_iso_number), s.on_date) {
                (Some(day), _) => view.weekly.push(WeeklySessionView {
                    day,
                    start,
                    end,
                    valid_from: s.valid_from,
                    valid_until: s.valid_until,
                }),
                (None, Some(date)) => view.dated.push(DatedSessionView { date, start, end }),
                (None, None) => {}
            }
        }
        view
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssetView {
    pub id: Uuid,
    pub kind: AssetKind,
    pub title: String,
    pub description: String,
    pub status: AssetStatus,
    pub organization: OrganizationRef,
    pub venue: Option<VenueView>,
    /// GeoJSON MultiPolygon (WGS 84) where the asset is offered, when it has no single venue.
    #[schema(value_type = Option<Object>)]
    pub service_area: Option<serde_json::Value>,
    pub online: bool,
    pub interests: Vec<InterestRef>,
    pub five_ways: Vec<FiveWays>,
    pub eligibility: Eligibility,
    pub cost: Cost,
    pub schedule: ScheduleView,
    pub newcomers: Newcomers,
    pub capacity: Capacity,
    pub contact: Contact,
    /// When the provider last confirmed the asset still runs.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; sent as the `ETag`.
    pub version: i32,
    /// Where the record came from when it was loaded rather than submitted (e.g. seed data).
    pub source: Option<String>,
    /// `true` for illustrative demo listings that do not describe a real session.
    pub example: bool,
}

impl From<AssetRecord> for AssetView {
    fn from(record: AssetRecord) -> Self {
        let a = record.asset;
        Self {
            id: a.id,
            kind: AssetKind::parse(&a.kind).unwrap_or(AssetKind::Activity),
            title: a.title,
            description: a.description,
            status: AssetStatus::parse(&a.status).unwrap_or(AssetStatus::Pending),
            organization: OrganizationRef {
                id: a.organization_id,
                name: record.organization_name,
            },
            venue: record.venue.map(VenueView::from),
            service_area: a.service_area.as_ref().map(|mp| to_area(mp).to_geojson()),
            online: a.online,
            interests: record
                .interests
                .into_iter()
                .map(InterestRef::from)
                .collect(),
            five_ways: a
                .five_ways
                .iter()
                .filter_map(|w| FiveWays::parse(w))
                .collect(),
            eligibility: Eligibility {
                min_age: a.min_age,
                max_age: a.max_age,
                criteria: a.eligibility_criteria,
            },
            cost: Cost::new(a.cost_free, a.cost_pence, a.concession_pence, a.cost_notes),
            schedule: ScheduleView::from_rows(&record.sessions, a.schedule_notes),
            newcomers: Newcomers {
                drop_in: a.drop_in,
                taster_session: a.taster_session,
                meet_and_greet: a.meet_and_greet,
                booking_required: a.booking_required,
                notes: a.newcomer_notes,
            },
            capacity: Capacity {
                max_participants: a.max_participants,
                typical_group_size: a.typical_group_size,
            },
            contact: Contact {
                name: a.contact_name,
                email: a.contact_email,
                phone: a.contact_phone,
                url: a.contact_url,
            },
            confirmed_at: a.confirmed_at,
            published_at: a.published_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
            source: a.source,
            example: a.is_example,
        }
    }
}
