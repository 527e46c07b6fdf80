//! The heartbeat challenge target: a mining worker owes a heartbeat for a challenge round when
//! `hash(worker) XOR seed ≤ target` (the seed is the round's, and nobody can choose or predict
//! it). The target sets the chance per worker per round, so the network-wide rate of heartbeats
//! stays near `heartbeats_per_hour` whatever the number of workers, and no worker is asked more
//! than `max_per_worker_per_hour` times an hour on average.
//!
//! As in the reference (`pow_target` in phala-blockchain `computation.rs`), the chance is
//! quantised to 2⁻²⁴ and the target is `(2²⁵⁶ − 1 >> 24) · ⌊chance · 2²⁴⌋`; here the chance is
//! computed in exact integers from the round length in ms instead of a block count.

use num_bigint::BigUint;

/// Resolution of the chance per worker and round.
const CHANCE_BITS: u32 = 24;
const HOUR_MS: u128 = 3_600_000;

/// `⌊chance · 2²⁴⌋`, where chance = expected heartbeats in a round / workers, capped so that a
/// worker is challenged at most `max_per_worker_per_hour` times an hour.
pub fn chance_units(
    heartbeats_per_hour: u64,
    max_per_worker_per_hour: u64,
    workers: u64,
    round_ms: u64,
) -> u32 {
    if workers == 0 {
        return 0;
    }
    let per_hour = u128::from(heartbeats_per_hour)
        .min(u128::from(workers) * u128::from(max_per_worker_per_hour));
    let units =
        ((per_hour * u128::from(round_ms)) << CHANCE_BITS) / (HOUR_MS * u128::from(workers));
    // A chance above 1 is 1.
    units.min(1 << CHANCE_BITS) as u32
}

/// The 256-bit target, big-endian, for a chance of `units / 2²⁴`.
pub fn target(units: u32) -> [u8; 32] {
    let max = (BigUint::from(1u32) << 256u32) - 1u32;
    let value = (max >> CHANCE_BITS) * BigUint::from(units);
    let bytes = value.to_bytes_be();
    let mut out = [0u8; 32];
    // `value` < 2^256, so it has at most 32 bytes.
    let start = 32usize.saturating_sub(bytes.len());
    out[start..].copy_from_slice(&bytes[bytes.len().saturating_sub(32)..]);
    out
}

/// Whether a worker whose challenge hash is `worker_hash` owes a heartbeat for `seed`.
pub fn is_challenged(worker_hash: &[u8; 32], seed: &[u8; 32], target: &[u8; 32]) -> bool {
    let mut mixed = [0u8; 32];
    for (out, (w, s)) in mixed.iter_mut().zip(worker_hash.iter().zip(seed)) {
        *out = w ^ s;
    }
    mixed <= *target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(target: [u8; 32]) -> String {
        BigUint::from_bytes_be(&target).to_string()
    }

    /// The reference's `test_pow_target`, with its 12-second blocks as 12,000 ms rounds and its
    /// "20 heartbeats per block" as 6,000 per hour.
    #[test]
    fn test_pow_target() {
        let reference = |workers| target(chance_units(6_000, 2, workers, 12_000));
        // No target.
        assert_eq!(reference(0), [0u8; 32]);
        // Capped at 2 per worker per hour.
        assert_eq!(
            decimal(reference(20)),
            "771946525395830978497002573683960742805751636319313395421818009383503547160"
        );
        // Not capped: ((1 << 256) - 1) * 20 / 200_000, quantised.
        assert_eq!(
            decimal(reference(200_000)),
            "11574228623567775471528085581038571683760509746329738253007553123311417715"
        );
    }

    #[test]
    fn chance_is_at_most_one_and_the_xor_rule_holds() {
        assert_eq!(chance_units(1_000_000, 1_000_000, 1, 3_600_000), 1 << 24);
        assert_eq!(target(1 << 24)[0], 0xff);
        let zero = [0u8; 32];
        let all = [0xffu8; 32];
        // With the full target everyone is challenged; with a zero target only an exact match.
        assert!(is_challenged(&all, &zero, &all));
        assert!(is_challenged(&all, &all, &zero));
        assert!(!is_challenged(&all, &zero, &zero));
    }
}
