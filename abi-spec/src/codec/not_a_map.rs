//! [`NotAMap`]: a struct's visitor on the decoder's cold path, which never sees a map.
//!
//! The decoder reads a struct that is a map (the canonical form) on an inline path that hands
//! the entries to the visitor's `visit_map`; anything else (an array of the fields, or a value
//! the visitor refuses) goes out of line through the decoder's general dispatch, which can
//! call any `visit_*` method. Handing that dispatch the visitor itself would give its
//! `visit_map` a second caller, and the compiler would then keep `visit_map` out of line on
//! the hot path too: the entries and the decoded struct would go through the stack. Wrapped,
//! the cold path has a `visit_map` of its own, which refuses (no map reaches it).

use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected, Visitor};
use std::fmt;

/// Hands everything but a map to the visitor it wraps.
pub(super) struct NotAMap<V>(pub(super) V);

/// Methods that take one value and hand it on.
macro_rules! forward {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            #[inline]
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.0.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for NotAMap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    forward! {
        visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i64(i64),
        visit_i128(i128), visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u64(u64),
        visit_u128(u128), visit_f32(f32), visit_f64(f64), visit_char(char), visit_str(&str),
        visit_borrowed_str(&'de str), visit_string(String), visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]), visit_byte_buf(Vec<u8>),
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(d)
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    #[inline]
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(d)
    }

    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(seq)
    }

    #[inline]
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(data)
    }

    /// Not reached: maps take the inline path. Were one to get here, it is refused as the
    /// visitor would refuse any value it does not take.
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::invalid_type(Unexpected::Map, &self))
    }
}
