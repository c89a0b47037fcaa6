//! Every way a command fails, as an exit code and one line of text.

use wabi_host::{Direction, Error};

use crate::json::JsonOut;

/// Success.
pub const OK: u8 = 0;
/// The guest returned an error.
pub const GUEST_ERROR: u8 = 1;
/// Bad usage, bad input, or a module that cannot be loaded (not a valid module, not a wabi
/// guest, a command instead of a reactor, an incompatible ABI version).
pub const USAGE: u8 = 2;
/// The guest's code trapped, panicked, or hit a limit: in the call, or while the instance was
/// starting (its start function, `_initialize`, `wabi_abi_version`, `wabi_scratch`).
pub const FAULT: u8 = 3;

/// Why a command failed.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What is wrong and what to do, on one line.
    pub message: String,
    /// The value of an error the guest returned, if it had one.
    pub value: Option<JsonOut>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: USAGE,
            message: message.into(),
            value: None,
        }
    }
}

/// `text` on one line: newlines and runs of whitespace become single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let text = one_line(&e.to_string());
        let (code, hint) = match &e {
            Error::Guest { .. } => (GUEST_ERROR, ""),
            Error::Io { .. } => (USAGE, "; check the path"),
            Error::Compile { .. } => (
                USAGE,
                "; the file is not a valid WebAssembly module: rebuild the plugin for wasm32-unknown-unknown or wasm32-wasip1",
            ),
            Error::MissingExport { .. }
            | Error::ExportSignature { .. }
            | Error::UnknownImport { .. }
            | Error::CommandModule
            | Error::AbiVersion { .. } => (USAGE, ""),
            Error::Instantiate { .. } => (
                USAGE,
                "; the plugin cannot be instantiated: check its imports, exports and the limits",
            ),
            Error::NoSuchFunction { .. } => (USAGE, "; check the function name"),
            Error::Config { .. } => (USAGE, ""),
            Error::Decode {
                direction: Direction::Arguments,
                ..
            }
            | Error::Encode {
                direction: Direction::Arguments,
                ..
            } => (
                USAGE,
                "; the JSON does not fit the function's parameters: a JSON array is the argument list ([] for none, [a, b] for two), any other value is the one argument; wrap a single list argument as [[1, 2]]",
            ),
            _ => match e.innermost() {
                Error::Timeout { .. } => {
                    (FAULT, "; raise the limit with --timeout, e.g. --timeout 30s")
                }
                Error::MemoryLimit { .. } => {
                    (FAULT, "; raise the limit with --memory, e.g. --memory 1GiB")
                }
                _ if matches!(e, Error::Startup { .. }) => (
                    FAULT,
                    "; the plugin fails while starting up: check its initialisation code and logs",
                ),
                _ => (FAULT, ""),
            },
        };
        let value = match &e {
            Error::Guest { error, .. } => error.value_as::<JsonOut>().and_then(Result::ok),
            _ => None,
        };
        Failure {
            code,
            message: format!("{text}{hint}"),
            value,
        }
    }
}
