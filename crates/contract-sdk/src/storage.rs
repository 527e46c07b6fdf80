//! Typed storage: one value under a fixed key ([`Item`]), or values under a prefix and an
//! encoded key ([`Map`]). The host has no range scans: a contract that needs to list a map
//! keeps its own index (the auction example keeps a count and a map from position to bidder).

use core::marker::PhantomData;

use alloc::vec::Vec;

use crate::codec::{Decode, Encode};
use crate::{Error, env};

/// One value of type `T` under a fixed key.
pub struct Item<T> {
    key: &'static [u8],
    _value: PhantomData<T>,
}

impl<T: Encode + Decode> Item<T> {
    /// The item stored under `key` (keep keys short: every byte costs fuel).
    pub const fn new(key: &'static [u8]) -> Self {
        Self {
            key,
            _value: PhantomData,
        }
    }

    /// The value, if one is stored. A stored value that does not decode is an error (the
    /// contract wrote something else under this key).
    pub fn get(&self) -> Result<Option<T>, Error> {
        decode_stored(env::storage_get(self.key))
    }

    /// The value, or `default` if none is stored.
    pub fn get_or(&self, default: T) -> Result<T, Error> {
        Ok(self.get()?.unwrap_or(default))
    }

    pub fn set(&self, value: &T) {
        env::storage_set(self.key, &value.encode());
    }

    pub fn remove(&self) {
        env::storage_remove(self.key);
    }
}

/// Values of type `V` under `prefix ‖ encode(key)`.
pub struct Map<K, V> {
    prefix: &'static [u8],
    _types: PhantomData<(K, V)>,
}

impl<K: Encode, V: Encode + Decode> Map<K, V> {
    /// The map under `prefix`. Prefixes of two maps must not be prefixes of each other's keys
    /// (give each map a distinct one-byte prefix and it cannot happen).
    pub const fn new(prefix: &'static [u8]) -> Self {
        Self {
            prefix,
            _types: PhantomData,
        }
    }

    fn key(&self, key: &K) -> Vec<u8> {
        let mut bytes = Vec::from(self.prefix);
        key.encode_to(&mut bytes);
        bytes
    }

    pub fn get(&self, key: &K) -> Result<Option<V>, Error> {
        decode_stored(env::storage_get(&self.key(key)))
    }

    pub fn set(&self, key: &K, value: &V) {
        env::storage_set(&self.key(key), &value.encode());
    }

    pub fn remove(&self, key: &K) {
        env::storage_remove(&self.key(key));
    }
}

fn decode_stored<T: Decode>(bytes: Option<Vec<u8>>) -> Result<Option<T>, Error> {
    match bytes {
        None => Ok(None),
        Some(bytes) => T::decode(&bytes)
            .map(Some)
            .map_err(|_| Error::new("stored value does not decode")),
    }
}
