//! Where reads go. With replicas configured (`DATABASE_REPLICA_URLS`), searches, matches and
//! the ORUK feed read from them in turn, and writes stay on the primary. A replica that cannot
//! be reached is skipped for a few seconds and its reads go to the primary. A client that sends
//! the `Consistency-Token` of its last write (the primary's WAL position after it committed) is
//! served by a replica only once that replica has replayed that far, waiting briefly, else by
//! the primary: it always reads its own writes.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{DbPool, DbResult};
use crate::middleware::metrics::METRICS;

/// How long a replica that failed is left alone.
const DOWN_FOR: Duration = Duration::from_secs(5);
/// How long to wait for a replica to reach a client's last write before using the primary.
const CATCH_UP_WAIT: Duration = Duration::from_millis(1000);
const CONNECT_WAIT: Duration = Duration::from_millis(1500);

struct Replica {
    pool: DbPool,
    down_until: Mutex<Option<Instant>>,
}

impl Replica {
    fn is_down(&self) -> bool {
        self.down_until
            .lock()
            .map(|d| d.is_some_and(|until| until > Instant::now()))
            .unwrap_or(false)
    }

    fn mark_down(&self) {
        if let Ok(mut d) = self.down_until.lock() {
            *d = Some(Instant::now() + DOWN_FOR);
        }
    }
}

pub struct ReadPools {
    primary: DbPool,
    replicas: Vec<Replica>,
    next: AtomicUsize,
}

/// A WAL position as PostgreSQL writes it, e.g. `0/16B3748`.
pub fn valid_lsn(text: &str) -> bool {
    let Some((high, low)) = text.split_once('/') else {
        return false;
    };
    [high, low]
        .iter()
        .all(|part| (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[derive(QueryableByName)]
struct CaughtUp {
    #[diesel(sql_type = Nullable<Bool>)]
    ok: Option<bool>,
}

#[derive(QueryableByName)]
struct Lsn {
    #[diesel(sql_type = Text)]
    lsn: String,
}

/// The primary's WAL position now: after a commit, at or past that commit.
pub async fn current_lsn(conn: &mut AsyncPgConnection) -> DbResult<String> {
    Ok(
        diesel::sql_query("SELECT pg_current_wal_lsn()::text AS lsn")
            .get_result::<Lsn>(conn)
            .await?
            .lsn,
    )
}

async fn has_replayed(conn: &mut AsyncPgConnection, lsn: &str) -> DbResult<bool> {
    let row: CaughtUp = diesel::sql_query("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok")
        .bind::<Text, _>(lsn)
        .get_result(conn)
        .await?;
    Ok(row.ok.unwrap_or(false))
}

impl ReadPools {
    pub fn new(primary: DbPool, replicas: Vec<DbPool>) -> Self {
        ReadPools {
            primary,
            replicas: replicas
                .into_iter()
                .map(|pool| Replica {
                    pool,
                    down_until: Mutex::new(None),
                })
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    pub fn primary(&self) -> &DbPool {
        &self.primary
    }

    /// Every pool with its name, for the metrics.
    pub fn named(&self) -> Vec<(String, &DbPool)> {
        std::iter::once(("primary".to_string(), &self.primary))
            .chain(
                self.replicas
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("replica{}", i + 1), &r.pool)),
            )
            .collect()
    }

    /// The pool a read should use; `min_lsn` is the client's last write, if it sent one.
    pub async fn choose(&self, min_lsn: Option<&str>) -> DbPool {
        let count = self.replicas.len();
        if count == 0 {
            return self.primary.clone();
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..count {
            let replica = &self.replicas[(start + i) % count];
            if replica.is_down() {
                continue;
            }
            let mut conn = match tokio::time::timeout(CONNECT_WAIT, replica.pool.get()).await {
                Ok(Ok(conn)) => conn,
                _ => {
                    tracing::warn!("a read replica cannot be reached; reading from the primary");
                    replica.mark_down();
                    continue;
                }
            };
            if let Some(lsn) = min_lsn {
                let deadline = Instant::now() + CATCH_UP_WAIT;
                let mut caught_up = false;
                while Instant::now() < deadline {
                    match has_replayed(&mut conn, lsn).await {
                        Ok(true) => {
                            caught_up = true;
                            break;
                        }
                        Ok(false) => tokio::time::sleep(Duration::from_millis(25)).await,
                        Err(_) => {
                            replica.mark_down();
                            break;
                        }
                    }
                }
                if !caught_up {
                    continue;
                }
            }
            METRICS.replica_reads.with_label_values(&["replica"]).inc();
            return replica.pool.clone();
        }
        METRICS.replica_reads.with_label_values(&["fallback"]).inc();
        self.primary.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_positions_are_two_hex_halves() {
        assert!(valid_lsn("0/16B3748"));
        assert!(valid_lsn("FFFFFFFF/0"));
        for bad in ["", "0", "0/", "/1", "0/G", "123456789/0", "0/1/2", "0x/1"] {
            assert!(!valid_lsn(bad), "{bad}");
        }
    }
}
