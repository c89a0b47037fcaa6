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

/// Where in starting an instance the guest failed ([`Error::Startup`]), in the order of ABI.md
/// section 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StartupPhase {
    /// Instantiation: memories and tables are created (within the limits) and the module's
    /// start function (its wasm `start` section), if any, runs.
    Instantiation,
    /// The reactor initialiser `_initialize`.
    Initialize,
    /// `wabi_abi_version`.
    AbiVersion,
    /// `wabi_scratch`.
    Scratch,
}

impl StartupPhase {
    /// The export this phase calls (`None` for instantiation: a start function is not exported).
    pub fn export(self) -> Option<&'static str> {
        use wabi_spec::names;
        match self {
            StartupPhase::Instantiation => None,
            StartupPhase::Initialize => Some(names::EXPORT_INITIALIZE),
            StartupPhase::AbiVersion => Some(names::EXPORT_ABI_VERSION),
            StartupPhase::Scratch => Some(names::EXPORT_SCRATCH),
        }
    }
}

impl fmt::Display for StartupPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.export() {
            None => f.write_str("instantiation (the start function)"),
            Some(name) => write!(f, "`{name}`"),
        }
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
    /// The module is a WASI *command* (it exports `_start`), not a library a host can call
    /// (ABI.md section 3): its exports trap until `_start` has run.
    #[error(
        "the module exports `_start`, so it is a WASI command (a program), not a plugin library \
         whose functions a host can call: rebuild it as a reactor (Go and TinyGo: \
         -buildmode=c-shared; Rust: crate-type = [\"cdylib\"]; C with wasi-libc: \
         -mexec-model=reactor; Zig: -fno-entry)"
    )]
    CommandModule,
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
    /// The guest's own code failed while the instance was starting: it trapped, panicked or
    /// hit a limit while being instantiated (its start function), or in `_initialize`,
    /// `wabi_abi_version` or `wabi_scratch`.
    /// `error` is what happened ([`Error::Trap`], [`Error::Panic`], [`Error::Timeout`],
    /// [`Error::MemoryLimit`], ...); [`Error::innermost`] reaches it. No instance was made.
    #[error("the plugin failed while starting, in {phase}: {error}")]
    Startup {
        /// Where it failed.
        phase: StartupPhase,
        /// What happened there.
        error: Box<Error>,
    },
    /// Instantiation or initialisation failed for a reason that is not the guest's code
    /// faulting (for that, see [`Error::Startup`]): an export missing from an instance, a
    /// resource wasmtime could not provide.
    #[error("cannot instantiate the plugin: {reason}")]
    Instantiate {
        /// What failed.
        reason: String,
    },
    /// The plugin has no exported function of that name.
    #[error("{}", no_such_function(.function, .available))]
    NoSuchFunction {
        /// The name asked for.
        function: String,
        /// The user functions the plugin does export, comma-separated.
        available: String,
    },
    /// The function returned an error value.
    #[error("{} returned an error: {}", Name(.function), error.message)]
    Guest {
        /// The function.
        function: String,
        /// The error it returned.
        error: GuestError,
    },
    /// The function panicked.
    #[error("{} panicked: {panic}", Name(.function))]
    Panic {
        /// The function.
        function: String,
        /// The panic.
        panic: GuestPanic,
    },
    /// The function trapped (a wasm fault such as `unreachable` or an out-of-bounds access).
    #[error("{} trapped: {message}", Name(.function))]
    Trap {
        /// The function.
        function: String,
        /// The trap's description.
        message: String,
        /// The wasm backtrace, when wasmtime captured one.
        backtrace: Option<String>,
    },
    /// A value could not be encoded.
    #[error("cannot encode {direction} of {}: {message}", Name(.function))]
    Encode {
        /// The function.
        function: String,
        /// Which value.
        direction: Direction,
        /// Why.
        message: String,
    },
    /// A value could not be decoded.
    #[error("cannot decode {direction} of {}: {message}", Name(.function))]
    Decode {
        /// The function.
        function: String,
        /// Which value.
        direction: Direction,
        /// Why.
        message: String,
    },
    /// The guest returned a result the ABI does not allow (out of bounds, malformed envelope).
    #[error("{} returned a malformed result: {reason}", Name(.function))]
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
        "{} hit the memory limit: it asked for {requested} bytes, the limit is {limit}",
        Name(.function)
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
        "{} hit the table limit: it asked for {requested} elements, the limit is {limit}",
        Name(.function)
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
    #[error("{} timed out after {limit:?}", Name(.function))]
    Timeout {
        /// The function.
        function: String,
        /// The deadline.
        limit: std::time::Duration,
    },
    /// The call used up [`crate::Limits::fuel`].
    #[error("{} ran out of fuel (limit {limit})", Name(.function))]
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
    #[error("{} exceeded the nesting limit of {limit} host -> guest calls", Name(.function))]
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
    /// No plugin of that name is registered in a [`crate::Plugins`] registry.
    #[error("no plugin named `{name}` is registered; registered: {registered}")]
    NoSuchPlugin {
        /// The name asked for.
        name: String,
        /// The registered names, comma-separated.
        registered: String,
    },
    /// [`crate::Plugins::insert`] was given a name already registered.
    #[error(
        "a plugin named `{name}` is already registered: replace its module with \
         Plugins::reload, or register this one under another name"
    )]
    DuplicatePlugin {
        /// The name.
        name: String,
    },
    /// A module for a registered plugin lacks functions it must export: the plugin's
    /// required functions ([`crate::PluginOptions::required`]) or, for a reload, functions of
    /// the module serving. Nothing was changed: the serving module stays.
    #[error(
        "the module for plugin `{plugin}` does not export {}, which the plugin must keep \
         (declared required, or exported by the module serving now); it exports: {available}; \
         nothing was changed",
        quoted(.missing)
    )]
    MissingFunctions {
        /// The plugin's name.
        plugin: String,
        /// The functions missing.
        missing: Vec<String>,
        /// The functions the module does export, comma-separated.
        available: String,
    },
    /// A module file's SHA-256 differs from the digest its manifest pins: the file is not
    /// loaded.
    #[error(
        "refusing {}: its SHA-256 is {actual}, but {} expects {expected}; if this file is the \
         one to run, put its digest (`sha256sum {}`) in the manifest",
        .path.display(),
        .manifest.display(),
        .path.display()
    )]
    Integrity {
        /// The module file.
        path: PathBuf,
        /// The manifest that pins its digest.
        manifest: PathBuf,
        /// The digest the manifest gives, lower-case hex.
        expected: String,
        /// The file's digest, lower-case hex.
        actual: String,
    },
    /// A plugin manifest cannot be read or is invalid.
    #[error("invalid plugin manifest {}: {reason}", .path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong, and where.
        reason: String,
    },
    /// A compile cache directory or its key cannot be used ([`crate::CompileCache::open`]).
    /// (A bad cache *entry* is never an error: the module is compiled instead.)
    #[error("cannot use the compile cache at {}: {reason}", .path.display())]
    Cache {
        /// The directory or key file.
        path: PathBuf,
        /// What is wrong, and what to do.
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

    /// The error itself, or for [`Error::Startup`] the error inside it: what to match on to
    /// tell a trap, a panic or a limit apart wherever it happened.
    ///
    /// ```
    /// # use wabi_host::{Error, StartupPhase};
    /// let e = Error::Startup {
    ///     phase: StartupPhase::Initialize,
    ///     error: Box::new(Error::Timeout { function: String::new(), limit: Default::default() }),
    /// };
    /// assert!(matches!(e.innermost(), Error::Timeout { .. }));
    /// ```
    pub fn innermost(&self) -> &Error {
        match self {
            Error::Startup { error, .. } => error.innermost(),
            other => other,
        }
    }

    /// Whether the plugin instance was discarded by this error (a trap, a panic, or a limit that
    /// stops the guest mid-call, including host-call arguments over the output limit); the next
    /// call runs on a fresh instance.
    pub fn discarded_instance(&self) -> bool {
        matches!(
            self,
            Error::Trap { .. }
                | Error::Startup { .. }
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

/// A function's name in an error message: `` `name` ``, or "the guest" when the error was
/// raised where no name is known (so that no message ever shows an empty name).
pub(crate) struct Name<'a>(pub(crate) &'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("the guest")
        } else {
            write!(f, "`{}`", self.0)
        }
    }
}

/// `` `a`, `b` `` for the message of [`Error::MissingFunctions`].
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message of [`Error::NoSuchFunction`].
fn no_such_function(function: &str, available: &str) -> String {
    if function.is_empty() {
        format!("the function name is empty: give the name of an exported function; the plugin exports: {available}")
    } else {
        format!("the plugin exports no function `{function}`; it exports: {available}")
    }
}

/// The message of [`Error::OutputTooLarge`].
fn output_too_large(function: &str, host_function: Option<&str>, len: u64, limit: u64) -> String {
    let guest = Name(function);
    match host_function {
        None => format!("{guest} produced {len} bytes, more than the limit of {limit}"),
        Some(h) => format!(
            "{guest} passed {len} bytes of arguments to host function `{h}`, more than the limit \
             of {limit}"
        ),
    }
}

/// The message of [`Error::Alloc`].
fn alloc_failed(function: &str, host_function: Option<&str>, size: u64, reason: &str) -> String {
    let purpose = match host_function {
        None if function.is_empty() => "the input of the call".to_string(),
        None => format!("the input of `{function}`"),
        Some(h) if function.is_empty() => format!("the result of host function `{h}`"),
        Some(h) => format!("the result of host function `{h}`, called by `{function}`"),
    };
    format!("the guest could not allocate {size} bytes for {purpose} ({reason})")
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant that names a function, raised where no name is known (an empty
    /// `function`), and the same inside a start-up error: no text shows an empty name.
    #[test]
    fn no_message_shows_an_empty_function_name() {
        let f = String::new;
        let panic = GuestPanic {
            message: "boom".into(),
            file: None,
            line: 0,
            column: 0,
        };
        let errors = [
            Error::NoSuchFunction {
                function: f(),
                available: "a, b".into(),
            },
            Error::Guest {
                function: f(),
                error: GuestError {
                    message: "no".into(),
                    value: None,
                },
            },
            Error::Panic {
                function: f(),
                panic,
            },
            Error::Trap {
                function: f(),
                message: "unreachable".into(),
                backtrace: None,
            },
            Error::Encode {
                function: f(),
                direction: Direction::Arguments,
                message: "x".into(),
            },
            Error::Decode {
                function: f(),
                direction: Direction::Result,
                message: "x".into(),
            },
            Error::BadResult {
                function: f(),
                reason: "x".into(),
            },
            Error::MemoryLimit {
                function: f(),
                requested: 2,
                limit: 1,
            },
            Error::TableLimit {
                function: f(),
                requested: 2,
                limit: 1,
            },
            Error::Timeout {
                function: f(),
                limit: std::time::Duration::from_millis(5),
            },
            Error::FuelExhausted {
                function: f(),
                limit: 1,
            },
            Error::OutputTooLarge {
                function: f(),
                host_function: None,
                len: 2,
                limit: 1,
            },
            Error::OutputTooLarge {
                function: f(),
                host_function: Some("h".into()),
                len: 2,
                limit: 1,
            },
            Error::DepthLimit {
                function: f(),
                limit: 1,
            },
            Error::Alloc {
                function: f(),
                host_function: None,
                size: 2,
                reason: "x".into(),
            },
            Error::Alloc {
                function: f(),
                host_function: Some("h".into()),
                size: 2,
                reason: "x".into(),
            },
        ];
        for error in errors {
            for phase in [None, Some(StartupPhase::Instantiation)] {
                let e = match phase {
                    None => error.clone(),
                    Some(phase) => Error::Startup {
                        phase,
                        error: Box::new(error.clone()),
                    },
                };
                let text = e.to_string();
                assert!(!text.contains("``"), "{text}");
                assert!(!text.contains("of :"), "{text}");
            }
        }
        let named = Error::Trap {
            function: "f".into(),
            message: "unreachable".into(),
            backtrace: None,
        };
        assert_eq!(named.to_string(), "`f` trapped: unreachable");
    }
}
