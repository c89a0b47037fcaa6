//! Run the wabi conformance suite against any guest.
//!
//! ```text
//! wabi-conformance <guest.wasm> [CASE-FILTER]
//! ```
//! Exit status: 0 when every case passed, 1 when any failed, 2 when the guest cannot be loaded.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first().filter(|a| !a.starts_with('-')) else {
        eprintln!("usage: wabi-conformance <guest.wasm> [CASE-FILTER]\n\nRuns every conformance case against a guest that exports the conformance functions\n(see tests/README.md). Example: wabi-conformance target/my-guest.wasm struct");
        return ExitCode::from(2);
    };
    let wasm = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let suite = match wabi_conformance::Suite::load(&wabi_host::Engine::default(), &wasm) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let outcomes = suite.run(args.get(1).map(String::as_str));
    let failed = wabi_conformance::report(path, &outcomes);
    println!("{} passed, {} failed", outcomes.len() - failed, failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
