//! A sliding window of the counters a query session has used (as in IPsec and WireGuard):
//! queries of one session may be in flight together and arrive out of order, so "higher than
//! the last" would refuse honest ones; remembering every counter would grow without bound.
//! The window remembers the highest counter accepted and which of the [`WINDOW`] below it were
//! seen; anything older is refused.

/// How many counters below the highest accepted one are still accepted once.
pub const WINDOW: u64 = 128;

/// Why a counter is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// This counter was accepted already.
    Seen,
    /// It is [`WINDOW`] or more below the highest accepted: it cannot be told from a replay.
    BelowWindow,
}

/// The counters accepted so far, within the window.
#[derive(Clone, Debug, Default)]
pub struct ReplayWindow {
    /// The highest counter accepted, if any.
    highest: Option<u64>,
    /// Bit `i` set: counter `highest - i` was accepted.
    seen: u128,
}

impl ReplayWindow {
    /// Whether `counter` would be accepted (changes nothing: call it before the work of
    /// opening a ciphertext, and [`ReplayWindow::accept`] once it opened).
    pub fn check(&self, counter: u64) -> Result<(), ReplayError> {
        let Some(highest) = self.highest else {
            return Ok(());
        };
        if counter > highest {
            return Ok(());
        }
        let age = highest - counter;
        if age >= WINDOW {
            return Err(ReplayError::BelowWindow);
        }
        if self.seen & (1u128 << age) != 0 {
            return Err(ReplayError::Seen);
        }
        Ok(())
    }

    /// Records `counter` as used, if [`ReplayWindow::check`] allows it (check and record are
    /// one step, so two requests with one counter cannot both pass).
    pub fn accept(&mut self, counter: u64) -> Result<(), ReplayError> {
        self.check(counter)?;
        match self.highest {
            Some(highest) if counter <= highest => self.seen |= 1u128 << (highest - counter),
            Some(highest) => {
                let shift = counter - highest;
                self.seen = if shift >= WINDOW {
                    0
                } else {
                    self.seen << shift
                } | 1;
                self.highest = Some(counter);
            }
            None => {
                self.seen = 1;
                self.highest = Some(counter);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_counter_once_in_any_order_within_the_window() {
        let mut window = ReplayWindow::default();
        window.accept(0).unwrap();
        assert_eq!(window.accept(0), Err(ReplayError::Seen));
        // Out of order: 5 before 3, then 3 and 4 still pass once.
        window.accept(5).unwrap();
        window.accept(3).unwrap();
        window.accept(4).unwrap();
        assert_eq!(window.accept(3), Err(ReplayError::Seen));
        assert_eq!(window.accept(5), Err(ReplayError::Seen));
        // The window's oldest slot still passes; one below it does not.
        window.accept(5 + WINDOW - 1).unwrap();
        assert_eq!(window.accept(5), Err(ReplayError::Seen));
        window.accept(1).unwrap_err();
        assert_eq!(window.check(5 + WINDOW - 1), Err(ReplayError::Seen));
        window.accept(6).unwrap();
        // A jump wider than the window forgets everything below it.
        window.accept(10_000).unwrap();
        assert_eq!(
            window.accept(10_000 - WINDOW),
            Err(ReplayError::BelowWindow)
        );
        window.accept(10_000 - WINDOW + 1).unwrap();
        assert_eq!(window.accept(10_000), Err(ReplayError::Seen));
        // The top of the range.
        window.accept(u64::MAX).unwrap();
        assert_eq!(window.accept(u64::MAX), Err(ReplayError::Seen));
    }

    #[test]
    fn check_changes_nothing() {
        let mut window = ReplayWindow::default();
        window.check(7).unwrap();
        window.check(7).unwrap();
        window.accept(7).unwrap();
        assert_eq!(window.check(7), Err(ReplayError::Seen));
        assert_eq!(window.check(6), Ok(()));
    }
}
