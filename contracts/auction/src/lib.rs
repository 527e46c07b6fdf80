//! A sealed-bid auction: bids stay secret until it closes, and closing reveals only the winner
//! and the price (first price: the winner pays their bid).
//!
//! Commands (`call`), by the first input byte:
//! * `0 Open { end_height: u64, reserve: u64 }` → nothing. Once; the caller is the seller.
//! * `1 Bid { amount: u64 }` → nothing. Before `end_height`, at least `reserve`; a second
//!   bid from the same account replaces the first. The seller cannot bid.
//! * `2 Close` → `Option<([u8; 32], u64)>`, the winner and price. At or after `end_height`,
//!   by anyone, once. Emits the same as a public event.
//!
//! Queries (`query`):
//! * `0 Status` → `(u8 phase, u64 end_height, Option<([u8; 32], u64)> result)`; phase 0 =
//!   not open, 1 = taking bids, 2 = closed. The result is `None` until the auction closes.
//! * `1 MyBid` → the querying account's own bid, `Option<u64>`.
//!
//! Nothing else is ever output, stored in the clear or emitted: not the number of bids, not the
//! losing amounts. (This example moves no PHA: a real auction would escrow the bids.)
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use phalanx_contract::storage::{Item, Map};
use phalanx_contract::{DecodeError, Encode, Error, Reader, env};

/// The most bidders, so that `Close` (which reads every bid) stays well inside its fuel.
const MAX_BIDDERS: u32 = 1000;

const PHASE_NOT_OPEN: u8 = 0;
const PHASE_OPEN: u8 = 1;
const PHASE_CLOSED: u8 = 2;

const PHASE: Item<u8> = Item::new(b"p");
const SELLER: Item<[u8; 32]> = Item::new(b"s");
const END_HEIGHT: Item<u64> = Item::new(b"e");
const RESERVE: Item<u64> = Item::new(b"r");
const RESULT: Item<Option<([u8; 32], u64)>> = Item::new(b"w");
/// How many accounts have bid, and each one by position (the host has no range scans).
const BIDDERS: Item<u32> = Item::new(b"n");
const BIDDER_AT: Map<u32, [u8; 32]> = Map::new(b"i");
/// account → amount.
const BIDS: Map<[u8; 32], u64> = Map::new(b"b");

fn open(reader: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    let end_height: u64 = reader.read()?;
    let reserve: u64 = reader.read()?;
    if PHASE.get_or(PHASE_NOT_OPEN)? != PHASE_NOT_OPEN {
        return Err(Error::new("the auction is already open"));
    }
    if end_height <= env::block_height() {
        return Err(Error::new("end_height must be after the current block"));
    }
    PHASE.set(&PHASE_OPEN);
    SELLER.set(&env::caller());
    END_HEIGHT.set(&end_height);
    RESERVE.set(&reserve);
    Ok(Vec::new())
}

fn bid(reader: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    let amount: u64 = reader.read()?;
    if PHASE.get_or(PHASE_NOT_OPEN)? != PHASE_OPEN {
        return Err(Error::new("the auction is not taking bids"));
    }
    if env::block_height() >= END_HEIGHT.get_or(0)? {
        return Err(Error::new("bidding has ended"));
    }
    let bidder = env::caller();
    if SELLER.get()? == Some(bidder) {
        return Err(Error::new("the seller cannot bid"));
    }
    if amount < RESERVE.get_or(0)? {
        return Err(Error::new("bid below the reserve"));
    }
    if BIDS.get(&bidder)?.is_none() {
        let count = BIDDERS.get_or(0)?;
        if count >= MAX_BIDDERS {
            return Err(Error::new("too many bidders"));
        }
        BIDDER_AT.set(&count, &bidder);
        BIDDERS.set(&(count + 1));
    }
    BIDS.set(&bidder, &amount);
    Ok(Vec::new())
}

fn close() -> Result<Vec<u8>, Error> {
    if PHASE.get_or(PHASE_NOT_OPEN)? != PHASE_OPEN {
        return Err(Error::new("the auction is not open"));
    }
    if env::block_height() < END_HEIGHT.get_or(0)? {
        return Err(Error::new("bidding has not ended"));
    }
    // The highest bid wins; of equal bids, the earliest bidder's.
    let mut best: Option<([u8; 32], u64)> = None;
    for position in 0..BIDDERS.get_or(0)? {
        let bidder = BIDDER_AT
            .get(&position)?
            .ok_or(Error::new("bidder index is damaged"))?;
        let amount = BIDS.get(&bidder)?.ok_or(Error::new("bid is missing"))?;
        if best.is_none_or(|(_, top)| amount > top) {
            best = Some((bidder, amount));
        }
    }
    PHASE.set(&PHASE_CLOSED);
    RESULT.set(&best);
    let result = best.encode();
    env::emit(&result);
    Ok(result)
}

fn handle_call(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(input);
    let output = match reader.read::<u8>()? {
        0 => open(&mut reader)?,
        1 => bid(&mut reader)?,
        2 => close()?,
        tag => return Err(DecodeError::BadTag(tag).into()),
    };
    reader.finish()?;
    Ok(output)
}

fn handle_query(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = Reader::new(input);
    let output = match reader.read::<u8>()? {
        0 => {
            let phase = PHASE.get_or(PHASE_NOT_OPEN)?;
            let result = if phase == PHASE_CLOSED {
                RESULT.get()?.flatten()
            } else {
                None
            };
            (phase, END_HEIGHT.get_or(0)?, result).encode()
        }
        1 => BIDS.get(&env::caller())?.encode(),
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

    fn input(tag: u8, args: impl Encode) -> Vec<u8> {
        let mut bytes = alloc::vec![tag];
        args.encode_to(&mut bytes);
        bytes
    }

    #[test]
    fn the_highest_bid_wins_and_only_the_result_is_revealed() {
        testing::reset();
        testing::set_block(10, 0);
        testing::set_caller([9; 32]);
        assert!(testing::call(call, &input(0, (20u64, 5u64))).is_ok());
        for (who, amount) in [(1u8, 7u64), (2, 12), (3, 12), (1, 3)] {
            testing::set_caller([who; 32]);
            let result = testing::call(call, &input(1, amount));
            assert_eq!(result.is_ok(), amount >= 5, "{who} {amount}");
        }
        assert_eq!(
            testing::call(call, &[2]),
            Err(alloc::string::String::from("bidding has not ended"))
        );
        testing::set_block(20, 0);
        let winner = Some(([2u8; 32], 12u64));
        assert_eq!(testing::call(call, &[2]), Ok(winner.encode()));
        assert_eq!(testing::events(), alloc::vec![winner.encode()]);
        assert_eq!(
            testing::query(query, &[0]),
            Ok((PHASE_CLOSED, 20u64, winner).encode())
        );
    }
}
