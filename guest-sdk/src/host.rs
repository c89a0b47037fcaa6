//! Calling functions the host provides (ABI 1.1, `wabi.host_call`).
//!
//! The embedder registers host functions under names; a plugin calls them like ordinary
//! functions. Declare each one with [`#[import]`](crate::import):
//!
//! ```
//! use wabi_guest::{import, HostError};
//!
//! /// The host's key-value store.
//! #[import]
//! fn lookup(key: &str, limit: u32) -> Result<Vec<String>, HostError>;
//!
//! #[import(name = "metrics.count")]
//! fn count(metric: &str) -> Result<(), HostError>;
//! ```
//!
//! or call them by name with [`call`]:
//!
//! ```no_run
//! let sum: i64 = wabi_guest::host::call("add", &(1i64, 2i64))?;
//! # Ok::<(), wabi_guest::HostError>(())
//! ```
//!
//! A call can always fail: the host function may return an error, may not exist, or may not
//! accept the arguments; every failure is a [`HostError`]. A host function may call back into
//! the plugin's exports before it returns (a nested call); exports are re-entrant.
//!
//! Outside wasm32 (native unit tests) there is no host, and calling one panics.

use crate::memory;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::fmt;
use wabi_spec::codec::{self, DecodeError};
use wabi_spec::layout::{Envelope, INPUT_ALIGN};

/// What kind of failure a [`HostError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostErrorKind {
    /// The host function returned an error (the message and, if it has one, the value are
    /// the host's). This includes calling a name no host function is registered under.
    Error,
    /// The host could not decode the arguments into the host function's parameter types.
    BadArguments,
    /// The host could not encode the host function's result.
    BadResult,
    /// The host answered with a panic record (hosts are not expected to; the message includes
    /// the location when the host gave one).
    Panic,
    /// The host's answer was not a valid result envelope.
    Malformed,
    /// The plugin could not encode the arguments; the host was not called.
    Encode,
    /// The host's result did not decode into the declared return type.
    Decode,
}

impl HostErrorKind {
    /// A short description: "error", "bad arguments", ...
    pub fn as_str(self) -> &'static str {
        match self {
            HostErrorKind::Error => "error",
            HostErrorKind::BadArguments => "bad arguments",
            HostErrorKind::BadResult => "bad result",
            HostErrorKind::Panic => "panic",
            HostErrorKind::Malformed => "malformed answer",
            HostErrorKind::Encode => "arguments not encodable",
            HostErrorKind::Decode => "result not decodable",
        }
    }
}

impl fmt::Display for HostErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed host call: the host function's error, or why the call could not be made.
///
/// Its `Display` is [`message`](HostError::message) alone: for [`HostErrorKind::Error`] the
/// host's own text, for the other kinds a sentence that names the host function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    /// The error's text.
    pub message: String,
    /// The error's MessagePack value, when the host function's error carries one (only for
    /// [`HostErrorKind::Error`]); decode it with [`HostError::value_as`].
    pub value: Option<Vec<u8>>,
    /// What failed.
    pub kind: HostErrorKind,
}

impl HostError {
    /// An error of `kind` with `message` and no value.
    pub fn new(kind: HostErrorKind, message: impl Into<String>) -> Self {
        HostError {
            message: message.into(),
            value: None,
            kind,
        }
    }

    /// Decode the error's value into `T`; `None` when the error carries no value.
    ///
    /// ```
    /// # use wabi_guest::{HostError, HostErrorKind};
    /// #[derive(serde::Deserialize)]
    /// struct Code {
    ///     code: u32,
    /// }
    /// let err = HostError {
    ///     message: "host says: no".into(),
    ///     value: Some(vec![0x81, 0xa4, b'c', b'o', b'd', b'e', 0x07]), // {"code": 7}
    ///     kind: HostErrorKind::Error,
    /// };
    /// assert_eq!(err.value_as::<Code>().unwrap().unwrap().code, 7);
    /// ```
    pub fn value_as<'a, T: Deserialize<'a>>(&'a self) -> Option<Result<T, DecodeError>> {
        self.value.as_deref().map(codec::decode)
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

thread_local! {
    /// The buffer arguments are encoded into, reused by every host call (see [`EncodedArgs`]).
    static ARGS: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Argument buffers larger than this are released after the call instead of kept for the next.
const KEEP_ARGS_CAPACITY: usize = 1 << 20;

/// Call the host function `name` with `args` and decode what it returns.
///
/// `args` is a tuple of the arguments, encoded by the argument-list rule: `&()` for none,
/// `&(x,)` (or `&x`, when `x` is not itself a tuple) for one, `&(a, b, ...)` for several.
/// This is what [`#[import]`](crate::import) functions call.
///
/// ```no_run
/// # #[derive(serde::Serialize, serde::Deserialize)] struct Person { name: String, age: u32 }
/// # let person = Person { name: "Ada".into(), age: 36 };
/// let older: Person = wabi_guest::host::call("birthday", &(&person,))?;
/// let nothing: () = wabi_guest::host::call("tick", &())?;
/// # Ok::<(), wabi_guest::HostError>(())
/// ```
///
/// # Errors
///
/// A [`HostError`] when the host function fails or does not exist, when the host cannot decode
/// the arguments or encode the result, when the arguments cannot be encoded or the result
/// cannot be decoded as `R`, and when the host's answer is malformed.
///
/// # Panics
///
/// Outside wasm32, where there is no host.
pub fn call<A, R>(name: &str, args: &A) -> Result<R, HostError>
where
    A: Serialize + ?Sized,
    R: DeserializeOwned,
{
    EncodedArgs::encode(name, args)?.call(name)
}

/// Arguments encoded for a host call, in the reusable argument buffer.
///
/// The buffer is taken out of its cell while the arguments are encoded and sent, and put back
/// when this is dropped: a host call made by a nested call (the host calling back into the
/// plugin during a host call) encodes into a buffer of its own.
#[doc(hidden)]
pub struct EncodedArgs {
    buf: Vec<u8>,
}

impl EncodedArgs {
    /// Encode `args` by the argument-list rule for a call of `name`.
    pub(crate) fn encode<A: Serialize + ?Sized>(name: &str, args: &A) -> Result<Self, HostError> {
        let mut encoded = EncodedArgs {
            buf: ARGS.with(Cell::take),
        };
        encoded.buf.clear();
        match codec::encode_args(&mut encoded.buf, args) {
            Ok(()) => Ok(encoded),
            Err(e) => Err(HostError::new(
                HostErrorKind::Encode,
                format!("cannot encode the arguments of host function `{name}`: {e}"),
            )),
        }
    }

    /// Call the host function `name` with these arguments and decode its result.
    pub(crate) fn call<R: DeserializeOwned>(self, name: &str) -> Result<R, HostError> {
        let packed = crate::imports::host_call(name, &self.buf);
        // The host copied the arguments before it ran the function: the buffer is free again.
        drop(self);
        receive(name, packed)
    }
}

impl Drop for EncodedArgs {
    /// Put the buffer back for the next call, unless it grew very large.
    fn drop(&mut self) {
        if self.buf.capacity() <= KEEP_ARGS_CAPACITY {
            let buf = std::mem::take(&mut self.buf);
            ARGS.with(|cell| cell.set(buf));
        }
    }
}

/// Decode the answer to a call of `name`, the packed `(ptr, len)` of an envelope in a block from
/// `wabi_alloc(len, 8)`, and free the block.
fn receive<R: DeserializeOwned>(name: &str, packed: u64) -> Result<R, HostError> {
    let block = EnvelopeBlock::from_packed(packed);
    finish(name, block.bytes())
}

/// The block the host wrote an envelope into; the plugin owns it and frees it on drop
/// (`wabi_free(ptr, len, 8)`). Also the answer of `wabi.http_request` ([`crate::http`]).
pub(crate) struct EnvelopeBlock {
    ptr: u32,
    len: u32,
}

impl EnvelopeBlock {
    /// The block of an answer, the packed `(ptr, len)` the host returned.
    pub(crate) fn from_packed(packed: u64) -> Self {
        let (ptr, len) = wabi_spec::unpack(packed as i64);
        EnvelopeBlock { ptr, len }
    }

    /// The envelope's bytes (none for a null or empty block: a malformed answer).
    pub(crate) fn bytes(&self) -> &[u8] {
        if self.ptr == 0 || self.len == 0 {
            return &[];
        }
        // SAFETY: the host wrote `len` bytes into a block it got from `wabi_alloc(len, 8)`
        // (ABI.md section 4.1), which nothing else uses until it is freed on drop.
        unsafe { std::slice::from_raw_parts(self.ptr as usize as *const u8, self.len as usize) }
    }
}

impl Drop for EnvelopeBlock {
    fn drop(&mut self) {
        // SAFETY: as above; `free` ignores null and the scratch buffer.
        unsafe { memory::free(self.ptr as usize as *mut u8, self.len, INPUT_ALIGN) }
    }
}

/// Turn the envelope the host answered a call of `name` with into the call's result.
pub(crate) fn finish<R: DeserializeOwned>(name: &str, envelope: &[u8]) -> Result<R, HostError> {
    let envelope = match Envelope::parse(envelope) {
        Ok(envelope) => envelope,
        Err(e) => {
            return Err(HostError::new(
                HostErrorKind::Malformed,
                format!("the host answered the call of host function `{name}` with an invalid envelope: {e}"),
            ))
        }
    };
    match envelope {
        Envelope::Ok(body) => codec::decode(body).map_err(|e| {
            HostError::new(
                HostErrorKind::Decode,
                format!("cannot decode the result of host function `{name}`: {e}"),
            )
        }),
        Envelope::Error { message, value } => Err(HostError {
            message: message.to_owned(),
            value: value.map(<[u8]>::to_vec),
            kind: HostErrorKind::Error,
        }),
        Envelope::BadArguments(message) => Err(HostError::new(
            HostErrorKind::BadArguments,
            with_context(name, "the host could not decode the arguments", message),
        )),
        Envelope::BadResult(message) => Err(HostError::new(
            HostErrorKind::BadResult,
            with_context(name, "the host could not encode the result", message),
        )),
        Envelope::Panic(record) => {
            let message = if record.file.is_empty() {
                format!("host function `{name}` panicked: {}", record.message)
            } else {
                format!(
                    "host function `{name}` panicked at {}:{}:{}: {}",
                    record.file, record.line, record.column, record.message
                )
            };
            Err(HostError::new(HostErrorKind::Panic, message))
        }
    }
}

fn with_context(name: &str, what: &str, message: &str) -> String {
    format!("{what} of host function `{name}`: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use wabi_spec::layout::{EnvelopeWriter, PanicRecord, Status};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Code {
        code: u32,
    }

    #[test]
    fn ok_bodies_decode_into_the_return_type() {
        let mut env = Vec::new();
        EnvelopeWriter::ok(&mut env, &codec::to_vec(&(1u8, "x")).unwrap());
        assert_eq!(finish::<(u8, String)>("f", &env), Ok((1, "x".into())));
        EnvelopeWriter::ok(&mut env, &[0xc0]);
        assert_eq!(finish::<()>("f", &env), Ok(()));
        let err = finish::<u32>("f", &env).unwrap_err();
        assert_eq!(err.kind, HostErrorKind::Decode);
        assert!(
            err.message
                .starts_with("cannot decode the result of host function `f`: "),
            "{err}"
        );
    }

    #[test]
    fn error_envelopes_become_host_errors() {
        let mut env = Vec::new();
        let value = codec::to_vec(&Code { code: 7 }).unwrap();
        EnvelopeWriter::error(&mut env, "host says: hi", &value);
        let err = finish::<u32>("fail", &env).unwrap_err();
        assert_eq!(err.kind, HostErrorKind::Error);
        assert_eq!(err.to_string(), "host says: hi");
        assert_eq!(err.value.as_deref(), Some(&value[..]));
        assert_eq!(err.value_as::<Code>().unwrap().unwrap(), Code { code: 7 });
        assert!(err.value_as::<String>().unwrap().is_err());

        EnvelopeWriter::error(&mut env, "no host function named `x` is registered", &[]);
        let err = finish::<u32>("x", &env).unwrap_err();
        assert_eq!(
            (err.kind, err.value.as_deref()),
            (HostErrorKind::Error, None)
        );
        assert!(err.value_as::<Code>().is_none());

        EnvelopeWriter::message(&mut env, Status::BadArguments, "expected 2 arguments");
        let err = finish::<u32>("add", &env).unwrap_err();
        assert_eq!(err.kind, HostErrorKind::BadArguments);
        assert_eq!(
            err.message,
            "the host could not decode the arguments of host function `add`: expected 2 arguments"
        );
        EnvelopeWriter::message(&mut env, Status::BadResult, "nope");
        assert_eq!(
            finish::<u32>("add", &env).unwrap_err().kind,
            HostErrorKind::BadResult
        );
        EnvelopeWriter::panic(
            &mut env,
            &PanicRecord {
                message: "boom",
                file: "host.rs",
                line: 3,
                column: 9,
            },
        );
        let err = finish::<u32>("add", &env).unwrap_err();
        assert_eq!(err.kind, HostErrorKind::Panic);
        assert_eq!(
            err.message,
            "host function `add` panicked at host.rs:3:9: boom"
        );
    }

    #[test]
    fn malformed_envelopes_are_errors() {
        for bytes in [
            &[][..],
            &[0, 0, 0, 0],
            &[0, 0, 0, 0, 2, 0, 0, 0, 0xc0],
            &[9, 0, 0, 0, 0, 0, 0, 0],
        ] {
            let err = finish::<()>("f", bytes).unwrap_err();
            assert_eq!(err.kind, HostErrorKind::Malformed, "{bytes:?}");
            assert!(err.message.contains("host function `f`"), "{err}");
        }
    }

    #[test]
    fn a_null_answer_is_malformed() {
        // A host never answers (0, 0): it traps instead when it cannot allocate.
        let err = receive::<String>("f", 0).unwrap_err();
        assert_eq!(err.kind, HostErrorKind::Malformed);
        assert_eq!(
            err.message,
            "the host answered the call of host function `f` with an invalid envelope: \
             result envelope needs at least 8 bytes, got 0"
        );
    }

    #[test]
    fn host_error_is_a_std_error() {
        let err: Box<dyn std::error::Error> =
            Box::new(HostError::new(HostErrorKind::Error, "failed"));
        assert_eq!(err.to_string(), "failed");
        assert_eq!(HostErrorKind::BadArguments.to_string(), "bad arguments");
    }

    #[test]
    fn arguments_follow_the_argument_list_rule_in_a_reused_buffer() {
        let bytes = |args: &EncodedArgs| args.buf.clone();
        let none = EncodedArgs::encode("f", &()).unwrap();
        assert_eq!(bytes(&none), b"");
        drop(none);
        let one = EncodedArgs::encode("f", &(&"a",)).unwrap();
        assert_eq!(bytes(&one), [0xa1, b'a']);
        let first = one.buf.as_ptr();
        drop(one);
        let two = EncodedArgs::encode("f", &(&1i64, &vec![1u8, 2])).unwrap();
        assert_eq!(bytes(&two), [0x92, 0x01, 0xc4, 2, 1, 2]);
        assert_eq!(two.buf.as_ptr(), first, "the buffer is reused");
        // A host call made while another's arguments are still out (a nested call) gets a
        // buffer of its own; the outer one goes back last.
        let nested = EncodedArgs::encode("g", &(&"nested",)).unwrap();
        assert_ne!(nested.buf.as_ptr(), two.buf.as_ptr());
        assert_eq!(bytes(&two), [0x92, 0x01, 0xc4, 2, 1, 2], "untouched");
        drop(nested);
        drop(two);
        let again = EncodedArgs::encode("f", &(&0u8,)).unwrap();
        assert_eq!(again.buf.as_ptr(), first);
    }

    #[test]
    fn large_argument_buffers_are_not_kept() {
        drop(EncodedArgs::encode("f", &(vec![0u8; KEEP_ARGS_CAPACITY * 2],)).unwrap());
        let next = EncodedArgs::encode("f", &()).unwrap();
        assert!(next.buf.capacity() <= KEEP_ARGS_CAPACITY);
    }

    #[test]
    #[should_panic(expected = "host calls need a wasm host")]
    fn native_host_calls_panic() {
        let _: Result<u32, _> = call("add", &(1, 2));
    }

    #[test]
    fn unencodable_arguments_fail_before_the_call() {
        struct Unencodable;
        impl Serialize for Unencodable {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("refuses"))
            }
        }
        // Natively the host call itself would panic: reaching it would fail the test.
        let err = call::<_, u32>("f", &(1u8, Unencodable)).unwrap_err();
        assert_eq!(err.kind, HostErrorKind::Encode);
        assert_eq!(
            err.message,
            "cannot encode the arguments of host function `f`: refuses"
        );
    }
}
