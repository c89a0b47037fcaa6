//! The runtime behind `#[export]` and `#[import]`. Not a public API: only the generated code may use it, and it
//! may change in any release.
//!
//! An entry point generated for `fn f(a: A, b: B) -> R` is
//! `export(ptr, len, |input, out| { decode; call; write })`: [`export`] deals with the pointers,
//! the owned input and the [`Output`] the envelope goes into; the body decodes the arguments
//! with [`decode`] (or [`decode_no_args`], [`read_pod`], or takes the input as it is for raw
//! exports), reports a failure with [`bad_arguments`], calls `f`, and writes the result
//! envelope with [`write_value`], [`write_unit`], [`write_raw`] or [`write_pod`], or for an
//! `Err` with `(&ErrorValue(&e)).__wabi_error_kind().write(out, name, &e)`, which picks
//! [`write_error_with_value`] when `E: Serialize` and [`write_error`] otherwise. A function of
//! no arguments that returns nothing (`fn f()`) gets `export_nothing(ptr, len, signature, f)`
//! instead ([`export_nothing`]), which needs no output buffer for the usual empty input.
//!
//! An `#[import]` function does what [`crate::host::call`] does in two steps, [`import_args`]
//! and [`import_call`], so that rustc reports a missing `Serialize` at the arguments and a
//! missing `DeserializeOwned` at the result type; [`import_error`] converts the error.

use crate::memory::with_state;
use bytemuck::Pod;
use serde::{Deserialize, Serialize};
use std::fmt;
use wabi_spec::codec;
use wabi_spec::layout::{
    EnvelopeWriter, ErrorHeader, Status, ENVELOPE_HEADER_LEN, ERROR_HEADER_LEN,
};

pub use crate::output::Output;
pub use wabi_spec::codec::{decode_no_args, DecodeError};

/// The region of a call that is not nested: on wasm32 the scratch buffer after the input.
#[cfg(target_arch = "wasm32")]
#[inline]
fn region(input: &[u8]) -> (*mut u8, usize) {
    crate::memory::output_region(input.as_ptr(), input.len())
}

/// Natively (the SDK's own tests, run on many threads) a small buffer of the thread's own
/// stands in for the scratch buffer.
#[cfg(not(target_arch = "wasm32"))]
fn region(_input: &[u8]) -> (*mut u8, usize) {
    use std::cell::UnsafeCell;
    const TEST_REGION: usize = 256;
    thread_local! {
        static REGION: UnsafeCell<[u8; TEST_REGION]> = const { UnsafeCell::new([0; TEST_REGION]) };
    }
    (REGION.with(|r| r.get().cast()), TEST_REGION)
}

/// Run one call of an export: `ptr`/`len` are the wasm arguments, `body` decodes the input,
/// calls the user's function and writes the result envelope into the output buffer it is given.
/// Returns the packed `(ptr, len)` of the envelope. An input outside the scratch buffer is freed
/// after `body` returns (the arguments may borrow from it until then).
///
/// # Safety
///
/// Only on wasm32, with `ptr`/`len` as the ABI defines them: `len == 0`, or `len` bytes in the
/// scratch buffer or in a block from `wabi_alloc(len, 8)` that the guest now owns.
#[inline]
pub unsafe fn export(ptr: u32, len: u32, body: impl FnOnce(&[u8], &mut Output)) -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        crate::panic::install_hook();
        let input_ptr = ptr as usize as *mut u8;
        let input: &[u8] = if len == 0 {
            &[]
        } else {
            // SAFETY: the host wrote `len` bytes at `ptr` (see above).
            unsafe { std::slice::from_raw_parts(input_ptr, len as usize) }
        };
        let (out_ptr, out_len) = run(input, body);
        if len != 0 {
            // SAFETY: the input is not used after `run`; see `release_input`.
            unsafe { crate::memory::release_input(input_ptr, len) };
        }
        wabi_spec::pack(out_ptr as u32, out_len as u32) as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (ptr, len, body);
        panic!("wabi exports can only be called by a wasm host");
    }
}

/// Run one call of an export that takes no arguments and returns nothing (`fn f()`), such as
/// `export` with a body that decodes no arguments, calls `f` and writes the unit envelope, but
/// cheaper for the input hosts send for `()`, which is none: then `f` runs without an output
/// buffer, and the result is [`UNIT_RESULT`], a constant envelope in the module's data. Any
/// other input takes the general path (`[]` or `nil` is accepted, anything else is reported as
/// bad arguments against `signature`).
///
/// A host function that calls back into the guest while `f` runs is free to use the scratch
/// buffer for its result: this call has neither input nor output there.
///
/// # Safety
///
/// As for [`export`].
#[inline]
pub unsafe fn export_nothing(ptr: u32, len: u32, signature: &str, f: impl FnOnce()) -> u64 {
    if len != 0 {
        // SAFETY: forwarded from the caller.
        return unsafe { export_nothing_slow(ptr, len, signature, f) };
    }
    #[cfg(target_arch = "wasm32")]
    {
        crate::panic::install_hook();
        f();
        wabi_spec::pack(UNIT_RESULT.as_ptr() as u32, UNIT_RESULT.len() as u32) as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (signature, f);
        panic!("wabi exports can only be called by a wasm host");
    }
}

/// [`export_nothing`] with an input.
#[inline(never)]
unsafe fn export_nothing_slow(ptr: u32, len: u32, signature: &str, f: impl FnOnce()) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe {
        export(ptr, len, |input, out| {
            if let Err(error) = decode_no_args(input) {
                return bad_arguments(out, signature, &error);
            }
            f();
            write_unit(out)
        })
    }
}

/// Run `body` on `input` with an [`Output`] and return where the envelope it wrote is.
///
/// A call that is not nested writes into the scratch buffer after its input (`region`),
/// moving to the heap buffer when that is too small; a small result thus costs no allocation.
/// The heap buffer is taken out of its cell for the call and put back after. A nested call (a
/// host function calling back into the guest while a user function runs, ABI.md section 6.2)
/// thus writes into a fresh heap buffer of its own instead of aliasing the outer call's input
/// or output; the outer call drops it when it puts its own buffer back, after the host has read
/// the nested result. A call that traps leaves the cell empty and the call flag set (the host
/// discards such an instance); later calls still work, on the heap. The envelope stays valid
/// until the next call.
#[inline]
pub fn run(input: &[u8], body: impl FnOnce(&[u8], &mut Output)) -> (*const u8, usize) {
    with_state(|state| {
        let nested = state.in_call.replace(true);
        let (at, cap) = if nested {
            (std::ptr::NonNull::dangling().as_ptr(), 0)
        } else {
            region(input)
        };
        // SAFETY: the region is the scratch buffer past the input (or a thread's own test
        // buffer), or nothing for a nested call; nothing else touches it until the host has
        // read the envelope: nested calls write to the heap, and the host writes the next
        // input only after reading it. The heap buffer's parts were kept by the last call.
        let heap = state.take_heap_output();
        let mut nested_output;
        let out = if nested {
            // SAFETY: as above.
            nested_output = unsafe { Output::new(at, cap, heap) };
            &mut nested_output
        } else {
            // SAFETY: the state's output is used by the call that is not nested only, which is
            // this one (the flag was clear), and only here, until the flag is cleared below.
            let out = unsafe { &mut *state.output.get() };
            // SAFETY: as above.
            *out = unsafe { Output::new(at, cap, heap) };
            out
        };
        body(input, out);
        let written = out.written();
        state.put_heap_output(out.take_heap());
        state.in_call.set(nested);
        written
    })
}

/// Decode the arguments of an export: [`codec::decode`], with the decoder's state next to the
/// scratch buffer rather than on the stack (see `CallState` in the memory module). A decode that
/// runs while another one is (a `Deserialize` implementation that calls a host function that
/// calls back into the guest) keeps its state on the stack.
#[inline]
pub fn decode<'de, T: Deserialize<'de>>(input: &'de [u8]) -> Result<T, DecodeError> {
    with_state(|state| {
        let nested = state.decoding.replace(true);
        let mut nested_slot;
        let slot = if nested {
            nested_slot = codec::DecoderSlot::new();
            &mut nested_slot
        } else {
            // SAFETY: the state's slot is used by one decode at a time: this one, which found
            // the flag clear and clears it when it is done.
            unsafe { &mut *state.decoder.get() }
        };
        // One call for both cases, so that the decoding is inlined once.
        let result = codec::decode_in(slot, input);
        state.decoding.set(nested);
        result
    })
}

/// Used by `#[import]`: encode the arguments (a tuple) for a call of the host function `name`.
/// The macro spans this call at the argument list, so that a missing `Serialize` is reported
/// there, naming the argument's type.
#[inline]
pub fn import_args<A: Serialize + ?Sized>(
    name: &str,
    args: &A,
) -> Result<crate::host::EncodedArgs, crate::HostError> {
    crate::host::EncodedArgs::encode(name, args)
}

/// Used by `#[import]`: call the host function `name` with the encoded arguments and decode its
/// result as `R`. The macro spans this call at `R`, so that a missing `DeserializeOwned` is
/// reported there.
#[inline]
pub fn import_call<R: serde::de::DeserializeOwned>(
    name: &str,
    args: crate::host::EncodedArgs,
) -> Result<R, crate::HostError> {
    args.call(name)
}

/// Used by `#[import]`: turn the [`HostError`](crate::HostError) of a failed call into the
/// declared error type `E` (`HostError` itself, or any `E: From<HostError>`).
#[inline(always)]
pub fn import_error<E: From<crate::HostError>>(error: crate::HostError) -> E {
    E::from(error)
}

/// Fill in the header of an envelope started with [`EnvelopeWriter::begin`].
#[inline(always)]
fn finish(out: &mut Output, status: Status) {
    EnvelopeWriter::finish(out.as_mut_slice(), status);
}

/// Append formatted text; a `Display` implementation that fails leaves what it wrote.
fn write_text(out: &mut Output, args: fmt::Arguments<'_>) {
    let _ = fmt::write(out, args);
}

/// Write a [`Status::BadArguments`] envelope for arguments that failed to decode.
/// `signature` is the function as written, e.g. `greet(p: Person, greeting: &str)`.
#[cold]
pub fn bad_arguments(out: &mut Output, signature: &str, error: &dyn fmt::Display) {
    EnvelopeWriter::begin(out);
    write_text(
        out,
        format_args!("cannot decode the arguments of `{signature}`: {error}"),
    );
    finish(out, Status::BadArguments);
}

/// Write a [`Status::BadResult`] envelope for a result of `function` that failed to encode.
#[cold]
pub fn bad_result(out: &mut Output, function: &str, error: &dyn fmt::Display) {
    EnvelopeWriter::begin(out);
    write_text(
        out,
        format_args!("cannot encode the result of `{function}`: {error}"),
    );
    finish(out, Status::BadResult);
}

/// Write an [`Status::Ok`] envelope whose body is `value` in MessagePack, encoded in place; a
/// value that fails to encode gives a [`Status::BadResult`] envelope.
#[inline]
pub fn write_value<T: Serialize + ?Sized>(out: &mut Output, function: &str, value: &T) {
    EnvelopeWriter::begin(out);
    match codec::encode_to(out, value) {
        Ok(()) => finish(out, Status::Ok),
        Err(e) => bad_result(out, function, &e),
    }
}

/// The whole envelope of a function returning nothing: status Ok, a 1-byte body, `nil`.
const UNIT_ENVELOPE: [u8; ENVELOPE_HEADER_LEN + 1] = {
    let status = (Status::Ok as u32).to_le_bytes();
    let [s0, s1, s2, s3] = status;
    [s0, s1, s2, s3, 1, 0, 0, 0, codec::NIL]
};

/// The envelope of a function returning nothing (status Ok, body `nil`) where the host can read
/// it: the result of every [`export_nothing`] call without input. It never changes, so it is
/// valid for as long as the instance lives.
pub static UNIT_RESULT: [u8; ENVELOPE_HEADER_LEN + 1] = UNIT_ENVELOPE;

/// Write an [`Status::Ok`] envelope for a function returning nothing: the body is `nil`,
/// written as one constant.
#[inline]
pub fn write_unit(out: &mut Output) {
    out.clear();
    out.extend_from_slice(&UNIT_ENVELOPE);
}

/// Write an [`Status::Ok`] envelope whose body is `bytes` as they are (`#[export(raw)]`).
#[inline]
pub fn write_raw(out: &mut Output, bytes: &[u8]) {
    EnvelopeWriter::ok(out, bytes);
}

/// Write an [`Status::Ok`] envelope whose body is the memory layout of `value`
/// (`#[export(pod)]`).
#[inline]
pub fn write_pod<T: Pod>(out: &mut Output, value: &T) {
    EnvelopeWriter::ok(out, bytemuck::bytes_of(value));
}

/// Why an input is not a `T` for `#[export(pod)]`: its size is wrong.
#[derive(Debug)]
pub struct PodSizeError {
    expected: usize,
    actual: usize,
    type_name: &'static str,
}

impl fmt::Display for PodSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected {} bytes (the memory layout of `{}`), got {}",
            self.expected, self.type_name, self.actual
        )
    }
}

/// Read a `T` from its memory layout, at any alignment (`#[export(pod)]`).
#[inline]
pub fn read_pod<T: Pod>(input: &[u8]) -> Result<T, PodSizeError> {
    bytemuck::try_pod_read_unaligned(input).map_err(|_| PodSizeError {
        expected: std::mem::size_of::<T>(),
        actual: input.len(),
        type_name: std::any::type_name::<T>(),
    })
}

/// Start an error envelope: envelope header, error header placeholder, then the message.
/// Returns the message's length.
fn begin_error<E: fmt::Display + ?Sized>(out: &mut Output, error: &E) -> usize {
    EnvelopeWriter::begin(out);
    out.extend_from_slice(&[0; ERROR_HEADER_LEN]);
    write_text(out, format_args!("{error}"));
    out.len() - ENVELOPE_HEADER_LEN - ERROR_HEADER_LEN
}

/// Fill in the error header and the envelope header.
fn finish_error(out: &mut Output, message_len: usize) {
    let bytes = out.as_mut_slice();
    let value_len = bytes.len() - ENVELOPE_HEADER_LEN - ERROR_HEADER_LEN - message_len;
    let header = ErrorHeader {
        message_len: message_len as u32,
        value_len: value_len as u32,
    };
    bytes[ENVELOPE_HEADER_LEN..ENVELOPE_HEADER_LEN + ERROR_HEADER_LEN]
        .copy_from_slice(bytemuck::bytes_of(&header));
    finish(out, Status::Error);
}

/// Write an [`Status::Error`] envelope with `error.to_string()` as the message and no value.
pub fn write_error<E: fmt::Display + ?Sized>(out: &mut Output, error: &E) {
    let message_len = begin_error(out, error);
    finish_error(out, message_len);
}

/// Write an [`Status::Error`] envelope with `error.to_string()` as the message and `error` in
/// MessagePack as the value. A value that fails to encode gives a [`Status::BadResult`] envelope
/// that quotes the message.
pub fn write_error_with_value<E: fmt::Display + Serialize + ?Sized>(
    out: &mut Output,
    function: &str,
    error: &E,
) {
    let message_len = begin_error(out, error);
    match codec::encode_to(out, error) {
        Ok(()) => finish_error(out, message_len),
        Err(e) => {
            let start = ENVELOPE_HEADER_LEN + ERROR_HEADER_LEN;
            let message =
                String::from_utf8_lossy(&out.as_slice()[start..start + message_len]).into_owned();
            EnvelopeWriter::begin(out);
            write_text(
                out,
                format_args!(
                    "cannot encode the error value of `{function}`: {e} (the error: {message})"
                ),
            );
            finish(out, Status::BadResult);
        }
    }
}

/// An error returned by an export, wrapped for autoref specialisation:
/// `(&ErrorValue(&e)).__wabi_error_kind()` is [`WithValue`] when `E: Serialize` (through
/// [`ErrorWithValueKind`]) and [`MessageOnly`] otherwise (through [`ErrorMessageKind`]); its
/// `write` then requires `E: Display`, so a missing `Display` is reported as such. It only works
/// where `E` is a concrete type, as in generated code.
pub struct ErrorValue<'a, E: ?Sized>(pub &'a E);

/// The error is `Serialize`: its envelope carries the message and the value.
pub struct WithValue;

/// The error is not `Serialize`: its envelope carries the message only.
pub struct MessageOnly;

/// Selected for `E: Serialize`.
pub trait ErrorWithValueKind {
    /// [`WithValue`].
    #[inline]
    fn __wabi_error_kind(&self) -> WithValue {
        WithValue
    }
}

impl<E: Serialize + ?Sized> ErrorWithValueKind for ErrorValue<'_, E> {}

/// Selected for any other `E`, one autoref later.
pub trait ErrorMessageKind {
    /// [`MessageOnly`].
    #[inline]
    fn __wabi_error_kind(&self) -> MessageOnly {
        MessageOnly
    }
}

impl<E: ?Sized> ErrorMessageKind for &ErrorValue<'_, E> {}

impl WithValue {
    /// Write the error envelope with [`write_error_with_value`].
    #[inline]
    pub fn write<E: fmt::Display + Serialize + ?Sized>(
        self,
        out: &mut Output,
        function: &str,
        error: &E,
    ) {
        write_error_with_value(out, function, error)
    }
}

impl MessageOnly {
    /// Write the error envelope with [`write_error`].
    #[inline]
    pub fn write<E: fmt::Display + ?Sized>(self, out: &mut Output, _function: &str, error: &E) {
        write_error(out, error)
    }
}

#[cfg(test)]
// `(&ErrorValue(&e))` is written as generated code writes it: the borrow is what makes the
// specialisation work for non-`Serialize` errors, even where clippy sees it as needless.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use wabi_spec::layout::Envelope;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct AppError {
        code: u32,
        reason: String,
    }

    impl fmt::Display for AppError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "app error {}: {}", self.code, self.reason)
        }
    }

    struct Plain;

    impl fmt::Display for Plain {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("plain failure")
        }
    }

    /// Serializes to an error, to exercise the bad-result paths.
    struct Unencodable;

    impl Serialize for Unencodable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("refuses to encode"))
        }
    }

    impl fmt::Display for Unencodable {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("unencodable")
        }
    }

    fn parse(out: &[u8]) -> Envelope<'_> {
        Envelope::parse(out).expect("a valid envelope")
    }

    #[test]
    fn ok_envelopes() {
        let mut out = Output::on_heap(Vec::new());
        write_value(&mut out, "f", &("a", 1u8));
        assert_eq!(
            parse(out.as_slice()),
            Envelope::Ok(&[0x92, 0xa1, b'a', 0x01])
        );
        write_unit(&mut out);
        assert_eq!(parse(out.as_slice()), Envelope::Ok(&[0xc0]));
        write_value(&mut out, "f", &());
        assert_eq!(parse(out.as_slice()), Envelope::Ok(&[0xc0]));
        write_raw(&mut out, b"raw bytes");
        assert_eq!(parse(out.as_slice()), Envelope::Ok(b"raw bytes"));
        write_pod(&mut out, &0x0102_0304u32);
        assert_eq!(parse(out.as_slice()), Envelope::Ok(&[4, 3, 2, 1]));
        // Byte vectors are `bin`, structs are maps.
        write_value(&mut out, "f", &vec![1u8, 2]);
        assert_eq!(parse(out.as_slice()), Envelope::Ok(&[0xc4, 2, 1, 2]));
    }

    #[test]
    fn error_envelopes() {
        let mut out = Output::on_heap(Vec::new());
        let e = AppError {
            code: 42,
            reason: "nope".into(),
        };
        (&ErrorValue(&e))
            .__wabi_error_kind()
            .write(&mut out, "f", &e);
        match parse(out.as_slice()) {
            Envelope::Error {
                message,
                value: Some(value),
            } => {
                assert_eq!(message, "app error 42: nope");
                assert_eq!(codec::decode::<AppError>(value).unwrap(), e);
            }
            other => panic!("{other:?}"),
        }
        (&ErrorValue(&Plain))
            .__wabi_error_kind()
            .write(&mut out, "f", &Plain);
        assert_eq!(
            parse(out.as_slice()),
            Envelope::Error {
                message: "plain failure",
                value: None
            }
        );
        write_error(&mut out, "unsized message");
        assert_eq!(
            parse(out.as_slice()),
            Envelope::Error {
                message: "unsized message",
                value: None
            }
        );
    }

    #[test]
    fn bad_argument_and_result_envelopes() {
        let mut out = Output::on_heap(Vec::new());
        let err = codec::decode::<u32>(&[0xa1, b'x']).unwrap_err();
        bad_arguments(&mut out, "f(n: u32)", &err);
        match parse(out.as_slice()) {
            Envelope::BadArguments(m) => {
                assert!(
                    m.starts_with("cannot decode the arguments of `f(n: u32)`: "),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        write_value(&mut out, "f", &Unencodable);
        assert_eq!(
            parse(out.as_slice()),
            Envelope::BadResult("cannot encode the result of `f`: refuses to encode")
        );
        (&ErrorValue(&Unencodable))
            .__wabi_error_kind()
            .write(&mut out, "f", &Unencodable);
        assert_eq!(
            parse(out.as_slice()),
            Envelope::BadResult(
                "cannot encode the error value of `f`: refuses to encode (the error: unencodable)"
            )
        );
    }

    #[test]
    fn pod_reads_check_the_size() {
        assert_eq!(read_pod::<u32>(&[1, 0, 0, 0]).unwrap(), 1);
        // Unaligned input is fine.
        let bytes = [0u8, 2, 0, 0, 0];
        assert_eq!(read_pod::<u32>(&bytes[1..]).unwrap(), 2);
        // No argument: the input must be empty.
        read_pod::<()>(&[]).unwrap();
        assert!(read_pod::<()>(&[0xc0]).is_err());
        let err = read_pod::<u64>(&[1, 2, 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected 8 bytes (the memory layout of `u64`), got 3"
        );
    }

    #[test]
    fn output_buffer_is_reused() {
        let (p1, l1) = run(b"", |_, out| write_value(out, "f", &[7u32; 64][..]));
        let (p2, l2) = run(b"", |_, out| write_value(out, "f", &1u8));
        assert_eq!(p1, p2, "the same allocation serves both calls");
        assert_eq!((l1, l2), (8 + 3 + 64, 9));
        // A larger result may move the buffer; later small results keep using it.
        let (p3, _) = run(b"", |_, out| write_raw(out, &[0; 1 << 16]));
        let (p4, _) = run(b"", |_, out| write_unit(out));
        assert_eq!(p3, p4);
        // SAFETY: the envelope stays valid until the next call on this thread.
        let envelope = unsafe { std::slice::from_raw_parts(p4, 9) };
        assert_eq!(parse(envelope), Envelope::Ok(&[0xc0]));
    }

    #[test]
    fn calls_after_one_that_never_returned_still_work() {
        // A call that traps never returns to `run`; natively a panic stands in for it.
        let unwound = std::panic::catch_unwind(|| run(b"", |_, _| panic!("trap")));
        assert!(unwound.is_err());
        // The call flag stayed set: later calls write to the heap, and answer correctly.
        let (region_start, _) = region(b"");
        for n in [1u32, 500, 2] {
            let (ptr, len) = run(b"", |_, out| write_value(out, "f", &vec![n; n as usize]));
            assert_ne!(ptr, region_start.cast_const());
            // SAFETY: the envelope stays valid until the next call on this thread.
            let envelope = unsafe { std::slice::from_raw_parts(ptr, len) };
            match parse(envelope) {
                Envelope::Ok(body) => {
                    assert_eq!(
                        codec::decode::<Vec<u32>>(body).unwrap(),
                        vec![n; n as usize]
                    )
                }
                other => panic!("{other:?}"),
            }
        }
        with_state(|s| s.in_call.set(false));
    }

    /// A value whose decoding decodes another value with `decode`, in the middle of its own
    /// (as a `Deserialize` implementation that calls a host function that calls back into the
    /// guest would): the inner decode keeps its state apart, the outer one goes on where it was.
    #[test]
    fn a_decode_inside_a_decode_keeps_its_own_state() {
        use serde::de::{Deserializer, SeqAccess, Visitor};

        #[derive(Debug, PartialEq)]
        struct Outer(u32, u32);
        struct OuterVisitor;
        impl<'de> Visitor<'de> for OuterVisitor {
            type Value = Outer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[encoded u32, u32]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outer, A::Error> {
                let missing = || serde::de::Error::custom("missing element");
                let bytes: &[u8] = seq.next_element()?.ok_or_else(missing)?;
                let inner: u32 = decode(bytes).map_err(serde::de::Error::custom)?;
                let second: u32 = seq.next_element()?.ok_or_else(missing)?;
                Ok(Outer(inner, second))
            }
        }
        impl<'de> Deserialize<'de> for Outer {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_seq(OuterVisitor)
            }
        }

        let input = [
            0x92, 0xc4, 5, 0xce, 0x00, 0x0f, 0x42, 0x40, 0xcd, 0x09, 0x29,
        ];
        assert_eq!(decode::<Outer>(&input).unwrap(), Outer(1_000_000, 2345));
        // The state's decoder is free again: the next decode uses it, and succeeds.
        with_state(|s| assert!(!s.decoding.get()));
        assert_eq!(decode::<Outer>(&input).unwrap(), Outer(1_000_000, 2345));
        assert!(decode::<Outer>(&input[..9]).is_err());
        with_state(|s| assert!(!s.decoding.get()));
    }

    #[test]
    fn nested_runs_do_not_alias() {
        let (outer, len) = run(b"x", |input, out| {
            let (inner, _) = run(input, |_, out| write_unit(out));
            assert_ne!(inner, out.written().0);
            write_raw(out, input);
        });
        // SAFETY: as above.
        let envelope = unsafe { std::slice::from_raw_parts(outer, len) };
        assert_eq!(parse(envelope), Envelope::Ok(b"x"));
    }

    /// `recurse(n)` as the conformance guest runs it under a host: each level is an export call
    /// that, while it is suspended in a host call, is re-entered by the host with `n - 1`; the
    /// host reads each nested envelope before the host call returns.
    fn recurse(n: u32, out: &mut Output) {
        // Something of the outer call's already in its buffer while the nested calls run.
        out.clear();
        out.extend_from_slice(b"outer state");
        let result = if n == 0 {
            0
        } else {
            let (ptr, len) = run(b"", |_, nested| recurse(n - 1, nested));
            // The host copies the nested envelope out before it answers the host call.
            // SAFETY: the envelope stays valid until the next call, and there is none yet.
            let envelope = unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec();
            assert_ne!(
                ptr,
                out.written().0,
                "a nested call must not write into our buffer"
            );
            match parse(&envelope) {
                Envelope::Ok(body) => codec::decode::<u32>(body).unwrap() + 1,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            out.as_slice(),
            b"outer state",
            "the nested calls left the buffer alone"
        );
        write_value(out, "recurse", &result);
    }

    #[test]
    fn nested_runs_nest_deeply_and_the_outer_buffer_survives() {
        let (ptr, len) = run(b"", |_, out| recurse(50, out));
        // SAFETY: as above.
        let envelope = unsafe { std::slice::from_raw_parts(ptr, len) };
        assert_eq!(parse(envelope), Envelope::Ok(&[50]));
        // The outermost buffer went back into the cell: the next call reuses it.
        let (next, _) = run(b"", |_, out| write_unit(out));
        assert_eq!(next, ptr);
    }
}
