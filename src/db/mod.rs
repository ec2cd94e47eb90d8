//! The data layer: the connection pool, migrations, and every SQL query, one module per table
//! group. Nothing outside this module writes SQL.

use std::time::Duration;

use anyhow::Context;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub mod api_keys;
pub mod assets;
pub mod audit;
pub mod changes;
pub mod connect;
pub mod coverage;
pub mod freshness;
pub mod idempotency;
pub mod imports;
pub mod interests;
pub mod matching;
pub mod organizations;
pub mod oruk;
pub mod referrals;
pub mod replicas;
pub mod schema;
pub mod search;
pub mod sql;
pub mod venues;
pub mod webhooks;

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had: the database is down or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule would be broken.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<DieselError> for DbError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                DbError::Conflict(format!(
                    "a record with the same key already exists ({})",
                    info.message()
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | DieselError::BrokenTransactionManager => DbError::Unavailable(error.to_string()),
            _ => DbError::Other(anyhow::Error::new(error)),
        }
    }
}

impl From<PoolError> for DbError {
    fn from(error: PoolError) -> Self {
        DbError::Unavailable(error.to_string())
    }
}

pub type DbResult<T> = Result<T, DbError>;

pub fn pool(database_url: &str, max_size: usize) -> anyhow::Result<DbPool> {
    // The default recycle check sends `SELECT 1` on every checkout: a round trip per request.
    // A connection that died is reported on first use (as a 503) and then discarded.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(|url| Box::pin(connect::establish(url)));
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .context("building the database connection pool")
}

pub async fn connect(pool: &DbPool) -> DbResult<DbConn> {
    Ok(pool.get().await?)
}

/// Applies pending migrations. Runs on a blocking thread because the migration harness is
/// synchronous.
pub async fn migrate(database_url: &str) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        let conn = tokio::runtime::Handle::current()
            .block_on(connect::establish(&url))
            .context("connecting to the database to migrate it")?;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        let applied = conn.run_pending_migrations(MIGRATIONS).map_err(|e| {
            anyhow::anyhow!(
                "migrating the database failed: {e}. The migrations create the postgis and pg_trgm \
                 extensions; on a server you manage, create them once as a superuser \
                 (CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm;) or run the migration as one"
            )
        })?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
    .context("the migration thread panicked")?
}
