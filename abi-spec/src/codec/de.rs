//! The canonical decoder: MessagePack (ABI.md section 8) to serde's data model, reading a byte
//! slice and borrowing strings and byte strings from it.
//!
//! It accepts what rmp-serde accepts for the ABI's forms and hands the same visitor calls to a
//! type (the tests compare the two), with the input as a plain slice, no `io::Read` in between,
//! and errors that say where in the input they are.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use std::mem::MaybeUninit;

use super::error::{DecodeError, DecodeErrorKind as Kind};
use super::not_a_map::NotAMap;
use super::{EXT_STRUCT, MAX_DEPTH};

type Result<T> = std::result::Result<T, DecodeError>;

/// Whether a `Result<T>` fits in the bytes of a `u64` (see `Deserializer::wide_integer_small`).
struct Small<T>(std::marker::PhantomData<T>);

impl<T> Small<T> {
    const FITS: bool = std::mem::size_of::<Result<T>>() <= std::mem::size_of::<u64>()
        && std::mem::align_of::<Result<T>>() <= std::mem::align_of::<u64>();
}

/// Reads values from `input`.
pub(crate) struct Deserializer<'de> {
    /// What is left to read.
    rest: &'de [u8],
    /// The whole input's length, to report positions.
    len: usize,
    /// How many more arrays, maps and extension values may be nested.
    depth: usize,
}

impl<'de> Deserializer<'de> {
    #[inline]
    pub(crate) fn new(input: &'de [u8]) -> Self {
        Deserializer {
            rest: input,
            len: input.len(),
            depth: MAX_DEPTH,
        }
    }

    /// The position of the next byte in the input.
    #[inline]
    fn offset(&self) -> usize {
        self.len - self.rest.len()
    }

    #[cold]
    fn eof(&self, needed: usize) -> DecodeError {
        Kind::Eof {
            offset: self.offset(),
            needed: needed - self.rest.len(),
        }
        .into()
    }

    #[inline]
    fn peek(&self) -> Result<u8> {
        match self.rest.first() {
            Some(&b) => Ok(b),
            None => Err(self.eof(1)),
        }
    }

    #[inline]
    fn byte(&mut self) -> Result<u8> {
        match self.rest.split_first() {
            Some((&b, rest)) => {
                self.rest = rest;
                Ok(b)
            }
            None => Err(self.eof(1)),
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'de [u8]> {
        if self.rest.len() < n {
            return Err(self.eof(n));
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }

    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        match self.rest.split_first_chunk::<N>() {
            Some((bytes, rest)) => {
                self.rest = rest;
                Ok(*bytes)
            }
            None => Err(self.eof(N)),
        }
    }

    #[inline]
    fn u8(&mut self) -> Result<u8> {
        self.byte()
    }

    #[inline]
    fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_be_bytes)
    }

    #[inline]
    fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_be_bytes)
    }

    /// The length that follows an 8-, 16- or 32-bit length marker.
    #[inline]
    fn len8(&mut self) -> Result<u32> {
        self.u8().map(u32::from)
    }

    #[inline]
    fn len16(&mut self) -> Result<u32> {
        self.u16().map(u32::from)
    }

    /// Enter an array, map or extension value.
    #[inline]
    fn descend(&mut self) -> Result<()> {
        if self.depth == 0 {
            return Err(Kind::DepthLimit.into());
        }
        self.depth -= 1;
        Ok(())
    }

    /// Any value, visited as what it is. `bytes`: whether `bin` is handed over as bytes (or as a
    /// sequence of `u8`, for types that asked for a sequence).
    #[inline]
    fn any<V: Visitor<'de>>(&mut self, visitor: V, bytes: bool) -> Result<V::Value> {
        let start = self.offset();
        let marker = self.byte()?;
        match marker {
            0x00..=0x7f => visitor.visit_u8(marker),
            0x80..=0x8f => self.map(start, u32::from(marker & 0x0f), visitor),
            0x90..=0x9f => self.seq(start, u32::from(marker & 0x0f), visitor),
            0xa0..=0xbf => self.str(usize::from(marker & 0x1f), visitor),
            0xc0 => visitor.visit_unit(),
            0xc1 => Err(Kind::Reserved { offset: start }.into()),
            0xc2 => visitor.visit_bool(false),
            0xc3 => visitor.visit_bool(true),
            0xc4 => {
                let len = self.len8()?;
                self.bin(len, visitor, bytes)
            }
            0xc5 => {
                let len = self.len16()?;
                self.bin(len, visitor, bytes)
            }
            0xc6 => {
                let len = self.u32()?;
                self.bin(len, visitor, bytes)
            }
            0xc7 => {
                let len = self.len8()?;
                self.ext(len, visitor)
            }
            0xc8 => {
                let len = self.len16()?;
                self.ext(len, visitor)
            }
            0xc9 => {
                let len = self.u32()?;
                self.ext(len, visitor)
            }
            0xca => visitor.visit_f32(f32::from_be_bytes(self.array()?)),
            0xcb => visitor.visit_f64(f64::from_be_bytes(self.array()?)),
            0xcc => visitor.visit_u8(self.u8()?),
            0xcd => visitor.visit_u16(self.u16()?),
            0xce => visitor.visit_u32(self.u32()?),
            0xcf => visitor.visit_u64(u64::from_be_bytes(self.array()?)),
            0xd0 => visitor.visit_i8(self.u8()? as i8),
            0xd1 => visitor.visit_i16(i16::from_be_bytes(self.array()?)),
            0xd2 => visitor.visit_i32(i32::from_be_bytes(self.array()?)),
            0xd3 => visitor.visit_i64(i64::from_be_bytes(self.array()?)),
            0xd4 => self.ext(1, visitor),
            0xd5 => self.ext(2, visitor),
            0xd6 => self.ext(4, visitor),
            0xd7 => self.ext(8, visitor),
            0xd8 => self.ext(16, visitor),
            0xd9 => {
                let len = self.len8()?;
                self.str(len as usize, visitor)
            }
            0xda => {
                let len = self.len16()?;
                self.str(len as usize, visitor)
            }
            0xdb => {
                let len = self.u32()?;
                self.str(len as usize, visitor)
            }
            0xdc => {
                let len = self.len16()?;
                self.seq(start, len, visitor)
            }
            0xdd => {
                let len = self.u32()?;
                self.seq(start, len, visitor)
            }
            0xde => {
                let len = self.len16()?;
                self.map(start, len, visitor)
            }
            0xdf => {
                let len = self.u32()?;
                self.map(start, len, visitor)
            }
            0xe0..=0xff => visitor.visit_i8(marker as i8),
        }
    }

    /// A string of `len` bytes: borrowed `str`, or for invalid UTF-8 borrowed bytes if the
    /// type takes them (as rmp-serde does).
    #[inline(always)]
    fn str<V: Visitor<'de>>(&mut self, len: usize, visitor: V) -> Result<V::Value> {
        let offset = self.offset();
        let bytes = self.take(len)?;
        match utf8(bytes) {
            Ok(s) => visitor.visit_borrowed_str(s),
            Err(source) => visitor
                .visit_borrowed_bytes(bytes)
                .map_err(|_: DecodeError| Kind::Utf8 { offset, source }.into()),
        }
    }

    #[inline]
    fn bin<V: Visitor<'de>>(&mut self, len: u32, visitor: V, bytes: bool) -> Result<V::Value> {
        let data = self.take(len as usize)?;
        if bytes {
            visitor.visit_borrowed_bytes(data)
        } else {
            visitor.visit_seq(de::value::SeqDeserializer::new(data.iter().copied()))
        }
    }

    fn ext<V: Visitor<'de>>(&mut self, len: u32, visitor: V) -> Result<V::Value> {
        let tag = self.u8()? as i8;
        let data = self.take(len as usize)?;
        self.descend()?;
        let value = visitor.visit_newtype_struct(Ext { tag, data });
        self.depth += 1;
        value
    }

    #[inline]
    fn seq<V: Visitor<'de>>(&mut self, start: usize, len: u32, visitor: V) -> Result<V::Value> {
        self.descend()?;
        let mut access = Elements {
            de: self,
            left: len,
        };
        let value = visitor.visit_seq(&mut access)?;
        let left = access.left;
        self.depth += 1;
        all_read(value, start, len, left)
    }

    #[inline]
    fn map<V: Visitor<'de>>(&mut self, start: usize, len: u32, visitor: V) -> Result<V::Value> {
        self.map_inline(start, len, visitor)
    }

    /// [`Self::map`], always inlined.
    #[inline(always)]
    fn map_inline<V: Visitor<'de>>(
        &mut self,
        start: usize,
        len: u32,
        visitor: V,
    ) -> Result<V::Value> {
        self.descend()?;
        let mut access = Entries {
            de: self,
            left: len,
        };
        let value = visitor.visit_map(&mut access)?;
        let left = access.left;
        self.depth += 1;
        all_read(value, start, len, left)
    }
}

/// The value a visitor made of the array or map of `len` elements at `start`, if it read all of
/// them (`left` is what it did not read).
#[inline]
fn all_read<T>(value: T, start: usize, len: u32, left: u32) -> Result<T> {
    match left {
        0 => Ok(value),
        left => Err(Kind::Length {
            offset: start,
            len,
            read: len - left,
        }
        .into()),
    }
}

/// The bytes of a string as `str`. ASCII (most text on the wire: names, keys, paths, headers)
/// is recognised eight bytes at a time, which is several times faster than `str::from_utf8`
/// on short strings (its setup) and in wasm guests (its word is 4 bytes there); anything else
/// is checked by `str::from_utf8`.
#[inline]
fn utf8(bytes: &[u8]) -> std::result::Result<&str, std::str::Utf8Error> {
    if is_ascii(bytes) {
        // SAFETY: every byte is ASCII, so the bytes are UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes)
    }
}

/// Whether every byte is below 0x80.
#[inline(always)]
fn is_ascii(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        // Field names and other short strings: a plain loop.
        bytes.iter().all(u8::is_ascii)
    } else {
        is_ascii_long(bytes)
    }
}

/// [`is_ascii`] eight bytes at a time (32 per step).
fn is_ascii_long(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |b: &[u8]| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        if (word(&b[0..8]) | word(&b[8..16]) | word(&b[16..24]) | word(&b[24..32])) & HIGH != 0 {
            return false;
        }
    }
    let mut words = blocks.remainder().chunks_exact(8);
    for w in &mut words {
        if word(w) & HIGH != 0 {
            return false;
        }
    }
    words.remainder().iter().all(u8::is_ascii)
}

/// `deserialize_*` for integers: every integer marker is read here, in a function small enough
/// to inline; anything else goes through [`Deserializer::any`] (and the visitor's error).
macro_rules! integers {
    ($($method:ident)*) => {
        $(
            #[inline]
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
                self.integer(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> {
    /// What the short paths for integers and strings do not handle: a value of another type
    /// (which the visitor refuses) or a long string. Kept out of line so those paths stay small.
    #[cold]
    #[inline(never)]
    fn other<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.any(visitor, true)
    }

    /// A struct that is not a map: an array of its fields, or a value of another type (which
    /// the visitor refuses). Out of line, like [`Self::other`], and without the visitor's
    /// `visit_map` ([`NotAMap`]).
    #[cold]
    #[inline(never)]
    fn other_struct<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.any(NotAMap(visitor), false)
    }

    /// The length of a `map 16` or `map 32`, whose marker is next.
    #[cold]
    fn big_map_len(&mut self) -> Result<u32> {
        match self.byte()? {
            0xde => self.len16(),
            _ => self.u32(),
        }
    }

    /// An integer. Everything here is inlined into each integer a type reads (a struct's
    /// field, say), except reading the bytes of a wide one, whose result comes back as one
    /// number: a call that returned a `Result` would return it through memory, on the stack.
    #[inline]
    fn integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let Some((&marker, rest)) = self.rest.split_first() else {
            return Err(self.eof(1));
        };
        match marker {
            0x00..=0x7f => {
                self.rest = rest;
                visitor.visit_u8(marker)
            }
            0xe0..=0xff => {
                self.rest = rest;
                visitor.visit_i8(marker as i8)
            }
            _ if Small::<V::Value>::FITS => {
                let small = self.wide_integer_small(visitor);
                // SAFETY: `wide_integer_small` moved a `Result<V::Value>` into `small`, which
                // has room for it (`FITS`); it is moved out once, here.
                unsafe { small.as_ptr().cast::<Result<V::Value>>().read() }
            }
            _ => self.wide_integer(visitor),
        }
    }

    /// [`Self::wide_integer`] with the result moved into a `u64`'s bytes, for results that fit
    /// (an integer type's): returned by value, it comes back in a register, where a `Result`
    /// would come back through memory on the caller's stack (wasm32 returns pairs that way).
    #[inline(never)]
    fn wide_integer_small<V: Visitor<'de>>(&mut self, visitor: V) -> MaybeUninit<u64> {
        let result = self.wide_integer(visitor);
        let mut small = MaybeUninit::<u64>::uninit();
        // SAFETY: the caller checked `Small::<V::Value>::FITS`: a `Result<V::Value>` fits in
        // the 8 bytes of a `u64`, and needs no larger alignment.
        unsafe { small.as_mut_ptr().cast::<Result<V::Value>>().write(result) };
        small
    }

    /// An integer that is not a fixint: `uint 8` to `int 64`, or a value of another type.
    #[inline]
    fn wide_integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let Some((&marker, rest)) = self.rest.split_first() else {
            return Err(self.eof(1));
        };
        match marker {
            0xcc..=0xd3 => self.rest = rest,
            _ => return self.other(visitor),
        }
        match marker {
            0xcc => visitor.visit_u8(self.u8()?),
            0xcd => visitor.visit_u16(self.u16()?),
            0xce => visitor.visit_u32(self.u32()?),
            0xcf => visitor.visit_u64(u64::from_be_bytes(self.array()?)),
            0xd0 => visitor.visit_i8(self.u8()? as i8),
            0xd1 => visitor.visit_i16(i16::from_be_bytes(self.array()?)),
            0xd2 => visitor.visit_i32(i32::from_be_bytes(self.array()?)),
            _ => visitor.visit_i64(i64::from_be_bytes(self.array()?)),
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = DecodeError;

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
    }

    /// Field names and other strings: a fix-length string (up to 31 bytes) is read at once.
    #[inline]
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.rest.first() {
            Some(&m @ 0xa0..=0xbf) => {
                self.rest = &self.rest[1..];
                self.str(usize::from(m & 0x1f), visitor)
            }
            _ => self.other(visitor),
        }
    }

    #[inline]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_identifier(visitor)
    }

    #[inline]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_identifier(visitor)
    }

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.any(visitor, true)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek()? == 0xc0 {
            self.rest = &self.rest[1..];
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// A unit variant is its name; a variant with data is a map of one entry, name -> data.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let start = self.offset();
        let len = match self.peek()? {
            m @ 0x80..=0x8f => {
                self.rest = &self.rest[1..];
                u32::from(m & 0x0f)
            }
            0xde => {
                self.rest = &self.rest[1..];
                self.len16()?
            }
            0xdf => {
                self.rest = &self.rest[1..];
                self.u32()?
            }
            _ => return visitor.visit_enum(UnitVariant { de: self }),
        };
        if len != 1 {
            return Err(Kind::Variant { offset: start, len }.into());
        }
        self.descend()?;
        let value = visitor.visit_enum(DataVariant { de: &mut *self });
        self.depth += 1;
        value
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == EXT_STRUCT {
            let len = match self.byte()? {
                0xd4 => 1,
                0xd5 => 2,
                0xd6 => 4,
                0xd7 => 8,
                0xd8 => 16,
                0xc7 => self.len8()?,
                0xc8 => self.len16()?,
                0xc9 => self.u32()?,
                other => {
                    return Err(de::Error::invalid_type(
                        Unexpected::Other(&format!("MessagePack marker {other:#04x}")),
                        &"an extension value",
                    ))
                }
            };
            return self.ext(len, visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    /// Unit structs are written as an empty array; `nil` is accepted too.
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek()? {
            0xc0 | 0x90 => {
                self.rest = &self.rest[1..];
                visitor.visit_unit()
            }
            _ => self.any(visitor, true),
        }
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.any(visitor, false)
    }

    #[inline]
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.any(visitor, false)
    }

    #[inline]
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.any(visitor, false)
    }

    /// A struct is a map keyed by field name (ABI.md section 8), entered here; anything else
    /// (an array of the fields, as rmp-serde writes structs by default) goes out of line.
    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let start = self.offset();
        let len = match self.rest.split_first() {
            Some((&m @ 0x80..=0x8f, rest)) => {
                self.rest = rest;
                u32::from(m & 0x0f)
            }
            Some((0xde | 0xdf, _)) => self.big_map_len()?,
            _ => return self.other_struct(visitor),
        };
        // The visitor's `visit_map` has this one caller (see `NotAMap`), so it is inlined with
        // it: the struct is built in registers, not in frames on the stack.
        self.map_inline(start, len, visitor)
    }

    /// Not part of ABI v1: any integer, or 16 big-endian bytes as `bin` (rmp-serde's form).
    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_i128(self.wide()?)
    }

    /// As [`Self::deserialize_i128`].
    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_u128(self.wide()? as u128)
    }

    serde::forward_to_deserialize_any! {
        bool f32 f64 char bytes byte_buf unit map ignored_any
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        false
    }
}

impl Deserializer<'_> {
    /// A 128-bit integer as rmp-serde writes it (`bin` of 16 bytes) or any integer.
    fn wide(&mut self) -> Result<i128> {
        struct Wide;
        impl Visitor<'_> for Wide {
            type Value = i128;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer or 16 bytes")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<i128, E> {
                Ok(v.into())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<i128, E> {
                Ok(v.into())
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> std::result::Result<i128, E> {
                match <[u8; 16]>::try_from(v) {
                    Ok(b) => Ok(i128::from_be_bytes(b)),
                    Err(_) => Err(E::invalid_length(v.len(), &self)),
                }
            }
        }
        self.any(Wide, true)
    }
}

/// The elements of an array.
struct Elements<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: u32,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = DecodeError;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    /// Never more than the bytes left, since every element takes one at least: a claimed
    /// length cannot make a type reserve more memory than the input's size.
    #[inline]
    fn size_hint(&self) -> Option<usize> {
        Some((self.left as usize).min(self.de.rest.len()))
    }
}

/// The entries of a map.
struct Entries<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: u32,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = DecodeError;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }

    /// As for arrays: every entry takes two bytes at least.
    #[inline]
    fn size_hint(&self) -> Option<usize> {
        Some((self.left as usize).min(self.de.rest.len() / 2))
    }
}

/// A unit variant: the value is the variant's name.
struct UnitVariant<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'de> de::EnumAccess<'de> for UnitVariant<'_, 'de> {
    type Error = DecodeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let variant = seed.deserialize(&mut *self.de)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant<'_, 'de> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

/// A variant with data: the one entry of a map, name -> data.
struct DataVariant<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'de> de::EnumAccess<'de> for DataVariant<'_, 'de> {
    type Error = DecodeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        let variant = seed.deserialize(&mut *self.de)?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for DataVariant<'_, 'de> {
    type Error = DecodeError;

    /// `{name: nil}`, as rmp-serde reads it.
    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(&mut *self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.de.any(visitor, false)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.de.any(visitor, false)
    }
}

/// An extension value, handed to `visit_newtype_struct` as the sequence `(type: i8, data)`, as
/// rmp-serde does.
struct Ext<'de> {
    tag: i8,
    data: &'de [u8],
}

impl<'de> de::Deserializer<'de> for Ext<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(ExtParts {
            tag: Some(self.tag),
            data: Some(self.data),
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// The two parts of an extension value, in order.
struct ExtParts<'de> {
    tag: Option<i8>,
    data: Option<&'de [u8]>,
}

impl<'de> de::SeqAccess<'de> for ExtParts<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if let Some(tag) = self.tag.take() {
            return seed.deserialize(tag.into_deserializer()).map(Some);
        }
        match self.data.take() {
            Some(data) => seed
                .deserialize(de::value::BorrowedBytesDeserializer::new(data))
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.tag.is_some()) + usize::from(self.data.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::utf8;

    /// The ASCII shortcut agrees with `str::from_utf8` wherever the first non-ASCII byte is,
    /// across the 32- and 8-byte blocks and the tail.
    #[test]
    fn ascii_shortcut_agrees_with_from_utf8() {
        for len in 0..100 {
            let ascii = vec![b'a'; len];
            assert_eq!(utf8(&ascii), std::str::from_utf8(&ascii));
            for at in 0..len {
                for bad in [&[0x80u8][..], &[0xff], "é".as_bytes()] {
                    let mut bytes = ascii.clone();
                    bytes.splice(at..at + 1, bad.iter().copied());
                    assert_eq!(
                        utf8(&bytes),
                        std::str::from_utf8(&bytes),
                        "{len} {at} {bad:?}"
                    );
                }
            }
        }
    }
}
