//! The canonical MessagePack encoding (ABI.md section 8) and the argument-list rule.
//!
//! - Values are encoded with structs as maps keyed by field name and sequences of `u8` as
//!   `bin`, integers in their smallest form. The encoder ([`encode`]) and the decoder
//!   ([`decode`]) are wabi's own serde implementations over a `Vec<u8>` and a byte slice; they
//!   write and read exactly the bytes of rmp-serde configured that way (`with_struct_map`,
//!   `BytesMode::ForceIterables`), which is what the tests compare them with, at a fraction of
//!   the instructions (docs/PERFORMANCE.md).
//! - The arguments of a call are one value: nothing for zero arguments (an empty input), the
//!   argument itself for one argument, and an array of the arguments for two or more.
//!
//! ```
//! use wabi_spec::codec::{encode_args, decode};
//! let mut buf = Vec::new();
//! encode_args(&mut buf, &("a", 1u8)).unwrap();
//! assert_eq!(buf, [0x92, 0xa1, b'a', 0x01]); // two arguments: an array
//! buf.clear();
//! encode_args(&mut buf, &("a",)).unwrap();
//! assert_eq!(buf, [0xa1, b'a']); // one argument, in a 1-tuple or not: the bare value
//! assert_eq!(decode::<&str>(&buf).unwrap(), "a");
//! ```

mod de;
mod error;
mod not_a_map;
mod ser;

use serde::ser::{self as serde_ser, Serialize};
use serde::Deserialize;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};

pub use ser::Output;
use ser::{Compound, Count, Fixed, Serializer};

/// Maximum nesting depth (arrays and maps) a decoder accepts; deeper input is an error, not a
/// stack overflow.
pub const MAX_DEPTH: usize = 128;

/// The newtype name by which serde types ask for a MessagePack extension value, as
/// `(type: i8, data: bytes)` (rmp-serde's convention, kept so such types work unchanged).
pub const EXT_STRUCT: &str = "_ExtStruct";

/// Encode one value canonically, appending to `out`.
#[inline]
pub fn encode<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), EncodeError> {
    value.serialize(&mut Serializer { out })
}

/// Encode one value canonically, appending to any [`Output`]: what [`encode`] does for a
/// `Vec<u8>`, for a buffer of the caller's.
#[inline]
pub fn encode_to<O: Output, T: Serialize + ?Sized>(
    out: &mut O,
    value: &T,
) -> Result<(), EncodeError> {
    value.serialize(&mut Serializer { out })
}

/// Encode one value canonically into a new vector.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode(&mut out, value)?;
    Ok(out)
}

/// Decode one value, borrowing strings and byte slices from `bytes` where the type allows.
/// Nesting deeper than [`MAX_DEPTH`] is rejected. Bytes after the value are ignored.
#[inline]
pub fn decode<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, DecodeError> {
    T::deserialize(&mut de::Deserializer::new(bytes))
}

/// Room for the decoder's state (a few words): what [`decode_in`] decodes with, kept where the
/// caller chooses instead of on the stack.
///
/// A wasm guest keeps one next to its scratch buffer: values whose decoding calls anything out
/// of line (error paths, most of all) have their decoder in memory, and on the stack that is a
/// page of linear memory a fresh instance's first call would touch for nothing else.
///
/// ```
/// use wabi_spec::codec::{decode_in, DecoderSlot};
/// let mut slot = DecoderSlot::new();
/// assert_eq!(decode_in::<(u8, &str)>(&mut slot, &[0x92, 0x01, 0xa1, b'a']).unwrap(), (1, "a"));
/// ```
pub struct DecoderSlot(std::mem::MaybeUninit<de::Deserializer<'static>>);

impl DecoderSlot {
    /// An empty slot.
    pub const fn new() -> Self {
        DecoderSlot(std::mem::MaybeUninit::uninit())
    }
}

impl Default for DecoderSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// [`decode`] with the decoder's state in `slot`: the same result, for callers that keep the
/// state somewhere else than the stack ([`DecoderSlot`]).
#[inline]
pub fn decode_in<'de, T: Deserialize<'de>>(
    slot: &mut DecoderSlot,
    bytes: &'de [u8],
) -> Result<T, DecodeError> {
    let de = slot.0.as_mut_ptr().cast::<de::Deserializer<'de>>();
    // SAFETY: `Deserializer<'de>` is `Deserializer<'static>` with a shorter lifetime, so the
    // slot has its size and alignment; it is written before it is used, and used only while
    // `slot` is borrowed here. What is left in the slot afterwards is never read: the next use
    // writes it again first (and the type has no drop glue).
    unsafe {
        de.write(de::Deserializer::new(bytes));
        T::deserialize(&mut *de)
    }
}

/// MessagePack `nil`: the result of a function returning nothing (`()`).
pub const NIL: u8 = 0xc0;

/// Check the input of a function taking no arguments: empty, `nil` (`0xc0`) or an empty array
/// (`0x90`) are accepted.
pub fn decode_no_args(bytes: &[u8]) -> Result<(), DecodeError> {
    match bytes {
        [] | [NIL] | [0x90] => Ok(()),
        _ => Err(<DecodeError as serde::de::Error>::custom(format_args!(
            "the function takes no arguments, but {} bytes of arguments were sent",
            bytes.len()
        ))),
    }
}

/// Encode an argument list by the argument-list rule, appending to `out`.
///
/// `args` is a tuple of the arguments (`()` for none, `(x,)` for one) or, for one argument, the
/// argument itself. A tuple of length 1 is written as its element, `()` writes nothing, and any
/// other tuple is written as an array. A value that is not a tuple is one argument.
#[inline]
pub fn encode_args<A: Serialize + ?Sized>(out: &mut Vec<u8>, args: &A) -> Result<(), EncodeError> {
    args.serialize(ArgList(&mut Serializer { out }))
}

/// The size of an argument list's encoding ([`encode_args`]), found without writing it, and
/// how many writes make it: `bytes / writes` says how much of encoding it is copying payloads
/// (a byte string of 1 MiB is one write) rather than encoding small values.
pub fn measure_args<A: Serialize + ?Sized>(args: &A) -> Result<ArgsSize, EncodeError> {
    let mut count = Count::default();
    args.serialize(ArgList(&mut Serializer { out: &mut count }))?;
    Ok(ArgsSize {
        bytes: count.bytes,
        writes: count.writes,
    })
}

/// What [`measure_args`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgsSize {
    /// The encoding's length in bytes.
    pub bytes: usize,
    /// The number of writes that make it up.
    pub writes: usize,
}

/// Encode an argument list ([`encode_args`]) into `buf`, which must be exactly as long as the
/// encoding (see [`measure_args`]): a host writes arguments straight into the guest's memory
/// this way, with one copy of their payloads instead of two. A `Serialize` implementation
/// that writes something else the second time gives [`EncodeErrorKind::SizeChanged`].
pub fn encode_args_into<A: Serialize + ?Sized>(
    buf: &mut [u8],
    args: &A,
) -> Result<(), EncodeError> {
    let expected = buf.len();
    let mut fixed = Fixed {
        buf,
        pos: 0,
        overflow: false,
    };
    args.serialize(ArgList(&mut Serializer { out: &mut fixed }))?;
    if fixed.overflow || fixed.pos != expected {
        return Err(EncodeErrorKind::SizeChanged { expected }.into());
    }
    Ok(())
}

/// Serializer that applies the argument-list rule to the top-level value and delegates
/// everything else to the canonical serializer.
struct ArgList<'s, 'a, O: Output = Vec<u8>>(&'s mut Serializer<'a, O>);

/// A tuple being written as an argument list.
enum ArgTuple<'s, 'a, O: Output> {
    /// One argument: written bare.
    One(&'s mut Serializer<'a, O>),
    /// Several arguments: an array.
    Many(Compound<'s, O>),
}

impl<O: Output> serde_ser::SerializeTuple for ArgTuple<'_, '_, O> {
    type Ok = ();
    type Error = EncodeError;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        match self {
            ArgTuple::One(s) => value.serialize(&mut **s),
            ArgTuple::Many(t) => serde_ser::SerializeTuple::serialize_element(t, value),
        }
    }

    #[inline]
    fn end(self) -> Result<(), EncodeError> {
        match self {
            ArgTuple::One(_) => Ok(()),
            ArgTuple::Many(t) => serde_ser::SerializeTuple::end(t),
        }
    }
}

macro_rules! delegate {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[inline]
            fn $method(self, $($arg: $ty),*) -> Result<(), EncodeError> {
                serde_ser::Serializer::$method(&mut *self.0, $($arg),*)
            }
        )*
    };
}

impl<'s, 'a, O: Output> serde_ser::Serializer for ArgList<'s, 'a, O> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Compound<'s, O>;
    type SerializeTuple = ArgTuple<'s, 'a, O>;
    type SerializeTupleStruct = Compound<'s, O>;
    type SerializeTupleVariant = Compound<'s, O>;
    type SerializeMap = Compound<'s, O>;
    type SerializeStruct = Compound<'s, O>;
    type SerializeStructVariant = Compound<'s, O>;

    delegate! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    /// `()` is the empty argument list: nothing is written.
    #[inline]
    fn serialize_unit(self) -> Result<(), EncodeError> {
        Ok(())
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        serde_ser::Serializer::serialize_some(&mut *self.0, value)
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        serde_ser::Serializer::serialize_newtype_struct(&mut *self.0, name, value)
    }

    #[inline]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        serde_ser::Serializer::serialize_newtype_variant(&mut *self.0, name, index, variant, value)
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, EncodeError> {
        serde_ser::Serializer::serialize_seq(self.0, len)
    }

    #[inline]
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, EncodeError> {
        if len == 1 {
            Ok(ArgTuple::One(self.0))
        } else {
            serde_ser::Serializer::serialize_tuple(self.0, len).map(ArgTuple::Many)
        }
    }

    #[inline]
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, EncodeError> {
        serde_ser::Serializer::serialize_tuple_struct(self.0, name, len)
    }

    #[inline]
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        serde_ser::Serializer::serialize_tuple_variant(self.0, name, index, variant, len)
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, EncodeError> {
        serde_ser::Serializer::serialize_map(self.0, len)
    }

    #[inline]
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, EncodeError> {
        serde_ser::Serializer::serialize_struct(self.0, name, len)
    }

    #[inline]
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        serde_ser::Serializer::serialize_struct_variant(self.0, name, index, variant, len)
    }

    // The canonical serializer decides "bin or array" for byte sequences in `collect_seq`:
    // keep its choice.
    #[inline]
    fn collect_seq<I>(self, iter: I) -> Result<(), EncodeError>
    where
        I: IntoIterator,
        I::Item: Serialize,
    {
        serde_ser::Serializer::collect_seq(&mut *self.0, iter)
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<A: Serialize + ?Sized>(a: &A) -> Vec<u8> {
        let mut out = Vec::new();
        encode_args(&mut out, a).unwrap();
        out
    }

    #[test]
    fn argument_list_rule() {
        assert_eq!(args(&()), Vec::<u8>::new());
        assert_eq!(args(&(7u8,)), [0x07]);
        assert_eq!(args(&7u8), [0x07]);
        assert_eq!(args(&(1u8, 2u8, 3u8)), [0x93, 1, 2, 3]);
        // A single argument that is itself a sequence stays a sequence.
        assert_eq!(args(&vec![1u8, 2]), [0xc4, 2, 1, 2]);
        assert_eq!(args(&(vec![1u32, 2],)), [0x92, 1, 2]);
        // A tuple inside the argument list is an ordinary array.
        assert_eq!(args(&((1u8, 2u8),)), [0x92, 1, 2]);
    }

    #[test]
    fn no_args_forms() {
        for ok in [&[][..], &[0xc0], &[0x90]] {
            decode_no_args(ok).unwrap();
        }
        assert!(decode_no_args(&[0x91, 0x01]).is_err());
    }

    #[test]
    fn exactly_max_depth_levels_are_accepted() {
        let nested = |n: usize| [vec![0x91u8; n], vec![0xc0]].concat();
        decode::<serde_json::Value>(&nested(MAX_DEPTH)).unwrap();
        assert!(decode::<serde_json::Value>(&nested(MAX_DEPTH + 1)).is_err());
        // ABI.md section 8's example: an empty array is a level too.
        let arrays = |n: usize| [vec![0x91u8; n - 1], vec![0x90]].concat();
        decode::<serde_json::Value>(&arrays(128)).unwrap();
        assert!(decode::<serde_json::Value>(&arrays(129)).is_err());
    }

    #[test]
    fn depth_limit_is_an_error() {
        let mut deep = vec![0x91u8; 100_000];
        deep.push(0xc0);
        let err = decode::<serde_json::Value>(&deep).unwrap_err();
        assert!(err.to_string().contains("depth"), "{err}");
    }
}
