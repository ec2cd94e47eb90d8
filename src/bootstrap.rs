//! Getting a usable database: the one in DATABASE_URL, or the private cluster; then the
//! database itself, migrations and the vocabulary.

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::config::DbArgs;
use crate::local_cluster::LocalCluster;
use crate::seed;

pub const DATABASE_NAME: &str = "community_assets";

/// The advisory lock key held while migrating (an arbitrary constant: "ca-migr" in ASCII).
const MIGRATION_LOCK: i64 = 0x63_61_2d_6d_69_67_72;

pub struct Database {
    pub url: String,
    /// The private cluster, when this process started it and so should stop it.
    pub started_cluster: Option<LocalCluster>,
}

impl Database {
    pub fn shutdown(&self) {
        if let Some(cluster) = &self.started_cluster
            && let Err(e) = cluster.stop()
        {
            tracing::warn!(error = %e, "could not stop the private PostgreSQL cluster");
        }
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Creates the database on the cluster if it is missing.
pub async fn ensure_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = crate::db::connect::establish(admin_url)
        .await
        .context("connecting to PostgreSQL")?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        // Identifiers cannot be bound; the name is ours, not user input.
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

/// Resolves the database to use, starting the private cluster if there is no DATABASE_URL,
/// and brings its schema and vocabulary up to date.
pub async fn open(args: &DbArgs) -> anyhow::Result<Database> {
    let database = match &args.database_url {
        Some(url) => Database {
            url: url.clone(),
            started_cluster: None,
        },
        None => {
            let cluster_args = args.cluster.clone();
            let (cluster, started) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let cluster = LocalCluster::prepare(&cluster_args.data_dir, cluster_args.pg_port)?;
                let started = cluster.start(false)?;
                Ok((cluster, started))
            })
            .await??;
            ensure_database(&cluster.url("postgres"), DATABASE_NAME).await?;
            Database {
                url: cluster.url(DATABASE_NAME),
                started_cluster: started.then_some(cluster),
            }
        }
    };
    let prepared = async {
        // Instances starting together on one database take turns: the first migrates and
        // loads the vocabulary, the others then find nothing left to do.
        let mut conn = crate::db::connect::establish(&database.url).await?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .execute(&mut conn)
            .await
            .context("waiting for another instance to finish migrating")?;
        let result = async {
            let applied = crate::db::migrate(&database.url).await?;
            if !applied.is_empty() {
                tracing::info!(migrations = ?applied, "applied migrations");
            }
            seed::load_vocabulary(&mut conn).await
        }
        .await;
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .execute(&mut conn)
            .await?;
        result
    }
    .await;
    if let Err(e) = prepared {
        database.shutdown();
        return Err(e);
    }
    Ok(database)
}
