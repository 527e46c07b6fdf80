//! `phalanx localnet`: N validator processes on loopback, each a `phalanx node` child with its own
//! data directory and log file, supervised until Ctrl-C (or SIGTERM), then stopped cleanly.

use crate::{
    http,
    network::{TempDir, dev_spec, dev_validator_key, print_dev_accounts, read_spec, write_spec},
};
use commonware_cryptography::Signer;
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use phalanx_node::spec::{ChainSpec, MAX_VALIDATORS, ValidatorSpec};
use std::{
    net::{Ipv4Addr, SocketAddr},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// How long a validator gets to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);
/// How often the supervisor checks its children and prints progress.
const TICK: Duration = Duration::from_millis(250);
const STATUS_EVERY: Duration = Duration::from_secs(10);

/// Options of `phalanx localnet`.
pub struct Options {
    pub validators: usize,
    pub data_dir: Option<PathBuf>,
    pub rpc_port: u16,
    pub p2p_port: u16,
    pub block_interval_ms: u64,
}

struct Validator {
    index: usize,
    child: Child,
    rpc: String,
    log: PathBuf,
}

/// Runs the local network until a signal arrives or a validator dies.
pub fn run(opts: Options) -> Result<(), String> {
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
    let (_temp, dir) = match &opts.data_dir {
        Some(d) => (None, d.clone()),
        None => {
            let t = TempDir::new("phalanx-localnet")?;
            let p = t.0.clone();
            (Some(t), p)
        }
    };
    let spec_path = dir.join("chain-spec.json");
    let spec = load_or_create_spec(&spec_path, &opts)?;

    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    let mut validators = Vec::with_capacity(opts.validators);
    for i in 0..opts.validators {
        match spawn(&exe, &dir, &spec_path, i, opts.rpc_port + i as u16) {
            Ok(v) => validators.push(v),
            Err(e) => {
                stop(&mut validators);
                return Err(e);
            }
        }
    }
    println!(
        "Phalanx localnet `{}`: {} validators on loopback.",
        spec.genesis.chain_id,
        validators.len()
    );
    println!("  chain spec: {}", spec_path.display());
    for v in &validators {
        println!(
            "  validator {}: RPC {}  P2P 127.0.0.1:{}  log {}",
            v.index,
            v.rpc,
            opts.p2p_port + v.index as u16,
            v.log.display()
        );
    }
    print_dev_accounts();
    println!("Press Ctrl-C to stop all validators.");

    let result = supervise(&mut validators);
    stop(&mut validators);
    result
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

fn spawn(
    exe: &Path,
    dir: &Path,
    spec: &Path,
    i: usize,
    rpc_port: u16,
) -> Result<Validator, String> {
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
    Ok(Validator {
        index: i,
        child,
        rpc: format!("http://{rpc}"),
        log: log_path,
    })
}

/// Watches the children and reports progress until a signal or a child's death.
fn supervise(validators: &mut [Validator]) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting supervisor runtime: {e}"))?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
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
            for v in validators.iter_mut() {
                if let Ok(Some(status)) = v.child.try_wait() {
                    return Err(format!(
                        "validator {} exited ({status}); see {}",
                        v.index,
                        v.log.display()
                    ));
                }
            }
            let report = !ready || last_status.elapsed() >= STATUS_EVERY;
            if !report {
                continue;
            }
            let heights: Vec<Option<u64>> = validators.iter().map(|v| height(&v.rpc)).collect();
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
                        validators.len(),
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

fn height(rpc: &str) -> Option<u64> {
    http::get(rpc, "/chain").ok()?["finalized"]["height"].as_u64()
}

/// SIGTERM every running validator, wait for each, SIGKILL those that overstay.
fn stop(validators: &mut [Validator]) {
    for v in validators.iter_mut() {
        if let Ok(None) = v.child.try_wait()
            && let Ok(pid) = i32::try_from(v.child.id())
        {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
    }
    let deadline = Instant::now() + STOP_GRACE;
    for v in validators.iter_mut() {
        loop {
            match v.child.try_wait() {
                Ok(Some(status)) => {
                    println!("validator {} stopped ({status})", v.index);
                    break;
                }
                Ok(None) if Instant::now() < deadline => std::thread::sleep(TICK),
                _ => {
                    let _ = v.child.kill();
                    let _ = v.child.wait();
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
