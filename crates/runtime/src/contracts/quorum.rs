//! What a cluster must agree on before the chain records it: a contract's keys and each
//! command's result. Reports are tallied per candidate (the SHA-256 of what was reported);
//! each member's report marker keeps the candidate it reported, so that when one candidate
//! reaches the quorum, the members that had reported another are known (evidence) and the
//! losing tallies can be dropped.

use super::cluster;
use crate::state::{State, StateError, StateKey, read_decoded};
use commonware_codec::Encode;
use phalanx_types::WorkerId;

/// How many members of cluster `id` must report the same thing before it is recorded: a
/// majority of a cluster of chosen workers, so one faulty member cannot record keys or
/// results of its own; one for cluster 0, whose "members" include every registered worker,
/// most of which may never run the contract.
pub fn cluster_quorum(state: &(impl State + ?Sized), id: u32) -> Result<u32, StateError> {
    Ok(match cluster(state, id)? {
        Some(c) => u32::try_from(c.members.len() / 2 + 1).unwrap_or(u32::MAX),
        None => 1,
    })
}

/// Counts one more report of the candidate whose tally lives at `votes`: the reports so far,
/// this one included. Below `quorum` the tally is kept; at the quorum it is dropped (the
/// caller records the candidate).
pub(crate) fn tally(
    state: &mut (impl State + ?Sized),
    votes: StateKey,
    quorum: u32,
) -> Result<u32, StateError> {
    let reports = read_decoded::<u32>(state, votes)?
        .unwrap_or(0)
        .saturating_add(1);
    let kept = (reports < quorum).then(|| reports.encode().to_vec());
    state.put(votes, kept);
    Ok(reports)
}

/// Once `candidate` is recorded: the members of `cluster_id` whose marker (`marker(member)`)
/// holds another candidate, whose tallies (`votes(candidate)`) are dropped. Cluster 0 records
/// on its first report, so no one has reported before.
pub(crate) fn dissenters(
    state: &mut (impl State + ?Sized),
    cluster_id: u32,
    candidate: &[u8; 32],
    marker: impl Fn(&WorkerId) -> StateKey,
    votes: impl Fn(&[u8; 32]) -> StateKey,
) -> Result<Vec<WorkerId>, StateError> {
    let Some(cluster) = cluster(state, cluster_id)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for member in cluster.members {
        let Some(theirs) = state.get(&marker(&member))? else {
            continue;
        };
        let Ok(theirs) = <[u8; 32]>::try_from(theirs.as_slice()) else {
            continue;
        };
        if theirs != *candidate {
            state.put(votes(&theirs), None);
            out.push(member);
        }
    }
    Ok(out)
}
