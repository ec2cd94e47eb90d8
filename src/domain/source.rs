//! An OpenActive source as an admin registers or changes it: a publisher's feeds, the licence
//! and credit its data asks for, how often to read it. The checks that need the network's
//! rules (a feed on the public internet) are `services::sources`'.

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// 1 to 10 distinct http(s) URLs.
fn feed_urls() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^https?://[^\u0000-\u0020\u007F-\u009F]{1,492}$")),
        )
        .min_items(Some(1))
        .max_items(Some(10))
        .unique_items(true)
        .description(Some(
            "The RPDE feed URLs to read (1 to 10, each once), e.g. its session-series and \
             scheduled-sessions feeds, as the publisher's dataset site lists them; `http://` or \
             `https://`, on the public internet.",
        ))
        .examples([serde_json::json!([
            "https://leisure.example.org/feeds/session-series",
            "https://leisure.example.org/feeds/scheduled-sessions"
        ])])
        .build()
}

/// A publisher's OpenActive feeds to harvest.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// What to call the source, e.g. the publisher's name; 1 to 200 characters.
    #[schema(
        example = "Example Leisure Trust",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// The RPDE feed URLs to read (1 to 10), e.g. its session-series and scheduled-sessions
    /// feeds, as the publisher's dataset site lists them; `http://` or `https://`, on the
    /// public internet.
    #[schema(schema_with = feed_urls)]
    pub feeds: Vec<String>,
    /// Put every listing under this organisation (uuid); omit to place each under an
    /// organisation for its `organizer`, made when first seen.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    /// The licence the data is published under (a URL), shown on every listing.
    #[schema(
        example = "https://creativecommons.org/licenses/by/4.0/",
        pattern = r"^https?://[^\u0000-\u0020\u007F-\u009F]{1,492}$"
    )]
    pub licence: String,
    /// The credit the licence asks for, shown on every listing; 1 to 500 characters.
    #[schema(
        example = "Contains data from Example Leisure Trust, published under CC BY 4.0",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,498}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub attribution: String,
    /// The page the credit links to (the publisher's dataset site).
    #[serde(default)]
    #[schema(
        example = "https://leisure.example.org/openactive",
        pattern = r"^(https?://[^\u0000-\u0020\u007F-\u009F]{1,492})?$"
    )]
    pub attribution_url: Option<String>,
    /// How often to read the feeds again once at their end, in seconds: 60 to 604,800
    /// (a week); default 900.
    #[serde(default)]
    #[schema(example = 900, minimum = 60, maximum = 604800)]
    pub poll_interval_secs: Option<i64>,
    /// `false` registers the source paused; default `true`.
    #[serde(default)]
    #[schema(example = true)]
    pub enabled: Option<bool>,
}

/// Changes to a source; what is omitted stays as it is.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcePatch {
    /// A new name; 1 to 200 characters.
    #[serde(default)]
    #[schema(
        example = "Example Leisure Trust",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: Option<String>,
    /// A new licence URL; every listing of the source shows it.
    #[serde(default)]
    #[schema(
        example = "https://creativecommons.org/licenses/by/4.0/",
        pattern = r"^https?://[^\u0000-\u0020\u007F-\u009F]{1,492}$"
    )]
    pub licence: Option<String>,
    /// A new credit; every listing of the source shows it.
    #[serde(default)]
    #[schema(
        example = "Contains data from Example Leisure Trust, published under CC BY 4.0",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,498}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub attribution: Option<String>,
    /// A new page for the credit.
    #[serde(default)]
    #[schema(
        example = "https://leisure.example.org/openactive",
        pattern = r"^(https?://[^\u0000-\u0020\u007F-\u009F]{1,492})?$"
    )]
    pub attribution_url: Option<String>,
    /// A new polling interval, 60 to 604,800 seconds.
    #[serde(default)]
    #[schema(example = 3600, minimum = 60, maximum = 604800)]
    pub poll_interval_secs: Option<i64>,
    /// `false` pauses harvesting; `true` resumes it from where it stopped.
    #[serde(default)]
    #[schema(example = false)]
    pub enabled: Option<bool>,
}
