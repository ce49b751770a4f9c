//! Fresh identifiers for events and requests: version 4 UUIDs.
//!
//! They need to be unique, not secret (the signature is what authenticates
//! a delivery), so they come from a fast per-thread generator rather than
//! from a system call per UUID, which a burst of mocks would pay twice per
//! request. The generator is seeded from the operating system: fastrand's
//! own seed is a hash of the monotonic clock and the thread id, which two
//! processes started at the same moment share (sixteen concurrent `send`s
//! once logged two attempts under one request id).

use std::cell::Cell;

use uuid::Uuid;

thread_local! {
    static RNG: Cell<Option<fastrand::Rng>> = const { Cell::new(None) };
}

pub(crate) fn fresh() -> Uuid {
    RNG.with(|cell| {
        let mut rng = cell
            .take()
            .unwrap_or_else(|| fastrand::Rng::with_seed(os_seed()));
        let bits = rng.u128(..);
        cell.set(Some(rng));
        uuid::Builder::from_random_bytes(bits.to_le_bytes()).into_uuid()
    })
}

/// 64 bits from the operating system's random source; fastrand's own seed
/// if that fails, rather than no ids at all.
fn os_seed() -> u64 {
    let mut seed = [0u8; 8];
    match getrandom::fill(&mut seed) {
        Ok(()) => u64::from_ne_bytes(seed),
        Err(_) => fastrand::u64(..),
    }
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
