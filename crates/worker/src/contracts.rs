//! Contract commands, executed inside the TEE. The chain broadcasts each command of a contract
//! in order; every worker of the contract's cluster opens it with the contract key (derived
//! from the cluster key), runs it with the `wasmi` executor on the contract's state, seals the
//! result to the caller's reply key and the new state with the state key, and reports the
//! result and the state's hash. The plaintext of commands, outputs and state never leaves the
//! process: the state file on disk holds the sealed state only.
//!
//! The state file (`contracts/<id>.state` in the worker's directory) holds the number of
//! commands applied, this worker's report of the last one (resent after a crash if the chain
//! lacks it) and the sealed state. It is replaced atomically after each command, before the
//! report is sent, so a crash never applies a command twice.

use crate::query::{LiveContract, QueryBoard, QueryLimits};
use crate::{files, keys, run::Worker};
use commonware_codec::Encode;
use phalanx_contracts::{
    ContractKey, EntryPoint, Host, Limits, Randomness, WasmiExecutor,
    sealed::{self, CommandOutcome},
    state::{self, MAX_STATE_BYTES, StateMap},
};
use phalanx_runtime::contracts::{self as chain_contracts, ClusterRecord, ContractRecord};
use phalanx_types::{
    AccountId, ChainId, MAX_COMMAND_EVENT_BYTES, MAX_COMMAND_EVENTS, MAX_COMMAND_IO, Payload,
    Sealed,
};
use std::path::PathBuf;
use std::sync::Arc;
use tracing::{error, info, warn};

const STATE_MAGIC: &[u8; 8] = b"PHXCST01";

/// How long the broadcast queue waits for a cluster key a contract message needs.
const KEY_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Whether the cluster key a message needs is here.
pub(crate) enum KeyWait {
    Ready(crate::store::Secret),
    /// Not yet: handle the message again on the next poll.
    Wait,
    /// Waited long enough: go on without it.
    GiveUp,
}
/// The largest state file read: the sealed state and a report, with room to spare.
const MAX_STATE_FILE: u64 = (MAX_STATE_BYTES as u64) * 2 + 128 * 1024;

/// What the state file holds.
struct Saved {
    applied: u64,
    report: Option<Payload>,
    sealed_state: Vec<u8>,
}

impl Saved {
    fn encode(&self) -> Vec<u8> {
        let mut out = STATE_MAGIC.to_vec();
        out.extend_from_slice(&self.applied.to_be_bytes());
        let report = self
            .report
            .as_ref()
            .map(|r| r.encode().to_vec())
            .unwrap_or_default();
        out.extend_from_slice(&u32::try_from(report.len()).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(&report);
        out.extend_from_slice(&self.sealed_state);
        out
    }

    fn decode(bytes: &[u8]) -> Result<Self, String> {
        let bad = |why: &str| format!("contract state file is damaged: {why}");
        let rest = bytes
            .strip_prefix(STATE_MAGIC.as_slice())
            .ok_or_else(|| bad("no header"))?;
        if rest.len() < 12 {
            return Err(bad("truncated header"));
        }
        let (applied, rest) = rest.split_at(8);
        let (report_len, rest) = rest.split_at(4);
        let mut a = [0u8; 8];
        a.copy_from_slice(applied);
        let mut l = [0u8; 4];
        l.copy_from_slice(report_len);
        let report_len = usize::try_from(u32::from_be_bytes(l)).map_err(|_| bad("length"))?;
        if report_len > rest.len() {
            return Err(bad("truncated report"));
        }
        let (report, sealed_state) = rest.split_at(report_len);
        let report = if report.is_empty() {
            None
        } else {
            Some(
                crate::chain::decode::<Payload>(report, "saved report")
                    .map_err(|e| bad(&e.to_string()))?,
            )
        };
        Ok(Self {
            applied: u64::from_be_bytes(a),
            report,
            sealed_state: sealed_state.to_vec(),
        })
    }
}

/// What a command may use: its gas limit as fuel, and the chain's bounds on what a result
/// carries.
fn command_limits(gas_limit: u64) -> Limits {
    Limits {
        fuel: gas_limit,
        max_input_bytes: MAX_COMMAND_IO,
        max_output_bytes: MAX_COMMAND_IO,
        max_events: MAX_COMMAND_EVENTS,
        max_event_bytes: MAX_COMMAND_EVENT_BYTES,
        ..Limits::default()
    }
}

/// One command, as the chain broadcast it.
pub struct Command<'a> {
    pub contract: &'a [u8; 32],
    pub seq: u64,
    pub sender: &'a AccountId,
    pub height: u64,
    pub time_ms: u64,
    pub gas_limit: u64,
    pub sealed: &'a Sealed,
}

impl Worker {
    /// Starts the query server on `listen` and makes every contract this worker holds a state
    /// of answerable.
    pub fn start_query_server(&mut self, listen: std::net::SocketAddr) -> Result<(), String> {
        let board = Arc::new(QueryBoard::new(
            self.spec.genesis.chain_id.clone(),
            self.id(),
            self.state.encryption_secret.bytes(),
            QueryLimits::default(),
        ));
        crate::query::serve(board.clone(), listen)?;
        self.query = Some(board);
        let dir = self.config.dir.join("contracts");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        // Bounded: one file per contract this worker ran.
        for entry in entries.flatten().take(100_000) {
            let name = entry.file_name();
            let Some(hex_id) = name.to_str().and_then(|n| n.strip_suffix(".state")) else {
                continue;
            };
            let Ok(Ok(id)) = hex::decode(hex_id).map(<[u8; 32]>::try_from) else {
                continue;
            };
            if let Err(e) = self.load_for_queries(&id) {
                warn!(contract = %hex_id, error = %e, "cannot serve queries for this contract");
            }
        }
        Ok(())
    }

    /// Publishes a contract's saved state to the query server (at start-up).
    fn load_for_queries(&mut self, contract: &[u8; 32]) -> Result<(), String> {
        let record: ContractRecord = self
            .chain
            .read_typed(chain_contracts::state_key::contract(contract), "contract")
            .map_err(|e| e.to_string())?
            .ok_or("the chain does not hold this contract")?;
        let cluster_key = self
            .cluster_key(record.cluster, record.generation)
            .ok_or("no cluster key for the contract's generation")?;
        let key = keys::contract_key(&cluster_key, contract);
        let saved = self
            .load_contract_state(contract)?
            .ok_or("no saved state")?;
        let current = state::open_state(&key, saved.applied, &saved.sealed_state)
            .map_err(|e| e.to_string())?;
        let code = self
            .chain
            .read_one(chain_contracts::state_key::code(&record.code_hash).into())
            .map_err(|e| e.to_string())?
            .ok_or("the contract's code is missing from the chain")?;
        let tip = self.chain.tip().height;
        self.publish_for_queries(key, Arc::new(code), current, tip, 0);
        Ok(())
    }

    fn publish_for_queries(
        &self,
        key: ContractKey,
        code: Arc<Vec<u8>>,
        state: StateMap,
        height: u64,
        time_ms: u64,
    ) {
        if let Some(board) = &self.query {
            board.publish(
                key.id(),
                LiveContract {
                    key,
                    code,
                    state: Arc::new(state),
                    height,
                    time_ms,
                },
            );
        }
    }

    fn contract_state_path(&self, contract: &[u8; 32]) -> PathBuf {
        self.config
            .dir
            .join("contracts")
            .join(format!("{}.state", hex::encode(contract)))
    }

    fn load_contract_state(&self, contract: &[u8; 32]) -> Result<Option<Saved>, String> {
        let path = self.contract_state_path(contract);
        if !path.exists() {
            return Ok(None);
        }
        let bytes = files::read_limited(&path, MAX_STATE_FILE, "contract state")?;
        Saved::decode(&bytes).map(Some)
    }

    /// The cluster key of `generation`, or whether to wait for it: a key share may still be on
    /// its way (a contract created right after the master key, before this worker recovered
    /// its cluster key). The broadcast queue waits at most [`KEY_WAIT`] and then goes on
    /// without it (logged: this worker then cannot run that contract).
    pub(crate) fn wait_for_cluster_key(&mut self, cluster: u32, generation: u32) -> KeyWait {
        if let Some(key) = self.cluster_key(cluster, generation) {
            self.key_wait_since = None;
            return KeyWait::Ready(key);
        }
        let now = std::time::Instant::now();
        let since = *self.key_wait_since.get_or_insert_with(|| {
            info!(
                cluster,
                generation, "waiting for the cluster key before going on with the broadcast queue"
            );
            now
        });
        if now.duration_since(since) < KEY_WAIT {
            return KeyWait::Wait;
        }
        self.key_wait_since = None;
        error!(
            cluster,
            generation,
            "no cluster key after {} s: going on without it (this worker cannot run the contract)",
            KEY_WAIT.as_secs()
        );
        KeyWait::GiveUp
    }

    /// Whether this worker belongs to `cluster` (cluster 0: every worker; another: its record
    /// on chain, read with a proof once, lists it). Asked for every command of a contract.
    pub(crate) fn is_cluster_member(&mut self, cluster: u32) -> Result<bool, String> {
        if cluster == keys::DEFAULT_CLUSTER {
            return Ok(true);
        }
        if let Some(&member) = self.memberships.get(&cluster) {
            return Ok(member);
        }
        // A cluster not created yet is not remembered: it may be by the next read.
        let Some(record) = self.cluster_record(cluster)? else {
            return Ok(false);
        };
        let member = record.has_member(&self.id());
        self.memberships.insert(cluster, member);
        Ok(member)
    }

    /// Cluster `cluster`'s record, read with a proof (`None` for cluster 0, every worker, and
    /// for a cluster that does not exist).
    pub(crate) fn cluster_record(&mut self, cluster: u32) -> Result<Option<ClusterRecord>, String> {
        let Some(index) = cluster.checked_sub(1) else {
            return Ok(None);
        };
        self.chain
            .read_typed(
                chain_contracts::state_key::clusters().entry_key(u64::from(index)),
                "cluster",
            )
            .map_err(|e| e.to_string())
    }

    /// Executes one broadcast command of a contract of this worker's clusters (see the module documentation);
    /// `Ok(false)` to be called again later (waiting for the cluster key).
    pub(crate) fn execute_command(&mut self, command: &Command<'_>) -> Result<bool, String> {
        let id = hex::encode(command.contract);
        let seq = command.seq;
        let record: Option<ContractRecord> = self
            .chain
            .read_typed(
                chain_contracts::state_key::contract(command.contract),
                "contract",
            )
            .map_err(|e| e.to_string())?;
        let Some(record) = record else {
            error!(contract = %id, seq, "a command for a contract the chain does not hold: skipped");
            return Ok(true);
        };
        if !self.is_cluster_member(record.cluster)? {
            return Ok(true);
        }
        let cluster_key = match self.wait_for_cluster_key(record.cluster, record.generation) {
            KeyWait::Ready(key) => key,
            KeyWait::Wait => return Ok(false),
            KeyWait::GiveUp => return Ok(true),
        };
        let key = keys::contract_key(&cluster_key, command.contract);

        let saved = self.load_contract_state(command.contract)?;
        let applied = saved.as_ref().map_or(0, |s| s.applied);
        if seq < applied {
            self.resend_report(command, saved)?;
            return Ok(true);
        }
        if seq > applied {
            error!(
                contract = %id,
                seq,
                applied,
                "commands before this one were never applied here (this worker lost its state file, or gave up waiting for the cluster key; state transfer between workers is not built): skipped"
            );
            return Ok(true);
        }
        let current = match &saved {
            Some(s) => {
                state::open_state(&key, applied, &s.sealed_state).map_err(|e| e.to_string())?
            }
            None => StateMap::new(),
        };
        let code = self
            .chain
            .read_one(chain_contracts::state_key::code(&record.code_hash).into())
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("contract {id}'s code is missing from the chain"))?;

        let (succeeded, fuel_used, output, events, next) =
            run_command(&key, &self.spec.genesis.chain_id, command, &code, current)?;
        let sealed_state = state::seal_state(&key, seq + 1, &next).map_err(|e| e.to_string())?;
        let report = Payload::CommandResult {
            contract: *command.contract,
            seq,
            succeeded,
            fuel_used,
            state_hash: state::state_hash(&sealed_state),
            output,
            events,
        };
        let path = self.contract_state_path(command.contract);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let saved = Saved {
            applied: seq + 1,
            report: Some(report.clone()),
            sealed_state,
        };
        files::write_atomic(&path, &saved.encode())?;
        info!(contract = %id, seq, succeeded, fuel_used, "executed a contract command");
        self.publish_for_queries(key, Arc::new(code), next, command.height, command.time_ms);
        self.send_message(report)?;
        Ok(true)
    }

    /// `command` was applied before a restart: sends this worker's report again unless the
    /// chain already has it.
    fn resend_report(&mut self, command: &Command<'_>, saved: Option<Saved>) -> Result<(), String> {
        let Some(Saved {
            applied,
            report: Some(report),
            ..
        }) = saved
        else {
            return Ok(());
        };
        if command.seq + 1 != applied {
            return Ok(());
        }
        // The marker holds the hash of what was reported: only its presence matters here.
        let reported = self
            .chain
            .read_one(
                chain_contracts::state_key::result_report(
                    command.contract,
                    command.seq,
                    &self.id(),
                )
                .into(),
            )
            .map_err(|e| e.to_string())?;
        if reported.is_none() {
            info!(contract = %hex::encode(command.contract), seq = command.seq, "resending a command's result after a restart");
            self.send_message(report)?;
        }
        Ok(())
    }
}

/// Opens and runs `command` on `current`: (succeeded, fuel used, sealed output, events,
/// the state after it). A command that fails is charged the fuel it burned (all of it when it ran out) and leaves the
/// state as it was.
#[allow(clippy::type_complexity)]
fn run_command(
    key: &ContractKey,
    chain: &ChainId,
    command: &Command<'_>,
    code: &[u8],
    current: StateMap,
) -> Result<(bool, u64, Sealed, Vec<Vec<u8>>, StateMap), String> {
    let id = hex::encode(command.contract);
    let opened = match sealed::open_command(key, chain, command.sender.as_bytes(), command.sealed) {
        Ok(opened) => opened,
        Err(e) => {
            // Nobody can be told: the reply key is inside what did not open.
            warn!(contract = %id, seq = command.seq, error = %e, "a command that does not open: failed");
            let nothing = Sealed {
                enc: [0; 32],
                ciphertext: Vec::new(),
            };
            return Ok((false, 0, nothing, Vec::new(), current));
        }
    };
    let command_id = sealed::command_id(command.contract, command.seq);
    let seed = key.command_seed(&command_id);
    let mut caller = [0u8; 32];
    caller.copy_from_slice(command.sender.as_bytes());
    let limits = command_limits(command.gas_limit);
    let host = Host {
        contract: *command.contract,
        caller,
        block_height: command.height,
        block_time_ms: command.time_ms,
        storage: &current,
        key: Some(key),
        randomness: Randomness::Seeded(&seed),
    };
    let (result, burned) = WasmiExecutor::new(&limits).execute_metered(
        code,
        EntryPoint::Call,
        &opened.input,
        host,
        &limits,
    );
    let (outcome, succeeded, fuel_used, events, next) = match result {
        Ok(done) => {
            let mut next = current.clone();
            for (k, v) in done.writes {
                match v {
                    Some(v) => next.insert(k, v),
                    None => next.remove(&k),
                };
            }
            if state::state_size(&next) > MAX_STATE_BYTES {
                let why = format!("the contract's state would exceed {MAX_STATE_BYTES} bytes");
                (
                    CommandOutcome::Failed(why),
                    false,
                    done.fuel_used,
                    Vec::new(),
                    current,
                )
            } else {
                (
                    CommandOutcome::Output(done.output),
                    true,
                    done.fuel_used,
                    done.events,
                    next,
                )
            }
        }
        Err(e) => (
            CommandOutcome::Failed(e.to_string()),
            false,
            burned,
            Vec::new(),
            current,
        ),
    };
    let output = sealed::seal_result(key, chain, &command_id, &opened.reply_key, &outcome)
        .map_err(|e| e.to_string())?;
    Ok((succeeded, fuel_used, output, events, next))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
    use super::*;
    use commonware_cryptography::Signer as _;
    use phalanx_crypto::hpke;

    fn counter() -> Vec<u8> {
        let path = format!(
            "{}/../../contracts/wasm/counter.wasm",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).unwrap()
    }

    fn chain() -> ChainId {
        ChainId::new("phalanx-test").unwrap()
    }

    struct Client {
        account: AccountId,
        reply: hpke::KeyPair,
    }

    fn client() -> Client {
        Client {
            account: phalanx_crypto::dev_key("alice").public_key().into(),
            reply: hpke::derive_key_pair(b"the test client's reply key seed"),
        }
    }

    /// Seals `input` as `client`'s command `seq` and runs it on `state`.
    fn run(
        key: &ContractKey,
        client: &Client,
        seq: u64,
        input: &[u8],
        gas_limit: u64,
        state: StateMap,
    ) -> (bool, u64, Sealed, Vec<Vec<u8>>, StateMap) {
        let public = key.encryption_key_pair().public;
        let sealed = sealed::seal_command(
            &public,
            &chain(),
            &key.id(),
            client.account.as_bytes(),
            &client.reply.public,
            input,
        )
        .unwrap();
        let command = Command {
            contract: &[5; 32],
            seq,
            sender: &client.account,
            height: 10,
            time_ms: 10_000,
            gas_limit,
            sealed: &sealed,
        };
        run_command(key, &chain(), &command, &counter(), state).unwrap()
    }

    fn open(client: &Client, seq: u64, output: &Sealed) -> CommandOutcome {
        let command = sealed::command_id(&[5; 32], seq);
        sealed::open_result(&client.reply.secret, &chain(), &[5; 32], &command, output).unwrap()
    }

    #[test]
    fn a_command_runs_on_the_state_and_its_result_opens_only_for_the_caller() {
        let key = ContractKey::from_secret([5; 32], &[6; 32]);
        let alice = client();
        // Counter: method 0, increment by 5.
        let (ok, fuel, output, _, state) = run(
            &key,
            &alice,
            0,
            &[0, 5, 0, 0, 0, 0, 0, 0, 0],
            1_000_000,
            StateMap::new(),
        );
        assert!(ok);
        assert!(fuel > 0 && fuel < 1_000_000);
        assert_eq!(
            open(&alice, 0, &output),
            CommandOutcome::Output(5u64.to_le_bytes().to_vec())
        );
        // The same command on the same state gives the same result, bytes and state hash, as
        // it must on every worker of the cluster.
        let again = run(
            &key,
            &alice,
            0,
            &[0, 5, 0, 0, 0, 0, 0, 0, 0],
            1_000_000,
            StateMap::new(),
        );
        assert_eq!((again.1, &again.2), (fuel, &output));
        let sealed_a = state::seal_state(&key, 1, &state).unwrap();
        let sealed_b = state::seal_state(&key, 1, &again.4).unwrap();
        assert_eq!(state::state_hash(&sealed_a), state::state_hash(&sealed_b));

        // A revert: what it burned is charged, the state stays, the caller reads why.
        let (ok, fuel, output, _, after) = run(
            &key,
            &alice,
            1,
            &[0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            50_000,
            state.clone(),
        );
        assert!(!ok);
        assert!(
            fuel > 0 && fuel < 50_000,
            "a revert is charged what it burned: {fuel}"
        );
        assert_eq!(after, state);
        assert_eq!(
            open(&alice, 1, &output),
            CommandOutcome::Failed("reverted: count would overflow".into())
        );
        // Out of fuel.
        let (ok, fuel, _, _, after) = run(
            &key,
            &alice,
            2,
            &[0, 1, 0, 0, 0, 0, 0, 0, 0],
            10,
            state.clone(),
        );
        assert!(!ok);
        assert_eq!((fuel, &after), (10, &state));
    }

    #[test]
    fn a_command_that_does_not_open_fails_without_burning_gas() {
        let key = ContractKey::from_secret([5; 32], &[6; 32]);
        let alice = client();
        let wrong_key = ContractKey::from_secret([5; 32], &[7; 32])
            .encryption_key_pair()
            .public;
        let sealed = sealed::seal_command(
            &wrong_key,
            &chain(),
            &[5; 32],
            alice.account.as_bytes(),
            &alice.reply.public,
            &[0, 1, 0, 0, 0, 0, 0, 0, 0],
        )
        .unwrap();
        let command = Command {
            contract: &[5; 32],
            seq: 0,
            sender: &alice.account,
            height: 1,
            time_ms: 1,
            gas_limit: 1_000,
            sealed: &sealed,
        };
        let (ok, fuel, output, events, state) =
            run_command(&key, &chain(), &command, &counter(), StateMap::new()).unwrap();
        assert!(!ok);
        assert_eq!(
            (fuel, output.ciphertext.len(), events.len(), state.len()),
            (0, 0, 0, 0)
        );
    }

    #[test]
    fn the_state_file_round_trips_and_damage_is_an_error() {
        let saved = Saved {
            applied: 3,
            report: Some(Payload::Heartbeat { tip_height: 9 }),
            sealed_state: vec![1, 2, 3],
        };
        let bytes = saved.encode();
        let back = Saved::decode(&bytes).unwrap();
        assert_eq!(
            (back.applied, back.report, back.sealed_state),
            (3, saved.report, vec![1, 2, 3])
        );
        assert!(Saved::decode(&bytes[..10]).is_err());
        assert!(Saved::decode(b"not a state file").is_err());
        let mut bad_len = bytes.clone();
        bad_len[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Saved::decode(&bad_len).is_err());
    }
}
