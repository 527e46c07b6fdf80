//! The storage interface the runtime sees: 32-byte keys to byte values.
//!
//! Reads may report [`StateError::Missing`]: the node serves reads from a cache it fills
//! asynchronously from the authenticated database, and a miss tells it which key to fetch before
//! retrying the transaction. Execution is transactional per call through [`Overlay`], so a retry
//! or a failed call leaves no partial writes.

use commonware_cryptography::{Hasher, Sha256};
use phalanx_types::Hash;
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// A key in the authenticated state: SHA-256 of a module prefix and the item's identity.
pub type StateKey = Hash;

/// Derives a state key from a module name, an item name and the item's identity bytes.
pub fn state_key(module: &str, item: &str, id: &[u8]) -> StateKey {
    Sha256::hash(&[
        b"phalanx/state/v1/",
        module.as_bytes(),
        b"/",
        item.as_bytes(),
        b"/",
        id,
    ])
}

/// Failure to read state.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StateError {
    /// The value is not in the local cache; fetch it and retry. Never reaches a receipt.
    #[error("state key {0} not loaded")]
    Missing(StateKey),
    /// A stored value does not decode: the database is corrupt or was written by another
    /// version. Never caused by a transaction's content.
    #[error("stored value under {key} is corrupt: {reason}")]
    Corrupt { key: StateKey, reason: String },
}

/// Reads and decodes the value under `key`; `None` if absent, [`StateError::Corrupt`] if it
/// does not decode (stored values are written by the runtime, so that is corruption).
pub fn read_decoded<T: commonware_codec::Read<Cfg = ()>>(
    state: &(impl State + ?Sized),
    key: StateKey,
) -> Result<Option<T>, StateError> {
    match state.get(&key)? {
        None => Ok(None),
        Some(bytes) => <T as commonware_codec::DecodeExt<()>>::decode(commonware_codec::Copying(
            bytes.as_slice(),
        ))
        .map(Some)
        .map_err(|e| StateError::Corrupt {
            key,
            reason: e.to_string(),
        }),
    }
}

/// Read and write access to state.
pub trait State {
    /// The current value of `key`, `None` if absent.
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError>;
    /// Sets (`Some`) or deletes (`None`) `key`.
    fn put(&mut self, key: StateKey, value: Option<Vec<u8>>);
}

/// A complete in-memory state, for tests, genesis building and tools.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryState {
    pub entries: BTreeMap<StateKey, Vec<u8>>,
}

impl State for MemoryState {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self.entries.get(key).cloned())
    }
    fn put(&mut self, key: StateKey, value: Option<Vec<u8>>) {
        match value {
            Some(v) => {
                self.entries.insert(key, v);
            }
            None => {
                self.entries.remove(&key);
            }
        }
    }
}

/// Buffered writes over a base state, committed or dropped as one unit.
pub struct Overlay<'a, S: State + ?Sized> {
    base: &'a S,
    writes: HashMap<StateKey, Option<Vec<u8>>>,
}

impl<'a, S: State + ?Sized> Overlay<'a, S> {
    /// Starts an empty overlay over `base`.
    pub fn new(base: &'a S) -> Self {
        Self {
            base,
            writes: HashMap::new(),
        }
    }

    /// The buffered writes, to apply to the base.
    pub fn into_writes(self) -> HashMap<StateKey, Option<Vec<u8>>> {
        self.writes
    }
}

impl<S: State + ?Sized> State for Overlay<'_, S> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, StateError> {
        match self.writes.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(key),
        }
    }
    fn put(&mut self, key: StateKey, value: Option<Vec<u8>>) {
        self.writes.insert(key, value);
    }
}

/// Applies a set of writes to a state.
pub fn apply_writes(state: &mut (impl State + ?Sized), writes: HashMap<StateKey, Option<Vec<u8>>>) {
    for (k, v) in writes {
        state.put(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_isolates_until_applied() {
        let mut base = MemoryState::default();
        let k = state_key("m", "i", b"x");
        base.put(k, Some(vec![1]));
        let mut overlay = Overlay::new(&base);
        overlay.put(k, None);
        assert_eq!(overlay.get(&k), Ok(None));
        let writes = overlay.into_writes();
        assert_eq!(base.get(&k), Ok(Some(vec![1])));
        apply_writes(&mut base, writes);
        assert_eq!(base.get(&k), Ok(None));
    }

    #[test]
    fn keys_are_domain_separated() {
        assert_ne!(state_key("a", "bc", b""), state_key("ab", "c", b""));
        assert_ne!(state_key("a", "b", b"c"), state_key("a", "bc", b""));
    }
}
