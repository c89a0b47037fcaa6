//! Compile the benchmark guests (`guests/`) to wasm32-unknown-unknown in release mode with LTO.
//! They are small and share the `wasm-guests` target directory with the other guest builds, so
//! after the first build this is a no-op. Only the bench target (and clippy) runs this script:
//! `cargo test` does not build benches.

fn main() {
    let dir = wabi_guest_build::RustGuests::new("guests")
        .target("wasm32-unknown-unknown")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    println!("cargo:rustc-env=WABI_BENCH_WASM_DIR={}", dir.display());
    println!(
        "cargo:rustc-env=WABI_BENCH_OUT_DIR={}",
        std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")
    );
    println!("cargo:rerun-if-changed=src/common/types.rs");
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
}
