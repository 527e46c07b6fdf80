//! The worker's side of mining (issue 14, DESIGN §4): what it sends so that the chain can
//! measure it, challenge it and pay it.
//!
//! On every poll, from one snapshot read with proofs:
//! * **Benchmark reports.** Until the chain has measured P (and again after a restart, when the
//!   chain holds a larger count than this process has), the worker reports its benchmark
//!   counter; the chain measures P between two reports at least `benchmark_min_span_ms` of
//!   block time apart.
//! * **Starting** (optional, [`MiningConfig::stake`]): once P is measured and the worker has no
//!   session, the operator stakes that amount on it (`phalanx dev` does this for its worker;
//!   an operator otherwise runs `phalanx mining start`).
//! * **Heartbeats.** When the session owes the heartbeat of a beacon round, the worker answers
//!   it with its counter; the chain pays it or, if it was unresponsive, recovers it.
//! * **Beacon shares** (gatekeepers). Once per beacon round, the gatekeeper signs the round's
//!   label with its share of the newest master key and sends the partial; the chain publishes
//!   the seed at the threshold.
//!
//! Every send is a message relayed (and paid for) by the operator's account; a refusal is
//! logged and the state read on the next poll decides again, so nothing is sent twice on
//! purpose.

use crate::{benchmark::Benchmark, chain::decode, run::Worker};
use phalanx_client::client;
use phalanx_runtime::{
    beacon::{self, PendingRound, PublishedSeed},
    computation::{self, BenchmarkRecord, Session, SessionState},
    keys as chain_keys,
    params::ComponentParams,
};
use phalanx_types::{Amount, ComputationCall, Payload};
use tracing::{info, warn};

/// How a worker takes part in mining.
#[derive(Clone, Debug, Default)]
pub struct MiningConfig {
    /// Share of one core the benchmark thread takes, 1 to 100 (0: no benchmark: the worker
    /// neither reports P nor answers challenges). Production runs 100.
    pub benchmark_duty_percent: u8,
    /// Stake (base units) the operator puts on this worker once P is measured, if it has no
    /// session (once per process: a session stopped and reclaimed is not started again).
    /// `None`: the operator starts mining by hand.
    pub stake: Option<Amount>,
}

/// What one snapshot says about this worker's mining.
struct MiningView {
    benchmark: Option<BenchmarkRecord>,
    session: Option<Session>,
    params: computation::Params,
    tip_ms: u64,
}

/// What the worker does about its benchmark, given the chain's record and its own counter.
#[derive(Debug, PartialEq, Eq)]
pub enum ReportDecision {
    /// Nothing: P is measured (or the last report is too recent to measure from).
    Wait,
    /// Send the counter: a first report, a measurement, or a restart.
    Report,
}

/// Whether to report the counter `count` now: the chain has no start point, or the start point
/// is at least `min_span_ms` old and P is not measured yet, or this process restarted (its
/// counter is below the chain's, so the chain must start a new measurement).
pub fn report_decision(
    record: Option<&BenchmarkRecord>,
    count: u64,
    tip_ms: u64,
    min_span_ms: u64,
) -> ReportDecision {
    let Some(record) = record.filter(|r| r.reported_ms != 0) else {
        return ReportDecision::Report;
    };
    if count < record.iterations {
        return ReportDecision::Report;
    }
    if record.p == 0 && tip_ms.saturating_sub(record.reported_ms) >= min_span_ms {
        return ReportDecision::Report;
    }
    ReportDecision::Wait
}

impl Worker {
    fn mining_view(&mut self) -> Result<MiningView, String> {
        let me = self.id();
        let keys = [
            computation::state_key::benchmark(&me).into(),
            computation::state_key::session(&me).into(),
            computation::Params::key().into(),
        ];
        let (values, tip) = self.chain.read(&keys).map_err(|e| e.to_string())?;
        let get = |i: usize| values.get(i).and_then(|v| v.as_deref());
        let benchmark = get(0)
            .map(|b| decode(b, "benchmark record"))
            .transpose()
            .map_err(|e| e.to_string())?;
        let session = get(1)
            .map(|b| decode(b, "mining session"))
            .transpose()
            .map_err(|e| e.to_string())?;
        let params = get(2)
            .map(|b| decode(b, "computation parameters"))
            .transpose()
            .map_err(|e| e.to_string())?
            .ok_or("the chain has no computation parameters")?;
        Ok(MiningView {
            benchmark,
            session,
            params,
            tip_ms: tip.timestamp_ms,
        })
    }

    /// A miner's part of a poll: benchmark reports, the optional start, heartbeats.
    pub(crate) fn mining_duties(&mut self, bench: &Benchmark) -> Result<(), String> {
        let view = self.mining_view()?;
        let count = bench.iterations();
        let live = view
            .session
            .as_ref()
            .filter(|s| s.state != SessionState::CoolingDown);
        if let Some(session) = live {
            if let Some(round) = session.owed_round {
                // One counter per round, saved before it is signed: a resend signs the same
                // heartbeat again (only its sequence number may change), never a second one.
                let iterations = match self.state.heartbeat_answer {
                    Some((answered, iterations)) if answered == round => iterations,
                    _ => {
                        self.state.heartbeat_answer = Some((round, count));
                        self.save()?;
                        count
                    }
                };
                info!(round, iterations, state = ?session.state, "answering a heartbeat challenge");
                self.send_message(Payload::MiningHeartbeat { round, iterations })?;
            }
            return Ok(());
        }
        if report_decision(
            view.benchmark.as_ref(),
            count,
            view.tip_ms,
            view.params.benchmark_min_span_ms,
        ) == ReportDecision::Report
        {
            info!(iterations = count, "reporting the benchmark counter");
            self.send_message(Payload::BenchmarkReport { iterations: count })?;
            return Ok(());
        }
        let measured = view.benchmark.filter(|b| b.p > 0);
        if let (Some(measured), Some(stake), None) =
            (measured, self.config.mining.stake, &view.session)
        {
            self.start_own_mining(measured.p, stake, &view.params)?;
        }
        Ok(())
    }

    /// Has the operator stake `stake` on this worker (the chain checks every rule; a refusal
    /// is logged once per measured P, since sending it again would be refused again).
    fn start_own_mining(
        &mut self,
        p: u32,
        stake: Amount,
        params: &computation::Params,
    ) -> Result<(), String> {
        if self.mining_refused_at_p == Some(p) || self.mining_auto_started {
            return Ok(());
        }
        let Some(operator) = self.config.operator.clone() else {
            return Ok(());
        };
        let chain = client::ChainInfo::fetch(&self.config.rpc).map_err(|e| e.to_string())?;
        let min = computation::value::min_stake(params, p).map_err(|e| e.to_string())?;
        info!(
            p,
            stake,
            min_stake = min,
            "starting to mine with the operator's stake"
        );
        let call = ComputationCall::StartMining {
            worker: self.id(),
            stake,
        };
        match client::send_call(
            &self.config.rpc,
            &chain,
            &operator,
            call.into(),
            "start mining",
            true,
        ) {
            Ok(_) => {
                info!(p, "mining started");
                // Once per process: a session the operator stops and reclaims stays stopped.
                self.mining_auto_started = true;
                self.sync().map_err(|e| e.to_string())?;
                Ok(())
            }
            Err(client::SendError::Refused { reason, .. }) => {
                warn!(error = %reason, p, "the chain refused to start mining; start it with `phalanx mining start`");
                self.mining_refused_at_p = Some(p);
                Ok(())
            }
            Err(client::SendError::Failed(e)) => Err(e),
        }
    }

    /// A gatekeeper's beacon duty: sign the current round once, with its share of the newest
    /// master key generation, unless the round's seed is already out.
    pub(crate) fn beacon_duty(&mut self) -> Result<(), String> {
        let Some((&generation, _)) = self.state.key_shares.last_key_value() else {
            return Ok(());
        };
        let Some((sharing, share)) = self.held_share(generation) else {
            return Ok(());
        };
        let keys = [
            beacon::Params::key().into(),
            beacon::state_key::latest().into(),
            beacon::state_key::pending().into(),
            chain_keys::state_key::generation().into(),
        ];
        let (values, tip) = self.chain.read(&keys).map_err(|e| e.to_string())?;
        let get = |i: usize| values.get(i).and_then(|v| v.as_deref());
        let params: beacon::Params = get(0)
            .map(|b| decode(b, "beacon parameters"))
            .transpose()
            .map_err(|e| e.to_string())?
            .ok_or("the chain has no beacon parameters")?;
        let latest: Option<PublishedSeed> = get(1)
            .map(|b| decode(b, "beacon seed"))
            .transpose()
            .map_err(|e| e.to_string())?;
        let pending: Option<PendingRound> = get(2)
            .map(|b| decode(b, "pending beacon round"))
            .transpose()
            .map_err(|e| e.to_string())?;
        let chain_generation: Option<u32> = get(3)
            .map(|b| decode(b, "master key generation"))
            .transpose()
            .map_err(|e| e.to_string())?;
        if chain_generation != Some(generation) {
            // The share held is not of the chain's newest generation yet (a DKG is finishing).
            return Ok(());
        }
        let round = beacon::round_at(&params, tip.timestamp_ms);
        if latest.is_some_and(|l| l.round >= round) || self.beacon_signed == Some(round) {
            return Ok(());
        }
        // BLS signatures are unique: the partial is the same bytes every time it is made.
        let partial = self.beacon_partial_bytes(&share, round);
        let collected = pending.is_some_and(|p| {
            p.round == round && p.sharing == sharing && p.partials.contains(&partial)
        });
        self.beacon_signed = Some(round);
        if !collected {
            self.send_message(Payload::BeaconShare { round, partial })?;
        }
        Ok(())
    }

    /// The newest beacon round this process signed, if any.
    pub fn beacon_round_signed(&self) -> Option<u64> {
        self.beacon_signed
    }

    fn beacon_partial_bytes(&self, share: &phalanx_threshold::Share, round: u64) -> Vec<u8> {
        use commonware_codec::Encode;
        phalanx_threshold::beacon_partial(share, &self.spec.genesis.chain_id, round)
            .encode()
            .to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(p: u32, iterations: u64, reported_ms: u64) -> BenchmarkRecord {
        BenchmarkRecord {
            p,
            iterations,
            reported_ms,
        }
    }

    #[test]
    fn a_worker_reports_until_the_chain_has_measured_it() {
        use ReportDecision::*;
        // Nothing on chain: a first report.
        assert_eq!(report_decision(None, 10, 1_000, 6_000), Report);
        // A start point 5.999 s old: too soon to measure.
        assert_eq!(
            report_decision(Some(&record(0, 10, 1_000)), 50, 6_999, 6_000),
            Wait
        );
        // 6 s old: measure.
        assert_eq!(
            report_decision(Some(&record(0, 10, 1_000)), 50, 7_000, 6_000),
            Report
        );
        // Measured: nothing more.
        assert_eq!(
            report_decision(Some(&record(300, 60, 7_000)), 900, 99_000, 6_000),
            Wait
        );
        // This process restarted (its counter is below the chain's): start again.
        assert_eq!(
            report_decision(Some(&record(300, 60, 7_000)), 5, 99_000, 6_000),
            Report
        );
    }
}
