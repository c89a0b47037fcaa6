//! One table of cases for the gateway plugin, run against both implementations: the Rust guest
//! (`examples/guests/gateway`) and the Go guest (`examples/go/gateway`). Each case checks the
//! decoded result against the expected [`Action`], and that both plugins return the very same
//! bytes.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;
use wabi_examples::gateway::{Action, Request, Response};
use wabi_host::{Direction, Engine, Error, Module};

/// A configuration: key-value pairs given to the module.
type Config = &'static [(&'static str, &'static str)];

struct Case {
    name: &'static str,
    config: Config,
    /// The MessagePack-encoded argument.
    input: Vec<u8>,
    /// `None`: the plugin must refuse the arguments.
    expected: Option<Action>,
}

fn encode(value: &impl Serialize) -> Vec<u8> {
    wabi_spec::codec::to_vec(value).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn forward(method: &str, path: &str, h: &[(&str, &str)], body: &[u8]) -> Option<Action> {
    Some(Action::Forward(Request {
        method: method.into(),
        path: path.into(),
        headers: headers(h),
        body: body.to_vec(),
    }))
}

fn blocked(path: &str, rule: &str) -> Option<Action> {
    Some(Action::Respond(Response {
        status: 403,
        headers: headers(&[
            ("content-type", "text/plain; charset=utf-8"),
            ("x-blocked-by", "wabi-gateway"),
        ]),
        body: format!("blocked: {path} matches the rule {rule}\n").into_bytes(),
    }))
}

/// Every rule configured at once (each distinct configuration costs a compilation of the Go
/// module, so the table uses three).
const CONFIGURED: Config = &[
    ("block_prefix", " /admin , ,/internal,/api/private "),
    ("remove_headers", "Cookie, X-TRACE"),
    ("strip_prefix", "/v1/"),
];

fn cases() -> Vec<Case> {
    let get = |path: &str, h: &[(&str, &str)]| encode(&Request::new("GET", path, h));
    let gw = ("x-gateway", "wabi");
    vec![
        Case {
            name: "strips /api, removes x-debug, adds x-gateway and x-original-path",
            config: &[],
            input: get(
                "/api/users?id=7",
                &[("host", "example.com"), ("x-debug", "1"), ("accept", "*/*")],
            ),
            expected: forward(
                "GET",
                "/users?id=7",
                &[
                    ("accept", "*/*"),
                    ("host", "example.com"),
                    gw,
                    ("x-original-path", "/api/users?id=7"),
                ],
                b"",
            ),
        },
        Case {
            name: "/api alone becomes /",
            config: &[],
            input: get("/api", &[]),
            expected: forward("GET", "/", &[gw, ("x-original-path", "/api")], b""),
        },
        Case {
            name: "/api?q keeps its query",
            config: &[],
            input: get("/api?q=1", &[]),
            expected: forward("GET", "/?q=1", &[gw, ("x-original-path", "/api?q=1")], b""),
        },
        Case {
            name: "/apix is not the /api segment",
            config: &[],
            input: get("/apix", &[]),
            expected: forward("GET", "/apix", &[gw], b""),
        },
        Case {
            name: "other paths pass unchanged",
            config: &[],
            input: get("/health", &[("x-debug", "yes")]),
            expected: forward("GET", "/health", &[gw], b""),
        },
        Case {
            name: "a block rule answers 403 itself",
            config: CONFIGURED,
            input: get("/admin/users", &[("host", "example.com")]),
            expected: blocked("/admin/users", "/admin"),
        },
        Case {
            name: "block rules are a comma-separated list",
            config: CONFIGURED,
            input: get("/internal/metrics", &[]),
            expected: blocked("/internal/metrics", "/internal"),
        },
        Case {
            name: "blocking looks at the path before the rewrite",
            config: CONFIGURED,
            input: get("/api/private/keys", &[]),
            expected: blocked("/api/private/keys", "/api/private"),
        },
        Case {
            name: "remove_headers replaces the default list and ignores case",
            config: CONFIGURED,
            input: get(
                "/x",
                &[("cookie", "a=1"), ("X-Trace", "t"), ("x-debug", "1")],
            ),
            expected: forward("GET", "/x", &[gw, ("x-debug", "1")], b""),
        },
        Case {
            name: "strip_prefix is configurable (trailing / ignored)",
            config: CONFIGURED,
            input: get("/v1/items", &[]),
            expected: forward(
                "GET",
                "/items",
                &[gw, ("x-original-path", "/v1/items")],
                b"",
            ),
        },
        Case {
            name: "an empty strip_prefix turns the rewrite off",
            config: &[("strip_prefix", "")],
            input: get("/api/users", &[]),
            expected: forward("GET", "/api/users", &[gw], b""),
        },
        Case {
            name: "the body passes through byte for byte",
            config: &[],
            input: encode(&Request {
                method: "POST".into(),
                path: "/api/upload".into(),
                headers: headers(&[("content-type", "application/octet-stream")]),
                body: vec![0, 159, 146, 150, 255, b'\n'],
            }),
            expected: forward(
                "POST",
                "/upload",
                &[
                    ("content-type", "application/octet-stream"),
                    gw,
                    ("x-original-path", "/api/upload"),
                ],
                &[0, 159, 146, 150, 255, b'\n'],
            ),
        },
        Case {
            name: "headers and body may be absent; a body may come as an array",
            config: &[],
            input: encode(&json!({"method": "PUT", "path": "/api/a", "extra": true})),
            expected: forward("PUT", "/a", &[gw, ("x-original-path", "/api/a")], b""),
        },
        Case {
            name: "a body may come as an array of numbers",
            config: &[],
            input: encode(&json!({"method": "PUT", "path": "/b", "body": [104, 105]})),
            expected: forward("PUT", "/b", &[gw], b"hi"),
        },
        Case {
            name: "a request without a path is refused",
            config: &[],
            input: encode(&json!({"method": "GET"})),
            expected: None,
        },
        Case {
            name: "a string is not a request",
            config: &[],
            input: encode(&"GET /"),
            expected: None,
        },
    ]
}

/// The gateway plugins that were built: (language, wasm path).
fn plugins() -> Vec<(&'static str, &'static str)> {
    let mut out = vec![("rust", wabi_examples::GATEWAY_WASM)];
    match wabi_examples::GATEWAY_GO_WASM {
        Some(go) => out.push(("go", go)),
        None => eprintln!(
            "note: `go` was not on PATH when the examples were built: the Go gateway is not tested"
        ),
    }
    out
}

/// What a plugin returned: the raw result bytes, or that it refused the arguments.
fn run(module: &Module, input: &[u8]) -> Result<Vec<u8>, String> {
    let mut plugin = module.instantiate().map_err(|e| e.to_string())?;
    match plugin.call_raw("transform", input) {
        Ok(bytes) => Ok(bytes),
        Err(Error::Decode {
            direction: Direction::Arguments,
            ..
        }) => Err("bad arguments".into()),
        Err(e) => Err(format!("unexpected failure: {e}")),
    }
}

#[test]
fn both_gateways_pass_the_same_table() {
    let engine = Engine::default();
    let plugins = plugins();
    let wasm: Vec<Vec<u8>> = plugins
        .iter()
        .map(|(_, path)| std::fs::read(path).unwrap())
        .collect();
    // One compiled module per (plugin, configuration).
    let mut modules: HashMap<(usize, Config), Module> = HashMap::new();
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let mut outputs = Vec::new();
        for (i, (lang, _)) in plugins.iter().enumerate() {
            let module = modules.entry((i, case.config)).or_insert_with(|| {
                let mut builder = Module::builder(&engine);
                for (k, v) in case.config {
                    builder = builder.config(*k, *v);
                }
                builder.build(&wasm[i]).unwrap()
            });
            let got = run(module, &case.input);
            let ok = match (&got, &case.expected) {
                (Ok(bytes), Some(expected)) => match wabi_spec::codec::decode::<Action>(bytes) {
                    Ok(action) if action == *expected => true,
                    Ok(action) => {
                        failures.push(format!(
                            "{lang}: {}:\n  got      {action:?}\n  expected {expected:?}",
                            case.name
                        ));
                        false
                    }
                    Err(e) => {
                        failures.push(format!("{lang}: {}: undecodable result: {e}", case.name));
                        false
                    }
                },
                (Err(e), None) if e == "bad arguments" => true,
                (got, expected) => {
                    failures.push(format!(
                        "{lang}: {}: got {got:?}, expected {expected:?}",
                        case.name
                    ));
                    false
                }
            };
            if ok {
                outputs.push((lang, got));
            }
        }
        if let [(_, first), (other, second)] = &outputs[..] {
            if first != second {
                failures.push(format!(
                    "{}: rust and {other} differ in bytes:\n  rust {first:02x?}\n  {other}   {second:02x?}",
                    case.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks failed:\n{}",
        failures.len(),
        cases.len() * plugins.len(),
        failures.join("\n")
    );
}
