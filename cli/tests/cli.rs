//! The real `wabi` binary on the example guests: every command, every error path, every exit
//! code.
//!
//! Guests: the gateway plugin (Rust, and Go when it was built) and `misbehave`, a WASI plugin
//! with one function per outcome (`examples/guests/misbehave`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

const GATEWAY: &str = wabi_examples::GATEWAY_WASM;
const MISBEHAVE: &str = wabi_examples::MISBEHAVE_WASM;
const REQUEST: &str =
    r#"{"method":"GET","path":"/api/users?id=7","headers":{"host":"example.com","x-debug":"1"}}"#;
const FORWARDED: &str = r#"{"Forward":{"method":"GET","path":"/users?id=7","headers":{"host":"example.com","x-gateway":"wabi","x-original-path":"/api/users?id=7"},"body":[]}}"#;

fn wabi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wabi"));
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Exactly one line on stderr, starting with `error: `, that contains `text`; nothing that
/// looks like a Rust panic or a debug dump.
fn one_error_line(text: &'static str) -> impl Predicate<str> {
    predicate::function(move |stderr: &str| {
        let lines: Vec<&str> = stderr.lines().collect();
        lines.len() == 1
            && lines[0].starts_with("error: ")
            && lines[0].contains(text)
            && !stderr.contains("panicked at")
            && !stderr.contains("RUST_BACKTRACE")
            && !stderr.contains(" { ")
    })
}

// ---- wabi call: success ------------------------------------------------------------------

#[test]
fn call_transforms_a_request() {
    wabi()
        .args(["call", GATEWAY, "transform", REQUEST])
        .assert()
        .code(0)
        .stdout(format!("{FORWARDED}\n"))
        .stderr("");
}

#[test]
fn call_passes_configuration() {
    wabi()
        .args(["call", GATEWAY, "transform"])
        .arg(r#"{"method":"DELETE","path":"/admin/users"}"#)
        .args(["--config", "block_prefix=/admin", "--bytes", "text"])
        .assert()
        .code(0)
        .stdout(concat!(
            r#"{"Respond":{"status":403,"headers":{"content-type":"text/plain; charset=utf-8","x-blocked-by":"wabi-gateway"},"#,
            r#""body":"blocked: /admin/users matches the rule /admin\n"}}"#,
            "\n"
        ));
}

#[test]
fn the_go_gateway_answers_like_the_rust_one() {
    let Some(go) = wabi_examples::GATEWAY_GO_WASM else {
        eprintln!("note: the Go gateway was not built (no `go` on PATH)");
        return;
    };
    wabi()
        .args(["call", go, "transform", REQUEST])
        .assert()
        .code(0)
        .stdout(format!("{FORWARDED}\n"));
}

#[test]
fn call_reads_arguments_from_stdin_and_files() {
    wabi()
        .args(["call", GATEWAY, "transform", "-"])
        .write_stdin(REQUEST)
        .assert()
        .code(0)
        .stdout(format!("{FORWARDED}\n"));
    wabi()
        .args(["call", MISBEHAVE, "add", "--input-file"])
        .arg(fixture("add-args.json"))
        .assert()
        .code(0)
        .stdout("5\n");
}

#[test]
fn call_applies_the_argument_list_rule() {
    let call = |f: &str, args: &[&str], out: &str| {
        wabi()
            .args(["call", MISBEHAVE, f])
            .args(args)
            .assert()
            .code(0)
            .stdout(format!("{out}\n"));
    };
    call("answer", &[], "42"); // no ARGS_JSON: no arguments
    call("answer", &["[]"], "42");
    call("add", &["[2, 3]"], "5"); // an array of N is N arguments
    call("sum", &["[[1, 2, 3]]"], "6"); // one list argument
    call("config", &["\"missing\""], "null"); // any other value is the one argument
    call("config", &["[\"missing\"]"], "null");
    call("echo_bytes", &["[[104, 105]]"], "[104,105]"); // bytes: arrays of numbers
}

#[test]
fn call_prints_bytes_as_text_on_request_and_pretty_json() {
    wabi()
        .args([
            "call",
            MISBEHAVE,
            "echo_bytes",
            "[[104, 105]]",
            "--bytes",
            "text",
        ])
        .assert()
        .code(0)
        .stdout("\"hi\"\n");
    wabi()
        .args(["call", GATEWAY, "transform", REQUEST, "--pretty"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "{\n  \"Forward\": {\n    \"method\": \"GET\",\n",
        ))
        .stdout(contains("    \"body\": []\n  }\n}\n"));
}

#[test]
fn call_raw_passes_bytes_through() {
    wabi()
        .args(["call", MISBEHAVE, "reverse", "--raw"])
        .write_stdin(&[1u8, 2, 0, 255][..])
        .assert()
        .code(0)
        .stdout(predicate::eq(&[255u8, 0, 2, 1][..]));
    wabi()
        .args(["call", MISBEHAVE, "reverse", "--raw", "--input-file"])
        .arg(fixture("not-wasm.txt"))
        .assert()
        .code(0)
        .stdout("\n.ylbmessAbeW ton ,elif txet a si sihT");
}

#[test]
fn call_grants_environment_and_directories() {
    wabi()
        .args([
            "call",
            MISBEHAVE,
            "env_var",
            "\"MODE\"",
            "--env",
            "MODE=strict",
        ])
        .assert()
        .code(0)
        .stdout("\"strict\"\n");
    // Nothing is granted by default.
    wabi()
        .args(["call", MISBEHAVE, "env_var", "\"HOME\""])
        .assert()
        .code(0)
        .stdout("null\n");
    let dir = fixture("");
    let dir = dir.to_str().unwrap().trim_end_matches('/');
    let file = format!("\"{dir}/add-args.json\"");
    wabi()
        .args(["call", MISBEHAVE, "read_file", &file, "--allow-dir"])
        .arg(format!("{dir}:ro"))
        .assert()
        .code(0)
        .stdout("\"[2, 3]\\n\"\n");
    // Without the grant the guest cannot open it, and says so (its own error: exit 1).
    wabi()
        .args(["call", MISBEHAVE, "read_file", &file])
        .assert()
        .code(1)
        .stderr(one_error_line("cannot read"));
}

// ---- wabi call: exit 1, the guest returned an error --------------------------------------

#[test]
fn a_guest_error_exits_1_with_its_message_and_value() {
    wabi()
        .args(["call", MISBEHAVE, "fail", "\"no stock\""])
        .assert()
        .code(1)
        .stdout("{\"code\":42,\"reason\":\"no stock\"}\n")
        .stderr(one_error_line(
            "`fail` returned an error: app error 42: no stock",
        ));
    wabi()
        .args(["call", MISBEHAVE, "fail_plain"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(one_error_line(
            "`fail_plain` returned an error: plain failure",
        ));
}

// ---- wabi call: exit 2, usage and load errors --------------------------------------------

#[test]
fn a_missing_file_exits_2() {
    wabi()
        .args(["call", "no/such/plugin.wasm", "f"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(one_error_line(
            "cannot read the module no/such/plugin.wasm: no such file",
        ));
    wabi()
        .args(["call"])
        .arg(fixture(""))
        .arg("f")
        .assert()
        .code(2)
        .stderr(one_error_line("it is a directory"));
}

#[test]
fn a_file_that_is_not_wasm_exits_2() {
    wabi()
        .arg("call")
        .arg(fixture("not-wasm.txt"))
        .arg("f")
        .assert()
        .code(2)
        .stderr(one_error_line("is not a WebAssembly module"));
    wabi()
        .arg("call")
        .arg(fixture("truncated.wasm"))
        .arg("f")
        .assert()
        .code(2)
        .stderr(one_error_line("cannot compile the wasm module"));
}

#[test]
fn a_module_that_is_not_a_wabi_guest_exits_2() {
    wabi()
        .arg("call")
        .arg(fixture("not-a-guest.wasm"))
        .arg("f")
        .assert()
        .code(2)
        .stderr(one_error_line("so it is not a wabi guest"));
    wabi()
        .arg("call")
        .arg(fixture("needs-env.wat"))
        .arg("f")
        .assert()
        .code(2)
        .stderr(one_error_line("imports `env::printf`"));
}

#[test]
fn invalid_json_exits_2() {
    wabi()
        .args(["call", GATEWAY, "transform", "{method: GET}"])
        .assert()
        .code(2)
        .stderr(one_error_line("the arguments are not valid JSON"));
    wabi()
        .args(["call", MISBEHAVE, "config", "hello"])
        .assert()
        .code(2)
        .stderr(one_error_line("with the quotes"));
}

#[test]
fn json_that_does_not_fit_exits_2() {
    for args in [r#""GET /""#, r#"{"method":"GET"}"#, "[1, 2, 3]"] {
        wabi()
            .args(["call", GATEWAY, "transform", args])
            .assert()
            .code(2)
            .stderr(one_error_line("does not fit the function's parameters"));
    }
    wabi()
        .args(["call", MISBEHAVE, "add", "[1]"])
        .assert()
        .code(2)
        .stderr(one_error_line("does not fit"));
}

#[test]
fn an_unknown_function_exits_2_and_lists_the_exports() {
    wabi()
        .args(["call", GATEWAY, "transfrom", "{}"])
        .assert()
        .code(2)
        .stderr(one_error_line(
            "exports no function `transfrom`; it exports: transform",
        ));
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["call"], "required arguments were not provided"),
        (
            &["call", GATEWAY, "transform", "--timeout", "5"],
            "is not a duration",
        ),
        (
            &["call", GATEWAY, "transform", "--memory", "lots"],
            "is not a size",
        ),
        (
            &["call", GATEWAY, "transform", "--config", "novalue"],
            "is not KEY=VALUE",
        ),
        (
            &["call", GATEWAY, "transform", "--frobnicate"],
            "unexpected argument '--frobnicate'",
        ),
        (
            &["call", GATEWAY, "transform", "{}", "--raw"],
            "cannot be used with '--raw'",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, says) in cases {
        wabi()
            .args(*args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(one_error_line(says));
    }
    wabi()
        .args([
            "call",
            GATEWAY,
            "transform",
            "--input-file",
            "no/such/input.json",
        ])
        .assert()
        .code(2)
        .stderr(one_error_line(
            "cannot read the input file no/such/input.json",
        ));
    wabi()
        .args(["call", MISBEHAVE, "answer", "--allow-dir", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(one_error_line("directory no/such/dir: it does not exist"));
}

// ---- wabi call: exit 3, trap, panic or limit ---------------------------------------------

#[test]
fn traps_panics_and_limits_exit_3() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["trap"],
            "`trap` trapped: wasm trap: wasm `unreachable` instruction executed",
        ),
        (&["boom"], "`boom` panicked: boom on purpose at "),
        (
            &["spin", "--timeout", "100ms"],
            "`spin` timed out after 100ms; raise the limit with --timeout",
        ),
        (
            &["grow", "64", "--memory", "16MiB"],
            "`grow` hit the memory limit",
        ),
    ];
    for (args, says) in cases {
        wabi()
            .args(["call", MISBEHAVE])
            .args(*args)
            .assert()
            .code(3)
            .stdout("")
            .stderr(one_error_line(says));
    }
    // Within the limit, the same call succeeds.
    wabi()
        .args(["call", MISBEHAVE, "grow", "4", "--memory", "16MiB"])
        .assert()
        .code(0)
        .stdout("4194304\n");
}

/// One rule for start-up: the guest's code faulting while the instance starts (a trap, a
/// panic, a limit, in its start function or `_initialize`) exits 3 like the same fault in a
/// call; a module that cannot be a plugin at all (here: a WASI command) exits 2. Both commands
/// start the instance under the same limits, and no message shows an empty function name.
#[test]
fn start_up_faults_exit_3_under_the_limits_for_call_and_inspect() {
    let no_empty_name = || predicate::function(|s: &str| !s.contains("``"));
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "start-grows-memory.wat",
            &["--memory", "16MiB"],
            "in instantiation (the start function): the guest hit the memory limit: it asked for 16842752 bytes, the limit is 16777216; raise the limit with --memory",
        ),
        (
            "start-loops.wat",
            &["--timeout", "100ms"],
            "in instantiation (the start function): the guest timed out after 100ms; raise the limit with --timeout",
        ),
        (
            "start-traps.wat",
            &[],
            "in instantiation (the start function): the guest trapped: wasm trap: wasm `unreachable` instruction executed",
        ),
        (
            "initialize-traps.wat",
            &[],
            "in `_initialize`: `_initialize` trapped: wasm trap: wasm `unreachable`",
        ),
    ];
    for (file, limits, says) in cases {
        let start = std::time::Instant::now();
        wabi()
            .args(["call"])
            .arg(fixture(file))
            .arg("ok")
            .args(*limits)
            .assert()
            .code(3)
            .stdout("")
            .stderr(one_error_line(says))
            .stderr(no_empty_name());
        let out = wabi()
            .arg("inspect")
            .arg(fixture(file))
            .args(*limits)
            .assert()
            .code(3)
            .stdout(contains(
                "runs       no: the plugin failed while starting, in ",
            ))
            .stdout(contains(*says))
            .stdout(contains("abi        unknown: the plugin did not start"))
            .stdout(no_empty_name());
        // No raw wasm backtrace in the report.
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(!stdout.contains("wasm backtrace"), "{stdout}");
        // Both commands stopped at the limits (before, inspect ran a start function for ~10 s).
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "{file}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn a_wasi_command_exits_2_and_names_the_fix() {
    for command in ["call", "inspect"] {
        let mut cmd = wabi();
        cmd.arg(command).arg(fixture("command.wat"));
        if command == "call" {
            cmd.arg("ok");
        }
        cmd.assert()
            .code(2)
            .stdout("")
            .stderr(one_error_line(
                "the module exports `_start`, so it is a WASI command (a program), not a plugin library",
            ))
            .stderr(contains("-buildmode=c-shared"));
    }
}

// ---- wabi inspect ------------------------------------------------------------------------

#[test]
fn inspect_describes_a_plugin() {
    wabi()
        .args(["inspect", GATEWAY])
        .assert()
        .code(0)
        .stdout(contains("abi        wabi 1."))
        .stdout(contains("compatible"))
        .stdout(contains("functions  transform\n"))
        .stdout(contains("imports    wabi: "))
        .stdout(contains("wasi       no (needs no WASI at all)"))
        .stdout(contains("grants     none"))
        .stdout(contains("runs       yes"));
    wabi()
        .args(["inspect", MISBEHAVE, "--env", "MODE=x", "--config", "k=v"])
        .assert()
        .code(0)
        .stdout(contains(
            "add, answer, boom, config, echo_bytes, env_var, fail,",
        ))
        .stdout(contains("wasi_snapshot_preview1: "))
        .stdout(contains("wasi       yes, preview 1"))
        .stdout(contains("grants     env MODE, config k=v"))
        .stdout(contains(
            "note       it can open files, but no directory is granted",
        ))
        .stdout(contains("runs       yes"));
}

#[test]
fn inspect_reports_a_plugin_that_cannot_start_with_the_grants() {
    wabi()
        .args(["inspect", MISBEHAVE, "--memory", "64KiB"])
        .assert()
        .code(3)
        .stdout(contains("runs       no: "))
        .stdout(contains("memory limit"));
}

#[test]
fn inspect_refuses_what_is_not_a_guest_with_one_line() {
    wabi()
        .arg("inspect")
        .arg(fixture("not-wasm.txt"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(one_error_line("is not a WebAssembly module"));
    wabi()
        .arg("inspect")
        .arg(fixture("not-a-guest.wasm"))
        .assert()
        .code(2)
        .stderr(one_error_line("not a wabi guest"));
    wabi()
        .args(["inspect", "no/such/plugin.wasm"])
        .assert()
        .code(2)
        .stderr(one_error_line("no such file"));
}

#[test]
fn inspect_reads_the_go_gateway() {
    let Some(go) = wabi_examples::GATEWAY_GO_WASM else {
        return;
    };
    wabi()
        .args(["inspect", go])
        .assert()
        .code(0)
        .stdout(contains("compatible"))
        .stdout(contains("functions  transform\n"))
        .stdout(contains("wasi       yes"));
}

// ---- help --------------------------------------------------------------------------------

#[test]
fn every_help_shows_an_example() {
    for args in [
        &["--help"][..],
        &["call", "--help"],
        &["inspect", "--help"],
        &["help", "call"],
    ] {
        wabi()
            .args(args)
            .assert()
            .code(0)
            .stdout(contains("Example"))
            .stdout(contains("gateway.wasm"));
    }
    wabi()
        .args(["call", "--help"])
        .assert()
        .stdout(contains("[[1, 2]]"))
        .stdout(contains(
            "Exit codes: 0 success, 1 the guest returned an error, 2 usage",
        ));
    wabi()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(contains("wabi "));
    // No command at all: the help, on stderr, and a usage exit code.
    wabi()
        .assert()
        .code(2)
        .stderr(contains("Usage: wabi <COMMAND>"));
}

/// The gateway examples in the help texts run as written, from the workspace root (when the
/// example plugin lives where the help says, i.e. the target directory is the default one).
#[test]
fn the_help_examples_work() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    if !Path::new(GATEWAY).starts_with(root.join("target")) {
        eprintln!("note: CARGO_TARGET_DIR is not target/: skipping");
        return;
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_wabi")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for args in [&["--help"][..], &["call", "--help"], &["inspect", "--help"]] {
        let help = wabi().args(args).output().unwrap().stdout;
        let help = String::from_utf8(help).unwrap().replace("\\\n", "");
        for line in help.lines().map(str::trim) {
            if !(line.contains("wabi call target/") || line.contains("wabi inspect target/")) {
                continue;
            }
            let out = std::process::Command::new("bash")
                .args(["-c", line])
                .current_dir(root)
                .env("PATH", &path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "`{line}` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 4, "only {ran} examples found");
}

#[cfg(feature = "conformance")]
#[test]
fn conformance_runs_the_suite() {
    let Ok(guest) = wabi_conformance::guests::RUST_UNKNOWN else {
        return;
    };
    wabi()
        .args(["conformance", guest, "string_unicode"])
        .assert()
        .code(0)
        .stdout(contains("ok    string_unicode"))
        .stdout(contains(" passed, 0 failed"));
    wabi()
        .args(["conformance", GATEWAY])
        .assert()
        .code(1)
        .stdout(contains("FAIL"));
}

// ---- wabi call --allow-http ----------------------------------------------------------------

/// The guest that hands its input to `wabi.http_request` and answers the host's answer.
fn http_guest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../host-sdk/tests/common/http_fetch.wat")
}

/// A server on 127.0.0.1 that answers `count` requests with `hello`, then stops.
fn hello_server(count: usize) -> std::net::SocketAddr {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(count).flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 5\r\n\r\nhello",
            );
        }
    });
    addr
}

#[test]
fn call_allow_http_grants_the_listed_host_and_nothing_else() {
    let addr = hello_server(1);
    let request = format!(r#"{{"method":"GET","url":"http://{addr}/hi","headers":[],"body":[]}}"#);
    let guest = http_guest();
    let guest = guest.to_str().unwrap();
    wabi()
        .args(["call", guest, "fetch", &request, "--bytes", "text"])
        .args([
            "--allow-http",
            &format!("http://{addr}"),
            "--allow-http-address",
            "127.0.0.1",
        ])
        .assert()
        .code(0)
        .stdout(contains(r#""status":200"#).and(contains(r#""body":"hello""#)));
    // Without the grant: the guest's error (exit 1) says why.
    wabi()
        .args(["call", guest, "fetch", &request])
        .assert()
        .code(1)
        .stderr(contains("no HTTP grant"));
    // The host allowed, but not its loopback address.
    wabi()
        .args([
            "call",
            guest,
            "fetch",
            &request,
            "--allow-http",
            &format!("http://{addr}"),
        ])
        .assert()
        .code(1)
        .stderr(contains("loopback").and(contains("allow_addresses")));
}

#[test]
fn call_allow_http_refuses_a_bad_pattern_with_one_line() {
    let guest = http_guest();
    wabi()
        .args([
            "call",
            guest.to_str().unwrap(),
            "fetch",
            "{}",
            "--allow-http",
            "ftp://x.example",
        ])
        .assert()
        .code(2)
        .stderr(contains("http or https"));
    wabi()
        .args([
            "call",
            guest.to_str().unwrap(),
            "fetch",
            "{}",
            "--http-timeout",
            "1s",
        ])
        .assert()
        .code(2)
        .stderr(contains("--allow-http"));
}
