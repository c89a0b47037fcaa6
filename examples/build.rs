//! Compile the example guests to wasm, so `cargo run` and `cargo test` work from a clean clone:
//! the Rust guests (`guests/`) for `wasm32-unknown-unknown` and `wasm32-wasip1`, and the Go
//! gateway (`go/gateway`) with `go` when it is on PATH (its tests are skipped otherwise).

use wabi_guest_build::{build_go, GoCompiler, RustGuests};

fn main() {
    let unknown = RustGuests::new("guests")
        .target("wasm32-unknown-unknown")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let wasi = RustGuests::new("guests")
        .target("wasm32-wasip1")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let env = |name: &str, value: &std::path::Path| {
        println!("cargo:rustc-env={name}={}", value.display());
    };
    env("WABI_EXAMPLE_HELLO", &unknown.join("hello.wasm"));
    env("WABI_EXAMPLE_GATEWAY", &unknown.join("gateway.wasm"));
    env(
        "WABI_EXAMPLE_AUTH_GATEWAY",
        &unknown.join("auth_gateway.wasm"),
    );
    env("WABI_EXAMPLE_MISBEHAVE", &wasi.join("misbehave.wasm"));

    // `<target>/wasm-guests/go/gateway.wasm`, beside the Rust guests' target directories.
    let go_out = unknown
        .ancestors()
        .nth(2)
        .expect("<wasm-guests>/<target>/release")
        .join("go")
        .join("gateway.wasm");
    let go = match build_go("go/gateway", GoCompiler::Go, &go_out) {
        Ok(Some(path)) => path.display().to_string(),
        Ok(None) => String::new(),
        Err(e) => panic!("{e}"),
    };
    println!("cargo:rustc-env=WABI_EXAMPLE_GATEWAY_GO={go}");
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
}
