//! `phalanx pool create|add-worker|remove-worker|start|stop|contribute|withdraw|claim|show|list`:
//! stake pools (`stakepool` calls), and what a pool holds (`GET /pools`, `GET /pool/{id}`).

use crate::{
    exit::{CliError, Exit},
    keys,
    mining::{ago, due_in, worker_id},
    show::{pha, print, tx_text},
};
use clap::Subcommand;
use commonware_cryptography::Signer;
use phalanx_client::{
    api::{
        FinalizedTx, MAX_POOLS_PAGE, PoolResponse, PoolView, PoolWorkerState, PoolsQuery,
        PoolsResponse, TxStatusResponse,
    },
    client, endpoint,
};
use phalanx_runtime::{Event, stakepool};
use phalanx_types::{AccountId, Amount, PoolId, StakePoolCall, format_pha, parse_pha};
use serde::Serialize;

/// Parts per million in 100 %.
const PPM: u32 = 1_000_000;
/// Most pools `list` shows.
const MAX_LIST: u64 = 1_000;

/// `phalanx pool --help`: the rules.
pub const POOL_HELP: &str = "\
A stake pool holds PHA that delegators contribute and that its owner stakes on the
pool's workers. Delegators hold SHARES: a pool's first contributions buy one share per
base unit (10^-12 PHA), so shares are written like amounts (`20000` shares); later ones
buy at the PRICE = the pool's value / its shares, where the value is its free stake (not
staked) plus its locked stake (staked on workers). Mining payouts, less the owner's
COMMISSION, raise the price; slashes lower it for every holder.

A withdrawal is paid at once from the free stake at the price of the moment; what the
free stake cannot cover waits in a first-come first-served QUEUE, in shares, and is paid
as stake frees (contributions, payouts, reclaimed sessions). Once the oldest request has
waited longer than the pool's GRACE PERIOD (7 days; 60 s on dev chains), ANYONE may stop
the pool's workers, whose stake frees after mining's cool-down (7 days; 60 s on dev),
when anyone reclaims it (`phalanx mining reclaim`): a request is paid at worst after the
grace period plus the cool-down. Until then only the owner may stop them.

Amounts are PHA in text and base units in --json.";

#[derive(Subcommand)]
pub enum PoolCommand {
    /// Create a pool owned by --from; prints its id. Every mining payout of its workers gives
    /// --commission to the owner (`phalanx pool claim`) and the rest raises the share price.
    Create {
        /// The owner's part of mining payouts: a percentage (`10%`, `2.5%`) or a fraction
        /// (`0.1`), at most 100 % and finer than 1 ppm not at all.
        #[arg(long, value_parser = parse_commission, allow_hyphen_values = true)]
        commission: u32,
        /// The most the pool's value may reach through contributions, in PHA (none by default;
        /// payouts may raise it above).
        #[arg(long, value_parser = parse_positive_pha)]
        cap: Option<Amount>,
        /// The owner: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
    /// Add a worker to the pool. The owner must be the worker's operator, and the worker must
    /// have no mining session (stop and reclaim an account's session first) and be in no pool.
    AddWorker {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// The worker's identity (hex).
        worker: String,
        /// The pool's owner.
        #[arg(long)]
        from: String,
    },
    /// Remove a worker from the pool; it must have no session (stop it, wait for the cool-down
    /// and reclaim the stake first, so the stake returns to this pool).
    RemoveWorker {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// The worker's identity (hex).
        worker: String,
        /// The pool's owner.
        #[arg(long)]
        from: String,
    },
    /// Start mining with one of the pool's workers, staking --stake of the pool's free stake
    /// (mining's rules apply: a measured benchmark, at least 100·√P, see `phalanx mining
    /// estimate`). The pool owns the session: its payouts, slashes and stake return to the pool.
    Start {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// The worker's identity (hex).
        worker: String,
        /// Stake in PHA, from the pool's free stake.
        #[arg(long, value_parser = parse_positive_pha)]
        stake: Amount,
        /// The pool's owner.
        #[arg(long)]
        from: String,
    },
    /// Stop a pool worker's session: the owner at any time; anyone once the oldest queued
    /// withdrawal has waited longer than the grace period. The stake frees after mining's
    /// cool-down, when anyone sends `phalanx mining reclaim WORKER`; it then pays the queue.
    Stop {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// The worker's identity (hex).
        worker: String,
        /// The owner, or (after the grace period) any account.
        #[arg(long)]
        from: String,
    },
    /// Contribute PHA to the pool for shares at its current price (at least the chain's
    /// min_contribution, 1 PHA by default; the balance keeps the existential deposit). The new
    /// free stake pays queued withdrawals first.
    Contribute {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// Amount in PHA.
        #[arg(value_parser = parse_positive_pha)]
        amount: Amount,
        /// The delegator.
        #[arg(long)]
        from: String,
    },
    /// Withdraw shares: paid at once from the free stake at the current price; the rest joins
    /// the queue and is paid as stake frees (at worst after the grace period plus mining's
    /// cool-down: see `phalanx pool show`).
    Withdraw {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// Shares, written like an amount (`1500.25`).
        #[arg(value_parser = parse_shares, required_unless_present = "all", conflicts_with = "all")]
        shares: Option<u128>,
        /// Every share held that is not already queued.
        #[arg(long)]
        all: bool,
        /// The delegator.
        #[arg(long)]
        from: String,
    },
    /// The owner takes the commission the pool holds for it.
    Claim {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// The pool's owner.
        #[arg(long)]
        from: String,
    },
    /// A pool: price, commission, value (free and locked), its workers' sessions, the
    /// withdrawal queue with each request's worst-case payment time, and a delegator's
    /// position with its rewards so far (worth + withdrawn − contributed; negative after a
    /// slash).
    Show {
        /// The pool's id (`phalanx pool list`).
        pool: PoolId,
        /// Whose position to show: an account id (hex), key name or `dev:NAME`.
        #[arg(long)]
        delegator: Option<String>,
        /// Show this account's position when --delegator is not given.
        #[arg(long)]
        from: Option<String>,
    },
    /// Every pool (up to 1,000): price, commission, value, shares, workers and queue.
    List,
}

/// `--commission`: `10%`, `2.5%` (percent, at most 4 decimals) or `0.1` (a fraction of 1, at
/// most 6 decimals), in parts per million, at most 100 %.
pub fn parse_commission(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, decimals) = match text.strip_suffix('%') {
        Some(percent) => (percent.trim_end(), 4),
        None => (text, 6),
    };
    let ppm = parse_fixed(number, decimals).ok_or_else(|| {
        format!(
            "commission `{text}` is not a percentage (`10%`, `2.5%`) or a fraction (`0.1`) finer than 1 ppm at most"
        )
    })?;
    match u32::try_from(ppm) {
        Ok(ppm) if ppm <= PPM => Ok(ppm),
        _ if decimals == 6 => Err(format!(
            "commission `{text}` is above 100 % (a number without `%` is a fraction: `0.1` is 10 %; write `{text}%` for a percentage)"
        )),
        _ => Err(format!("commission `{text}` is above 100 %")),
    }
}

/// `text × 10^decimals` for a plain decimal (digits, at most one `.`, at most `decimals`
/// decimals); `None` for anything else or beyond u128.
fn parse_fixed(text: &str, decimals: u32) -> Option<u128> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty())
        || !digits(whole)
        || !digits(frac)
        || frac.len() > decimals as usize
    {
        return None;
    }
    let scale = 10u128.checked_pow(decimals)?;
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = decimals as usize)
            .parse()
            .ok()?
    };
    whole.checked_mul(scale)?.checked_add(frac)
}

/// Shares, written like an amount: a decimal with at most 12 decimals, more than zero.
fn parse_shares(text: &str) -> Result<u128, String> {
    match parse_fixed(text.trim(), 12) {
        Some(0) => Err("withdraw more than 0 shares".into()),
        Some(units) => Ok(units),
        None => Err(format!(
            "shares `{text}` are not a decimal number with at most 12 decimals"
        )),
    }
}

/// PHA, more than zero.
fn parse_positive_pha(text: &str) -> Result<Amount, String> {
    match parse_pha(text).map_err(|e| e.to_string())? {
        0 => Err("the amount must be more than 0 PHA".into()),
        units => Ok(units),
    }
}

/// `1500.25 shares`.
fn shares_text(units: u128) -> String {
    format!("{} shares", format_pha(units))
}

/// `10 %` for parts per million.
fn percent_text(ppm: u32) -> String {
    let whole = ppm / 10_000;
    let frac = ppm % 10_000;
    if frac == 0 {
        format!("{whole} %")
    } else {
        format!("{whole}.{} %", format!("{frac:04}").trim_end_matches('0'))
    }
}

/// `2026-03-01 12:00:05 UTC` for ms since the Unix epoch.
pub(crate) fn utc_text(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm, for days ≥ 0).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The account of `text` (`dev:NAME`, hex, or a key name), as a usage error when it is none.
fn account(text: &str, what: &str) -> Result<AccountId, CliError> {
    keys::resolve_account(text).map_err(|e| CliError::new(Exit::Usage, format!("{what}: {e}")))
}

/// `phalanx pool …`.
pub fn run(rpc: &str, action: PoolCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        PoolCommand::Create {
            commission,
            cap,
            from,
        } => {
            let call = StakePoolCall::Create {
                commission_ppm: commission,
                cap,
            };
            let sent = send(rpc, &from, call, "create pool", json_mode)?;
            let Some(id) = created_pool(&sent) else {
                return Err(CliError::from(format!(
                    "the pool was created but its receipt names no `stakepool.created` event (transaction {})",
                    sent.hash
                )));
            };
            let v = Created {
                pool: id,
                transaction: TxStatusResponse::Finalized(sent),
            };
            print(json_mode, &v, || {
                let cap = cap.map_or_else(|| "no cap".to_string(), |c| format!("cap {}", pha(c)));
                format!(
                    "pool {id} created: commission {}, {cap}\n  next: `phalanx pool add-worker {id} WORKER`, then delegators `phalanx pool contribute {id} PHA`\n{}",
                    percent_text(commission),
                    tx_text(&v.transaction)
                )
            });
        }
        PoolCommand::AddWorker { pool, worker, from } => {
            let worker = worker_id(&worker)?;
            let call = StakePoolCall::AddWorker {
                pool,
                worker: worker.clone(),
            };
            let v = finalized(send(rpc, &from, call, "add worker", json_mode)?);
            print(json_mode, &v, || {
                format!(
                    "worker {worker} added to pool {pool}: start it with `phalanx pool start {pool} {worker} --stake PHA`\n{}",
                    tx_text(&v)
                )
            });
        }
        PoolCommand::RemoveWorker { pool, worker, from } => {
            let worker = worker_id(&worker)?;
            let call = StakePoolCall::RemoveWorker {
                pool,
                worker: worker.clone(),
            };
            let v = finalized(send(rpc, &from, call, "remove worker", json_mode)?);
            print(json_mode, &v, || {
                format!("worker {worker} removed from pool {pool}\n{}", tx_text(&v))
            });
        }
        PoolCommand::Start {
            pool,
            worker,
            stake,
            from,
        } => {
            let worker = worker_id(&worker)?;
            let call = StakePoolCall::StartMining {
                pool,
                worker: worker.clone(),
                stake,
            };
            let v = finalized(send(rpc, &from, call, "start pool mining", json_mode)?);
            print(json_mode, &v, || {
                format!(
                    "pool {pool} mines with {worker}, staking {} of its free stake\n{}",
                    pha(stake),
                    tx_text(&v)
                )
            });
        }
        PoolCommand::Stop { pool, worker, from } => {
            let worker = worker_id(&worker)?;
            let call = StakePoolCall::StopMining {
                pool,
                worker: worker.clone(),
            };
            let v = finalized(send(rpc, &from, call, "stop pool mining", json_mode)?);
            print(json_mode, &v, || {
                format!(
                    "pool {pool}'s worker {worker} stopped: the session cools down, then `phalanx mining reclaim {worker}` (anyone) returns the stake to the pool\n{}",
                    tx_text(&v)
                )
            });
        }
        PoolCommand::Contribute { pool, amount, from } => {
            let call = StakePoolCall::Contribute { pool, amount };
            let v = finalized(send(rpc, &from, call, "contribute", json_mode)?);
            print(json_mode, &v, || {
                let bought = pool_events(&v)
                    .find_map(|e| match e {
                        stakepool::Event::Contributed { shares, .. } => Some(*shares),
                        _ => None,
                    })
                    .map_or_else(String::new, |s| format!(" for {}", shares_text(s)));
                format!(
                    "contributed {} to pool {pool}{bought}\n{}",
                    pha(amount),
                    tx_text(&v)
                )
            });
        }
        PoolCommand::Withdraw {
            pool,
            shares,
            all,
            from,
        } => withdraw(rpc, pool, shares, all, &from, json_mode)?,
        PoolCommand::Claim { pool, from } => {
            let call = StakePoolCall::ClaimCommission { pool };
            let v = finalized(send(rpc, &from, call, "claim commission", json_mode)?);
            print(json_mode, &v, || {
                let amount = pool_events(&v)
                    .find_map(|e| match e {
                        stakepool::Event::CommissionClaimed { amount, .. } => Some(*amount),
                        _ => None,
                    })
                    .unwrap_or(0);
                format!(
                    "claimed {} of commission from pool {pool}\n{}",
                    pha(amount),
                    tx_text(&v)
                )
            });
        }
        PoolCommand::Show {
            pool,
            delegator,
            from,
        } => {
            let delegator = match (delegator, from) {
                (Some(d), _) => Some(account(&d, "--delegator")?),
                (None, Some(f)) => Some(account(&f, "--from")?),
                (None, None) => None,
            };
            let v = endpoint::pool(rpc, pool, delegator.as_ref())?;
            print(json_mode, &v, || show_text(&v));
        }
        PoolCommand::List => {
            let v = list(rpc)?;
            print(json_mode, &v, || list_text(&v));
        }
    }
    Ok(())
}

/// What `create` prints in JSON: the new pool's id and the transaction.
#[derive(Serialize)]
struct Created {
    pool: PoolId,
    transaction: TxStatusResponse,
}

fn send(
    rpc: &str,
    from: &str,
    call: StakePoolCall,
    what: &str,
    quiet: bool,
) -> Result<FinalizedTx, CliError> {
    crate::tx::send_from(rpc, from, call, what, quiet)
}

fn finalized(sent: FinalizedTx) -> TxStatusResponse {
    TxStatusResponse::Finalized(sent)
}

/// The `stakepool` events of a transaction's receipt.
fn pool_events(v: &TxStatusResponse) -> impl Iterator<Item = &stakepool::Event> {
    let events = match v {
        TxStatusResponse::Finalized(f) => f.location.receipt.events.as_slice(),
        TxStatusResponse::Pending { .. } => &[],
    };
    events.iter().filter_map(|e| match e {
        Event::StakePool(e) => Some(e),
        _ => None,
    })
}

/// The id in a receipt's `stakepool.created` event.
fn created_pool(sent: &FinalizedTx) -> Option<PoolId> {
    sent.location.receipt.events.iter().find_map(|e| match e {
        Event::StakePool(stakepool::Event::Created { pool, .. }) => Some(*pool),
        _ => None,
    })
}

/// What `withdraw` prints in JSON: the shares asked, what was paid at once, what waits, and
/// the transaction.
#[derive(Serialize)]
struct Withdrawn {
    pool: PoolId,
    #[serde(with = "phalanx_runtime::amount_json")]
    shares: u128,
    /// Paid to the delegator by this transaction (base units).
    #[serde(with = "phalanx_runtime::amount_json")]
    paid: Amount,
    /// The delegator's shares waiting in the queue after it.
    #[serde(with = "phalanx_runtime::amount_json")]
    queued: u128,
    /// The latest worst-case payment time of the delegator's queued requests.
    paid_by_ms: Option<u64>,
    transaction: TxStatusResponse,
}

fn withdraw(
    rpc: &str,
    pool: PoolId,
    shares: Option<u128>,
    all: bool,
    from: &str,
    json_mode: bool,
) -> Result<(), CliError> {
    let key = keys::resolve_signer_or_file(from)?;
    let me = AccountId::from(key.public_key());
    let shares = match (shares, all) {
        (Some(s), false) => s,
        (None, true) => {
            let v = endpoint::pool(rpc, pool, Some(&me))?;
            let (held, queued) = v
                .position
                .as_ref()
                .map_or((0, 0), |p| (p.shares, p.queued_shares));
            match held.saturating_sub(queued) {
                0 => {
                    return Err(CliError::new(
                        Exit::Other,
                        format!(
                            "nothing to withdraw: {me} holds {} in pool {pool}, {} of them queued already",
                            shares_text(held),
                            format_pha(queued)
                        ),
                    ));
                }
                free => free,
            }
        }
        _ => {
            return Err(CliError::new(Exit::Usage, "give SHARES or --all, not both"));
        }
    };
    let chain = client::ChainInfo::fetch(rpc)?;
    let call = StakePoolCall::Withdraw { pool, shares };
    let sent = client::send_checked(rpc, &chain, &key, call.into(), "withdraw", json_mode)?;
    let transaction = finalized(sent);
    let mut paid = 0;
    let mut queued = 0;
    for e in pool_events(&transaction) {
        match e {
            stakepool::Event::WithdrawalPaid {
                delegator, amount, ..
            } if *delegator == me => paid += amount,
            stakepool::Event::WithdrawalQueued {
                delegator, shares, ..
            } if *delegator == me => queued = *shares,
            _ => {}
        }
    }
    // When some waits, the pool's queue says by when at worst.
    let view = if queued > 0 {
        endpoint::pool(rpc, pool, Some(&me)).ok()
    } else {
        None
    };
    let paid_by_ms = view.as_ref().and_then(|v| {
        v.queue
            .iter()
            .filter(|w| w.delegator == me)
            .map(|w| w.paid_by_ms)
            .max()
    });
    let v = Withdrawn {
        pool,
        shares,
        paid,
        queued,
        paid_by_ms,
        transaction,
    };
    print(json_mode, &v, || {
        let mut out = format!(
            "withdrew {} from pool {pool}: {} paid now",
            shares_text(shares),
            pha(paid)
        );
        if queued > 0 {
            out.push_str(&format!(
                "; {} wait in the queue, paid as stake frees",
                shares_text(queued)
            ));
            if let (Some(at), Some(view)) = (paid_by_ms, &view) {
                out.push_str(&format!(
                    " (at worst by {}, {})",
                    utc_text(at),
                    due_in(view.block_time_ms, at)
                ));
            }
        }
        format!("{out}\n{}", tx_text(&v.transaction))
    });
    Ok(())
}

fn list(rpc: &str) -> Result<PoolsResponse, CliError> {
    let mut all = PoolsResponse {
        finalized_height: 0,
        count: 0,
        offset: 0,
        pools: Vec::new(),
    };
    let mut offset = 0;
    while offset < MAX_LIST {
        let page = endpoint::pools(
            rpc,
            &PoolsQuery {
                offset,
                limit: MAX_POOLS_PAGE,
            },
        )?;
        all.finalized_height = page.finalized_height;
        all.count = page.count;
        if page.pools.is_empty() {
            break;
        }
        offset = offset.saturating_add(MAX_POOLS_PAGE);
        all.pools.extend(page.pools);
        if offset >= page.count {
            break;
        }
    }
    Ok(all)
}

fn list_text(v: &PoolsResponse) -> String {
    if v.pools.is_empty() {
        return format!(
            "no pools at block {} (create one with `phalanx pool create --commission 10% --from ACCOUNT`)",
            v.finalized_height
        );
    }
    let mut out = format!("{} pool(s) at block {}\n", v.count, v.finalized_height);
    for p in &v.pools {
        out.push_str(&format!(
            "pool {}: price {} PHA per share, commission {}, value {} (free {}, locked {}), {}, {} worker(s), {} queued request(s), owner {}{}\n",
            p.id,
            p.price,
            percent_text(p.commission_ppm),
            pha(p.value.base_units),
            pha(p.free.base_units),
            pha(p.locked.base_units),
            shares_text(p.total_shares),
            p.worker_count,
            p.queue_len,
            p.owner,
            if p.bankrupt { " BANKRUPT" } else { "" },
        ));
    }
    if v.count > v.pools.len() as u64 {
        out.push_str(&format!("(the first {} shown)\n", v.pools.len()));
    }
    out.trim_end().to_string()
}

fn pool_summary(p: &PoolView) -> String {
    let cap = p
        .cap
        .as_ref()
        .map_or_else(|| "none".to_string(), |c| pha(c.base_units));
    format!(
        "  price:       {} PHA per share{}\n  commission:  {} of mining payouts ({} held for the owner)\n  value:       {} (free {}, locked {}; cap {cap})\n  shares:      {}\n  rewards:     {} to delegators since creation\n",
        p.price,
        if p.bankrupt {
            " (BANKRUPT: no value left, no contributions)"
        } else {
            ""
        },
        percent_text(p.commission_ppm),
        pha(p.commission.base_units),
        pha(p.value.base_units),
        pha(p.free.base_units),
        pha(p.locked.base_units),
        shares_text(p.total_shares),
        pha(p.rewards.base_units),
    )
}

fn show_text(v: &PoolResponse) -> String {
    let p = &v.pool;
    let head = v.block_time_ms;
    let mut out = format!(
        "pool {} at block {}, owner {}, created {}\n",
        p.id,
        v.finalized_height,
        p.owner,
        ago(head, p.created_ms)
    );
    out.push_str(&pool_summary(p));
    if v.workers.is_empty() {
        out.push_str("  workers:     none\n");
    } else {
        out.push_str(&format!("  workers ({}):\n", v.workers.len()));
        for w in &v.workers {
            let state = match w.state {
                PoolWorkerState::None => "no session".to_string(),
                PoolWorkerState::Mining => "mining".to_string(),
                PoolWorkerState::Unresponsive => "UNRESPONSIVE (missed a heartbeat)".to_string(),
                PoolWorkerState::CoolingDown => match w.reclaimable_at_ms {
                    Some(at) => format!("cooling down (reclaim {})", due_in(head, at)),
                    None => "cooling down".to_string(),
                },
            };
            let stake = w
                .stake
                .as_ref()
                .map_or_else(String::new, |s| format!(", stake {}", pha(s.base_units)));
            let owner = match &w.session_owner {
                Some(phalanx_runtime::computation::SessionOwner::Account(a)) => {
                    format!(", mining for account {a}, not the pool")
                }
                _ => String::new(),
            };
            out.push_str(&format!("    {} {state}{stake}{owner}\n", w.worker));
        }
    }
    let grace = v.withdrawal_grace_ms / 1000;
    let cool = v.cool_down_ms / 1000;
    if v.queue.is_empty() {
        out.push_str("  queue:       empty (withdrawals are paid at once while the free stake covers them)\n");
    } else {
        out.push_str(&format!(
            "  queue ({}, paid in order as stake frees; after {grace} s anyone may stop the workers (phalanx pool stop), and their stake frees {cool} s later by phalanx mining reclaim; the dates below assume both are sent when possible, and move if governance changes those periods):\n",
            v.queue.len()
        ));
        for (i, w) in v.queue.iter().enumerate() {
            out.push_str(&format!(
                "    {}. {} {} (worth {}), asked {}; paid at worst by {} ({})\n",
                i + 1,
                w.delegator,
                shares_text(w.shares),
                pha(w.worth.base_units),
                ago(head, w.requested_ms),
                utc_text(w.paid_by_ms),
                due_in(head, w.paid_by_ms),
            ));
        }
    }
    if let Some(pos) = &v.position {
        let sign = if pos.rewards_so_far.base_units > 0 {
            "+"
        } else {
            ""
        };
        out.push_str(&format!(
            "  position of {}:\n    shares:      {}{}\n    worth:       {}\n    contributed: {}, withdrawn {}\n    rewards so far: {sign}{} PHA (worth + withdrawn − contributed)\n",
            pos.delegator,
            shares_text(pos.shares),
            if pos.queued_shares > 0 {
                format!(" ({} queued)", format_pha(pos.queued_shares))
            } else {
                String::new()
            },
            pha(pos.worth.base_units),
            pha(pos.contributed.base_units),
            pha(pos.withdrawn.base_units),
            pos.rewards_so_far.pha,
        ));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commissions_are_percentages_or_fractions_and_never_above_100_percent() {
        for (text, ppm) in [
            ("10%", 100_000),
            ("2.5%", 25_000),
            ("0.1", 100_000),
            ("0%", 0),
            ("0", 0),
            ("100%", PPM),
            ("1", PPM),
            ("1.0", PPM),
            ("0.0001%", 1),
            ("0.000001", 1),
            (" 7.25 % ", 72_500),
            (".5", 500_000),
            ("5.%", 50_000),
        ] {
            assert_eq!(parse_commission(text), Ok(ppm), "{text}");
        }
        for text in [
            "101%",
            "100.0001%",
            "1.000001",
            "10",
            "0.00001%",
            "0.0000001",
            "",
            "%",
            ".",
            "-1%",
            "ten",
            "1e1%",
            "10%%",
            "1,5%",
            "99999999999999999999999999999999999999999%",
        ] {
            assert!(parse_commission(text).is_err(), "{text}");
        }
        let e = parse_commission("10").unwrap_err();
        assert!(e.contains("above 100 %") && e.contains("`10%`"), "{e}");
        assert!(
            parse_commission("101%")
                .unwrap_err()
                .contains("above 100 %")
        );
    }

    #[test]
    fn shares_read_like_amounts_without_the_supply_cap() {
        assert_eq!(parse_shares("1"), Ok(1_000_000_000_000));
        assert_eq!(parse_shares("0.000000000001"), Ok(1));
        assert_eq!(parse_shares("1500.25"), Ok(1_500_250_000_000_000));
        assert_eq!(
            parse_shares("2000000000"),
            Ok(2_000_000_000 * 1_000_000_000_000)
        );
        for bad in ["0", "0.0", "", "1.0000000000001", "-1", "x", "1e3"] {
            assert!(parse_shares(bad).is_err(), "{bad}");
        }
        assert!(parse_shares(&"9".repeat(40)).is_err());
    }

    #[test]
    fn percentages_and_dates_read_well() {
        assert_eq!(percent_text(100_000), "10 %");
        assert_eq!(percent_text(25_000), "2.5 %");
        assert_eq!(percent_text(1), "0.0001 %");
        assert_eq!(percent_text(PPM), "100 %");
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_text(1_700_000_000_123), "2023-11-14 22:13:20 UTC");
        assert_eq!(shares_text(20_000 * 1_000_000_000_000), "20000 shares");
    }
}
