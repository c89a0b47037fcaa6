//! Compile wabi guests to wasm from a `build.rs`, so that `cargo test` alone builds every plugin
//! a test or example needs (the approach of wasmtime's `test-programs`).
//!
//! ```no_run
//! // build.rs
//! let wasm = wabi_guest_build::RustGuests::new("guests")
//!     .target("wasm32-unknown-unknown")
//!     .build()
//!     .unwrap_or_else(|e| panic!("{e}"));
//! println!("cargo:rustc-env=MY_PLUGIN={}", wasm.join("my_plugin.wasm").display());
//! ```
#![deny(missing_docs)]

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A cargo workspace of guest crates, built for one wasm target in release mode.
pub struct RustGuests {
    workspace: PathBuf,
    target: String,
    target_dir: Option<PathBuf>,
}

impl RustGuests {
    /// The guest workspace at `dir` (relative to the calling crate's manifest directory).
    pub fn new(dir: impl AsRef<Path>) -> Self {
        RustGuests {
            workspace: manifest_dir().join(dir),
            target: "wasm32-unknown-unknown".into(),
            target_dir: None,
        }
    }

    /// The wasm target (default `wasm32-unknown-unknown`).
    pub fn target(mut self, target: &str) -> Self {
        self.target = target.into();
        self
    }

    /// Where cargo puts its output (default: `wasm-guests` beside the caller's `target`
    /// directory, shared by every build script so guests compile once).
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.target_dir = Some(dir.into());
        self
    }

    /// Build every crate of the workspace; returns the directory holding the `.wasm` files.
    pub fn build(self) -> Result<PathBuf, String> {
        println!("cargo:rerun-if-changed={}", self.workspace.display());
        let target_dir = self.target_dir.unwrap_or_else(default_target_dir);
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--release")
            .arg("--target")
            .arg(&self.target)
            .arg("--manifest-path")
            .arg(self.workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir);
        scrub_cargo_env(&mut cmd);
        run(
            &mut cmd,
            &format!(
                "cargo build for {} ({})",
                self.workspace.display(),
                self.target
            ),
        )?;
        Ok(target_dir.join(&self.target).join("release"))
    }
}

/// Which Go compiler builds a Go guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoCompiler {
    /// Mainline Go >= 1.24: `GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared`.
    Go,
    /// TinyGo >= 0.34 ([`TINYGO_MIN_VERSION`]), with [`TINYGO_FLAGS`]:
    /// `tinygo build -target=wasip1 -buildmode=c-shared -scheduler=none`.
    TinyGo,
}

/// The oldest TinyGo that can build a wabi Go guest: 0.34.0 added `//go:wasmexport` and
/// `-buildmode=c-shared` (older releases ignore the directive and reject the flag).
pub const TINYGO_MIN_VERSION: (u32, u32, u32) = (0, 34, 0);

/// The flags every TinyGo guest is built with, before `-o OUT .` (guest-sdk/go/README.md,
/// "TinyGo"): a WASI reactor (`_initialize`, no `_start`) without a goroutine scheduler.
pub const TINYGO_FLAGS: &[&str] = &["-target=wasip1", "-buildmode=c-shared", "-scheduler=none"];

impl GoCompiler {
    /// The command's name.
    pub fn command(self) -> &'static str {
        match self {
            GoCompiler::Go => "go",
            GoCompiler::TinyGo => "tinygo",
        }
    }

    /// The compiler's path, if it is on `PATH`.
    pub fn find(self) -> Option<PathBuf> {
        find_on_path(self.command())
    }
}

/// What [`build_go_guest`] or [`build_with_script`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestBuild {
    /// The module was built at this path.
    Built(PathBuf),
    /// The compiler cannot be used (not on `PATH`, a TinyGo older than
    /// [`TINYGO_MIN_VERSION`], a build script's toolchain missing), so nothing was built: why.
    /// Callers report the guest as skipped.
    Unavailable(String),
    /// The compiler ran and failed: the command, the compiler's version and its output.
    Failed(String),
}

/// Build the Go main package in `dir` (relative to the calling crate) to `out`.
/// `Ok(None)` means the compiler is not usable (see [`GuestBuild::Unavailable`]): the caller
/// reports the guest as skipped. See [`build_go_guest`] for the reason as well.
pub fn build_go(
    dir: impl AsRef<Path>,
    compiler: GoCompiler,
    out: &Path,
) -> Result<Option<PathBuf>, String> {
    match build_go_guest(dir, compiler, out) {
        GuestBuild::Built(path) => Ok(Some(path)),
        GuestBuild::Unavailable(_) => Ok(None),
        GuestBuild::Failed(e) => Err(e),
    }
}

/// Build the Go main package in `dir` (relative to the calling crate) to `out`, telling a
/// compiler that cannot be used apart from a build that failed.
pub fn build_go_guest(dir: impl AsRef<Path>, compiler: GoCompiler, out: &Path) -> GuestBuild {
    let dir = manifest_dir().join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-env-changed=PATH");
    let Some(exe) = compiler.find() else {
        return GuestBuild::Unavailable(format!("`{}` is not on PATH", compiler.command()));
    };
    let mut version = String::new();
    if compiler == GoCompiler::TinyGo {
        println!("cargo:rerun-if-env-changed=TINYGOROOT");
        version = tinygo_version(&exe);
        if let Some(v) = parse_tinygo_version(&version) {
            if v < TINYGO_MIN_VERSION {
                let (a, b, c) = TINYGO_MIN_VERSION;
                return GuestBuild::Unavailable(format!(
                    "{} is TinyGo {}.{}.{}, older than {a}.{b}.{c}, the first release with \
                     //go:wasmexport and -buildmode=c-shared that the Go guest SDK needs \
                     (`tinygo version`: {version})",
                    exe.display(),
                    v.0,
                    v.1,
                    v.2,
                ));
            }
        }
    }
    if let Some(parent) = out.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            return GuestBuild::Failed(format!("cannot create {}: {e}", parent.display()));
        }
    }
    let mut cmd = Command::new(&exe);
    cmd.current_dir(&dir)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod");
    match compiler {
        GoCompiler::Go => {
            cmd.env("GOOS", "wasip1")
                .env("GOARCH", "wasm")
                .args(["build", "-buildmode=c-shared", "-o"])
                .arg(out)
                .arg(".");
        }
        GoCompiler::TinyGo => {
            cmd.arg("build")
                .args(TINYGO_FLAGS)
                .arg("-o")
                .arg(out)
                .arg(".");
        }
    }
    let mut what = format!("`{}` in {}", command_line(&cmd), dir.display());
    if !version.is_empty() {
        what = format!("{what} [{version}]");
    }
    match run(&mut cmd, &what) {
        Ok(()) => GuestBuild::Built(out.to_path_buf()),
        Err(e) => GuestBuild::Failed(e),
    }
}

/// The first line of `tinygo version` (e.g. `tinygo version 0.35.0 linux/amd64 (using go
/// version go1.23.4 and LLVM version 18.1.2)`), or why there is none.
fn tinygo_version(exe: &Path) -> String {
    match Command::new(exe).arg("version").output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
        Ok(o) => format!(
            "`tinygo version` failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => format!("cannot run `tinygo version`: {e}"),
    }
}

/// The release in a `tinygo version` line: `tinygo version 0.35.0 linux/amd64 (...)` gives
/// (0, 35, 0), a development build such as `0.36.0-dev-abcd0123` its release numbers.
pub fn parse_tinygo_version(line: &str) -> Option<(u32, u32, u32)> {
    let rest = line.trim().strip_prefix("tinygo version ")?;
    let release = rest.split_whitespace().next()?.split(['-', '+']).next()?;
    let mut parts = release.split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = parts.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

/// The command as a shell line, for messages.
fn command_line(cmd: &Command) -> String {
    let mut line = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(cmd.get_program())
        .to_string_lossy()
        .into_owned();
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Build a guest with a build script of its SDK: `bash SCRIPT OUT` (relative to the calling
/// crate), which builds the guest to `OUT`. The script exits 127 when its toolchain is missing
/// (then [`GuestBuild::Unavailable`] with what it printed), any other failure is
/// [`GuestBuild::Failed`]. `watch` lists the directories whose changes rebuild the guest.
///
/// ```no_run
/// // build.rs
/// use wabi_guest_build::{build_with_script, GuestBuild};
/// let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("c-conformance.wasm");
/// match build_with_script("../guest-sdk/c/build-conformance.sh", &out, &["../guest-sdk/c"]) {
///     GuestBuild::Built(path) => println!("cargo:rustc-env=C_GUEST={}", path.display()),
///     GuestBuild::Unavailable(why) | GuestBuild::Failed(why) => panic!("{why}"),
/// }
/// ```
pub fn build_with_script(script: impl AsRef<Path>, out: &Path, watch: &[&str]) -> GuestBuild {
    let script = manifest_dir().join(script);
    for dir in watch {
        println!(
            "cargo:rerun-if-changed={}",
            manifest_dir().join(dir).display()
        );
    }
    println!("cargo:rerun-if-env-changed=PATH");
    if let Some(parent) = out.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            return GuestBuild::Failed(format!("cannot create {}: {e}", parent.display()));
        }
    }
    let mut cmd = Command::new("bash");
    cmd.arg(&script).arg(out);
    scrub_cargo_env(&mut cmd);
    let what = format!("`{}`", command_line(&cmd));
    match cmd.output() {
        Err(e) => GuestBuild::Unavailable(format!("{what}: cannot start bash: {e}")),
        Ok(o) if o.status.success() => GuestBuild::Built(out.to_path_buf()),
        Ok(o) if o.status.code() == Some(127) => {
            GuestBuild::Unavailable(String::from_utf8_lossy(&o.stderr).trim().to_string())
        }
        Ok(o) => GuestBuild::Failed(format!(
            "{what} failed ({}):\n{}\n{}",
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )),
    }
}

fn manifest_dir() -> PathBuf {
    env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `<workspace target dir>/wasm-guests`, found from `OUT_DIR` (`<target>/<profile>/build/<pkg>/out`).
fn default_target_dir() -> PathBuf {
    if let Some(out) = env::var_os("OUT_DIR") {
        let out = PathBuf::from(out);
        if let Some(target) = out
            .ancestors()
            .find(|p| p.file_name() == Some(OsStr::new("build")))
            .and_then(|b| b.parent())
            .and_then(|p| p.parent())
        {
            return target.join("wasm-guests");
        }
    }
    manifest_dir().join("target").join("wasm-guests")
}

/// Remove what the outer cargo sets for build scripts and must not leak into a nested build
/// for another target (flags, jobserver, internal switches).
fn scrub_cargo_env(cmd: &mut Command) {
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if key.starts_with("CARGO_ENCODED_RUSTFLAGS")
            || key == "RUSTFLAGS"
            || key.starts_with("CARGO_BUILD_")
            || key == "CARGO_TARGET_DIR"
            || key == "CARGO_MAKEFLAGS"
            || key.starts_with("CARGO_PROFILE_")
            || key.starts_with("__CARGO")
            || key == "RUSTC_WORKSPACE_WRAPPER"
        {
            cmd.env_remove(key);
        }
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let output = cmd
        .output()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build script's exit code decides the column: 0 built, 127 toolchain missing (skipped,
    /// with what it printed), anything else failed (with its output).
    #[test]
    fn build_scripts_are_built_unavailable_or_failed() {
        let dir = std::env::temp_dir().join(format!("wabi-guest-build-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, body).unwrap();
            path
        };
        let out = dir.join("out/guest.wasm");
        let ok = script("ok.sh", "printf '\\0asm' > \"$1\"\n");
        assert_eq!(
            build_with_script(&ok, &out, &[]),
            GuestBuild::Built(out.clone())
        );
        assert!(
            out.is_file(),
            "the script wrote OUT, in a directory made for it"
        );

        let missing = script("missing.sh", "echo 'install zig first' >&2; exit 127\n");
        assert_eq!(
            build_with_script(&missing, &out, &[]),
            GuestBuild::Unavailable("install zig first".into())
        );

        let broken = script(
            "broken.sh",
            "echo compiling; echo 'error: bad' >&2; exit 3\n",
        );
        match build_with_script(&broken, &out, &[]) {
            GuestBuild::Failed(why) => {
                assert!(why.contains("broken.sh"), "{why}");
                assert!(why.contains("exit status: 3"), "{why}");
                assert!(
                    why.contains("compiling") && why.contains("error: bad"),
                    "{why}"
                );
            }
            other => panic!("want Failed, got {other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn tinygo_versions() {
        let line =
            "tinygo version 0.35.0 linux/amd64 (using go version go1.23.4 and LLVM version 18.1.2)";
        assert_eq!(parse_tinygo_version(line), Some((0, 35, 0)));
        let dev = "tinygo version 0.36.0-dev-abcd0123 darwin/arm64 (using go version go1.24.0 and LLVM version 19.1.2)";
        assert_eq!(parse_tinygo_version(dev), Some((0, 36, 0)));
        assert!(
            parse_tinygo_version("tinygo version 0.33.0 linux/amd64 (x)").unwrap()
                < TINYGO_MIN_VERSION
        );
        assert_eq!(
            parse_tinygo_version("go version go1.24.11 linux/amd64"),
            None
        );
        assert_eq!(parse_tinygo_version("tinygo version unknown"), None);
    }
}
