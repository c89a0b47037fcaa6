//! Big argument lists: after a call whose arguments were big (256 KiB or more) and mostly
//! payload, the host measures the next call's arguments and encodes them straight into the
//! guest's memory (one copy of the payload instead of two). Every path gives the same results,
//! on every guest, whatever the order of big, small, payload and structured calls.

use serde::{Deserialize, Serialize, Serializer};
use wabi_conformance::{cases, guests};
use wabi_host::{Engine, Error, Module, Plugin};

#[derive(Debug, PartialEq, Deserialize)]
struct Stats {
    len: u64,
    checksum: u64,
}

fn stats(bytes: &[u8]) -> Stats {
    Stats {
        len: bytes.len() as u64,
        checksum: bytes
            .iter()
            .fold(0u64, |s, &b| s.wrapping_add(u64::from(b))),
    }
}

/// The guests that were built, `(label, plugin)`; SKIPPED is printed for the others.
fn plugins(test: &str) -> Vec<(&'static str, Plugin)> {
    let engine = Engine::default();
    let mut out = Vec::new();
    for (label, built) in [("rust", guests::RUST_UNKNOWN), ("go", guests::GO)] {
        match built {
            Ok(path) => {
                let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
                let module = cases::host_functions(Module::builder(&engine))
                    .name(label)
                    .build(bytes)
                    .unwrap_or_else(|e| panic!("{label}: {e}"));
                out.push((label, module.instantiate().unwrap()));
            }
            Err(why) => println!("{test}: {label}: SKIPPED: {why}"),
        }
    }
    assert!(!out.is_empty(), "no guest was built");
    out
}

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn big_payloads_give_the_same_results_every_call() {
    for (label, mut p) in plugins("big_payloads") {
        let mut typed = p
            .typed::<serde_bytes::ByteBuf, Stats>("bytes_stats")
            .unwrap();
        for (i, len) in [1 << 20, 300_000, 1 << 20, 5 << 20, 256 * 1024]
            .into_iter()
            .enumerate()
        {
            let data = payload(len, i as u8);
            let want = stats(&data);
            // By name, then through a typed handle: the second and later calls of each kind
            // follow a big payload, so they are measured and written into guest memory.
            let got: Stats = p
                .call("bytes_stats", serde_bytes::Bytes::new(&data))
                .unwrap_or_else(|e| panic!("{label} {len}: {e}"));
            assert_eq!(got, want, "{label}: {len} bytes by name");
            let got = typed
                .call(&mut p, serde_bytes::ByteBuf::from(data.clone()))
                .unwrap();
            assert_eq!(got, want, "{label}: {len} bytes typed");
        }
        // A long string is payload too.
        let text = "wabi ".repeat(100_000);
        for _ in 0..3 {
            let got: Stats = p.call("str_stats", text.as_str()).unwrap();
            assert_eq!(got, stats(text.as_bytes()), "{label}: string");
        }
    }
}

#[test]
fn big_structured_small_and_payload_calls_interleave() {
    for (label, mut p) in plugins("interleave") {
        // About 400 KiB of small values: many writes per byte, so never measured.
        let nested: Vec<Vec<Vec<u32>>> = (0..100)
            .map(|i| {
                (0..100)
                    .map(|j| (0..10).map(|k| i * j + k).collect())
                    .collect()
            })
            .collect();
        let data = payload(1 << 20, 7);
        for round in 0..3 {
            let echoed: Vec<Vec<Vec<u32>>> = p.call("echo_nested", &nested).unwrap();
            assert_eq!(echoed, nested, "{label} round {round}: structured");
            let got: Stats = p
                .call("bytes_stats", serde_bytes::Bytes::new(&data))
                .unwrap();
            assert_eq!(got, stats(&data), "{label} round {round}: payload");
            let got: Stats = p
                .call("bytes_stats", serde_bytes::Bytes::new(&data))
                .unwrap();
            assert_eq!(got, stats(&data), "{label} round {round}: payload again");
            let small: String = p.call("echo_string", "small").unwrap();
            assert_eq!(small, "small", "{label} round {round}: small");
            let got: Stats = p
                .call("bytes_stats", serde_bytes::Bytes::new(&data))
                .unwrap();
            assert_eq!(
                got,
                stats(&data),
                "{label} round {round}: payload after small"
            );
        }
    }
}

/// A value whose encoding is 1 MiB the first time it is serialised and 16 bytes after that.
struct Shrinking(std::cell::Cell<bool>);

impl Serialize for Shrinking {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = if self.0.replace(true) { 16 } else { 1 << 20 };
        s.serialize_bytes(&vec![1u8; len])
    }
}

/// An argument whose `Serialize` writes another size when it is written than when it was
/// measured is an encode error that names the function, and the plugin goes on working.
#[test]
fn a_size_that_changes_between_measuring_and_writing_is_an_encode_error() {
    for (label, mut p) in plugins("size_changes") {
        let data = payload(1 << 20, 1);
        let _: Stats = p
            .call("bytes_stats", serde_bytes::Bytes::new(&data))
            .unwrap();
        // Measured at 1 MiB (payload: written straight into guest memory), then written as 16
        // bytes.
        let shrinking = Shrinking(std::cell::Cell::new(false));
        match p.call::<_, Stats>("bytes_stats", &shrinking) {
            Err(Error::Encode {
                function, message, ..
            }) => {
                assert_eq!(function, "bytes_stats", "{label}");
                assert!(message.contains("changed size"), "{label}: {message}");
            }
            other => panic!("{label}: want an encode error, got {other:?}"),
        }
        let got: Stats = p
            .call("bytes_stats", serde_bytes::Bytes::new(&data))
            .unwrap();
        assert_eq!(got, stats(&data), "{label}: the next call works");
        assert!(p.is_live(), "{label}: an encode error keeps the instance");
    }
}
