//! A confidential counter and key-value store.
//!
//! Commands (`call`), by the first input byte:
//! * `0 Increment { by: u64 }` → the new count (`u64`);
//! * `1 Put { key: String, value: Vec<u8> }` → nothing: stores `value` under the caller's own
//!   `key` (each account has its own namespace);
//! * `2 Remove { key: String }` → whether there was a value (`bool`).
//!
//! Queries (`query`):
//! * `0 Count` → the count (`u64`);
//! * `1 Get { key: String }` → the querying account's value (`Option<Vec<u8>>`).
//!
//! Values are encrypted with the contract's key wherever they leave the TEE, so only the
//! account that stored a value can read it back, through a signed query.
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use phalanx_contract::storage::{Item, Map};
use phalanx_contract::{DecodeError, Encode, Error, Reader, env};

const COUNT: Item<u64> = Item::new(b"c");
/// (account, key) → value.
const VALUES: Map<([u8; 32], String), Vec<u8>> = Map::new(b"v");

/// Keys longer than this are refused (the host's own limit on a storage key is 256 bytes).
const MAX_KEY: usize = 128;

fn key(reader: &mut Reader<'_>) -> Result<String, Error> {
    let key: String = reader.read()?;
    if key.len() > MAX_KEY {
        return Err(Error::new("key longer than 128 bytes"));
    }
    Ok(key)
}

fn handle_call(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(input);
    let output = match reader.read::<u8>()? {
        0 => {
            let by: u64 = reader.read()?;
            let count = COUNT
                .get_or(0)?
                .checked_add(by)
                .ok_or(Error::new("count would overflow"))?;
            COUNT.set(&count);
            count.encode()
        }
        1 => {
            let key = key(&mut reader)?;
            let value: Vec<u8> = reader.read()?;
            VALUES.set(&(env::caller(), key), &value);
            Vec::new()
        }
        2 => {
            let key = (env::caller(), key(&mut reader)?);
            let existed = VALUES.get(&key)?.is_some();
            VALUES.remove(&key);
            existed.encode()
        }
        tag => return Err(DecodeError::BadTag(tag).into()),
    };
    reader.finish()?;
    Ok(output)
}

fn handle_query(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(input);
    let output = match reader.read::<u8>()? {
        0 => COUNT.get_or(0)?.encode(),
        1 => {
            let key = key(&mut reader)?;
            VALUES.get(&(env::caller(), key))?.encode()
        }
        tag => return Err(DecodeError::BadTag(tag).into()),
    };
    reader.finish()?;
    Ok(output)
}

phalanx_contract::entry!(call = handle_call, query = handle_query);

#[cfg(test)]
mod tests {
    use super::*;
    use phalanx_contract::testing;

    fn put(key: &str, value: &[u8]) -> Vec<u8> {
        let mut input = alloc::vec![1u8];
        (String::from(key), value.to_vec()).encode_to(&mut input);
        input
    }

    #[test]
    fn counts_and_keeps_each_accounts_values_apart() {
        testing::reset();
        let mut inc = alloc::vec![0u8];
        5u64.encode_to(&mut inc);
        assert_eq!(testing::call(call, &inc), Ok(5u64.encode()));
        testing::set_caller([1; 32]);
        assert_eq!(testing::call(call, &put("k", b"one")), Ok(Vec::new()));
        let mut get = alloc::vec![1u8];
        String::from("k").encode_to(&mut get);
        assert_eq!(
            testing::query(query, &get),
            Ok(Some(b"one".to_vec()).encode())
        );
        testing::set_caller([2; 32]);
        assert_eq!(testing::query(query, &get), Ok(None::<Vec<u8>>.encode()));
        assert!(testing::call(call, &[9]).is_err());
    }
}
