//! Byte layouts: the result envelope, the panic record, status codes, log levels and the packed
//! `(ptr, len)` pair. All integers are little-endian (wasm's byte order); headers are read with
//! [`bytemuck::pod_read_unaligned`], so a host never depends on the guest aligning them.

use bytemuck::{Pod, Zeroable};
use core::fmt;

/// Pack a guest pointer and a length into the `i64` a user export returns: `ptr << 32 | len`.
pub const fn pack(ptr: u32, len: u32) -> i64 {
    (((ptr as u64) << 32) | len as u64) as i64
}

/// Split a packed `i64` into `(ptr, len)`.
pub const fn unpack(packed: i64) -> (u32, u32) {
    let v = packed as u64;
    ((v >> 32) as u32, v as u32)
}

/// Header of every result envelope; `body_len` bytes of body follow it.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct EnvelopeHeader {
    /// One of [`Status`], as `u32`.
    pub status: u32,
    /// Length of the body after this header; must equal the envelope length minus 8.
    pub body_len: u32,
}

/// Body header of an [`Status::Error`] envelope: the UTF-8 message and an optional MessagePack
/// value follow it, in that order (`value_len == 0` means "no value").
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct ErrorHeader {
    /// Bytes of UTF-8 message.
    pub message_len: u32,
    /// Bytes of MessagePack value; 0 when the error carries no value.
    pub value_len: u32,
}

/// Header of a panic record (the body of a [`Status::Panic`] envelope and the argument of the
/// `wabi.panic` import): the UTF-8 message and the UTF-8 file name follow it.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct PanicHeader {
    /// Bytes of UTF-8 message.
    pub message_len: u32,
    /// Bytes of UTF-8 file name; 0 when the location is unknown.
    pub file_len: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

/// Size of [`EnvelopeHeader`] in bytes.
pub const ENVELOPE_HEADER_LEN: usize = core::mem::size_of::<EnvelopeHeader>();
/// Size of [`ErrorHeader`] in bytes.
pub const ERROR_HEADER_LEN: usize = core::mem::size_of::<ErrorHeader>();
/// Size of [`PanicHeader`] in bytes.
pub const PANIC_HEADER_LEN: usize = core::mem::size_of::<PanicHeader>();
/// Alignment the host uses for input buffers it allocates, and the scratch buffer's alignment.
pub const INPUT_ALIGN: u32 = 8;

/// Status of a result envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Status {
    /// The body is the encoded return value.
    Ok = 0,
    /// The function returned an error: [`ErrorHeader`], message, optional value.
    Error = 1,
    /// The function panicked and the guest caught it: a panic record.
    Panic = 2,
    /// The guest could not decode the arguments; the body is a UTF-8 message.
    BadArguments = 3,
    /// The guest could not encode its return value; the body is a UTF-8 message.
    BadResult = 4,
}

impl Status {
    /// Decode a raw status; `None` for a value this version does not define.
    pub const fn from_u32(raw: u32) -> Option<Status> {
        Some(match raw {
            0 => Status::Ok,
            1 => Status::Error,
            2 => Status::Panic,
            3 => Status::BadArguments,
            4 => Status::BadResult,
            _ => return None,
        })
    }
}

/// Level of a `wabi.log` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum LogLevel {
    /// Very verbose diagnostics.
    Trace = 0,
    /// Diagnostics.
    Debug = 1,
    /// Normal operation.
    Info = 2,
    /// Something looks wrong.
    Warn = 3,
    /// Something failed.
    Error = 4,
}

impl LogLevel {
    /// Decode a raw level; values above 4 are clamped to [`LogLevel::Error`].
    pub const fn from_u32(raw: u32) -> LogLevel {
        match raw {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }
}

/// A parsed panic record, borrowing from the guest's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanicRecord<'a> {
    /// The panic message (invalid UTF-8 is rejected by [`PanicRecord::parse`]).
    pub message: &'a str,
    /// Source file, empty when unknown.
    pub file: &'a str,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

/// A parsed result envelope, borrowing from the guest's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope<'a> {
    /// Success; the encoded return value.
    Ok(&'a [u8]),
    /// A returned error with its message and optional MessagePack value.
    Error {
        /// The error's `Display` text.
        message: &'a str,
        /// The error's MessagePack value, if it has one.
        value: Option<&'a [u8]>,
    },
    /// A caught panic.
    Panic(PanicRecord<'a>),
    /// The guest could not decode the arguments.
    BadArguments(&'a str),
    /// The guest could not encode its result.
    BadResult(&'a str),
}

/// Why bytes are not a valid envelope or panic record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// Fewer bytes than the fixed header needs.
    TooShort {
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// A length field disagrees with the bytes present.
    LengthMismatch {
        /// Which field.
        field: &'static str,
        /// The value the field claims (summed with what precedes it).
        claimed: u64,
        /// The bytes actually present.
        have: usize,
    },
    /// A status this version does not define.
    UnknownStatus(u32),
    /// A text field is not UTF-8.
    NotUtf8(&'static str),
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::TooShort { what, need, have } => {
                write!(f, "{what} needs at least {need} bytes, got {have}")
            }
            LayoutError::LengthMismatch {
                field,
                claimed,
                have,
            } => write!(f, "{field} claims {claimed} bytes but {have} are present"),
            LayoutError::UnknownStatus(s) => write!(f, "unknown envelope status {s}"),
            LayoutError::NotUtf8(field) => write!(f, "{field} is not valid UTF-8"),
        }
    }
}

impl std::error::Error for LayoutError {}

fn header<'a, T: Pod>(bytes: &'a [u8], what: &'static str) -> Result<(T, &'a [u8]), LayoutError> {
    let need = core::mem::size_of::<T>();
    if bytes.len() < need {
        return Err(LayoutError::TooShort {
            what,
            need,
            have: bytes.len(),
        });
    }
    let (head, rest) = bytes.split_at(need);
    Ok((bytemuck::pod_read_unaligned(head), rest))
}

fn text<'a>(bytes: &'a [u8], field: &'static str) -> Result<&'a str, LayoutError> {
    core::str::from_utf8(bytes).map_err(|_| LayoutError::NotUtf8(field))
}

/// Split `rest` into two parts of the claimed lengths, which must add up to exactly `rest.len()`.
fn split_exact<'a>(
    rest: &'a [u8],
    first: u32,
    second: u32,
    field: &'static str,
) -> Result<(&'a [u8], &'a [u8]), LayoutError> {
    let claimed = first as u64 + second as u64;
    if claimed != rest.len() as u64 {
        return Err(LayoutError::LengthMismatch {
            field,
            claimed,
            have: rest.len(),
        });
    }
    Ok(rest.split_at(first as usize))
}

impl<'a> PanicRecord<'a> {
    /// Parse a panic record; every length is checked against the bytes present.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LayoutError> {
        let (h, rest): (PanicHeader, _) = header(bytes, "panic record")?;
        let (message, file) = split_exact(rest, h.message_len, h.file_len, "panic record lengths")?;
        Ok(PanicRecord {
            message: text(message, "panic message")?,
            file: text(file, "panic file name")?,
            line: h.line,
            column: h.column,
        })
    }

    /// Append this record's bytes to `out`.
    pub fn write_to<B: EnvelopeBuffer + ?Sized>(&self, out: &mut B) {
        let h = PanicHeader {
            message_len: self.message.len() as u32,
            file_len: self.file.len() as u32,
            line: self.line,
            column: self.column,
        };
        out.extend_from_slice(bytemuck::bytes_of(&h));
        out.extend_from_slice(self.message.as_bytes());
        out.extend_from_slice(self.file.as_bytes());
    }
}

impl<'a> Envelope<'a> {
    /// Parse a complete envelope (header and body). Every length is checked; nothing is trusted.
    ///
    /// ```
    /// use wabi_spec::layout::Envelope;
    /// let bytes = [0, 0, 0, 0, 1, 0, 0, 0, 0xc3]; // status 0, body_len 1, body `true`
    /// assert_eq!(Envelope::parse(&bytes).unwrap(), Envelope::Ok(&[0xc3]));
    /// ```
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LayoutError> {
        // The common case first, read in place.
        match Self::ok_body(bytes) {
            Some(body) => Ok(Envelope::Ok(body)),
            None => Self::parse_slow(bytes),
        }
    }

    /// The body of a well-formed envelope of status Ok (`body_len` exactly the bytes after
    /// the header), read in place; `None` for anything else, which [`Envelope::parse`] tells
    /// apart. The common case of [`Envelope::parse`], small enough to inline into a call path.
    ///
    /// ```
    /// use wabi_spec::layout::Envelope;
    /// assert_eq!(Envelope::ok_body(&[0, 0, 0, 0, 1, 0, 0, 0, 0xc3]), Some(&[0xc3][..]));
    /// assert_eq!(Envelope::ok_body(&[0, 0, 0, 0, 2, 0, 0, 0, 0xc3]), None);
    /// ```
    #[inline(always)]
    pub fn ok_body(bytes: &'a [u8]) -> Option<&'a [u8]> {
        let (head, body) = bytes.split_first_chunk::<ENVELOPE_HEADER_LEN>()?;
        let status = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let body_len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        (status == Status::Ok as u32 && body_len as u64 == body.len() as u64).then_some(body)
    }

    /// [`Envelope::parse`] for everything but a well-formed `Ok` envelope.
    #[cold]
    fn parse_slow(bytes: &'a [u8]) -> Result<Self, LayoutError> {
        let (h, body): (EnvelopeHeader, _) = header(bytes, "result envelope")?;
        if h.body_len as u64 != body.len() as u64 {
            return Err(LayoutError::LengthMismatch {
                field: "envelope body_len",
                claimed: h.body_len as u64,
                have: body.len(),
            });
        }
        match Status::from_u32(h.status) {
            Some(Status::Ok) => Ok(Envelope::Ok(body)),
            Some(Status::Error) => {
                let (e, rest): (ErrorHeader, _) = header(body, "error body")?;
                let (message, value) =
                    split_exact(rest, e.message_len, e.value_len, "error body lengths")?;
                Ok(Envelope::Error {
                    message: text(message, "error message")?,
                    value: (!value.is_empty()).then_some(value),
                })
            }
            Some(Status::Panic) => Ok(Envelope::Panic(PanicRecord::parse(body)?)),
            Some(Status::BadArguments) => Ok(Envelope::BadArguments(text(body, "message")?)),
            Some(Status::BadResult) => Ok(Envelope::BadResult(text(body, "message")?)),
            None => Err(LayoutError::UnknownStatus(h.status)),
        }
    }
}

/// A buffer an envelope is written into: a `Vec<u8>`, or a guest SDK's own output buffer (the
/// Rust SDK's writes into its scratch buffer first).
pub trait EnvelopeBuffer {
    /// Forget what was written; keep the storage.
    fn clear(&mut self);
    /// Append `bytes`.
    fn extend_from_slice(&mut self, bytes: &[u8]);
    /// The bytes written so far, to fill in a header.
    fn bytes_mut(&mut self) -> &mut [u8];
}

impl EnvelopeBuffer for Vec<u8> {
    #[inline(always)]
    fn clear(&mut self) {
        Vec::clear(self)
    }

    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Vec::extend_from_slice(self, bytes)
    }

    #[inline(always)]
    fn bytes_mut(&mut self) -> &mut [u8] {
        self
    }
}

/// Writes envelopes into a reusable buffer ([`EnvelopeBuffer`]); used by guest SDKs and tests.
///
/// ```
/// use wabi_spec::layout::{Envelope, EnvelopeWriter};
/// let mut buf = Vec::new();
/// EnvelopeWriter::error(&mut buf, "no such user", &[]);
/// assert_eq!(
///     Envelope::parse(&buf).unwrap(),
///     Envelope::Error { message: "no such user", value: None }
/// );
/// ```
pub struct EnvelopeWriter;

impl EnvelopeWriter {
    /// Clear `out` and reserve the 8-byte header; append the body, then call [`Self::finish`].
    #[inline(always)]
    pub fn begin<B: EnvelopeBuffer + ?Sized>(out: &mut B) {
        out.clear();
        out.extend_from_slice(&[0; ENVELOPE_HEADER_LEN]);
    }

    /// Fill in the header of an envelope started with [`Self::begin`].
    pub fn finish(out: &mut [u8], status: Status) {
        let body_len = (out.len() - ENVELOPE_HEADER_LEN) as u32;
        let h = EnvelopeHeader {
            status: status as u32,
            body_len,
        };
        out[..ENVELOPE_HEADER_LEN].copy_from_slice(bytemuck::bytes_of(&h));
    }

    /// Write a complete success envelope around `body`.
    #[inline(always)]
    pub fn ok<B: EnvelopeBuffer + ?Sized>(out: &mut B, body: &[u8]) {
        Self::begin(out);
        out.extend_from_slice(body);
        Self::finish(out.bytes_mut(), Status::Ok);
    }

    /// Write a complete error envelope (`value` empty for "no value").
    pub fn error<B: EnvelopeBuffer + ?Sized>(out: &mut B, message: &str, value: &[u8]) {
        Self::begin(out);
        let e = ErrorHeader {
            message_len: message.len() as u32,
            value_len: value.len() as u32,
        };
        out.extend_from_slice(bytemuck::bytes_of(&e));
        out.extend_from_slice(message.as_bytes());
        out.extend_from_slice(value);
        Self::finish(out.bytes_mut(), Status::Error);
    }

    /// Write a complete panic envelope.
    pub fn panic<B: EnvelopeBuffer + ?Sized>(out: &mut B, record: &PanicRecord<'_>) {
        Self::begin(out);
        record.write_to(out);
        Self::finish(out.bytes_mut(), Status::Panic);
    }

    /// Write a [`Status::BadArguments`] or [`Status::BadResult`] envelope.
    pub fn message<B: EnvelopeBuffer + ?Sized>(out: &mut B, status: Status, message: &str) {
        Self::begin(out);
        out.extend_from_slice(message.as_bytes());
        Self::finish(out.bytes_mut(), status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_round_trips_extremes() {
        for (p, l) in [(0, 0), (u32::MAX, u32::MAX), (1, u32::MAX), (u32::MAX, 0)] {
            assert_eq!(unpack(pack(p, l)), (p, l));
        }
    }

    #[test]
    fn envelope_rejects_lies() {
        // body_len larger than the bytes present
        let bytes = [0, 0, 0, 0, 9, 0, 0, 0, 1];
        assert!(matches!(
            Envelope::parse(&bytes),
            Err(LayoutError::LengthMismatch { .. })
        ));
        // unknown status
        let bytes = [7, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(Envelope::parse(&bytes), Err(LayoutError::UnknownStatus(7)));
        // error lengths overflowing u32 when summed
        let mut buf = Vec::new();
        EnvelopeWriter::begin(&mut buf);
        buf.extend_from_slice(bytemuck::bytes_of(&ErrorHeader {
            message_len: u32::MAX,
            value_len: 2,
        }));
        EnvelopeWriter::finish(&mut buf, Status::Error);
        assert!(matches!(
            Envelope::parse(&buf),
            Err(LayoutError::LengthMismatch { claimed, .. }) if claimed == u32::MAX as u64 + 2
        ));
        // short header
        assert!(matches!(
            Envelope::parse(&[0, 0]),
            Err(LayoutError::TooShort {
                need: 8,
                have: 2,
                ..
            })
        ));
        // invalid UTF-8 message
        let mut buf = Vec::new();
        EnvelopeWriter::message(&mut buf, Status::BadArguments, "x");
        buf[8] = 0xff;
        assert_eq!(Envelope::parse(&buf), Err(LayoutError::NotUtf8("message")));
    }

    #[test]
    fn panic_record_round_trips() {
        let rec = PanicRecord {
            message: "boom ✨",
            file: "src/lib.rs",
            line: 7,
            column: 9,
        };
        let mut buf = Vec::new();
        EnvelopeWriter::panic(&mut buf, &rec);
        assert_eq!(Envelope::parse(&buf), Ok(Envelope::Panic(rec)));
    }
}
