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
    /// TinyGo >= 0.35: `tinygo build -target=wasip1 -buildmode=c-shared -scheduler=none`.
    TinyGo,
}

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

/// Build the Go main package in `dir` (relative to the calling crate) to `out`.
/// `Ok(None)` means the compiler is not installed: the caller reports the guest as skipped.
pub fn build_go(
    dir: impl AsRef<Path>,
    compiler: GoCompiler,
    out: &Path,
) -> Result<Option<PathBuf>, String> {
    let dir = manifest_dir().join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-env-changed=PATH");
    let Some(exe) = compiler.find() else {
        return Ok(None);
    };
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut cmd = Command::new(exe);
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
            cmd.args([
                "build",
                "-target=wasip1",
                "-buildmode=c-shared",
                "-scheduler=none",
                "-o",
            ])
            .arg(out)
            .arg(".");
        }
    }
    run(
        &mut cmd,
        &format!("{} build of {}", compiler.command(), dir.display()),
    )?;
    Ok(Some(out.to_path_buf()))
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
