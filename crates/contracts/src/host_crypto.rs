//! The cryptographic host functions of module `phalanx_v1`: hashing, signature verification,
//! the contract's own signing key, randomness, and ending a call with the contract's own error.
//!
//! | function | signature | does |
//! |---|---|---|
//! | `sha256` | `(ptr, len, out_ptr)` | writes the 32-byte SHA-256 of `len` bytes at `ptr` |
//! | `ed25519_verify` | `(key_ptr, msg_ptr, msg_len, sig_ptr) -> i32` | 1 if the 64-byte signature at `sig_ptr` of the message is valid under the 32-byte key (strict ed25519), else 0 |
//! | `contract_id` | `(out_ptr)` | the contract's 32-byte id |
//! | `contract_public_key` | `(out_ptr)` | the 32-byte ed25519 public key of the contract's signing key |
//! | `sign` | `(msg_ptr, msg_len, out_ptr)` | the 64-byte signature of `SIGN_DOMAIN ‖ contract id ‖ message` with the contract's key |
//! | `random` | `(out_ptr, len)` | `len` random bytes: for a command, drawn from a seed the whole cluster shares (derived from the contract key and the command); for a query, from the enclave |
//! | `revert` | `(ptr, len)` | ends the call with the contract's error message (UTF-8, at most `MAX_REVERT_BYTES`); nothing of the call is kept |

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use wasmi::{Error, Linker};

use crate::host::{
    COPY_FUEL_PER_BYTE, Ctx, HOST_CALL_FUEL, State, charge, check_range, cost, fail, len_of,
    read_bytes, write_bytes,
};
use crate::{ExecError, HOST_MODULE, Randomness};

// Prices measured like those of `host` (`cargo run --release -p phalanx-contracts --example
// fuel_prices`, docs/BENCHMARKS.md), about twice the measured cost at 0.6-0.75 ns per fuel; the
// per-byte prices below come on top of `COPY_FUEL_PER_BYTE` for the bytes read or written.

/// Extra base cost of `sha256` (a call that hashes nothing measures about 90-100 ns, 125-170
/// fuel, the host call included).
pub const SHA256_FUEL: u64 = 200;
/// Per byte hashed by `sha256` (measured: about 0.5 ns, 0.6-0.8 fuel, a byte, with the SHA
/// extensions of the development VM's CPU).
pub const SHA256_FUEL_PER_BYTE: u64 = 1;
/// `ed25519_verify`: one strict verification (measured: about 32-37 µs, 44,000-57,000 fuel).
pub const ED25519_VERIFY_FUEL: u64 = 100_000;
/// Per byte of the message `ed25519_verify` or `sign` hashes with SHA-512 (measured: about
/// 2.1-2.5 ns, 3-3.8 fuel, a byte for `sign`, which hashes it twice; half that to verify).
pub const SIGN_FUEL_PER_BYTE: u64 = 6;
/// `sign`: one ed25519 signature (measured: about 12-14 µs, 17,000-22,000 fuel).
pub const SIGN_FUEL: u64 = 40_000;
/// Extra base cost of `random` (measured: about 330-340 ns, 450-590 fuel, for 32 bytes from
/// the enclave's generator, a system call; about 150 ns from the seeded stream).
pub const RANDOM_FUEL: u64 = 500;
/// Per random byte (measured: about 3-3.3 ns, 4.1-5.3 fuel, a byte from the seeded stream,
/// which hashes two SHA-256 blocks per 32 bytes; about 1.6 ns from the enclave's generator).
pub const RANDOM_FUEL_PER_BYTE: u64 = 9;
/// The most bytes an error message given to `revert` may have.
pub const MAX_REVERT_BYTES: usize = 1024;

/// What a seeded draw hashes before the seed and the block counter.
const RANDOM_DOMAIN: &[u8] = b"phalanx/contract-random/v1\0";

/// The names of the host functions defined here.
pub const FUNCTIONS: [&str; 7] = [
    "sha256",
    "ed25519_verify",
    "contract_id",
    "contract_public_key",
    "sign",
    "random",
    "revert",
];

/// `len` bytes of the seeded stream, starting at 32-byte block `first_block`:
/// block `i` is `SHA-256(RANDOM_DOMAIN ‖ seed ‖ i as u64 big-endian)`.
pub(crate) fn seeded_bytes(seed: &[u8; 32], first_block: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut block = first_block;
    while out.len() < len {
        let digest = Sha256::new()
            .chain_update(RANDOM_DOMAIN)
            .chain_update(seed)
            .chain_update(block.to_be_bytes())
            .finalize();
        let take = (len - out.len()).min(digest.len());
        out.extend_from_slice(&digest[..take]);
        block = block.wrapping_add(1);
    }
    out
}

fn random_bytes(c: &mut Ctx<'_, '_>, len: usize) -> Result<Vec<u8>, Error> {
    match c.data().host.randomness {
        Randomness::Seeded(seed) => {
            let first = c.data().random_blocks;
            let bytes = seeded_bytes(seed, first, len);
            let blocks = u64::try_from(len.div_ceil(32)).unwrap_or(u64::MAX);
            c.data_mut().random_blocks = first.saturating_add(blocks);
            Ok(bytes)
        }
        Randomness::Enclave => {
            let mut bytes = vec![0u8; len];
            match getrandom::fill(&mut bytes) {
                Ok(()) => Ok(bytes),
                Err(e) => Err(fail(
                    c,
                    ExecError::Internal(format!("the enclave's random generator failed: {e}")),
                )),
            }
        }
        Randomness::Unavailable => Err(fail(c, ExecError::Unavailable("random"))),
    }
}

fn array<const N: usize>(
    c: &mut Ctx<'_, '_>,
    function: &'static str,
    ptr: u32,
) -> Result<[u8; N], Error> {
    let bytes = read_bytes(c, function, ptr, N)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// Defines the functions of this module in `linker`.
pub(crate) fn define(linker: &mut Linker<State<'_>>) -> Result<(), Error> {
    linker.func_wrap(
        HOST_MODULE,
        "sha256",
        |mut c: Ctx<'_, '_>, ptr: u32, len: u32, out_ptr: u32| {
            let len = len_of(len);
            let per_byte = SHA256_FUEL_PER_BYTE.saturating_add(COPY_FUEL_PER_BYTE);
            charge(
                &mut c,
                cost(HOST_CALL_FUEL.saturating_add(SHA256_FUEL), per_byte, len),
            )?;
            let bytes = read_bytes(&mut c, "sha256", ptr, len)?;
            let digest: [u8; 32] = Sha256::digest(&bytes).into();
            write_bytes(&mut c, "sha256", out_ptr, &digest)
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "ed25519_verify",
        |mut c: Ctx<'_, '_>, key_ptr: u32, msg_ptr: u32, msg_len: u32, sig_ptr: u32| {
            let len = len_of(msg_len);
            let per_byte = SIGN_FUEL_PER_BYTE.saturating_add(COPY_FUEL_PER_BYTE);
            charge(
                &mut c,
                cost(
                    HOST_CALL_FUEL.saturating_add(ED25519_VERIFY_FUEL),
                    per_byte,
                    len,
                ),
            )?;
            let key: [u8; 32] = array(&mut c, "ed25519_verify", key_ptr)?;
            let signature: [u8; 64] = array(&mut c, "ed25519_verify", sig_ptr)?;
            let message = read_bytes(&mut c, "ed25519_verify", msg_ptr, len)?;
            let valid = VerifyingKey::from_bytes(&key).is_ok_and(|key| {
                key.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&signature))
                    .is_ok()
            });
            Ok(i32::from(valid))
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "contract_id",
        |mut c: Ctx<'_, '_>, ptr: u32| {
            charge(&mut c, cost(HOST_CALL_FUEL, COPY_FUEL_PER_BYTE, 32))?;
            let id = c.data().host.contract;
            write_bytes(&mut c, "contract_id", ptr, &id)
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "contract_public_key",
        |mut c: Ctx<'_, '_>, ptr: u32| {
            charge(&mut c, cost(HOST_CALL_FUEL, COPY_FUEL_PER_BYTE, 32))?;
            let Some(key) = c.data().host.key else {
                return Err(fail(&mut c, ExecError::Unavailable("contract_public_key")));
            };
            let public = key.signing_public_key();
            write_bytes(&mut c, "contract_public_key", ptr, &public)
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "sign",
        |mut c: Ctx<'_, '_>, msg_ptr: u32, msg_len: u32, out_ptr: u32| {
            let len = len_of(msg_len);
            let per_byte = SIGN_FUEL_PER_BYTE.saturating_add(COPY_FUEL_PER_BYTE);
            charge(
                &mut c,
                cost(HOST_CALL_FUEL.saturating_add(SIGN_FUEL), per_byte, len),
            )?;
            let Some(key) = c.data().host.key else {
                return Err(fail(&mut c, ExecError::Unavailable("sign")));
            };
            let message = read_bytes(&mut c, "sign", msg_ptr, len)?;
            let signature = key.sign(&message);
            write_bytes(&mut c, "sign", out_ptr, &signature)
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "random",
        |mut c: Ctx<'_, '_>, out_ptr: u32, len: u32| {
            let len = len_of(len);
            let drawn = c.data().random_drawn.saturating_add(len);
            let max = c.data().limits.max_random_bytes;
            if drawn > max {
                return Err(fail(&mut c, ExecError::TooMuchRandom { max }));
            }
            let per_byte = RANDOM_FUEL_PER_BYTE.saturating_add(COPY_FUEL_PER_BYTE);
            charge(
                &mut c,
                cost(HOST_CALL_FUEL.saturating_add(RANDOM_FUEL), per_byte, len),
            )?;
            // Checked before drawing, so a bad pointer does not advance the stream.
            check_range(&mut c, "random", out_ptr, len)?;
            let bytes = random_bytes(&mut c, len)?;
            c.data_mut().random_drawn = drawn;
            write_bytes(&mut c, "random", out_ptr, &bytes)
        },
    )?;
    linker.func_wrap(
        HOST_MODULE,
        "revert",
        |mut c: Ctx<'_, '_>, ptr: u32, len: u32| {
            let len = len_of(len).min(MAX_REVERT_BYTES);
            charge(&mut c, cost(HOST_CALL_FUEL, COPY_FUEL_PER_BYTE, len))?;
            let bytes = read_bytes(&mut c, "revert", ptr, len)?;
            let message = String::from_utf8_lossy(&bytes).into_owned();
            Err::<(), Error>(fail(&mut c, ExecError::Reverted(message)))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeded_stream_does_not_depend_on_how_it_is_cut() {
        let seed = [9u8; 32];
        let whole = seeded_bytes(&seed, 0, 96);
        let mut pieces = seeded_bytes(&seed, 0, 32);
        pieces.extend(seeded_bytes(&seed, 1, 64));
        assert_eq!(whole, pieces);
        assert_ne!(seeded_bytes(&[8; 32], 0, 32), whole[..32]);
    }
}
