//! The Open Referral UK 3.0 (HSDS 3.0 profile) objects the feed publishes. Optional fields that
//! are empty are left out rather than sent as `null`, as the profile asks. A few fields from
//! HSDS 3.1 that ORUK 3.0 does not name (`address_2`, `phones`, `url` on a location, `code` and
//! `value`) are added where our data has them; the ORUK schemas allow extra fields.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What the feed is: its standard, profile and OpenAPI document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukApiDetails {
    /// The standard and version, always `HSDS-UK-3.0`.
    #[schema(example = "HSDS-UK-3.0")]
    pub version: String,
    /// The ORUK profile the feed follows.
    #[schema(example = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md")]
    pub profile: String,
    /// The OpenAPI document describing the feed (this service's own document).
    #[schema(example = "https://assets.example.org/openapi.json")]
    pub openapi_url: String,
}

/// A service: one of our published assets.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct OrukService {
    /// The asset's id.
    pub id: Uuid,
    /// The organisation that runs it.
    pub organization_id: Uuid,
    /// The asset's title.
    #[schema(example = "Walking football for adults")]
    pub name: String,
    /// What happens, who it suits and what to bring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The asset's web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The asset's contact e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Always `active`: only published assets are in the feed.
    #[schema(example = "active")]
    pub status: String,
    /// Notes on cost, e.g. "first session free".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees: Option<String>,
    /// Who can take part, in plain words (HSDS 3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility_description: Option<String>,
    /// Youngest age in years who can take part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<i16>,
    /// Oldest age in years who can take part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<i16>,
    /// When the provider last confirmed the details (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-10-01")]
    pub assured_date: Option<String>,
    /// When the asset last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<DateTime<Utc>>,
    /// When it runs, as RFC 5545 recurrence fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<OrukSchedule>,
    /// The area it serves when it has no single venue.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_areas: Vec<OrukServiceArea>,
    /// Where it happens: its venue, and a virtual location when it is (also) online.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_at_locations: Vec<OrukServiceAtLocation>,
    /// The organisation that runs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub organization: Option<Box<OrukOrganization>>,
    /// What a session costs (amounts in pounds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cost_options: Vec<OrukCostOption>,
    /// Who to ask about it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<OrukContact>,
    /// Taxonomy terms: interests, kind, Five Ways to Wellbeing and newcomer details.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<OrukAttribute>,
}

/// An organisation that runs assets.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct OrukOrganization {
    /// The organisation's id.
    pub id: Uuid,
    /// The organisation's name.
    #[schema(example = "Age UK Trafford")]
    pub name: String,
    /// What the organisation does; empty when it has not said.
    pub description: String,
    /// Its e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Its web site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Phone numbers (HSDS 3.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<OrukPhone>,
    /// Charity and company registration numbers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_identifiers: Vec<OrukOrganizationIdentifier>,
    /// The organisation's services, with `full_service=true`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub services: Vec<OrukService>,
}

/// A registration number of an organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukOrganizationIdentifier {
    /// Stable id of the identifier.
    pub id: Uuid,
    /// The organisation it identifies.
    pub organization_id: Uuid,
    /// `GB-CHC` (Charity Commission) or `GB-COH` (Companies House), from org-id.guide.
    #[schema(example = "GB-CHC")]
    pub identifier_scheme: String,
    /// What the number is, in words.
    #[schema(example = "Charity number")]
    pub identifier_type: String,
    /// The registration number.
    #[schema(example = "1123456")]
    pub identifier: String,
}

/// A service at one location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukServiceAtLocation {
    /// Stable id: the asset's id with a fixed mask per place.
    pub id: Uuid,
    /// The service (asset).
    pub service_id: Uuid,
    /// The location (venue).
    pub location_id: Uuid,
    /// The location, in full.
    pub location: OrukLocation,
    /// The service, on `GET /oruk/service_at_locations/{id}` and with `full=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub service: Option<Box<OrukService>>,
}

/// A venue, or the virtual location of an online asset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukLocation {
    /// The venue's id (or a derived id for the virtual location).
    pub id: Uuid,
    /// `physical` for a venue, `virtual` for online.
    #[schema(example = "physical")]
    pub location_type: String,
    /// The venue's name, or `Online`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Sale Library")]
    pub name: Option<String>,
    /// WGS 84 latitude; given only when the submitter gave the point (otherwise the postcode
    /// places it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// WGS 84 longitude, with `latitude`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// The venue's web page (HSDS 3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The venue's phone (HSDS 3.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<OrukPhone>,
    /// The venue's address (at most one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<OrukAddress>,
    /// Accessibility features, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accessibility: Vec<OrukAccessibility>,
    /// Taxonomy terms: venue type, setting and accessibility features.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<OrukAttribute>,
}

/// A postal address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukAddress {
    /// Stable id of the address.
    pub id: Uuid,
    /// The location it belongs to.
    pub location_id: Uuid,
    /// First address line (empty when the venue gave only a postcode).
    pub address_1: String,
    /// Further address lines, one per line (HSDS 3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    /// Town or city (empty when not given).
    pub city: String,
    /// The UK nation, derived from the postcode area.
    #[schema(example = "England")]
    pub state_province: String,
    /// The UK postcode (empty when the venue has none).
    #[schema(example = "M33 7ZF")]
    pub postal_code: String,
    /// ISO 3166-1 country code.
    #[schema(example = "GB")]
    pub country: String,
    /// Always `physical`.
    #[schema(example = "physical")]
    pub address_type: String,
}

/// One accessibility feature of a location.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukAccessibility {
    /// Stable id of this feature at this location.
    pub id: Uuid,
    /// The location it belongs to.
    pub location_id: Uuid,
    /// The feature in words.
    #[schema(example = "Hearing loop")]
    pub description: String,
}

/// When a service runs: one weekly session, one dated session, or notes only.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct OrukSchedule {
    /// Stable id of the schedule.
    pub id: Uuid,
    /// The service it is for.
    pub service_id: Uuid,
    /// First date it applies (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Last date it applies (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// The date of a one-off session (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtstart: Option<String>,
    /// `WEEKLY` for a weekly session.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "WEEKLY")]
    pub freq: Option<String>,
    /// Every how many weeks: always 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<i32>,
    /// RFC 5545 day, e.g. `TU`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "TU")]
    pub byday: Option<String>,
    /// Start, UK local wall-clock time `HH:MM:SS` (as the ORUK 3.0 examples write it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "18:00:00")]
    pub opens_at: Option<String>,
    /// End, UK local wall-clock time `HH:MM:SS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "19:30:00")]
    pub closes_at: Option<String>,
    /// The UTC offset, in hours, of `opens_at` and `closes_at` (HSDS 3.1 `timezone`): 0 in
    /// GMT, 1 in British Summer Time. For a dated session, the offset on its day; for a weekly
    /// one, the offset today (or on its first day, if it has not started). The times stay UK
    /// wall-clock times all year.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0.0)]
    pub timezone: Option<f64>,
    /// The session in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The asset's schedule notes, e.g. "not in August".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// An area a service covers, as GeoJSON.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukServiceArea {
    /// Stable id of the area.
    pub id: Uuid,
    /// The service it is for.
    pub service_id: Uuid,
    /// Always `Service area`.
    #[schema(example = "Service area")]
    pub name: String,
    /// A GeoJSON MultiPolygon (WGS 84), as text.
    pub extent: String,
    /// Always `geojson`.
    #[schema(example = "geojson")]
    pub extent_type: String,
}

/// One price.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukCostOption {
    /// Stable id of the price.
    pub id: Uuid,
    /// The service it is for.
    pub service_id: Uuid,
    /// `Free`, `Per session` or `Concession`.
    #[schema(example = "Per session")]
    pub option: String,
    /// Pounds sterling.
    #[schema(example = 3.0)]
    pub amount: f64,
    /// ISO 4217 currency (HSDS 3.1).
    #[schema(example = "GBP")]
    pub currency: String,
}

/// A contact for a service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukContact {
    /// Stable id of the contact.
    pub id: Uuid,
    /// The service it is for.
    pub service_id: Uuid,
    /// Who to ask for, a person or a role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail (HSDS 3.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phones (HSDS 3.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<OrukPhone>,
}

/// A phone number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukPhone {
    /// Stable id of the phone.
    pub id: Uuid,
    /// The phone number as written.
    #[schema(example = "0161 912 3456")]
    pub number: String,
}

/// A taxonomy term attached to a service or location, with a value for terms that carry one
/// (HSDS 3.0 `value`, e.g. `true` for "drop in").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukAttribute {
    /// Stable id of this attribute.
    pub id: Uuid,
    /// The service or location it describes.
    pub link_id: Uuid,
    /// `service` or `location`.
    #[schema(example = "service")]
    pub link_type: String,
    /// The term it attaches.
    pub taxonomy_term_id: Uuid,
    /// The fact, for detail terms: `true`/`false`, a number or text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The term, in full.
    pub taxonomy_term: OrukTaxonomyTerm,
}

/// A term of one of the feed's taxonomies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukTaxonomyTerm {
    /// The term's id (an interest term keeps our vocabulary id).
    pub id: Uuid,
    /// A stable code: the interest's slug, or e.g. `group`, `drop_in`.
    #[schema(example = "walking-football")]
    pub code: String,
    /// The term's label.
    #[schema(example = "Walking football")]
    pub name: String,
    /// What the term means.
    pub description: String,
    /// The broader term, for interests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    /// The taxonomy's name.
    pub taxonomy: String,
    /// The taxonomy's id.
    pub taxonomy_id: Uuid,
    /// The term's URI in its source vocabulary (OpenActive) where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_uri: Option<String>,
}

/// A taxonomy the feed uses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrukTaxonomy {
    /// Stable id of the taxonomy.
    pub id: Uuid,
    /// Its name, also given as each term's `taxonomy`.
    #[schema(example = "community-assets interests")]
    pub name: String,
    /// What it classifies.
    pub description: String,
    /// Where it is defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

macro_rules! oruk_page {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $name {
            /// How many records match, on all pages.
            pub total_items: i64,
            /// How many pages there are (at least 1).
            pub total_pages: i64,
            /// This page's number, from 1.
            pub page_number: i64,
            /// How many records this page holds.
            pub size: i64,
            /// `true` on page 1.
            pub first_page: bool,
            /// `true` on the last page (and beyond it).
            pub last_page: bool,
            /// `true` when this page holds no records.
            pub empty: bool,
            /// The records on this page.
            pub contents: Vec<$item>,
        }
    };
}

oruk_page!(
    /// A page of services.
    OrukServicePage,
    OrukService
);
oruk_page!(
    /// A page of organisations.
    OrukOrganizationPage,
    OrukOrganization
);
oruk_page!(
    /// A page of services at locations.
    OrukServiceAtLocationPage,
    OrukServiceAtLocation
);
oruk_page!(
    /// A page of taxonomies.
    OrukTaxonomyPage,
    OrukTaxonomy
);
oruk_page!(
    /// A page of taxonomy terms.
    OrukTaxonomyTermPage,
    OrukTaxonomyTerm
);
