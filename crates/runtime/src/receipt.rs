//! What executing a transaction produced: its status, the fee it paid and its events.

use bytes::BufMut;
use commonware_codec::{Buf, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_types::{AccountId, Amount};
use serde::Serialize;
use thiserror::Error;

/// Why an included transaction's call failed. The fee is still charged and the nonce bumped.
///
/// Codes are part of the block encoding: never renumber.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchError {
    #[error("insufficient balance for the amount after paying the fee")]
    InsufficientBalance = 1,
    #[error("the transfer would leave the sender below the existential deposit")]
    SenderBelowExistentialDeposit = 2,
    #[error("the transfer would create an account below the existential deposit")]
    RecipientBelowExistentialDeposit = 3,
    #[error("the recipient's balance would overflow")]
    Overflow = 4,
    #[error("an account cannot transfer to itself")]
    SelfTransfer = 5,
    #[error("amount must be greater than zero")]
    ZeroAmount = 6,
    #[error("only the registry's root account may do this")]
    NotRoot = 7,
    #[error("the attestation policy freezes new worker registrations")]
    RegistrationsFrozen = 8,
    #[error("the evidence is malformed (size, or collateral that is not collateral JSON)")]
    EvidenceMalformed = 9,
    #[error(
        "the evidence does not verify (signature, certificate chain, revocation or collateral validity)"
    )]
    EvidenceInvalid = 10,
    #[error("the enclave runs in debug mode")]
    DebugEnclave = 11,
    #[error("the evidence's measurement is not on the allow-list")]
    MeasurementNotAllowed = 12,
    #[error("the platform's TCB level is below the policy's minimum")]
    TcbTooLow = 13,
    #[error("the evidence's collateral is older than the policy allows")]
    EvidenceTooOld = 14,
    #[error("the evidence's report data does not bind this worker, operator and chain")]
    ReportDataMismatch = 15,
    #[error("this chain does not accept simulated TEE evidence")]
    SimulatedNotAllowed = 16,
    #[error("no worker is registered under this identity")]
    UnknownWorker = 17,
    #[error("the worker is already a gatekeeper")]
    AlreadyGatekeeper = 18,
    #[error("the gatekeeper set is full")]
    TooManyGatekeepers = 19,
    #[error(
        "the policy is malformed, or allows simulation on a chain that is not a development chain"
    )]
    InvalidPolicy = 20,
    #[error("the registry is full")]
    TooManyWorkers = 21,
    #[error("the worker is registered by another operator")]
    OperatorMismatch = 22,
    #[error("the worker's last attestation is older than the policy allows")]
    AttestationExpired = 23,
    #[error("the worker message's signature does not verify for its sender on this chain")]
    BadMessageSignature = 24,
    #[error("the worker message's sequence number was already used (a replay)")]
    MessageReplayed = 25,
    #[error("the worker message's sequence number skips ahead of the sender's next one")]
    MessageSequenceGap = 26,
    #[error("only a gatekeeper may send this message")]
    NotGatekeeper = 27,
    #[error("the master key generation is not the one expected")]
    UnexpectedGeneration = 28,
    #[error("the message differs from the one the chain already accepted from this sender")]
    KeyDisagreement = 29,
    #[error("no master key has been published yet")]
    NoMasterKey = 30,
    #[error(
        "a DKG round (a rotation or a reshare) is still in progress; rotate once it has finished"
    )]
    RotationPending = 31,
    #[error("no worker is registered under the recipient's identity")]
    UnknownRecipient = 32,
    #[error("a registered worker cannot change its encryption key (key shares were sealed to it)")]
    EncryptionKeyChanged = 34,
    #[error("no such cluster (only the default cluster 0 exists until contracts define others)")]
    UnknownCluster = 35,
    #[error("no DKG round with that number is in progress")]
    DkgWrongRound = 36,
    #[error("the sender is not a dealer of this DKG round (or that dealer has not dealt)")]
    NotDealer = 37,
    #[error("the sender is not a player of this DKG round")]
    NotPlayer = 38,
    #[error("the DKG message does not decode or does not fit the round")]
    DkgBadMessage = 39,
    #[error("the dealer log does not check: bad signature, acknowledgement or revealed share")]
    DkgBadLog = 40,
    #[error("the sender holds no share of that generation's current sharing")]
    NotShareHolder = 41,
}

impl DispatchError {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::InsufficientBalance,
            2 => Self::SenderBelowExistentialDeposit,
            3 => Self::RecipientBelowExistentialDeposit,
            4 => Self::Overflow,
            5 => Self::SelfTransfer,
            6 => Self::ZeroAmount,
            7 => Self::NotRoot,
            8 => Self::RegistrationsFrozen,
            9 => Self::EvidenceMalformed,
            10 => Self::EvidenceInvalid,
            11 => Self::DebugEnclave,
            12 => Self::MeasurementNotAllowed,
            13 => Self::TcbTooLow,
            14 => Self::EvidenceTooOld,
            15 => Self::ReportDataMismatch,
            16 => Self::SimulatedNotAllowed,
            17 => Self::UnknownWorker,
            18 => Self::AlreadyGatekeeper,
            19 => Self::TooManyGatekeepers,
            20 => Self::InvalidPolicy,
            21 => Self::TooManyWorkers,
            22 => Self::OperatorMismatch,
            23 => Self::AttestationExpired,
            24 => Self::BadMessageSignature,
            25 => Self::MessageReplayed,
            26 => Self::MessageSequenceGap,
            27 => Self::NotGatekeeper,
            28 => Self::UnexpectedGeneration,
            29 => Self::KeyDisagreement,
            30 => Self::NoMasterKey,
            31 => Self::RotationPending,
            32 => Self::UnknownRecipient,
            34 => Self::EncryptionKeyChanged,
            35 => Self::UnknownCluster,
            36 => Self::DkgWrongRound,
            37 => Self::NotDealer,
            38 => Self::NotPlayer,
            39 => Self::DkgBadMessage,
            40 => Self::DkgBadLog,
            41 => Self::NotShareHolder,
            _ => return None,
        })
    }
}

/// The outcome of an included transaction's call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "error", rename_all = "snake_case")]
pub enum TxStatus {
    Success,
    Failed(DispatchError),
}

/// Something that happened, for clients and indexers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// `amount` moved from `from` to `to`.
    Transfer {
        from: AccountId,
        to: AccountId,
        #[serde(with = "crate::receipt::amount_string")]
        amount: Amount,
    },
    /// A transfer created the account `account`.
    Endowed {
        account: AccountId,
        #[serde(with = "crate::receipt::amount_string")]
        amount: Amount,
    },
    /// `who` paid `amount` in fees to the treasury.
    FeePaid {
        who: AccountId,
        #[serde(with = "crate::receipt::amount_string")]
        amount: Amount,
    },
    /// A worker registered (or, with `refreshed`, re-attested).
    WorkerRegistered {
        worker: AccountId,
        operator: AccountId,
        simulated: bool,
        confidence: u8,
        refreshed: bool,
    },
    /// The attestation policy changed.
    AttestationPolicySet {
        allow_simulated: bool,
        registrations_frozen: bool,
        measurements: u32,
    },
    /// A worker became a gatekeeper.
    GatekeeperPromoted { worker: AccountId },
    /// The chain accepted a worker's message.
    MessageAccepted {
        sender: AccountId,
        seq: u64,
        topic: &'static str,
    },
    /// A DKG round started: a fresh one creates `generation`, a reshare hands it to the
    /// current gatekeepers.
    DkgRoundStarted {
        round: u64,
        generation: u32,
        reshare: bool,
        dealers: u32,
        players: u32,
    },
    /// A dealing, acknowledgement or log of a DKG round was recorded (or, with
    /// `confirmation`, repeated identically).
    DkgMessage {
        round: u64,
        kind: &'static str,
        by: AccountId,
        confirmation: bool,
    },
    /// A dealer's log passed every check and was recorded.
    DkgLogRecorded { round: u64, dealer: AccountId },
    /// A DKG round finished: `generation`'s group public key, shared `threshold`-of-`holders`.
    MasterKeyPublished {
        generation: u32,
        round: u64,
        public_key: String,
        threshold: u32,
        holders: u32,
    },
    /// A gatekeeper's partial signature towards a worker's key went to its inbox.
    KeyShareDelivered {
        recipient: AccountId,
        key: String,
        round: u64,
        by: AccountId,
    },
    /// The same gatekeeper sent the same share again.
    KeyShareConfirmed {
        recipient: AccountId,
        key: String,
        by: AccountId,
    },
    /// The root asked the gatekeepers for a new master key generation.
    MasterKeyRotationRequested { generation: u32 },
    /// A gatekeeper's message was relayed: the relayer's fee was refunded.
    FeeRefunded {
        who: AccountId,
        #[serde(with = "crate::receipt::amount_string")]
        amount: Amount,
    },
}

/// Serializes amounts as decimal strings: JSON numbers lose precision above 2^53.
pub mod amount_string {
    pub fn serialize<S: serde::Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
}

/// The receipt of an included transaction. Status and fee are committed in the block (every
/// validator re-executes and must agree); events are derived on execution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Receipt {
    #[serde(flatten)]
    pub status: TxStatus,
    #[serde(with = "crate::receipt::amount_string")]
    pub fee_paid: Amount,
    pub events: Vec<Event>,
}

/// The consensus-committed part of a receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: TxStatus,
    pub fee_paid: Amount,
}

impl Receipt {
    /// The part of the receipt that blocks commit to.
    pub fn outcome(&self) -> Outcome {
        Outcome {
            status: self.status,
            fee_paid: self.fee_paid,
        }
    }
}

impl Outcome {
    /// A receipt rebuilt from the committed outcome alone, when the execution that produced
    /// the events is not available (events need the parent state to recompute).
    pub fn receipt_without_events(&self) -> Receipt {
        Receipt {
            status: self.status,
            fee_paid: self.fee_paid,
            events: Vec::new(),
        }
    }
}

impl Write for Outcome {
    fn write(&self, buf: &mut impl BufMut) {
        let code: u8 = match self.status {
            TxStatus::Success => 0,
            TxStatus::Failed(e) => e as u8,
        };
        code.write(buf);
        self.fee_paid.write(buf);
    }
}

impl EncodeSize for Outcome {
    fn encode_size(&self) -> usize {
        1 + 16
    }
}

impl Read for Outcome {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let code = u8::read(buf)?;
        let status = if code == 0 {
            TxStatus::Success
        } else {
            TxStatus::Failed(DispatchError::from_code(code).ok_or(CodecError::InvalidEnum(code))?)
        };
        Ok(Self {
            status,
            fee_paid: Amount::read(buf)?,
        })
    }
}
