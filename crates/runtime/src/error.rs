//! The one result type of every call handler, and the macro each component uses to declare its
//! refusal codes.
//!
//! A handler returns [`CallResult`]: its events, or a [`CallError`], which is either a refusal
//! (a [`DispatchError`]: the transaction is included, pays its fee and fails) or a state read
//! that must be retried or reported ([`StateError`]). `?` works for both: a component's error
//! converts into [`CallError::Refused`], a state error into [`CallError::State`].

use crate::{DispatchError, Event, state::StateError};

/// Why a handler did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The call is refused: its writes are dropped, the fee is charged, the receipt says why.
    Refused(DispatchError),
    /// State could not be read (a cache miss to fill, or corruption); never in a receipt.
    State(StateError),
}

impl From<StateError> for CallError {
    fn from(e: StateError) -> Self {
        CallError::State(e)
    }
}

impl From<DispatchError> for CallError {
    fn from(e: DispatchError) -> Self {
        CallError::Refused(e)
    }
}

/// What every call handler and every hook between components returns.
pub type CallResult<T = Vec<Event>> = Result<T, CallError>;

/// Declares a component's refusal codes: `pub enum Error` with a stable code (part of the
/// block encoding, scoped to the component: never renumber), a snake_case name (the JSON and
/// CLI form, `component.name`) and a message for people.
macro_rules! component_errors {
    (
        $(#[$meta:meta])*
        component = $component:literal;
        $( $variant:ident = $code:literal, $name:literal, $message:literal; )+
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Error {
            $( $variant = $code, )+
        }

        impl Error {
            /// The component these codes belong to.
            pub const COMPONENT: &'static str = $component;

            /// The stable code, unique within the component.
            pub fn code(self) -> u8 {
                self as u8
            }

            pub fn from_code(code: u8) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The snake_case name, without the component.
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )+
                }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $name => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for Error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(match self {
                    $( Self::$variant => $message, )+
                })
            }
        }

        impl std::error::Error for Error {}

        impl From<Error> for $crate::error::CallError {
            fn from(e: Error) -> Self {
                $crate::error::CallError::Refused(e.into())
            }
        }
    };
}

pub(crate) use component_errors;
