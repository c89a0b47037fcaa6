//! Compile the conformance guests to wasm: Rust for both wasm targets, Go with `go`, Go with
//! `tinygo`, and the C, Zig and AssemblyScript guests with their SDKs' build scripts. A missing
//! compiler (or a TinyGo older than 0.34) is recorded, so the suite reports that column as
//! skipped with the reason; a failed build is recorded with the compiler's output, so the suite
//! reports the column as failed (a failed Rust or `go` build still fails this build script,
//! since other tests need those guests).

use std::fmt::Write;
use std::path::PathBuf;

use wabi_guest_build::{
    build_go, build_go_guest, build_with_script, GoCompiler, GuestBuild, RustGuests,
};

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

    // Every column of the suite, as `Column`s (tests/src/lib.rs): built, skipped (no usable
    // compiler: why), or failed to build (the compiler's output).
    let mut columns = String::new();
    for (name, rust) in [
        ("rust (wasm32-unknown-unknown)", "RUST_UNKNOWN"),
        ("rust (wasm32-wasip1)", "RUST_WASIP1"),
        ("go", "GO"),
    ] {
        writeln!(columns, "    Column {{ name: {name:?}, built: match {rust} {{ Ok(p) => Built::Wasm(p), Err(why) => Built::Skipped(why) }} }},").unwrap();
    }
    let tinygo = build_go_guest(
        "guests/go-conformance",
        GoCompiler::TinyGo,
        &wasm_dir.join("tinygo-conformance.wasm"),
    );
    column(&mut columns, "tinygo", tinygo);
    // The other SDKs build their guests with their own scripts (exit 127: toolchain missing).
    for (name, sdk, file) in [
        ("c", "c", "c-conformance.wasm"),
        ("zig", "zig", "zig-conformance.wasm"),
        ("assemblyscript", "assemblyscript", "as-conformance.wasm"),
    ] {
        let script = format!("../guest-sdk/{sdk}/build-conformance.sh");
        let guest = format!("guests/{}", file.trim_end_matches(".wasm"));
        let built = build_with_script(&script, &out_dir.join(file), &[&guest]);
        column(&mut columns, name, built);
    }
    writeln!(consts, "/// Every column of the conformance suite.\npub const COLUMNS: &[Column] = &[\n{columns}];").unwrap();
    println!("cargo:rerun-if-changed=../guest-sdk");
    println!("cargo:rerun-if-changed=../guest-macros");
    println!("cargo:rerun-if-changed=../abi-spec/src");
    std::fs::write(out_dir.join("guests.rs"), consts).unwrap();
}

/// One generated `Column` for the outcome of a build; a failed build warns as well.
fn column(out: &mut String, name: &str, built: GuestBuild) {
    let built = match built {
        GuestBuild::Built(path) => format!("Built::Wasm({:?})", path.display().to_string()),
        GuestBuild::Unavailable(why) => format!("Built::Skipped({why:?})"),
        GuestBuild::Failed(why) => {
            let why = truncate(why.trim_end(), MAX_REASON);
            println!(
                "cargo:warning={name} conformance guest: {}",
                why.lines().next().unwrap_or("")
            );
            format!("Built::BuildFailed({why:?})")
        }
    };
    writeln!(out, "    Column {{ name: {name:?}, built: {built} }},").unwrap();
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
