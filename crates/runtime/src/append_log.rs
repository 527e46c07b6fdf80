//! A typed, append-only list in state: a length and one entry per index.
//!
//! Queues that workers read with proofs (the broadcast queue, each worker's inbox) and the
//! registry's listing index are append logs. Keys: `<component>/<name>_len/<id>` holds the
//! length (u64; absent is 0), `<component>/<name>/<id || index>` each entry, so a reader can
//! fetch the length and a range of entries in one proof request.

use crate::state::{State, StateError, StateKey, read_decoded, state_key};
use commonware_codec::{Encode, Read};
use std::marker::PhantomData;

/// The append log `name` of `component`, for the item `id` (empty for a global log).
pub struct AppendLog<T> {
    component: &'static str,
    name: &'static str,
    id: Vec<u8>,
    _entries: PhantomData<T>,
}

impl<T: Encode + Read<Cfg = ()>> AppendLog<T> {
    pub fn new(component: &'static str, name: &'static str, id: &[u8]) -> Self {
        Self {
            component,
            name,
            id: id.to_vec(),
            _entries: PhantomData,
        }
    }

    /// The key of the length.
    pub fn len_key(&self) -> StateKey {
        state_key(self.component, &format!("{}_len", self.name), &self.id)
    }

    /// The key of the entry at `index`.
    pub fn entry_key(&self, index: u64) -> StateKey {
        let mut id = self.id.clone();
        id.extend_from_slice(&index.to_be_bytes());
        state_key(self.component, self.name, &id)
    }

    /// How many entries the log holds.
    pub fn len(&self, state: &(impl State + ?Sized)) -> Result<u64, StateError> {
        Ok(read_decoded(state, self.len_key())?.unwrap_or(0))
    }

    /// Whether the log is empty.
    pub fn is_empty(&self, state: &(impl State + ?Sized)) -> Result<bool, StateError> {
        Ok(self.len(state)? == 0)
    }

    /// The entry at `index`, `None` past the end.
    pub fn get(&self, state: &(impl State + ?Sized), index: u64) -> Result<Option<T>, StateError> {
        read_decoded(state, self.entry_key(index))
    }

    /// Appends `entry`; returns its index.
    pub fn push(&self, state: &mut (impl State + ?Sized), entry: &T) -> Result<u64, StateError> {
        let index = self.len(state)?;
        state.put(self.entry_key(index), Some(entry.encode().to_vec()));
        state.put(self.len_key(), Some((index + 1).encode().to_vec()));
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MemoryState;

    #[test]
    fn appends_in_order_and_separates_ids() {
        let mut state = MemoryState::default();
        let a = AppendLog::<u64>::new("m", "log", b"a");
        let b = AppendLog::<u64>::new("m", "log", b"b");
        assert_eq!(a.len(&state), Ok(0));
        assert_eq!(a.push(&mut state, &7), Ok(0));
        assert_eq!(a.push(&mut state, &9), Ok(1));
        assert_eq!(a.get(&state, 1), Ok(Some(9)));
        assert_eq!(a.get(&state, 2), Ok(None));
        assert_eq!(b.len(&state), Ok(0));
        assert_ne!(a.len_key(), a.entry_key(0));
    }

    #[test]
    fn keys_match_the_documented_layout() {
        let log = AppendLog::<u64>::new("mq", "inbox", b"w");
        assert_eq!(log.len_key(), state_key("mq", "inbox_len", b"w"));
        let mut id = b"w".to_vec();
        id.extend_from_slice(&3u64.to_be_bytes());
        assert_eq!(log.entry_key(3), state_key("mq", "inbox", &id));
    }
}
