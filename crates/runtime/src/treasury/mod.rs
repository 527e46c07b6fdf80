//! `treasury`: the chain's own PHA (DESIGN §4, issue 15). It receives fees, the treasury's part
//! of every mining payout, slashed stake and the stake a reclaim does not return; it spends only
//! by governance (`spend`, a passed treasury-spend proposal). Every PHA that enters the `treasury` pot goes through this
//! component, which counts it by source, so `GET /treasury` can say where the balance came from
//! and the counts always add up to what the pot received.
//!
//! | file | what |
//! |------|------|
//! | `state_key.rs` | `income(source)`: base units received from one source (net of refunds) |
//! | `income.rs` | [`Source`], receiving from an account or a pot, refunding a fee |

mod income;
pub mod state_key;

pub use income::{
    Source, income, receive_from_account, receive_from_pot, refund_to_account, spend, spent,
};
