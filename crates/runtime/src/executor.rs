//! Transaction validation and execution, and the block hooks around them.
//!
//! [`check_stateless`] needs no state and runs at mempool admission and for every block;
//! signatures are verified separately, in batches (`phalanx_crypto::verify_transactions`).
//! [`apply_tx`] runs the stateful part atomically: either the transaction is included (fee
//! charged, nonce bumped, call applied or failed), or it is excluded and nothing changes.
//! A block runs [`begin_block`], its transactions, then [`end_block`], on proposal and on
//! verification alike, so the hooks' writes are covered by the state root.

use crate::{
    BlockEnv, CallError, CallInfo, Ctx, Event,
    balances::{self},
    components::{self, Params},
    fees,
    receipt::{Receipt, TxStatus},
    state::{Overlay, State, StateError, apply_writes},
};
use phalanx_types::{Amount, ChainId, MAX_TX_SIZE, SignedTx};
use thiserror::Error;

/// Why a transaction cannot be included in a block. Shown to clients verbatim by the RPC.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Exclusion {
    #[error("transaction is {size} bytes; the limit is {max}")]
    TooLarge { size: usize, max: usize },
    #[error("transaction is for chain `{got}`, this is chain `{expected}`")]
    WrongChain { expected: ChainId, got: ChainId },
    #[error(
        "fee {} PHA is below the required {} PHA",
        phalanx_types::format_pha(*.offered),
        phalanx_types::format_pha(*.required)
    )]
    FeeTooLow { offered: Amount, required: Amount },
    #[error("signature does not verify for the signer")]
    BadSignature,
    #[error("the block already carries its limit of {max} calls of kind `{quota}`")]
    QuotaFull { quota: &'static str, max: u32 },
    #[error("nonce {got} was already used; the account's next nonce is {expected}")]
    NonceTooLow { expected: u64, got: u64 },
    #[error("nonce {got} is ahead of the account's next nonce {expected}")]
    NonceTooHigh { expected: u64, got: u64 },
    #[error(
        "balance {} PHA cannot pay the fee {} PHA and keep the existential deposit {} PHA",
        phalanx_types::format_pha(*.balance),
        phalanx_types::format_pha(*.fee),
        phalanx_types::format_pha(*.existential_deposit)
    )]
    CannotPayFee {
        balance: Amount,
        fee: Amount,
        existential_deposit: Amount,
    },
}

/// The least fee `tx` (encoded in `encoded_len` bytes) must offer.
pub fn required_fee(params: &Params, encoded_len: usize, tx: &SignedTx) -> Amount {
    let call_fee = components::call_info(params, &tx.body.call).fee;
    fees::required_fee(&params.fees, encoded_len, call_fee)
}

/// Checks everything about a transaction that needs no state and no signature check, and
/// returns what its component says about its call (quota, prefetch keys, what it spends), so
/// callers need not ask again.
pub fn check_stateless(
    tx: &SignedTx,
    encoded_len: usize,
    chain_id: &ChainId,
    params: &Params,
) -> Result<CallInfo, Exclusion> {
    if encoded_len > MAX_TX_SIZE {
        return Err(Exclusion::TooLarge {
            size: encoded_len,
            max: MAX_TX_SIZE,
        });
    }
    if &tx.body.chain_id != chain_id {
        return Err(Exclusion::WrongChain {
            expected: chain_id.clone(),
            got: tx.body.chain_id.clone(),
        });
    }
    let info = components::call_info(params, &tx.body.call);
    let required = fees::required_fee(&params.fees, encoded_len, info.fee);
    if tx.body.fee < required {
        return Err(Exclusion::FeeTooLow {
            offered: tx.body.fee,
            required,
        });
    }
    Ok(info)
}

/// Runs the components' `begin_block` hooks. Atomic like a transaction: on a state error (a
/// cache miss) nothing is written, so the caller may load the key and call again.
pub fn begin_block(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
) -> Result<Vec<Event>, StateError> {
    atomically(state, |overlay| {
        components::begin_block(overlay, params, env)
    })
}

/// Runs the components' `end_block` hooks, atomically like [`begin_block`].
pub fn end_block(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
) -> Result<Vec<Event>, StateError> {
    atomically(state, |overlay| components::end_block(overlay, params, env))
}

/// Runs `hook` on an overlay and applies its writes only if it succeeds.
fn atomically<S: State + ?Sized>(
    state: &mut S,
    hook: impl FnOnce(&mut Overlay<'_, S>) -> Result<Vec<Event>, StateError>,
) -> Result<Vec<Event>, StateError> {
    let mut overlay = Overlay::new(&*state);
    let events = hook(&mut overlay)?;
    let writes = overlay.into_writes();
    apply_writes(state, writes);
    Ok(events)
}

/// Applies one transaction whose stateless checks and signature have passed.
///
/// * `Ok(Ok(receipt))`: included; its writes are in `state`.
/// * `Ok(Err(exclusion))`: not includable; `state` is unchanged.
/// * `Err(StateError)`: a read missed the cache or hit corruption; `state` is unchanged, so the
///   caller may load the missing key and call again.
pub fn apply_tx(
    state: &mut (impl State + ?Sized),
    params: &Params,
    env: &BlockEnv,
    tx: &SignedTx,
) -> Result<Result<Receipt, Exclusion>, StateError> {
    let signer = &tx.body.signer;
    let fee = tx.body.fee;
    let mut overlay = Overlay::new(&*state);

    // Nonce and fee: failures here exclude the transaction.
    let mut payer = balances::account(&overlay, signer)?;
    if tx.body.nonce < payer.nonce {
        return Ok(Err(Exclusion::NonceTooLow {
            expected: payer.nonce,
            got: tx.body.nonce,
        }));
    }
    if tx.body.nonce > payer.nonce {
        return Ok(Err(Exclusion::NonceTooHigh {
            expected: payer.nonce,
            got: tx.body.nonce,
        }));
    }
    payer.nonce += 1;
    balances::set_account(&mut overlay, signer, payer);
    if let Err(cannot) = fees::charge(&mut overlay, &params.balances, signer, fee)? {
        return Ok(Err(Exclusion::CannotPayFee {
            balance: cannot.balance,
            fee,
            existential_deposit: params.balances.existential_deposit,
        }));
    }

    // The call: a failure keeps the fee and nonce changes but drops the call's writes.
    let ctx = Ctx {
        env,
        signer,
        params,
    };
    let mut call_overlay = Overlay::new(&overlay);
    let dispatched = components::dispatch(&mut call_overlay, &ctx, &tx.body.call);
    let call_writes = call_overlay.into_writes();
    let (status, mut events) = match dispatched {
        Ok(events) => {
            apply_writes(&mut overlay, call_writes);
            (TxStatus::Success, events)
        }
        Err(CallError::Refused(error)) => (TxStatus::Failed(error), Vec::new()),
        Err(CallError::State(e)) => return Err(e),
    };
    // A gatekeeper's message that does new work is free: the fee the relayer offered (and had
    // to be able to pay, so a refused message is never free) comes back when it is accepted.
    let fee_paid = if status == TxStatus::Success && components::fee_refunded(&events) {
        fees::refund(&mut overlay, signer, fee)?;
        events.push(
            fees::Event::FeeRefunded {
                who: signer.clone(),
                amount: fee,
            }
            .into(),
        );
        0
    } else {
        events.push(
            fees::Event::FeePaid {
                who: signer.clone(),
                amount: fee,
            }
            .into(),
        );
        fee
    };
    let writes = overlay.into_writes();
    apply_writes(state, writes);
    Ok(Ok(Receipt {
        status,
        fee_paid,
        events,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DispatchError, genesis::GenesisConfig, state::MemoryState};
    use commonware_codec::Encode;
    use commonware_cryptography::Signer;
    use phalanx_crypto::dev_key;
    use phalanx_types::{AccountId, BalancesCall, TxBody, UNITS_PER_PHA};

    fn setup() -> (MemoryState, Params, ChainId) {
        let chain = ChainId::new("phalanx-test").unwrap();
        let alice = AccountId::from(dev_key("alice").public_key());
        let config =
            GenesisConfig::standard(chain.clone(), 0, &[(alice, 100 * UNITS_PER_PHA)]).unwrap();
        let mut state = MemoryState::default();
        config.build(&mut state, &[0u8; 32].into()).unwrap();
        (state, config.params, chain)
    }

    fn apply_tx(
        state: &mut MemoryState,
        params: &Params,
        tx: &SignedTx,
    ) -> Result<Result<Receipt, Exclusion>, StateError> {
        let env = BlockEnv {
            chain_id: tx.body.chain_id.clone(),
            height: 2,
            timestamp_ms: 0,
        };
        super::apply_tx(state, params, &env, tx)
    }

    fn transfer(chain: &ChainId, nonce: u64, to: &str, amount: Amount, fee: Amount) -> SignedTx {
        let key = dev_key("alice");
        TxBody {
            chain_id: chain.clone(),
            signer: key.public_key().into(),
            nonce,
            fee,
            call: BalancesCall::Transfer {
                to: dev_key(to).public_key().into(),
                amount,
            }
            .into(),
        }
        .sign(&key)
    }

    fn fee(params: &Params, tx: &SignedTx) -> Amount {
        required_fee(params, tx.encode().len(), tx)
    }

    #[test]
    fn transfer_moves_funds_and_pays_fee() {
        let (mut state, params, chain) = setup();
        let probe = transfer(&chain, 0, "bob", UNITS_PER_PHA, 0);
        let f = fee(&params, &probe);
        let tx = transfer(&chain, 0, "bob", UNITS_PER_PHA, f);
        let len = tx.encode().len();
        check_stateless(&tx, len, &chain, &params).unwrap();
        let receipt = apply_tx(&mut state, &params, &tx).unwrap().unwrap();
        assert_eq!(receipt.status, TxStatus::Success);
        let alice = balances::account(&state, &tx.body.signer).unwrap();
        assert_eq!(alice.balance, 99 * UNITS_PER_PHA - f);
        assert_eq!(alice.nonce, 1);
        let bob: AccountId = dev_key("bob").public_key().into();
        assert_eq!(
            balances::account(&state, &bob).unwrap().balance,
            UNITS_PER_PHA
        );
        assert_eq!(balances::pot(&state, balances::TREASURY).unwrap(), f);
    }

    #[test]
    fn replay_and_gap_are_excluded_without_change() {
        let (mut state, params, chain) = setup();
        let tx = transfer(&chain, 0, "bob", UNITS_PER_PHA, UNITS_PER_PHA / 100);
        apply_tx(&mut state, &params, &tx).unwrap().unwrap();
        let before = state.clone();
        assert_eq!(
            apply_tx(&mut state, &params, &tx).unwrap(),
            Err(Exclusion::NonceTooLow {
                expected: 1,
                got: 0
            })
        );
        let ahead = transfer(&chain, 5, "bob", UNITS_PER_PHA, UNITS_PER_PHA / 100);
        assert_eq!(
            apply_tx(&mut state, &params, &ahead).unwrap(),
            Err(Exclusion::NonceTooHigh {
                expected: 1,
                got: 5
            })
        );
        assert_eq!(state, before);
    }

    #[test]
    fn insufficient_balance_fails_but_pays_fee() {
        let (mut state, params, chain) = setup();
        let tx = transfer(&chain, 0, "bob", 1_000 * UNITS_PER_PHA, UNITS_PER_PHA / 100);
        let receipt = apply_tx(&mut state, &params, &tx).unwrap().unwrap();
        assert_eq!(
            receipt.status,
            TxStatus::Failed(DispatchError::Balances(
                balances::Error::InsufficientBalance
            ))
        );
        let alice = balances::account(&state, &tx.body.signer).unwrap();
        assert_eq!(alice.balance, 100 * UNITS_PER_PHA - UNITS_PER_PHA / 100);
        assert_eq!(alice.nonce, 1);
    }

    #[test]
    fn dust_is_refused() {
        let (mut state, params, chain) = setup();
        let tx = transfer(
            &chain,
            0,
            "bob",
            params.balances.existential_deposit - 1,
            UNITS_PER_PHA / 100,
        );
        let receipt = apply_tx(&mut state, &params, &tx).unwrap().unwrap();
        assert_eq!(
            receipt.status,
            TxStatus::Failed(DispatchError::Balances(
                balances::Error::RecipientBelowExistentialDeposit
            ))
        );
    }

    #[test]
    fn unpayable_fee_is_excluded() {
        let (mut state, params, chain) = setup();
        let tx = transfer(&chain, 0, "bob", 1, 100 * UNITS_PER_PHA);
        assert!(matches!(
            apply_tx(&mut state, &params, &tx).unwrap(),
            Err(Exclusion::CannotPayFee { .. })
        ));
    }

    #[test]
    fn stateless_checks() {
        let (_, params, chain) = setup();
        let other = ChainId::new("phalanx-other").unwrap();
        let tx = transfer(&other, 0, "bob", 1, UNITS_PER_PHA);
        assert!(matches!(
            check_stateless(&tx, 200, &chain, &params),
            Err(Exclusion::WrongChain { .. })
        ));
        let cheap = transfer(&chain, 0, "bob", 1, 1);
        assert!(matches!(
            check_stateless(&cheap, 200, &chain, &params),
            Err(Exclusion::FeeTooLow { .. })
        ));
        assert!(matches!(
            check_stateless(&cheap, MAX_TX_SIZE + 1, &chain, &params),
            Err(Exclusion::TooLarge { .. })
        ));
    }
}
