//! Queries on the interest vocabulary and on assets' interests.

use diesel::prelude::*;
use diesel::sql_types::{Double, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::DbResult;
use super::schema::{asset_interests, interest_phrases, interest_terms};
use crate::domain::phrase;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = interest_terms, check_for_backend(diesel::pg::Pg))]
pub struct TermRef {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
    /// The concept's URI where the term comes from a published scheme (OpenActive's).
    pub source_uri: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = interest_terms, check_for_backend(diesel::pg::Pg))]
pub struct TermRow {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
    pub parent_id: Option<Uuid>,
    pub domain: String,
    pub synonyms: Vec<String>,
    pub definition: Option<String>,
    pub source: String,
    pub source_uri: Option<String>,
}

/// How strongly a way of naming a term identifies it: its slug beats its label beats a synonym.
fn kind_rank(kind: &str) -> u8 {
    match kind {
        "slug" => 0,
        "label" => 1,
        _ => 2,
    }
}

/// Finds the term a phrase names exactly (id, slug, label or synonym, ignoring case and
/// punctuation).
pub async fn resolve(conn: &mut AsyncPgConnection, raw: &str) -> DbResult<Option<TermRef>> {
    Ok(resolve_how(conn, raw).await?.map(|(term, _)| term))
}

/// How a phrase named a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedBy {
    Id,
    Slug,
    Label,
    Synonym,
}

/// Like `resolve`, and says whether the phrase was the term's id, slug, label or a synonym.
pub async fn resolve_how(
    conn: &mut AsyncPgConnection,
    raw: &str,
) -> DbResult<Option<(TermRef, NamedBy)>> {
    if let Ok(id) = Uuid::parse_str(raw.trim()) {
        let found: Option<TermRef> = interest_terms::table
            .find(id)
            .select(TermRef::as_select())
            .first(conn)
            .await
            .optional()?;
        return Ok(found.map(|t| (t, NamedBy::Id)));
    }
    let normalised = phrase::normalise(raw);
    let mut matches: Vec<(TermRef, String)> = interest_phrases::table
        .inner_join(interest_terms::table)
        .filter(interest_phrases::phrase.eq(&normalised))
        .select((TermRef::as_select(), interest_phrases::kind))
        .load(conn)
        .await?;
    matches.sort_by(|(a, ak), (b, bk)| {
        kind_rank(ak)
            .cmp(&kind_rank(bk))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    Ok(matches.into_iter().next().map(|(term, kind)| {
        let how = match kind.as_str() {
            "slug" => NamedBy::Slug,
            "label" => NamedBy::Label,
            _ => NamedBy::Synonym,
        };
        (term, how)
    }))
}

pub async fn by_slug(conn: &mut AsyncPgConnection, slug: &str) -> DbResult<Option<TermRef>> {
    Ok(interest_terms::table
        .filter(interest_terms::slug.eq(slug))
        .select(TermRef::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The term directly above, unless it is the root of a whole domain (which has no parent).
pub async fn broader(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<TermRef>> {
    let (child, parent) = diesel::alias!(interest_terms as child, interest_terms as parent);
    Ok(child
        .inner_join(
            parent.on(parent
                .field(interest_terms::id)
                .nullable()
                .eq(child.field(interest_terms::parent_id))),
        )
        .filter(child.field(interest_terms::id).eq(id))
        .filter(parent.field(interest_terms::parent_id).is_not_null())
        .select((
            parent.field(interest_terms::id),
            parent.field(interest_terms::slug),
            parent.field(interest_terms::label),
            parent.field(interest_terms::source_uri),
        ))
        .first::<(Uuid, String, String, Option<String>)>(conn)
        .await
        .optional()?
        .map(|(id, slug, label, source_uri)| TermRef {
            id,
            slug,
            label,
            source_uri,
        }))
}

#[derive(QueryableByName)]
struct Suggestion {
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Double)]
    #[allow(dead_code)]
    score: f64,
}

/// Slugs of the terms whose names look most like the phrase (trigram similarity).
pub async fn suggest(conn: &mut AsyncPgConnection, raw: &str, limit: i64) -> DbResult<Vec<String>> {
    let rows: Vec<Suggestion> = diesel::sql_query(
        "SELECT t.slug, max(similarity(p.phrase, $1))::float8 AS score \
         FROM interest_phrases p JOIN interest_terms t ON t.id = p.term_id \
         WHERE p.phrase % $1 \
         GROUP BY t.slug ORDER BY score DESC, t.slug LIMIT $2",
    )
    .bind::<Text, _>(phrase::normalise(raw))
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.slug).collect())
}

#[derive(QueryableByName)]
struct TermId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// The terms and every term below them in the tree.
pub async fn with_narrower(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> DbResult<Vec<Uuid>> {
    let rows: Vec<TermId> = diesel::sql_query(
        "WITH RECURSIVE tree AS (SELECT id FROM interest_terms WHERE id = ANY ($1) \
         UNION SELECT t.id FROM interest_terms t JOIN tree ON t.parent_id = tree.id) \
         SELECT id FROM tree ORDER BY id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

#[derive(QueryableByName)]
struct Fingerprint {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Changes whenever a term's names, place in the tree or id change.
pub async fn fingerprint(conn: &mut AsyncPgConnection) -> DbResult<String> {
    let row: Fingerprint = diesel::sql_query(
        "SELECT count(*)::text || ':' || coalesce(md5(string_agg(id::text || slug || label || \
         coalesce(parent_id::text, '') || array_to_string(synonyms, '|'), ',' ORDER BY id)), '') \
         AS value FROM interest_terms",
    )
    .get_result(conn)
    .await?;
    Ok(row.value)
}

pub async fn all_terms(conn: &mut AsyncPgConnection) -> DbResult<Vec<TermRow>> {
    Ok(interest_terms::table
        .select(TermRow::as_select())
        .order(interest_terms::slug)
        .load(conn)
        .await?)
}

pub async fn for_assets(
    conn: &mut AsyncPgConnection,
    asset_ids: &[Uuid],
) -> DbResult<Vec<(Uuid, TermRef)>> {
    Ok(asset_interests::table
        .inner_join(interest_terms::table)
        .filter(asset_interests::asset_id.eq_any(asset_ids))
        .select((asset_interests::asset_id, TermRef::as_select()))
        .order((asset_interests::asset_id, interest_terms::label))
        .load(conn)
        .await?)
}

pub async fn set_for_asset(
    conn: &mut AsyncPgConnection,
    asset_id: Uuid,
    term_ids: &[Uuid],
) -> DbResult<()> {
    diesel::delete(asset_interests::table.filter(asset_interests::asset_id.eq(asset_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = term_ids
        .iter()
        .map(|t| {
            (
                asset_interests::asset_id.eq(asset_id),
                asset_interests::term_id.eq(*t),
            )
        })
        .collect();
    diesel::insert_into(asset_interests::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Inserts or updates the vocabulary and rebuilds the phrase index. Terms are never deleted
/// here, because assets may point at them. Returns the ids of existing terms whose names
/// changed, whose assets' search text is then stale.
pub async fn upsert_vocabulary(
    conn: &mut AsyncPgConnection,
    terms: &[TermRow],
) -> DbResult<Vec<Uuid>> {
    use diesel::upsert::excluded;
    let before: std::collections::HashMap<Uuid, (String, Vec<String>)> = interest_terms::table
        .select((
            interest_terms::id,
            interest_terms::label,
            interest_terms::synonyms,
        ))
        .load::<(Uuid, String, Vec<String>)>(conn)
        .await?
        .into_iter()
        .map(|(id, label, synonyms)| (id, (label, synonyms)))
        .collect();
    let renamed: Vec<Uuid> = terms
        .iter()
        .filter(|t| {
            before
                .get(&t.id)
                .is_some_and(|(label, synonyms)| *label != t.label || *synonyms != t.synonyms)
        })
        .map(|t| t.id)
        .collect();
    for chunk in terms.chunks(1000) {
        diesel::insert_into(interest_terms::table)
            .values(chunk)
            .on_conflict(interest_terms::id)
            .do_update()
            .set((
                interest_terms::slug.eq(excluded(interest_terms::slug)),
                interest_terms::label.eq(excluded(interest_terms::label)),
                interest_terms::parent_id.eq(excluded(interest_terms::parent_id)),
                interest_terms::domain.eq(excluded(interest_terms::domain)),
                interest_terms::synonyms.eq(excluded(interest_terms::synonyms)),
                interest_terms::definition.eq(excluded(interest_terms::definition)),
                interest_terms::source.eq(excluded(interest_terms::source)),
                interest_terms::source_uri.eq(excluded(interest_terms::source_uri)),
            ))
            .execute(conn)
            .await?;
    }
    let mut phrases: Vec<(String, Uuid, &'static str)> = Vec::new();
    for term in terms {
        phrases.push((phrase::normalise(&term.slug), term.id, "slug"));
        phrases.push((phrase::normalise(&term.label), term.id, "label"));
        for synonym in &term.synonyms {
            phrases.push((phrase::normalise(synonym), term.id, "synonym"));
        }
    }
    // Keep the strongest kind when one term is named the same way twice.
    phrases.sort_by(|a, b| (&a.0, a.1, kind_rank(a.2)).cmp(&(&b.0, b.1, kind_rank(b.2))));
    phrases.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    phrases.retain(|p| !p.0.is_empty());
    let ids: Vec<Uuid> = terms.iter().map(|t| t.id).collect();
    diesel::delete(interest_phrases::table.filter(interest_phrases::term_id.eq_any(&ids)))
        .execute(conn)
        .await?;
    for chunk in phrases.chunks(5000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(p, id, kind)| {
                (
                    interest_phrases::phrase.eq(p),
                    interest_phrases::term_id.eq(*id),
                    interest_phrases::kind.eq(*kind),
                )
            })
            .collect();
        diesel::insert_into(interest_phrases::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(renamed)
}

/// The term that carries this concept URI of a published scheme (an OpenActive activity).
pub async fn by_source_uri(conn: &mut AsyncPgConnection, uri: &str) -> DbResult<Option<Uuid>> {
    Ok(interest_terms::table
        .filter(interest_terms::source_uri.eq(uri))
        .select(interest_terms::id)
        .first(conn)
        .await
        .optional()?)
}
