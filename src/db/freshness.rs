//! An organisation's listings by how current they are: the queries behind
//! `GET /v1/organizations/{id}/assets`.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use super::sql::Sql;
use crate::domain::freshness::Window;

/// When a listing was last known to be current; `crate::domain::freshness::last_confirmed`.
const LAST_CONFIRMED: &str = "coalesce(a.confirmed_at, a.created_at)";

pub struct Listing {
    pub organization_id: Uuid,
    pub statuses: Vec<String>,
    /// Last-confirmation ranges `[from, until)` to include (any of them); empty: all.
    pub windows: Vec<Window>,
    /// The last row of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub fetch: i64,
}

#[derive(QueryableByName)]
pub struct ListedRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub last_confirmed: DateTime<Utc>,
}

/// The page's assets, the longest unconfirmed first.
pub async fn list(conn: &mut AsyncPgConnection, q: &Listing) -> DbResult<Vec<ListedRow>> {
    let mut sql = Sql::new();
    let org = sql.bind::<diesel::sql_types::Uuid, _>(q.organization_id);
    let statuses = sql.bind::<Array<Text>, _>(q.statuses.clone());
    let mut clauses = vec![
        format!("a.organization_id = {org}"),
        format!("a.status = ANY({statuses})"),
    ];
    if !q.windows.is_empty() {
        let mut any = Vec::new();
        for (from, until) in &q.windows {
            let mut parts = vec!["true".to_string()];
            if let Some(from) = from {
                let from = sql.bind::<Timestamptz, _>(*from);
                parts.push(format!("{LAST_CONFIRMED} >= {from}"));
            }
            if let Some(until) = until {
                let until = sql.bind::<Timestamptz, _>(*until);
                parts.push(format!("{LAST_CONFIRMED} < {until}"));
            }
            any.push(format!("({})", parts.join(" AND ")));
        }
        clauses.push(format!("({})", any.join(" OR ")));
    }
    if let Some((last, id)) = q.after {
        let last = sql.bind::<Timestamptz, _>(last);
        let id = sql.bind::<diesel::sql_types::Uuid, _>(id);
        clauses.push(format!("({LAST_CONFIRMED}, a.id) > ({last}, {id})"));
    }
    let fetch = sql.bind::<BigInt, _>(q.fetch);
    sql.push(&format!(
        "SELECT a.id, {LAST_CONFIRMED} AS last_confirmed FROM assets a WHERE {} \
         ORDER BY {LAST_CONFIRMED}, a.id LIMIT {fetch}",
        clauses.join(" AND ")
    ));
    Ok(sql.query.load(conn).await?)
}

#[derive(QueryableByName, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    #[diesel(sql_type = BigInt)]
    pub fresh: i64,
    #[diesel(sql_type = BigInt)]
    pub due: i64,
    #[diesel(sql_type = BigInt)]
    pub stale: i64,
}

/// How many of the organisation's listings in these statuses are in each state, given the
/// moments before which a listing is due and stale.
pub async fn counts(
    conn: &mut AsyncPgConnection,
    organization_id: Uuid,
    statuses: &[String],
    due_before: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> DbResult<Counts> {
    Ok(diesel::sql_query(format!(
        "SELECT count(*) FILTER (WHERE {LAST_CONFIRMED} >= $3) AS fresh, \
                count(*) FILTER (WHERE {LAST_CONFIRMED} < $3 AND {LAST_CONFIRMED} >= $4) AS due, \
                count(*) FILTER (WHERE {LAST_CONFIRMED} < $4) AS stale \
         FROM assets a WHERE a.organization_id = $1 AND a.status = ANY($2)"
    ))
    .bind::<diesel::sql_types::Uuid, _>(organization_id)
    .bind::<Array<Text>, _>(statuses.to_vec())
    .bind::<Timestamptz, _>(due_before)
    .bind::<Timestamptz, _>(stale_before)
    .get_result(conn)
    .await?)
}
