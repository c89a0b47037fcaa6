//! The codec against its reference: rmp-serde configured as ABI.md section 8 describes
//! (structs as maps, `bin` for byte sequences). Every value of every type class must encode to
//! the same bytes, and any input, valid or not, must decode to the same value (or fail where
//! rmp-serde fails).

use std::collections::{BTreeMap, HashMap};

use rmp_serde::config::BytesMode;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wabi_spec::codec;

fn reference<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = rmp_serde::Serializer::new(&mut out)
        .with_struct_map()
        .with_bytes(BytesMode::ForceIterables);
    value.serialize(&mut ser).expect("rmp-serde encodes it");
    out
}

fn reference_decode<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
) -> Result<T, rmp_serde::decode::Error> {
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
    de.set_max_depth(codec::MAX_DEPTH + 1);
    T::deserialize(&mut de)
}

/// Same bytes as the reference, and the value decodes back (by both decoders) to itself.
fn same<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let ours = codec::to_vec(value).expect("encodes");
    assert_eq!(ours, reference(value), "encoding of {value:?}");
    let back: T = codec::decode(&ours).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    assert_eq!(&back, value);
    let theirs: T = reference_decode(&ours).expect("rmp-serde decodes it");
    assert_eq!(&theirs, value);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Shape {
    Unit,
    Circle(f64),
    Pair(i32, i32),
    Rect { w: f32, h: f32 },
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Unit;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Newtype(u16);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct TupleStruct(i8, String);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Everything {
    name: String,
    age: u32,
    email: Option<String>,
    nothing: Option<u8>,
    tags: Vec<String>,
    shape: Shape,
    shapes: Vec<Shape>,
    scores: BTreeMap<String, i64>,
    by_id: BTreeMap<u64, Vec<u8>>,
    #[serde(with = "serde_bytes")]
    blob: Vec<u8>,
    empty: Vec<u8>,
    pair: (i8, u16, f32),
    flag: bool,
    unit: (),
    unit_struct: Unit,
    newtype: Newtype,
    tuple_struct: TupleStruct,
    ch: char,
    wide: i128,
    child: Option<Box<Everything>>,
}

fn everything(depth: u32) -> Everything {
    Everything {
        name: "Ada Lovelace, née Byron: ∑ 🚀".into(),
        age: 36,
        email: Some("ada@example.org".into()),
        nothing: None,
        tags: vec![
            "x".repeat(31),
            "y".repeat(32),
            "z".repeat(300),
            String::new(),
        ],
        shape: Shape::Rect { w: 1.5, h: -2.25 },
        shapes: vec![Shape::Unit, Shape::Circle(0.1), Shape::Pair(-1, i32::MIN)],
        scores: (0..20).map(|i| (format!("k{i}"), -(i * 1000))).collect(),
        by_id: [(0, vec![]), (1 << 40, vec![1, 2, 255])].into(),
        blob: (0..=255).collect(),
        empty: vec![],
        pair: (-128, 65535, f32::MAX),
        flag: true,
        unit: (),
        unit_struct: Unit,
        newtype: Newtype(300),
        tuple_struct: TupleStruct(-33, "t".into()),
        ch: 'é',
        wide: -(1 << 100),
        child: (depth > 0).then(|| Box::new(everything(depth - 1))),
    }
}

#[test]
fn every_type_class_encodes_like_the_reference() {
    same(&everything(3));
    same(&Shape::Unit);
    same(&Shape::Circle(f64::MIN_POSITIVE));
    same(&Unit);
    same(&());
    same(&Some(Some(5u8)));
    same(&'x');
    same(&String::from("é"));
    same(&vec![true, false]);
    same(&vec![0u8; 70_000]);
    same(&vec![-1i8, 2]);
    same(&vec![1u64, 300, 70_000]);
    same(&vec![vec![1u8]]);
    same(&(0..70_000u32).collect::<Vec<_>>());
    same(&(0..40u32).map(|i| (i, i)).collect::<BTreeMap<_, _>>());
    same(&u128::MAX);
    same(&std::collections::VecDeque::from(vec![1u8, 2]));
}

#[test]
fn every_integer_boundary_encodes_like_the_reference() {
    let mut edges: Vec<i128> = vec![0, 1, -1];
    for bits in [5u32, 7, 8, 15, 16, 31, 32, 63, 64] {
        let p = 1i128 << bits;
        edges.extend([p - 1, p, p + 1, -p - 1, -p, -p + 1]);
    }
    for v in edges {
        if let Ok(v) = i64::try_from(v) {
            same(&v);
            if let Ok(v) = i32::try_from(v) {
                same(&v);
            }
            if let Ok(v) = i8::try_from(v) {
                same(&v);
            }
        }
        if let Ok(v) = u64::try_from(v) {
            same(&v);
            if let Ok(v) = u16::try_from(v) {
                same(&v);
            }
        }
    }
    for f in [0.0f64, -0.0, 1e300, f64::INFINITY, f64::NEG_INFINITY] {
        same(&f);
    }
}

#[test]
fn lengths_at_every_boundary_encode_like_the_reference() {
    for n in [0usize, 1, 15, 16, 31, 32, 255, 256, 65_535, 65_536] {
        same(&"s".repeat(n));
        same(&serde_bytes::ByteBuf::from(vec![7u8; n]));
        same(&vec![1u16; n]);
        same(&(0..n as u32).map(|i| (i, ())).collect::<BTreeMap<_, _>>());
    }
}

/// Field names are written by a path of their own for the short ones (header and bytes put
/// together, so that literal names need no copy from the module's data). Names of every length
/// around its limits, literal or not, ASCII or not, must come out as the reference writes them.
#[test]
fn field_names_of_every_length_encode_like_the_reference() {
    struct Fields(Vec<&'static str>);
    impl Serialize for Fields {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct("Fields", self.0.len())?;
            for (i, name) in self.0.iter().enumerate() {
                st.serialize_field(name, &(i as u32))?;
            }
            st.end()
        }
    }
    let leak = |name: String| -> &'static str { Box::leak(name.into_boxed_str()) };
    let mut names: Vec<&'static str> = (0..=40).map(|n| leak("k".repeat(n))).collect();
    // Two-byte characters: byte lengths 14, 16, 30 and 32.
    names.extend([7, 8, 15, 16].map(|n| leak("\u{e9}".repeat(n))));
    for name in &names {
        let one = Fields(vec![name]);
        assert_eq!(codec::to_vec(&one).unwrap(), reference(&one), "{name:?}");
    }
    let all = Fields(names);
    assert_eq!(codec::to_vec(&all).unwrap(), reference(&all));

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Variant {
        V {
            a: u8,
            fifteen_chars_x: u8,
            sixteen_chars_xy: u8,
            thirty_one_characters_long_name: u8,
            thirty_two_characters_long_names: u8,
        },
    }
    same(&Variant::V {
        a: 1,
        fifteen_chars_x: 2,
        sixteen_chars_xy: 3,
        thirty_one_characters_long_name: 4,
        thirty_two_characters_long_names: 5,
    });
}

/// Sequences and maps whose length serde does not know up front (iterators, flattened
/// structs) are counted and their header put in front.
#[test]
fn unknown_lengths_encode_like_the_reference() {
    struct Iter(u32);
    impl Serialize for Iter {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq((0..self.0).filter(|i| i % 2 == 0))
        }
    }
    for n in [0, 1, 31, 32, 40, 200_000] {
        assert_eq!(codec::to_vec(&Iter(n)).unwrap(), reference(&Iter(n)), "{n}");
    }

    #[derive(Serialize)]
    struct Inner {
        b: u8,
        c: Vec<Iter>,
    }
    #[derive(Serialize)]
    struct Flat {
        a: u8,
        #[serde(flatten)]
        inner: Inner,
    }
    let flat = Flat {
        a: 1,
        inner: Inner {
            b: 2,
            c: vec![Iter(3), Iter(40)],
        },
    };
    assert_eq!(codec::to_vec(&flat).unwrap(), reference(&flat));
}

#[test]
fn argument_lists() {
    let mut out = Vec::new();
    codec::encode_args(&mut out, &(1u8, "a", Shape::Unit)).unwrap();
    assert_eq!(out, reference(&(1u8, "a", Shape::Unit)));
    out.clear();
    codec::encode_args(&mut out, &(everything(0),)).unwrap();
    assert_eq!(out, reference(&everything(0)));
}

/// A deterministic generator for the randomised tests (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random MessagePack-ish bytes: mostly well-formed values with random markers, lengths and
/// truncations mixed in.
fn random_input(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
    let interesting: &[u8] = &[
        0x00, 0x7f, 0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x92, 0x9f, 0xa0, 0xa1, 0xa4, 0xbf, 0xc0,
        0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
        0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde,
        0xdf, 0xe0, 0xff,
    ];
    match rng.below(10) {
        0 => out.push(rng.next() as u8),
        1 if depth > 0 => {
            let n = rng.below(4) as u8;
            out.push(0x90 | n);
            for _ in 0..n {
                random_input(rng, out, depth - 1);
            }
        }
        2 if depth > 0 => {
            let n = rng.below(3) as u8;
            out.push(0x80 | n);
            for _ in 0..2 * n {
                random_input(rng, out, depth - 1);
            }
        }
        3 => {
            let words = [
                "name", "age", "Unit", "Circle", "Pair", "Rect", "w", "h", "x",
            ];
            let w = words[rng.below(words.len() as u64) as usize];
            out.push(0xa0 | w.len() as u8);
            out.extend_from_slice(w.as_bytes());
        }
        _ => {
            out.push(interesting[rng.below(interesting.len() as u64) as usize]);
            for _ in 0..rng.below(6) {
                out.push(if rng.below(2) == 0 {
                    0
                } else {
                    rng.next() as u8
                });
            }
        }
    }
}

#[derive(Debug, PartialEq, Deserialize)]
struct Small {
    name: Option<String>,
    age: Option<u32>,
    shape: Option<Shape>,
}

/// Integer fields of several widths, named from the random inputs' words.
#[derive(Debug, PartialEq, Deserialize)]
struct Ints {
    w: u8,
    h: i16,
    x: u64,
    age: i32,
}

/// Both decoders agree on success and value for any input and several target types; where the
/// reference fails, so does the codec (messages differ: ours say where in the input).
#[test]
fn random_inputs_decode_like_the_reference() {
    fn agree<'de, T>(bytes: &'de [u8])
    where
        T: Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let ours = codec::decode::<T>(bytes);
        let theirs = reference_decode::<T>(bytes);
        // `decode_in` with a slot used before gives the same outcome, to the error message.
        let mut slot = codec::DecoderSlot::new();
        let _ = codec::decode_in::<IgnoredAny>(&mut slot, b"\x92\x01\x02");
        let again = codec::decode_in::<T>(&mut slot, bytes);
        assert_eq!(
            format!("{again:?}"),
            format!("{ours:?}"),
            "decode_in, input {bytes:02x?}"
        );
        match (&ours, &theirs) {
            // Debug text, so that NaN equals NaN.
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "input {bytes:02x?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("input {bytes:02x?}: ours {ours:?}, rmp-serde {theirs:?}"),
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut bytes = Vec::new();
    for _ in 0..200_000 {
        bytes.clear();
        random_input(&mut rng, &mut bytes, 4);
        agree::<Value>(&bytes);
        agree::<Shape>(&bytes);
        agree::<Small>(&bytes);
        agree::<Ints>(&bytes);
        agree::<(i8, u32, i64)>(&bytes);
        agree::<Vec<u8>>(&bytes);
        agree::<(u8, String)>(&bytes);
        agree::<Option<i64>>(&bytes);
        agree::<f64>(&bytes);
        agree::<&str>(&bytes);
        agree::<&[u8]>(&bytes);
        agree::<Unit>(&bytes);
        agree::<BTreeMap<String, Value>>(&bytes);
        assert_eq!(
            codec::decode::<IgnoredAny>(&bytes).is_ok(),
            reference_decode::<IgnoredAny>(&bytes).is_ok(),
            "input {bytes:02x?}"
        );
    }
}

/// Extension values reach `visit_newtype_struct` as `(type, data)`, and `_ExtStruct` newtypes
/// round-trip, as with rmp-serde.
#[test]
fn extension_values() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename = "_ExtStruct")]
    struct Ext((i8, serde_bytes::ByteBuf));
    for len in [1usize, 2, 3, 4, 8, 16, 17, 300, 70_000] {
        same(&Ext((-1, serde_bytes::ByteBuf::from(vec![9u8; len]))));
    }
    assert!(codec::to_vec(&Ext((5, serde_bytes::ByteBuf::new()))).is_ok());
}

#[test]
fn errors_say_what_and_where() {
    let err = codec::decode::<u32>(&[0x92, 0x01]).unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
    let err = codec::decode::<(u8, u8)>(&[0x92, 0x01]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected end of input at byte 2: 1 more bytes needed"
    );
    let err = codec::decode::<String>(&[0xa5, b'a']).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected end of input at byte 1: 4 more bytes needed"
    );
    let err = codec::decode::<Value>(&[0x91, 0xc1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "byte 0xc1 at 1 is reserved by MessagePack and starts no value"
    );
    let err = codec::decode::<String>(&[0xa2, 0xff, 0xfe]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the string at byte 1 is not valid UTF-8"),
        "{err}"
    );
    let err = codec::decode::<(u8,)>(&[0x92, 1, 2]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the array or map at byte 0 has 2 elements but the type reads 1"
    );
    let err = codec::decode::<Shape>(&[0x82, 0xa1, b'a', 1, 0xa1, b'b', 2]).unwrap_err();
    assert!(err.to_string().contains("map of one entry"), "{err}");
}

/// A length prefix that claims more than the input holds reserves no memory for it.
#[test]
fn claimed_lengths_are_not_trusted() {
    let huge = [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert!(codec::decode::<Vec<u64>>(&huge).is_err());
    let huge_map = [0xdf, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert!(codec::decode::<HashMap<u8, u8>>(&huge_map).is_err());
    let huge_bin = [0xc6, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert!(codec::decode::<serde_bytes::ByteBuf>(&huge_bin).is_err());
}

/// Recursive enums cannot overflow the stack either (rmp-serde does not count enum nesting).
#[test]
fn nested_enums_are_depth_limited() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Tree {
        Leaf,
        Node(Box<Tree>),
    }
    let mut deep = Vec::new();
    for _ in 0..100_000 {
        deep.extend_from_slice(&[0x81, 0xa4, b'N', b'o', b'd', b'e']);
    }
    deep.extend_from_slice(&[0xa4, b'L', b'e', b'a', b'f']);
    let err = codec::decode::<Tree>(&deep).unwrap_err();
    assert!(err.to_string().contains("depth limit exceeded"), "{err}");
}

/// A struct of more than 15 fields is a `map 16` (decoded on the same inline path as smaller
/// ones), and a struct written as an array of its fields (rmp-serde's default) decodes too.
#[test]
fn structs_decode_from_every_map_form_and_from_arrays() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wide {
        f00: u8,
        f01: i8,
        f02: u16,
        f03: i16,
        f04: u32,
        f05: i32,
        f06: u64,
        f07: i64,
        f08: String,
        f09: bool,
        f10: Option<u8>,
        f11: Vec<u8>,
        f12: f32,
        f13: f64,
        f14: char,
        f15: (),
        f16: u8,
    }
    let wide = Wide {
        f00: 200,
        f01: -100,
        f02: 60_000,
        f03: -30_000,
        f04: 4_000_000_000,
        f05: -2_000_000_000,
        f06: u64::MAX,
        f07: i64::MIN,
        f08: "sixteen".into(),
        f09: true,
        f10: Some(7),
        f11: vec![1, 2],
        f12: 0.5,
        f13: -0.25,
        f14: 'ß',
        f15: (),
        f16: 16,
    };
    same(&wide);
    assert_eq!(codec::to_vec(&wide).unwrap()[0], 0xde, "17 fields: map 16");
    // As a `map 32` (no encoder writes one this small, a decoder must still take it).
    let mut map32 = vec![0xdf, 0, 0, 0, 17];
    map32.extend_from_slice(&codec::to_vec(&wide).unwrap()[3..]);
    assert_eq!(codec::decode::<Wide>(&map32).unwrap(), wide);
    // As an array of the fields, in order.
    let compact = rmp_serde::to_vec(&wide).unwrap();
    assert_eq!(compact[0], 0xdc, "rmp-serde's compact form: array 16");
    assert_eq!(codec::decode::<Wide>(&compact).unwrap(), wide);
    // Anything else is refused by the struct's own visitor, as rmp-serde refuses it.
    for other in [&[0x2a][..], &[0xa1, b'x'], &[0xc3]] {
        let ours = codec::decode::<Wide>(other).unwrap_err().to_string();
        assert!(ours.contains("struct Wide"), "{ours}");
        assert!(reference_decode::<Wide>(other).is_err());
    }
}

/// Integers of every marker reach the visitor method rmp-serde calls, with the value it
/// passes, whatever the visitor makes of them: a value that fits in a register (`u64`) or one
/// that does not (`String`) takes a different path through the decoder.
#[test]
fn integers_of_every_marker_reach_the_same_visitor_method() {
    use serde::de::{Deserializer, Visitor};
    use std::fmt;

    /// What a visitor was called with, as text.
    #[derive(Debug, PartialEq)]
    struct Called(String);

    struct Record;
    macro_rules! record {
        ($($method:ident: $ty:ty),*) => {
            $(fn $method<E: serde::de::Error>(self, v: $ty) -> Result<Called, E> {
                Ok(Called(format!("{} {v}", stringify!($method))))
            })*
        };
    }
    impl<'de> Visitor<'de> for Record {
        type Value = Called;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        record!(visit_u8: u8, visit_u16: u16, visit_u32: u32, visit_u64: u64,
                visit_i8: i8, visit_i16: i16, visit_i32: i32, visit_i64: i64);
    }
    impl<'de> Deserialize<'de> for Called {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_u64(Record)
        }
    }

    /// The same visitor calls, with a one-word result.
    #[derive(Debug, PartialEq)]
    struct Tag(u64);
    struct Tagged;
    macro_rules! tag {
        ($($method:ident: $ty:ty = $n:expr),*) => {
            $(fn $method<E: serde::de::Error>(self, v: $ty) -> Result<Tag, E> {
                Ok(Tag(($n << 56) | (v as u64 & 0x00ff_ffff_ffff_ffff)))
            })*
        };
    }
    impl<'de> Visitor<'de> for Tagged {
        type Value = Tag;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        tag!(visit_u8: u8 = 1, visit_u16: u16 = 2, visit_u32: u32 = 3, visit_u64: u64 = 4,
             visit_i8: i8 = 5, visit_i16: i16 = 6, visit_i32: i32 = 7, visit_i64: i64 = 8);
    }
    impl<'de> Deserialize<'de> for Tag {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_i32(Tagged)
        }
    }

    /// The same visitor calls, recorded on the side, with the unit result: the one result
    /// that fits in a word on a 64-bit host too (a decoder may move such results differently).
    struct Logged;
    thread_local! {
        static LOG: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    struct Logging;
    macro_rules! log {
        ($($method:ident: $ty:ty),*) => {
            $(fn $method<E: serde::de::Error>(self, v: $ty) -> Result<(), E> {
                LOG.with(|l| l.borrow_mut().push(format!("{} {v}", stringify!($method))));
                Ok(())
            })*
        };
    }
    impl<'de> Visitor<'de> for Logging {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        log!(visit_u8: u8, visit_u16: u16, visit_u32: u32, visit_u64: u64,
             visit_i8: i8, visit_i16: i16, visit_i32: i32, visit_i64: i64);
    }
    impl<'de> Deserialize<'de> for Logged {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_i16(Logging).map(|()| Logged)
        }
    }
    let logged = |decode: &dyn Fn() -> bool| {
        LOG.with(|l| l.borrow_mut().clear());
        let ok = decode();
        (ok, LOG.with(|l| l.take()))
    };

    let mut inputs: Vec<Vec<u8>> = vec![vec![0x00], vec![0x7f], vec![0xe0], vec![0xff]];
    for (marker, len) in [
        (0xcc, 1),
        (0xcd, 2),
        (0xce, 4),
        (0xcf, 8),
        (0xd0, 1),
        (0xd1, 2),
        (0xd2, 4),
        (0xd3, 8),
    ] {
        inputs.push([vec![marker], vec![0x80; len]].concat());
        inputs.push([vec![marker], vec![0x7f; len]].concat());
        inputs.push([vec![marker], vec![0x01; len - 1]].concat()); // one byte short
    }
    inputs.push(vec![0xc3]); // not an integer
    inputs.push(vec![]);
    /// Both decoders succeed or fail together, and agree on the value.
    fn agree<'de, T: Deserialize<'de> + PartialEq + fmt::Debug>(input: &'de [u8]) {
        let ours = codec::decode::<T>(input).map_err(|e| e.to_string());
        let theirs = reference_decode::<T>(input).map_err(|e| e.to_string());
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{input:02x?}: {ours:?} / {theirs:?}"
        );
        if let (Ok(a), Ok(b)) = (&ours, &theirs) {
            assert_eq!(a, b, "{input:02x?}");
        }
    }
    for input in &inputs {
        agree::<Called>(input);
        agree::<Tag>(input);
        let ours = logged(&|| codec::decode::<Logged>(input).is_ok());
        let theirs = logged(&|| reference_decode::<Logged>(input).is_ok());
        assert_eq!(ours, theirs, "{input:02x?}");
    }
}
