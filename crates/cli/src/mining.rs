//! `phalanx mining start|stop|reclaim|report-revoked|status|estimate`: an operator's mining sessions
//! (`computation` calls), what they earn (`GET /mining/{worker}`), and what a new one would earn
//! (computed here by the chain's own code from `GET /mining`).

use crate::{
    exit::{CliError, Exit},
    show::{pha, print, tx_text},
};
use clap::Subcommand;
use phalanx_client::{
    api::{MiningResponse, MiningWorkerResponse, SessionView, TxStatusResponse, WorkersQuery},
    endpoint,
};
use phalanx_runtime::computation::{MAX_CONFIDENCE_LEVEL, estimate};
use phalanx_types::{AccountId, Amount, ComputationCall, WorkerId, parse_pha};
use serde::Serialize;

/// Most workers `status` without arguments looks at (the registry's first pages).
const MAX_STATUS_WORKERS: u64 = 1_000;

#[derive(Subcommand)]
pub enum MiningCommand {
    /// Start mining with a registered, attested worker whose benchmark the chain has measured:
    /// the stake moves from the operator's account into the mining stake pot. The chain
    /// refuses a stake below 100·√P or one whose initial value would exceed V_max (see
    /// `phalanx mining estimate`).
    Start {
        /// The worker's identity (hex).
        worker: String,
        /// Stake in PHA.
        #[arg(long, value_parser = parse_stake)]
        stake: Amount,
        /// The worker's operator account: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
    /// Stop mining: the session cools down (7 days on production chains), then `reclaim`
    /// returns its stake.
    Stop {
        /// The worker's identity (hex).
        worker: String,
        /// The session's owner.
        #[arg(long)]
        from: String,
    },
    /// After the cool-down, return the stake, min(V/Vᵉ, 1)·S, to the session's owner.
    Reclaim {
        /// The worker's identity (hex).
        worker: String,
        /// Any account may send it (it pays the fee; the stake goes to the owner).
        #[arg(long)]
        from: String,
    },
    /// Ask the chain to check a mining worker's attestation against the current policy: if its
    /// measurement left the allow-list or its TCB level is no longer accepted, its session is
    /// slashed (1 % of the stake by default, to the treasury) and stopped; otherwise refused
    /// (`not_revoked`). Anyone may send it.
    ReportRevoked {
        /// The worker's identity (hex).
        worker: String,
        /// The account that pays the fee.
        #[arg(long)]
        from: String,
    },
    /// Per worker: P, V, share, state, the last answered challenge, rewards so far and the
    /// projected daily reward. Without WORKER, every registered worker that reported a
    /// benchmark (the first 1,000 of the registry).
    Status {
        /// Worker identities (hex).
        workers: Vec<String>,
    },
    /// What a session would get on this network now, computed by the chain's own code: the
    /// least stake, the initial value Vᵉ, the share, the projected daily reward, and whether
    /// `start` would refuse it.
    Estimate {
        /// Stake in PHA.
        #[arg(long, value_parser = parse_stake)]
        stake: Amount,
        /// Benchmark score P (iterations per 6 s; the chain caps it).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        p: u32,
        /// Attestation confidence level, 1 (best) to 5.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=MAX_CONFIDENCE_LEVEL as i64))]
        confidence: u8,
    },
}

/// `--stake`: PHA, more than zero.
fn parse_stake(s: &str) -> Result<Amount, String> {
    match parse_pha(s).map_err(|e| e.to_string())? {
        0 => Err("a stake must be more than 0 PHA".into()),
        units => Ok(units),
    }
}

pub(crate) fn worker_id(text: &str) -> Result<WorkerId, CliError> {
    AccountId::from_hex(text.trim())
        .map_err(|e| CliError::new(Exit::Usage, format!("worker id `{text}`: {e}")))
}

/// `phalanx mining …`.
pub fn run(rpc: &str, action: MiningCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        MiningCommand::Start {
            worker,
            stake,
            from,
        } => {
            let worker = worker_id(&worker)?;
            let call = ComputationCall::StartMining {
                worker: worker.clone(),
                stake,
            };
            let v = send(rpc, &from, call, "start mining", json_mode)?;
            print(json_mode, &v, || {
                format!(
                    "mining started with {worker}, staking {}\n{}",
                    pha(stake),
                    tx_text(&v)
                )
            });
        }
        MiningCommand::Stop { worker, from } => {
            let worker = worker_id(&worker)?;
            let call = ComputationCall::StopMining {
                worker: worker.clone(),
            };
            let v = send(rpc, &from, call, "stop mining", json_mode)?;
            print(json_mode, &v, || {
                format!(
                    "mining stopped with {worker}: the session cools down, then `phalanx mining reclaim` returns the stake\n{}",
                    tx_text(&v)
                )
            });
        }
        MiningCommand::Reclaim { worker, from } => {
            let worker = worker_id(&worker)?;
            let call = ComputationCall::Reclaim {
                worker: worker.clone(),
            };
            let v = send(rpc, &from, call, "reclaim", json_mode)?;
            print(json_mode, &v, || {
                format!("stake of {worker}'s session reclaimed\n{}", tx_text(&v))
            });
        }
        MiningCommand::ReportRevoked { worker, from } => {
            let worker = worker_id(&worker)?;
            let call = ComputationCall::ReportRevoked {
                worker: worker.clone(),
            };
            let v = send(rpc, &from, call, "report revoked attestation", json_mode)?;
            print(json_mode, &v, || {
                format!(
                    "{worker}'s attestation no longer passes the policy: its session was slashed and stopped\n{}",
                    tx_text(&v)
                )
            });
        }
        MiningCommand::Status { workers } => {
            let v = status(rpc, &workers)?;
            print(json_mode, &v, || status_text(&v));
        }
        MiningCommand::Estimate {
            stake,
            p,
            confidence,
        } => {
            let v = estimate_on(rpc, stake, p, confidence)?;
            print(json_mode, &v, || estimate_text(&v));
        }
    }
    Ok(())
}

fn send(
    rpc: &str,
    from: &str,
    call: ComputationCall,
    what: &str,
    quiet: bool,
) -> Result<TxStatusResponse, CliError> {
    Ok(TxStatusResponse::Finalized(crate::tx::send_from(
        rpc, from, call, what, quiet,
    )?))
}

/// What `phalanx mining status` prints.
#[derive(Serialize)]
pub struct Status {
    pub network: MiningResponse,
    pub workers: Vec<MiningWorkerResponse>,
}

fn status(rpc: &str, asked: &[String]) -> Result<Status, CliError> {
    let network = endpoint::mining(rpc)?;
    let ids = if asked.is_empty() {
        registered_workers(rpc)?
    } else {
        asked
            .iter()
            .map(|w| worker_id(w))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut workers = Vec::new();
    for id in ids {
        let v = endpoint::mining_worker(rpc, &id)?;
        // Without arguments, only the workers that take part in mining.
        if asked.is_empty() && v.benchmark.is_none() && v.session.is_none() {
            continue;
        }
        workers.push(v);
    }
    Ok(Status { network, workers })
}

/// The registry's workers, first pages only.
fn registered_workers(rpc: &str) -> Result<Vec<WorkerId>, CliError> {
    let mut ids = Vec::new();
    let mut offset = 0;
    while offset < MAX_STATUS_WORKERS {
        let page = endpoint::workers(
            rpc,
            &WorkersQuery {
                offset,
                limit: phalanx_client::api::MAX_WORKERS_PAGE,
            },
        )?;
        if page.workers.is_empty() {
            break;
        }
        offset += page.workers.len() as u64;
        ids.extend(page.workers.into_iter().map(|w| w.record.info.identity));
        if offset >= page.count {
            break;
        }
    }
    Ok(ids)
}

/// `12 s ago` for a block time relative to the head's.
pub(crate) fn ago(head_ms: u64, at_ms: u64) -> String {
    let secs = head_ms.saturating_sub(at_ms) / 1000;
    match secs {
        0..=119 => format!("{secs} s ago"),
        120..=7_199 => format!("{} min ago", secs / 60),
        7_200..=172_799 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// `in 12 s` (or `now`) for a future block time.
pub(crate) fn due_in(head_ms: u64, at_ms: u64) -> String {
    // Rounded up: "now" only once it is due.
    match at_ms.saturating_sub(head_ms).div_ceil(1000) {
        0 => "now".into(),
        secs if secs < 7_200 => format!("in {secs} s"),
        secs => format!("in {:.1} days", secs as f64 / 86_400.0),
    }
}

fn status_text(v: &Status) -> String {
    let n = &v.network;
    let mut out = format!(
        "mining at block {}: {} live session(s), Σshare {}, emission {} a day, rewards pot {}, stake pot {}\n",
        n.finalized_height,
        n.live_sessions,
        n.total_share.to_f64().round(),
        pha(n.daily_emission.base_units),
        pha(n.rewards_pot.base_units),
        pha(n.stake_pot.base_units),
    );
    match &n.beacon {
        Some(b) => out.push_str(&format!(
            "beacon: round {} (seed {}…)\n",
            b.round,
            hex::encode(b.seed.get(..8).unwrap_or_default())
        )),
        None => out.push_str("beacon: no seed yet (no challenges are issued without one)\n"),
    }
    if v.workers.is_empty() {
        out.push_str("no worker has reported a benchmark");
        return out;
    }
    for w in &v.workers {
        out.push_str(&format!("\nworker {}\n", w.worker));
        match &w.benchmark {
            Some(b) if b.p > 0 => out.push_str(&format!("  benchmark P: {}\n", b.p)),
            Some(_) => out.push_str(
                "  benchmark P: not measured yet (the worker reports twice, 6 s apart)\n",
            ),
            None => out.push_str("  benchmark P: no report\n"),
        }
        let measured = w.benchmark.as_ref().is_some_and(|b| b.p > 0);
        match &w.session {
            Some(s) => out.push_str(&session_text(w.block_time_ms, s)),
            None if measured => {
                out.push_str("  session:     none (ready: `phalanx mining start`)\n")
            }
            None => out.push_str("  session:     none\n"),
        }
    }
    out.trim_end().to_string()
}

fn session_text(head_ms: u64, s: &SessionView) -> String {
    let state = match s.state {
        phalanx_runtime::computation::SessionState::Mining => "mining".to_string(),
        phalanx_runtime::computation::SessionState::Unresponsive => {
            "UNRESPONSIVE (missed a heartbeat; V decays until it answers again)".to_string()
        }
        phalanx_runtime::computation::SessionState::CoolingDown => match s.reclaimable_at_ms {
            Some(at) => format!("cooling down (reclaim {})", due_in(head_ms, at)),
            None => "cooling down".to_string(),
        },
    };
    // Only a mining session's share counts in Σshare.
    let share = if s.counted_share.is_zero() {
        format!("{:.2} (not counted: not mining)", s.share.to_f64())
    } else {
        format!("{:.2}", s.counted_share.to_f64())
    };
    // The field starts at the session's start, before any challenge.
    let answered = if s.last_challenge_answered_ms == s.started_ms {
        "none yet".to_string()
    } else {
        ago(head_ms, s.last_challenge_answered_ms)
    };
    let mut out = format!(
        "  state:       {state}\n  owner:       {}\n  stake:       {}\n  P:           {:.0} (instant {:.1})\n  V:           {:.2} (Vᵉ {:.2})\n  share:       {share}\n  last answered challenge: {answered}\n",
        s.owner,
        pha(s.stake.base_units),
        s.p_bench.to_f64(),
        s.p_instant.to_f64(),
        s.v.to_f64(),
        s.initial_value.to_f64(),
    );
    if let (Some(round), Some(since)) = (s.owed_round, s.owed_since_ms) {
        out.push_str(&format!(
            "  owes:        the heartbeat of round {round} (challenged {})\n",
            ago(head_ms, since)
        ));
    }
    out.push_str(&format!(
        "  rewards:     {} paid, {} accrued\n  projected:   {} a day\n",
        pha(s.rewards.base_units),
        pha(s.accrued.base_units),
        pha(s.projected_daily.base_units),
    ));
    out
}

/// What `phalanx mining estimate` prints.
#[derive(Serialize)]
pub struct EstimateView {
    pub stake: phalanx_client::api::AmountView,
    pub p: u32,
    pub confidence: u8,
    pub min_stake: phalanx_client::api::AmountView,
    pub initial_value: phalanx_runtime::fixed::Fixed,
    pub share: phalanx_runtime::fixed::Fixed,
    /// Σshare of the network now (without this session).
    pub network_share: phalanx_runtime::fixed::Fixed,
    pub daily_emission: phalanx_client::api::AmountView,
    pub projected_daily: phalanx_client::api::AmountView,
    /// What `start` would refuse (the chain's error code, as in failed receipts), if anything.
    pub refusal: Option<String>,
    /// P was above the chain's cap and counts as the cap.
    pub p_capped: bool,
    pub refusal_reason: Option<String>,
}

fn estimate_on(rpc: &str, stake: Amount, p: u32, confidence: u8) -> Result<EstimateView, CliError> {
    let n = endpoint::mining(rpc)?;
    let e = estimate::estimate(
        &n.params,
        stake,
        p,
        confidence,
        n.total_share,
        n.daily_emission.base_units,
    )
    .map_err(|_| {
        CliError::new(
            Exit::Usage,
            "these numbers leave the chain's fixed-point range",
        )
    })?;
    Ok(EstimateView {
        stake: stake.into(),
        p: p.min(n.params.p_cap),
        confidence,
        min_stake: e.min_stake.into(),
        initial_value: e.initial_value,
        share: e.share,
        network_share: n.total_share,
        daily_emission: n.daily_emission,
        projected_daily: e.daily_reward.into(),
        refusal: e.refusal.map(|r| format!("computation.{}", r.name())),
        p_capped: p > n.params.p_cap,
        refusal_reason: e.refusal.map(|r| r.to_string()),
    })
}

fn estimate_text(v: &EstimateView) -> String {
    let capped = if v.p_capped { " (the chain's cap)" } else { "" };
    let mut out = format!(
        "stake {} on P {}{capped} at confidence level {}:\n  least stake:  {}\n  Vᵉ:           {:.2}\n  share:        {:.2} (network Σshare now {:.2})\n  projected:    {} a day (of {} emitted a day, less the treasury's part)",
        pha(v.stake.base_units),
        v.p,
        v.confidence,
        pha(v.min_stake.base_units),
        v.initial_value.to_f64(),
        v.share.to_f64(),
        v.network_share.to_f64(),
        pha(v.projected_daily.base_units),
        pha(v.daily_emission.base_units),
    );
    if let Some(reason) = &v.refusal_reason {
        out.push_str(&format!("\n  `mining start` would be REFUSED: {reason}"));
    }
    out
}
