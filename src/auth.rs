//! API keys and who may do what. A key is `ca_` followed by 43 characters of URL-safe base64
//! (256 random bits); only its SHA-256 is stored, so a database leak does not leak keys.
//! High-entropy secrets need no slow password hash: a lookup by digest is safe and fast.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::error::ApiError;

pub const KEY_PREFIX: &str = "ca_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including creating organisations and keys and publishing assets.
    Admin,
    /// Writes the assets of one organisation.
    Agency,
    /// Reads; may also see its organisation's unpublished assets.
    Reader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agency => "agency",
            Role::Reader => "reader",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "agency" => Some(Role::Agency),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }
}

/// A freshly generated key: the secret goes to the caller once, the hash to the database.
pub struct GeneratedKey {
    pub secret: String,
    pub hash: Vec<u8>,
    pub prefix: String,
}

pub fn generate_key() -> anyhow::Result<GeneratedKey> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    let secret = format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    Ok(GeneratedKey {
        hash: hash_secret(&secret),
        prefix: secret[..KEY_PREFIX.len() + 6].to_string(),
        secret,
    })
}

pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The authenticated key behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub key_id: Uuid,
    pub role: Role,
    pub organization_id: Option<Uuid>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Admins, and agency keys of the organisation itself.
    pub fn can_write_for(&self, organization_id: Uuid) -> bool {
        self.is_admin()
            || (self.role == Role::Agency && self.organization_id == Some(organization_id))
    }

    /// Admins, and any key of the organisation.
    pub fn belongs_to(&self, organization_id: Uuid) -> bool {
        self.is_admin() || self.organization_id == Some(organization_id)
    }
}

/// Who is calling: nobody in particular, or a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Key(Principal),
}

impl Caller {
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Caller::Anonymous => None,
            Caller::Key(p) => Some(p),
        }
    }

    pub fn authenticated(&self) -> Result<&Principal, ApiError> {
        self.principal().ok_or_else(|| {
            ApiError::Unauthorized(
                "this operation needs an API key: send Authorization: Bearer <key>".into(),
            )
        })
    }

    pub fn admin(&self) -> Result<&Principal, ApiError> {
        let p = self.authenticated()?;
        if p.is_admin() {
            Ok(p)
        } else {
            Err(ApiError::Forbidden(
                "this operation needs an admin key".into(),
            ))
        }
    }

    /// A key allowed to write on behalf of the organisation.
    pub fn writer_for(&self, organization_id: Uuid) -> Result<&Principal, ApiError> {
        let p = self.authenticated()?;
        match p.role {
            _ if p.can_write_for(organization_id) => Ok(p),
            Role::Reader => Err(ApiError::Forbidden(
                "a reader key cannot change anything".into(),
            )),
            _ => Err(ApiError::Forbidden(
                "this key belongs to another organisation".into(),
            )),
        }
    }

    /// Whether the caller may see records of the organisation that the public may not.
    pub fn sees_private_of(&self, organization_id: Uuid) -> bool {
        self.principal()
            .is_some_and(|p| p.belongs_to(organization_id))
    }
}

pub fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        ApiError::Unauthorized("the Authorization header is not readable text".into())
    })?;
    let (scheme, token) = text.trim().split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "use Authorization: Bearer <key>".into(),
        ));
    }
    Ok(Some(token.trim().to_string()))
}

pub async fn authenticate(pool: &DbPool, secret: &str) -> Result<Principal, ApiError> {
    let unknown = || ApiError::Unauthorized("the API key is not valid".into());
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 100 {
        return Err(unknown());
    }
    let hash = hash_secret(secret);
    let mut conn = db::connect(pool).await?;
    let row = db::api_keys::find_by_hash(&mut conn, &hash)
        .await?
        .ok_or_else(unknown)?;
    if !bool::from(row.secret_hash.as_slice().ct_eq(&hash)) {
        return Err(unknown());
    }
    if row.revoked_at.is_some() {
        return Err(ApiError::Unauthorized(
            "the API key has been revoked".into(),
        ));
    }
    let role = Role::parse(&row.role).ok_or_else(unknown)?;
    db::api_keys::touch(&mut conn, row.id).await?;
    Ok(Principal {
        key_id: row.id,
        role,
        organization_id: row.organization_id,
    })
}

/// Who a request comes from, as the rate-limit middleware found it before the request went on:
/// kept in the request's extensions so that the key is looked up once per request. A request
/// whose key fails never gets this far.
#[derive(Debug, Clone)]
pub struct Verified(pub Caller);

/// Looks up the key a request carries, if any.
pub async fn identify(pool: Option<&DbPool>, req: &HttpRequest) -> Result<Caller, ApiError> {
    let Some(token) = bearer_token(req)? else {
        return Ok(Caller::Anonymous);
    };
    let pool =
        pool.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no database pool configured")))?;
    authenticate(pool, &token).await.map(Caller::Key)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(Verified(caller)) = req.extensions().get::<Verified>() {
            let caller = caller.clone();
            return Box::pin(async move { Ok(caller) });
        }
        let req = req.clone();
        Box::pin(async move {
            let pool = req.app_data::<web::Data<DbPool>>().cloned();
            identify(pool.as_deref().map(|p| &**p), &req).await
        })
    }
}

/// A caller that must present a key. Handlers that write take this before their body, so an
/// anonymous write is answered with 401 rather than with complaints about its body.
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            caller.authenticated()?;
            Ok(Authenticated(caller))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, org: Option<Uuid>) -> Principal {
        Principal {
            key_id: Uuid::new_v4(),
            role,
            organization_id: org,
        }
    }

    #[test]
    fn keys_are_random_prefixed_and_hashed() {
        let a = generate_key().unwrap();
        let b = generate_key().unwrap();
        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with("ca_"));
        assert_eq!(a.secret.len(), 3 + 43);
        assert_eq!(a.hash, hash_secret(&a.secret));
        assert_eq!(a.hash.len(), 32);
        assert!(a.secret.starts_with(&a.prefix));
    }

    #[test]
    fn agency_writes_only_its_own_organisation() {
        let (mine, theirs) = (Uuid::new_v4(), Uuid::new_v4());
        let agency = Caller::Key(principal(Role::Agency, Some(mine)));
        assert!(agency.writer_for(mine).is_ok());
        assert!(matches!(
            agency.writer_for(theirs),
            Err(ApiError::Forbidden(_))
        ));
        let admin = Caller::Key(principal(Role::Admin, None));
        assert!(admin.writer_for(theirs).is_ok());
        let reader = Caller::Key(principal(Role::Reader, Some(mine)));
        assert!(matches!(
            reader.writer_for(mine),
            Err(ApiError::Forbidden(_))
        ));
        assert!(reader.sees_private_of(mine));
        assert!(!reader.sees_private_of(theirs));
        assert!(matches!(
            Caller::Anonymous.writer_for(mine),
            Err(ApiError::Unauthorized(_))
        ));
        assert!(matches!(agency.admin(), Err(ApiError::Forbidden(_))));
    }
}
