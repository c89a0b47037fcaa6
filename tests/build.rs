//! Compile the conformance guests to wasm: Rust for both wasm targets, Go with `go`, and Go with
//! `tinygo` when it is on PATH. A missing Go compiler is recorded, so the suite reports that
//! column as skipped.

use std::fmt::Write;
use std::path::PathBuf;

use wabi_guest_build::{build_go, GoCompiler, RustGuests};

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let mut consts = String::new();
    for (target, konst) in [
        ("wasm32-unknown-unknown", "RUST_UNKNOWN"),
        ("wasm32-wasip1", "RUST_WASIP1"),
    ] {
        let dir = RustGuests::new("guests")
            .target(target)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let wasm = dir.join("rust_conformance.wasm");
        writeln!(consts, "/// The Rust conformance guest for {target}.\npub const {konst}: Result<&str, &str> = Ok({:?});", wasm.display().to_string()).unwrap();
        if target == "wasm32-wasip1" {
            let caps = dir.join("rust_capabilities.wasm");
            writeln!(consts, "/// A WASI guest that tries files, environment and arguments.\npub const CAPABILITIES: &str = {:?};", caps.display().to_string()).unwrap();
        }
    }
    let wasm_dir = out_dir.join("go");
    for (compiler, konst) in [(GoCompiler::Go, "GO"), (GoCompiler::TinyGo, "TINYGO")] {
        let out = wasm_dir.join(format!("{}-conformance.wasm", compiler.command()));
        let value = match build_go("guests/go-conformance", compiler, &out) {
            Ok(Some(path)) => format!("Ok({:?})", path.display().to_string()),
            Ok(None) => format!("Err(\"`{}` is not on PATH\")", compiler.command()),
            Err(e) => panic!("{e}"),
        };
        writeln!(consts, "/// The Go conformance guest built with `{}`.\npub const {konst}: Result<&str, &str> = {value};", compiler.command()).unwrap();
    }
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
    std::fs::write(out_dir.join("guests.rs"), consts).unwrap();
}
