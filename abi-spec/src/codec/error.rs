//! The codec's errors: what went wrong and where.

use std::fmt::Display;

use super::MAX_DEPTH;

/// Why bytes did not decode as the requested type: a [`DecodeErrorKind`], boxed so that a
/// `Result` of the decoder stays two words wide on the hot path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct DecodeError(Box<DecodeErrorKind>);

impl DecodeError {
    /// What went wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.0
    }
}

impl From<DecodeErrorKind> for DecodeError {
    #[cold]
    fn from(kind: DecodeErrorKind) -> Self {
        DecodeError(Box::new(kind))
    }
}

/// What went wrong in a [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended inside a value.
    #[error("unexpected end of input at byte {offset}: {needed} more bytes needed")]
    Eof {
        /// Where the missing bytes should have started.
        offset: usize,
        /// How many bytes were missing.
        needed: usize,
    },
    /// Byte `0xc1`, which MessagePack reserves, where a value should start.
    #[error("byte 0xc1 at {offset} is reserved by MessagePack and starts no value")]
    Reserved {
        /// Its position.
        offset: usize,
    },
    /// More than [`MAX_DEPTH`] nested arrays, maps or extension values.
    #[error("depth limit exceeded: more than {MAX_DEPTH} nested arrays and maps")]
    DepthLimit,
    /// A string that is not UTF-8, where the type wants text.
    #[error("the string at byte {offset} is not valid UTF-8: {source}")]
    Utf8 {
        /// Where the string's bytes start.
        offset: usize,
        /// What is wrong with them.
        source: std::str::Utf8Error,
    },
    /// The type read fewer elements of an array or map than it has.
    #[error("the array or map at byte {offset} has {len} elements but the type reads {read}")]
    Length {
        /// Where the array or map starts.
        offset: usize,
        /// Its element count.
        len: u32,
        /// How many the type read.
        read: u32,
    },
    /// An enum value that is a map of more or less than one entry.
    #[error(
        "an enum variant with data is a map of one entry, but the map at byte {offset} has {len}"
    )]
    Variant {
        /// Where the map starts.
        offset: usize,
        /// Its entry count.
        len: u32,
    },
    /// The value does not fit the type, as the type's `Deserialize` implementation reports it
    /// (for example "invalid type: string \"x\", expected u32").
    #[error("{0}")]
    Message(String),
}

impl serde::de::Error for DecodeError {
    #[cold]
    fn custom<T: Display>(msg: T) -> Self {
        DecodeErrorKind::Message(msg.to_string()).into()
    }
}

/// Why a value could not be encoded: an [`EncodeErrorKind`], boxed so that the encoder's
/// `Result<(), EncodeError>` is one word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct EncodeError(Box<EncodeErrorKind>);

impl EncodeError {
    /// What went wrong.
    pub fn kind(&self) -> &EncodeErrorKind {
        &self.0
    }
}

impl From<EncodeErrorKind> for EncodeError {
    #[cold]
    fn from(kind: EncodeErrorKind) -> Self {
        EncodeError(Box::new(kind))
    }
}

/// What went wrong in an [`EncodeError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A string, byte string, array or map longer than MessagePack can describe (4 GiB - 1).
    #[error("a {what} of {len} elements is longer than MessagePack allows (2^32 - 1)")]
    TooLong {
        /// "string", "byte string", "array" or "map".
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A sequence that started as bytes (`u8` items, written as `bin`) had an item that is not
    /// a `u8`.
    #[error("a sequence of u8 items had an item that is not a u8")]
    NotBytes,
    /// An extension value (`_ExtStruct`) that is not `(i8, bytes)`.
    #[error("an extension value must be a tuple of an i8 type and bytes")]
    BadExtension,
    /// A value encoded to another size the second time it was encoded (its `Serialize`
    /// implementation is not deterministic), so it does not fit the space measured for it.
    #[error(
        "the value's encoding changed size between measuring it ({expected} bytes) and writing it"
    )]
    SizeChanged {
        /// The measured size.
        expected: usize,
    },
    /// The value's `Serialize` implementation failed.
    #[error("{0}")]
    Message(String),
}

impl serde::ser::Error for EncodeError {
    #[cold]
    fn custom<T: Display>(msg: T) -> Self {
        EncodeErrorKind::Message(msg.to_string()).into()
    }
}
