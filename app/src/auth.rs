//! Logging in (server only): argon2 password hashes, the axum-login backend over
//! our accounts table, and the per-IP / per-account login rate limits.

use crate::db::{self, Db, DbError, accounts::Account};
use crate::domain::access::{Actor, Role};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum_login::{AuthUser, AuthnBackend, UserId};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};

pub type AuthSession = axum_login::AuthSession<Backend>;

/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// The logged-in account as the session knows it; reloaded on every request, so a
/// disabled account or a changed role takes effect at once.
#[derive(Clone)]
pub struct SessionUser {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The password hash: changing the password ends every other session.
    auth_hash: Vec<u8>,
}

impl std::fmt::Debug for SessionUser {
    // Never print the hash, not even in debug logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("id", &self.id)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

impl SessionUser {
    pub fn actor(&self) -> Actor {
        Actor::account(self.id.clone(), self.roles.clone())
    }
}

impl From<Account> for SessionUser {
    fn from(a: Account) -> Self {
        SessionUser {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            roles: a.roles,
            auth_hash: a.password_hash.into_bytes(),
        }
    }
}

impl AuthUser for SessionUser {
    type Id = String;

    fn id(&self) -> String {
        self.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Clone)]
pub struct Backend {
    db: Db,
}

impl Backend {
    pub fn new(db: Db) -> Self {
        Backend { db }
    }
}

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = AuthError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<SessionUser>, AuthError> {
        let account = db::accounts::by_username(&self.db, creds.username.trim()).await?;
        // Verify against a dummy hash when the name is unknown, so that the time
        // taken does not tell which usernames exist.
        let hash = match &account {
            Some(a) => a.password_hash.clone(),
            None => dummy_hash().to_owned(),
        };
        let matches = verify_password(creds.password, hash).await?;
        Ok(account
            .filter(|a| matches && !a.disabled)
            .map(SessionUser::from))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<SessionUser>, AuthError> {
        Ok(db::accounts::get(&self.db, id)
            .await?
            .filter(|a| !a.disabled)
            .map(SessionUser::from))
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password").unwrap_or_default())
}

fn hash_now(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Hashes with argon2id off the async workers (it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| AuthError::Hash(e.to_string()))?
}

pub async fn verify_password(password: String, hash: String) -> Result<bool, AuthError> {
    tokio::task::spawn_blocking(move || {
        // An account without a password yet: do the same work, then refuse.
        let no_password = hash == crate::db::accounts::NO_PASSWORD;
        let hash = if no_password {
            dummy_hash().to_owned()
        } else {
            hash
        };
        let parsed = PasswordHash::new(&hash).map_err(|e| AuthError::Hash(e.to_string()))?;
        if no_password {
            let _ = Argon2::default().verify_password(password.as_bytes(), &parsed);
            return Ok(false);
        }
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| AuthError::Hash(e.to_string()))?
}

/// Login attempts allowed before a pause: per client address and per username,
/// so that neither one machine nor a spread-out attack on one account gets far.
#[derive(Clone)]
pub struct LoginLimits {
    per_ip: Arc<DefaultKeyedRateLimiter<String>>,
    per_account: Arc<DefaultKeyedRateLimiter<String>>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        let quota = |burst: u32, per_minute: u32| {
            Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
        };
        LoginLimits {
            per_ip: Arc::new(RateLimiter::keyed(quota(20, 20))),
            per_account: Arc::new(RateLimiter::keyed(quota(5, 5))),
        }
    }
}

impl LoginLimits {
    /// `Err(seconds to wait)` when either limit is exhausted.
    pub fn check(&self, ip: &str, username: &str) -> Result<(), u64> {
        let clock = governor::clock::DefaultClock::default();
        for (limiter, key) in [(&self.per_ip, ip), (&self.per_account, username)] {
            if let Err(not_until) = limiter.check_key(&key.to_owned()) {
                use governor::clock::Clock;
                return Err(not_until.wait_time_from(clock.now()).as_secs().max(1));
            }
        }
        Ok(())
    }
}

/// Where a party's admission is kept in its session.
pub const PARTY_KEY: &str = "pingyi.party";

/// A party admitted to one hearing by an invitation link.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PartyPass {
    pub invitation_id: String,
    pub hearing_id: String,
    pub kind: crate::domain::access::PartyKind,
    pub name: String,
}

/// Who is asking, from the session: an account (reloaded by axum-login on every
/// request), or a party whose invitation has not been revoked since.
pub async fn current_actor(
    db: &Db,
    auth: &AuthSession,
) -> Result<Option<(Actor, String)>, DbError> {
    if let Some(user) = &auth.user {
        return Ok(Some((user.actor(), user.display_name.clone())));
    }
    let Some(pass) = party_pass(auth).await else {
        return Ok(None);
    };
    let still_valid = db::invitations::get(db, &pass.invitation_id)
        .await?
        .is_some_and(|inv| inv.revoked_at.is_none());
    Ok(still_valid.then(|| {
        (
            Actor::party(pass.invitation_id, pass.hearing_id, pass.kind),
            pass.name,
        )
    }))
}

pub async fn party_pass(auth: &AuthSession) -> Option<PartyPass> {
    auth.session
        .get::<PartyPass>(PARTY_KEY)
        .await
        .ok()
        .flatten()
}
