//! The secrets the server hands out (the links in e-mails, sessions, CSRF
//! tokens): 256 random bits from the system, written in hex; only their
//! SHA-256 is stored, so that the ledger cannot be used to confirm,
//! withdraw or log in.

use sha2::{Digest, Sha256};

/// A new secret.
pub fn new() -> String {
    let mut bytes = [0u8; 32];
    // The system's randomness failing is not something a server can go on
    // without: every token would be guessable.
    getrandom::fill(&mut bytes).expect("the system's random numbers are available");
    hex(&bytes)
}

/// What the ledger keeps of a secret.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Whether a token is one this server could have made: 64 hex digits.
/// Anything else is refused before the ledger is asked.
pub fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_new_each_time_and_hashes_differ_from_them() {
        let (a, b) = (new(), new());
        assert_ne!(a, b);
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
        assert!(!well_formed("../../etc/passwd"));
        assert!(!well_formed(&a.to_uppercase()));
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same(&a, &a[1..]));
    }
}
