//! Invitation links (邀请链接) for parties: the token is shown once, only its hash
//! is kept, and a link is valid for a bounded number of days.

use sha2::{Digest, Sha256};

/// Allowed validity of a link, in days.
pub const VALID_DAYS: std::ops::RangeInclusive<u32> = 1..=30;
pub const DEFAULT_VALID_DAYS: u32 = 7;

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token is 64 hex characters (32 random bytes); anything else is not one
/// of ours and is refused before touching the database.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Encodes 32 random bytes as the link's token (hex: safe in URLs and QR codes).
pub fn token_from_bytes(bytes: &[u8; 32]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hashed_and_recognised() {
        let token = token_from_bytes(&[7; 32]);
        assert!(looks_like_token(&token));
        assert_ne!(token_hash(&token), token);
        assert_eq!(token_hash(&token).len(), 64);
        for bad in [
            "",
            "../../etc/passwd",
            &token[..63],
            &format!("{}g", &token[..63]),
        ] {
            assert!(!looks_like_token(bad), "{bad}");
        }
    }
}
