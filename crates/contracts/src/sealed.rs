//! How a command and its result are encrypted (HPKE, RFC 9180 base mode, single-shot, with
//! `phalanx_crypto::hpke`), so the chain, the node and the operator see only ciphertext.
//!
//! * **A command** is sealed by the client to the contract's published encryption key, with a
//!   fresh ephemeral key. The plaintext is `reply key (32) ‖ input`: the X25519 public key the
//!   result is to be sealed to (the client keeps its secret), then the contract's input. HPKE's
//!   `info` is [`COMMAND_INFO`]; its `aad` binds the chain, the contract and the sender's
//!   account, so a command replayed by another account, or to another contract or chain, does
//!   not open.
//! * **A result** is sealed by every worker of the cluster to the reply key. Its ephemeral key
//!   is derived from the contract key and the command's id ([`ContractKey::result_ephemeral`]),
//!   so every worker seals byte-identical results and the chain can compare them; one
//!   ephemeral key seals one plaintext (the result of that command, which is deterministic),
//!   so no key and nonce are reused for different messages. The plaintext is a status byte
//!   (0: the output follows; 1: the contract's error message follows).

use crate::ContractKey;
use phalanx_crypto::hpke::{self, HpkeError};
use phalanx_types::{ChainId, MAX_COMMAND_IO, Sealed};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// HPKE `info` of a command.
pub const COMMAND_INFO: &[u8] = b"phalanx/contract-command/v1";
/// HPKE `info` of a result.
pub const RESULT_INFO: &[u8] = b"phalanx/contract-result/v1";

/// Why a command or a result could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("input or output of {len} bytes is over the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error(
        "the ciphertext does not open: sealed to another key, for another contract, chain or sender, or changed"
    )]
    Open,
    #[error("the opened command is shorter than its 32-byte reply key")]
    Malformed,
    #[error("the key is a low-order point")]
    WeakKey,
    #[error("no randomness for a fresh ephemeral key")]
    Rng,
    #[error("the query session has used all its counters: open a new one")]
    CounterExhausted,
}

/// A message of `len` bytes is over [`MAX_COMMAND_IO`].
pub(crate) fn too_large(len: usize) -> SealError {
    SealError::TooLarge {
        len,
        max: MAX_COMMAND_IO,
    }
}

/// Whether a command's or query's input or output of `len` bytes is within [`MAX_COMMAND_IO`].
pub(crate) fn within_io_limit(len: usize) -> Result<(), SealError> {
    if len > MAX_COMMAND_IO {
        return Err(too_large(len));
    }
    Ok(())
}

fn sealing_error(error: HpkeError, len: usize) -> SealError {
    match error {
        HpkeError::LowOrder => SealError::WeakKey,
        HpkeError::Rng => SealError::Rng,
        HpkeError::Seal(_) => too_large(len),
        _ => SealError::Open,
    }
}

/// The id of command `seq` of `contract`: what its randomness and its result's sealing key
/// are derived from.
pub fn command_id(contract: &[u8; 32], seq: u64) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"phalanx/contract-command-id/v1\0")
        .chain_update(contract)
        .chain_update(seq.to_be_bytes())
        .finalize()
        .into()
}

fn command_aad(chain: &ChainId, contract: &[u8; 32], sender: &[u8]) -> Vec<u8> {
    let mut aad = chain.namespace(b"phalanx/contract-command/");
    aad.push(0);
    aad.extend_from_slice(contract);
    aad.extend_from_slice(sender);
    aad
}

fn result_aad(chain: &ChainId, contract: &[u8; 32], command: &[u8; 32]) -> Vec<u8> {
    let mut aad = chain.namespace(b"phalanx/contract-result/");
    aad.push(0);
    aad.extend_from_slice(contract);
    aad.extend_from_slice(command);
    aad
}

/// Seals `input` for `contract` (published encryption key `encryption_key`) as `sender`'s
/// command, asking for the result to be sealed to `reply_key`.
pub fn seal_command(
    encryption_key: &[u8; 32],
    chain: &ChainId,
    contract: &[u8; 32],
    sender: &[u8],
    reply_key: &[u8; 32],
    input: &[u8],
) -> Result<Sealed, SealError> {
    within_io_limit(input.len())?;
    let mut plaintext = Zeroizing::new(Vec::with_capacity(32 + input.len()));
    plaintext.extend_from_slice(reply_key);
    plaintext.extend_from_slice(input);
    let aad = command_aad(chain, contract, sender);
    let (enc, ciphertext) = hpke::seal(encryption_key, COMMAND_INFO, &aad, &plaintext)
        .map_err(|e| sealing_error(e, input.len()))?;
    Ok(Sealed { enc, ciphertext })
}

/// A command as the TEE opened it.
pub struct OpenedCommand {
    pub reply_key: [u8; 32],
    pub input: Zeroizing<Vec<u8>>,
}

/// Opens `sender`'s command with the contract's key.
pub fn open_command(
    key: &ContractKey,
    chain: &ChainId,
    sender: &[u8],
    sealed: &Sealed,
) -> Result<OpenedCommand, SealError> {
    let pair = key.encryption_key_pair();
    let aad = command_aad(chain, &key.id(), sender);
    let plaintext = hpke::open(
        &sealed.enc,
        &pair.secret,
        COMMAND_INFO,
        &aad,
        &sealed.ciphertext,
    )
    .map_err(|_| SealError::Open)?;
    if plaintext.len() < 32 {
        return Err(SealError::Malformed);
    }
    let mut reply_key = [0u8; 32];
    reply_key.copy_from_slice(&plaintext[..32]);
    if plaintext.len() - 32 > MAX_COMMAND_IO {
        return Err(SealError::TooLarge {
            len: plaintext.len() - 32,
            max: MAX_COMMAND_IO,
        });
    }
    Ok(OpenedCommand {
        reply_key,
        input: Zeroizing::new(plaintext[32..].to_vec()),
    })
}

/// What a command or a query gave its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandOutcome {
    /// The contract's output.
    Output(Vec<u8>),
    /// Why it failed (the contract's revert message, or the executor's error).
    Failed(String),
}

impl CommandOutcome {
    /// What is sealed: a status byte (0: the output follows; 1: the error message follows).
    pub fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        let mut plaintext = Zeroizing::new(Vec::new());
        match self {
            CommandOutcome::Output(bytes) => {
                plaintext.push(0);
                plaintext.extend_from_slice(bytes);
            }
            CommandOutcome::Failed(message) => {
                plaintext.push(1);
                plaintext.extend_from_slice(message.as_bytes());
            }
        }
        plaintext
    }

    /// The outcome an opened plaintext holds.
    pub fn from_plaintext(plaintext: &[u8]) -> Result<Self, SealError> {
        match plaintext.split_first() {
            Some((0, output)) => Ok(CommandOutcome::Output(output.to_vec())),
            Some((1, message)) => Ok(CommandOutcome::Failed(
                String::from_utf8_lossy(message).into_owned(),
            )),
            _ => Err(SealError::Malformed),
        }
    }
}

/// Seals `outcome` of command `command` to `reply_key`, deterministically (see the module
/// documentation).
pub fn seal_result(
    key: &ContractKey,
    chain: &ChainId,
    command: &[u8; 32],
    reply_key: &[u8; 32],
    outcome: &CommandOutcome,
) -> Result<Sealed, SealError> {
    let plaintext = outcome.to_plaintext();
    if plaintext.len() > MAX_COMMAND_IO + 1 {
        return Err(SealError::TooLarge {
            len: plaintext.len() - 1,
            max: MAX_COMMAND_IO,
        });
    }
    let ephemeral = key.result_ephemeral(command);
    let aad = result_aad(chain, &key.id(), command);
    let (enc, ciphertext) =
        hpke::seal_with_ephemeral(reply_key, &ephemeral, RESULT_INFO, &aad, &plaintext)
            .map_err(|e| sealing_error(e, plaintext.len()))?;
    Ok(Sealed { enc, ciphertext })
}

/// Opens the result of command `command` of `contract` with the reply key's secret.
pub fn open_result(
    reply_secret: &[u8; 32],
    chain: &ChainId,
    contract: &[u8; 32],
    command: &[u8; 32],
    sealed: &Sealed,
) -> Result<CommandOutcome, SealError> {
    let aad = result_aad(chain, contract, command);
    let plaintext = hpke::open(
        &sealed.enc,
        reply_secret,
        RESULT_INFO,
        &aad,
        &sealed.ciphertext,
    )
    .map_err(|_| SealError::Open)?;
    CommandOutcome::from_plaintext(&plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ChainId {
        ChainId::new("phalanx-test").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_command_opens_only_for_its_contract_chain_and_sender() {
        let key = ContractKey::from_secret([1; 32], &[2; 32]);
        let public = key.encryption_key_pair().public;
        let reply = hpke::derive_key_pair(b"reply key of the test client....");
        let sealed = seal_command(
            &public,
            &chain(),
            &[1; 32],
            b"alice",
            &reply.public,
            b"input",
        )
        .unwrap();
        let opened = open_command(&key, &chain(), b"alice", &sealed).unwrap();
        assert_eq!(
            (opened.reply_key, opened.input.as_slice()),
            (reply.public, &b"input"[..])
        );
        assert_eq!(
            open_command(&key, &chain(), b"mallory", &sealed).err(),
            Some(SealError::Open)
        );
        let other = ContractKey::from_secret([3; 32], &[2; 32]);
        assert_eq!(
            open_command(&other, &chain(), b"alice", &sealed).err(),
            Some(SealError::Open)
        );
        let elsewhere = ChainId::new("phalanx-other").unwrap();
        assert_eq!(
            open_command(&key, &elsewhere, b"alice", &sealed).err(),
            Some(SealError::Open)
        );
        let mut changed = sealed.clone();
        changed.ciphertext[0] ^= 1;
        assert_eq!(
            open_command(&key, &chain(), b"alice", &changed).err(),
            Some(SealError::Open)
        );
        assert!(matches!(
            seal_command(
                &public,
                &chain(),
                &[1; 32],
                b"a",
                &reply.public,
                &vec![0; MAX_COMMAND_IO + 1]
            ),
            Err(SealError::TooLarge { .. })
        ));
    }

    #[test]
    fn results_are_identical_on_every_worker_and_open_with_the_reply_key() {
        let key = ContractKey::from_secret([1; 32], &[2; 32]);
        let reply = hpke::derive_key_pair(b"reply key of the test client....");
        let command = command_id(&[1; 32], 4);
        let outcome = CommandOutcome::Output(b"42".to_vec());
        let a = seal_result(&key, &chain(), &command, &reply.public, &outcome).unwrap();
        let b = seal_result(&key, &chain(), &command, &reply.public, &outcome).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            open_result(&reply.secret, &chain(), &[1; 32], &command, &a),
            Ok(outcome)
        );
        let failed = CommandOutcome::Failed("bid too low".into());
        let next = command_id(&[1; 32], 5);
        let sealed = seal_result(&key, &chain(), &next, &reply.public, &failed).unwrap();
        assert_ne!(sealed.enc, a.enc, "one ephemeral key per command");
        assert_eq!(
            open_result(&reply.secret, &chain(), &[1; 32], &next, &sealed),
            Ok(failed)
        );
        assert_eq!(
            open_result(&reply.secret, &chain(), &[1; 32], &command, &sealed),
            Err(SealError::Open)
        );
    }
}
