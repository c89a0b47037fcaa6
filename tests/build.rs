//! Compile the conformance guests to wasm: Rust for both wasm targets, Go with `go`, and Go with
//! `tinygo` when it is on PATH. A missing Go compiler (or a TinyGo older than 0.34) is recorded,
//! so the suite reports that column as skipped; a failed TinyGo build is recorded with the
//! compiler's output, so the suite reports the tinygo column as failed (a failed `go` build
//! still fails this build script).

use std::fmt::Write;
use std::path::PathBuf;

use wabi_guest_build::{build_go, build_go_guest, GoBuild, GoCompiler, RustGuests};

/// At most this much of a failed TinyGo build's output goes into the column's reason.
const MAX_REASON: usize = 8000;

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
    let out = wasm_dir.join("go-conformance.wasm");
    let value = match build_go("guests/go-conformance", GoCompiler::Go, &out) {
        Ok(Some(path)) => format!("Ok({:?})", path.display().to_string()),
        Ok(None) => "Err(\"`go` is not on PATH\")".to_string(),
        Err(e) => panic!("{e}"),
    };
    writeln!(consts, "/// The Go conformance guest built with `go`.\npub const GO: Result<&str, &str> = {value};").unwrap();

    let out = wasm_dir.join("tinygo-conformance.wasm");
    let (value, failed) = match build_go_guest("guests/go-conformance", GoCompiler::TinyGo, &out) {
        GoBuild::Built(path) => (format!("Ok({:?})", path.display().to_string()), false),
        GoBuild::Unavailable(why) => (format!("Err({why:?})"), false),
        GoBuild::Failed(why) => {
            let why = truncate(why.trim_end(), MAX_REASON);
            println!(
                "cargo:warning=tinygo conformance guest: {}",
                why.lines().next().unwrap_or("")
            );
            (format!("Err({why:?})"), true)
        }
    };
    writeln!(consts, "/// The Go conformance guest built with `tinygo` (`Err`: why it was not built).\npub const TINYGO: Result<&str, &str> = {value};").unwrap();
    writeln!(consts, "/// Whether `TINYGO` is `Err` because the TinyGo build failed (the column fails), rather than\n/// because no usable `tinygo` is installed (the column is skipped).\npub const TINYGO_BUILD_FAILED: bool = {failed};").unwrap();
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
    std::fs::write(out_dir.join("guests.rs"), consts).unwrap();
}

/// `s` cut to at most `max` bytes (at a character boundary), saying how much was left out.
fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[... {} more bytes of output]",
        &s[..end],
        s.len() - end
    )
}
