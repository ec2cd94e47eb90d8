//! The ORUK feed: pages of published assets as ORUK 3.0 services, services at locations,
//! organisations and taxonomies. Only published assets appear; an organisation appears while it
//! runs at least one.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::assets::AssetRecord;
use crate::db::oruk::{ServiceFilter, TaxonomyFilter, TermFilter};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::oruk::model::*;
use crate::oruk::publish;
use crate::oruk::taxonomy::{self, Taxonomy};

/// Which page, 1-based, and its size.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

macro_rules! envelope {
    ($ty:ident, $total:expr, $paging:expr, $contents:expr) => {{
        let contents = $contents;
        let (total_pages, first_page, last_page) =
            publish::page_numbers($total, $paging.page, $paging.per_page);
        $ty {
            total_items: $total,
            total_pages,
            page_number: $paging.page,
            size: contents.len() as i64,
            first_page,
            last_page,
            empty: contents.is_empty(),
            contents,
        }
    }};
}

/// How much of each service a list gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Id, name, status and last change only.
    Minimal,
    /// Everything but the nested organisation.
    Nested,
    /// Everything, with the organisation nested.
    Full,
}

/// Turns the taxonomy filters of a request into what the data layer selects on.
pub async fn term_filter(
    conn: &mut AsyncPgConnection,
    term_id: Option<Uuid>,
) -> Result<Option<Option<TermFilter>>, ApiError> {
    let Some(id) = term_id else {
        return Ok(None);
    };
    if let Some(term) = taxonomy::fixed_terms().into_iter().find(|t| t.id() == id) {
        let code = term.code.to_string();
        return Ok(Some(Some(match term.taxonomy {
            Taxonomy::Kind => TermFilter::Kind(code),
            Taxonomy::FiveWays => TermFilter::FiveWays(code),
            Taxonomy::VenueType => TermFilter::VenueType(code),
            Taxonomy::Accessibility => TermFilter::Accessibility(code),
            Taxonomy::Details | Taxonomy::Interests => TermFilter::Detail(code),
        })));
    }
    let ids = db::interests::with_narrower(conn, &[id]).await?;
    Ok(Some((!ids.is_empty()).then_some(TermFilter::Interest(ids))))
}

pub fn taxonomy_filter(taxonomy_id: Option<Uuid>) -> Option<Option<TaxonomyFilter>> {
    taxonomy_id.map(|id| {
        Taxonomy::from_id(id).map(|t| match t {
            Taxonomy::Interests => TaxonomyFilter::Interests,
            Taxonomy::FiveWays => TaxonomyFilter::FiveWays,
            Taxonomy::VenueType => TaxonomyFilter::VenueType,
            Taxonomy::Accessibility => TaxonomyFilter::Accessibility,
            Taxonomy::Kind | Taxonomy::Details => TaxonomyFilter::Any,
        })
    })
}

/// The organisations that run these assets, by id.
async fn organizations_by_id<'a>(
    conn: &mut AsyncPgConnection,
    records: impl IntoIterator<Item = &'a AssetRecord>,
) -> Result<HashMap<Uuid, crate::db::organizations::OrganizationRow>, ApiError> {
    let mut ids: Vec<Uuid> = records
        .into_iter()
        .map(|r| r.asset.organization_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(db::oruk::organizations(conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

fn minimal(record: &AssetRecord) -> OrukService {
    let a = &record.asset;
    OrukService {
        id: a.id,
        organization_id: a.organization_id,
        name: a.title.clone(),
        status: "active".to_string(),
        last_modified: Some(a.updated_at),
        ..OrukService::default()
    }
}

async fn services_of(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    detail: Detail,
) -> Result<Vec<OrukService>, ApiError> {
    let records = db::assets::find_many(conn, ids).await?;
    if detail == Detail::Minimal {
        return Ok(records.iter().map(minimal).collect());
    }
    let orgs = if detail == Detail::Full {
        organizations_by_id(conn, &records).await?
    } else {
        HashMap::new()
    };
    Ok(records
        .iter()
        .map(|r| publish::service(r, orgs.get(&r.asset.organization_id)))
        .collect())
}

pub async fn services(
    pool: &DbPool,
    filter: &ServiceFilter,
    paging: Paging,
    detail: Detail,
) -> Result<OrukServicePage, ApiError> {
    let mut conn = db::connect(pool).await?;
    let (total, ids) =
        db::oruk::service_page(&mut conn, filter, paging.offset(), paging.per_page).await?;
    let contents = services_of(&mut conn, &ids, detail).await?;
    Ok(envelope!(OrukServicePage, total, paging, contents))
}

fn not_found(what: &str, id: Uuid) -> ApiError {
    ApiError::NotFound(format!("the feed has no {what} with id {id}"))
}

pub async fn service(pool: &DbPool, id: Uuid) -> Result<OrukService, ApiError> {
    let mut conn = db::connect(pool).await?;
    if !db::oruk::is_published(&mut conn, id).await? {
        return Err(not_found("service", id));
    }
    services_of(&mut conn, &[id], Detail::Full)
        .await?
        .pop()
        .ok_or_else(|| not_found("service", id))
}

pub async fn organizations(
    pool: &DbPool,
    search: Option<&str>,
    paging: Paging,
    services: Option<Detail>,
) -> Result<OrukOrganizationPage, ApiError> {
    let mut conn = db::connect(pool).await?;
    let (total, ids) =
        db::oruk::organization_page(&mut conn, search, paging.offset(), paging.per_page).await?;
    let mut rows = db::oruk::organizations(&mut conn, &ids).await?;
    rows.sort_by_key(|o| o.id);
    let mut contents = Vec::with_capacity(rows.len());
    for org in rows {
        let services = match services {
            Some(detail) => {
                let ids = db::oruk::published_of(&mut conn, org.id).await?;
                services_of(&mut conn, &ids, detail).await?
            }
            None => Vec::new(),
        };
        contents.push(publish::organization(&org, services));
    }
    Ok(envelope!(OrukOrganizationPage, total, paging, contents))
}

pub async fn organization(
    pool: &DbPool,
    id: Uuid,
    full_service: bool,
) -> Result<OrukOrganization, ApiError> {
    let mut conn = db::connect(pool).await?;
    let ids = db::oruk::published_of(&mut conn, id).await?;
    let org = match db::oruk::organizations(&mut conn, &[id]).await?.pop() {
        Some(org) if !ids.is_empty() => org,
        _ => return Err(not_found("organization", id)),
    };
    let services = if full_service {
        services_of(&mut conn, &ids, Detail::Nested).await?
    } else {
        Vec::new()
    };
    Ok(publish::organization(&org, services))
}

pub async fn service_at_locations(
    pool: &DbPool,
    filter: &ServiceFilter,
    paging: Paging,
    full: bool,
) -> Result<OrukServiceAtLocationPage, ApiError> {
    let mut conn = db::connect(pool).await?;
    let (total, placed) =
        db::oruk::service_at_location_page(&mut conn, filter, paging.offset(), paging.per_page)
            .await?;
    let mut ids: Vec<Uuid> = placed.iter().map(|(id, _)| *id).collect();
    ids.dedup();
    let records: HashMap<Uuid, AssetRecord> = db::assets::find_many(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.asset.id, r))
        .collect();
    let orgs = if full {
        organizations_by_id(&mut conn, records.values()).await?
    } else {
        HashMap::new()
    };
    let contents: Vec<OrukServiceAtLocation> = placed
        .iter()
        .filter_map(|(id, place)| {
            let record = records.get(id)?;
            let mut at = publish::service_at_location(record, *place)?;
            if full {
                at.service = Some(Box::new(publish::service(
                    record,
                    orgs.get(&record.asset.organization_id),
                )));
            }
            Some(at)
        })
        .collect();
    Ok(envelope!(
        OrukServiceAtLocationPage,
        total,
        paging,
        contents
    ))
}

pub async fn service_at_location(
    pool: &DbPool,
    id: Uuid,
) -> Result<OrukServiceAtLocation, ApiError> {
    let mut conn = db::connect(pool).await?;
    for (asset_id, place) in publish::service_at_location_candidates(id) {
        if !db::oruk::is_published(&mut conn, asset_id).await? {
            continue;
        }
        let Some(record) = db::assets::find(&mut conn, asset_id).await? else {
            continue;
        };
        if let Some(mut at) = publish::service_at_location(&record, place) {
            let org = db::oruk::organizations(&mut conn, &[record.asset.organization_id])
                .await?
                .pop();
            at.service = Some(Box::new(publish::service(&record, org.as_ref())));
            return Ok(at);
        }
    }
    Err(not_found("service_at_location", id))
}

fn page_of<T: Clone>(all: &[T], paging: Paging) -> Vec<T> {
    all.iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.per_page).unwrap_or(0))
        .cloned()
        .collect()
}

pub fn taxonomies(base: &str, search: Option<&str>, paging: Paging) -> OrukTaxonomyPage {
    let needle = search.map(str::to_lowercase);
    let all: Vec<OrukTaxonomy> = publish::taxonomies(base)
        .into_iter()
        .filter(|t| {
            needle.as_deref().is_none_or(|n| {
                t.name.to_lowercase().contains(n) || t.description.to_lowercase().contains(n)
            })
        })
        .collect();
    let contents = page_of(&all, paging);
    envelope!(OrukTaxonomyPage, all.len() as i64, paging, contents)
}

pub fn taxonomy(base: &str, id: Uuid) -> Result<OrukTaxonomy, ApiError> {
    publish::taxonomies(base)
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| not_found("taxonomy", id))
}

/// Which terms a taxonomy-terms request wants.
#[derive(Debug, Clone, Default)]
pub struct TermQuery {
    pub taxonomy_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub top_only: bool,
    pub search: Option<String>,
}

pub async fn taxonomy_terms(
    pool: &DbPool,
    query: &TermQuery,
    paging: Paging,
) -> Result<OrukTaxonomyTermPage, ApiError> {
    let mut conn = db::connect(pool).await?;
    let vocabulary = db::interests::all_terms(&mut conn).await?;
    let needle = query.search.as_deref().map(str::to_lowercase);
    let all: Vec<OrukTaxonomyTerm> = publish::taxonomy_terms(&vocabulary)
        .into_iter()
        .filter(|t| query.taxonomy_id.is_none_or(|id| t.taxonomy_id == id))
        .filter(|t| query.parent_id.is_none_or(|id| t.parent_id == Some(id)))
        .filter(|t| !query.top_only || t.parent_id.is_none())
        .filter(|t| {
            needle.as_deref().is_none_or(|n| {
                t.name.to_lowercase().contains(n) || t.code.to_lowercase().contains(n)
            })
        })
        .collect();
    let contents = page_of(&all, paging);
    Ok(envelope!(
        OrukTaxonomyTermPage,
        all.len() as i64,
        paging,
        contents
    ))
}

pub async fn taxonomy_term(pool: &DbPool, id: Uuid) -> Result<OrukTaxonomyTerm, ApiError> {
    let mut conn = db::connect(pool).await?;
    let vocabulary = db::interests::all_terms(&mut conn).await?;
    publish::taxonomy_terms(&vocabulary)
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| not_found("taxonomy_term", id))
}
