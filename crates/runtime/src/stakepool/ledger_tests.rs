//! Property tests of the pool ledger over long random runs of contributions, rewards, stakes,
//! slashes, reclaims, withdrawals and commission claims: money is neither created nor lost,
//! shares add up, every holder's position is worth at most its part of the value (rounding in
//! the pool's favour), the queue is paid in order, and nobody is paid for more shares than it
//! asked to withdraw.

use super::ledger::{Ledger, LedgerError, PPM, Payment};
use phalanx_types::{AccountId, Amount};
use proptest::prelude::*;
use std::collections::{BTreeMap, VecDeque};

fn delegator(i: u8) -> AccountId {
    use commonware_cryptography::Signer;
    AccountId::from(
        commonware_cryptography::ed25519::PrivateKey::from_seed(u64::from(i) + 100).public_key(),
    )
}

#[derive(Clone, Debug)]
enum Op {
    Contribute(u8, Amount),
    /// Withdraw this many per-mille of what the delegator can still withdraw.
    Withdraw(u8, u16),
    Reward(Amount),
    /// Stake this many per-mille of the free stake.
    Stake(u16),
    /// Slash this many per-mille of the locked stake.
    Slash(u16),
    /// Reclaim per-mille of the locked stake, returning per-mille of it.
    Reclaim(u16, u16),
    PayQueue,
    Claim,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, 1u128..1_000_000_000_000_000).prop_map(|(d, a)| Op::Contribute(d, a)),
        3 => (0u8..4, 1u16..=1000).prop_map(|(d, f)| Op::Withdraw(d, f)),
        3 => (0u128..100_000_000_000_000).prop_map(Op::Reward),
        2 => (0u16..=1000).prop_map(Op::Stake),
        1 => (0u16..=1000).prop_map(Op::Slash),
        2 => (0u16..=1000, 0u16..=1000).prop_map(|(l, r)| Op::Reclaim(l, r)),
        2 => Just(Op::PayQueue),
        1 => Just(Op::Claim),
    ]
}

fn per_mille(x: Amount, f: u16) -> Amount {
    x / 1000 * Amount::from(f) + x % 1000 * Amount::from(f) / 1000
}

/// What the model expects of the queue: requests in order, with their shares left.
fn check_payments(
    model: &mut VecDeque<(AccountId, u128)>,
    holdings: &mut BTreeMap<AccountId, u128>,
    paid: &[Payment],
    received: &mut BTreeMap<AccountId, Amount>,
) -> Result<(), TestCaseError> {
    for p in paid {
        let Some(head) = model.front_mut() else {
            return Err(TestCaseError::fail("a payment with nothing queued"));
        };
        prop_assert_eq!(&p.delegator, &head.0, "paid out of order");
        prop_assert!(p.shares <= head.1, "paid more shares than queued");
        head.1 -= p.shares;
        if head.1 == 0 {
            model.pop_front();
        }
        let held = holdings.entry(p.delegator.clone()).or_default();
        prop_assert!(*held >= p.shares);
        *held -= p.shares;
        *received.entry(p.delegator.clone()).or_default() += p.amount;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_pool_never_creates_or_loses_value(
        commission in 0u32..=PPM,
        cap in proptest::option::of(1u128..10_000_000_000_000_000),
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let mut l = Ledger::new(commission, cap);
        let mut holdings: BTreeMap<AccountId, u128> = BTreeMap::new();
        let mut model: VecDeque<(AccountId, u128)> = VecDeque::new();
        let mut received: BTreeMap<AccountId, Amount> = BTreeMap::new();
        // Money in and out of the pool, tracked outside it.
        let (mut inflow, mut outflow): (Amount, Amount) = (0, 0);
        for (step, o) in ops.into_iter().enumerate() {
            match o {
                Op::Contribute(d, amount) => {
                    let before = l.clone();
                    match l.contribute(amount) {
                        Ok((shares, paid)) => {
                            *holdings.entry(delegator(d)).or_default() += shares;
                            inflow += amount;
                            outflow += paid.iter().map(|p| p.amount).sum::<Amount>();
                            check_payments(&mut model, &mut holdings, &paid, &mut received)?;
                            if let Some(cap) = cap {
                                prop_assert!(l.value() <= cap);
                            }
                            // Never more shares than the price allows.
                            if before.total_shares > 0 && before.queue.is_empty() {
                                prop_assert!(shares * before.value() <= amount * before.total_shares);
                            }
                        }
                        Err(LedgerError::Bankrupt) => prop_assert!(before.is_bankrupt()),
                        Err(_) => prop_assert_eq!(&l, &before),
                    }
                }
                Op::Withdraw(d, f) => {
                    let who = delegator(d);
                    let held = holdings.get(&who).copied().unwrap_or(0);
                    let available = held - l.queued(&who);
                    let shares = per_mille(available, f);
                    match l.withdraw(&who, held, shares, step as u64) {
                        Ok(paid) => {
                            model.push_back((who.clone(), shares));
                            outflow += paid.iter().map(|p| p.amount).sum::<Amount>();
                            check_payments(&mut model, &mut holdings, &paid, &mut received)?;
                        }
                        Err(e) => {
                            prop_assert_eq!(e, LedgerError::NotEnoughShares);
                            prop_assert_eq!(shares, 0);
                        }
                    }
                }
                Op::Reward(amount) => {
                    let commission_before = l.commission;
                    let (c, paid) = l.reward(amount);
                    outflow += paid.iter().map(|p| p.amount).sum::<Amount>();
                    check_payments(&mut model, &mut holdings, &paid, &mut received)?;
                    prop_assert_eq!(l.commission, commission_before + c);
                    prop_assert!(c <= amount);
                    inflow += amount;
                }
                Op::Stake(f) => {
                    let amount = per_mille(l.free, f);
                    prop_assert!(l.stake(amount).is_ok());
                }
                Op::Slash(f) => {
                    let amount = per_mille(l.locked, f);
                    l.slash(amount);
                    outflow += amount;
                }
                Op::Reclaim(f, r) => {
                    let stake = per_mille(l.locked, f);
                    let returned = per_mille(stake, r);
                    let paid = l.reclaim(stake, returned);
                    outflow += stake - returned;
                    outflow += paid.iter().map(|p| p.amount).sum::<Amount>();
                    check_payments(&mut model, &mut holdings, &paid, &mut received)?;
                }
                Op::PayQueue => {
                    let paid = l.pay_queue();
                    outflow += paid.iter().map(|p| p.amount).sum::<Amount>();
                    check_payments(&mut model, &mut holdings, &paid, &mut received)?;
                }
                Op::Claim => {
                    outflow += l.claim_commission();
                }
            }
            // Shares add up; the queue is the model's.
            prop_assert_eq!(holdings.values().sum::<u128>(), l.total_shares);
            let queued: Vec<_> = l.queue.iter().map(|w| (w.delegator.clone(), w.shares)).collect();
            let expected: Vec<_> = model.iter().cloned().collect();
            prop_assert_eq!(queued, expected);
            // Money: everything that came in is in the pool or went out.
            prop_assert_eq!(inflow, outflow + l.value() + l.commission);
            // Every position is worth at most its part: Σ worth ≤ value.
            let worth: Amount = holdings.values().map(|h| l.worth(*h)).sum();
            prop_assert!(worth <= l.value(), "{worth} > {}", l.value());
            // A queue is only left waiting for lack of free stake.
            if let Some(head) = l.queue.first() {
                prop_assert!(l.worth(head.shares) > l.free || l.total_shares == 0);
            }
        }
    }
}

#[test]
fn the_queue_waits_for_free_stake_and_is_paid_in_order_at_the_later_price() {
    let (a, b) = (delegator(0), delegator(1));
    let mut l = Ledger::new(100_000, None);
    assert_eq!(l.contribute(1_000), Ok((1_000, vec![])));
    assert_eq!(l.contribute(1_000), Ok((1_000, vec![])));
    assert_eq!(l.stake(2_000), Ok(()));
    // Nothing free: both requests wait, in order.
    assert_eq!(l.withdraw(&a, 1_000, 1_000, 1), Ok(vec![]));
    assert_eq!(l.withdraw(&b, 1_000, 500, 2), Ok(vec![]));
    assert_eq!(
        l.withdraw(&a, 1_000, 1, 3),
        Err(LedgerError::NotEnoughShares)
    );
    // A reward of 1,000 (10 % commission) raises the price to 2,900 / 2,000 and pays the queue.
    let (commission, paid) = l.reward(1_000);
    assert_eq!(commission, 100);
    // a's 1,000 shares are worth 1,450 > 900 free: paid in part, all 900 for ⌈900·2000/2900⌉
    // = 621 shares.
    assert_eq!(paid.len(), 1);
    assert_eq!(
        (paid[0].delegator.clone(), paid[0].shares, paid[0].amount),
        (a.clone(), 621, 900)
    );
    assert_eq!(l.queue[0].shares, 379);
    // A slash lowers the price for those still queued; the reclaim frees stake and pays them.
    l.slash(200);
    let paid = l.reclaim(1_800, 1_800);
    assert_eq!(
        paid.iter().map(|p| p.delegator.clone()).collect::<Vec<_>>(),
        vec![a, b]
    );
    assert!(l.queue.is_empty());
    // A bankrupt pool refuses contributions.
    let mut broke = Ledger::new(0, None);
    assert_eq!(broke.contribute(10), Ok((10, vec![])));
    assert_eq!(broke.stake(10), Ok(()));
    broke.slash(10);
    assert_eq!(broke.contribute(5), Err(LedgerError::Bankrupt));
}
