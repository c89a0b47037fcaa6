//! `wabi inspect`: what a module is, what it needs, and whether it runs with the given grants.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use wabi_host::{Engine, Error, Plugin, ABI_VERSION};
use wabi_spec::names::{EXPORT_ABI_VERSION, IMPORT_HOST_CALL, IMPORT_MODULE};
use wasmtime::ExternType;

use crate::fail::{one_line, Failure, OK};
use crate::options::{plugin_name, read_module, Grants};

const WASI_P1: &str = "wasi_snapshot_preview1";

/// Print the report to stdout; the exit code is 0 when the plugin starts with these grants.
pub fn run(path: &Path, grants: &Grants) -> Result<u8, Failure> {
    let bytes = read_module(path)?;
    let engine = Engine::default();
    // Validation first: a module that is not a wabi guest gets the host's one-line reason.
    let module = grants.module(&engine, &plugin_name(path), &bytes)?;
    let raw = wasmtime::Module::new(engine.wasmtime(), &bytes)
        .map_err(|e| Failure::usage(one_line(&format!("cannot compile the module: {e:#}"))))?;

    let mut out = String::new();
    let mut row = |label: &str, text: &str| {
        let _ = writeln!(out, "{label:<10} {text}");
    };
    row(
        "module",
        &format!("{} ({})", path.display(), size(bytes.len() as u64)),
    );
    // The only instance inspect makes, under the same limits and grants as `wabi call`.
    let started = module.instantiate();
    row("abi", &abi_line(&started));
    let functions = module.functions();
    row(
        "functions",
        &if functions.is_empty() {
            "(none)".to_owned()
        } else {
            functions.join(", ")
        },
    );
    if let Some(pages) = raw.exports().find_map(|e| match e.ty() {
        ExternType::Memory(m) if e.name() == "memory" => Some(m.minimum()),
        _ => None,
    }) {
        row(
            "memory",
            &format!(
                "starts at {} ({pages} pages of 64 KiB)",
                size(pages * 65536)
            ),
        );
    }

    let mut imports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for import in raw.imports() {
        imports
            .entry(import.module().to_owned())
            .or_default()
            .push(import.name().to_owned());
    }
    if imports.is_empty() {
        row("imports", "(none)");
    }
    for (i, (m, names)) in imports.iter().enumerate() {
        row(
            if i == 0 { "imports" } else { "" },
            &format!("{m}: {}", names.join(", ")),
        );
    }
    let wasi: Vec<&str> = imports
        .get(WASI_P1)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default();
    row("wasi", &wasi_line(&wasi));
    row("grants", &grants.describe());
    let limits = grants.limits();
    row(
        "limits",
        &format!(
            "timeout {}, memory {}",
            limits
                .timeout
                .map_or("none".to_owned(), |t| format!("{t:?}")),
            size(limits.max_memory as u64)
        ),
    );

    let mut notes = Vec::new();
    let uses = |names: &[&str]| wasi.iter().any(|w| names.contains(w));
    if uses(&["path_open", "fd_readdir", "path_filestat_get"]) && grants.allow_dir.is_empty() {
        notes.push("it can open files, but no directory is granted, so file access fails: grant one with --allow-dir DIR[:ro]");
    }
    if uses(&["environ_get"]) && grants.env.is_empty() {
        notes.push(
            "it can read environment variables, and it sees none: grant them with --env KEY=VALUE",
        );
    }
    if imports
        .get(IMPORT_MODULE)
        .is_some_and(|n| n.iter().any(|n| n == IMPORT_HOST_CALL))
    {
        notes.push("it calls host functions (wabi.host_call); the wabi command registers none, so those calls return errors");
    }

    let code = match &started {
        Ok(_) => {
            row("runs", "yes: it starts with these grants and limits");
            OK
        }
        Err(e) => {
            let failure = Failure::from(e.clone());
            row("runs", &format!("no: {}", failure.message));
            failure.code
        }
    };
    for note in notes {
        row("note", note);
    }
    print!("{out}");
    Ok(code)
}

/// The guest's ABI version, as the started instance reported it (or as the host refused it).
fn abi_line(started: &Result<Plugin, Error>) -> String {
    match started {
        Ok(plugin) => format!(
            "wabi {} (this host implements {ABI_VERSION}: compatible)",
            plugin.abi_version()
        ),
        Err(Error::AbiVersion { guest, .. }) => {
            format!("wabi {guest} (this host implements {ABI_VERSION}: NOT compatible)")
        }
        Err(_) => format!(
            "unknown: the plugin did not start, so it could not be asked ({EXPORT_ABI_VERSION})"
        ),
    }
}

fn wasi_line(wasi: &[&str]) -> String {
    if wasi.is_empty() {
        return "no (needs no WASI at all)".into();
    }
    let has = |prefixes: &[&str]| {
        wasi.iter()
            .any(|w| prefixes.iter().any(|p| w.starts_with(p)))
    };
    let mut uses = Vec::new();
    for (what, prefixes) in [
        ("files", &["path_", "fd_readdir", "fd_prestat"][..]),
        ("environment", &["environ_"][..]),
        ("arguments", &["args_"][..]),
        ("clocks", &["clock_"][..]),
        ("randomness", &["random_"][..]),
        ("stdout/stderr", &["fd_write"][..]),
        ("sockets", &["sock_"][..]),
    ] {
        if has(prefixes) {
            uses.push(what);
        }
    }
    format!(
        "yes, preview 1 ({} functions; {})",
        wasi.len(),
        if uses.is_empty() {
            "nothing that needs a grant".to_owned()
        } else {
            uses.join(", ")
        }
    )
}

/// `1234 bytes`, `12.1 KiB`, `64 MiB`, `2.3 GiB`.
pub fn size(bytes: u64) -> String {
    let (value, unit) = match bytes {
        0..1024 => return format!("{bytes} bytes"),
        1024..0x10_0000 => (bytes as f64 / 1024.0, "KiB"),
        0x10_0000..0x4000_0000 => (bytes as f64 / 1048576.0, "MiB"),
        _ => (bytes as f64 / 1073741824.0, "GiB"),
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.trim_end_matches(".0"))
}
