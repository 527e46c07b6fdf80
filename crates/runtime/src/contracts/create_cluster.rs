//! `contracts.create_cluster` (root only) and the governance action of the same name: a
//! cluster of chosen workers. The chain numbers it, keeps its members, and broadcasts it so
//! the gatekeepers send each member a partial signature towards the cluster's key of the
//! newest generation.

use super::{ClusterRecord, Error, Event, state_key};
use crate::{
    CallResult, Ctx, mq, registry,
    state::{State, StateError},
};
use phalanx_types::{ChainMessage, MAX_CLUSTER_MEMBERS, WorkerId};
use std::collections::BTreeSet;

/// Checks that need no state: at least one member, at most [`MAX_CLUSTER_MEMBERS`] (the
/// decoder enforces it too), none twice.
fn check_members(members: &[WorkerId]) -> Result<(), Error> {
    if members.is_empty() {
        return Err(Error::EmptyCluster);
    }
    if members.len() > MAX_CLUSTER_MEMBERS {
        return Err(Error::TooManyMembers);
    }
    let mut seen = BTreeSet::new();
    if !members.iter().all(|m| seen.insert(m.as_bytes())) {
        return Err(Error::DuplicateMember);
    }
    Ok(())
}

/// Whether `members` can make a cluster: [`check_members`], then every one registered.
pub fn check_cluster_members(
    state: &(impl State + ?Sized),
    members: &[WorkerId],
) -> Result<Result<(), Error>, StateError> {
    if let Err(e) = check_members(members) {
        return Ok(Err(e));
    }
    for member in members {
        if registry::worker(state, member)?.is_none() {
            return Ok(Err(Error::UnknownWorker));
        }
    }
    Ok(Ok(()))
}

/// The root account's call.
pub fn create_cluster(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    members: &[WorkerId],
) -> CallResult {
    if !registry::is_root(state, ctx.signer)? {
        return Err(Error::NotRoot.into());
    }
    make_cluster(state, ctx, members)
}

/// Creates the cluster, whoever decided it (the root account, or a governance proposal,
/// whose proposer `ctx.signer` then is).
pub fn make_cluster(
    state: &mut (impl State + ?Sized),
    ctx: &Ctx,
    members: &[WorkerId],
) -> CallResult {
    check_cluster_members(state, members)??;
    let record = ClusterRecord {
        members: members.to_vec(),
        created_by: ctx.signer.clone(),
        created_height: ctx.env.height,
    };
    let index = state_key::clusters().push(state, &record)?;
    // Cluster 0 is every worker and has no entry: entry `i` is cluster `i + 1`.
    let cluster = u32::try_from(index.saturating_add(1)).map_err(|_| Error::UnknownCluster)?;
    mq::broadcast(state, &ChainMessage::ClusterCreated { cluster })?;
    Ok(vec![
        Event::ClusterCreated {
            cluster,
            members: u32::try_from(members.len()).unwrap_or(u32::MAX),
            by: ctx.signer.clone(),
        }
        .into(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::tests::account;

    #[test]
    fn members_are_checked_before_any_state() {
        assert_eq!(check_members(&[]), Err(Error::EmptyCluster));
        assert_eq!(
            check_members(&[account(1), account(2), account(1)]),
            Err(Error::DuplicateMember)
        );
        assert_eq!(check_members(&[account(1), account(2)]), Ok(()));
        let too_many: Vec<WorkerId> = (0..=MAX_CLUSTER_MEMBERS as u64).map(account).collect();
        assert_eq!(check_members(&too_many), Err(Error::TooManyMembers));
    }
}
