//! Golden vectors: every value in `vectors/values.json` and every envelope in
//! `vectors/envelopes.json` must be reproduced byte for byte by the Rust encoder, and decode back
//! to the same value. Set `WABI_BLESS=1` to rewrite the hex after an intentional change (and
//! bump the ABI version if the change is not additive).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::fmt::Debug;
use wabi_spec::codec;
use wabi_spec::layout::{Envelope, EnvelopeWriter, PanicRecord, Status};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Person {
    name: String,
    age: u32,
    email: Option<String>,
    tags: Vec<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Shape {
    Unit,
    Circle(f64),
    Rect { w: f64, h: f64 },
    Pair(i32, i32),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// Decodes the golden bytes and compares them with the typed value.
type Check = Box<dyn Fn(&[u8])>;

struct Vector {
    name: &'static str,
    rust_type: &'static str,
    value: Json,
    description: &'static str,
    bytes: Vec<u8>,
    check: Check,
}

fn v<T>(
    name: &'static str,
    rust_type: &'static str,
    description: &'static str,
    json: Json,
    value: T,
) -> Vector
where
    T: Serialize + for<'de> Deserialize<'de> + PartialEq + Debug + 'static,
{
    let bytes = codec::to_vec(&value).unwrap();
    Vector {
        name,
        rust_type,
        value: json,
        description,
        bytes,
        check: Box::new(move |b| {
            let back: T = codec::decode(b).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(back, value, "{name} does not decode back");
        }),
    }
}

/// An argument list (several values) encoded by the argument-list rule.
fn args<A: Serialize>(
    name: &'static str,
    rust_type: &'static str,
    description: &'static str,
    json: Json,
    a: A,
) -> Vector {
    let mut bytes = Vec::new();
    codec::encode_args(&mut bytes, &a).unwrap();
    Vector {
        name,
        rust_type,
        value: json,
        description,
        bytes,
        check: Box::new(|_| {}),
    }
}

fn values() -> Vec<Vector> {
    let person = Person {
        name: "Ada".into(),
        age: 36,
        email: None,
        tags: vec!["math".into()],
    };
    let mut map = BTreeMap::new();
    map.insert("a".to_string(), 1i64);
    map.insert("b".to_string(), -2i64);
    let mut sixteen = BTreeMap::new();
    for i in 0..16u8 {
        sixteen.insert(format!("k{i:02}"), i);
    }
    let mut headers = BTreeMap::new();
    headers.insert("host".to_string(), "example.com".to_string());
    vec![
        v("unit", "()", "unit and None are nil", json!(null), ()),
        v("true", "bool", "", json!(true), true),
        v("false", "bool", "", json!(false), false),
        v("u8_0", "u8", "positive fixint", json!(0), 0u8),
        v("u8_127", "u8", "largest positive fixint", json!(127), 127u8),
        v("u8_128", "u8", "uint 8", json!(128), 128u8),
        v("u16_256", "u16", "uint 16, big-endian", json!(256), 256u16),
        v("u32_65536", "u32", "uint 32", json!(65536), 65536u32),
        v("u64_4294967296", "u64", "uint 64", json!(4294967296u64), 4294967296u64),
        v("u64_max", "u64", "", json!(u64::MAX), u64::MAX),
        v("u64_small", "u64", "integers use the smallest form whatever the Rust type", json!(5), 5u64),
        v("i8_-1", "i8", "negative fixint", json!(-1), -1i8),
        v("i8_-32", "i8", "smallest negative fixint", json!(-32), -32i8),
        v("i8_-33", "i8", "int 8", json!(-33), -33i8),
        v("i16_-129", "i16", "int 16", json!(-129), -129i16),
        v("i32_-40000", "i32", "int 32", json!(-40000), -40000i32),
        v("i64_min", "i64", "int 64", json!(i64::MIN), i64::MIN),
        v("i32_200", "i32", "positive signed values use the unsigned forms", json!(200), 200i32),
        v("f32_1.5", "f32", "float 32", json!(1.5), 1.5f32),
        v("f64_-0.1", "f64", "float 64", json!(-0.1), -0.1f64),
        v("str_empty", "String", "", json!(""), String::new()),
        v("str_hello", "String", "fixstr", json!("hello"), "hello".to_string()),
        v("str_unicode", "String", "UTF-8, length in bytes", json!("héllo ✓ 日本 🦀"), "héllo ✓ 日本 🦀".to_string()),
        v("str_32", "String", "str 8", json!("a".repeat(32)), "a".repeat(32)),
        v("bytes_empty", "Vec<u8>", "an empty byte vector is written as an empty array; decoders accept it as empty bytes", json!({"bin": ""}), Vec::<u8>::new()),
        v("bytes_3", "Vec<u8>", "bin 8", json!({"bin": "010203"}), vec![1u8, 2, 3]),
        v("option_none", "Option<String>", "None is nil", json!(null), None::<String>),
        v("option_some", "Option<String>", "Some(x) is x", json!("x"), Some("x".to_string())),
        v("vec_u32", "Vec<u32>", "fixarray", json!([1, 2, 300]), vec![1u32, 2, 300]),
        v("vec_16", "Vec<u16>", "sixteen integers in a Vec<u16> are an array 16", json!((0..16).collect::<Vec<u16>>()), (0..16).collect::<Vec<u16>>()),
        v("nested", "Vec<Vec<Vec<u32>>>", "", json!([[[1], []], [[2, 3]]]), vec![vec![vec![1u32], vec![]], vec![vec![2, 3]]]),
        v("map", "BTreeMap<String, i64>", "fixmap, keys in the map's iteration order", json!({"a": 1, "b": -2}), map),
        v("map_16", "BTreeMap<String, u8>", "map 16", serde_json::to_value(&sixteen).unwrap(), sixteen),
        v("struct_person", "Person { name: String, age: u32, email: Option<String>, tags: Vec<String> }", "structs are maps keyed by field name, in declaration order", json!({"name": "Ada", "age": 36, "email": null, "tags": ["math"]}), person),
        v("enum_unit", "Shape::Unit", "unit variant: its name as a string", json!("Unit"), Shape::Unit),
        v("enum_newtype", "Shape::Circle(f64)", "newtype variant: a 1-entry map name -> value", json!({"Circle": 1.5}), Shape::Circle(1.5)),
        v("enum_struct", "Shape::Rect { w: f64, h: f64 }", "struct variant: name -> map of fields", json!({"Rect": {"w": 2.0, "h": 3.0}}), Shape::Rect { w: 2.0, h: 3.0 }),
        v("enum_tuple", "Shape::Pair(i32, i32)", "tuple variant: name -> array", json!({"Pair": [1, 2]}), Shape::Pair(1, 2)),
        v("tuple", "(i8, u16, String)", "a tuple is an array", json!([-1, 1000, "z"]), (-1i8, 1000u16, "z".to_string())),
        v("request", "Request { method: String, path: String, headers: BTreeMap<String, String>, body: Vec<u8> }", "", json!({"method": "GET", "path": "/", "headers": {"host": "example.com"}, "body": {"bin": "6869"}}), Request { method: "GET".into(), path: "/".into(), headers, body: b"hi".to_vec() }),
        args("args_0", "()", "no arguments: empty input", json!([]), ()),
        args("args_1", "(String,)", "one argument: the bare value", json!(["hi"]), ("hi",)),
        args("args_3", "(u8, String, bool)", "several arguments: an array", json!([1, "two", true]), (1u8, "two", true)),
        args("args_8", "(i8, i16, i32, i64, u8, u16, u32, u64)", "eight integer arguments", json!([-1, -2, -3, -4, 1, 2, 3, 4]), (-1i8, -2i16, -3i32, -4i64, 1u8, 2u16, 3u32, 4u64)),
    ]
}

fn envelopes() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    EnvelopeWriter::ok(&mut buf, &[0xa2, b'h', b'i']);
    out.push(("ok", "status 0, body \"hi\"", buf.clone()));
    EnvelopeWriter::ok(&mut buf, &[0xc0]);
    out.push((
        "ok_unit",
        "a function returning () answers nil",
        buf.clone(),
    ));
    EnvelopeWriter::error(&mut buf, "bad", &[]);
    out.push(("error", "error without a value", buf.clone()));
    EnvelopeWriter::error(
        &mut buf,
        "app error 42: x",
        &codec::to_vec(&json!({"code": 42, "reason": "x"})).unwrap(),
    );
    out.push(("error_value", "error with a MessagePack value", buf.clone()));
    EnvelopeWriter::panic(
        &mut buf,
        &PanicRecord {
            message: "boom",
            file: "src/lib.rs",
            line: 10,
            column: 5,
        },
    );
    out.push((
        "panic",
        "a caught panic; the same record is the argument of wabi.panic",
        buf.clone(),
    ));
    EnvelopeWriter::message(&mut buf, Status::BadArguments, "expected 2 arguments");
    out.push((
        "bad_arguments",
        "status 3, the body is a UTF-8 message",
        buf.clone(),
    ));
    EnvelopeWriter::message(&mut buf, Status::BadResult, "cannot encode");
    out.push(("bad_result", "status 4", buf.clone()));
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn path(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(file)
}

fn write_golden(file: &str, doc: &Json) {
    std::fs::write(
        path(file),
        serde_json::to_string_pretty(doc).unwrap() + "\n",
    )
    .unwrap();
}

fn read_golden(file: &str) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path(file)).unwrap()).unwrap()
}

fn bless() -> bool {
    std::env::var_os("WABI_BLESS").is_some()
}

#[test]
fn values_match_golden_file() {
    let vectors = values();
    if bless() {
        let list: Vec<Json> = vectors
            .iter()
            .map(|v| json!({"name": v.name, "rust_type": v.rust_type, "value": v.value, "description": v.description, "hex": hex(&v.bytes)}))
            .collect();
        let doc = json!({
            "about": "Golden MessagePack encodings of ABI v1. `value` is JSON; {\"bin\": HEX} stands for bytes. Argument lists (names args_*) list their arguments in `value`. Integers use the smallest form; floats keep their width.",
            "vectors": list,
        });
        write_golden("values.json", &doc);
    }
    let doc = read_golden("values.json");
    let golden = doc["vectors"].as_array().unwrap();
    assert_eq!(
        golden.len(),
        vectors.len(),
        "vector count differs from the golden file"
    );
    for (g, v) in golden.iter().zip(&vectors) {
        assert_eq!(g["name"], v.name);
        assert_eq!(g["value"], v.value, "{}: JSON value differs", v.name);
        let want = unhex(g["hex"].as_str().unwrap());
        assert_eq!(
            hex(&v.bytes),
            hex(&want),
            "{}: encoding differs from golden",
            v.name
        );
        (v.check)(&want);
    }
}

#[test]
fn envelopes_match_golden_file() {
    let list = envelopes();
    if bless() {
        let docs: Vec<Json> = list
            .iter()
            .map(|(n, d, b)| json!({"name": n, "description": d, "hex": hex(b)}))
            .collect();
        let doc = json!({"about": "Golden result envelopes of ABI v1 (all integers little-endian).", "envelopes": docs});
        write_golden("envelopes.json", &doc);
    }
    let doc = read_golden("envelopes.json");
    let golden = doc["envelopes"].as_array().unwrap();
    assert_eq!(golden.len(), list.len());
    for (g, (name, _, bytes)) in golden.iter().zip(&list) {
        assert_eq!(g["name"], *name);
        let want = unhex(g["hex"].as_str().unwrap());
        assert_eq!(
            hex(bytes),
            hex(&want),
            "{name}: envelope differs from golden"
        );
        Envelope::parse(&want).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// The values and envelopes of `wabi.http_request` (ABI.md 4.4).
fn http_vectors() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    use wabi_spec::http::{HttpErrorKind, HttpErrorValue, HttpRequest, HttpResponse};
    let get = HttpRequest::new("GET", "http://127.0.0.1:8080/users/7");
    let post = HttpRequest {
        method: "POST".into(),
        url: "https://api.example.com/v1/check".into(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-tag".into(), "a".into()),
            ("x-tag".into(), "b".into()),
        ],
        body: b"{\"id\":7}".to_vec(),
    };
    let response = HttpResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: b"ok".to_vec(),
    };
    let empty = HttpResponse {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let mut out = vec![
        (
            "request_get",
            "a GET with no headers and no body (both keys still written)",
            codec::to_vec(&get).unwrap(),
        ),
        (
            "request_post",
            "a POST with a repeated header and a body",
            codec::to_vec(&post).unwrap(),
        ),
    ];
    let mut ok = Vec::new();
    EnvelopeWriter::ok(&mut ok, &codec::to_vec(&response).unwrap());
    out.push((
        "ok_200",
        "an Ok answer: status 200, one header, body \"ok\"",
        ok,
    ));
    let mut ok = Vec::new();
    EnvelopeWriter::ok(&mut ok, &codec::to_vec(&empty).unwrap());
    out.push((
        "ok_204_empty",
        "an Ok answer with no headers and an empty body (written 90)",
        ok,
    ));
    for kind in HttpErrorKind::ALL {
        let (name, message) = match kind {
            HttpErrorKind::Denied => ("error_denied", "http: host `evil.example` is not allowed"),
            HttpErrorKind::Timeout => ("error_timeout", "http: no response within 1s"),
            HttpErrorKind::TooLarge => {
                ("error_too_large", "http: response body over 1048576 bytes")
            }
            HttpErrorKind::Connect => ("error_connect", "http: connection refused"),
            HttpErrorKind::Limit => ("error_limit", "http: 8 requests per call"),
            HttpErrorKind::BadRequest => ("error_bad_request", "http: invalid URL"),
            HttpErrorKind::TooManyRedirects => {
                ("error_too_many_redirects", "http: over 3 redirects")
            }
            other => panic!("no vector for {other}"),
        };
        let mut env = Vec::new();
        EnvelopeWriter::error(
            &mut env,
            message,
            &codec::to_vec(&HttpErrorValue { kind }).unwrap(),
        );
        out.push((name, message, env));
    }
    out
}

#[test]
fn http_vectors_match_golden_file() {
    use wabi_spec::http::{HttpErrorValue, HttpRequest, HttpResponse};
    let vectors = http_vectors();
    if bless() {
        let list: Vec<Json> = vectors
            .iter()
            .map(|(name, d, bytes)| json!({"name": name, "description": d, "hex": hex(bytes)}))
            .collect();
        let doc = json!({
            "about": "Golden values of wabi.http_request (ABI 1.3, ABI.md 4.4): request_* are the MessagePack request a guest passes; ok_* and error_* are the complete result envelopes the host answers with (for error_*, `description` is the envelope's message).",
            "vectors": list,
        });
        write_golden("http.json", &doc);
    }
    let golden = read_golden("http.json");
    let list = golden["vectors"].as_array().unwrap();
    assert_eq!(list.len(), vectors.len());
    for ((name, _, bytes), g) in vectors.iter().zip(list) {
        assert_eq!(g["name"], *name);
        assert_eq!(g["hex"].as_str().unwrap(), hex(bytes), "{name}");
        // Each decodes back as what it is.
        if name.starts_with("request") {
            codec::decode::<HttpRequest>(bytes).unwrap();
        } else {
            match Envelope::parse(bytes).unwrap() {
                Envelope::Ok(body) => {
                    codec::decode::<HttpResponse>(body).unwrap();
                }
                Envelope::Error { value, .. } => {
                    let v: HttpErrorValue = codec::decode(value.expect("a value")).unwrap();
                    assert!(name.ends_with(v.kind.as_str()), "{name} vs {}", v.kind);
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
    // A request with only method and url decodes, with no headers and no body.
    let short = unhex("82a66d6574686f64a3474554a375726ca8687474703a2f2f61");
    let r: HttpRequest = codec::decode(&short).unwrap();
    assert_eq!(
        (
            r.method.as_str(),
            r.url.as_str(),
            r.headers.len(),
            r.body.len()
        ),
        ("GET", "http://a", 0, 0)
    );
}
