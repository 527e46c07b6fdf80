//! A pool's accounts, as pure arithmetic (no state): value, shares, the price, commission, and
//! the withdrawal queue. The handlers load a [`Ledger`], call these, and store it; the property
//! tests drive these directly over long random runs.
//!
//! * **Value** = `free` (in the stake-pools pot, not staked) + `locked` (staked in the pool's
//!   mining sessions). Rewards (after commission) raise `free`; slashes and a reclaim that
//!   returns less than the stake lower the value; nothing else changes it except contributions
//!   and withdrawals, which move value and shares in proportion.
//! * **Price** = value / total shares. Every division rounds in the pool's favour: a
//!   contribution gets `⌊amount · shares / value⌋` shares, a withdrawal gets
//!   `⌊shares · value / total⌋`; so Σ (each holder's shares × price) ≤ value always.
//! * **Withdrawals** are paid from `free` at once; what `free` cannot cover waits in a FIFO queue
//!   *in shares*, paid at the price of the moment it is paid (a slash before then hits queued
//!   shares as it hits everyone). A new request never passes the queue. Whatever adds free
//!   stake (a contribution, a reward, a reclaim) pays the queue first, so a request waits only
//!   while the free stake cannot cover it.
//! * A pool whose value is zero with shares outstanding is **bankrupt**: it refuses
//!   contributions (they would buy shares of nothing or dilute to infinity).

use num_bigint::BigUint;
use phalanx_types::{AccountId, Amount};

/// Commission is in parts per million.
pub const PPM: u32 = 1_000_000;

/// `⌊a · b / c⌋` without overflow; `None` when `c` is zero or the result exceeds `u128`.
pub fn mul_div(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    u128::try_from(BigUint::from(a) * BigUint::from(b) / BigUint::from(c)).ok()
}

/// `⌈a · b / c⌉`, as [`mul_div`].
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let product = BigUint::from(a) * BigUint::from(b);
    let c = BigUint::from(c);
    u128::try_from((product + &c - 1u32) / c).ok()
}

/// One queued withdrawal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    pub delegator: AccountId,
    pub shares: u128,
    /// Block time of the request (the grace period counts from it).
    pub requested_ms: u64,
}

/// A payment the ledger decided: `amount` base units from the pool's free stake to
/// `delegator`, for `shares` burned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub delegator: AccountId,
    pub shares: u128,
    pub amount: Amount,
}

/// Why a ledger operation is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerError {
    /// Value zero with shares outstanding.
    Bankrupt,
    /// The amount buys no share at the current price.
    TooSmall,
    /// The contribution would take the value above the pool's cap.
    CapExceeded,
    /// More shares than the delegator holds (less what it already queued).
    NotEnoughShares,
    /// More than the free stake.
    NotEnoughFree,
    /// An amount or share count beyond the arithmetic's range.
    Overflow,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub total_shares: u128,
    pub free: Amount,
    pub locked: Amount,
    /// Commission owed to the owner, held with `free` in the pot but not part of the value.
    pub commission: Amount,
    pub commission_ppm: u32,
    pub cap: Option<Amount>,
    pub queue: Vec<Withdrawal>,
}

impl Ledger {
    pub fn new(commission_ppm: u32, cap: Option<Amount>) -> Self {
        Self {
            commission_ppm,
            cap,
            ..Self::default()
        }
    }

    /// What the delegators own together: free + locked.
    pub fn value(&self) -> Amount {
        self.free.saturating_add(self.locked)
    }

    /// What the pot must hold for this pool: free stake and unclaimed commission.
    pub fn in_pot(&self) -> Amount {
        self.free.saturating_add(self.commission)
    }

    pub fn is_bankrupt(&self) -> bool {
        self.total_shares > 0 && self.value() == 0
    }

    /// What `shares` are worth now (rounded down).
    pub fn worth(&self, shares: u128) -> Amount {
        mul_div(shares, self.value(), self.total_shares).unwrap_or(0)
    }

    /// Shares queued for `delegator`.
    pub fn queued(&self, delegator: &AccountId) -> u128 {
        self.queue
            .iter()
            .filter(|w| &w.delegator == delegator)
            .map(|w| w.shares)
            .sum()
    }

    /// `amount` enters the pool: returns the shares it buys, and the queued withdrawals the new
    /// free stake pays.
    pub fn contribute(&mut self, amount: Amount) -> Result<(u128, Vec<Payment>), LedgerError> {
        if self.is_bankrupt() {
            return Err(LedgerError::Bankrupt);
        }
        let value = self.value();
        if let Some(cap) = self.cap
            && value.checked_add(amount).is_none_or(|v| v > cap)
        {
            return Err(LedgerError::CapExceeded);
        }
        // An empty pool (or one left with dust after every share was withdrawn) sells at 1.
        let shares = if self.total_shares == 0 {
            amount
        } else {
            mul_div(amount, self.total_shares, value).ok_or(LedgerError::Overflow)?
        };
        if shares == 0 {
            return Err(LedgerError::TooSmall);
        }
        self.total_shares = self
            .total_shares
            .checked_add(shares)
            .ok_or(LedgerError::Overflow)?;
        self.free = self.free.checked_add(amount).ok_or(LedgerError::Overflow)?;
        Ok((shares, self.pay_queue()))
    }

    /// `delegator` (holding `held` shares) asks to withdraw `shares`: the request joins the back
    /// of the queue and the queue is paid as far as the free stake goes, so what the free stake
    /// covers is paid now unless others wait before it. Returns every payment made.
    pub fn withdraw(
        &mut self,
        delegator: &AccountId,
        held: u128,
        shares: u128,
        now_ms: u64,
    ) -> Result<Vec<Payment>, LedgerError> {
        if shares == 0 || shares > held.saturating_sub(self.queued(delegator)) {
            return Err(LedgerError::NotEnoughShares);
        }
        self.queue.push(Withdrawal {
            delegator: delegator.clone(),
            shares,
            requested_ms: now_ms,
        });
        Ok(self.pay_queue())
    }

    /// Pays queued withdrawals in order from the free stake, at the current price; a request
    /// the free stake cannot cover in full is paid in part and stays at the head. Returns the
    /// payments, in order.
    pub fn pay_queue(&mut self) -> Vec<Payment> {
        let mut paid = Vec::new();
        while let Some(head) = self.queue.first() {
            let value = self.value();
            let worth = mul_div(head.shares, value, self.total_shares).unwrap_or(0);
            let (shares, amount) = if worth <= self.free {
                (head.shares, worth)
            } else if self.free == 0 {
                break;
            } else {
                // All the free stake, for the shares it buys back rounded up (the pool's
                // favour: the price never drops). Fewer than the request's, since its worth is
                // more than the free stake.
                let Some(shares) = mul_div_ceil(self.free, self.total_shares, value) else {
                    break;
                };
                (shares.min(head.shares), self.free)
            };
            self.total_shares -= shares;
            self.free -= amount;
            let delegator = head.delegator.clone();
            if shares == head.shares {
                self.queue.remove(0);
            } else if let Some(head) = self.queue.first_mut() {
                head.shares -= shares;
            }
            // (Shares of a bankrupt pool are worth nothing: they are burned for 0.)
            paid.push(Payment {
                delegator,
                shares,
                amount,
            });
        }
        paid
    }

    /// A mining payout for one of the pool's sessions: commission to the owner, the rest raises
    /// the price (and pays the queue). Returns the commission and the payments.
    pub fn reward(&mut self, amount: Amount) -> (Amount, Vec<Payment>) {
        let commission = mul_div(amount, u128::from(self.commission_ppm), u128::from(PPM))
            .unwrap_or(0)
            .min(amount);
        self.commission = self.commission.saturating_add(commission);
        self.free = self.free.saturating_add(amount - commission);
        (commission, self.pay_queue())
    }

    /// `amount` of the free stake is staked in one of the pool's sessions.
    pub fn stake(&mut self, amount: Amount) -> Result<(), LedgerError> {
        self.free = self
            .free
            .checked_sub(amount)
            .ok_or(LedgerError::NotEnoughFree)?;
        self.locked = self.locked.saturating_add(amount);
        Ok(())
    }

    /// A session's stake was slashed by `amount`.
    pub fn slash(&mut self, amount: Amount) {
        self.locked = self.locked.saturating_sub(amount);
    }

    /// A session staked with `stake` was reclaimed and returned `returned` (≤ stake; the rest
    /// went to the treasury for lost V). Pays the queue from the freed stake.
    pub fn reclaim(&mut self, stake: Amount, returned: Amount) -> Vec<Payment> {
        self.locked = self.locked.saturating_sub(stake);
        self.free = self.free.saturating_add(returned.min(stake));
        self.pay_queue()
    }

    /// The owner takes its commission.
    pub fn claim_commission(&mut self) -> Amount {
        std::mem::take(&mut self.commission)
    }
}
