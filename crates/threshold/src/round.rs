//! One DKG or reshare round among gatekeepers, and the codecs of its messages.
//!
//! The chain is the round's arbiter: it fixes the round's [`Info`] (number, previous output,
//! dealers, players), stores every message, checks each signed log with [`check_log`] and
//! computes the output with [`observe`]. Workers play the dealer ([`dealer`]) and the player
//! ([`player_share`]) from what the chain stores, so a restarted worker replays the round from
//! the chain instead of from local state.

use commonware_codec::{Copying, Decode, DecodeExt, Encode};
use commonware_cryptography::{
    bls12381::{
        dkg::feldman_desmedt as fd,
        primitives::{
            group,
            sharing::{Mode, ModeVersion},
            variant::{self, MinPk},
        },
    },
    ed25519,
    transcript::{Transcript, Version},
};
use commonware_parallel::Sequential;
use commonware_utils::{Faults, N3f1, TryCollect, ordered::Set};
use phalanx_types::{AccountId, ChainId};
use std::num::NonZeroU32;

/// A participant: a gatekeeper's identity key.
pub type Id = ed25519::PublicKey;
pub type Info = fd::Info<MinPk, Id>;
/// A round's public result: the public polynomial, its dealers and players.
pub type Output = fd::Output<MinPk, Id>;
/// A dealer's public commitment.
pub type PubMsg = fd::DealerPubMsg<MinPk>;
/// A dealer's share for one player (sent encrypted to that player).
pub type PrivMsg = fd::DealerPrivMsg;
/// A player's signed acknowledgement of a dealer's share.
pub type Ack = fd::PlayerAck<Id>;
/// A dealer's signed record of which players acknowledged (and the shares of those that did
/// not, revealed).
pub type SignedLog = fd::SignedDealerLog<MinPk, Id>;
pub type Log = fd::DealerLog<MinPk, Id>;
pub type Dealer = fd::Dealer<MinPk, ed25519::PrivateKey>;
/// A player's share of a master key generation.
pub type Share = group::Share;
/// A partial signature made with a [`Share`].
pub type Partial = variant::PartialSignature<MinPk>;

type Logs = fd::Logs<MinPk, Id, N3f1>;

/// A started dealer, its commitment, and one share per player.
pub type Dealing = (Dealer, PubMsg, Vec<(Id, PrivMsg)>);

/// The most participants (dealers or players) in a round; equals the registry's gatekeeper
/// limit, which keeps every round message well under the transaction size limit.
pub const MAX_PARTICIPANTS: u32 = 64;

const MODE: Mode = Mode::NonZeroCounter;

fn max_participants() -> NonZeroU32 {
    NonZeroU32::MIN.saturating_add(MAX_PARTICIPANTS - 1)
}

/// Why a round could not be set up or a message was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RoundError {
    #[error("a round needs 1 to {MAX_PARTICIPANTS} distinct dealers and players: {0}")]
    Participants(String),
    #[error("{0} does not decode: {1}")]
    Decode(&'static str, String),
    #[error("the dealing does not verify: {0}")]
    BadDealing(String),
    #[error("the dealer log's signature does not verify for this round")]
    LogSignature,
    #[error("the dealer log is signed by another dealer than its sender")]
    LogSender,
    #[error("the dealer log proves a fault: {0}")]
    LogFault(String),
    #[error("the dealer log omits its results (it would reveal too many shares)")]
    LogUnavailable,
    #[error("the round did not produce an output: {0}")]
    Failed(String),
    #[error("this worker cannot play the round: {0}")]
    Local(String),
}

/// The signing domain of DKG rounds on `chain`.
pub fn namespace(chain: &ChainId) -> Vec<u8> {
    chain.namespace(b"phalanx/dkg/v1/")
}

fn id_set(ids: &[AccountId]) -> Result<Set<Id>, RoundError> {
    if ids.is_empty() || ids.len() > MAX_PARTICIPANTS as usize {
        return Err(RoundError::Participants(format!("{} given", ids.len())));
    }
    ids.iter()
        .map(|a| a.public_key().clone())
        .try_collect()
        .map_err(|_| RoundError::Participants("a participant is listed twice".into()))
}

/// The description of round `round` on `chain`: a fresh DKG when `previous` is `None`, else a
/// reshare of `previous`'s secret (then every dealer must be one of its players).
pub fn round_info(
    chain: &ChainId,
    round: u64,
    previous: Option<Output>,
    dealers: &[AccountId],
    players: &[AccountId],
) -> Result<Info, RoundError> {
    Info::new::<N3f1>(
        &namespace(chain),
        round,
        previous,
        MODE,
        fd::Reveal::V1,
        id_set(dealers)?,
        id_set(players)?,
    )
    .map_err(|e| RoundError::Participants(e.to_string()))
}

/// How many of `n` players a quorum is (the threshold t).
pub fn quorum(n: usize) -> u32 {
    N3f1::quorum(n.max(1))
}

/// How many usable dealer logs a round needs: a quorum of its dealers and, for a reshare, a
/// quorum of the previous players.
pub fn required(dealers: usize, previous: Option<&Output>) -> u32 {
    let previous = previous.map_or(0, |p| p.quorum::<N3f1>());
    quorum(dealers).max(previous)
}

fn decode_err(what: &'static str) -> impl Fn(commonware_codec::Error) -> RoundError {
    move |e| RoundError::Decode(what, e.to_string())
}

impl RoundCodec for Output {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        Output::decode_cfg(Copying(bytes), &(max_participants(), ModeVersion::v0()))
            .map_err(decode_err("round output"))
            .and_then(|o| exact(bytes, o, "round output"))
    }
}
impl RoundCodec for PubMsg {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        PubMsg::decode_cfg(Copying(bytes), &max_participants())
            .map_err(decode_err("dealer commitment"))
            .and_then(|m| exact(bytes, m, "dealer commitment"))
    }
}
impl RoundCodec for PrivMsg {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        PrivMsg::decode(Copying(bytes)).map_err(decode_err("dealer share"))
    }
}
impl RoundCodec for Ack {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        Ack::decode(Copying(bytes)).map_err(decode_err("player acknowledgement"))
    }
}
impl RoundCodec for SignedLog {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        SignedLog::decode_cfg(Copying(bytes), &max_participants())
            .map_err(decode_err("dealer log"))
            .and_then(|l| exact(bytes, l, "dealer log"))
    }
}
impl RoundCodec for Share {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        Share::decode(Copying(bytes)).map_err(decode_err("key share"))
    }
}
impl RoundCodec for Partial {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError> {
        Partial::decode(Copying(bytes)).map_err(decode_err("partial signature"))
    }
}

/// Encodings must be canonical: the value read must re-encode to exactly the input (no
/// trailing bytes), since the chain compares and hashes them.
fn exact<T: Encode>(bytes: &[u8], value: T, what: &'static str) -> Result<T, RoundError> {
    if value.encode().as_ref() != bytes {
        return Err(RoundError::Decode(
            what,
            "trailing or non-canonical bytes".into(),
        ));
    }
    Ok(value)
}

/// Decoding a round message from untrusted bytes, with the round's size limits.
pub trait RoundCodec: Sized {
    fn decode_bytes(bytes: &[u8]) -> Result<Self, RoundError>;
}

/// Starts `me` as a dealer of `info`. The randomness comes from `seed` (a secret sealed in
/// the dealer's TEE) and the round number, so a dealer that restarts deals exactly the same
/// commitment and shares again, and can still finalize with the acknowledgements already on
/// chain. `share` is the dealer's share of the previous output (reshare) or `None` (fresh).
pub fn dealer(
    seed: &[u8; 32],
    info: &Info,
    me: ed25519::PrivateKey,
    share: Option<Share>,
) -> Result<Dealing, RoundError> {
    let mut transcript = Transcript::new(b"phalanx/dkg/v1/dealer", Version::V1);
    transcript
        .commit(&seed[..])
        .commit(&info.round().to_be_bytes()[..]);
    let rng = transcript.noise(b"deal");
    Dealer::start::<N3f1>(rng, info.clone(), me, share)
        .map_err(|e| RoundError::Local(e.to_string()))
}

/// A player's acknowledgement of `dealer`'s share: given only when the share matches the
/// dealer's commitment (and the commitment fits the round). Acknowledgements are deterministic
/// signatures, so acknowledging again gives the same bytes.
pub fn acknowledge(
    info: &Info,
    me: ed25519::PrivateKey,
    dealer: Id,
    pub_msg: PubMsg,
    priv_msg: PrivMsg,
) -> Result<Ack, RoundError> {
    let mut player = fd::Player::<MinPk, ed25519::PrivateKey>::new(info.clone(), me)
        .map_err(|e| RoundError::Local(e.to_string()))?;
    match player.dealer_message::<N3f1>(dealer, pub_msg, priv_msg) {
        Ok(Some(ack)) => Ok(ack),
        Ok(None) => Err(RoundError::Local("dealing already seen".into())),
        Err(e) => Err(RoundError::BadDealing(e.to_string())),
    }
}

/// A dealer's signed log from the acknowledgements it received; an acknowledgement that does
/// not verify is left out, so that player's share is revealed in the log instead.
pub fn dealer_log(mut dealer: Dealer, acks: impl IntoIterator<Item = (Id, Ack)>) -> SignedLog {
    for (player, ack) in acks {
        let _ = dealer.receive_player_ack(player, ack);
    }
    dealer.finalize::<N3f1>()
}

/// Randomness for log verification: it only picks the coefficients of batch checks (the
/// result equals checking one by one), so it may be public, and it must be deterministic for
/// the chain.
fn check_rng(info: &Info) -> impl rand_core::CryptoRng {
    let mut transcript = Transcript::new(b"phalanx/dkg/v1/check", Version::V1);
    transcript.commit(&info.round().to_be_bytes()[..]);
    transcript.noise(b"batch")
}

/// Checks `signed`, sent by `sender`, as a log of `info`: signed by that dealer for this round,
/// every acknowledgement valid, every revealed share matching the commitment, and results
/// present. Returns the log to record.
pub fn check_log(info: &Info, signed: SignedLog, sender: &Id) -> Result<Log, RoundError> {
    let (dealer, log) = signed.check(info).ok_or(RoundError::LogSignature)?;
    if &dealer != sender {
        return Err(RoundError::LogSender);
    }
    let mut alone = Logs::new(info.clone());
    alone.record(dealer.clone(), log.clone());
    match fd::observe(&mut check_rng(info), alone, &Sequential) {
        Ok(_) => Ok(log),
        Err(fd::Failure::InsufficientLogs {
            faults,
            unavailable,
            ..
        }) => {
            if let Some(fault) = faults.get_value(&dealer) {
                Err(RoundError::LogFault(fault.to_string()))
            } else if unavailable.position(&dealer).is_some() {
                Err(RoundError::LogUnavailable)
            } else {
                Ok(log)
            }
        }
    }
}

/// The round's output from the logs the chain recorded (each already passed [`check_log`]).
pub fn observe(
    info: &Info,
    logs: impl IntoIterator<Item = (Id, Log)>,
) -> Result<Output, RoundError> {
    let mut all = Logs::new(info.clone());
    for (dealer, log) in logs {
        all.record(dealer, log);
    }
    fd::observe(&mut check_rng(info), all, &Sequential)
        .map_err(|e| RoundError::Failed(e.to_string()))
}

/// A player's share of the round's secret: it replays every dealing addressed to it (dealer,
/// commitment, its decrypted share) and the recorded logs. The output must equal the chain's.
pub fn player_share(
    info: &Info,
    me: ed25519::PrivateKey,
    dealings: impl IntoIterator<Item = (Id, PubMsg, PrivMsg)>,
    logs: impl IntoIterator<Item = (Id, Log)>,
) -> Result<(Output, Share), RoundError> {
    let mut player = fd::Player::<MinPk, ed25519::PrivateKey>::new(info.clone(), me)
        .map_err(|e| RoundError::Local(e.to_string()))?;
    for (dealer, pub_msg, priv_msg) in dealings {
        // A dealing that does not verify was not acknowledged; the logs reveal that share
        // instead (or leave the dealer out).
        let _ = player.dealer_message::<N3f1>(dealer, pub_msg, priv_msg);
    }
    let mut all = Logs::new(info.clone());
    for (dealer, log) in logs {
        all.record(dealer, log);
    }
    player
        .finalize::<N3f1>(&mut check_rng(info), all, &Sequential)
        .map_err(|e| RoundError::Failed(e.to_string()))
}

/// The group public key of an output (the generation's master public key), encoded.
pub fn group_public_key(output: &Output) -> Vec<u8> {
    output.public().public().encode().to_vec()
}
