//! Why a `balances` call fails.

crate::error::component_errors! {
    /// Refusals of `balances` calls.
    component = "balances";
    InsufficientBalance = 1, "insufficient_balance",
        "insufficient balance for the amount after paying the fee";
    SenderBelowExistentialDeposit = 2, "sender_below_existential_deposit",
        "the transfer would leave the sender below the existential deposit";
    RecipientBelowExistentialDeposit = 3, "recipient_below_existential_deposit",
        "the transfer would create an account below the existential deposit";
    Overflow = 4, "overflow", "the recipient's balance would overflow";
    SelfTransfer = 5, "self_transfer", "an account cannot transfer to itself";
    ZeroAmount = 6, "zero_amount", "amount must be greater than zero";
    BalanceLocked = 7, "balance_locked",
        "the amount is locked by a vote until the vote ends (see the account's lock)";
}
