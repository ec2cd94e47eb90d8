//! The OpenAPI document. It is generated from the handlers' annotations by registering the
//! same routes the server registers, so the served document and the routes cannot disagree;
//! `community-assets openapi` writes the same bytes to `openapi/openapi.json`.

use actix_web::App;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "community-assets",
        description = "A geospatial directory of community assets (local groups, volunteering, courses and activities in mainstream places) that link workers and community mental health teams search and match people to, to help them build social connections.\n\nReads of published assets need no key. Writes need `Authorization: Bearer <key>`: an agency key edits only its own organisation's assets. Every error is an RFC 9457 `application/problem+json` document whose `errors` list names the offending fields.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/", description = "This service: the host that served this document (`/openapi.json`).")),
    modifiers(&BearerKey),
    tags(
        (name = "assets", description = "Groups, volunteering, courses and activities."),
        (name = "organizations", description = "The agencies that run assets."),
        (name = "openactive", description = "Our listings as an OpenActive RPDE feed, for OpenActive's aggregators (open to any origin)."),
        (name = "sources", description = "OpenActive feeds the service harvests into the directory (admin)."),
        (name = "venues", description = "Where assets happen."),
        (name = "matching", description = "Ranking assets for one person, with reasons."),
        (name = "interests", description = "The interest vocabulary."),
        (name = "postcodes", description = "Offline (and optionally online) postcode geocoding."),
        (name = "api-keys", description = "Keys for writing."),
        (name = "oruk", description = "The directory as an Open Referral UK 3.0 (HSDS 3.0 profile) feed: public, read-only, any origin. Its base URL is `/oruk`."),
        (name = "ogc", description = "The directory as OGC API – Features (Part 1 Core, GeoJSON) under `/ogc`: public, read-only, any origin; GIS clients (QGIS, GDAL/OGR `OAPIF:`) read it directly."),
        (name = "imports", description = "Importing other directories' ORUK 3.0 and 1.0 feeds."),
        (name = "referrals", description = "What became of the assets suggested to people, recorded with no personal data; summed per asset."),
        (name = "webhooks", description = "Asset changes pushed to a team app's URL, signed (Standard Webhooks), retried, and logged."),
        (name = "health", description = "Liveness and readiness."),
        (name = "problems", description = "What each problem `type` (RFC 9457) means: the pages the `type` URIs name."),
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

/// What the middleware (`crate::middleware`) adds to every operation: rate limits (429),
/// abandoned requests (503), `Idempotency-Key` on `POST`, and `Consistency-Token` on writes
/// and on the reads that may be served by a replica. Written once here rather than on every
/// handler, as the middleware is written once.
struct CrossCutting;

/// Operations whose reads may go to a replica (they take `Consistency-Token`).
fn reads_from_replicas(operation_id: &str) -> bool {
    operation_id.starts_with("searchAssets")
        || operation_id == "matchAssets"
        || operation_id.starts_with("oruk")
}

fn problem(description: &str, headers: &[(&str, &str)]) -> RefOr<Response> {
    let mut builder = ResponseBuilder::new().description(description).content(
        crate::error::PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    for (name, text) in headers {
        builder = builder.header(
            *name,
            HeaderBuilder::new()
                .schema(Some(Object::with_type(Type::String)))
                .description(Some(*text))
                .build(),
        );
    }
    RefOr::T(builder.build())
}

/// A header parameter. It has no example: "Try it out" sends an example as given, and neither a
/// made-up Consistency-Token nor one Idempotency-Key for every try is what a caller should send.
fn header_param(name: &str, description: &str, pattern: Option<&str>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(pattern),
        ))
        .build()
}

impl Modify for CrossCutting {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        const RETRY: (&str, &str) = ("Retry-After", "Seconds to wait before retrying.");
        for item in openapi.paths.paths.values_mut() {
            let methods = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in methods {
                let Some(op) = operation.as_mut() else {
                    continue;
                };
                let id = op.operation_id.clone().unwrap_or_default();
                if matches!(id.as_str(), "healthz" | "readyz" | "metrics") {
                    continue;
                }
                let takes_id = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| {
                        matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path && p.name == "id")
                    });
                let responses = &mut op.responses.responses;
                if takes_id {
                    responses
                        .entry("422".into())
                        .or_insert_with(|| problem("The id in the path is not a UUID.", &[]));
                }
                responses.entry("401".into()).or_insert_with(|| {
                    problem(
                        "The `Authorization` header carries a key that is not valid (unknown, revoked or malformed). Operations that need no key refuse a wrong one too, and each such request counts against the address's rate limit.",
                        &[("WWW-Authenticate", "`Bearer`.")],
                    )
                });
                responses.entry("429".into()).or_insert_with(|| {
                    problem(
                        "Too many requests from this API key or address (`CA_RATE_LIMIT_PER_KEY`, `CA_RATE_LIMIT_PER_IP`); retry after `Retry-After` seconds. Every answer to a limited request carries the IETF `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` fields.",
                        &[
                            RETRY,
                            ("RateLimit-Limit", "Requests allowed per minute."),
                            ("RateLimit-Remaining", "Requests that may still be sent now: 0 here."),
                            ("RateLimit-Reset", "Seconds until the whole quota is available again."),
                            ("RateLimit-Policy", "The quota: `{limit};w=60`."),
                        ],
                    )
                });
                responses.entry("503".into()).or_insert_with(|| {
                    problem(
                        "The database is unavailable, or the request took longer than `CA_REQUEST_TIMEOUT_SECS` and was abandoned; retry after `Retry-After` seconds.",
                        &[RETRY],
                    )
                });
                let params = op.parameters.get_or_insert_with(Vec::new);
                if reads_from_replicas(&id) {
                    params.push(RefOr::T(header_param(
                        "Consistency-Token",
                        "The `Consistency-Token` of your last write (e.g. `0/16B3748`): the answer then includes that write even when it is read from a replica. A value that is not such a token sends the read to the primary.",
                        None,
                    )));
                }
                let writes = method != "get" && id != "matchAssets";
                if writes && method == "post" {
                    params.push(RefOr::T(header_param(
                        "Idempotency-Key",
                        "Any unique string (e.g. a fresh UUID such as `5a8c5b38-72e0-5099-b654-1be90fec86ab`) to make a retry safe: a repeat of the same request with the same key within 24 hours gets the first response again (with `Idempotent-Replayed: true`) and changes nothing.",
                        Some(r"^[!-~]{1,255}$"),
                    )));
                    responses.entry("409".into()).or_insert_with(|| {
                        problem(
                            "A request with this `Idempotency-Key` is still being processed (one abandoned for twice the request timeout plus a minute is taken over by its retry); or the first request succeeded and its answer carried a secret shown only once, which is never stored, so the retry is told what was created instead.",
                            &[],
                        )
                    });
                    responses.entry("422".into()).or_insert_with(|| {
                        problem(
                            "The `Idempotency-Key` was used for a different request, or is not 1 to 255 printable ASCII characters.",
                            &[],
                        )
                    });
                }
                if writes {
                    for (status, response) in responses.iter_mut() {
                        if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
                            r.headers.insert(
                                "Consistency-Token".into(),
                                HeaderBuilder::new()
                                    .schema(Some(Object::with_type(Type::String)))
                                    .description(Some("The primary's WAL position after this write: send it back on reads to read your own write from a replica."))
                                    .build()
                                    .into(),
                            );
                        }
                    }
                }
                if params.is_empty() {
                    op.parameters = None;
                }
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::configure)
        .split_for_parts();
    // Handlers' paths are only known once the routes are registered, so the cross-cutting
    // additions are applied to the assembled document.
    CrossCutting.modify(&mut doc);
    add_webhooks(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The request this service sends to a webhook subscriber (OpenAPI 3.1 `webhooks`).
fn add_webhooks(doc: &mut utoipa::openapi::OpenApi) {
    use crate::api::changes::WebhookEvent;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::{PartialSchema, ToSchema};

    let components = doc.components.get_or_insert_with(Default::default);
    let mut schemas = Vec::new();
    WebhookEvent::schemas(&mut schemas);
    schemas.push((WebhookEvent::name().into_owned(), WebhookEvent::schema()));
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    let signed = |name: &str, description: &str, example: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(Object::with_type(Type::String)))
            .example(Some(serde_json::json!(example)))
            .build()
    };
    let delivered = ResponseBuilder::new()
        .description("Any 2xx: delivered. Anything else, or no answer within the timeout, is retried with backoff; 410 pauses the subscription.")
        .build();
    let operation = OperationBuilder::new()
        .operation_id(Some("assetChange"))
        .summary(Some("An asset changed"))
        .description(Some(
            "Sent as a POST to each subscription's `url` for every change its filter selects, in the change feed's order, signed as the Standard Webhooks specification says: `webhook-signature` is `v1,` and the base64 HMAC-SHA256, under the subscription's secret, of `{webhook-id}.{webhook-timestamp}.{body}`. A receiver should check it, reject timestamps more than five minutes away, and ignore a `webhook-id` it has seen (a delivery may be repeated).",
        ))
        .tag("webhooks")
        .parameter(signed("webhook-id", "The delivery's id (a uuid): the same on every retry of it.", "0b6f3f7e-2d2a-4c55-9a57-3f0d8e6a1c42"))
        .parameter(signed("webhook-timestamp", "When this attempt was signed, in seconds since the Unix epoch.", "1764000000"))
        .parameter(signed("webhook-signature", "`v1,` and the signature, space-separated if there are several.", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="))
        .request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("WebhookEvent"))),
                )
                .required(Some(Required::True))
                .build(),
        ))
        .response("200", delivered)
        .build();
    let mut hooks = utoipa::openapi::Paths::new();
    hooks.paths.insert(
        "assetChange".into(),
        PathItem::new(HttpMethod::Post, operation),
    );
    doc.webhooks = Some(hooks);
}

/// The document of the ORUK feed alone, for its `openapi_url`: the `/oruk` operations with
/// paths relative to the feed's base URL (`servers` says where that is), as ORUK validators
/// and importers append them to the base URL they were given.
pub fn feed_document(doc: &utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut feed = doc.clone();
    feed.info.title = "community-assets ORUK 3.0 feed".to_string();
    feed.info.description = Some(
        "The directory's published assets as an Open Referral UK 3.0 (HSDS-UK-3.0) feed: public, read-only, any origin. The service's whole API is described at `/openapi.json`.".to_string(),
    );
    feed.servers = Some(vec![utoipa::openapi::server::Server::new("/oruk")]);
    feed.paths.paths = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix("/oruk")?;
            // `/oruk/` is the same operation as `/oruk`: listed once, as `/`.
            (rest != "/").then(|| {
                let rest = if rest.is_empty() { "/" } else { rest };
                (rest.to_string(), item.clone())
            })
        })
        .collect();
    feed.tags = doc
        .tags
        .as_ref()
        .map(|tags| tags.iter().filter(|t| t.name == "oruk").cloned().collect());
    feed
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
