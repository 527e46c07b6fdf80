//! `phalanx localnet`: N validator processes on loopback, each a `phalanx node` child with its own
//! data directory and log file, supervised until Ctrl-C (or SIGTERM), then stopped cleanly.
//!
//! A validator that exits is reported (which, how, its log) and restarted on its data
//! directory, at most [`MAX_RESTARTS`] times within [`RESTART_WINDOW`], each restart waiting
//! twice as long as the one before. Then the supervisor gives up on it and keeps the others
//! running while they are a quorum; when they no longer are, it stops them all and fails. A
//! temporary directory is deleted only after a run in which no validator exited: otherwise it
//! holds the logs to read, and the supervisor prints where.

use crate::network::{
    TempDir, dev_spec, dev_validator_key, print_dev_accounts, read_spec, write_spec,
};
use commonware_cryptography::Signer;
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use phalanx_node::spec::{ChainSpec, MAX_VALIDATORS, ValidatorSpec};
use std::{
    collections::VecDeque,
    io::Write,
    net::{Ipv4Addr, SocketAddr},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Restarts of one validator allowed within [`RESTART_WINDOW`] (`--max-restarts`).
pub const MAX_RESTARTS: usize = 3;
/// The window over which restarts are counted.
const RESTART_WINDOW: Duration = Duration::from_secs(600);
/// The longest wait before a restart.
const MAX_RESTART_DELAY: Duration = Duration::from_secs(30);
/// How long a validator gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);
/// How often the supervisor checks its children and prints progress.
const TICK: Duration = Duration::from_millis(250);
const STATUS_EVERY: Duration = Duration::from_secs(10);

// The arguments of `phalanx localnet` (its help text is the doc comment in main.rs).
#[derive(clap::Args)]
pub struct Args {
    /// Number of validators.
    #[arg(long, default_value_t = 4)]
    validators: usize,
    /// Data directory holding the spec and one directory per validator (default: a fresh
    /// temporary directory, deleted on exit unless a validator exited during the run: then
    /// it is kept for the logs).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// RPC port of validator 0; validator i listens on this port + i.
    #[arg(long, default_value_t = 8545)]
    rpc_port: u16,
    /// P2P port of validator 0; validator i listens on this port + i.
    #[arg(long, default_value_t = 30333)]
    p2p_port: u16,
    /// Least milliseconds between blocks.
    #[arg(long, default_value_t = 200)]
    block_interval_ms: u64,
    /// How many times a validator that exits is restarted within 10 minutes before the
    /// supervisor gives up on it (the others keep running while a quorum remains).
    #[arg(long, default_value_t = MAX_RESTARTS)]
    max_restarts: usize,
    /// Milliseconds before the first restart of a validator; each further restart within
    /// the window waits twice as long.
    #[arg(long, default_value_t = 1000, hide = true)]
    restart_delay_ms: u64,
}

/// `phalanx localnet`.
pub fn run(args: Args) -> Result<(), String> {
    start(Options {
        validators: args.validators,
        data_dir: args.data_dir,
        rpc_port: args.rpc_port,
        p2p_port: args.p2p_port,
        block_interval_ms: args.block_interval_ms,
        max_restarts: args.max_restarts,
        restart_delay: Duration::from_millis(args.restart_delay_ms),
    })
}

/// Options of `phalanx localnet`.
pub struct Options {
    pub validators: usize,
    pub data_dir: Option<PathBuf>,
    pub rpc_port: u16,
    pub p2p_port: u16,
    pub block_interval_ms: u64,
    /// Restarts of one validator allowed within [`RESTART_WINDOW`].
    pub max_restarts: usize,
    /// The wait before a validator's first restart in the window (doubling after).
    pub restart_delay: Duration,
}

struct Validator {
    index: usize,
    /// The running process; `None` while it waits for a restart, or after the supervisor gave
    /// up on it.
    child: Option<Child>,
    rpc: String,
    rpc_port: u16,
    log: PathBuf,
    /// When it was last restarted, within the window.
    restarts: VecDeque<Instant>,
    /// When to start it again.
    restart_at: Option<Instant>,
    /// The supervisor stopped restarting it.
    given_up: bool,
}

/// What to do about a validator that exited.
#[derive(Debug, PartialEq, Eq)]
enum AfterExit {
    /// Start it again after `delay`; this is restart `attempt` within the window.
    Restart { delay: Duration, attempt: usize },
    /// It used its restarts within the window.
    GiveUp,
}

/// How often a validator is restarted.
#[derive(Clone, Copy)]
struct RestartPolicy {
    max: usize,
    window: Duration,
    first_delay: Duration,
}

impl RestartPolicy {
    /// Decides about an exit at `now`, given the times of the validator's earlier restarts
    /// (recorded here when the answer is a restart).
    fn after_exit(&self, restarts: &mut VecDeque<Instant>, now: Instant) -> AfterExit {
        while restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            restarts.pop_front();
        }
        if restarts.len() >= self.max {
            return AfterExit::GiveUp;
        }
        let doublings = u32::try_from(restarts.len()).unwrap_or(u32::MAX).min(16);
        let delay = self
            .first_delay
            .saturating_mul(1 << doublings)
            .min(MAX_RESTART_DELAY);
        restarts.push_back(now);
        AfterExit::Restart {
            delay,
            attempt: restarts.len(),
        }
    }
}

/// Validators needed to finalize: n − f with f = ⌊(n − 1)/3⌋ faults tolerated (3 of 4).
fn quorum(n: usize) -> usize {
    n - n.saturating_sub(1) / 3
}

/// What a run of the supervisor ended with.
struct Ended {
    result: Result<(), String>,
    /// Some validator exited or could not start (its log is worth keeping).
    troubled: bool,
}

/// Runs the local network until a signal arrives or a validator dies.
fn start(opts: Options) -> Result<(), String> {
    if opts.validators == 0 || opts.validators > MAX_VALIDATORS {
        return Err(format!(
            "--validators must be between 1 and {MAX_VALIDATORS}, got {}",
            opts.validators
        ));
    }
    let last_port = |base: u16| base.checked_add(opts.validators as u16 - 1);
    if opts.rpc_port == 0 || opts.p2p_port == 0 {
        return Err("--rpc-port and --p2p-port must be fixed ports (not 0): peers must know each other's addresses".into());
    }
    if last_port(opts.rpc_port).is_none() || last_port(opts.p2p_port).is_none() {
        return Err("port range runs past 65535; choose lower base ports".into());
    }
    let (mut temp, dir) = match &opts.data_dir {
        Some(d) => (None, d.clone()),
        None => {
            let t = TempDir::new("phalanx-localnet")?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let ended = start_and_supervise(&opts, &dir);
    keep_logs(&ended, &dir, temp.as_mut());
    ended.result
}

/// Keeps a temporary directory after a run in which a validator exited or could not start
/// (a run that failed before starting any has no logs), and says where the logs are.
fn keep_logs(ended: &Ended, dir: &Path, temp: Option<&mut TempDir>) {
    if !ended.troubled {
        return;
    }
    match temp {
        Some(t) => {
            t.keep();
            println!(
                "the validators' logs are kept in {} (node-*/node.log; delete the directory when done)",
                dir.display()
            );
        }
        None => println!(
            "the validators' logs are in {} (node-*/node.log)",
            dir.display()
        ),
    }
}

fn start_and_supervise(opts: &Options, dir: &Path) -> Ended {
    let failed = |e: String| Ended {
        result: Err(e),
        troubled: false,
    };
    let spec_path = dir.join("chain-spec.json");
    let spec = match load_or_create_spec(&spec_path, opts) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return failed(format!("cannot find own executable: {e}")),
    };
    let mut validators = Vec::with_capacity(opts.validators);
    for i in 0..opts.validators {
        let rpc_port = opts.rpc_port + i as u16;
        let data = dir.join(format!("node-{i}"));
        let mut v = Validator {
            index: i,
            child: None,
            rpc: format!(
                "http://{}",
                SocketAddr::from((Ipv4Addr::LOCALHOST, rpc_port))
            ),
            rpc_port,
            log: data.join("node.log"),
            restarts: VecDeque::new(),
            restart_at: None,
            given_up: false,
        };
        match spawn(&exe, dir, &spec_path, i, rpc_port) {
            Ok(child) => v.child = Some(child),
            Err(e) => {
                stop(&mut validators);
                return Ended {
                    result: Err(e),
                    troubled: true,
                };
            }
        }
        validators.push(v);
    }
    println!(
        "Phalanx localnet `{}`: {} validators on loopback.",
        spec.genesis.chain_id,
        validators.len()
    );
    println!("  chain spec: {}", spec_path.display());
    for v in &validators {
        println!(
            "  validator {}: RPC {}  P2P 127.0.0.1:{}  pid {}  log {}",
            v.index,
            v.rpc,
            opts.p2p_port + v.index as u16,
            v.child.as_ref().map_or(0, Child::id),
            v.log.display()
        );
    }
    print_dev_accounts(None);
    println!(
        "A validator that exits is restarted (at most {} times within {} min). Press Ctrl-C to stop all validators.",
        opts.max_restarts,
        RESTART_WINDOW.as_secs() / 60
    );

    let mut supervisor = Supervisor {
        exe,
        dir: dir.to_path_buf(),
        spec: spec_path,
        policy: RestartPolicy {
            max: opts.max_restarts,
            window: RESTART_WINDOW,
            first_delay: opts.restart_delay,
        },
        validators,
        troubled: false,
    };
    let result = supervisor.supervise();
    stop(&mut supervisor.validators);
    Ended {
        result,
        troubled: supervisor.troubled,
    }
}

fn load_or_create_spec(path: &Path, opts: &Options) -> Result<ChainSpec, String> {
    if path.exists() {
        let spec = read_spec(path)?;
        if spec.validators.len() != opts.validators {
            return Err(format!(
                "{} already holds a chain with {} validators; use another --data-dir",
                path.display(),
                spec.validators.len()
            ));
        }
        return Ok(spec);
    }
    let validators = (0..opts.validators)
        .map(|i| ValidatorSpec {
            public_key: dev_validator_key(i).public_key().into(),
            p2p_address: SocketAddr::from((Ipv4Addr::LOCALHOST, opts.p2p_port + i as u16)),
        })
        .collect();
    let spec = dev_spec("phalanx-local", validators, opts.block_interval_ms, true)?;
    write_spec(path, &spec)?;
    Ok(spec)
}

fn spawn(exe: &Path, dir: &Path, spec: &Path, i: usize, rpc_port: u16) -> Result<Child, String> {
    let data = dir.join(format!("node-{i}"));
    std::fs::create_dir_all(&data).map_err(|e| format!("creating {}: {e}", data.display()))?;
    let log_path = data.join("node.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| format!("opening {}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("opening {}: {e}", log_path.display()))?;
    let rpc = SocketAddr::from((Ipv4Addr::LOCALHOST, rpc_port));
    let child = Command::new(exe)
        .arg("node")
        .arg("--spec")
        .arg(spec)
        .args(["--key", &format!("dev:validator-{i}")])
        .arg("--data-dir")
        .arg(&data)
        .args(["--rpc-addr", &rpc.to_string()])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
        // the validators in order.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("starting validator {i}: {e}"))?;
    Ok(child)
}

/// The validators and how to start them again.
struct Supervisor {
    exe: PathBuf,
    dir: PathBuf,
    spec: PathBuf,
    policy: RestartPolicy,
    validators: Vec<Validator>,
    /// A validator exited during the run.
    troubled: bool,
}

impl Supervisor {
    /// Watches the children, restarts those that exit, and reports progress, until a signal
    /// (`Ok`) or until too few validators are left to finalize (`Err`).
    fn supervise(&mut self) -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("starting supervisor runtime: {e}"))?;
        rt.block_on(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .map_err(|e| format!("installing SIGTERM handler: {e}"))?;
            let started = Instant::now();
            let mut ready = false;
            let mut last_status = Instant::now();
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => { println!("stopping (Ctrl-C)…"); return Ok(()); }
                    _ = term.recv() => { println!("stopping (SIGTERM)…"); return Ok(()); }
                    _ = tokio::time::sleep(TICK) => {}
                }
                self.tend(Instant::now())?;
                let report = !ready || last_status.elapsed() >= STATUS_EVERY;
                if !report {
                    continue;
                }
                let mut heights: Vec<Option<u64>> = Vec::with_capacity(self.validators.len());
                for v in &self.validators {
                    heights.push(match v.child {
                        Some(_) => height(&v.rpc).await,
                        None => None,
                    });
                }
                let text = heights
                    .iter()
                    .map(|h| h.map_or("-".to_string(), |h| h.to_string()))
                    .collect::<Vec<_>>()
                    .join(" ");
                if !ready {
                    if heights.iter().all(|h| h.is_some_and(|h| h >= 1)) {
                        ready = true;
                        last_status = Instant::now();
                        println!(
                            "localnet ready: all {} validators finalizing (heights: {text}) after {:.1} s",
                            self.validators.len(),
                            started.elapsed().as_secs_f64()
                        );
                    } else if last_status.elapsed() >= STATUS_EVERY {
                        last_status = Instant::now();
                        println!("waiting for validators to finalize (heights: {text})");
                    }
                } else {
                    last_status = Instant::now();
                    println!("finalized heights: {text}");
                }
            }
        })
    }

    /// Notices exits, restarts the validators whose time has come, and fails when those not
    /// given up on are fewer than a quorum.
    fn tend(&mut self, now: Instant) -> Result<(), String> {
        for i in 0..self.validators.len() {
            let exited = match self.validators[i].child.as_mut().map(Child::try_wait) {
                Some(Ok(Some(status))) => Some(status),
                _ => None,
            };
            if let Some(status) = exited {
                self.validators[i].child = None;
                self.exited(i, &status.to_string(), now);
            }
            let v = &mut self.validators[i];
            if v.restart_at.is_some_and(|at| at <= now) {
                v.restart_at = None;
                match spawn(&self.exe, &self.dir, &self.spec, v.index, v.rpc_port) {
                    Ok(child) => {
                        println!("validator {} restarted (pid {})", v.index, child.id());
                        v.child = Some(child);
                    }
                    Err(e) => self.exited(i, &format!("could not start: {e}"), now),
                }
            }
        }
        let n = self.validators.len();
        let left = self.validators.iter().filter(|v| !v.given_up).count();
        if left < quorum(n) {
            let lost: Vec<String> = self
                .validators
                .iter()
                .filter(|v| v.given_up)
                .map(|v| format!("validator {} (log {})", v.index, v.log.display()))
                .collect();
            return Err(format!(
                "{left} of {n} validators left, fewer than the {} needed to finalize; stopping. Gave up on {}",
                quorum(n),
                lost.join(", ")
            ));
        }
        Ok(())
    }

    /// Reports that validator `i` exited (`how`) and schedules its restart, or gives up on it.
    fn exited(&mut self, i: usize, how: &str, now: Instant) {
        self.troubled = true;
        let policy = self.policy;
        let v = &mut self.validators[i];
        let decision = policy.after_exit(&mut v.restarts, now);
        let note = match decision {
            AfterExit::Restart { delay, attempt } => {
                v.restart_at = Some(now + delay);
                format!(
                    "restarting it in {:.1} s (restart {attempt} of {} within {} min)",
                    delay.as_secs_f64(),
                    policy.max,
                    policy.window.as_secs() / 60
                )
            }
            AfterExit::GiveUp => {
                v.given_up = true;
                format!(
                    "giving up on it: it used its {} restarts within {} min",
                    policy.max,
                    policy.window.as_secs() / 60
                )
            }
        };
        println!(
            "validator {} exited ({how}); log: {}; {note}",
            v.index,
            v.log.display()
        );
        // Mark the log, so a reader sees where one run of the validator ends.
        if let Ok(mut log) = std::fs::OpenOptions::new().append(true).open(&v.log) {
            let _ = writeln!(
                log,
                "=== phalanx localnet: validator exited ({how}); {note} ==="
            );
        }
    }
}

/// A validator's finalized height (async: the supervisor's loop runs on a tokio runtime, where
/// the blocking client must not be used).
async fn height(rpc: &str) -> Option<u64> {
    let chain = phalanx_client::endpoint::chain_async(rpc).await.ok()?;
    Some(chain.finalized.height)
}

/// SIGTERM every running validator, wait for each, SIGKILL those that overstay.
fn stop(validators: &mut [Validator]) {
    for v in validators.iter_mut() {
        if let Some(child) = v.child.as_mut()
            && let Ok(None) = child.try_wait()
            && let Ok(pid) = i32::try_from(child.id())
        {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
    }
    let deadline = Instant::now() + STOP_GRACE;
    for v in validators.iter_mut() {
        let Some(child) = v.child.as_mut() else {
            continue;
        };
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    println!("validator {} stopped ({status})", v.index);
                    break;
                }
                Ok(None) if Instant::now() < deadline => std::thread::sleep(TICK),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    println!(
                        "validator {} did not stop within {} s; killed",
                        v.index,
                        STOP_GRACE.as_secs()
                    );
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorum_is_n_minus_the_faults_tolerated() {
        assert_eq!(
            (1..=7).map(quorum).collect::<Vec<_>>(),
            vec![1, 2, 3, 3, 4, 5, 5]
        );
    }

    #[test]
    fn restarts_back_off_and_stop_after_the_limit_within_the_window() {
        let policy = RestartPolicy {
            max: 3,
            window: Duration::from_secs(600),
            first_delay: Duration::from_secs(1),
        };
        let t0 = Instant::now();
        let mut restarts = VecDeque::new();
        let at = |s: u64| t0 + Duration::from_secs(s);
        for (attempt, (when, delay)) in [(0, 1), (10, 2), (20, 4)].into_iter().enumerate() {
            assert_eq!(
                policy.after_exit(&mut restarts, at(when)),
                AfterExit::Restart {
                    delay: Duration::from_secs(delay),
                    attempt: attempt + 1
                }
            );
        }
        assert_eq!(policy.after_exit(&mut restarts, at(30)), AfterExit::GiveUp);
        // Once the first restart leaves the window, one more is allowed.
        assert!(matches!(
            policy.after_exit(&mut restarts, at(601)),
            AfterExit::Restart { attempt: 3, .. }
        ));
        let never = RestartPolicy { max: 0, ..policy };
        assert_eq!(
            never.after_exit(&mut VecDeque::new(), t0),
            AfterExit::GiveUp
        );
    }
}
