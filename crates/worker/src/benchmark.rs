//! The fixed CPU benchmark a worker runs inside its TEE; the chain turns its counter into P.
//!
//! One iteration is [`HASHES_PER_ITERATION`] chained SHA-256 compressions of a 64-byte block:
//! fixed work that no cache or lookup table shortens. A background thread runs iterations and
//! counts them; the worker reports the cumulative count (`Payload::BenchmarkReport`, later in
//! its heartbeats), and the chain measures the rate against block time:
//! `P = iterations per 6 s`, capped at the chain's `p_cap`.
//!
//! `duty_percent` bounds the CPU it takes: the thread works that share of each
//! [`SLICE`] and sleeps the rest, so a development machine running tests is not starved (P
//! falls in proportion, which the dev chain's `min_p` allows). Production runs at 100 %.

use sha2::{Digest, Sha256};
use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU64, Ordering},
};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// SHA-256 compressions per iteration (a few milliseconds on one core).
pub const HASHES_PER_ITERATION: u32 = 10_000;
/// The period the duty cycle applies to.
pub const SLICE: Duration = Duration::from_millis(100);

/// One iteration: `HASHES_PER_ITERATION` chained hashes starting from `seed`.
pub fn iteration(seed: [u8; 32]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&seed);
    let mut digest = seed;
    for i in 0..HASHES_PER_ITERATION {
        block[32..36].copy_from_slice(&i.to_le_bytes());
        digest = Sha256::digest(block).into();
        block[..32].copy_from_slice(&digest);
    }
    digest
}

/// The running benchmark: a counter that only grows while the worker runs.
pub struct Benchmark {
    iterations: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Benchmark {
    /// Starts the benchmark thread at `duty_percent` (1 to 100) of one core.
    pub fn start(duty_percent: u8) -> std::io::Result<Self> {
        let duty = u32::from(duty_percent.clamp(1, 100));
        let iterations = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (iterations.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("benchmark".into())
            .spawn(move || {
                let mut state = [7u8; 32];
                let work = SLICE * duty / 100;
                while !halt.load(Ordering::Relaxed) {
                    let slice_start = Instant::now();
                    while slice_start.elapsed() < work && !halt.load(Ordering::Relaxed) {
                        state = iteration(state);
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Some(rest) = SLICE.checked_sub(slice_start.elapsed()) {
                        std::thread::sleep(rest);
                    }
                }
                // Keep the result observable so the work is not optimised away.
                std::hint::black_box(state);
            })?;
        Ok(Self {
            iterations,
            stop,
            thread: Some(thread),
        })
    }

    /// Iterations completed since the benchmark started.
    pub fn iterations(&self) -> u64 {
        self.iterations.load(Ordering::Relaxed)
    }
}

impl Drop for Benchmark {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iteration_is_fixed_work_with_a_fixed_result() {
        assert_eq!(iteration([0u8; 32]), iteration([0u8; 32]));
        assert_ne!(iteration([0u8; 32]), iteration([1u8; 32]));
    }

    #[test]
    fn the_counter_grows_while_running_and_stops_with_the_benchmark() {
        let bench = Benchmark::start(20).unwrap_or_else(|e| panic!("spawn: {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while bench.iterations() == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(bench.iterations() > 0, "no iteration in 10 s");
        drop(bench);
    }
}
