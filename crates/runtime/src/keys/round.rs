//! Starting and finishing DKG rounds.

use super::{Error, Event, active, generation, latest, logged, state_key};
use crate::{
    BlockEnv, CallResult, registry,
    state::{State, StateError, read_decoded},
};
use bytes::BufMut;
use commonware_codec::{Buf, Encode, EncodeSize, Error as CodecError, Read, ReadExt, Write};
use phalanx_threshold::{Output, round::RoundCodec};
use phalanx_types::{ChainId, Envelope, MAX_DKG_MESSAGE, MAX_DKG_SHARES, WorkerId};

/// A list of at most [`phalanx_threshold::MAX_PARTICIPANTS`] worker ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ids(pub Vec<WorkerId>);

impl Write for Ids {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}
impl EncodeSize for Ids {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}
impl Read for Ids {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        let max = phalanx_threshold::MAX_PARTICIPANTS as usize;
        Ok(Self(Vec::<WorkerId>::read_cfg(
            buf,
            &((..=max).into(), ()),
        )?))
    }
}

/// One DKG round: a fresh one (`previous` is `None`) creates `generation`; a reshare hands the
/// secret of round `previous`'s output to a new set of players.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRecord {
    pub round: u64,
    pub generation: u32,
    pub previous: Option<u64>,
    pub dealers: Vec<WorkerId>,
    pub players: Vec<WorkerId>,
    /// The height of the block that started it (dealers wait `ack_window_blocks`
    /// from here for acknowledgements).
    pub started: u64,
}

impl Write for RoundRecord {
    fn write(&self, buf: &mut impl BufMut) {
        self.round.write(buf);
        self.generation.write(buf);
        self.previous.write(buf);
        Ids(self.dealers.clone()).write(buf);
        Ids(self.players.clone()).write(buf);
        self.started.write(buf);
    }
}
impl EncodeSize for RoundRecord {
    fn encode_size(&self) -> usize {
        8 + 4
            + self.previous.encode_size()
            + self.dealers.encode_size()
            + self.players.encode_size()
            + 8
    }
}
impl Read for RoundRecord {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            round: u64::read(buf)?,
            generation: u32::read(buf)?,
            previous: Option::<u64>::read(buf)?,
            dealers: Ids::read(buf)?.0,
            players: Ids::read(buf)?.0,
            started: u64::read(buf)?,
        })
    }
}

/// A dealing as the chain stores it: the commitment and one envelope per player, in the
/// round's player order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDeal {
    pub commitment: Vec<u8>,
    pub shares: Vec<Envelope>,
}

impl Write for StoredDeal {
    fn write(&self, buf: &mut impl BufMut) {
        self.commitment.write(buf);
        self.shares.write(buf);
    }
}
impl EncodeSize for StoredDeal {
    fn encode_size(&self) -> usize {
        self.commitment.encode_size() + self.shares.encode_size()
    }
}
impl Read for StoredDeal {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            commitment: Vec::<u8>::read_cfg(buf, &((..=MAX_DKG_MESSAGE).into(), ()))?,
            shares: Vec::<Envelope>::read_cfg(buf, &((..=MAX_DKG_SHARES).into(), ()))?,
        })
    }
}

/// A round output the chain stored; it decoded when it was computed, so a failure here is
/// corruption.
pub(crate) fn stored_output(
    state: &(impl State + ?Sized),
    round: u64,
) -> Result<Option<Output>, StateError> {
    let key = state_key::output(round);
    match state.get(&key)? {
        None => Ok(None),
        Some(bytes) => Output::decode_bytes(&bytes)
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                key,
                reason: e.to_string(),
            }),
    }
}

/// The `phalanx-threshold` description of `record` on `chain`. A record the chain wrote always
/// describes a valid round; `Ok(Err(..))` only if state was tampered with.
pub fn round_info(
    state: &(impl State + ?Sized),
    chain: &ChainId,
    record: &RoundRecord,
) -> Result<Result<phalanx_threshold::Info, String>, StateError> {
    let previous = match record.previous {
        Some(r) => match stored_output(state, r)? {
            Some(o) => Some(o),
            None => return Ok(Err(format!("round {r}'s output is missing"))),
        },
        None => None,
    };
    Ok(phalanx_threshold::round_info(
        chain,
        record.round,
        previous,
        &record.dealers,
        &record.players,
    )
    .map_err(|e| e.to_string()))
}

/// Starts a round for `generation` among the current gatekeepers: a reshare of `previous`
/// (the players of its output deal), or a fresh DKG (every gatekeeper deals).
fn start(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    generation: u32,
    previous: Option<(u64, Output)>,
) -> CallResult {
    let players = registry::gatekeepers(state)?;
    let dealers = match &previous {
        Some((_, output)) => output
            .players()
            .iter()
            .map(|p| WorkerId::from(p.clone()))
            .collect(),
        None => players.clone(),
    };
    let round: u64 = read_decoded(state, state_key::next_round())?.unwrap_or(0);
    let record = RoundRecord {
        round,
        generation,
        previous: previous.as_ref().map(|(r, _)| *r),
        dealers,
        players,
        started: env.height,
    };
    // The registry keeps gatekeepers distinct and within the participant limit, so this
    // holds; checking it here keeps a bad round from ever being recorded.
    if phalanx_threshold::round_info(
        &env.chain_id,
        round,
        previous.map(|(_, o)| o),
        &record.dealers,
        &record.players,
    )
    .is_err()
    {
        return Err(Error::DkgBadMessage.into());
    }
    state.put(state_key::next_round(), Some((round + 1).encode().to_vec()));
    state.put(state_key::round(round), Some(record.encode().to_vec()));
    state.put(state_key::active(), Some(round.encode().to_vec()));
    Ok(vec![
        Event::DkgRoundStarted {
            round,
            generation,
            reshare: record.previous.is_some(),
            dealers: record.dealers.len() as u32,
            players: record.players.len() as u32,
        }
        .into(),
    ])
}

/// Starts a fresh DKG for `generation` (the first one, or a rotation).
pub(crate) fn start_fresh(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    generation: u32,
) -> CallResult {
    start(state, env, generation, None)
}

/// The gatekeeper set changed (or a round just finished): if no round is running, start the
/// first DKG, or reshare the newest generation to the current set if it differs from the set
/// holding it.
pub fn gatekeepers_changed(state: &mut (impl State + ?Sized), env: &BlockEnv) -> CallResult {
    if active(state)?.is_some() {
        return Ok(Vec::new());
    }
    let Some(current) = generation(state)? else {
        return start_fresh(state, env, 0);
    };
    let Some(round) = latest(state, current)? else {
        return Ok(Vec::new());
    };
    let Some(output) = stored_output(state, round)? else {
        return Ok(Vec::new());
    };
    let gatekeepers = registry::gatekeepers(state)?;
    let holders: Vec<WorkerId> = output
        .players()
        .iter()
        .map(|p| WorkerId::from(p.clone()))
        .collect();
    let mut a = gatekeepers.clone();
    let mut b = holders;
    a.sort();
    b.sort();
    if a == b {
        return Ok(Vec::new());
    }
    start(state, env, current, Some((round, output)))
}

/// Records `dealer`'s checked log; once a quorum of logs is in, computes the output, publishes
/// the generation's public key and starts a reshare if the gatekeeper set moved on meanwhile.
pub(crate) fn record_log(
    state: &mut (impl State + ?Sized),
    env: &BlockEnv,
    record: &RoundRecord,
    info: &phalanx_threshold::Info,
    dealer: &WorkerId,
    signed: &[u8],
) -> CallResult {
    state.put(state_key::log(record.round, dealer), Some(signed.to_vec()));
    let mut dealers = logged(state, record.round)?;
    dealers.push(dealer.clone());
    state.put(
        state_key::logged(record.round),
        Some(Ids(dealers.clone()).encode().to_vec()),
    );
    let mut events = vec![
        Event::DkgLogRecorded {
            round: record.round,
            dealer: dealer.clone(),
        }
        .into(),
    ];
    let previous = match record.previous {
        Some(r) => stored_output(state, r)?,
        None => None,
    };
    let required = phalanx_threshold::required(record.dealers.len(), previous.as_ref());
    if (dealers.len() as u32) < required {
        return Ok(events);
    }
    let mut logs = Vec::with_capacity(dealers.len());
    for d in &dealers {
        let key = state_key::log(record.round, d);
        let bytes = state.get(&key)?.ok_or_else(|| StateError::Corrupt {
            key,
            reason: "a recorded dealer log is missing".into(),
        })?;
        let signed = phalanx_threshold::SignedLog::decode_bytes(&bytes);
        let checked = signed.ok().and_then(|s| s.check(info));
        let Some(pair) = checked else {
            return Err(StateError::Corrupt {
                key,
                reason: "a recorded dealer log no longer checks".into(),
            }
            .into());
        };
        logs.push(pair);
    }
    let output = match phalanx_threshold::observe(info, logs) {
        Ok(o) => o,
        // Every recorded log was usable on its own; a quorum of them always gives an output.
        Err(_) => return Err(Error::DkgBadLog.into()),
    };
    let public = phalanx_threshold::group_public_key(&output);
    state.put(
        state_key::output(record.round),
        Some(output.encode().to_vec()),
    );
    state.put(
        state_key::latest(record.generation),
        Some(record.round.encode().to_vec()),
    );
    let newest = generation(state)?.map_or(record.generation, |g| g.max(record.generation));
    state.put(state_key::generation(), Some(newest.encode().to_vec()));
    state.put(
        state_key::master_public(record.generation),
        Some(public.clone()),
    );
    state.put(state_key::active(), None);
    events.push(
        Event::MasterKeyPublished {
            generation: record.generation,
            round: record.round,
            public_key: hex::encode(&public),
            threshold: output.public().required(),
            holders: record.players.len() as u32,
        }
        .into(),
    );
    events.extend(gatekeepers_changed(state, env)?);
    Ok(events)
}
