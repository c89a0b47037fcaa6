//! `wabi`: call, inspect and check wabi WebAssembly plugins from the shell.
//!
//! Exit codes: 0 success, 1 the guest returned an error, 2 usage or load error, 3 the guest
//! trapped, panicked or hit a limit.

mod fail;
mod inspect;
mod json;
mod options;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wabi_host::Engine;

#[cfg(feature = "conformance")]
use crate::fail::GUEST_ERROR;
use crate::fail::{one_line, Failure, OK, USAGE};
use crate::json::{ArgList, BytesAs, JsonOut};
use crate::options::{plugin_name, read_module, Grants};

/// Where `scripts/demo` (or `cargo build -p wabi-examples`) puts the example plugin.
macro_rules! gateway {
    () => {
        "target/wasm-guests/wasm32-unknown-unknown/release/gateway.wasm"
    };
}

const MAIN_EXAMPLES: &str = concat!(
    "Examples (the gateway plugin is built by scripts/demo):\n",
    "  wabi call ",
    gateway!(),
    " transform '{\"method\":\"GET\",\"path\":\"/api/users\",\"headers\":{}}' --config block_prefix=/admin\n",
    "  wabi inspect ",
    gateway!(),
    "\n\nExit codes: 0 success, 1 the guest returned an error, 2 usage or load error, 3 trap, panic or limit."
);

const CALL_EXAMPLES: &str = concat!(
    "Arguments (ARGS_JSON, --input-file, or `-` for stdin):\n",
    "  a JSON array is the argument list, any other JSON value is the one argument:\n",
    "    (nothing) or []   no arguments (the guest receives an empty input)\n",
    "    42  or  [42]      one argument: the value itself\n",
    "    [1, 2]            two arguments: sent as a MessagePack array of 2\n",
    "    [[1, 2]]          one argument that is a list\n",
    "  bytes parameters take arrays of numbers (0-255); byte strings in results print the same\n",
    "  way, or as strings with --bytes text when they are UTF-8.\n",
    "\n",
    "Output: the result as JSON on stdout (pretty on a terminal, compact when piped). When the\n",
    "guest returns an error, its message goes to stderr and its value, if any, as JSON to stdout.\n",
    "--raw calls a raw function: stdin (or --input-file) bytes in, the output bytes to stdout.\n",
    "\n",
    "Exit codes: 0 success, 1 the guest returned an error, 2 usage or load error (bad file, bad\n",
    "JSON, arguments that do not fit), 3 trap, panic or limit (--timeout, --memory).\n",
    "\n",
    "Examples:\n",
    "  wabi call ",
    gateway!(),
    " transform \\\n",
    "      '{\"method\":\"GET\",\"path\":\"/api/users\",\"headers\":{\"x-debug\":\"1\"}}' --config block_prefix=/admin\n",
    "  echo '{\"method\":\"GET\",\"path\":\"/admin\"}' | wabi call ",
    gateway!(),
    " transform - --config block_prefix=/admin\n",
    "  wabi call plugin.wasm add '[2, 3]' --timeout 100ms --memory 64MiB\n",
    "  wabi call plugin.wasm reverse --raw < input.bin > output.bin\n",
    "  wabi call plugin.wasm read_file '\"/data/a.txt\"' --allow-dir /data:ro --env MODE=test\n",
    "  wabi call plugin.wasm check '\"token\"' --allow-http https://auth.example.com --http-timeout 500ms\n",
    "  wabi call plugin.wasm lookup 7 --allow-http http://127.0.0.1:9100 --allow-http-address 127.0.0.1"
);

const INSPECT_EXAMPLES: &str = concat!(
    "Shows the ABI version, the exported functions, the imports and WASI use, the size, and\n",
    "whether the plugin starts with the grants and limits given (exit 0 if it does).\n",
    "\n",
    "Examples:\n",
    "  wabi inspect ",
    gateway!(),
    "\n",
    "  wabi inspect plugin.wasm --allow-dir ./data:ro --memory 16MiB"
);

#[cfg(feature = "conformance")]
const CONFORMANCE_EXAMPLES: &str = "Runs every case of the wabi conformance suite against a guest that exports the conformance\nfunctions (see tests/README.md). Exit 0 when all pass, 1 when any fails, 2 when the guest\ncannot be loaded.\n\nExamples:\n  wabi conformance target/wasm-guests/wasm32-unknown-unknown/release/rust_conformance.wasm\n  wabi conformance my-guest.wasm string      # only the cases whose name contains `string`";

#[derive(Parser)]
#[command(
    name = "wabi",
    version,
    about = "Call, inspect and check wabi WebAssembly plugins.",
    after_help = MAIN_EXAMPLES,
    arg_required_else_help = true,
    // Never re-wrap: the examples must stay copy-pasteable.
    term_width = 0
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Call a function of a plugin: JSON in, MessagePack across, JSON out.
    #[command(after_help = CALL_EXAMPLES)]
    Call {
        /// The plugin (.wasm; .wat text works too).
        module: PathBuf,
        /// The exported function to call.
        function: String,
        /// The arguments as JSON (see below); `-` reads them from stdin. Default: none.
        #[arg(value_name = "ARGS_JSON", conflicts_with_all = ["input_file", "raw"])]
        args: Option<String>,
        /// Read the arguments (JSON, or raw bytes with --raw) from this file.
        #[arg(long, value_name = "FILE")]
        input_file: Option<PathBuf>,
        /// Call a raw function: input bytes from stdin or --input-file, output bytes to stdout.
        #[arg(long)]
        raw: bool,
        /// Pretty-print the JSON result even when stdout is not a terminal.
        #[arg(long)]
        pretty: bool,
        /// How byte strings in the result are written: arrays of numbers, or strings when they
        /// are UTF-8 text.
        #[arg(long, value_enum, value_name = "AS", default_value_t = BytesAs::Array)]
        bytes: BytesAs,
        #[command(flatten)]
        grants: Grants,
    },
    /// Describe a plugin and check that it starts with the given grants.
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect {
        /// The plugin (.wasm).
        module: PathBuf,
        #[command(flatten)]
        grants: Grants,
    },
    /// Run the wabi conformance suite against a guest.
    #[cfg(feature = "conformance")]
    #[command(after_help = CONFORMANCE_EXAMPLES)]
    Conformance {
        /// The conformance guest (.wasm).
        module: PathBuf,
        /// Only run the cases whose name contains this text.
        filter: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // How a guest error's value is printed: like a result.
    let (mut bytes_as, mut force_pretty) = (BytesAs::Array, false);
    let result = match cli.command {
        Command::Call {
            module,
            function,
            args,
            input_file,
            raw,
            pretty,
            bytes,
            grants,
        } => {
            (bytes_as, force_pretty) = (bytes, pretty);
            call(CallRequest {
                module,
                function,
                args,
                input_file,
                raw,
                pretty,
                bytes,
                grants,
            })
        }
        Command::Inspect { module, grants } => inspect::run(&module, &grants),
        #[cfg(feature = "conformance")]
        Command::Conformance { module, filter } => conformance(&module, filter.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            if let Some(value) = &failure.value {
                let pretty = force_pretty || pretty_stdout();
                let _ = json::write(&mut std::io::stdout().lock(), value, pretty, bytes_as);
            }
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Help and version go to stdout (exit 0); every other clap error becomes one line (exit 2).
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(USAGE)
        }
        _ => {
            let text = e.render().to_string();
            let text = text.split("\n\nUsage:").next().unwrap_or(&text);
            let text = text
                .split("\n\nFor more information")
                .next()
                .unwrap_or(text);
            let text = one_line(text.trim_start_matches("error:"));
            let command = std::env::args()
                .nth(1)
                .filter(|c| ["call", "inspect", "conformance"].contains(&c.as_str()))
                .map_or("wabi".to_owned(), |c| format!("wabi {c}"));
            eprintln!("error: {text} (see `{command} --help`)");
            ExitCode::from(USAGE)
        }
    }
}

fn pretty_stdout() -> bool {
    std::io::stdout().is_terminal()
}

struct CallRequest {
    module: PathBuf,
    function: String,
    args: Option<String>,
    input_file: Option<PathBuf>,
    raw: bool,
    pretty: bool,
    bytes: BytesAs,
    grants: Grants,
}

/// The input of a call: JSON text or raw bytes, from the argument, a file, or stdin.
fn read_input(req: &CallRequest) -> Result<Vec<u8>, Failure> {
    if let Some(file) = &req.input_file {
        return std::fs::read(file).map_err(|e| {
            Failure::usage(format!(
                "cannot read the input file {}: {}; check the path",
                file.display(),
                one_line(&e.to_string())
            ))
        });
    }
    match req.args.as_deref() {
        Some(text) if text != "-" => Ok(text.as_bytes().to_vec()),
        // No arguments at all, unless a raw call reads its bytes from stdin.
        None if !req.raw => Ok(Vec::new()),
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
            Ok(buf)
        }
    }
}

/// Parse the JSON arguments, with a message that says how to write them.
fn parse_args(input: &[u8]) -> Result<Vec<serde_json::Value>, Failure> {
    let text = std::str::from_utf8(input).map_err(|_| {
        Failure::usage("the arguments are not UTF-8 text; pass JSON, or use --raw for bytes")
    })?;
    let text = if text.trim().is_empty() { "[]" } else { text };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Failure::usage(format!(
            "the arguments are not valid JSON ({e}); pass a JSON value such as '\"text\"' (with the quotes), 42 or '{{\"key\": 1}}', or an array for several arguments"
        ))
    })?;
    Ok(json::arguments(value))
}

fn call(req: CallRequest) -> Result<u8, Failure> {
    let bytes = read_module(&req.module)?;
    let input = read_input(&req)?;
    let args = if req.raw {
        None
    } else {
        Some(parse_args(&input)?)
    };
    let engine = Engine::default();
    let module = req
        .grants
        .module(&engine, &plugin_name(&req.module), &bytes)?;
    let mut plugin = module.instantiate()?;
    let mut stdout = std::io::stdout().lock();
    let written = match args {
        None => {
            let output = plugin.call_raw(&req.function, &input)?;
            stdout.write_all(&output)
        }
        Some(args) => {
            let result: JsonOut = if args.is_empty() {
                plugin.call(&req.function, ())?
            } else {
                plugin.call(&req.function, ArgList(&args))?
            };
            json::write(
                &mut stdout,
                &result,
                req.pretty || pretty_stdout(),
                req.bytes,
            )
        }
    };
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => Ok(OK),
        // A closed pipe (`wabi call ... | head -c1`) is not the guest's fault.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(OK),
        Err(e) => Err(Failure {
            code: USAGE,
            message: format!("cannot write the result: {e}"),
            value: None,
        }),
    }
}

#[cfg(feature = "conformance")]
fn conformance(path: &std::path::Path, filter: Option<&str>) -> Result<u8, Failure> {
    let bytes = read_module(path)?;
    let suite = wabi_conformance::Suite::load(&Engine::default(), &bytes)
        .map_err(|e| Failure::usage(one_line(&format!("{}: {e}", path.display()))))?;
    let outcomes = suite.run(filter);
    let failed = wabi_conformance::report(&path.display().to_string(), &outcomes);
    println!("{} passed, {} failed", outcomes.len() - failed, failed);
    Ok(if failed == 0 { OK } else { GUEST_ERROR })
}
