//! JSON in, MessagePack across, JSON out.
//!
//! - **Arguments.** A JSON array is the argument list, any other JSON value is the one
//!   argument. The list is sent by the ABI's argument-list rule: nothing for `[]`, the element
//!   itself for `[x]`, an array for two or more. So `42` and `[42]` are the same call, and a
//!   function whose one parameter is a list takes `[[1, 2, 3]]`.
//! - **Results.** MessagePack maps with string keys become objects (other keys are written as
//!   their compact JSON text), `bin` byte strings become arrays of numbers (0-255, which is also
//!   what a bytes parameter accepts; `--bytes text` writes UTF-8 ones as strings), extension values become `{"$ext": {"type": T, "data":
//!   [...]}}`, and non-finite floats become the strings `"NaN"`, `"inf"` and `"-inf"`.

use std::fmt;
use std::io::Write;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeTuple, Serializer};
use serde_json::{Number, Value};

/// An argument list of N JSON values, serialized as an N-tuple so that the host's argument-list
/// rule applies (N = 1: the bare value, N >= 2: an array). Send `()` for N = 0.
pub struct ArgList<'a>(pub &'a [Value]);

impl Serialize for ArgList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for value in self.0 {
            tuple.serialize_element(value)?;
        }
        tuple.end()
    }
}

/// The JSON text given on the command line as an argument list.
pub fn arguments(value: Value) -> Vec<Value> {
    match value {
        Value::Array(list) => list,
        single => vec![single],
    }
}

/// Any MessagePack value, decoded as JSON (see the module docs for the mapping). Maps keep the
/// order the guest wrote (a struct's fields in declaration order).
#[derive(Clone, Debug, PartialEq)]
pub enum JsonOut {
    /// `nil`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer or a finite float.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<JsonOut>),
    /// A `bin` byte string.
    Bytes(Vec<u8>),
    /// A map, in the guest's order.
    Object(Vec<(String, JsonOut)>),
}

impl<'de> Deserialize<'de> for JsonOut {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyVisitor)
    }
}

struct AnyVisitor;

fn float(v: f64) -> JsonOut {
    match Number::from_f64(v) {
        Some(n) => JsonOut::Number(n),
        None if v.is_nan() => JsonOut::String("NaN".into()),
        None if v > 0.0 => JsonOut::String("inf".into()),
        None => JsonOut::String("-inf".into()),
    }
}

/// How byte strings (MessagePack `bin`) are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BytesAs {
    /// An array of numbers 0-255 (what a bytes parameter accepts as input).
    #[default]
    Array,
    /// A string when the bytes are valid UTF-8, else an array of numbers.
    Text,
}

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = JsonOut;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any MessagePack value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<JsonOut, E> {
        Ok(JsonOut::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<JsonOut, E> {
        Ok(JsonOut::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<JsonOut, E> {
        Ok(JsonOut::Number(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<JsonOut, E> {
        Ok(JsonOut::String(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<JsonOut, E> {
        Ok(JsonOut::String(v.to_string()))
    }
    fn visit_f32<E>(self, v: f32) -> Result<JsonOut, E> {
        // Through the shortest decimal text of the f32, so 0.1f32 prints as 0.1.
        Ok(float(v.to_string().parse::<f64>().unwrap_or(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<JsonOut, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<JsonOut, E> {
        Ok(JsonOut::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<JsonOut, E> {
        Ok(JsonOut::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<JsonOut, E> {
        Ok(JsonOut::Bytes(v.to_vec()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<JsonOut, E> {
        Ok(JsonOut::Bytes(v))
    }
    fn visit_none<E>(self) -> Result<JsonOut, E> {
        Ok(JsonOut::Null)
    }
    fn visit_unit<E>(self) -> Result<JsonOut, E> {
        Ok(JsonOut::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<JsonOut, D::Error> {
        JsonOut::deserialize(d)
    }

    /// rmp-serde hands extension values over as a newtype of `(type, data)`.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<JsonOut, D::Error> {
        Ok(match JsonOut::deserialize(d)? {
            JsonOut::Array(mut parts) if parts.len() == 2 => {
                let data = match parts.pop() {
                    Some(JsonOut::Bytes(b)) => {
                        JsonOut::Array(b.into_iter().map(|b| JsonOut::Number(b.into())).collect())
                    }
                    other => other.unwrap_or(JsonOut::Null),
                };
                let kind = parts.pop().unwrap_or(JsonOut::Null);
                let ext = JsonOut::Object(vec![("type".into(), kind), ("data".into(), data)]);
                JsonOut::Object(vec![("$ext".into(), ext)])
            }
            other => other,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonOut, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(JsonOut::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonOut, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((k, v)) = map.next_entry::<JsonOut, JsonOut>()? {
            let key = match k {
                JsonOut::String(s) => s,
                other => other.compact(BytesAs::Array),
            };
            out.push((key, v));
        }
        Ok(JsonOut::Object(out))
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<JsonOut, A::Error> {
        Err(de::Error::custom("unexpected enum in a MessagePack value"))
    }
}

fn quote(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

impl JsonOut {
    /// Compact JSON text.
    pub fn compact(&self, bytes: BytesAs) -> String {
        let mut out = String::new();
        self.write_into(&mut out, None, bytes);
        out
    }

    /// Pretty JSON text: two-space indent, arrays of plain numbers (and bytes) kept on one line.
    pub fn pretty(&self, bytes: BytesAs) -> String {
        let mut out = String::new();
        self.write_into(&mut out, Some(0), bytes);
        out
    }

    fn write_into(&self, out: &mut String, indent: Option<usize>, mode: BytesAs) {
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
        match self {
            JsonOut::Bytes(b) => match std::str::from_utf8(b) {
                Ok(text) if mode == BytesAs::Text => out.push_str(&quote(text)),
                _ => {
                    let numbers = b.iter().map(|&b| JsonOut::Number(b.into())).collect();
                    JsonOut::Array(numbers).write_into(out, indent, mode);
                }
            },
            JsonOut::Null => out.push_str("null"),
            JsonOut::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JsonOut::Number(n) => out.push_str(&n.to_string()),
            JsonOut::String(s) => out.push_str(&quote(s)),
            JsonOut::Array(items) => {
                let inline = indent.is_none()
                    || items.is_empty()
                    || items.iter().all(|i| matches!(i, JsonOut::Number(_)));
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                        if indent.is_some() && inline {
                            out.push(' ');
                        }
                    }
                    match indent {
                        Some(n) if !inline => {
                            out.push('\n');
                            pad(out, n + 2);
                            item.write_into(out, Some(n + 2), mode);
                        }
                        _ => item.write_into(out, indent, mode),
                    }
                }
                if let (Some(n), false) = (indent, inline) {
                    out.push('\n');
                    pad(out, n);
                }
                out.push(']');
            }
            JsonOut::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(n) = indent {
                        out.push('\n');
                        pad(out, n + 2);
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    v.write_into(out, indent.map(|n| n + 2), mode);
                }
                if let (Some(n), false) = (indent, entries.is_empty()) {
                    out.push('\n');
                    pad(out, n);
                }
                out.push('}');
            }
        }
    }
}

/// Write `value` and a newline, pretty or compact.
pub fn write(
    out: &mut impl Write,
    value: &JsonOut,
    pretty: bool,
    bytes: BytesAs,
) -> std::io::Result<()> {
    let mut text = if pretty {
        value.pretty(bytes)
    } else {
        value.compact(bytes)
    };
    text.push('\n');
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encode(args: &[Value]) -> Vec<u8> {
        let mut out = Vec::new();
        if !args.is_empty() {
            wabi_spec::codec::encode_args(&mut out, &ArgList(args)).unwrap();
        }
        out
    }

    #[test]
    fn argument_list_rule() {
        assert_eq!(encode(&arguments(json!([]))), b"");
        assert_eq!(encode(&arguments(json!(7))), [7]);
        assert_eq!(encode(&arguments(json!([7]))), [7]);
        assert_eq!(encode(&arguments(json!(null))), [0xc0]);
        assert_eq!(encode(&arguments(json!([1, "a"]))), [0x92, 1, 0xa1, b'a']);
        assert_eq!(encode(&arguments(json!([[1, 2]]))), [0x92, 1, 2]);
    }

    #[test]
    fn results_become_json() {
        let decode = |b: &[u8]| {
            wabi_spec::codec::decode::<JsonOut>(b)
                .unwrap()
                .compact(BytesAs::Array)
        };
        let text = |b: &[u8]| {
            wabi_spec::codec::decode::<JsonOut>(b)
                .unwrap()
                .compact(BytesAs::Text)
        };
        assert_eq!(decode(&[0xc4, 2, 1, 255]), "[1,255]");
        assert_eq!(text(&[0xc4, 2, 1, 255]), "[1,255]");
        assert_eq!(text(&[0xc4, 2, b'h', b'i']), r#""hi""#);
        assert_eq!(decode(&[0xc4, 2, b'h', b'i']), "[104,105]");
        assert_eq!(decode(&[0x81, 0x01, 0xa1, b'x']), r#"{"1":"x"}"#);
        assert_eq!(
            decode(&[0x82, 0xa1, b'b', 1, 0xa1, b'a', 2]),
            r#"{"b":1,"a":2}"#
        );
        assert_eq!(decode(&[0xca, 0x3d, 0xcc, 0xcc, 0xcd]), "0.1");
        assert_eq!(
            decode(&[0xd4, 0x05, 0x2a]),
            r#"{"$ext":{"type":5,"data":[42]}}"#
        );
        assert_eq!(decode(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]), r#""NaN""#);
        assert_eq!(decode(&[0xc0]), "null");
    }

    #[test]
    fn pretty_keeps_number_arrays_on_one_line() {
        let value = JsonOut::Object(vec![
            (
                "a".into(),
                JsonOut::Array(vec![JsonOut::Number(1.into()), JsonOut::Number(2.into())]),
            ),
            (
                "b".into(),
                JsonOut::Object(vec![(
                    "c".into(),
                    JsonOut::Array(vec![JsonOut::Bool(true)]),
                )]),
            ),
            ("d".into(), JsonOut::Array(vec![])),
            ("e".into(), JsonOut::Object(vec![])),
        ]);
        let mut out = Vec::new();
        write(&mut out, &value, true, BytesAs::Array).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n  \"a\": [1, 2],\n  \"b\": {\n    \"c\": [\n      true\n    ]\n  },\n  \"d\": [],\n  \"e\": {}\n}\n"
        );
        assert_eq!(
            value.compact(BytesAs::Array),
            r#"{"a":[1,2],"b":{"c":[true]},"d":[],"e":{}}"#
        );
    }
}
