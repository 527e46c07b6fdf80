//! Benchmark reports (`mq` topic `benchmark_report`): the chain measures a worker's P.
//!
//! The worker runs a fixed CPU benchmark inside its TEE and reports its cumulative iteration
//! count. The chain measures the rate between two reports against block time, not the worker's
//! clock: `P = min(p_cap, Δiterations · 6000 / Δms)` (iterations per 6 s), once the reports are
//! at least `benchmark_min_span_ms` apart. A count that went backwards (the worker restarted)
//! starts a new measurement. The TEE vouches for the count; the chain only for the time.

use super::{Event, state_key, value};
use crate::{
    CallResult, Ctx,
    mq::Handled,
    registry::WorkerRecord,
    state::{State, StateError, read_decoded},
};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::WorkerId;

/// What the chain knows of a worker's benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BenchmarkRecord {
    /// The last measured score (0 until two reports were far enough apart).
    pub p: u32,
    /// The count and block time of the report the next measurement starts from.
    pub iterations: u64,
    pub reported_ms: u64,
}

impl Write for BenchmarkRecord {
    fn write(&self, buf: &mut impl BufMut) {
        self.p.write(buf);
        self.iterations.write(buf);
        self.reported_ms.write(buf);
    }
}

impl EncodeSize for BenchmarkRecord {
    fn encode_size(&self) -> usize {
        4 + 8 + 8
    }
}

impl Read for BenchmarkRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            p: u32::read(buf)?,
            iterations: u64::read(buf)?,
            reported_ms: u64::read(buf)?,
        })
    }
}

/// A worker's benchmark record, if it ever reported.
pub fn benchmark(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
) -> Result<Option<BenchmarkRecord>, StateError> {
    read_decoded(state, state_key::benchmark(worker))
}

/// Handles a `BenchmarkReport` from `sender`.
pub fn benchmark_report(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    sender: &WorkerRecord,
    iterations: u64,
) -> CallResult<Handled> {
    let params = &ctx.params.computation;
    let worker = &sender.info.identity;
    let now = ctx.env.timestamp_ms;
    let mut record = benchmark(state, worker)?.unwrap_or_default();
    let mut events = Vec::new();
    let fresh = record.reported_ms == 0 || iterations < record.iterations;
    if fresh {
        record.iterations = iterations;
        record.reported_ms = now;
    } else if now.saturating_sub(record.reported_ms) >= params.benchmark_min_span_ms {
        // A rate beyond the fixed-point range is far beyond the cap too.
        let rate =
            value::iterations_per_6s(iterations - record.iterations, now - record.reported_ms)
                .map_or(u32::MAX, |r| {
                    u32::try_from(r.floor_int()).unwrap_or(u32::MAX)
                });
        record.p = rate.min(params.p_cap);
        record.iterations = iterations;
        record.reported_ms = now;
        events.push(
            Event::BenchmarkMeasured {
                worker: worker.clone(),
                p: record.p,
            }
            .into(),
        );
    }
    // A report sooner than the span is accepted and changes nothing: the next one measures
    // from the same start.
    state.put(state_key::benchmark(worker), Some(record.encode().to_vec()));
    Ok(Handled {
        new_work: !events.is_empty() || fresh,
        events,
    })
}
