#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure
//! Property: no sequence of transactions — valid, failing or excluded, in any order — and no
//! block hook (emission moves the reserve into the mining-rewards pot) changes the total
//! supply. Every balance and pot always adds up to exactly MAX_SUPPLY.

use commonware_codec::Encode;
use commonware_cryptography::Signer;
use phalanx_crypto::dev_key;
use phalanx_runtime::{
    BlockEnv, GenesisConfig, MemoryState, Params, apply_tx, balances, check_stateless, end_block,
};
use phalanx_types::{AccountId, Amount, BalancesCall, ChainId, MAX_SUPPLY, TxBody, UNITS_PER_PHA};
use proptest::prelude::*;

const USERS: usize = 5;

fn user(i: usize) -> (phalanx_crypto::PrivateKey, AccountId) {
    let key = dev_key(&format!("user{i}"));
    let id = AccountId::from(key.public_key());
    (key, id)
}

fn total(state: &MemoryState, config: &GenesisConfig) -> Amount {
    let accounts: Amount = (0..USERS + 2)
        .map(|i| balances::account(state, &user(i).1).unwrap().balance)
        .sum();
    let pots: Amount = config
        .pot_names()
        .iter()
        .map(|p| balances::pots::balance(state, p).unwrap())
        .sum();
    accounts + pots
}

#[derive(Debug, Clone)]
struct Op {
    from: usize,
    to: usize,
    amount: Amount,
    fee: Amount,
    nonce_skew: i8,
    /// Block time that passes before this transaction's block ends, in ms.
    gap_ms: u64,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..USERS,
        0..USERS + 2,
        prop_oneof![
            Just(0u128),
            1u128..UNITS_PER_PHA,
            0u128..=200 * UNITS_PER_PHA,
            Just(u128::MAX)
        ],
        prop_oneof![
            0u128..UNITS_PER_PHA / 100,
            Just(50 * UNITS_PER_PHA),
            Just(u128::MAX)
        ],
        prop_oneof![Just(0i8), -1i8..=1],
        prop_oneof![Just(0u64), 1u64..1_000, 1u64..(400 * 86_400_000)],
    )
        .prop_map(|(from, to, amount, fee, nonce_skew, gap_ms)| Op {
            from,
            to,
            amount,
            fee,
            nonce_skew,
            gap_ms,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn supply_is_conserved(ops in proptest::collection::vec(op(), 1..60)) {
        let chain = ChainId::new("phalanx-test").unwrap();
        let funded: Vec<_> = (0..USERS).map(|i| (user(i).1, 100 * UNITS_PER_PHA)).collect();
        let config = GenesisConfig::standard(chain.clone(), 0, &funded).unwrap();
        let mut state = MemoryState::default();
        config.build(&mut state, &[0u8; 32].into()).unwrap();
        let params: Params = config.params.clone();
        prop_assert_eq!(total(&state, &config), MAX_SUPPLY);

        let mut now_ms = 0u64;
        for op in ops {
            now_ms += op.gap_ms;
            let (key, id) = user(op.from);
            let nonce = balances::account(&state, &id).unwrap().nonce;
            let nonce = nonce.saturating_add_signed(op.nonce_skew as i64);
            let tx = TxBody {
                chain_id: chain.clone(),
                signer: id,
                nonce,
                fee: op.fee,
                call: BalancesCall::Transfer { to: user(op.to).1, amount: op.amount }.into(),
            }
            .sign(&key);
            let before = state.clone();
            if check_stateless(&tx, tx.encode().len(), &chain, &params).is_err() {
                continue;
            }
            let env = BlockEnv { chain_id: chain.clone(), height: 2, timestamp_ms: now_ms };
            match apply_tx(&mut state, &params, &env, &tx).unwrap() {
                Ok(receipt) => prop_assert_eq!(receipt.fee_paid, op.fee),
                Err(_) => prop_assert_eq!(&state, &before, "excluded tx changed state"),
            }
            end_block(&mut state, &params, &env).unwrap();
            prop_assert_eq!(total(&state, &config), MAX_SUPPLY);
            prop_assert_eq!(balances::total_issuance(&state).unwrap(), MAX_SUPPLY);
            for i in 0..USERS + 2 {
                let b = balances::account(&state, &user(i).1).unwrap().balance;
                prop_assert!(
                    b == 0 || b >= params.balances.existential_deposit,
                    "dust account"
                );
            }
        }
    }
}
