//! Logging in (server only): argon2 password hashes, the axum-login backend over
//! our accounts table, the login delays per account and address, and who the
//! client is behind a trusted proxy.

use crate::db::{self, Db, DbError, accounts::Account};
use crate::domain::access::{Actor, Role};
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum_login::{AuthUser, AuthnBackend, UserId};
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

/// Login throttling (#21). Failures are counted per **account and client
/// address together**: after [`FREE_FAILURES`] wrong passwords from one address
/// for one account, the next try from that address for that account waits a
/// delay that doubles with each further failure (1 s, 2 s, 4 s … at most
/// [`MAX_DELAY_SECS`]). A stranger elsewhere cannot lock anybody out: the
/// account's owner, from her own address, is never delayed by them. A success
/// clears the pair. Against one address trying many accounts, each address has
/// a budget of [`ADDRESS_FAILURE_BUDGET`] failures per [`ADDRESS_WINDOW_MS`];
/// beyond it that address waits for the window to end. Behind a reverse proxy
/// the address is the client's only when the proxy is configured as trusted
/// (`PINGYI_TRUSTED_PROXIES`, see [`TrustedProxies`]).
#[derive(Clone, Default)]
pub struct LoginLimits {
    inner: Arc<std::sync::Mutex<Throttle>>,
}

/// Wrong passwords allowed per account and address before delays start.
pub const FREE_FAILURES: u32 = 5;
/// The longest delay between two tries of one account from one address.
pub const MAX_DELAY_SECS: u64 = 15 * 60;
/// Failures one address may make (over all accounts) per window.
pub const ADDRESS_FAILURE_BUDGET: u32 = 50;
pub const ADDRESS_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures one account may take from all addresses together per window: a
/// guess spread over many addresses stops here. Addresses from which the
/// account has logged in before are not held back by it (the owner is not
/// locked out by a stranger's guessing).
pub const ACCOUNT_FAILURE_BUDGET: u32 = 30;
/// Addresses remembered per account as its own (the most recent logins).
const KNOWN_ADDRESSES: usize = 4;
/// A pair not failing for this long is forgotten.
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;
/// Entries kept before old ones are swept (bounded memory under a spray).
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
struct Throttle {
    /// (account, address) → (failures, when the last one was).
    pairs: std::collections::HashMap<(String, String), (u32, i64)>,
    /// address → (failures in the window, when the window began).
    addresses: std::collections::HashMap<String, (u32, i64)>,
    /// account → its failures over all addresses in the window.
    accounts: std::collections::HashMap<String, AccountWindow>,
}

#[derive(Default)]
struct AccountWindow {
    failures: u32,
    since: i64,
    /// Where the account last logged in from, newest last.
    known: Vec<String>,
}

/// The key an address is counted under: an IPv6 client holds a whole /64 (one
/// line or host gets billions of addresses), so the /64 is one address here;
/// an IPv4-mapped IPv6 address is its IPv4 address. Anything else as given.
pub fn address_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => address.to_owned(),
    }
}

/// The wait after `failures` consecutive failures of one pair. Pure.
pub fn delay_after(failures: u32) -> u64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    (1u64 << doublings).min(MAX_DELAY_SECS)
}

impl Throttle {
    /// Keeps memory bounded: past `MAX_ENTRIES`, what no longer delays anyone
    /// goes; if a spray still fills it, the pairs that impose no delay go, then
    /// all pairs (the address and account budgets still hold).
    fn sweep(&mut self, now: i64) {
        if self.pairs.len() + self.addresses.len() + self.accounts.len() < MAX_ENTRIES {
            return;
        }
        self.pairs
            .retain(|_, (n, last)| now - *last < (delay_after(*n) as i64) * 1000 + 60_000);
        self.addresses
            .retain(|_, (_, since)| now - *since < ADDRESS_WINDOW_MS);
        self.accounts
            .retain(|_, w| now - w.since < ADDRESS_WINDOW_MS || !w.known.is_empty());
        if self.pairs.len() > MAX_ENTRIES / 2 {
            self.pairs.retain(|_, (n, _)| delay_after(*n) > 0);
        }
        if self.pairs.len() > MAX_ENTRIES / 2 {
            self.pairs.clear();
        }
        // A spray of made-up usernames: the entries that hold nobody back go
        // first, then every one without a known address (the ceiling is a
        // second line; the per-address budget still holds).
        if self.accounts.len() > MAX_ENTRIES / 2 {
            self.accounts
                .retain(|_, w| !w.known.is_empty() || w.failures >= ACCOUNT_FAILURE_BUDGET / 2);
        }
        if self.accounts.len() > MAX_ENTRIES / 2 {
            self.accounts.retain(|_, w| !w.known.is_empty());
        }
        if self.addresses.len() > MAX_ENTRIES / 2 {
            self.addresses
                .retain(|_, (n, _)| *n >= ADDRESS_FAILURE_BUDGET / 2);
        }
    }

    fn wait(&self, address: &str, account: &str, now: i64) -> Option<u64> {
        if let Some((failures, since)) = self.addresses.get(address)
            && *failures >= ADDRESS_FAILURE_BUDGET
            && now - since < ADDRESS_WINDOW_MS
        {
            return Some(secs_until(since + ADDRESS_WINDOW_MS, now));
        }
        if let Some(window) = self.accounts.get(account)
            && window.failures >= ACCOUNT_FAILURE_BUDGET
            && now - window.since < ADDRESS_WINDOW_MS
            && !window.known.iter().any(|known| known == address)
        {
            return Some(secs_until(window.since + ADDRESS_WINDOW_MS, now));
        }
        let (failures, last) = self
            .pairs
            .get(&(account.to_owned(), address.to_owned()))
            .copied()?;
        let until = last.saturating_add((delay_after(failures) as i64).saturating_mul(1000));
        (now < until && now - last < FORGET_AFTER_MS).then(|| secs_until(until, now))
    }
}

fn secs_until(until: i64, now: i64) -> u64 {
    u64::try_from((until - now + 999) / 1000)
        .unwrap_or(1)
        .max(1)
}

impl LoginLimits {
    fn throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Err(seconds to wait)` while this address must wait before trying this
    /// account again; otherwise the try is counted as a failure until
    /// [`LoginLimits::succeeded`] says otherwise.
    pub fn check(&self, address: &str, account: &str) -> Result<(), u64> {
        self.check_at(address, account, crate::db::now_ms())
    }

    pub fn check_at(&self, address: &str, account: &str, now: i64) -> Result<(), u64> {
        let account = account.trim().to_lowercase();
        let address = address_key(address);
        let mut throttle = self.throttle();
        throttle.sweep(now);
        if let Some(wait) = throttle.wait(&address, &account, now) {
            return Err(wait);
        }
        let pair = throttle
            .pairs
            .entry((account.clone(), address.clone()))
            .or_insert((0, now));
        if now - pair.1 >= FORGET_AFTER_MS {
            *pair = (0, now);
        }
        *pair = (pair.0.saturating_add(1), now);
        let window = throttle.addresses.entry(address).or_insert((0, now));
        if now - window.1 >= ADDRESS_WINDOW_MS {
            *window = (0, now);
        }
        window.0 = window.0.saturating_add(1);
        let window = throttle.accounts.entry(account).or_default();
        if now - window.since >= ADDRESS_WINDOW_MS {
            (window.failures, window.since) = (0, now);
        }
        window.failures = window.failures.saturating_add(1);
        Ok(())
    }

    /// The try was right: the pair starts over, the address's and the
    /// account's budgets get their try back, and the address is remembered
    /// as the account's own.
    pub fn succeeded(&self, address: &str, account: &str) {
        let account = account.trim().to_lowercase();
        let address = address_key(address);
        let mut throttle = self.throttle();
        throttle.pairs.remove(&(account.clone(), address.clone()));
        if let Some(window) = throttle.addresses.get_mut(&address) {
            window.0 = window.0.saturating_sub(1);
        }
        let window = throttle.accounts.entry(account).or_default();
        window.failures = window.failures.saturating_sub(1);
        window.known.retain(|known| *known != address);
        window.known.push(address);
        if window.known.len() > KNOWN_ADDRESSES {
            window.known.remove(0);
        }
    }
}

/// Which connections' `X-Forwarded-For` names the real client (#21). By default
/// none: the header is anybody's to write, so it is believed only when the
/// connection comes from a configured proxy (`PINGYI_TRUSTED_PROXIES`: addresses
/// or CIDR ranges, comma-separated). Then the client is the right-most address
/// in the header that is not itself a trusted proxy.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    nets: Vec<(std::net::IpAddr, u8)>,
}

impl TrustedProxies {
    /// Parses "10.0.0.1, 10.1.0.0/16, ::1"; an empty string trusts nobody.
    pub fn parse(raw: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let addr: std::net::IpAddr = addr.trim().parse().map_err(|_| {
                format!(
                    "PINGYI_TRUSTED_PROXIES：无法识别的地址 {item} / not an address or CIDR range"
                )
            })?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| {
                        format!("PINGYI_TRUSTED_PROXIES：前缀长度无效 {item} / bad prefix length")
                    })?,
            };
            // An IPv4 address written as IPv6 (::ffff:10.0.0.5, as logs of a
            // server listening on [::] show it) is that IPv4 address, and its
            // prefix counts the 96 bits of the mapping.
            let (addr, bits) = match addr {
                std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => (
                        std::net::IpAddr::V4(v4),
                        bits.checked_sub(96).ok_or_else(|| {
                            format!(
                                "PINGYI_TRUSTED_PROXIES：前缀长度无效 {item} / bad prefix length"
                            )
                        })?,
                    ),
                    None => (addr, bits),
                },
                v4 => (v4, bits),
            };
            nets.push((addr, bits));
        }
        Ok(TrustedProxies { nets })
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    pub fn trusts(&self, ip: std::net::IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets
            .iter()
            .any(|(net, bits)| in_net(ip, canonical(*net), *bits))
    }

    /// The client behind a connection from `peer` carrying these headers.
    pub fn client_address(
        &self,
        peer: std::net::IpAddr,
        headers: &http::HeaderMap,
    ) -> std::net::IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            let Ok(ip) = hop.parse::<std::net::IpAddr>() else {
                // Garbage in the chain: stop at the last address we could trust.
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 is the IPv4 address.
fn canonical(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
        v4 => v4,
    }
}

fn in_net(ip: std::net::IpAddr, net: std::net::IpAddr, bits: u8) -> bool {
    use std::net::IpAddr;
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            // A prefix longer than the address cannot match anything but
            // itself; it never widens the net.
            let shift = 32u32.saturating_sub(u32::from(bits));
            let mask = u32::MAX.checked_shl(shift).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let shift = 128u32.saturating_sub(u32::from(bits));
            let mask = u128::MAX.checked_shl(shift).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// What an [`crate::live::AccessFeed`] carries when a session ends (a logout):
/// the open live sockets of that session close at once (4401).
pub fn session_ended_key(session_id: &str) -> String {
    format!("session:{session_id}")
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
    // A party's admission ends with its invitation: revoked, or past its expiry.
    let now = db::now_ms();
    let still_valid = db::invitations::get(db, &pass.invitation_id)
        .await?
        .is_some_and(|inv| inv.revoked_at.is_none() && inv.expires_at > now);
    if !still_valid {
        // End the session itself, not just this answer.
        if let Err(e) = auth.session.flush().await {
            tracing::warn!(error = %e, "an ended party session could not be deleted");
        }
        return Ok(None);
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_tries_and_double_up_to_the_cap() {
        assert_eq!(delay_after(0), 0);
        assert_eq!(delay_after(FREE_FAILURES - 1), 0);
        assert_eq!(delay_after(FREE_FAILURES), 1);
        assert_eq!(delay_after(FREE_FAILURES + 1), 2);
        assert_eq!(delay_after(FREE_FAILURES + 3), 8);
        assert_eq!(delay_after(FREE_FAILURES + 40), MAX_DELAY_SECS);
    }

    #[test]
    fn one_pair_is_slowed_others_are_not_and_a_success_starts_over() {
        let limits = LoginLimits::default();
        let t = 1_000_000;
        for _ in 0..FREE_FAILURES {
            assert_eq!(limits.check_at("10.0.0.1", "head", t), Ok(()));
        }
        assert_eq!(limits.check_at("10.0.0.1", "head", t), Err(1));
        assert_eq!(
            limits.check_at("10.0.0.1", "HEAD ", t),
            Err(1),
            "names fold"
        );
        // The owner elsewhere, and the stranger on another account: untouched.
        assert_eq!(limits.check_at("10.0.0.2", "head", t), Ok(()));
        assert_eq!(limits.check_at("10.0.0.1", "clerk", t), Ok(()));
        assert_eq!(limits.check_at("10.0.0.1", "head", t + 1000), Ok(()));
        assert_eq!(limits.check_at("10.0.0.1", "head", t + 1000), Err(2));
        limits.succeeded("10.0.0.1", "head");
        assert_eq!(limits.check_at("10.0.0.1", "head", t + 1000), Ok(()));
    }

    #[test]
    fn one_address_has_a_failure_budget_over_all_accounts() {
        let limits = LoginLimits::default();
        let t = 5_000_000;
        for i in 0..ADDRESS_FAILURE_BUDGET {
            assert_eq!(limits.check_at("10.9.9.9", &format!("u{i}"), t), Ok(()));
        }
        assert!(limits.check_at("10.9.9.9", "fresh", t).is_err());
        assert_eq!(limits.check_at("10.9.9.8", "fresh", t), Ok(()));
        assert_eq!(
            limits.check_at("10.9.9.9", "fresh", t + ADDRESS_WINDOW_MS),
            Ok(())
        );
    }

    #[test]
    fn a_guess_spread_over_many_addresses_stops_at_the_account_budget_but_not_its_owner() {
        let limits = LoginLimits::default();
        let t = 9_000_000;
        limits.succeeded("192.0.2.7", "head");
        for i in 0..ACCOUNT_FAILURE_BUDGET {
            assert_eq!(
                limits.check_at(&format!("10.1.{}.{}", i / 200, i % 200), "head", t),
                Ok(())
            );
        }
        assert!(
            limits.check_at("10.2.0.1", "head", t).is_err(),
            "a new address waits"
        );
        assert_eq!(
            limits.check_at("192.0.2.7", "head", t),
            Ok(()),
            "the owner's own address does not"
        );
        assert_eq!(
            limits.check_at("10.2.0.1", "clerk", t),
            Ok(()),
            "other accounts are untouched"
        );
        assert_eq!(
            limits.check_at("10.2.0.1", "head", t + ADDRESS_WINDOW_MS),
            Ok(()),
            "the window passes"
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_a_mapped_ipv4_as_itself() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:10.0.0.5"), "10.0.0.5");
        assert_eq!(address_key("10.0.0.5"), "10.0.0.5");
        assert_eq!(address_key("-"), "-");
        let limits = LoginLimits::default();
        let t = 7_000_000;
        for i in 0..FREE_FAILURES {
            assert_eq!(
                limits.check_at(&format!("2001:db8:1:2::{i:x}"), "head", t),
                Ok(())
            );
        }
        assert!(
            limits
                .check_at("2001:db8:1:2:dead:beef::9", "head", t)
                .is_err(),
            "a fresh address in the same /64 is the same client"
        );
        assert_eq!(limits.check_at("2001:db8:1:3::1", "head", t), Ok(()));
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 10.1.2.3".parse().unwrap());
        let peer: std::net::IpAddr = "10.0.0.5".parse().unwrap();
        let nobody = TrustedProxies::parse("").unwrap();
        assert!(nobody.is_empty());
        assert_eq!(nobody.client_address(peer, &headers), peer);
        let proxies = TrustedProxies::parse("10.0.0.5, 10.1.0.0/16").unwrap();
        assert_eq!(
            proxies.client_address(peer, &headers),
            "203.0.113.9".parse::<std::net::IpAddr>().unwrap()
        );
        // From a peer that is not a proxy, the header is ignored.
        let stranger: std::net::IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(proxies.client_address(stranger, &headers), stranger);
        // Garbage stops the walk at the last trusted hop.
        headers.insert("x-forwarded-for", "203.0.113.9, junk".parse().unwrap());
        assert_eq!(proxies.client_address(peer, &headers), peer);
        // IPv4-mapped IPv6 peers are their IPv4 address.
        let mapped: std::net::IpAddr = "::ffff:10.0.0.5".parse().unwrap();
        assert!(proxies.trusts(mapped));
        // A proxy written the way a server on [::] logs it is that one proxy,
        // not every IPv4 client (its /128 once made the mask zero).
        let written_mapped = TrustedProxies::parse("::ffff:10.0.0.5").unwrap();
        assert!(written_mapped.trusts(peer));
        assert!(written_mapped.trusts(mapped));
        assert!(!written_mapped.trusts("203.0.113.9".parse().unwrap()));
        assert_eq!(
            written_mapped.client_address("203.0.113.7".parse().unwrap(), &headers),
            "203.0.113.7".parse::<std::net::IpAddr>().unwrap()
        );
        let mapped_range = TrustedProxies::parse("::ffff:10.1.0.0/112").unwrap();
        assert!(mapped_range.trusts("10.1.200.3".parse().unwrap()));
        assert!(!mapped_range.trusts("10.2.0.1".parse().unwrap()));
        assert!(TrustedProxies::parse("::ffff:10.0.0.5/64").is_err());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert!(
            TrustedProxies::parse("::1, fd00::/8")
                .unwrap()
                .trusts("fd12::1".parse().unwrap())
        );
    }
}
