//! `community-assets export` and `restore`: the whole directory as one JSON document, and back
//! into an empty database. Every table is copied column by column as PostgreSQL renders it
//! (geometries as hex EWKB, arrays as JSON arrays), so nothing is lost in translation;
//! generated columns are left for the database to compute again. API keys are exported without
//! their secret hashes: restored keys are revoked, and new ones must be issued. The audit log
//! comes along, renumbered after the restoring database's own entries. Webhook subscriptions
//! and their deliveries stay behind: their signing secrets must not leave the database, so
//! subscribers subscribe again.

use anyhow::{Context, bail};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Jsonb, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value, json};

pub const FORMAT: &str = "community-assets-export";
pub const VERSION: i64 = 1;

/// Tables in an order that respects their foreign keys. The interest phrases are derived from
/// the vocabulary and rebuilt by `migrate`, so they are not exported.
pub const TABLES: [&str; 15] = [
    "organizations",
    "venues",
    "interest_terms",
    "assets",
    "asset_sessions",
    "asset_interests",
    "api_keys",
    "asset_pending_changes",
    "referrals",
    "imports",
    "import_links",
    "openactive_sources",
    "openactive_feeds",
    "openactive_items",
    "audit_events",
];

#[derive(QueryableByName)]
struct Rows {
    #[diesel(sql_type = Jsonb)]
    rows: Value,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The columns a restore writes: every stored one, not the generated ones.
async fn columns(conn: &mut AsyncPgConnection, table: &str) -> anyhow::Result<Vec<String>> {
    let rows: Vec<Column> = diesel::sql_query(
        "SELECT column_name AS name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' \
         ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|c| c.name).collect())
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Every table's rows, in primary-key order (for stable, comparable files).
pub async fn export(conn: &mut AsyncPgConnection) -> anyhow::Result<Value> {
    let mut tables = Map::new();
    for table in TABLES {
        let mut cols = columns(conn, table).await?;
        if table == "api_keys" {
            cols.retain(|c| c != "secret_hash");
        }
        // Transaction ids belong to the database that wrote them; restored entries take the
        // restoring transaction's, so the change feed serves them once, after what it holds.
        if table == "audit_events" {
            cols.retain(|c| c != "txid");
        }
        let list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.ord), '[]'::jsonb) AS rows FROM \
             (SELECT {list}, row_number() OVER (ORDER BY {list}) AS ord FROM {t}) r",
            t = quote(table)
        );
        let mut rows = diesel::sql_query(sql).get_result::<Rows>(conn).await?.rows;
        if let Some(items) = rows.as_array_mut() {
            for item in items {
                if let Some(obj) = item.as_object_mut() {
                    obj.remove("ord");
                }
            }
        }
        tables.insert(table.to_string(), rows);
    }
    Ok(json!({
        "format": FORMAT,
        "version": VERSION,
        "exported_at": chrono::Utc::now(),
        "tables": tables,
    }))
}

/// How many rows of each table a restore wrote.
pub type Restored = Vec<(String, usize)>;

/// Loads an export into a migrated database that holds no directory yet. One transaction: all
/// or nothing.
pub async fn restore(conn: &mut AsyncPgConnection, document: &Value) -> anyhow::Result<Restored> {
    if document.get("format").and_then(Value::as_str) != Some(FORMAT) {
        bail!("not a community-assets export (no \"format\": \"{FORMAT}\")");
    }
    let version = document.get("version").and_then(Value::as_i64);
    if version != Some(VERSION) {
        bail!("export version {version:?} is not one this build reads ({VERSION})");
    }
    let tables = document
        .get("tables")
        .and_then(Value::as_object)
        .context("the export has no tables")?
        .clone();
    conn.transaction(async |conn| {
        // API keys may exist already (an admin key to run the service with); they are not part of
        // the directory, and exported keys keep their own ids.
        for table in ["organizations", "venues", "assets", "imports"] {
            let n = diesel::sql_query(format!("SELECT count(*) AS n FROM {}", quote(table)))
                .get_result::<Count>(conn)
                .await?
                .n;
            if n > 0 {
                bail!("restore needs an empty directory, but {table} has {n} rows");
            }
        }
        let mut restored = Vec::new();
        for table in TABLES {
            let rows = tables.get(table).cloned().unwrap_or(json!([]));
            let count = rows.as_array().map_or(0, Vec::len);
            let cols = columns(conn, table).await?;
            let present: Vec<&String> = rows
                .as_array()
                .and_then(|r| <[Value]>::first(r))
                .and_then(Value::as_object)
                .map(|first| cols.iter().filter(|c| first.contains_key(c.as_str())).collect())
                .unwrap_or_default();
            if count > 0 {
                // The database's own audit entries (its admin key's creation) come first;
                // restored entries follow in their original order, numbered anew.
                let (present, order) = if table == "audit_events" {
                    let kept = present.into_iter().filter(|c| c.as_str() != "id").collect();
                    (kept, " ORDER BY r.id")
                } else {
                    (present, "")
                };
                let mut list: Vec<String> = present.iter().map(|c| quote(c)).collect();
                let mut select: Vec<String> = present.iter().map(|c| format!("r.{}", quote(c))).collect();
                if table == "api_keys" {
                    // Secrets never leave the database: restored keys are revoked and unusable.
                    list.push(quote("secret_hash"));
                    select.push("sha256(convert_to(gen_random_uuid()::text, 'UTF8'))".to_string());
                }
                // `migrate` loaded this build's vocabulary already; exported terms it lacks are
                // added (assets may use them), the ones it has are kept.
                let conflict = if table == "interest_terms" {
                    " ON CONFLICT DO NOTHING"
                } else {
                    ""
                };
                let sql = format!(
                    "INSERT INTO {t} ({list}) SELECT {select} FROM jsonb_populate_recordset(NULL::{t}, $1) r{order}{conflict}",
                    t = quote(table),
                    list = list.join(", "),
                    select = select.join(", ")
                );
                diesel::sql_query(sql)
                    .bind::<Jsonb, _>(rows)
                    .execute(conn)
                    .await
                    .with_context(|| format!("restoring {table}"))?;
            }
            restored.push((table.to_string(), count));
        }
        // Only the restored keys: the database's own keys keep working.
        diesel::sql_query(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) \
             WHERE id IN (SELECT (k->>'id')::uuid FROM jsonb_array_elements($1) k)",
        )
        .bind::<Jsonb, _>(tables.get("api_keys").cloned().unwrap_or(json!([])))
        .execute(conn)
        .await?;
        // Index the names of every term, then rebuild every asset's search columns.
        let terms = crate::db::interests::all_terms(conn).await?;
        crate::db::interests::upsert_vocabulary(conn, &terms).await?;
        diesel::sql_query("SELECT refresh_asset_search(array(SELECT id FROM assets))")
            .execute(conn)
            .await?;
        // An export whose assets have no audit entries (a demo directory, an older build's)
        // still reaches the change feed.
        crate::db::audit::record_unrecorded_assets(conn).await?;
        anyhow::Ok(restored)
    })
    .await
}
