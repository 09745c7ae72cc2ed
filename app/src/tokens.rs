//! Secrets handed out as URLs or bearer tokens (API tokens, calendar feeds):
//! 256 random bits, shown once, stored only as a SHA-256.

use crate::error::ApiError;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A fresh secret like `pyt_…` (the prefix says what it is when found in a log).
pub fn new_secret(prefix: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a token");
        ApiError::Internal
    })?;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(format!("{prefix}_{body}"))
}

/// What is stored and looked up: hex SHA-256 of the whole secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_hashed() {
        let a = new_secret("pyt").expect("random");
        let b = new_secret("pyt").expect("random");
        assert_ne!(a, b);
        assert!(a.starts_with("pyt_") && a.len() == 4 + 43);
        assert_eq!(secret_hash(&a), secret_hash(&format!(" {a} ")));
        assert_eq!(secret_hash(&a).len(), 64);
    }
}
