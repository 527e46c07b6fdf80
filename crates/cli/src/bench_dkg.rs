//! `phalanx bench dkg`: what one threshold master key round costs with `n` gatekeepers, run in
//! this process with the same `phalanx-threshold` calls the chain and the workers make (the
//! transactions, blocks and envelopes around them are left out).
//!
//! * gatekeepers: dealing, acknowledging every other dealing, signing a log, taking the share;
//! * the chain: checking each log as it arrives (`check_log`, every block that carries one) and
//!   computing the output at quorum (`observe`, once per round);
//! * a worker: verifying partial signatures and recovering its cluster key.
//!
//! It also reports the encoded sizes that must fit the message limits (`MAX_DKG_MESSAGE`).

use commonware_codec::Encode;
use commonware_cryptography::Signer;
use phalanx_threshold::{
    MAX_PARTICIPANTS, PrivMsg, PubMsg, acknowledge, check_log, dealer, dealer_log, observe,
    partial, player_share, recover_cluster_key, required, round::RoundCodec, round_info,
    verify_partial,
};
use phalanx_types::{AccountId, ChainId, MAX_DKG_MESSAGE};
use serde::Serialize;
use std::time::Instant;

/// What one round cost.
#[derive(Serialize)]
pub struct Report {
    pub gatekeepers: usize,
    pub threshold: usize,
    pub ms: Millis,
    pub bytes: Sizes,
}

/// Milliseconds per step.
#[derive(Serialize)]
pub struct Millis {
    pub deal_per_dealer: f64,
    pub acknowledge_per_dealing: f64,
    pub dealer_log_per_dealer: f64,
    pub check_log_mean: f64,
    pub check_log_max: f64,
    pub observe: f64,
    pub player_share: f64,
    pub verify_partial: f64,
    pub recover_cluster_key: f64,
}

/// Encoded sizes against the message limit.
#[derive(Serialize)]
pub struct Sizes {
    pub commitment: usize,
    pub signed_log_max: usize,
    pub output: usize,
    pub limit: usize,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

fn seed(i: usize) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    seed
}

/// Runs one fresh DKG round among `n` gatekeepers and times each step.
pub fn dkg(n: usize) -> Result<Report, String> {
    if n == 0 || n > MAX_PARTICIPANTS as usize {
        return Err(format!(
            "--gatekeepers must be between 1 and {MAX_PARTICIPANTS} (the registry's gatekeeper limit), not {n}"
        ));
    }
    let chain = ChainId::new("phalanx-bench").map_err(|e| e.to_string())?;
    let keys: Vec<_> = (0..n)
        .map(|i| phalanx_crypto::dev_key(&format!("bench-gatekeeper-{i}")))
        .collect();
    let ids: Vec<AccountId> = keys.iter().map(|k| k.public_key().into()).collect();
    let info = round_info(&chain, 0, None, &ids, &ids).map_err(|e| e.to_string())?;
    let need = required(n, None) as usize;
    let error = |e: phalanx_threshold::RoundError| e.to_string();

    eprintln!("{n} gatekeepers, threshold {need}: dealing…");
    let started = Instant::now();
    let mut dealings = Vec::with_capacity(n);
    for (i, key) in keys.iter().enumerate() {
        dealings.push(dealer(&seed(i), &info, key.clone(), None).map_err(error)?);
    }
    let deal_ms = ms(started) / n as f64;
    let commitment_bytes = dealings
        .iter()
        .map(|(_, pub_msg, _)| pub_msg.encode().len())
        .max()
        .unwrap_or(0);

    eprintln!("acknowledging {} dealings…", n * n);
    let started = Instant::now();
    let mut received: Vec<Vec<(phalanx_threshold::Id, PubMsg, PrivMsg)>> = vec![Vec::new(); n];
    let mut logs = Vec::with_capacity(n);
    let mut log_ms = 0.0;
    for (d, (state, pub_msg, privs)) in dealings.into_iter().enumerate() {
        let dealer_id = keys[d].public_key();
        let mut acks = Vec::with_capacity(n);
        for (player, priv_msg) in privs {
            let Some(p) = keys.iter().position(|k| k.public_key() == player) else {
                return Err("a dealing names a player outside the round".into());
            };
            let ack = acknowledge(
                &info,
                keys[p].clone(),
                dealer_id.clone(),
                pub_msg.clone(),
                priv_msg.clone(),
            )
            .map_err(error)?;
            received[p].push((dealer_id.clone(), pub_msg.clone(), priv_msg));
            acks.push((player, ack));
        }
        let signing = Instant::now();
        logs.push((dealer_id, dealer_log(state, acks).encode().to_vec()));
        log_ms += ms(signing);
    }
    let ack_ms = (ms(started) - log_ms) / (n * n) as f64;
    let log_bytes = logs.iter().map(|(_, l)| l.len()).max().unwrap_or(0);

    eprintln!("checking {n} logs as the chain does…");
    let mut check_ms = Vec::with_capacity(n);
    let mut checked = Vec::with_capacity(n);
    for (dealer_id, bytes) in &logs {
        let started = Instant::now();
        let signed = phalanx_threshold::SignedLog::decode_bytes(bytes).map_err(error)?;
        let log = check_log(&info, signed, dealer_id).map_err(error)?;
        check_ms.push(ms(started));
        checked.push((dealer_id.clone(), log));
    }
    checked.truncate(need);
    eprintln!("computing the output from {need} logs…");
    let started = Instant::now();
    let output = observe(&info, checked.clone()).map_err(error)?;
    let observe_ms = ms(started);

    eprintln!("taking the first player's share…");
    let started = Instant::now();
    let first = std::mem::take(&mut received[0]);
    let (theirs, share) =
        player_share(&info, keys[0].clone(), first, checked.clone()).map_err(error)?;
    let share_ms = ms(started);
    if theirs != output {
        return Err("the player's output differs from the chain's".into());
    }
    // A quorum of partials needs `need` players' shares (each takes the time timed above).
    let mut shares = vec![share];
    for (p, dealt) in received.into_iter().enumerate().skip(1).take(need - 1) {
        let (_, share) =
            player_share(&info, keys[p].clone(), dealt, checked.clone()).map_err(error)?;
        shares.push(share);
    }

    eprintln!("recovering a cluster key from {need} partial signatures…");
    let partials: Vec<_> = shares.iter().map(|s| partial(s, &chain, 0, 0)).collect();
    let started = Instant::now();
    for p in &partials {
        verify_partial(&output, &chain, 0, 0, p).map_err(|e| e.to_string())?;
    }
    let verify_ms = ms(started) / need as f64;
    let started = Instant::now();
    recover_cluster_key(&output, &chain, 0, 0, &partials).map_err(|e| e.to_string())?;
    let recover_ms = ms(started);

    let check_total: f64 = check_ms.iter().sum();
    Ok(Report {
        gatekeepers: n,
        threshold: need,
        ms: Millis {
            deal_per_dealer: deal_ms,
            acknowledge_per_dealing: ack_ms,
            dealer_log_per_dealer: log_ms / n as f64,
            check_log_mean: check_total / n as f64,
            check_log_max: check_ms.iter().cloned().fold(0.0, f64::max),
            observe: observe_ms,
            player_share: share_ms,
            verify_partial: verify_ms,
            recover_cluster_key: recover_ms,
        },
        bytes: Sizes {
            commitment: commitment_bytes,
            signed_log_max: log_bytes,
            output: output.encode().len(),
            limit: MAX_DKG_MESSAGE,
        },
    })
}

/// The text form of [`dkg`]'s report.
pub fn dkg_text(v: &Report) -> String {
    let (m, b) = (&v.ms, &v.bytes);
    format!(
        "{n} gatekeepers, {t}-of-{n}\n\
         gatekeeper: deal {:.2} ms, acknowledge {:.2} ms per dealing, sign log {:.2} ms, take share {:.2} ms\n\
         chain:      check a log {:.2} ms (max {:.2}), compute the output {:.2} ms\n\
         worker:     verify a partial {:.2} ms, recover the cluster key {:.2} ms\n\
         sizes:      commitment {} B, signed log {} B, output {} B (message limit {} B)",
        m.deal_per_dealer,
        m.acknowledge_per_dealing,
        m.dealer_log_per_dealer,
        m.player_share,
        m.check_log_mean,
        m.check_log_max,
        m.observe,
        m.verify_partial,
        m.recover_cluster_key,
        b.commitment,
        b.signed_log_max,
        b.output,
        b.limit,
        n = v.gatekeepers,
        t = v.threshold,
    )
}
