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
use crate::domain::attribution::Attribution;
use crate::domain::audience::{Audience, GenderRule};
use crate::domain::cost::Cost;
use crate::domain::freshness::{Freshness, FreshnessPolicy, last_confirmed};
use crate::domain::geometry::LatLon;
use crate::domain::participation::Participation;
use crate::domain::referrals::Aggregate;
use crate::domain::schedule::{Weekday, format_hhmm};
use crate::domain::venue::{AccessibilityFeature, VenueType};

/// An organisation that runs assets. Optional fields are `null` when not given.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    /// The organisation's id (uuid).
    #[schema(example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")]
    pub id: Uuid,
    /// The organisation's name.
    #[schema(example = "Age UK Trafford")]
    pub name: String,
    /// What the organisation does, in plain words.
    #[schema(
        example = "Charity for older people hosting the Urmston community hub at The Sharples Building."
    )]
    pub description: Option<String>,
    /// Web site.
    #[schema(example = "https://www.ageuk.org.uk/trafford/")]
    pub website: Option<String>,
    /// E-mail address.
    #[schema(example = "admin@ageuktrafford.org.uk")]
    pub email: Option<String>,
    /// Phone number, as given.
    #[schema(example = "0161 746 9754")]
    pub phone: Option<String>,
    /// Charity Commission (or OSCR / CCNI) registration number.
    #[schema(example = "1123456")]
    pub charity_number: Option<String>,
    /// Companies House number.
    #[schema(example = "07654321")]
    pub company_number: Option<String>,
    /// Trusted organisations' assets are published without moderation.
    #[schema(example = true)]
    pub trusted: bool,
    /// When the organisation was registered (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:10:49.660969Z")]
    pub created_at: DateTime<Utc>,
    /// When the organisation last changed (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:10:49.660969Z")]
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    #[schema(example = 1)]
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

/// A place where assets happen. Optional fields are `null` when not given.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueView {
    /// The venue's id (uuid), to refer to from assets as `venue_id`.
    #[schema(example = "c5917c55-79cc-562b-ba1b-49c3e4436539")]
    pub id: Uuid,
    /// Name of the place as people know it.
    #[schema(example = "Sale Library")]
    pub name: String,
    /// Street address lines, without town or postcode (at most 4).
    #[schema(example = json!(["Sale Waterside"]))]
    pub address_lines: Vec<String>,
    /// Town or city.
    #[schema(example = "Sale")]
    pub town: Option<String>,
    /// Normalised UK postcode, e.g. `M33 7ZF`.
    #[schema(example = "M33 7ZF")]
    pub postcode: Option<String>,
    /// Where the venue is; `null` only for online venues.
    pub location: Option<LatLon>,
    /// `exact` when the submitter gave the point; `unit`, `sector` or `district` when it came
    /// from the postcode at that precision.
    #[schema(example = "exact")]
    pub location_precision: String,
    /// What kind of place it is.
    pub venue_type: VenueType,
    /// Whether the venue is a mainstream, non-stigmatised setting.
    #[schema(example = true)]
    pub non_stigmatised: bool,
    /// Accessibility features the venue has.
    #[schema(example = json!(["step_free_access", "hearing_loop", "accessible_toilet"]))]
    pub accessibility: Vec<AccessibilityFeature>,
    /// The venue's web page.
    #[schema(
        example = "https://www.trafford.gov.uk/residents/leisure-and-lifestyle/libraries/libraries-in-trafford/sale-library.aspx"
    )]
    pub website: Option<String>,
    /// The venue's phone number, as given.
    #[schema(example = "0161 912 3456")]
    pub phone: Option<String>,
    /// The organisation that registered the venue (uuid): the agency whose key created it.
    /// `null` for venues made with an admin key or loaded with the directory's data.
    #[schema(example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")]
    pub organization_id: Option<Uuid>,
    /// When the venue was registered (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:10:49.660969Z")]
    pub created_at: DateTime<Utc>,
    /// When the venue last changed (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:10:49.660969Z")]
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
    /// The term's id (uuid).
    #[schema(example = "b8019b67-2ade-406f-a012-91a5c3869652")]
    pub id: Uuid,
    /// Short lowercase name, hyphenated; usable wherever an interest is asked for.
    #[schema(example = "walking-football")]
    pub slug: String,
    /// The name to show people.
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

/// A session that repeats every week.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklySessionView {
    /// The day of the week it runs.
    pub day: Weekday,
    /// Start time, `HH:MM` (24-hour, UK local time).
    #[schema(example = "18:30")]
    pub start: String,
    /// End time, `HH:MM` (24-hour, UK local time).
    #[schema(example = "20:00")]
    pub end: String,
    /// First date the session runs (inclusive, ISO 8601 date); `null` when it already runs.
    #[schema(example = "2027-04-06")]
    pub valid_from: Option<NaiveDate>,
    /// Last date the session runs (inclusive, ISO 8601 date); `null` when it has no end date.
    #[schema(example = "2027-09-28")]
    pub valid_until: Option<NaiveDate>,
}

/// A session on one date.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatedSessionView {
    /// The date of the session (ISO 8601 date, UK local).
    #[schema(example = "2027-03-06")]
    pub date: NaiveDate,
    /// Start time, `HH:MM` (24-hour, UK local time).
    #[schema(example = "10:00")]
    pub start: String,
    /// End time, `HH:MM` (24-hour, UK local time).
    #[schema(example = "12:00")]
    pub end: String,
}

/// When an asset runs; both lists empty means the times are not stated.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ScheduleView {
    /// Sessions that repeat every week.
    pub weekly: Vec<WeeklySessionView>,
    /// One-off sessions on given dates.
    pub dated: Vec<DatedSessionView>,
    /// Anything the sessions cannot say.
    #[schema(example = "Not on bank holidays.")]
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

/// The organisation that runs an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    /// The organisation's id (uuid), for `GET /v1/organizations/{id}`.
    #[schema(example = "b4f370d5-e15c-590e-ba5e-ae4a85bad88f")]
    pub id: Uuid,
    /// The organisation's name.
    #[schema(example = "Age UK Trafford")]
    pub name: String,
}

/// An asset: a group, volunteering role, course or activity a person can join. Optional
/// fields are `null` when not stated.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetView {
    /// The asset's id (uuid).
    #[schema(example = "5a8c5b38-72e0-5099-b654-1be90fec86ab")]
    pub id: Uuid,
    /// What sort of thing it is.
    pub kind: AssetKind,
    /// The name people see in results.
    #[schema(example = "Walking football for adults")]
    pub title: String,
    /// What happens, who it suits and what to bring, in plain words (empty when not given).
    #[schema(
        example = "A gentle, no-running version of football for adults who want to get back into sport at their own pace. Bibs and balls provided; wear trainers."
    )]
    pub description: String,
    /// Publication state; only `published` assets are public.
    pub status: AssetStatus,
    /// The organisation that runs it.
    pub organization: OrganizationRef,
    /// Where it happens; `null` when it has no single venue (see `service_area`) or is online
    /// only.
    pub venue: Option<VenueView>,
    /// GeoJSON MultiPolygon (WGS 84, longitude before latitude) where the asset is offered,
    /// when it has no single venue; `null` otherwise.
    #[schema(value_type = Option<Object>, example = json!({
        "type": "MultiPolygon",
        "coordinates": [[[[-2.32, 53.44], [-2.30, 53.44], [-2.30, 53.46], [-2.32, 53.46], [-2.32, 53.44]]]]
    }))]
    pub service_area: Option<serde_json::Value>,
    /// Whether it (also) takes place online.
    #[schema(example = false)]
    pub online: bool,
    /// The vocabulary terms it is tagged with.
    pub interests: Vec<InterestRef>,
    /// Which of the Five Ways to Wellbeing it supports.
    #[schema(example = json!(["connect", "be_active"]))]
    pub five_ways: Vec<FiveWays>,
    /// Who can take part.
    pub eligibility: Eligibility,
    /// Who the session is for: gender rule, the groups it is made for, referral only.
    pub audience: Audience,
    /// What a session costs.
    pub cost: Cost,
    /// When it runs.
    pub schedule: ScheduleView,
    /// How it welcomes someone new.
    pub newcomers: Newcomers,
    /// How many people take part.
    pub capacity: Capacity,
    /// Who to ask about it.
    pub contact: Contact,
    /// When the provider last confirmed the asset still runs (RFC 3339 date-time, UTC); `null`
    /// when never confirmed.
    #[schema(example = "2026-11-02T10:15:00Z")]
    pub confirmed_at: Option<DateTime<Utc>>,
    /// How current the listing is, counted from `confirmed_at` (or, never confirmed, from
    /// `created_at`): `fresh`, then `due` for confirmation (after about 6 months by default),
    /// then `stale` (after 12). `POST /v1/assets/{id}/confirm` makes it fresh again.
    pub freshness: Freshness,
    /// What became of the people referred here, once at least 5 referrals are recorded
    /// (`POST /v1/referrals`); `null` before then, so that a single referral is never on show.
    pub outcomes: Option<Aggregate>,
    /// When the asset was published (RFC 3339 date-time, UTC); `null` if it never has been.
    #[schema(example = "2026-11-22T08:10:49.871672Z")]
    pub published_at: Option<DateTime<Utc>>,
    /// When the asset was created (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:10:49.660969Z")]
    pub created_at: DateTime<Utc>,
    /// When the asset last changed (RFC 3339 date-time, UTC).
    #[schema(example = "2026-11-22T08:10:49.660969Z")]
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; sent as the `ETag` in quotes (`"1"`), to give back in
    /// `If-Match`.
    #[schema(example = 1)]
    pub version: i32,
    /// Where the record came from when it was loaded rather than submitted (e.g. seed data);
    /// `null` for submitted assets.
    #[schema(example = "trafford-datalab")]
    pub source: Option<String>,
    /// Terms an imported record's source gave that name nothing in our vocabulary, kept as they
    /// were written (searchable with `q`); empty for agencies' own submissions.
    #[schema(example = json!([]))]
    pub source_tags: Vec<String>,
    /// `true` for illustrative demo listings that do not describe a real session.
    #[schema(example = false)]
    pub example: bool,
    /// How taking part works: levels, coaching, what to bring, support for disabled people,
    /// paying in advance.
    pub participation: Participation,
    /// The organisation's own id for the listing; `null` when it gave none.
    #[schema(example = "club-42-walking-football")]
    pub external_id: Option<String>,
    /// The record's id in `source` (e.g. an OpenActive item's `@id`); `null` for submitted
    /// assets.
    #[schema(example = "https://leisure.example.org/session-series/42")]
    pub source_id: Option<String>,
    /// The licence and credit a harvested listing's publisher requires: show it with the
    /// listing. `null` for listings not harvested from an openly licensed feed.
    pub attribution: Option<Attribution>,
    /// A change the organisation made that waits for an admin's review (organisations not yet
    /// trusted cannot change a published listing on their own); shown only to the
    /// organisation's keys and admins, absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_change: Option<PendingChangeView>,
}

/// A change to a published asset waiting for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingChangeView {
    /// When it was submitted (RFC 3339 date-time, UTC).
    #[schema(example = "2026-12-06T10:15:00Z")]
    pub submitted_at: DateTime<Utc>,
    /// The key that submitted it (uuid).
    #[schema(example = "e44474ff-edb0-4e19-ad3b-cc7abd53e178")]
    pub submitted_by_key_id: Option<Uuid>,
    /// The asset's version it was made against.
    #[schema(example = 3)]
    pub base_version: i32,
    /// The body as submitted with `PUT` (an `AssetInput`); an admin's
    /// `POST /v1/assets/{id}/publish` applies it, `DELETE /v1/assets/{id}/pending-change`
    /// turns it down.
    #[schema(value_type = Object)]
    pub submission: serde_json::Value,
}

impl From<crate::db::pending_changes::PendingChangeRow> for PendingChangeView {
    fn from(row: crate::db::pending_changes::PendingChangeRow) -> Self {
        Self {
            submitted_at: row.submitted_at,
            submitted_by_key_id: row.submitted_by_key,
            base_version: row.base_version,
            submission: row.submission,
        }
    }
}

impl AssetView {
    /// The asset with the change waiting for review, for its organisation and admins.
    pub fn with_pending(
        record: AssetRecord,
        pending: Option<crate::db::pending_changes::PendingChangeRow>,
        policy: &FreshnessPolicy,
    ) -> Self {
        let mut view = Self::new(record, policy);
        view.pending_change = pending.map(PendingChangeView::from);
        view
    }

    /// The asset as the API shows it, its freshness judged by `policy` as of now.
    pub fn new(record: AssetRecord, policy: &FreshnessPolicy) -> Self {
        let a = record.asset;
        let audience = audience_of(&a);
        let participation = participation_of(&a);
        let freshness = policy.classify(last_confirmed(a.confirmed_at, a.created_at), Utc::now());
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
            audience,
            cost: Cost::new(a.cost_free, a.cost_pence, a.concession_pence, a.cost_notes)
                .with_rules(serde_json::from_value(a.concession_rules).unwrap_or_default()),
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
            freshness,
            outcomes: a
                .outcomes
                .and_then(|v| serde_json::from_value::<Aggregate>(v).ok())
                .filter(Aggregate::shown),
            published_at: a.published_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
            source: a.source,
            source_tags: a.source_tags,
            example: a.is_example,
            participation,
            external_id: a.external_id,
            source_id: a.source_id,
            attribution: a.attribution.and_then(|v| serde_json::from_value(v).ok()),
            pending_change: None,
        }
    }
}

/// The stored participation columns as the API shows them.
pub fn participation_of(a: &crate::db::assets::AssetRow) -> Participation {
    Participation::from_columns(
        a.levels.clone(),
        a.coached,
        a.attendee_instructions.clone(),
        a.accessibility_support.clone(),
        a.prepayment.as_deref(),
    )
}

/// The stored audience columns as the API shows them; a gender rule outside the enum (which
/// the table's check rules out) reads as mixed rather than failing a read.
pub fn audience_of(a: &crate::db::assets::AssetRow) -> Audience {
    Audience::from_columns(
        GenderRule::parse(&a.audience_gender).unwrap_or_default(),
        &a.audience_groups,
        a.audience_groups_only,
        a.referral_only,
    )
}
