//! Compile every guest of the peer comparison to wasm32-unknown-unknown: the wabi and raw guests
//! of ../../benches/guests and the Extism, waPC and component guests of guests/. The component
//! guest is a core module with wit-bindgen's component type section; the `wit-component` crate
//! turns it into a component here (no `wasm-tools` CLI needed, and no WASI adapter: the module
//! imports nothing).

use std::path::PathBuf;

fn main() {
    let target_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("target")
        .join("wasm-guests");
    let bench = wabi_guest_build::RustGuests::new("../../benches/guests")
        .target_dir(&target_dir)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let peers = wabi_guest_build::RustGuests::new("guests")
        .target_dir(&target_dir)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let core = std::fs::read(peers.join("peer_component.wasm")).expect("component guest");
    let component = wit_component::ComponentEncoder::default()
        .module(&core)
        .and_then(|e| e.validate(true).encode())
        .unwrap_or_else(|e| panic!("cannot make a component of peer_component.wasm: {e:#}"));
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("peer_component.component.wasm");
    std::fs::write(&out, component).unwrap();

    println!("cargo:rustc-env=BENCH_WASM_DIR={}", bench.display());
    println!("cargo:rustc-env=PEERS_WASM_DIR={}", peers.display());
    println!("cargo:rustc-env=PEERS_COMPONENT={}", out.display());
    println!("cargo:rerun-if-changed=wit");
    println!("cargo:rerun-if-changed=../../benches/src/common/types.rs");
    println!("cargo:rerun-if-changed=../../guest-sdk");
    println!("cargo:rerun-if-changed=../../guest-macros");
    println!("cargo:rerun-if-changed=../../abi-spec/src");
}
