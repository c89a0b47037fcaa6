//! The canonical encoder: serde's data model to MessagePack (ABI.md section 8), appended to a
//! `Vec<u8>`.
//!
//! It writes the same bytes as rmp-serde configured with structs as maps and `bin` for byte
//! sequences (the configuration wabi used before it had its own encoder; the tests compare the
//! two), with every header written in one `extend_from_slice` and no `io::Write` in between.

use serde::ser::{self, Impossible, Serialize};

use super::error::{EncodeError, EncodeErrorKind as Kind};
use super::EXT_STRUCT;

type Result<T = ()> = std::result::Result<T, EncodeError>;

/// Where the encoder writes ([`encode_to`](super::encode_to)): a `Vec<u8>` (the usual case), a
/// buffer of the caller's such as the Rust guest's output buffer, or (inside this crate) a fixed
/// block of guest memory or nowhere, counting.
///
/// Every method appends, except [`insert`](Self::insert), which the encoder uses only for the
/// header of a sequence or map whose length serde did not give up front.
pub trait Output {
    /// Append one byte.
    fn push(&mut self, byte: u8);
    /// Append `bytes`.
    fn extend_from_slice(&mut self, bytes: &[u8]);
    /// The number of bytes written so far.
    fn len(&self) -> usize;
    /// Whether nothing has been written.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Insert `bytes` at `at <= len()`, moving what follows.
    fn insert(&mut self, at: usize, bytes: &[u8]);
}

impl Output for Vec<u8> {
    #[inline(always)]
    fn push(&mut self, byte: u8) {
        Vec::push(self, byte)
    }

    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Vec::extend_from_slice(self, bytes)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn insert(&mut self, at: usize, bytes: &[u8]) {
        self.splice(at..at, bytes.iter().copied());
    }
}

/// Counts the bytes an encoding takes, and the writes that make them (how much of the work is
/// copying payloads rather than encoding many small values).
#[derive(Default)]
pub(crate) struct Count {
    pub(crate) bytes: usize,
    pub(crate) writes: usize,
}

impl Output for Count {
    #[inline(always)]
    fn push(&mut self, _: u8) {
        self.bytes += 1;
        self.writes += 1;
    }

    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.bytes += bytes.len();
        self.writes += 1;
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.bytes
    }

    fn insert(&mut self, _: usize, bytes: &[u8]) {
        self.bytes += bytes.len();
    }
}

/// Writes into a buffer of fixed size; what does not fit is dropped and remembered.
pub(crate) struct Fixed<'b> {
    pub(crate) buf: &'b mut [u8],
    pub(crate) pos: usize,
    pub(crate) overflow: bool,
}

impl Output for Fixed<'_> {
    #[inline]
    fn push(&mut self, byte: u8) {
        match self.buf.get_mut(self.pos) {
            Some(slot) => {
                *slot = byte;
                self.pos += 1;
            }
            None => self.overflow = true,
        }
    }

    #[inline]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        match self.buf.get_mut(self.pos..end) {
            Some(dest) => {
                dest.copy_from_slice(bytes);
                self.pos += bytes.len();
            }
            None => self.overflow = true,
        }
    }

    #[inline]
    fn len(&self) -> usize {
        self.pos
    }

    fn insert(&mut self, at: usize, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if at > self.pos || end > self.buf.len() {
            self.overflow = true;
            return;
        }
        self.buf.copy_within(at..self.pos, at + bytes.len());
        self.buf[at..at + bytes.len()].copy_from_slice(bytes);
        self.pos = end;
    }
}

/// Writes values into `out`.
pub(crate) struct Serializer<'a, O: Output = Vec<u8>> {
    pub(crate) out: &'a mut O,
}

// Markers (MessagePack specification, "Formats").
const NIL: u8 = 0xc0;
const FALSE: u8 = 0xc2;
const TRUE: u8 = 0xc3;

impl<O: Output> Serializer<'_, O> {
    #[inline(always)]
    fn uint(&mut self, v: u64) {
        let out = &mut *self.out;
        if v < 0x80 {
            out.push(v as u8);
        } else if v <= 0xff {
            out.extend_from_slice(&[0xcc, v as u8]);
        } else if v <= 0xffff {
            let [a, b] = (v as u16).to_be_bytes();
            out.extend_from_slice(&[0xcd, a, b]);
        } else if v <= 0xffff_ffff {
            let [a, b, c, d] = (v as u32).to_be_bytes();
            out.extend_from_slice(&[0xce, a, b, c, d]);
        } else {
            let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
            out.extend_from_slice(&[0xcf, a, b, c, d, e, f, g, h]);
        }
    }

    #[inline(always)]
    fn sint(&mut self, v: i64) {
        if v >= 0 {
            return self.uint(v as u64);
        }
        let out = &mut *self.out;
        if v >= -32 {
            out.push(v as u8);
        } else if v >= i8::MIN as i64 {
            out.extend_from_slice(&[0xd0, v as u8]);
        } else if v >= i16::MIN as i64 {
            let [a, b] = (v as i16).to_be_bytes();
            out.extend_from_slice(&[0xd1, a, b]);
        } else if v >= i32::MIN as i64 {
            let [a, b, c, d] = (v as i32).to_be_bytes();
            out.extend_from_slice(&[0xd2, a, b, c, d]);
        } else {
            let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
            out.extend_from_slice(&[0xd3, a, b, c, d, e, f, g, h]);
        }
    }

    /// A length header: the fix form (`fix | len`) below `fix_max`, then the 8-bit form if the
    /// type has one (`m8`), then 16 and 32 bits.
    #[inline(always)]
    fn header(
        &mut self,
        len: usize,
        fix: u8,
        fix_max: usize,
        m8: Option<u8>,
        m16: u8,
        what: &'static str,
    ) -> Result {
        let out = &mut *self.out;
        if len < fix_max {
            out.push(fix | len as u8);
        } else if let (Some(m8), true) = (m8, len <= 0xff) {
            out.extend_from_slice(&[m8, len as u8]);
        } else if len <= 0xffff {
            let [a, b] = (len as u16).to_be_bytes();
            out.extend_from_slice(&[m16, a, b]);
        } else if let Ok(len) = u32::try_from(len) {
            let [a, b, c, d] = len.to_be_bytes();
            out.extend_from_slice(&[m16 + 1, a, b, c, d]);
        } else {
            return Err(Kind::TooLong { what, len }.into());
        }
        Ok(())
    }

    #[inline(always)]
    fn str_header(&mut self, len: usize) -> Result {
        self.header(len, 0xa0, 32, Some(0xd9), 0xda, "string")
    }

    #[inline]
    fn bin_header(&mut self, len: usize) -> Result {
        // bin has no fix form: 0xc4 (8 bits), 0xc5 (16), 0xc6 (32).
        self.header(len, 0, 0, Some(0xc4), 0xc5, "byte string")
    }

    #[inline]
    fn array_header(&mut self, len: usize) -> Result {
        self.header(len, 0x90, 16, None, 0xdc, "array")
    }

    #[inline]
    fn map_header(&mut self, len: usize) -> Result {
        self.header(len, 0x80, 16, None, 0xde, "map")
    }

    #[inline(always)]
    fn str(&mut self, v: &str) -> Result {
        self.str_header(v.len())?;
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }

    /// A struct field's name: a string literal in derived code. A short one (the usual case) is
    /// assembled here, header and bytes, one byte at a time into a small array that is appended
    /// in one piece: for a literal the compiler folds that into constant stores, so the name is
    /// not copied from the module's data. (On wasm a copy would make a fresh instance's first call
    /// touch the data page that holds the name, one more page fault per instance.)
    #[inline(always)]
    fn key(&mut self, key: &'static str) -> Result {
        const SHORT: usize = 16;
        let name = key.as_bytes();
        if name.len() >= SHORT {
            return self.str(key);
        }
        let mut bytes = [0u8; SHORT];
        bytes[0] = 0xa0 | name.len() as u8;
        let mut i = 0;
        while i < name.len() {
            bytes[i + 1] = name[i];
            i += 1;
        }
        self.out.extend_from_slice(&bytes[..=name.len()]);
        Ok(())
    }

    /// A compound whose length is known (`Some`) or counted while it is written (`None`).
    #[inline]
    fn compound<'s>(&'s mut self, len: Option<usize>, map: bool) -> Result<Compound<'s, O>> {
        match len {
            Some(len) => {
                if map {
                    self.map_header(len)?;
                } else {
                    self.array_header(len)?;
                }
                Ok(Compound {
                    ser: self.reborrow(),
                    unknown: None,
                })
            }
            None => {
                let start = self.out.len();
                Ok(Compound {
                    ser: self.reborrow(),
                    unknown: Some(Unknown {
                        start,
                        count: 0,
                        map,
                    }),
                })
            }
        }
    }

    #[inline]
    fn reborrow(&mut self) -> Serializer<'_, O> {
        Serializer {
            out: &mut *self.out,
        }
    }

    fn ext(&mut self, tag: i8, data: &[u8]) -> Result {
        let tag = tag as u8;
        let out = &mut *self.out;
        match data.len() {
            1 => out.extend_from_slice(&[0xd4, tag]),
            2 => out.extend_from_slice(&[0xd5, tag]),
            4 => out.extend_from_slice(&[0xd6, tag]),
            8 => out.extend_from_slice(&[0xd7, tag]),
            16 => out.extend_from_slice(&[0xd8, tag]),
            len if len <= 0xff => out.extend_from_slice(&[0xc7, len as u8, tag]),
            len if len <= 0xffff => {
                let [a, b] = (len as u16).to_be_bytes();
                out.extend_from_slice(&[0xc8, a, b, tag]);
            }
            len => {
                let Ok(len32) = u32::try_from(len) else {
                    return Err(Kind::TooLong {
                        what: "extension value",
                        len,
                    }
                    .into());
                };
                let [a, b, c, d] = len32.to_be_bytes();
                out.extend_from_slice(&[0xc9, a, b, c, d, tag]);
            }
        }
        out.extend_from_slice(data);
        Ok(())
    }
}

/// The state of an array or map written before its length is known.
struct Unknown {
    start: usize,
    count: usize,
    map: bool,
}

/// A compound being written: array, map, struct, tuple or a variant's data.
pub(crate) struct Compound<'s, O: Output = Vec<u8>> {
    ser: Serializer<'s, O>,
    unknown: Option<Unknown>,
}

impl<O: Output> Compound<'_, O> {
    #[inline]
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        if let Some(u) = &mut self.unknown {
            u.count += 1;
        }
        value.serialize(&mut self.ser)
    }

    #[inline]
    fn finish(self) -> Result {
        match self.unknown {
            None => Ok(()),
            Some(u) => Self::insert_header(self.ser, u),
        }
    }

    /// Write the header of a compound whose length was counted into a side buffer, then insert
    /// it before the elements.
    #[cold]
    fn insert_header(ser: Serializer<'_, O>, u: Unknown) -> Result {
        let mut header = Vec::with_capacity(5);
        let mut side = Serializer { out: &mut header };
        if u.map {
            side.map_header(u.count / 2)?;
        } else {
            side.array_header(u.count)?;
        }
        ser.out.insert(u.start, &header);
        Ok(())
    }
}

macro_rules! compound_impl {
    ($trait:ident, $method:ident $(, $key:ident)?) => {
        impl<O: Output> ser::$trait for Compound<'_, O> {
            type Ok = ();
            type Error = EncodeError;

            #[inline(always)]
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: &'static str,)? value: &T) -> Result {
                $(self.ser.key($key)?;)?
                self.element(value)
            }

            #[inline]
            fn end(self) -> Result {
                self.finish()
            }
        }
    };
}

compound_impl!(SerializeSeq, serialize_element);
compound_impl!(SerializeTuple, serialize_element);
compound_impl!(SerializeTupleStruct, serialize_field);
compound_impl!(SerializeTupleVariant, serialize_field);
compound_impl!(SerializeStruct, serialize_field, key);
compound_impl!(SerializeStructVariant, serialize_field, key);

impl<O: Output> ser::SerializeMap for Compound<'_, O> {
    type Ok = ();
    type Error = EncodeError;

    #[inline]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.element(key)
    }

    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }

    #[inline]
    fn end(self) -> Result {
        self.finish()
    }
}

impl<'s, 'a, O: Output> ser::Serializer for &'s mut Serializer<'a, O> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Compound<'s, O>;
    type SerializeTuple = Compound<'s, O>;
    type SerializeTupleStruct = Compound<'s, O>;
    type SerializeTupleVariant = Compound<'s, O>;
    type SerializeMap = Compound<'s, O>;
    type SerializeStruct = Compound<'s, O>;
    type SerializeStructVariant = Compound<'s, O>;

    #[inline(always)]
    fn serialize_bool(self, v: bool) -> Result {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }

    #[inline(always)]
    fn serialize_i8(self, v: i8) -> Result {
        self.sint(v.into());
        Ok(())
    }

    #[inline(always)]
    fn serialize_i16(self, v: i16) -> Result {
        self.sint(v.into());
        Ok(())
    }

    #[inline(always)]
    fn serialize_i32(self, v: i32) -> Result {
        self.sint(v.into());
        Ok(())
    }

    #[inline(always)]
    fn serialize_i64(self, v: i64) -> Result {
        self.sint(v);
        Ok(())
    }

    /// Not part of ABI v1; written as rmp-serde writes it (16 big-endian bytes as `bin`).
    fn serialize_i128(self, v: i128) -> Result {
        self.serialize_bytes(&v.to_be_bytes())
    }

    #[inline(always)]
    fn serialize_u8(self, v: u8) -> Result {
        self.uint(v.into());
        Ok(())
    }

    #[inline(always)]
    fn serialize_u16(self, v: u16) -> Result {
        self.uint(v.into());
        Ok(())
    }

    #[inline(always)]
    fn serialize_u32(self, v: u32) -> Result {
        self.uint(v.into());
        Ok(())
    }

    #[inline(always)]
    fn serialize_u64(self, v: u64) -> Result {
        self.uint(v);
        Ok(())
    }

    /// Not part of ABI v1; as [`Self::serialize_i128`].
    fn serialize_u128(self, v: u128) -> Result {
        self.serialize_bytes(&v.to_be_bytes())
    }

    #[inline(always)]
    fn serialize_f32(self, v: f32) -> Result {
        let [a, b, c, d] = v.to_be_bytes();
        self.out.extend_from_slice(&[0xca, a, b, c, d]);
        Ok(())
    }

    #[inline(always)]
    fn serialize_f64(self, v: f64) -> Result {
        let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
        self.out.extend_from_slice(&[0xcb, a, b, c, d, e, f, g, h]);
        Ok(())
    }

    #[inline]
    fn serialize_char(self, v: char) -> Result {
        self.str(v.encode_utf8(&mut [0; 4]))
    }

    #[inline(always)]
    fn serialize_str(self, v: &str) -> Result {
        self.str(v)
    }

    #[inline]
    fn serialize_bytes(self, v: &[u8]) -> Result {
        self.bin_header(v.len())?;
        self.out.extend_from_slice(v);
        Ok(())
    }

    #[inline(always)]
    fn serialize_none(self) -> Result {
        self.out.push(NIL);
        Ok(())
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    #[inline(always)]
    fn serialize_unit(self) -> Result {
        self.out.push(NIL);
        Ok(())
    }

    /// An empty array, as rmp-serde writes unit structs (decoders accept `nil` too).
    #[inline]
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.out.push(0x90);
        Ok(())
    }

    #[inline]
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.str(variant)
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result {
        if name == EXT_STRUCT {
            let mut ext = ExtParts::default();
            value.serialize(&mut ext)?;
            return match ext {
                ExtParts {
                    tag: Some(tag),
                    data: Some(data),
                } => self.ext(tag, &data),
                _ => Err(Kind::BadExtension.into()),
            };
        }
        value.serialize(self)
    }

    #[inline]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.out.push(0x81);
        self.str(variant)?;
        value.serialize(self)
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq> {
        self.compound(len, false)
    }

    #[inline]
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.compound(Some(len), false)
    }

    #[inline]
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.compound(Some(len), false)
    }

    #[inline]
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        self.out.push(0x81);
        self.str(variant)?;
        self.compound(Some(len), false)
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap> {
        self.compound(len, true)
    }

    #[inline]
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self::SerializeStruct> {
        self.compound(Some(len), true)
    }

    #[inline]
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        self.out.push(0x81);
        self.str(variant)?;
        self.compound(Some(len), true)
    }

    /// Sequences of `u8` (a `Vec<u8>`, a `&[u8]`) are written as `bin`, everything else as an
    /// array. Without specialisation the items are recognised as rmp-serde recognises them
    /// (and so with the same result): a known length, items of one byte or one pointer, a small
    /// iterator, and a first item that serialises as a `u8`. An empty sequence is an array.
    fn collect_seq<I>(self, iter: I) -> Result
    where
        I: IntoIterator,
        I::Item: Serialize,
    {
        let iter = iter.into_iter();
        let len = match iter.size_hint() {
            (lo, Some(hi)) if lo == hi && u32::try_from(lo).is_ok() => Some(lo),
            _ => None,
        };
        let item_size = std::mem::size_of::<I::Item>();
        let might_be_bytes = (item_size == 1 || item_size == std::mem::size_of::<&u8>())
            && std::mem::size_of::<I::IntoIter>()
                <= std::mem::size_of::<std::slice::Iter<'_, u8>>();
        let mut iter = iter.peekable();
        if let (true, Some(len)) = (might_be_bytes, len) {
            if iter
                .peek()
                .is_some_and(|item| item.serialize(OnlyU8).is_ok())
            {
                self.bin_header(len)?;
                for item in iter {
                    let byte = item
                        .serialize(OnlyU8)
                        .map_err(|_| EncodeError::from(Kind::NotBytes))?;
                    self.out.push(byte);
                }
                return Ok(());
            }
        }
        let mut seq = self.compound(len, false)?;
        for item in iter {
            seq.element(&item)?;
        }
        seq.finish()
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        false
    }
}

/// The parts of an extension value (`_ExtStruct((i8, bytes))`) as it serialises.
#[derive(Default)]
struct ExtParts {
    tag: Option<i8>,
    data: Option<Vec<u8>>,
}

/// Accepts exactly one `u8`: recognises byte sequences in `collect_seq`.
struct OnlyU8;

/// The error of [`OnlyU8`] and [`ExtParts`]: not what they accept.
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Refused
    }
}

/// Implements every `serialize_*` method of a serializer as a refusal, except those listed.
macro_rules! refuse {
    ($ok:ty, $err:expr; $($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $method(self, $($arg: $ty),*) -> std::result::Result<$ok, Self::Error> {
                $(let _ = $arg;)*
                Err($err)
            }
        )*
    };
}

/// The compound and value methods both refusing serializers refuse.
macro_rules! refuse_all_but {
    ($ok:ty, $err:expr) => {
        refuse! { $ok, $err;
            serialize_bool(v: bool);
            serialize_i16(v: i16);
            serialize_i32(v: i32);
            serialize_i64(v: i64);
            serialize_u16(v: u16);
            serialize_u32(v: u32);
            serialize_u64(v: u64);
            serialize_f32(v: f32);
            serialize_f64(v: f64);
            serialize_char(v: char);
            serialize_str(v: &str);
            serialize_none();
            serialize_unit();
            serialize_unit_struct(name: &'static str);
            serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
        }

        fn serialize_some<T: Serialize + ?Sized>(
            self,
            _: &T,
        ) -> std::result::Result<$ok, Self::Error> {
            Err($err)
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: &T,
        ) -> std::result::Result<$ok, Self::Error> {
            Err($err)
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> std::result::Result<$ok, Self::Error> {
            Err($err)
        }

        fn serialize_seq(
            self,
            _: Option<usize>,
        ) -> std::result::Result<Self::SerializeSeq, Self::Error> {
            Err($err)
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeTupleStruct, Self::Error> {
            Err($err)
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeTupleVariant, Self::Error> {
            Err($err)
        }

        fn serialize_map(
            self,
            _: Option<usize>,
        ) -> std::result::Result<Self::SerializeMap, Self::Error> {
            Err($err)
        }

        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeStruct, Self::Error> {
            Err($err)
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeStructVariant, Self::Error> {
            Err($err)
        }
    };
}

impl ser::Serializer for OnlyU8 {
    type Ok = u8;
    type Error = Refused;
    type SerializeSeq = Impossible<u8, Refused>;
    type SerializeTuple = Impossible<u8, Refused>;
    type SerializeTupleStruct = Impossible<u8, Refused>;
    type SerializeTupleVariant = Impossible<u8, Refused>;
    type SerializeMap = Impossible<u8, Refused>;
    type SerializeStruct = Impossible<u8, Refused>;
    type SerializeStructVariant = Impossible<u8, Refused>;

    fn serialize_u8(self, v: u8) -> std::result::Result<u8, Refused> {
        Ok(v)
    }

    refuse! { u8, Refused;
        serialize_i8(v: i8);
        serialize_bytes(v: &[u8]);
    }

    fn serialize_tuple(self, _: usize) -> std::result::Result<Self::SerializeTuple, Refused> {
        Err(Refused)
    }

    refuse_all_but!(u8, Refused);
}

/// Collects the tag and the data of an extension value.
impl<'e> ser::Serializer for &'e mut ExtParts {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Impossible<(), EncodeError>;
    type SerializeTuple = &'e mut ExtParts;
    type SerializeTupleStruct = Impossible<(), EncodeError>;
    type SerializeTupleVariant = Impossible<(), EncodeError>;
    type SerializeMap = Impossible<(), EncodeError>;
    type SerializeStruct = Impossible<(), EncodeError>;
    type SerializeStructVariant = Impossible<(), EncodeError>;

    fn serialize_i8(self, v: i8) -> Result {
        match self.tag {
            None => self.tag = Some(v),
            Some(_) => return Err(Kind::BadExtension.into()),
        }
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result {
        match (self.tag, &self.data) {
            (Some(_), None) => self.data = Some(v.to_vec()),
            _ => return Err(Kind::BadExtension.into()),
        }
        Ok(())
    }

    fn serialize_u8(self, _: u8) -> Result {
        Err(Kind::BadExtension.into())
    }

    fn serialize_tuple(self, len: usize) -> Result<Self> {
        if len == 2 {
            Ok(self)
        } else {
            Err(Kind::BadExtension.into())
        }
    }

    refuse_all_but!((), EncodeError::from(Kind::BadExtension));
}

impl ser::SerializeTuple for &mut ExtParts {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        Ok(())
    }
}
