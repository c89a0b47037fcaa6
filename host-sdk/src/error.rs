//! The one error type of the host SDK.

use std::fmt;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use wabi_spec::AbiVersion;

/// Which way a value was travelling when encoding or decoding failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The arguments, host -> guest.
    Arguments,
    /// The result, guest -> host.
    Result,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Arguments => "the arguments (host -> guest)",
            Direction::Result => "the result (guest -> host)",
        })
    }
}

/// An error a guest function returned: its message and, if the error type is serializable,
/// its MessagePack value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestError {
    /// The error's display text.
    pub message: String,
    /// The error's encoded value, if it has one.
    pub value: Option<Vec<u8>>,
}

impl GuestError {
    /// Decode the error's value into `T`. `None` when the guest sent no value.
    ///
    /// ```
    /// # use wabi_host::GuestError;
    /// let err = GuestError { message: "no".into(), value: Some(vec![0x2a]) };
    /// assert_eq!(err.value_as::<u32>().unwrap().unwrap(), 42);
    /// ```
    pub fn value_as<T: DeserializeOwned>(&self) -> Option<Result<T, Error>> {
        self.value.as_deref().map(|bytes| {
            wabi_spec::codec::decode(bytes).map_err(|e| Error::Decode {
                function: String::new(),
                direction: Direction::Result,
                message: format!("error value: {e}"),
            })
        })
    }
}

/// A panic inside a guest function: its message and, when the guest knew it, its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestPanic {
    /// The panic message.
    pub message: String,
    /// Source file, when known.
    pub file: Option<String>,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

impl fmt::Display for GuestPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(file) = &self.file {
            write!(f, " at {file}:{}:{}", self.line, self.column)?;
        }
        Ok(())
    }
}

/// Everything that can go wrong loading a plugin or calling it.
///
/// Every variant that concerns a call names the function. Guest-caused failures never panic the
/// host; they arrive here.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A module file could not be read.
    #[error("cannot read wasm module {path}: {source}")]
    Io {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        source: std::sync::Arc<std::io::Error>,
    },
    /// The bytes are not a valid WebAssembly module, or wasmtime cannot compile them.
    #[error("cannot compile the wasm module: {reason}")]
    Compile {
        /// wasmtime's explanation.
        reason: String,
    },
    /// A required export is missing.
    #[error("the module does not export `{name}`, so it is not a wabi guest: {hint}")]
    MissingExport {
        /// The export's name.
        name: String,
        /// What provides it.
        hint: &'static str,
    },
    /// An export exists with the wrong type.
    #[error("export `{name}` has type {found}, but wabi ABI v1 requires {expected}")]
    ExportSignature {
        /// The export's name.
        name: String,
        /// The type the ABI requires.
        expected: String,
        /// The type found.
        found: String,
    },
    /// The module imports something this host does not provide.
    #[error("the module imports `{module}::{name}`, which this host does not provide: {hint}")]
    UnknownImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
        /// What to do about it.
        hint: String,
    },
    /// The guest's ABI version is not compatible with the host's.
    #[error("the guest uses wabi ABI {guest} but this host implements {host}: rebuild the guest with a wabi guest SDK for ABI {}.x", host.major)]
    AbiVersion {
        /// The guest's version.
        guest: AbiVersion,
        /// The host's version.
        host: AbiVersion,
    },
    /// Instantiation or initialisation (`_initialize`, version, scratch) failed.
    #[error("cannot instantiate the plugin: {reason}")]
    Instantiate {
        /// What failed.
        reason: String,
    },
    /// The plugin has no exported function of that name.
    #[error("the plugin exports no function `{function}`; it exports: {available}")]
    NoSuchFunction {
        /// The name asked for.
        function: String,
        /// The user functions the plugin does export, comma-separated.
        available: String,
    },
    /// The function returned an error value.
    #[error("`{function}` returned an error: {}", error.message)]
    Guest {
        /// The function.
        function: String,
        /// The error it returned.
        error: GuestError,
    },
    /// The function panicked.
    #[error("`{function}` panicked: {panic}")]
    Panic {
        /// The function.
        function: String,
        /// The panic.
        panic: GuestPanic,
    },
    /// The function trapped (a wasm fault such as `unreachable` or an out-of-bounds access).
    #[error("`{function}` trapped: {message}")]
    Trap {
        /// The function.
        function: String,
        /// The trap's description.
        message: String,
        /// The wasm backtrace, when wasmtime captured one.
        backtrace: Option<String>,
    },
    /// A value could not be encoded.
    #[error("cannot encode {direction} of `{function}`: {message}")]
    Encode {
        /// The function.
        function: String,
        /// Which value.
        direction: Direction,
        /// Why.
        message: String,
    },
    /// A value could not be decoded.
    #[error("cannot decode {direction} of `{function}`: {message}")]
    Decode {
        /// The function.
        function: String,
        /// Which value.
        direction: Direction,
        /// Why.
        message: String,
    },
    /// The guest returned a result the ABI does not allow (out of bounds, malformed envelope).
    #[error("`{function}` returned a malformed result: {reason}")]
    BadResult {
        /// The function.
        function: String,
        /// What was wrong.
        reason: String,
    },
    /// A guest memory access was out of bounds.
    #[error(
        "guest memory access out of bounds: {len} bytes at {ptr:#x} exceed the memory size {size}"
    )]
    OutOfBounds {
        /// Start address.
        ptr: u64,
        /// Length of the access.
        len: u64,
        /// Memory size in bytes.
        size: u64,
    },
    /// The guest tried to grow its memory beyond [`crate::Limits::max_memory`].
    #[error(
        "`{function}` hit the memory limit: it asked for {requested} bytes, the limit is {limit}"
    )]
    MemoryLimit {
        /// The function.
        function: String,
        /// Memory size the guest asked for, in bytes.
        requested: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The guest tried to grow a table beyond [`crate::Limits::max_table_elements`].
    #[error(
        "`{function}` hit the table limit: it asked for {requested} elements, the limit is {limit}"
    )]
    TableLimit {
        /// The function.
        function: String,
        /// Table size the guest asked for.
        requested: u64,
        /// The limit.
        limit: u64,
    },
    /// The call ran longer than [`crate::Limits::timeout`].
    #[error("`{function}` timed out after {limit:?}")]
    Timeout {
        /// The function.
        function: String,
        /// The deadline.
        limit: std::time::Duration,
    },
    /// The call used up [`crate::Limits::fuel`].
    #[error("`{function}` ran out of fuel (limit {limit})")]
    FuelExhausted {
        /// The function.
        function: String,
        /// The fuel budget.
        limit: u64,
    },
    /// The guest returned, or passed to a host function, more bytes than
    /// [`crate::Limits::max_output`].
    ///
    /// A result envelope over the limit is refused before it is read: the call returns and the
    /// instance stays usable. Arguments over the limit (`host_function` is `Some`) are refused
    /// inside `wabi.host_call`, which makes the guest trap mid-call: the instance is discarded
    /// (see [`Error::discarded_instance`]).
    #[error("{}", output_too_large(.function, .host_function.as_deref(), *.len, *.limit))]
    OutputTooLarge {
        /// The function called: the guest function whose result was too large, or that passed
        /// the arguments.
        function: String,
        /// `Some(name)` when the bytes were the arguments the guest passed to host function
        /// `name`; `None` for the result of `function`.
        host_function: Option<String>,
        /// Bytes returned, or passed to the host function.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// Host -> guest -> host calls nested deeper than [`crate::Limits::max_depth`].
    #[error("`{function}` exceeded the nesting limit of {limit} host -> guest calls")]
    DepthLimit {
        /// The guest function whose nested call was refused.
        function: String,
        /// The limit.
        limit: u32,
    },
    /// An option of the module or engine cannot be honoured (e.g. a directory to preopen does
    /// not exist, a fuel limit on an engine that does not count fuel).
    #[error("invalid configuration: {what}: {reason}")]
    Config {
        /// The option.
        what: String,
        /// Why, and what to do.
        reason: String,
    },
    /// The guest's allocator could not provide a block for the input of a call, or for the
    /// result of a host function it called. The instance is discarded.
    #[error("{}", alloc_failed(.function, .host_function.as_deref(), *.size, .reason))]
    Alloc {
        /// The function called: the guest function whose input it was, or that called the host
        /// function.
        function: String,
        /// `Some(name)` when the block was for the result of host function `name`; `None` for
        /// the input of `function`.
        host_function: Option<String>,
        /// Bytes asked for.
        size: u64,
        /// What was wrong with the answer.
        reason: String,
    },
}

impl Error {
    /// Fill in the function name of an error raised below the call layer.
    pub(crate) fn in_function(mut self, name: &str) -> Self {
        self.name_function(name);
        self
    }

    /// [`Error::in_function`] in place.
    pub(crate) fn name_function(&mut self, name: &str) {
        match self {
            Error::Decode { function, .. }
            | Error::Encode { function, .. }
            | Error::Trap { function, .. }
            | Error::Panic { function, .. }
            | Error::BadResult { function, .. }
            | Error::Guest { function, .. }
            | Error::Alloc { function, .. }
            | Error::MemoryLimit { function, .. }
            | Error::TableLimit { function, .. }
            | Error::Timeout { function, .. }
            | Error::FuelExhausted { function, .. }
            | Error::OutputTooLarge { function, .. }
                if function.is_empty() =>
            {
                name.clone_into(function)
            }
            _ => {}
        }
    }

    /// Whether the plugin instance was discarded by this error (a trap, a panic, or a limit that
    /// stops the guest mid-call, including host-call arguments over the output limit); the next
    /// call runs on a fresh instance.
    pub fn discarded_instance(&self) -> bool {
        matches!(
            self,
            Error::Trap { .. }
                | Error::Panic { .. }
                | Error::MemoryLimit { .. }
                | Error::TableLimit { .. }
                | Error::Timeout { .. }
                | Error::FuelExhausted { .. }
                | Error::DepthLimit { .. }
                | Error::Alloc { .. }
                | Error::OutputTooLarge {
                    host_function: Some(_),
                    ..
                }
        )
    }
}

/// The message of [`Error::OutputTooLarge`].
fn output_too_large(function: &str, host_function: Option<&str>, len: u64, limit: u64) -> String {
    match host_function {
        None => format!("`{function}` produced {len} bytes, more than the limit of {limit}"),
        Some(h) => {
            let guest = if function.is_empty() {
                "the guest".to_string()
            } else {
                format!("`{function}`")
            };
            format!(
                "{guest} passed {len} bytes of arguments to host function `{h}`, more than the \
                 limit of {limit}"
            )
        }
    }
}

/// The message of [`Error::Alloc`].
fn alloc_failed(function: &str, host_function: Option<&str>, size: u64, reason: &str) -> String {
    let purpose = match host_function {
        None => format!("the input of `{function}`"),
        Some(h) if function.is_empty() => format!("the result of host function `{h}`"),
        Some(h) => format!("the result of host function `{h}`, called by `{function}`"),
    };
    format!("the guest could not allocate {size} bytes for {purpose} ({reason})")
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
