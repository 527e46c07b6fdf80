//! Contracts over the node's API: checking a module the way the chain will before it costs a
//! fee ([`check_code`], the runtime's own checker), uploading it ([`upload_code`]),
//! creating a contract from it ([`instantiate`]: its id derived here exactly as the chain
//! derives it, and compared with the id the receipt names), and reading contracts and modules
//! (`GET /contract/{id}`, `/contracts`, `/code/{hash}`, `/codes`; [`find_contract`] and
//! [`find_code`] tell "unknown" apart from a failure, and a module's bytes are checked against
//! the hash they were asked by), and clusters of chosen workers ([`create_cluster`], by the
//! root account; `GET /cluster/{id}`, `/clusters`).

use crate::{
    api::{
        ClusterResponse, ClustersResponse, CodeResponse, CodesResponse, ContractResponse,
        ContractsQuery, ContractsResponse, FinalizedTx, MAX_CONTRACTS_PAGE,
    },
    client::{ChainInfo, ClientError, send_checked},
    endpoint,
    http::HttpError,
};
use commonware_cryptography::{Hasher, Sha256, Signer, ed25519::PrivateKey};
use phalanx_runtime::{
    Event, Params,
    contracts::{self, Error},
};
use phalanx_types::{AccountId, ContractsCall, MAX_CODE_BYTES};

/// The first four bytes of every WebAssembly module (`\0asm`).
pub const WASM_MAGIC: [u8; 4] = *b"\0asm";

/// SHA-256 of a module: the hash the chain stores it under.
pub fn code_hash(code: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(Sha256::hash(&[code]).as_ref());
    out
}

/// Whether `bytes` start like a WebAssembly module.
pub fn looks_like_wasm(bytes: &[u8]) -> bool {
    bytes.starts_with(&WASM_MAGIC)
}

/// Checks `code` as `contracts.upload_code` will (the chain's size limit in `params`, then
/// the executor's own check: valid WebAssembly, no floats or start function, only the
/// `phalanx_v1` imports with their signatures, the `call`/`query` exports and memory), and
/// returns its hash. A module refused here would be refused in its block, after paying the
/// per-byte fee.
pub fn check_code(params: &Params, code: &[u8]) -> Result<[u8; 32], Error> {
    let max = usize::try_from(params.contracts.max_code_bytes)
        .unwrap_or(usize::MAX)
        .min(MAX_CODE_BYTES);
    if code.len() > max {
        return Err(Error::CodeTooLarge);
    }
    contracts::check_code(code, max)?;
    Ok(code_hash(code))
}

/// A 32-byte id or hash written as 64 hex characters (an optional `0x` first); `what` names
/// it in the error.
pub fn parse_hash(text: &str, what: &str) -> Result<[u8; 32], String> {
    let trimmed = text.trim();
    let hex_part = trimmed.strip_prefix("0x").unwrap_or(trimmed);
    let bad = || {
        // Quote at most a line of what was given.
        let shown: String = trimmed.chars().take(80).collect();
        let more = if trimmed.chars().count() > 80 {
            "…"
        } else {
            ""
        };
        format!("{what} `{shown}{more}` is not 64 hex characters (32 bytes)")
    };
    if hex_part.len() != 64 {
        return Err(bad());
    }
    hex::decode(hex_part)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(bad)
}

/// A module the chain stored.
#[derive(Clone, Debug)]
pub struct Uploaded {
    /// Its SHA-256, as the chain keys it.
    pub code_hash: [u8; 32],
    pub transaction: FinalizedTx,
}

/// Signs `contracts.upload_code` with `key`, submits it and waits for its block. Check the
/// module first ([`check_code`]) and whether it is uploaded already ([`find_code`]): a refusal
/// in the block still pays the per-byte fee.
pub fn upload_code(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    code: Vec<u8>,
    quiet: bool,
) -> Result<Uploaded, ClientError> {
    let code_hash = code_hash(&code);
    let transaction = send_checked(
        rpc,
        chain,
        key,
        ContractsCall::UploadCode { code }.into(),
        "code upload",
        quiet,
    )?;
    Ok(Uploaded {
        code_hash,
        transaction,
    })
}

/// A contract the chain created.
#[derive(Clone, Debug)]
pub struct Instantiated {
    /// The contract's id.
    pub contract: [u8; 32],
    pub transaction: FinalizedTx,
}

/// The id of the contract `deployer` creates on `chain` from `code_hash` on `cluster` with
/// `salt` (the chain's own derivation, `phalanx_runtime::contracts::contract_id`): known
/// before anything is sent.
pub fn contract_id(
    chain: &ChainInfo,
    deployer: &AccountId,
    code_hash: &[u8; 32],
    cluster: u32,
    salt: &[u8; 32],
) -> [u8; 32] {
    contracts::contract_id(&chain.chain_id, deployer, code_hash, cluster, salt)
}

/// The id a receipt's `contracts.contract_instantiated` event names.
pub fn instantiated_id(transaction: &FinalizedTx) -> Option<[u8; 32]> {
    transaction
        .location
        .receipt
        .events
        .iter()
        .find_map(|e| match e {
            Event::Contracts(contracts::Event::ContractInstantiated { contract, .. }) => {
                Some(*contract)
            }
            _ => None,
        })
}

/// Signs `contracts.instantiate` with `key`, submits it, waits for its block, and returns the
/// new contract's id: derived here, and checked against the id the receipt's event names.
pub fn instantiate(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    code_hash: [u8; 32],
    cluster: u32,
    salt: [u8; 32],
    quiet: bool,
) -> Result<Instantiated, ClientError> {
    let deployer = AccountId::from(key.public_key());
    let contract = contract_id(chain, &deployer, &code_hash, cluster, &salt);
    let transaction = send_checked(
        rpc,
        chain,
        key,
        ContractsCall::Instantiate {
            code_hash,
            cluster,
            salt,
        }
        .into(),
        "instantiation",
        quiet,
    )?;
    match instantiated_id(&transaction) {
        Some(on_chain) if on_chain != contract => Err(ClientError::Other(format!(
            "the chain created contract {} but this client derived {} (transaction {}): client and chain disagree on contract ids",
            hex::encode(on_chain),
            hex::encode(contract),
            transaction.hash
        ))),
        // A receipt rebuilt from the block archive has no events: the derivation stands.
        _ => Ok(Instantiated {
            contract,
            transaction,
        }),
    }
}

/// `Ok(None)` for the node's 404 with `code`, the answer or the error otherwise.
fn unless_unknown<T>(answer: Result<T, HttpError>, code: &str) -> Result<Option<T>, HttpError> {
    match answer {
        Ok(v) => Ok(Some(v)),
        Err(HttpError::Status {
            status: 404,
            code: c,
            ..
        }) if c == code => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /contract/{id}`; `None` when no contract has this id.
pub fn find_contract(rpc: &str, id: &[u8; 32]) -> Result<Option<ContractResponse>, HttpError> {
    unless_unknown(endpoint::contract(rpc, id), "unknown_contract")
}

/// `GET /code/{hash}[?bytes=true]`; `None` when no module has this hash. With `bytes`, the
/// module is checked here: its SHA-256 must be `hash` and its size the recorded one.
pub fn find_code(
    rpc: &str,
    hash: &[u8; 32],
    bytes: bool,
) -> Result<Option<CodeResponse>, HttpError> {
    let Some(found) = unless_unknown(endpoint::code(rpc, hash, bytes), "unknown_code")? else {
        return Ok(None);
    };
    if bytes {
        let Some(module) = &found.bytes else {
            return Err(HttpError::Malformed(format!(
                "the node sent no bytes for code {}",
                hex::encode(hash)
            )));
        };
        let module = &module.0;
        if module.len() > MAX_CODE_BYTES
            || u32::try_from(module.len()).ok() != Some(found.code.info.size)
            || code_hash(module) != *hash
        {
            return Err(HttpError::Malformed(format!(
                "the node sent {} bytes for code {} that are not that module (its SHA-256 or size differs)",
                module.len(),
                hex::encode(hash)
            )));
        }
    }
    Ok(Some(found))
}

/// One page of a listing: the finalized height it was read at, how many entries exist, and
/// the page's entries.
type Page<T> = (u64, u64, Vec<T>);

/// Every entry of a paged listing from `offset` on, at most `max`, asking `fetch` for pages of
/// at most [`MAX_CONTRACTS_PAGE`]: `(finalized height, count, entries)`.
fn collect_pages<T>(
    offset: u64,
    max: u64,
    mut fetch: impl FnMut(ContractsQuery) -> Result<Page<T>, HttpError>,
) -> Result<Page<T>, HttpError> {
    let mut all = Vec::new();
    let mut next = offset;
    loop {
        let want = max.saturating_sub(all.len() as u64).min(MAX_CONTRACTS_PAGE);
        let (height, count, page) = fetch(ContractsQuery {
            offset: next,
            limit: want,
        })?;
        let got = page.len() as u64;
        all.extend(page);
        next = next.saturating_add(want);
        if got == 0 || next >= count || all.len() as u64 >= max {
            return Ok((height, count, all));
        }
    }
}

/// Every contract from `offset` on, at most `max`, oldest first, in pages of
/// [`MAX_CONTRACTS_PAGE`]. `count` is how many exist.
pub fn list_contracts(rpc: &str, offset: u64, max: u64) -> Result<ContractsResponse, HttpError> {
    let (finalized_height, count, contracts) = collect_pages(offset, max, |q| {
        endpoint::contracts(rpc, &q).map(|p| (p.finalized_height, p.count, p.contracts))
    })?;
    Ok(ContractsResponse {
        finalized_height,
        count,
        offset,
        contracts,
    })
}

/// Every uploaded module from `offset` on, at most `max`, oldest first.
pub fn list_codes(rpc: &str, offset: u64, max: u64) -> Result<CodesResponse, HttpError> {
    let (finalized_height, count, codes) = collect_pages(offset, max, |q| {
        endpoint::codes(rpc, &q).map(|p| (p.finalized_height, p.count, p.codes))
    })?;
    Ok(CodesResponse {
        finalized_height,
        count,
        offset,
        codes,
    })
}

/// Every cluster of chosen workers from `offset` on (offset 0 is cluster 1), at most `max`.
pub fn list_clusters(rpc: &str, offset: u64, max: u64) -> Result<ClustersResponse, HttpError> {
    let (finalized_height, count, clusters) = collect_pages(offset, max, |q| {
        endpoint::clusters(rpc, &q).map(|p| (p.finalized_height, p.count, p.clusters))
    })?;
    Ok(ClustersResponse {
        finalized_height,
        count,
        offset,
        clusters,
    })
}

/// `GET /cluster/{id}`; `None` when no cluster has this number (cluster 0, every worker,
/// has no record either).
pub fn find_cluster(rpc: &str, id: u32) -> Result<Option<ClusterResponse>, HttpError> {
    unless_unknown(endpoint::cluster(rpc, id), "unknown_cluster")
}

/// A cluster the chain created.
#[derive(Clone, Debug)]
pub struct ClusterCreated {
    /// Its number (from 1).
    pub cluster: u32,
    pub transaction: FinalizedTx,
}

/// Signs `contracts.create_cluster` with `key` (the chain's root account), submits it, waits
/// for its block and returns the number the chain gave the cluster.
pub fn create_cluster(
    rpc: &str,
    chain: &ChainInfo,
    key: &PrivateKey,
    members: Vec<AccountId>,
    quiet: bool,
) -> Result<ClusterCreated, ClientError> {
    let transaction = send_checked(
        rpc,
        chain,
        key,
        ContractsCall::CreateCluster { members }.into(),
        "cluster creation",
        quiet,
    )?;
    let cluster = transaction
        .location
        .receipt
        .events
        .iter()
        .find_map(|e| match e {
            Event::Contracts(contracts::Event::ClusterCreated { cluster, .. }) => Some(*cluster),
            _ => None,
        })
        .ok_or_else(|| {
            ClientError::Other(format!(
                "transaction {} succeeded but its receipt names no cluster_created event (a receipt rebuilt from the block archive has none): see `phalanx cluster list`",
                transaction.hash
            ))
        })?;
    Ok(ClusterCreated {
        cluster,
        transaction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_64_hex_characters() {
        let h = [0xab; 32];
        let text = hex::encode(h);
        assert_eq!(parse_hash(&text, "id"), Ok(h));
        assert_eq!(parse_hash(&format!(" 0x{text} "), "id"), Ok(h));
        assert_eq!(parse_hash(&text.to_uppercase(), "id"), Ok(h));
        for bad in [
            "",
            "ab",
            &text[..62],
            &format!("{text}00"),
            &"zz".repeat(32),
        ] {
            let e = parse_hash(bad, "contract id").unwrap_err();
            assert!(e.starts_with("contract id `"), "{e}");
        }
        // A long input is quoted in part only.
        let e = parse_hash(&"a".repeat(10_000), "code hash").unwrap_err();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn code_is_checked_as_the_chain_checks_it() {
        let params = Params::default();
        assert_eq!(
            check_code(&params, b"not wasm at all"),
            Err(Error::InvalidCode)
        );
        // A valid module without the entry points.
        let empty = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        assert!(looks_like_wasm(&empty));
        assert!(!looks_like_wasm(b"\x7fELF"));
        assert_eq!(check_code(&params, &empty), Err(Error::BadExport));
        // The chain's own limit, lower than what a transaction carries.
        let mut small = params.clone();
        small.contracts.max_code_bytes = 4;
        assert_eq!(check_code(&small, &empty), Err(Error::CodeTooLarge));
        let counter = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../contracts/wasm/counter.wasm"
        ))
        .unwrap();
        assert_eq!(check_code(&params, &counter), Ok(code_hash(&counter)));
    }
}
