//! Heartbeat challenges: which mining workers owe a heartbeat for a beacon round, and which
//! have not answered in time.
//!
//! A worker is challenged in round `r` when `H(worker) XOR seed_r ≤ target` ([`super::target`]),
//! `H` = SHA-256 of a domain tag and the worker's key. To find those workers without touching
//! every session, live sessions are indexed in 4,096 buckets by the first 12 bits of `H`: all
//! challenged hashes share the seed's first `z` bits, where `z` is the target's count of leading
//! zeros, so only `2^(12 − min(z, 12))` buckets hold candidates (one bucket once there are more
//! than ~4,096 expected-per-round workers). A bitmap of the non-empty buckets (one 512-byte
//! read) lets a round skip the empty ones, so a small network, whose target is wide, reads only
//! the buckets that hold a session instead of up to 4,096.
//!
//! A worker owes at most one challenge at a time (its oldest: later ones are ignored until it
//! answers, as the reference's queue of owed heartbeats is only ever judged by its head). Each
//! challenge also goes into a time-ordered queue; `end_block` pops the ones past
//! `heartbeat_window_ms` and marks still-owing workers unresponsive.

use super::{Event, Params, SessionState, session, state_key, target};
use crate::{
    Event as RuntimeEvent,
    state::{State, StateError, read_decoded},
};
use bytes::BufMut;
use commonware_codec::{
    Buf, Encode, EncodeSize, Error as CodecError, FixedSize, Read, ReadExt, ReadRangeExt, Write,
};
use phalanx_types::WorkerId;
use sha2::{Digest, Sha256};

/// Bits of the challenge hash that pick a bucket.
pub const BUCKET_BITS: u32 = 12;
/// Most live sessions one bucket holds (16 per bucket on average at 65,536 workers; a full
/// bucket means someone ground keys into one prefix).
pub const MAX_BUCKET: usize = 256;
/// Most owed heartbeats judged per block (the rest wait for the next block).
pub const MAX_TIMEOUTS_PER_BLOCK: u64 = 1_024;

/// A worker's challenge hash.
pub fn challenge_hash(worker: &WorkerId) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"phalanx/challenge/v1");
    h.update(worker.as_bytes());
    h.finalize().into()
}

fn bucket_of(hash: &[u8; 32]) -> u16 {
    u16::from_be_bytes([hash[0], hash[1]]) >> (16 - BUCKET_BITS)
}

/// The live sessions of one bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bucket(pub Vec<WorkerId>);

impl Write for Bucket {
    fn write(&self, buf: &mut impl BufMut) {
        self.0.write(buf);
    }
}

impl EncodeSize for Bucket {
    fn encode_size(&self) -> usize {
        self.0.encode_size()
    }
}

impl Read for Bucket {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Bucket(Vec::<WorkerId>::read_range(buf, ..=MAX_BUCKET)?))
    }
}

/// Counters over all sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Live sessions (mining or unresponsive): the `N` the target divides among.
    pub live: u64,
    /// The newest beacon round whose challenges were issued.
    pub challenged_round: u64,
}

impl Write for Stats {
    fn write(&self, buf: &mut impl BufMut) {
        self.live.write(buf);
        self.challenged_round.write(buf);
    }
}

impl EncodeSize for Stats {
    fn encode_size(&self) -> usize {
        16
    }
}

impl Read for Stats {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            live: u64::read(buf)?,
            challenged_round: u64::read(buf)?,
        })
    }
}

/// An owed heartbeat and when it falls due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeout {
    pub due_ms: u64,
    pub worker: WorkerId,
    pub round: u64,
}

impl Write for Timeout {
    fn write(&self, buf: &mut impl BufMut) {
        self.due_ms.write(buf);
        self.worker.write(buf);
        self.round.write(buf);
    }
}

impl EncodeSize for Timeout {
    fn encode_size(&self) -> usize {
        8 + WorkerId::SIZE + 8
    }
}

impl Read for Timeout {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self {
            due_ms: u64::read(buf)?,
            worker: WorkerId::read(buf)?,
            round: u64::read(buf)?,
        })
    }
}

/// Which buckets hold at least one live session: bit `i % 8` of byte `i / 8` for bucket `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occupancy(pub [u8; OCCUPANCY_BYTES]);

const OCCUPANCY_BYTES: usize = 1 << (BUCKET_BITS - 3);

impl Default for Occupancy {
    fn default() -> Self {
        Self([0; OCCUPANCY_BYTES])
    }
}

impl Occupancy {
    fn get(&self, bucket: u16) -> bool {
        let i = usize::from(bucket);
        self.0.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0)
    }

    fn set(&mut self, bucket: u16, occupied: bool) {
        let i = usize::from(bucket);
        if let Some(b) = self.0.get_mut(i / 8) {
            if occupied {
                *b |= 1 << (i % 8);
            } else {
                *b &= !(1 << (i % 8));
            }
        }
    }
}

impl Write for Occupancy {
    fn write(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }
}

impl EncodeSize for Occupancy {
    fn encode_size(&self) -> usize {
        OCCUPANCY_BYTES
    }
}

impl Read for Occupancy {
    type Cfg = ();
    fn read_cfg(buf: &mut impl Buf, _: &()) -> Result<Self, CodecError> {
        Ok(Self(<[u8; OCCUPANCY_BYTES]>::read(buf)?))
    }
}

fn occupancy(state: &(impl State + ?Sized)) -> Result<Occupancy, StateError> {
    Ok(read_decoded(state, state_key::occupied())?.unwrap_or_default())
}

pub fn stats(state: &(impl State + ?Sized)) -> Result<Stats, StateError> {
    Ok(read_decoded(state, state_key::stats())?.unwrap_or_default())
}

fn set_stats(state: &mut (impl State + ?Sized), stats: Stats) {
    state.put(state_key::stats(), Some(stats.encode().to_vec()));
}

fn bucket(state: &(impl State + ?Sized), index: u16) -> Result<Bucket, StateError> {
    Ok(read_decoded(state, state_key::bucket(index))?.unwrap_or_default())
}

/// Stores a bucket, and its bit in the occupancy bitmap when it became empty or non-empty.
fn set_bucket(state: &mut (impl State + ?Sized), index: u16, b: &Bucket) -> Result<(), StateError> {
    let value = (!b.0.is_empty()).then(|| b.encode().to_vec());
    state.put(state_key::bucket(index), value);
    let mut map = occupancy(state)?;
    if map.get(index) == b.0.is_empty() {
        map.set(index, !b.0.is_empty());
        state.put(state_key::occupied(), Some(map.encode().to_vec()));
    }
    Ok(())
}

/// Whether `worker`'s bucket has no room for one more session.
pub fn bucket_is_full(
    state: &(impl State + ?Sized),
    worker: &WorkerId,
) -> Result<bool, StateError> {
    Ok(bucket(state, bucket_of(&challenge_hash(worker)))?.0.len() >= MAX_BUCKET)
}

/// A session goes live (start): indexed for challenges and counted.
pub fn join(state: &mut (impl State + ?Sized), worker: &WorkerId) -> Result<(), StateError> {
    let index = bucket_of(&challenge_hash(worker));
    let mut b = bucket(state, index)?;
    if !b.0.contains(worker) {
        b.0.push(worker.clone());
        set_bucket(state, index, &b)?;
        let mut s = stats(state)?;
        s.live += 1;
        set_stats(state, s);
    }
    Ok(())
}

/// A session stops: no more challenges.
pub fn leave(state: &mut (impl State + ?Sized), worker: &WorkerId) -> Result<(), StateError> {
    let index = bucket_of(&challenge_hash(worker));
    let mut b = bucket(state, index)?;
    if let Some(at) = b.0.iter().position(|w| w == worker) {
        b.0.swap_remove(at);
        set_bucket(state, index, &b)?;
        let mut s = stats(state)?;
        s.live = s.live.saturating_sub(1);
        set_stats(state, s);
    }
    Ok(())
}

/// The buckets that can hold a hash within `target` of `seed`.
fn candidate_buckets(seed: &[u8; 32], target: &[u8; 32]) -> std::ops::RangeInclusive<u16> {
    let mut zeros = 0u32;
    for byte in target {
        zeros += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    let fixed = zeros.min(BUCKET_BITS);
    let prefix = bucket_of(seed) >> (BUCKET_BITS - fixed) << (BUCKET_BITS - fixed);
    let span = (1u32 << (BUCKET_BITS - fixed)) - 1;
    prefix..=prefix + span as u16
}

/// Issues round `round`'s challenges from its `seed` at block time `now_ms`.
pub fn issue(
    state: &mut (impl State + ?Sized),
    params: &Params,
    round_ms: u64,
    round: u64,
    seed: &[u8; 32],
    now_ms: u64,
) -> Result<Vec<RuntimeEvent>, StateError> {
    let mut s = stats(state)?;
    if round <= s.challenged_round {
        return Ok(Vec::new());
    }
    s.challenged_round = round;
    set_stats(state, s);
    let units = target::chance_units(
        params.heartbeats_per_hour,
        params.max_heartbeats_per_worker_per_hour,
        s.live,
        round_ms,
    );
    if units == 0 {
        return Ok(Vec::new());
    }
    let goal = target::target(units);
    let map = occupancy(state)?;
    let mut events = Vec::new();
    for index in candidate_buckets(seed, &goal) {
        if !map.get(index) {
            continue;
        }
        for worker in bucket(state, index)?.0 {
            if !target::is_challenged(&challenge_hash(&worker), seed, &goal) {
                continue;
            }
            let Some(mut owing) = session(state, &worker)? else {
                continue;
            };
            if owing.state == SessionState::CoolingDown || owing.owed_round.is_some() {
                continue;
            }
            owing.owed_round = Some(round);
            owing.owed_since_ms = now_ms;
            state.put(state_key::session(&worker), Some(owing.encode().to_vec()));
            let due_ms = now_ms.saturating_add(params.heartbeat_window_ms);
            state_key::timeouts().push(
                state,
                &Timeout {
                    due_ms,
                    worker: worker.clone(),
                    round,
                },
            )?;
            events.push(Event::Challenged { worker, round }.into());
        }
    }
    Ok(events)
}

/// Judges owed heartbeats that fell due by `now_ms`: a worker still owing that challenge
/// becomes unresponsive (V brought forward first, then it decays).
pub fn expire(
    state: &mut (impl State + ?Sized),
    params: &Params,
    now_ms: u64,
) -> Result<Vec<RuntimeEvent>, StateError> {
    let log = state_key::timeouts();
    let len = log.len(state)?;
    let mut head: u64 = read_decoded(state, state_key::timeouts_head())?.unwrap_or(0);
    let start = head;
    let mut events = Vec::new();
    while head < len && head - start < MAX_TIMEOUTS_PER_BLOCK {
        let Some(due) = log.get(state, head)? else {
            break;
        };
        if due.due_ms > now_ms {
            break;
        }
        head += 1;
        let Some(mut late) = session(state, &due.worker)? else {
            continue;
        };
        if late.state != SessionState::Mining || late.owed_round != Some(due.round) {
            continue;
        }
        // V grows until the moment the window closed, then decays.
        late.settle(params, due.due_ms)
            .map_err(|_| StateError::Corrupt {
                key: state_key::session(&due.worker),
                reason: "a stored session's V left the fixed-point range".into(),
            })?;
        late.state = SessionState::Unresponsive;
        // It earns nothing while unresponsive: its share leaves Σshare, and what accrued since
        // its last heartbeat stays in the pot.
        super::rewards::replace_share(state, late.share, crate::fixed::Fixed::ZERO)?;
        state.put(
            state_key::session(&due.worker),
            Some(late.encode().to_vec()),
        );
        events.push(
            Event::Unresponsive {
                worker: due.worker,
                round: due.round,
                v: late.value.v,
            }
            .into(),
        );
    }
    if head != start {
        state.put(state_key::timeouts_head(), Some(head.encode().to_vec()));
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every hash a target admits for a seed lies in one of the candidate buckets.
        #[test]
        fn candidates_cover_every_challenged_hash(
            seed in any::<[u8; 32]>(),
            hash in any::<[u8; 32]>(),
            units in 0u32..=(1 << 24),
            flip_bits in 0u32..256,
        ) {
            let goal = target::target(units);
            // Bring the hash near the seed (share its first `flip_bits` bits) so that some
            // cases are challenged.
            let mut near = seed;
            for bit in flip_bits..256 {
                let (byte, mask) = ((bit / 8) as usize, 0x80u8 >> (bit % 8));
                near[byte] = (near[byte] & !mask) | (hash[byte] & mask);
            }
            if target::is_challenged(&near, &seed, &goal) {
                prop_assert!(candidate_buckets(&seed, &goal).contains(&bucket_of(&near)));
            }
        }
    }

    #[test]
    fn the_occupancy_bitmap_follows_its_buckets() {
        let mut map = Occupancy::default();
        for bucket in [0u16, 7, 8, 4095] {
            assert!(!map.get(bucket));
            map.set(bucket, true);
            assert!(map.get(bucket));
        }
        assert!(!map.get(1) && !map.get(4094));
        map.set(7, false);
        assert!(!map.get(7) && map.get(8));
        // Out of range is never set and never panics.
        map.set(4096, true);
        assert!(!map.get(4096));
        let decoded = Occupancy::read(&mut map.encode()).unwrap_or_default();
        assert_eq!(decoded, map);
    }

    #[test]
    fn candidate_ranges_shrink_as_the_target_does() {
        let seed = [0xabu8; 32];
        assert_eq!(
            candidate_buckets(&seed, &target::target(1 << 24)).count(),
            4096
        );
        assert_eq!(candidate_buckets(&seed, &target::target(1)).count(), 1);
        let half = candidate_buckets(&seed, &target::target(1 << 23));
        assert_eq!(half.clone().count(), 2048);
        assert!(half.contains(&bucket_of(&seed)));
    }
}
