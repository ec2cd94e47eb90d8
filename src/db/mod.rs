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
pub mod map;
pub mod matching;
pub mod openactive;
pub mod organizations;
pub mod oruk;
pub mod pending_changes;
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
    /// No connection could be had, or it was lost: the database is down, restarting, or the
    /// pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The statement waited too long for a lock another transaction holds, or ran past its
    /// time limit, or lost a deadlock: worth retrying in a moment.
    #[error("{0}")]
    Busy(String),
    /// A uniqueness rule would be broken.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What a server error means for the client. The driver gives diesel the SQLSTATE of only a
/// few errors, so the rest are told apart by PostgreSQL's own wording (English, as under the C
/// locale of the private cluster and the default of managed servers).
fn classify(kind: &DatabaseErrorKind, message: &str) -> Option<DbError> {
    const BUSY: [&str; 4] = [
        "canceling statement due to lock timeout",
        "could not obtain lock",
        "canceling statement due to statement timeout",
        "deadlock detected",
    ];
    const GONE: [&str; 7] = [
        "terminating connection",
        "the database system is",
        "connection closed",
        "error communicating with the server",
        "server closed the connection",
        "connection reset",
        "broken pipe",
    ];
    let lower = message.to_ascii_lowercase();
    let same_moment = || "the change collided with another one made at the same moment".to_string();
    match kind {
        DatabaseErrorKind::ClosedConnection
        | DatabaseErrorKind::UnableToSendCommand
        // A primary turned standby (or read-only) under us.
        | DatabaseErrorKind::ReadOnlyTransaction => Some(DbError::Unavailable(message.to_string())),
        DatabaseErrorKind::SerializationFailure => Some(DbError::Busy(same_moment())),
        _ if BUSY.iter().any(|b| lower.contains(b)) => Some(DbError::Busy(
            if lower.contains("deadlock") {
                same_moment()
            } else if lower.contains("statement timeout") {
                "the database took too long to answer".into()
            } else {
                "a record this change needs is being changed by another request".into()
            },
        )),
        _ if GONE.iter().any(|g| lower.contains(g)) => {
            Some(DbError::Unavailable(message.to_string()))
        }
        _ => None,
    }
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
            DieselError::DatabaseError(kind, info) => classify(kind, info.message())
                .unwrap_or_else(|| DbError::Other(anyhow::Error::new(error))),
            DieselError::BrokenTransactionManager => DbError::Unavailable(error.to_string()),
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

/// Time limits every statement on a pooled connection runs under, below the request timeout,
/// so that a request stuck behind another's lock gives its connection back (with a 503 and
/// `Retry-After`) long before the request itself is abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Longest wait for a lock held by another transaction.
    pub lock_timeout: Duration,
    /// Longest run of one statement.
    pub statement_timeout: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            lock_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(25),
        }
    }
}

impl SessionLimits {
    fn statements(&self) -> String {
        format!(
            "SET lock_timeout = {}; SET statement_timeout = {}",
            self.lock_timeout.as_millis().max(1),
            self.statement_timeout.as_millis().max(1)
        )
    }
}

pub fn pool(database_url: &str, max_size: usize) -> anyhow::Result<DbPool> {
    pool_with(database_url, max_size, SessionLimits::default())
}

pub fn pool_with(
    database_url: &str,
    max_size: usize,
    limits: SessionLimits,
) -> anyhow::Result<DbPool> {
    // The default recycle check sends `SELECT 1` on every checkout: a round trip per request.
    // A connection that died is reported on first use (as a 503) and then discarded.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let setup = limits.statements();
    config.custom_setup = Box::new(move |url| {
        let setup = setup.clone();
        Box::pin(async move {
            use diesel_async::SimpleAsyncConnection;
            let mut conn = connect::establish(url).await?;
            conn.batch_execute(&setup)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        })
    });
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
