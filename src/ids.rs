//! Fresh identifiers for events and requests: version 4 UUIDs.
//!
//! They need to be unique, not secret (the signature is what authenticates
//! a delivery), so they come from a fast per-thread generator seeded from
//! the operating system rather than from a system call per UUID, which a
//! burst of mocks would pay twice per request.

use uuid::Uuid;

pub fn fresh() -> Uuid {
    uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<Uuid> = (0..10_000).map(|_| fresh()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|id| id.get_version_num() == 4));
    }
}
