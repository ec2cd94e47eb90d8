//! The OpenAPI document. It is generated from the handlers' annotations by registering the
//! same routes the server registers, so the served document and the routes cannot disagree;
//! `community-assets openapi` writes the same bytes to `openapi/openapi.json`.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "community-assets",
        description = "A geospatial directory of community assets (local groups, volunteering, courses and activities in mainstream places) that link workers and community mental health teams search and match people to, to help them build social connections.\n\nReads of published assets need no key. Writes need `Authorization: Bearer <key>`: an agency key edits only its own organisation's assets. Every error is an RFC 9457 `application/problem+json` document whose `errors` list names the offending fields.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    modifiers(&BearerKey),
    tags(
        (name = "assets", description = "Groups, volunteering, courses and activities."),
        (name = "organizations", description = "The agencies that run assets."),
        (name = "venues", description = "Where assets happen."),
        (name = "matching", description = "Ranking assets for one person, with reasons."),
        (name = "interests", description = "The interest vocabulary."),
        (name = "postcodes", description = "Offline (and optionally online) postcode geocoding."),
        (name = "api-keys", description = "Keys for writing."),
        (name = "oruk", description = "The directory as an Open Referral UK 3.0 (HSDS 3.0 profile) feed: public, read-only, any origin. Its base URL is `/oruk`."),
        (name = "imports", description = "Importing other directories' ORUK 3.0 and 1.0 feeds."),
        (name = "health", description = "Liveness and readiness."),
    )
)]
struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("API key")
                    .description(Some("An API key, `ca_…`, from an admin (`POST /v1/organizations/{id}/api-keys`) or the CLI."))
                    .build(),
            ),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::configure)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The document as served and as committed: pretty JSON with a final newline.
pub fn to_json() -> String {
    render(&document())
}

/// A document as pretty JSON with a final newline.
pub fn render(doc: &utoipa::openapi::OpenApi) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}
