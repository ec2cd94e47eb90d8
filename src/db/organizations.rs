//! Queries on organisations.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use super::schema::organizations;
use crate::domain::organization::Organization;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct OrganizationRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub charity_number: Option<String>,
    pub company_number: Option<String>,
    pub trusted: bool,
    pub source: Option<String>,
    pub source_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl OrganizationRow {
    pub fn to_domain(&self) -> Organization {
        Organization {
            name: self.name.clone(),
            description: self.description.clone(),
            website: self.website.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            charity_number: self.charity_number.clone(),
            company_number: self.company_number.clone(),
            trusted: self.trusted,
        }
    }
}

/// Where a record came from when it was loaded rather than submitted (seed data, imports).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub id: &'a str,
}

/// The columns a submission sets, shared by insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
struct OrganizationContent<'a> {
    name: &'a str,
    description: Option<&'a str>,
    website: Option<&'a str>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    charity_number: Option<&'a str>,
    company_number: Option<&'a str>,
    trusted: bool,
}

fn content(org: &Organization) -> OrganizationContent<'_> {
    OrganizationContent {
        name: &org.name,
        description: org.description.as_deref(),
        website: org.website.as_deref(),
        email: org.email.as_deref(),
        phone: org.phone.as_deref(),
        charity_number: org.charity_number.as_deref(),
        company_number: org.company_number.as_deref(),
        trusted: org.trusted,
    }
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    org: &Organization,
    source: Option<Source<'_>>,
) -> DbResult<OrganizationRow> {
    Ok(diesel::insert_into(organizations::table)
        .values((
            content(org),
            organizations::id.eq(id),
            organizations::source.eq(source.map(|s| s.name)),
            organizations::source_id.eq(source.map(|s| s.id)),
        ))
        .returning(OrganizationRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<OrganizationRow>> {
    Ok(organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Updates the organisation and the search text of its assets, which includes its name.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    org: &Organization,
) -> DbResult<OrganizationRow> {
    let row = diesel::update(organizations::table.find(id))
        .set((
            content(org),
            organizations::updated_at.eq(diesel::dsl::now),
            organizations::version.eq(organizations::version + 1),
        ))
        .returning(OrganizationRow::as_returning())
        .get_result(conn)
        .await?;
    super::search::refresh_organization(conn, id).await?;
    Ok(row)
}
