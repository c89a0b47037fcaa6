//! The wabi conformance suite.
//!
//! One list of [`cases`], each with its expected values written once, run by the same host code
//! against every guest that exports the conformance functions (`tests/guests/*`: a Rust guest
//! and a Go guest; a third language is one more guest beside them). The `wabi-conformance`
//! binary runs the suite against any `.wasm`, so authors of new guest SDKs can prove theirs:
//!
//! ```text
//! cargo run -p wabi-conformance -- path/to/guest.wasm
//! ```
//!
//! The functions a conformance guest must export are listed in `tests/README.md`.

use std::sync::{Arc, Mutex};

use wabi_host::{Engine, LogRecord, Module, Plugin};

pub mod cases;
pub mod http_server;

/// The HTTP server of the outbound-HTTP cases, started at first use; it stops by itself
/// ([`http_server::IDLE`] without a request, or when the process ends).
pub fn http_server() -> &'static http_server::TestServer {
    static SERVER: std::sync::OnceLock<http_server::TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(http_server::TestServer::start)
}

/// Paths of the conformance guests this crate's build compiled (`Err` = not built, and why),
/// and [`guests::COLUMNS`], every column of the suite.
pub mod guests {
    use super::{Built, Column};
    include!(concat!(env!("OUT_DIR"), "/guests.rs"));
}

/// One guest column of the suite: a language (and compiler) whose conformance guest this
/// crate's build tried to compile.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The column's name, e.g. `go` or `zig`.
    pub name: &'static str,
    /// What the build produced.
    pub built: Built,
}

/// What building a column's guest gave.
#[derive(Clone, Copy, Debug)]
pub enum Built {
    /// The module, at this path.
    Wasm(&'static str),
    /// No usable compiler: why (the column is reported as skipped, never as passed).
    Skipped(&'static str),
    /// The compiler failed: its output (every case of the column fails).
    BuildFailed(&'static str),
}

/// A plugin under test and the log lines it has produced.
pub struct Harness {
    /// The plugin.
    pub plugin: Plugin,
    /// Every log line the plugin emitted since the harness was made.
    pub logs: Arc<Mutex<Vec<String>>>,
}

/// A compiled guest whose log lines are captured.
pub struct Suite {
    module: Module,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Suite {
    /// Compile `wasm` once.
    pub fn load(engine: &Engine, wasm: &[u8]) -> Result<Suite, String> {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let module = cases::host_functions(Module::builder(engine))
            .allow_http(cases::http_grant(http_server()))
            .name("conformance")
            .log_handler(Arc::new(move |r: &LogRecord<'_>| {
                sink.lock().unwrap().push(r.message.to_string());
            }))
            .build(wasm)
            .map_err(|e| e.to_string())?;
        Ok(Suite { module, logs })
    }

    /// A fresh instance with an empty log.
    pub fn harness(&self) -> Result<Harness, String> {
        self.logs.lock().unwrap().clear();
        let plugin = self.module.instantiate().map_err(|e| e.to_string())?;
        Ok(Harness {
            plugin,
            logs: self.logs.clone(),
        })
    }

    /// Run every case (or those whose name contains `filter`), each on a fresh instance.
    pub fn run(&self, filter: Option<&str>) -> Vec<Outcome> {
        cases::all()
            .into_iter()
            .filter(|case| filter.is_none_or(|f| case.name.contains(f)))
            .map(|case| Outcome {
                case: case.name,
                result: self.harness().and_then(|mut h| (case.run)(&mut h)),
            })
            .collect()
    }
}

/// The outcome of one case.
#[derive(Debug)]
pub struct Outcome {
    /// The case's name.
    pub case: &'static str,
    /// `Err` with what went wrong.
    pub result: Result<(), String>,
}

/// Print one line per outcome under a heading; returns the number of failures.
pub fn report(guest: &str, outcomes: &[Outcome]) -> usize {
    println!("conformance: {guest}");
    let mut failed = 0;
    for o in outcomes {
        match &o.result {
            Ok(()) => println!("  ok    {}", o.case),
            Err(e) => {
                failed += 1;
                println!("  FAIL  {}: {e}", o.case);
            }
        }
    }
    failed
}
