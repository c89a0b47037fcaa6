//! The call shown byte by byte at the end of abi-spec/ABI.md, run against the Rust guest.

use wabi_conformance::guests;
use wabi_host::{Engine, Module};

#[test]
fn abi_md_worked_example() {
    let args_hex =
        "9284a46e616d65a3416461a361676524a5656d61696cc0a47461677391a46d617468a548656c6c6f";
    let person = wabi_conformance::cases::Person {
        name: "Ada".into(),
        age: 36,
        email: None,
        tags: vec!["math".into()],
    };
    let mut encoded = Vec::new();
    wabi_spec::codec::encode_args(&mut encoded, &(&person, "Hello")).unwrap();
    assert_eq!(hex(&encoded), args_hex);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../abi-spec/ABI.md"))
        .unwrap();
    assert!(
        doc.contains("a5 48 65 6c 6c 6f")
            && doc.contains("48 65 6c 6c 6f 2c 20 41 64 61 20 28 33 36 29")
    );

    let wasm = std::fs::read(guests::RUST_UNKNOWN.unwrap()).unwrap();
    let mut p = Module::new(&Engine::default(), wasm)
        .unwrap()
        .instantiate()
        .unwrap();
    // Raw call: exactly the bytes of the example in, exactly the body of the example out.
    let body = p.call_raw("greet", &encoded).unwrap();
    assert_eq!(hex(&body), "af48656c6c6f2c204164612028333629");
    let typed: String = p.call("greet", (&person, "Hello")).unwrap();
    assert_eq!(typed, "Hello, Ada (36)");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
