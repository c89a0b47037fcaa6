//! The canonical MessagePack decoder on arbitrary bytes, into a dynamic value, a value that is
//! skipped, and a typed struct with every type class: no panic, no stack overflow (nesting is
//! bounded), no allocation in proportion to a claimed length (run with -malloc_limit_mb), and a
//! decoded dynamic value re-encodes to something that decodes to the same value.
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

fuzz_target!(|data: &[u8]| {
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
