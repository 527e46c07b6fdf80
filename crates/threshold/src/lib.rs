//! The threshold master key.
//!
//! No gatekeeper holds a master key. Each master key generation is a BLS12-381 secret shared
//! t-of-n among the gatekeepers, created by a distributed key generation (DKG) and handed to a
//! changed gatekeeper set by resharing. Both are commonware's Feldman/Desmedt construction
//! ([`commonware_cryptography::bls12381::dkg::feldman_desmedt`]); this crate fixes its
//! parameters for Phalanx and gives the chain and the worker the same helpers, so both sides
//! check the same things.
//!
//! * [`round`]: one DKG or reshare round. Dealers post a public commitment and a private share
//!   per player; players acknowledge the shares that match the commitment; dealers post a
//!   signed log of the acknowledgements (revealing the shares of players that did not answer);
//!   the chain checks each log and, once a quorum of dealers has a usable one, computes the
//!   round's public output. Players compute their share from the same logs.
//! * [`cluster`]: a cluster key is `HKDF(σ)`, where `σ` is the group's BLS signature on the
//!   label `cluster/<id>/<generation>`. Each gatekeeper contributes a partial signature made
//!   with its share; a worker checks every partial against the public polynomial, recovers `σ`
//!   from a quorum of them and checks it against the group public key. BLS signatures are
//!   unique, so every quorum (and every resharing of the same generation) gives the same key.
//!
//! Parameters: public keys in G1 ([`MinPk`]: 48 bytes, the master public key on chain),
//! signatures in G2 (96 bytes), `n ≥ 3f + 1` fault model ([`N3f1`]: a quorum is `n - f`
//! players), participants numbered by counter ([`Mode::NonZeroCounter`]).
//!
//! [`MinPk`]: commonware_cryptography::bls12381::primitives::variant::MinPk
//! [`N3f1`]: commonware_utils::N3f1
//! [`Mode::NonZeroCounter`]: commonware_cryptography::bls12381::primitives::sharing::Mode

pub mod beacon;
pub mod cluster;
pub mod group_signature;
pub mod round;

pub use beacon::{
    BeaconError, beacon_label, beacon_partial, beacon_threshold, recover_beacon,
    verify_beacon_partial,
};
pub use cluster::{ClusterKeyError, cluster_label, partial, recover_cluster_key, verify_partial};
pub use group_signature::SignatureError;
pub use round::{
    Ack, Dealer, Id, Info, Log, MAX_PARTICIPANTS, Output, Partial, PrivMsg, PubMsg, RoundError,
    Share, SignedLog, acknowledge, check_log, dealer, dealer_log, group_public_key, observe,
    player_share, quorum, required, round_info,
};
