//! The query sessions a worker holds, bounded: at most `max_sessions` in all and
//! `sessions_per_account` per account, each for `session_lifetime`.
//!
//! An account with as many sessions as it may that opens another loses its oldest: a client
//! that lost its sessions (a restart) must not wait for them to expire, and only the account
//! itself can open its sessions, so nobody else can close them this way. When the table is
//! full of live sessions of many accounts, a new one is refused as busy (503) rather than
//! closing another account's.

use super::{QueryLimits, Refusal};
use phalanx_contracts::replay_window::{ReplayError, ReplayWindow};
use phalanx_contracts::session::{SessionId, SessionKeys};
use phalanx_types::AccountId;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

struct LiveSession {
    account: AccountId,
    /// Shared with the queries being opened, so the table's lock is not held for the
    /// decryption; zeroized when the last holder drops it.
    keys: Arc<SessionKeys>,
    expires_ms: u64,
    window: ReplayWindow,
}

/// What a session query needs once its session is found.
pub(super) struct Found {
    pub account: AccountId,
    pub keys: Arc<SessionKeys>,
}

#[derive(Default)]
pub(super) struct SessionTable {
    sessions: HashMap<SessionId, LiveSession>,
    /// Each account's sessions, oldest first.
    by_account: HashMap<AccountId, VecDeque<SessionId>>,
}

impl SessionTable {
    /// Adds a session opened at `now_ms`, within `limits`.
    pub fn insert(
        &mut self,
        id: SessionId,
        account: AccountId,
        keys: SessionKeys,
        now_ms: u64,
        limits: &QueryLimits,
    ) -> Result<(), Refusal> {
        if self.sessions.contains_key(&id) {
            // 16 random bytes do not collide; a broken random source is not papered over.
            return Err(Refusal::Internal);
        }
        let expires_ms = expiry(limits, now_ms);
        let mine = self.by_account.get(&account).map_or(0, VecDeque::len);
        if mine >= limits.sessions_per_account.max(1) {
            let oldest = self.by_account.get(&account).and_then(|ids| ids.front());
            if let Some(oldest) = oldest.copied() {
                self.remove(&oldest);
            }
        } else if self.sessions.len() >= limits.max_sessions {
            self.remove_expired(now_ms);
            if self.sessions.len() >= limits.max_sessions {
                return Err(Refusal::Busy);
            }
        }
        self.by_account
            .entry(account.clone())
            .or_default()
            .push_back(id);
        self.sessions.insert(
            id,
            LiveSession {
                account,
                keys: Arc::new(keys),
                expires_ms,
                window: ReplayWindow::default(),
            },
        );
        Ok(())
    }

    /// The session `id` for a query with `counter` at `now_ms`, if it is live and the counter
    /// unused (changes nothing but dropping an expired session).
    pub fn find(&mut self, id: &SessionId, counter: u64, now_ms: u64) -> Result<Found, Refusal> {
        let session = self.sessions.get(id).ok_or(Refusal::UnknownSession)?;
        if now_ms >= session.expires_ms {
            self.remove(id);
            return Err(Refusal::SessionExpired);
        }
        session.window.check(counter).map_err(replay_refusal)?;
        Ok(Found {
            account: session.account.clone(),
            keys: session.keys.clone(),
        })
    }

    /// Uses `counter` of session `id` (once its query opened), unless another query used it
    /// meanwhile or the session closed.
    pub fn accept(&mut self, id: &SessionId, counter: u64) -> Result<(), Refusal> {
        let session = self.sessions.get_mut(id).ok_or(Refusal::UnknownSession)?;
        session.window.accept(counter).map_err(replay_refusal)
    }

    fn remove(&mut self, id: &SessionId) {
        let Some(session) = self.sessions.remove(id) else {
            return;
        };
        if let Some(ids) = self.by_account.get_mut(&session.account) {
            ids.retain(|other| other != id);
            if ids.is_empty() {
                self.by_account.remove(&session.account);
            }
        }
    }

    fn remove_expired(&mut self, now_ms: u64) {
        let expired: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|(_, s)| now_ms >= s.expires_ms)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.remove(&id);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.sessions.len()
    }
}

/// When a session opened at `now_ms` expires.
pub(super) fn expiry(limits: &QueryLimits, now_ms: u64) -> u64 {
    let lifetime = u64::try_from(limits.session_lifetime.as_millis()).unwrap_or(u64::MAX);
    now_ms.saturating_add(lifetime)
}

fn replay_refusal(error: ReplayError) -> Refusal {
    match error {
        ReplayError::Seen => Refusal::Replayed,
        ReplayError::BelowWindow => Refusal::CounterBelowWindow,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use commonware_cryptography::Signer as _;
    use phalanx_contracts::session::{accept_session, request_session};
    use phalanx_types::ChainId;

    fn keys() -> SessionKeys {
        let chain = ChainId::new("phalanx-test").unwrap();
        let worker: AccountId = phalanx_crypto::dev_key("worker").public_key().into();
        let pair = phalanx_crypto::hpke::derive_key_pair(b"seed");
        let (request, _) = request_session(
            &chain,
            &worker,
            &pair.public,
            &phalanx_crypto::dev_key("alice"),
            0,
        )
        .unwrap();
        accept_session(&pair.secret, &request, &SessionId([0; 16])).unwrap()
    }

    fn account(name: &str) -> AccountId {
        phalanx_crypto::dev_key(name).public_key().into()
    }

    #[test]
    fn bounded_per_account_and_in_all_and_expiring() {
        let limits = QueryLimits {
            max_sessions: 3,
            sessions_per_account: 2,
            session_lifetime: std::time::Duration::from_millis(100),
            ..QueryLimits::default()
        };
        let mut table = SessionTable::default();
        let (alice, bob, carol) = (account("alice"), account("bob"), account("carol"));
        table
            .insert(SessionId([1; 16]), alice.clone(), keys(), 0, &limits)
            .unwrap();
        table
            .insert(SessionId([2; 16]), alice.clone(), keys(), 10, &limits)
            .unwrap();
        // alice's third closes her oldest.
        table
            .insert(SessionId([3; 16]), alice.clone(), keys(), 20, &limits)
            .unwrap();
        assert_eq!(
            table.find(&SessionId([1; 16]), 0, 30).err(),
            Some(Refusal::UnknownSession)
        );
        table
            .insert(SessionId([4; 16]), bob, keys(), 30, &limits)
            .unwrap();
        // Full of live sessions: carol is refused, and nobody else's is closed.
        assert_eq!(
            table.insert(SessionId([5; 16]), carol.clone(), keys(), 40, &limits),
            Err(Refusal::Busy)
        );
        assert_eq!(table.len(), 3);
        // An expired session is dropped when it is used...
        assert_eq!(
            table.find(&SessionId([2; 16]), 0, 110).err(),
            Some(Refusal::SessionExpired)
        );
        table
            .insert(SessionId([6; 16]), account("dave"), keys(), 111, &limits)
            .unwrap();
        // ...or when the table is full: alice's last expired at 120, so carol gets in.
        table
            .insert(SessionId([5; 16]), carol, keys(), 125, &limits)
            .unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(
            table.find(&SessionId([3; 16]), 0, 125).err(),
            Some(Refusal::UnknownSession)
        );
    }

    #[test]
    fn a_counter_is_used_once() {
        let mut table = SessionTable::default();
        let id = SessionId([1; 16]);
        table
            .insert(id, account("alice"), keys(), 0, &QueryLimits::default())
            .unwrap();
        table.find(&id, 0, 1).unwrap();
        table.accept(&id, 0).unwrap();
        assert_eq!(table.find(&id, 0, 1).err(), Some(Refusal::Replayed));
        assert_eq!(table.accept(&id, 0), Err(Refusal::Replayed));
        table.accept(&id, 500).unwrap();
        assert_eq!(
            table.find(&id, 1, 1).err(),
            Some(Refusal::CounterBelowWindow)
        );
    }
}
