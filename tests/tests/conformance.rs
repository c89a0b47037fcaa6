//! The conformance suite against every guest column: Rust (wasm32-unknown-unknown and
//! wasm32-wasip1), Go (`go`), Go (`tinygo`), C, Zig and AssemblyScript. A column whose compiler
//! is missing (or a TinyGo older than 0.34) is reported as skipped with the reason, never as
//! passed; a build that failed fails every case of its column, with the compiler's output as
//! the reason. `WABI_CONFORMANCE_REQUIRE` (column names separated by commas, e.g.
//! `go,c,zig,assemblyscript`, as `scripts/test` sets it) turns a skipped column into a failure.
//! `cargo test -p wabi-conformance --test conformance -- FILTER` runs the cases whose name
//! contains FILTER.

use std::process::ExitCode;

use wabi_conformance::{cases, guests, report, Built, Suite};

fn main() -> ExitCode {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let required = std::env::var("WABI_CONFORMANCE_REQUIRE").unwrap_or_default();
    let required: Vec<&str> = required
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let engine = wabi_host::Engine::default();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let total = cases::all().len();
    for column in guests::COLUMNS {
        let name = column.name;
        let path = match column.built {
            Built::Wasm(path) => path,
            Built::BuildFailed(why) => {
                println!("conformance: {name}: FAIL all {total} cases: the build failed:");
                for line in why.lines() {
                    println!("    {line}");
                }
                failed += total;
                continue;
            }
            Built::Skipped(why) if required.contains(&name) => {
                println!(
                    "conformance: {name}: FAIL all {total} cases: the column is required \
                     (WABI_CONFORMANCE_REQUIRE) but was not built: {why}"
                );
                failed += total;
                continue;
            }
            Built::Skipped(why) => {
                println!("conformance: {name}: SKIPPED all {total} cases: {why}");
                skipped += total;
                continue;
            }
        };
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let suite = match Suite::load(&engine, &bytes) {
            Ok(s) => s,
            Err(e) => {
                println!("conformance: {name}: FAIL: cannot load {path}: {e}");
                failed += total;
                continue;
            }
        };
        let outcomes = suite.run(filter.as_deref());
        let f = report(name, &outcomes);
        failed += f;
        passed += outcomes.len() - f;
    }
    if let Some(unknown) = required
        .iter()
        .find(|r| !guests::COLUMNS.iter().any(|c| c.name == **r))
    {
        println!("conformance: WABI_CONFORMANCE_REQUIRE names no column `{unknown}`");
        failed += 1;
    }
    println!("\nconformance: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
