//! A signer (an oracle's key): signs messages with the contract's own ed25519 key, which is
//! derived from the cluster key inside the TEE and never leaves it. Only the owner may have
//! messages signed; anyone may read the public key to check the signatures.
//!
//! Signatures cover `"phalanx/contract-signature/v1\0" ‖ contract id ‖ message` (see
//! `phalanx_contracts::keys::signed_message`), so they can never pass for an account's.
//!
//! Commands (`call`), by the first input byte:
//! * `0 Claim` → the public key (`[u8; 32]`). Once: the caller becomes the owner.
//! * `1 Sign { message: Vec<u8> }` → the signature (`[u8; 64]`). Owner only.
//! * `2 Transfer { owner: [u8; 32] }` → nothing. Owner only.
//!
//! Queries (`query`):
//! * `0 PublicKey` → `[u8; 32]`;
//! * `1 Owner` → `Option<[u8; 32]>`;
//! * `2 Sign { message: Vec<u8> }` → `[u8; 64]`. Owner only (the query is signed by its
//!   account), answered by one worker without a transaction.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use phalanx_contract::storage::Item;
use phalanx_contract::{DecodeError, Encode, Error, Reader, env};

/// The longest message signed.
const MAX_MESSAGE: usize = 4096;

const OWNER: Item<[u8; 32]> = Item::new(b"o");

fn only_owner() -> Result<(), Error> {
    match OWNER.get()? {
        Some(owner) if owner == env::caller() => Ok(()),
        Some(_) => Err(Error::new("only the owner may do this")),
        None => Err(Error::new("the signer has no owner yet: claim it first")),
    }
}

fn sign(reader: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    let message: Vec<u8> = reader.read()?;
    if message.len() > MAX_MESSAGE {
        return Err(Error::new("message longer than 4096 bytes"));
    }
    only_owner()?;
    Ok(env::sign(&message).to_vec())
}

fn handle_call(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(input);
    let output = match reader.read::<u8>()? {
        0 => {
            if OWNER.get()?.is_some() {
                return Err(Error::new("the signer is already claimed"));
            }
            OWNER.set(&env::caller());
            env::contract_public_key().to_vec()
        }
        1 => sign(&mut reader)?,
        2 => {
            let owner: [u8; 32] = reader.read()?;
            only_owner()?;
            OWNER.set(&owner);
            Vec::new()
        }
        tag => return Err(DecodeError::BadTag(tag).into()),
    };
    reader.finish()?;
    Ok(output)
}

fn handle_query(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(input);
    let output = match reader.read::<u8>()? {
        0 => env::contract_public_key().to_vec(),
        1 => OWNER.get()?.encode(),
        2 => sign(&mut reader)?,
        tag => return Err(DecodeError::BadTag(tag).into()),
    };
    reader.finish()?;
    Ok(output)
}

phalanx_contract::entry!(call = handle_call, query = handle_query);
