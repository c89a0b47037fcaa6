//! The canonical MessagePack decoder on arbitrary bytes, into a dynamic value, a value that is
//! skipped, and a typed struct with every type class: no panic, no stack overflow (nesting is
//! bounded), no allocation in proportion to a claimed length (run with -malloc_limit_mb), and a
//! decoded dynamic value re-encodes to something that decodes to the same value. It is also
//! differential: wherever rmp-serde (the reference the codec must match, configured as ABI.md
//! section 8 says) decodes the input, the codec decodes it to the same value, and re-encoding
//! gives the reference's bytes.
#![no_main]

use std::collections::{BTreeMap, HashMap};

use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use wabi_spec::codec;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
enum Shape {
    Unit,
    Circle(f64),
    Rect { w: f64, h: f64 },
    Pair(i32, i32),
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Typed {
    name: String,
    age: u32,
    email: Option<String>,
    tags: Vec<String>,
    shape: Shape,
    shapes: Vec<Shape>,
    scores: HashMap<String, i64>,
    by_id: BTreeMap<u64, Vec<u8>>,
    bytes: Vec<u8>,
    pair: (i8, u16, f32),
    flag: bool,
    child: Option<Box<Typed>>,
}

/// rmp-serde as the ABI's reference decoder.
fn reference<'de, T: Deserialize<'de>>(data: &'de [u8]) -> Option<T> {
    let mut de = rmp_serde::Deserializer::from_read_ref(data);
    de.set_max_depth(codec::MAX_DEPTH + 1);
    T::deserialize(&mut de).ok()
}

/// Where the reference decodes `data` as `T`, the codec gives the same value (compared as
/// Debug text, so that NaN equals NaN and hash maps compare by content once sorted).
fn agrees<'de, T: Deserialize<'de> + std::fmt::Debug>(data: &'de [u8]) {
    if let Some(theirs) = reference::<T>(data) {
        match codec::decode::<T>(data) {
            Ok(ours) => assert_eq!(format!("{ours:?}"), format!("{theirs:?}")),
            Err(e) => panic!("rmp-serde decodes {data:02x?} as {theirs:?}, the codec fails: {e}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    agrees::<Value>(data);
    agrees::<Shape>(data);
    agrees::<Vec<Shape>>(data);
    agrees::<BTreeMap<u64, Vec<u8>>>(data);
    agrees::<(i8, u16, f32)>(data);
    agrees::<Option<String>>(data);
    agrees::<&[u8]>(data);
    if let Some(value) = reference::<Value>(data) {
        let mut theirs = Vec::new();
        let mut ser = rmp_serde::Serializer::new(&mut theirs)
            .with_struct_map()
            .with_bytes(rmp_serde::config::BytesMode::ForceIterables);
        serde::Serialize::serialize(&value, &mut ser).expect("rmp-serde re-encodes");
        assert_eq!(codec::to_vec(&value).expect("the codec encodes"), theirs);
    }
    let _ = codec::decode::<IgnoredAny>(data);
    let _ = codec::decode::<Typed>(data);
    let _ = codec::decode::<Vec<Typed>>(data);
    let _ = codec::decode::<String>(data);
    let _ = codec::decode::<Vec<u8>>(data);
    let _ = codec::decode::<&str>(data);
    let _ = codec::decode::<&[u8]>(data);
    if let Ok(value) = codec::decode::<Value>(data) {
        let bytes = codec::to_vec(&value).expect("a decoded value encodes");
        let again: Value = codec::decode(&bytes).expect("its encoding decodes");
        assert_eq!(again, value);
    }
});
