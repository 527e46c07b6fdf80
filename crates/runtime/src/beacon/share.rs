//! The `beacon_share` message: a gatekeeper's partial signature towards a round's seed.

use super::{Error, Event, PublishedSeed, latest, round_at, state_key};
use crate::{
    CallResult, Ctx, keys,
    mq::Handled,
    registry::{MAX_GATEKEEPERS, WorkerRecord},
    state::{State, StateError, read_decoded},
};
use bytes::BufMut;
use commonware_codec::{
    Buf, DecodeExt, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write,
};
use phalanx_threshold::{Partial, beacon_threshold, recover_beacon, verify_beacon_partial};
use phalanx_types::MAX_BEACON_PARTIAL;

/// The round being collected: verified partials under one sharing of the master key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingRound {
    pub round: u64,
    /// The key round whose output the partials verified against (a reshare starts over).
    pub sharing: u64,
    /// Encoded partials, one per participant index.
    pub partials: Vec<Vec<u8>>,
}

impl Write for PendingRound {
    fn write(&self, buf: &mut impl BufMut) {
        self.round.write(buf);
        self.sharing.write(buf);
        self.partials.write(buf);
    }
}

impl EncodeSize for PendingRound {
    fn encode_size(&self) -> usize {
        16 + self.partials.encode_size()
    }
}

impl Read for PendingRound {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            round: u64::read(buf)?,
            sharing: u64::read(buf)?,
            partials: Vec::<Vec<u8>>::read_cfg(
                buf,
                &(
                    (..=MAX_GATEKEEPERS).into(),
                    ((..=MAX_BEACON_PARTIAL).into(), ()),
                ),
            )?,
        })
    }
}

fn decode(bytes: &[u8]) -> Option<Partial> {
    Partial::decode(bytes::Bytes::copy_from_slice(bytes)).ok()
}

/// Verifies `partial` for `round` from gatekeeper `sender`, collects it, and publishes the seed
/// when the threshold is reached. A share for a round already published is a confirmation: it
/// changes nothing and (no new work) pays its fee.
pub fn beacon_share(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    sender: &WorkerRecord,
    round: u64,
    partial: &[u8],
) -> CallResult<Handled> {
    if !sender.gatekeeper {
        return Err(Error::NotGatekeeper.into());
    }
    let params = &ctx.params.beacon;
    let now_round = round_at(params, ctx.env.timestamp_ms);
    if round > now_round {
        return Err(Error::RoundNotStarted.into());
    }
    if round.saturating_add(params.max_late_rounds) < now_round {
        return Err(Error::RoundTooOld.into());
    }
    if latest(state)?.is_some_and(|published| round <= published.round) {
        return Ok(Handled {
            events: Vec::new(),
            new_work: false,
        });
    }
    let (_, sharing, output) = keys::current_output(state)?.ok_or(Error::NoMasterKey)?;
    let parsed = decode(partial).ok_or(Error::MalformedPartial)?;
    verify_beacon_partial(&output, &ctx.env.chain_id, round, &parsed)
        .map_err(|_| Error::BadPartial)?;

    let mut pending: PendingRound = read_decoded(state, state_key::pending())?.unwrap_or_default();
    if pending.round > round && !pending.partials.is_empty() {
        return Err(Error::RoundTooOld.into());
    }
    if pending.round != round || pending.sharing != sharing {
        pending = PendingRound {
            round,
            sharing,
            partials: Vec::new(),
        };
    }
    let stored: Vec<Partial> = pending.partials.iter().filter_map(|b| decode(b)).collect();
    if stored.iter().any(|p| p.index == parsed.index) {
        return Ok(Handled {
            events: Vec::new(),
            new_work: false,
        });
    }
    pending.partials.push(partial.to_vec());
    let need = beacon_threshold(&output) as usize;
    if pending.partials.len() < need {
        state.put(state_key::pending(), Some(pending.encode().to_vec()));
        return Ok(Handled {
            events: Vec::new(),
            new_work: true,
        });
    }
    let mut verified = stored;
    verified.push(parsed);
    let seed = recover_beacon(&output, &ctx.env.chain_id, round, &verified).map_err(|e| {
        // Every partial verified under this sharing, so interpolation must succeed.
        StateError::Corrupt {
            key: state_key::pending(),
            reason: format!("verified beacon partials did not recover: {e}"),
        }
    })?;
    state.put(state_key::pending(), None);
    let published = PublishedSeed { round, seed };
    state.put(state_key::latest(), Some(published.encode().to_vec()));
    Ok(Handled {
        events: vec![
            Event::SeedPublished {
                round,
                seed,
                signers: verified.len() as u32,
            }
            .into(),
        ],
        new_work: true,
    })
}
