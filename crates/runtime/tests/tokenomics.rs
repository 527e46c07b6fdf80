#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! Emission on a simulated chain: whatever the block times, the cumulative emission after
//! every block equals the closed form rounded down, computed here independently (a plain sum
//! over periods in u128), the reserve and the mining-rewards pot move by exactly that, and the
//! supply does not change.

use phalanx_runtime::{
    BlockEnv, GenesisConfig, MemoryState, Params, balances, end_block, tokenomics,
};
use phalanx_types::{Amount, ChainId, MAX_SUPPLY, UNITS_PER_PHA};
use proptest::prelude::*;

const DAY: u64 = 86_400_000;
const HOUR: u64 = 3_600_000;
const GENESIS_MS: u64 = 1_795_478_400_000;

/// `⌊E(t)⌋` by summing whole periods: rate `R·(3/4)^i` per day for period `i`, over the common
/// denominator `D·4^k`. Exact in u128 for the first few periods (k ≤ 4).
fn oracle(elapsed: u64) -> Amount {
    let r = 720_000 * UNITS_PER_PHA;
    let p = 180 * DAY as u128;
    let k = (elapsed as u128 / p) as u32;
    assert!(k <= 4, "the oracle is exact for the first periods only");
    let d = elapsed as u128 % p;
    let mut numerator = 0u128;
    for i in 0..k {
        numerator += r * 3u128.pow(i) * 4u128.pow(k - i) * p;
    }
    numerator += r * 3u128.pow(k) * d;
    numerator / (DAY as u128 * 4u128.pow(k))
}

struct Sim {
    state: MemoryState,
    params: Params,
    config: GenesisConfig,
    chain: ChainId,
    height: u64,
}

impl Sim {
    fn new() -> Self {
        let chain = ChainId::new("phalanx-test").unwrap();
        let config = GenesisConfig::standard(chain.clone(), GENESIS_MS, &[]).unwrap();
        let mut state = MemoryState::default();
        config.build(&mut state, &[0u8; 32].into()).unwrap();
        Self {
            params: config.params.clone(),
            state,
            config,
            chain,
            height: 1,
        }
    }

    /// Ends a block at `elapsed` ms after genesis and checks every invariant.
    fn block(&mut self, elapsed: u64) {
        self.height += 1;
        let env = BlockEnv {
            chain_id: self.chain.clone(),
            height: self.height,
            timestamp_ms: GENESIS_MS + elapsed,
        };
        end_block(&mut self.state, &self.params, &env).unwrap();
        let expected = oracle(elapsed);
        assert_eq!(
            tokenomics::emitted(&self.state).unwrap(),
            expected,
            "emitted at {elapsed} ms"
        );
        assert_eq!(
            tokenomics::schedule::cumulative(&self.params.tokenomics, elapsed),
            expected
        );
        let rewards = balances::pot(&self.state, balances::MINING_REWARDS).unwrap();
        let reserve = balances::pot(&self.state, balances::MINING_RESERVE).unwrap();
        assert_eq!(rewards, expected);
        assert_eq!(reserve, 700_000_000 * UNITS_PER_PHA - expected);
        let pots: Amount = self
            .config
            .pot_names()
            .iter()
            .map(|p| balances::pots::balance(&self.state, p).unwrap())
            .sum();
        assert_eq!(
            pots, MAX_SUPPLY,
            "no accounts here: the pots hold everything"
        );
    }
}

#[test]
fn the_design_numbers_on_chain() {
    let mut sim = Sim::new();
    sim.block(DAY);
    assert_eq!(
        tokenomics::emitted(&sim.state).unwrap(),
        720_000 * UNITS_PER_PHA
    );
    sim.block(180 * DAY);
    assert_eq!(
        tokenomics::emitted(&sim.state).unwrap(),
        129_600_000 * UNITS_PER_PHA
    );
    sim.block(360 * DAY);
    assert_eq!(
        tokenomics::emitted(&sim.state).unwrap(),
        226_800_000 * UNITS_PER_PHA
    );
}

#[test]
fn a_block_spanning_a_period_boundary_is_split_exactly() {
    let mut sim = Sim::new();
    sim.block(180 * DAY - 10 * 60_000);
    let before = tokenomics::emitted(&sim.state).unwrap();
    sim.block(180 * DAY + 20 * 60_000);
    let emitted = tokenomics::emitted(&sim.state).unwrap() - before;
    // 10 minutes at 720,000 PHA/day and 20 at 540,000 PHA/day: 5,000 + 7,500 PHA.
    assert!(emitted.abs_diff(12_500 * UNITS_PER_PHA) <= 1, "{emitted}");
}

#[test]
fn time_that_stands_still_emits_nothing() {
    let mut sim = Sim::new();
    sim.block(5 * HOUR);
    let state = sim.state.clone();
    sim.block(5 * HOUR);
    assert_eq!(sim.state, state);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]
    /// 400 days of blocks 1 ms to an hour apart (a period boundary falls inside some block),
    /// checked after every one.
    #[test]
    fn four_hundred_days_of_irregular_blocks(seed in any::<u64>()) {
        let mut sim = Sim::new();
        let mut elapsed = 0u64;
        let mut rng = seed | 1;
        let mut crossed = false;
        while elapsed < 400 * DAY {
            // xorshift: cheap, deterministic from the seed.
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let gap = 1 + rng % HOUR;
            let next = elapsed + gap;
            crossed |= elapsed / (180 * DAY) != next / (180 * DAY);
            elapsed = next;
            sim.block(elapsed);
        }
        prop_assert!(crossed);
    }
}
