//! How the Rust guest SDK uses its memory, seen from plain wasmtime (no wabi host in between):
//! the scratch buffer `wabi_scratch` reports is usable (aligned, in bounds; a host ignores it
//! otherwise), and a small result is written into the scratch buffer right after the input, so
//! that a call whose user code does not allocate grows no memory; a result too big for the
//! rest of the scratch buffer is written elsewhere.

use wabi_conformance::guests;
use wabi_spec::layout::{Envelope, INPUT_ALIGN};
use wabi_spec::unpack;
use wasmtime::{Engine, Instance, Linker, Memory, Module, Store};

struct Guest {
    store: Store<()>,
    instance: Instance,
    memory: Memory,
}

impl Guest {
    fn new(path: &str) -> Self {
        let engine = Engine::default();
        let module = Module::from_file(&engine, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut linker = Linker::new(&engine);
        // Nothing here calls an import (no logging, no host calls, no panics).
        linker.define_unknown_imports_as_traps(&module).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        Guest {
            store,
            instance,
            memory,
        }
    }

    fn scratch(&mut self) -> (u32, u32) {
        let f = self
            .instance
            .get_typed_func::<(), i64>(&mut self.store, "wabi_scratch")
            .unwrap();
        unpack(f.call(&mut self.store, ()).unwrap())
    }

    /// Call `export` with `input` at `at` (the scratch buffer), as a host does; the envelope's
    /// location and bytes.
    fn call(&mut self, export: &str, at: u32, input: &[u8]) -> (u32, Vec<u8>) {
        self.memory
            .write(&mut self.store, at as usize, input)
            .unwrap();
        let f = self
            .instance
            .get_typed_func::<(u32, u32), i64>(&mut self.store, export)
            .unwrap();
        let ptr = if input.is_empty() { 0 } else { at };
        let (out, len) = unpack(f.call(&mut self.store, (ptr, input.len() as u32)).unwrap());
        let bytes = self.memory.data(&self.store)[out as usize..][..len as usize].to_vec();
        (out, bytes)
    }

    fn size(&self) -> usize {
        self.memory.data_size(&self.store)
    }
}

fn ok_body(envelope: &[u8]) -> &[u8] {
    match Envelope::parse(envelope) {
        Ok(Envelope::Ok(body)) => body,
        other => panic!("expected an Ok envelope, got {other:?}"),
    }
}

fn check(label: &str, path: &str) {
    let mut g = Guest::new(path);
    let size = g.size();
    let (scratch, cap) = g.scratch();
    assert_eq!(cap, 64 * 1024, "{label}: the SDK's scratch capacity");
    assert_eq!(
        scratch % INPUT_ALIGN,
        0,
        "{label}: the scratch buffer's alignment"
    );
    assert!(
        scratch as usize + cap as usize <= size,
        "{label}: the scratch buffer is inside the initial memory"
    );

    // A 1-byte input: the envelope follows it from the next 8-byte boundary.
    let (at, env) = g.call("echo_bool", scratch, &[0xc3]);
    assert_eq!(at, scratch + 8, "{label}: echo_bool's envelope");
    assert_eq!(ok_body(&env), [0xc3]);
    // No input: the envelope is at the start of the scratch buffer.
    let (at, env) = g.call("counter", scratch, &[]);
    assert_eq!(at, scratch, "{label}: counter's envelope");
    assert_eq!(env[8..].len(), 1, "{label}: a small positive integer");
    // A function of no arguments returning nothing, called without input, answers with a
    // constant envelope in the module's data: always the same, outside the scratch buffer.
    let (at, env) = g.call("noop", scratch, &[]);
    assert!(
        !(scratch..scratch + cap).contains(&at),
        "{label}: noop's envelope"
    );
    assert_eq!(ok_body(&env), [0xc0]);
    let (again, _) = g.call("noop", scratch, &[]);
    assert_eq!(again, at, "{label}: noop's envelope is a constant");
    // With `[]` or `nil` as its input it takes the general path, into the scratch buffer.
    for empty in [0x90, 0xc0] {
        let (at, env) = g.call("noop", scratch, &[empty]);
        assert_eq!(at, scratch + 8, "{label}: noop's envelope after an input");
        assert_eq!(ok_body(&env), [0xc0]);
    }
    assert_eq!(
        g.size(),
        size,
        "{label}: calls whose user code does not allocate did not grow the memory"
    );
    // Arguments where none are expected (the error message is allocated).
    let (_, env) = g.call("noop", scratch, &[0x91, 0x01]);
    match Envelope::parse(&env) {
        Ok(Envelope::BadArguments(message)) => assert!(
            message.contains("noop()") && message.contains("takes no arguments"),
            "{label}: {message}"
        ),
        other => panic!("{label}: arguments to noop: {other:?}"),
    }
    // A 13-byte input: the envelope starts at offset 16.
    let text = "hello, world";
    let input = [&[0xa0 | text.len() as u8][..], text.as_bytes()].concat();
    let (at, env) = g.call("echo_str", scratch, &input);
    assert_eq!(at, scratch + 16, "{label}: echo_str's envelope");
    assert_eq!(ok_body(&env), &input[..]);

    // A result that does not fit the rest of the scratch buffer is written elsewhere, whole.
    let text = "x".repeat(40_000);
    let mut input = vec![0xda, (text.len() >> 8) as u8, text.len() as u8];
    input.extend_from_slice(text.as_bytes());
    let (at, env) = g.call("echo_str", scratch, &input);
    let in_scratch = (scratch..scratch + cap).contains(&at);
    assert!(!in_scratch, "{label}: a 40 KB result after a 40 KB input");
    assert_eq!(ok_body(&env), &input[..]);
    // Later small calls still answer correctly.
    let (_, env) = g.call("echo_bool", scratch, &[0xc2]);
    assert_eq!(ok_body(&env), [0xc2]);
}

/// Run `test` on each Rust guest that was built (one target's may be missing: it says why).
fn for_each_rust_guest(test: fn(&str, &str)) {
    let mut ran = 0;
    for (label, built) in [
        ("wasm32-unknown-unknown", guests::RUST_UNKNOWN),
        ("wasm32-wasip1", guests::RUST_WASIP1),
    ] {
        match built {
            Ok(path) => {
                test(label, path);
                ran += 1;
            }
            Err(why) => println!("{label}: SKIPPED: {why}"),
        }
    }
    assert!(ran > 0, "no Rust guest was built");
}

#[test]
fn the_rust_guests_scratch_buffer_holds_inputs_and_small_results() {
    for_each_rust_guest(check);
}

/// Where the Rust wasm32 targets put the stack: first in memory, 1 MiB growing down from
/// 0x100000, the module's data after it (so the scratch buffer is above this address).
const STACK_TOP: u32 = 0x10_0000;

/// A fresh instance's first call of a small struct-in, struct-out function writes nothing to
/// the stack: the decoder, the output buffer and every decoded field stay in registers or in
/// the call state next to the scratch buffer. So the call touches one page of the instance's
/// memory, the scratch buffer's, instead of two (a page touched first is a page fault and a
/// page to free for the host's kernel: about a tenth of what starting an instance costs).
fn first_call_leaves_the_stack_alone(label: &str, path: &str) {
    for (a, b) in [
        (1i32, 2i32),
        (1_000_000, 2345),
        (-40, i32::MIN),
        (i32::MAX, 200),
    ] {
        let mut g = Guest::new(path);
        let (scratch, _) = g.scratch();
        assert!(
            scratch >= STACK_TOP,
            "{label}: the scratch buffer at {scratch:#x} is not above the stack: has the \
             target's memory layout changed?"
        );
        // The stack's top 64 KiB, filled with a pattern the call must leave as it is.
        let below = (STACK_TOP - 0x1_0000) as usize;
        g.memory
            .write(&mut g.store, below, &[0xa5; 0x1_0000])
            .unwrap();
        let mut input = Vec::new();
        wabi_spec::codec::encode(&mut input, &Pair { a, b }).unwrap();
        let (_, env) = g.call("add_pair", scratch, &input);
        let sum: Sum = wabi_spec::codec::decode(ok_body(&env)).unwrap();
        assert_eq!(sum.sum, i64::from(a) + i64::from(b), "{label}: add_pair");
        let stack = &g.memory.data(&g.store)[below..STACK_TOP as usize];
        let written: Vec<usize> = (0..stack.len()).filter(|&i| stack[i] != 0xa5).collect();
        assert!(
            written.is_empty(),
            "{label}: add_pair({a}, {b}) wrote {} bytes of the stack, the first at {:#x}",
            written.len(),
            below + written[0]
        );
    }
}

#[derive(serde::Serialize)]
struct Pair {
    a: i32,
    b: i32,
}

#[derive(serde::Deserialize)]
struct Sum {
    sum: i64,
}

#[test]
fn a_small_first_call_leaves_the_stack_alone() {
    for_each_rust_guest(first_call_leaves_the_stack_alone);
}
