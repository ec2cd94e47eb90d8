//! Reference and demo data compiled into the binary from `seed-data/`: the interest
//! vocabulary (always kept current) and the demo directory (loaded into an empty database).
//! Demo records go through the same validation as API submissions.

use std::collections::HashMap;

use anyhow::{Context, bail};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::db::assets::{NewAsset, Placement};
use crate::db::interests::TermRow;
use crate::db::organizations::Source;
use crate::db::{self, DbError};
use crate::domain::asset::{self, AssetInput, AssetStatus};
use crate::domain::organization::{self, OrganizationInput};
use crate::domain::validation::Errors;
use crate::domain::venue::{self, VenueInput};

/// The advisory lock key held while loading the demo (an arbitrary constant: "ca-demo").
const DEMO_LOCK: i64 = 0x63_61_2d_64_65_6d_6f;

const VOCABULARY: &str = include_str!("../seed-data/vocabulary.json");
const ORGANIZATIONS: &str = include_str!("../seed-data/demo/organizations.json");
const VENUES: &str = include_str!("../seed-data/demo/venues.json");
const ASSETS: &str = include_str!("../seed-data/demo/assets.json");

#[derive(Deserialize)]
struct VocabularyFile {
    terms: Vec<VocabularyTerm>,
}

#[derive(Deserialize)]
struct VocabularyTerm {
    id: Uuid,
    slug: String,
    label: String,
    parent: Option<String>,
    domain: String,
    #[serde(default)]
    synonyms: Vec<String>,
    definition: Option<String>,
    source: String,
    source_uri: Option<String>,
}

pub fn vocabulary() -> anyhow::Result<Vec<TermRow>> {
    let file: VocabularyFile =
        serde_json::from_str(VOCABULARY).context("reading seed-data/vocabulary.json")?;
    let ids: HashMap<&str, Uuid> = file.terms.iter().map(|t| (t.slug.as_str(), t.id)).collect();
    file.terms
        .iter()
        .map(|t| {
            let parent_id = match &t.parent {
                Some(slug) => Some(
                    *ids.get(slug.as_str())
                        .with_context(|| format!("term {} has unknown parent {slug}", t.slug))?,
                ),
                None => None,
            };
            Ok(TermRow {
                id: t.id,
                slug: t.slug.clone(),
                label: t.label.clone(),
                parent_id,
                domain: t.domain.clone(),
                synonyms: t.synonyms.clone(),
                definition: t.definition.clone(),
                source: t.source.clone(),
                source_uri: t.source_uri.clone(),
            })
        })
        .collect()
}

pub async fn load_vocabulary(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    let terms = vocabulary()?;
    conn.transaction(async |conn| {
        let renamed = db::interests::upsert_vocabulary(conn, &terms).await?;
        if !renamed.is_empty() {
            tracing::info!(
                terms = renamed.len(),
                "vocabulary terms renamed; refreshing their assets' search text"
            );
            db::search::refresh_for_terms(conn, &renamed).await?;
        }
        Ok::<_, DbError>(())
    })
    .await
    .context("loading the interest vocabulary")?;
    Ok(())
}

#[derive(Deserialize)]
struct SeedOrganization {
    id: Uuid,
    source: String,
    source_id: String,
    #[serde(flatten)]
    input: OrganizationInput,
}

#[derive(Deserialize)]
struct SeedVenue {
    id: Uuid,
    source: String,
    source_id: String,
    #[serde(flatten)]
    input: VenueInput,
}

#[derive(Deserialize)]
struct SeedAsset {
    id: Uuid,
    status: AssetStatus,
    source: String,
    source_id: String,
    example: bool,
    #[serde(flatten)]
    input: AssetInput,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoCounts {
    pub organizations: usize,
    pub venues: usize,
    pub assets: usize,
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> anyhow::Result<Vec<T>> {
    crate::api::json::parse::<Vec<T>>(text.as_bytes())
        .map_err(|e| anyhow::anyhow!("seed-data/demo/{name}: {:?}", e.problem()))
}

fn invalid(
    what: &str,
    id: Uuid,
    errors: Vec<crate::domain::validation::FieldError>,
) -> anyhow::Error {
    anyhow::anyhow!("demo {what} {id} is invalid: {errors:?}")
}

/// Loads the demo directory unless the database already holds assets. Returns what it loaded.
pub async fn load_demo(conn: &mut AsyncPgConnection) -> anyhow::Result<DemoCounts> {
    let organizations: Vec<SeedOrganization> = parse("organizations.json", ORGANIZATIONS)?;
    let venues: Vec<SeedVenue> = parse("venues.json", VENUES)?;
    let assets: Vec<SeedAsset> = parse("assets.json", ASSETS)?;
    let counts = DemoCounts {
        organizations: organizations.len(),
        venues: venues.len(),
        assets: assets.len(),
    };
    let loaded = conn
        .transaction(async |conn| -> anyhow::Result<bool> {
            // Instances started together take turns here, so only the first loads the demo.
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({DEMO_LOCK})"))
                .execute(conn)
                .await?;
            if db::assets::count(conn).await? > 0 {
                return Ok(false);
            }
            for o in &organizations {
                let org = organization::validate(&o.input)
                    .map_err(|e| invalid("organisation", o.id, e))?;
                db::organizations::insert(
                    conn,
                    o.id,
                    &org,
                    Some(Source {
                        name: &o.source,
                        id: &o.source_id,
                    }),
                )
                .await?;
            }
            for v in &venues {
                let mut errors = Errors::default();
                let valid = venue::validate(&v.input, "", &mut errors);
                errors.finish(()).map_err(|e| invalid("venue", v.id, e))?;
                db::venues::insert(
                    conn,
                    v.id,
                    &valid,
                    None,
                    Some(Source {
                        name: &v.source,
                        id: &v.source_id,
                    }),
                    db::venues::NewVenue::PUBLIC,
                )
                .await?;
            }
            for a in &assets {
                let valid = asset::validate(&a.input).map_err(|e| invalid("asset", a.id, e))?;
                let Some(organization_id) = a.input.organization_id else {
                    bail!("demo asset {} has no organization_id", a.id);
                };
                let mut interest_ids = Vec::new();
                for phrase in &valid.interests {
                    match db::interests::resolve(conn, phrase).await? {
                        Some(term) => interest_ids.push(term.id),
                        None => bail!("demo asset {} names unknown interest {phrase:?}", a.id),
                    }
                }
                interest_ids.dedup();
                let new = NewAsset {
                    id: a.id,
                    organization_id,
                    status: a.status,
                    source: Some(Source {
                        name: &a.source,
                        id: &a.source_id,
                    }),
                    is_example: a.example,
                };
                let placement = Placement {
                    venue_id: a.input.venue_id,
                    interest_ids: &interest_ids,
                };
                db::assets::insert(conn, &new, &valid, &placement)
                    .await
                    .map_err(|e: DbError| anyhow::anyhow!("demo asset {}: {e}", a.id))?;
            }
            // In the change feed, so that a mirror built from it holds the demo too.
            db::audit::record_unrecorded_assets(conn).await?;
            Ok(true)
        })
        .await?;
    Ok(if loaded {
        counts
    } else {
        DemoCounts::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_a_consistent_tree() {
        let terms = vocabulary().unwrap();
        assert!(terms.len() > 700, "OpenActive alone has 768 concepts");
        let mut slugs: Vec<_> = terms.iter().map(|t| &t.slug).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), terms.len(), "slugs are unique");
        assert!(terms.iter().any(|t| t.parent_id.is_none()));
    }

    #[test]
    fn demo_files_parse_and_validate() {
        let orgs: Vec<SeedOrganization> = parse("organizations.json", ORGANIZATIONS).unwrap();
        let venues: Vec<SeedVenue> = parse("venues.json", VENUES).unwrap();
        let assets: Vec<SeedAsset> = parse("assets.json", ASSETS).unwrap();
        assert!(!orgs.is_empty() && !venues.is_empty() && !assets.is_empty());
        for o in &orgs {
            organization::validate(&o.input)
                .unwrap_or_else(|e| panic!("organisation {}: {e:?}", o.id));
        }
        for v in &venues {
            let mut errors = Errors::default();
            venue::validate(&v.input, "", &mut errors);
            errors
                .finish(())
                .unwrap_or_else(|e| panic!("venue {}: {e:?}", v.id));
        }
        for a in &assets {
            asset::validate(&a.input).unwrap_or_else(|e| panic!("asset {}: {e:?}", a.id));
        }
        assert!(
            assets.iter().any(|a| a.example),
            "the demo has clearly marked examples"
        );
        assert!(assets.iter().any(|a| !a.example), "and real listings");
    }
}
