//! `phalanx cluster create|show|list`: clusters of chosen workers that confidential contracts
//! run on (`contracts.create_cluster`, `GET /cluster/{id}`, `/clusters`). What the chain would
//! refuse and can be known beforehand (not the root account, no members, a worker listed
//! twice, one that is not registered) is refused before anything is signed.

use crate::{
    contract::refused_here,
    exit::{CliError, Exit},
    keys,
    show::{print, tx_text},
};
use clap::Subcommand;
use commonware_cryptography::Signer;
use phalanx_client::{
    api::{ClusterView, ClustersResponse, TxStatusResponse},
    client, contracts,
    endpoint::{self},
    http::HttpError,
};
use phalanx_runtime::{DispatchError, contracts::Error as ContractsError};
use phalanx_types::{AccountId, MAX_CLUSTER_MEMBERS};
use serde::Serialize;

/// Most clusters `list` shows.
const MAX_LIST: u64 = 1_000;

/// `phalanx cluster --help`.
pub const CLUSTER_HELP: &str = "\
A cluster is the set of TEE workers that run a contract. Cluster 0 is every registered
worker. The root account creates others from chosen workers, or a governance vote does
(`phalanx gov propose cluster --member W`); the chain numbers them from 1. The gatekeepers
then send each member their partial signatures, from which it recovers the cluster's key (no
gatekeeper holds it unless the master key's threshold is 1, as with one gatekeeper), and only members derive the keys of the cluster's contracts (published
once a majority of members agree), execute their commands and answer their queries:

  phalanx cluster create --member WORKER --member WORKER --from dev:alice
  phalanx contract instantiate HASH --cluster 1 --from dev:bob

Members are fixed at creation: adding or removing one is not built.";

#[derive(Subcommand)]
pub enum ClusterCommand {
    /// Create a cluster of registered workers (the root account only); prints its number.
    Create {
        /// A member's identity (64 hex characters, or dev:NAME); repeat for each, at most 64.
        #[arg(long = "member", required = true)]
        members: Vec<String>,
        /// The root account, who signs and pays: a key name, keystore file, or `dev:NAME`.
        #[arg(long)]
        from: String,
    },
    /// A cluster: its members, who created it and when.
    Show {
        /// The cluster's number (from 1; cluster 0 is every registered worker).
        id: u32,
    },
    /// Clusters in creation order (up to 1,000 from --offset).
    List {
        /// The first cluster to list (0 is cluster 1).
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
}

/// `phalanx cluster …`.
pub fn run(rpc: &str, action: ClusterCommand, json_mode: bool) -> Result<(), CliError> {
    match action {
        ClusterCommand::Create { members, from } => create(rpc, &members, &from, json_mode),
        ClusterCommand::Show { id } => {
            let Some(v) = contracts::find_cluster(rpc, id)? else {
                return Err(refused_here(
                    Exit::Refused,
                    ContractsError::UnknownCluster,
                    if id == 0 {
                        "cluster 0 is every registered worker and has no record (`phalanx worker list` lists them)".to_string()
                    } else {
                        format!("no cluster {id} (`phalanx cluster list` lists them)")
                    },
                ));
            };
            print(json_mode, &v, || {
                format!(
                    "cluster at block {}\n{}",
                    v.finalized_height,
                    cluster_text(&v.cluster)
                )
            });
            Ok(())
        }
        ClusterCommand::List { offset } => {
            let v = contracts::list_clusters(rpc, offset, MAX_LIST)?;
            print(json_mode, &v, || list_text(&v));
            Ok(())
        }
    }
}

/// What `create` prints in JSON.
#[derive(Serialize)]
struct Created {
    cluster: u32,
    members: Vec<AccountId>,
    transaction: TxStatusResponse,
}

/// The members given, parsed, checked for repeats and count.
pub(crate) fn parse_members(given: &[String]) -> Result<Vec<AccountId>, CliError> {
    if given.len() > MAX_CLUSTER_MEMBERS {
        return Err(refused_here(
            Exit::Usage,
            ContractsError::TooManyMembers,
            format!(
                "{} members given: a cluster has at most {MAX_CLUSTER_MEMBERS}",
                given.len()
            ),
        ));
    }
    let mut members: Vec<AccountId> = Vec::with_capacity(given.len());
    for text in given {
        let id = keys::resolve_account(text)
            .map_err(|e| CliError::new(Exit::Usage, format!("--member {text}: {e}")))?;
        if members.contains(&id) {
            return Err(refused_here(
                Exit::Usage,
                ContractsError::DuplicateMember,
                format!("worker {id} is given twice"),
            ));
        }
        members.push(id);
    }
    if members.is_empty() {
        return Err(refused_here(
            Exit::Usage,
            ContractsError::EmptyCluster,
            "a cluster needs at least one --member".to_string(),
        ));
    }
    Ok(members)
}

/// Refuses (exit 4, with the chain's `code`) a member the node has no registered worker for:
/// the chain would refuse the cluster in its block, after the fee.
pub(crate) fn check_registered(
    rpc: &str,
    members: &[AccountId],
    code: DispatchError,
) -> Result<(), CliError> {
    for member in members {
        match endpoint::worker(rpc, member) {
            Ok(_) => {}
            Err(HttpError::Status { status: 404, .. }) => {
                return Err(CliError {
                    code: Some(code.name()),
                    ..CliError::new(
                        Exit::Refused,
                        format!(
                            "no worker {member} is registered (`phalanx worker list`): nothing sent"
                        ),
                    )
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn create(rpc: &str, given: &[String], from: &str, json_mode: bool) -> Result<(), CliError> {
    let members = parse_members(given)?;
    let key = keys::resolve_signer_or_file(from)?;
    let signer = AccountId::from(key.public_key());
    let root = endpoint::chain(rpc)?.root;
    if root.as_ref() != Some(&signer) {
        return Err(refused_here(
            Exit::Refused,
            ContractsError::NotRoot,
            match root {
                Some(root) => format!(
                    "{signer} is not the chain's root account ({root}): only the root creates clusters; nothing sent"
                ),
                None => "this chain has no root account: propose the cluster to governance instead (`phalanx gov propose cluster --member W`); nothing sent".to_string(),
            },
        ));
    }
    check_registered(rpc, &members, ContractsError::UnknownWorker.into())?;
    let chain = client::ChainInfo::fetch(rpc)?;
    let sent = contracts::create_cluster(rpc, &chain, &key, members.clone(), json_mode)?;
    let v = Created {
        cluster: sent.cluster,
        members,
        transaction: TxStatusResponse::Finalized(sent.transaction),
    };
    print(json_mode, &v, || {
        format!(
            "cluster {} created with {} worker(s)\n  the gatekeepers now send each member its share of the cluster key; `phalanx contract instantiate HASH --cluster {}` creates a contract on it\n{}",
            v.cluster,
            v.members.len(),
            v.cluster,
            tx_text(&v.transaction)
        )
    });
    Ok(())
}

fn cluster_text(c: &ClusterView) -> String {
    let mut out = format!(
        "  cluster:     {}\n  created by:  {} at block {}\n  members:     {}\n",
        c.id,
        c.record.created_by,
        c.record.created_height,
        c.record.members.len()
    );
    for member in &c.record.members {
        out.push_str(&format!("    {member}\n"));
    }
    out.trim_end().to_string()
}

fn list_text(v: &ClustersResponse) -> String {
    if v.clusters.is_empty() {
        return format!(
            "no clusters of chosen workers at block {} from offset {} (there are {}; cluster 0 is every worker; the root account creates others with `phalanx cluster create --member WORKER`)",
            v.finalized_height, v.offset, v.count
        );
    }
    let mut out = format!(
        "{} cluster(s) of chosen workers at block {} (cluster 0, every worker, not listed)\n",
        v.count, v.finalized_height
    );
    for c in &v.clusters {
        out.push_str(&format!(
            "cluster {}: {} worker(s), created by {} at block {}\n",
            c.id,
            c.record.members.len(),
            c.record.created_by,
            c.record.created_height
        ));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_checked_before_anything_is_signed() {
        let alice = "dev:alice".to_string();
        let bob = "dev:bob".to_string();
        assert_eq!(parse_members(&[alice.clone(), bob]).unwrap().len(), 2);
        let twice = parse_members(&[alice.clone(), alice.clone()]).unwrap_err();
        assert_eq!(twice.code.as_deref(), Some("contracts.duplicate_member"));
        assert!(matches!(twice.exit, Exit::Usage));
        let none = parse_members(&[]).unwrap_err();
        assert_eq!(none.code.as_deref(), Some("contracts.empty_cluster"));
        let many: Vec<String> = (0..=MAX_CLUSTER_MEMBERS)
            .map(|i| format!("dev:w{i}"))
            .collect();
        let too_many = parse_members(&many).unwrap_err();
        assert_eq!(too_many.code.as_deref(), Some("contracts.too_many_members"));
        assert!(parse_members(&["not-a-worker-id!".to_string()]).is_err());
    }

    #[test]
    fn a_cluster_lists_its_members() {
        let member: AccountId = phalanx_crypto::dev_key("w").public_key().into();
        let view = ClusterView {
            id: 3,
            record: phalanx_runtime::contracts::ClusterRecord {
                members: vec![member.clone()],
                created_by: phalanx_crypto::dev_key("alice").public_key().into(),
                created_height: 12,
            },
        };
        let text = cluster_text(&view);
        assert!(text.contains("cluster:     3"), "{text}");
        assert!(text.contains(&member.to_string()), "{text}");
        let empty = ClustersResponse {
            finalized_height: 5,
            count: 0,
            offset: 0,
            clusters: vec![],
        };
        assert!(list_text(&empty).contains("cluster 0 is every worker"));
    }
}
