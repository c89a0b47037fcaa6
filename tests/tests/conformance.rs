//! The conformance suite against every guest column: Rust (wasm32-unknown-unknown and
//! wasm32-wasip1), Go (`go`), Go (`tinygo`). A column whose compiler is missing (or a TinyGo
//! older than 0.34) is reported as skipped with the reason, never as passed; a TinyGo build that
//! failed fails every case of its column, with the compiler's output as the reason.
//! `cargo test -p wabi-conformance --test conformance -- FILTER` runs the cases whose name
//! contains FILTER.

use std::process::ExitCode;

use wabi_conformance::{cases, guests, report, Suite};

fn main() -> ExitCode {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let columns = [
        ("rust (wasm32-unknown-unknown)", guests::RUST_UNKNOWN),
        ("rust (wasm32-wasip1)", guests::RUST_WASIP1),
        ("go", guests::GO),
        ("tinygo", guests::TINYGO),
    ];
    let engine = wabi_host::Engine::default();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let total = cases::all().len();
    for (column, wasm) in columns {
        let path = match wasm {
            Ok(path) => path,
            Err(why) if column == "tinygo" && guests::TINYGO_BUILD_FAILED => {
                println!("conformance: {column}: FAIL all {total} cases: the build failed:");
                for line in why.lines() {
                    println!("    {line}");
                }
                failed += total;
                continue;
            }
            Err(why) => {
                println!("conformance: {column}: SKIPPED all {total} cases: {why}");
                skipped += total;
                continue;
            }
        };
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let suite = match Suite::load(&engine, &bytes) {
            Ok(s) => s,
            Err(e) => {
                println!("conformance: {column}: FAIL: cannot load {path}: {e}");
                failed += total;
                continue;
            }
        };
        let outcomes = suite.run(filter.as_deref());
        let f = report(column, &outcomes);
        failed += f;
        passed += outcomes.len() - f;
    }
    println!("\nconformance: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
