//! Stored first responses of `POST` requests sent with an `Idempotency-Key`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::DbResult;
use super::schema::idempotency_keys as keys;

/// How long a key is remembered; a retry after that runs as a new request.
pub const KEEP_HOURS: i32 = 24;

/// What the store knows about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Never seen (or forgotten): the caller now holds it and must complete or release it.
    New,
    /// The first request with this key has not finished yet.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
    /// The first request's response.
    Done {
        status: u16,
        headers: Value,
        body: Vec<u8>,
    },
}

/// request hash, status, headers, body
type StoredRow = (Vec<u8>, Option<i16>, Option<Value>, Option<Vec<u8>>);

pub async fn claim(
    conn: &mut AsyncPgConnection,
    caller_hash: &[u8],
    key: &str,
    request_hash: &[u8],
    in_progress_expiry: chrono::Duration,
) -> DbResult<Claim> {
    let this = keys::caller_hash.eq(caller_hash).and(keys::key.eq(key));
    diesel::delete(keys::table.filter(this).filter(
        keys::created_at.lt(chrono::Utc::now() - chrono::Duration::hours(KEEP_HOURS.into())),
    ))
    .execute(conn)
    .await?;
    let inserted = diesel::insert_into(keys::table)
        .values((
            keys::caller_hash.eq(caller_hash),
            keys::key.eq(key),
            keys::request_hash.eq(request_hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    // A first request that has been "in progress" for longer than any request may run was
    // abandoned (its process died, or it could not be forgotten): this request takes it over.
    let taken_over = diesel::update(
        keys::table
            .filter(this)
            .filter(keys::status.is_null())
            .filter(keys::request_hash.eq(request_hash))
            .filter(keys::created_at.lt(chrono::Utc::now() - in_progress_expiry)),
    )
    .set(keys::created_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    if taken_over == 1 {
        return Ok(Claim::New);
    }
    let stored: Option<StoredRow> = keys::table
        .filter(this)
        .select((
            keys::request_hash,
            keys::status,
            keys::response_headers,
            keys::response_body,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(match stored {
        // Released between our insert and read: let the caller try again as new.
        None => Claim::InProgress,
        Some((hash, _, _, _)) if hash != request_hash => Claim::Mismatch,
        Some((_, Some(status), headers, body)) => Claim::Done {
            status: status as u16,
            headers: headers.unwrap_or(Value::Null),
            body: body.unwrap_or_default(),
        },
        Some((_, None, _, _)) => Claim::InProgress,
    })
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    caller_hash: &[u8],
    key: &str,
    status: u16,
    headers: &Value,
    body: &[u8],
) -> DbResult<()> {
    diesel::update(
        keys::table
            .filter(keys::caller_hash.eq(caller_hash))
            .filter(keys::key.eq(key)),
    )
    .set((
        keys::status.eq(status as i16),
        keys::response_headers.eq(headers),
        keys::response_body.eq(body),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a key whose request failed without a response worth replaying, so a retry runs.
pub async fn release(conn: &mut AsyncPgConnection, caller_hash: &[u8], key: &str) -> DbResult<()> {
    diesel::delete(
        keys::table
            .filter(keys::caller_hash.eq(caller_hash))
            .filter(keys::key.eq(key))
            .filter(keys::status.is_null()),
    )
    .execute(conn)
    .await?;
    Ok(())
}
