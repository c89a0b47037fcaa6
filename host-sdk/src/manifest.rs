//! Plugin manifests: which modules to run, pinned by SHA-256, with their limits and grants.
//!
//! A manifest is TOML (`.toml`) or JSON (any other extension). Paths in it are relative to the
//! manifest's directory. Every field but `name`, `path` and `sha256` is optional.
//!
//! ```toml
//! cache_dir = "cache"                 # optional: a CompileCache directory
//!
//! [[plugins]]
//! name = "transform"
//! path = "plugins/gateway.wasm"
//! sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//! required = ["transform"]            # functions every reload must keep
//! max_idle = 16                       # idle instances kept
//!
//! [plugins.limits]                    # each one optional; absent: Limits::default()
//! max_memory_bytes = 67108864
//! timeout_ms = 50                     # 0: no deadline
//! fuel = 100000000
//! max_output_bytes = 1048576
//! max_depth = 4
//! max_table_elements = 10000
//!
//! [plugins.grants]
//! config = { block_prefix = "/admin" }
//! env = { MODE = "strict" }
//! args = ["--quiet"]
//! dirs = [{ host = "assets", guest = "/assets", writable = false }]
//! ```
//!
//! The same in JSON: `{"cache_dir": "cache", "plugins": [{"name": "transform", "path": ...,
//! "sha256": ..., "limits": {"timeout_ms": 50}, "grants": {"config": {...}}}]}`.
//!
//! Why both: TOML is what people write by hand (comments, no quoting of keys), JSON what
//! deployment tools generate; `toml` was already in the workspace's dependency tree, and
//! `serde_json` is the workspace's JSON crate. Unknown fields are errors, so a typo such as
//! `timeout = 50` is reported rather than silently ignored.
//!
//! A module's bytes are read once, hashed, compared with the manifest's digest and compiled
//! from that same buffer, so the file cannot change between the check and the compilation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cache::{hex, sha256, CompileCache};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::module::{DirAccess, Module, ModuleBuilder};
use crate::registry::{PluginOptions, Plugins};

/// A parsed plugin manifest; see the [module documentation](self) for the format.
///
/// ```no_run
/// # fn main() -> wabi_host::Result<()> {
/// let engine = wabi_host::Engine::default();
/// let manifest = wabi_host::Manifest::from_file("plugins.toml")?;
/// let plugins = manifest.load(&engine)?;           // refuses a module whose digest differs
/// let out: String = plugins.call("transform", "transform", "GET /")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// A [`CompileCache`] directory for every plugin, relative to the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_dir: Option<PathBuf>,
    /// The plugins, each under a unique name.
    #[serde(default)]
    pub plugins: Vec<PluginSpec>,
    /// The manifest file, which relative paths start from (set by [`Manifest::from_file`]).
    #[serde(skip)]
    pub source: PathBuf,
}

/// One plugin of a [`Manifest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginSpec {
    /// The plugin's name in the registry (and in logs and metrics).
    pub name: String,
    /// The `.wasm` file, relative to the manifest.
    pub path: PathBuf,
    /// The file's SHA-256, hex (as `sha256sum` prints it).
    pub sha256: String,
    /// Functions every module of the plugin must export ([`PluginOptions::required`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// Idle instances kept (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_idle: Option<usize>,
    /// Limits; each one absent takes its [`Limits::default`].
    #[serde(default)]
    pub limits: LimitsSpec,
    /// What the plugin may use beyond the sandbox.
    #[serde(default)]
    pub grants: GrantsSpec,
}

/// [`Limits`] in a manifest, with units in the names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// [`Limits::max_memory`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory_bytes: Option<usize>,
    /// [`Limits::timeout`] in milliseconds; 0 for no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// [`Limits::fuel`] (the engine must count fuel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// [`Limits::max_output`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_bytes: Option<usize>,
    /// [`Limits::max_depth`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
    /// [`Limits::max_table_elements`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_table_elements: Option<usize>,
}

impl LimitsSpec {
    /// The limits: [`Limits::default`] with the fields given here.
    pub fn limits(&self) -> Limits {
        let d = Limits::default();
        Limits {
            max_memory: self.max_memory_bytes.unwrap_or(d.max_memory),
            max_table_elements: self.max_table_elements.unwrap_or(d.max_table_elements),
            timeout: match self.timeout_ms {
                None => d.timeout,
                Some(0) => None,
                Some(ms) => Some(Duration::from_millis(ms)),
            },
            fuel: self.fuel.or(d.fuel),
            max_output: self.max_output_bytes.unwrap_or(d.max_output),
            max_depth: self.max_depth.unwrap_or(d.max_depth),
        }
    }
}

/// Grants in a manifest (see [`ModuleBuilder::config`], [`ModuleBuilder::env`],
/// [`ModuleBuilder::arg`], [`ModuleBuilder::dir`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantsSpec {
    /// The configuration map the guest reads.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    /// Environment variables (WASI guests).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Command-line arguments (WASI guests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Preopened directories (WASI guests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dirs: Vec<DirSpec>,
}

/// A directory grant in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirSpec {
    /// The host directory, relative to the manifest.
    pub host: PathBuf,
    /// Where the guest sees it.
    pub guest: String,
    /// Whether the guest may write (default: read only).
    #[serde(default)]
    pub writable: bool,
}

impl Manifest {
    /// Read and check a manifest: TOML if the file name ends in `.toml`, JSON otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Manifest> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Manifest {
            path: path.to_path_buf(),
            reason: format!("cannot read it: {e}"),
        })?;
        if path.extension().is_some_and(|e| e == "toml") {
            Manifest::from_toml(&text, path)
        } else {
            Manifest::from_json(&text, path)
        }
    }

    /// Parse and check a TOML manifest; `source` is where it came from, for relative paths and
    /// error messages.
    pub fn from_toml(text: &str, source: impl Into<PathBuf>) -> Result<Manifest> {
        let source = source.into();
        let parsed = toml::from_str(text).map_err(|e| Error::Manifest {
            path: source.clone(),
            reason: e.to_string().trim_end().to_string(),
        });
        Manifest::checked(parsed?, source)
    }

    /// Parse and check a JSON manifest; `source` is where it came from, for relative paths and
    /// error messages.
    pub fn from_json(text: &str, source: impl Into<PathBuf>) -> Result<Manifest> {
        let source = source.into();
        let parsed = serde_json::from_str(text).map_err(|e| Error::Manifest {
            path: source.clone(),
            reason: e.to_string(),
        });
        Manifest::checked(parsed?, source)
    }

    fn checked(mut manifest: Manifest, source: PathBuf) -> Result<Manifest> {
        manifest.source = source;
        let bad = |reason: String| Error::Manifest {
            path: manifest.source.clone(),
            reason,
        };
        let mut seen = std::collections::BTreeSet::new();
        for p in &manifest.plugins {
            if p.name.is_empty() {
                return Err(bad(format!(
                    "the plugin at {} has an empty name",
                    p.path.display()
                )));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(bad(format!("two plugins are named `{}`", p.name)));
            }
            parse_digest(&p.sha256).map_err(|why| {
                bad(format!(
                    "plugin `{}`: sha256 {:?} {why}; give the 64 hex digits `sha256sum {}` prints",
                    p.name,
                    p.sha256,
                    p.path.display()
                ))
            })?;
        }
        Ok(manifest)
    }

    /// The directory relative paths start from.
    pub fn base_dir(&self) -> &Path {
        self.source
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// `path` relative to the manifest (absolute paths as they are).
    pub fn resolve(&self, path: &Path) -> PathBuf {
        self.base_dir().join(path)
    }

    /// The plugin named `name`.
    pub fn plugin(&self, name: &str) -> Result<&PluginSpec> {
        self.plugins
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::NoSuchPlugin {
                name: name.to_string(),
                registered: self
                    .plugins
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The bytes of plugin `name`'s module, read once and checked against its digest
    /// ([`Error::Integrity`] when they differ): for a reload,
    /// `plugins.reload(name, manifest.read_verified(name)?)`.
    pub fn read_verified(&self, name: &str) -> Result<Vec<u8>> {
        let spec = self.plugin(name)?;
        let path = self.resolve(&spec.path);
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source: Arc::new(source),
        })?;
        let expected = parse_digest(&spec.sha256).expect("checked when parsed");
        let actual = sha256(&bytes);
        if actual != expected {
            return Err(Error::Integrity {
                path,
                manifest: self.source.clone(),
                expected: hex(&expected),
                actual: hex(&actual),
            });
        }
        Ok(bytes)
    }

    /// The manifest's compile cache, if it names one.
    pub fn cache(&self) -> Result<Option<CompileCache>> {
        self.cache_dir
            .as_ref()
            .map(|dir| CompileCache::open(self.resolve(dir)))
            .transpose()
    }

    /// Plugin `name`'s module builder with the manifest's limits, grants and cache, before
    /// the bytes are compiled (add host functions, state or a log handler to it).
    pub fn builder(&self, engine: &Engine, name: &str) -> Result<ModuleBuilder> {
        let spec = self.plugin(name)?;
        let mut builder = Module::builder(engine)
            .name(&spec.name)
            .limits(spec.limits.limits());
        for (k, v) in &spec.grants.config {
            builder = builder.config(k, v);
        }
        for (k, v) in &spec.grants.env {
            builder = builder.env(k, v);
        }
        for a in &spec.grants.args {
            builder = builder.arg(a);
        }
        for d in &spec.grants.dirs {
            let access = if d.writable {
                DirAccess::ReadWrite
            } else {
                DirAccess::ReadOnly
            };
            builder = builder.dir(self.resolve(&d.host), &d.guest, access);
        }
        if let Some(cache) = self.cache()? {
            builder = builder.cache(&cache);
        }
        Ok(builder)
    }

    /// A registry serving every plugin of the manifest, each module checked against its
    /// digest before it is compiled.
    pub fn load(&self, engine: &Engine) -> Result<Plugins> {
        self.load_with(engine, |_, builder| builder)
    }

    /// [`Manifest::load`], letting `customize` add what a manifest cannot say (host
    /// functions, state, a log handler) to each plugin's builder.
    ///
    /// ```no_run
    /// # fn main() -> wabi_host::Result<()> {
    /// let engine = wabi_host::Engine::default();
    /// let manifest = wabi_host::Manifest::from_file("plugins.json")?;
    /// let plugins = manifest.load_with(&engine, |spec, builder| {
    ///     builder.host_fn("lookup_user", |_ctx, id: u64| Ok::<_, wabi_host::HostError>(format!("user-{id}")))
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn load_with(
        &self,
        engine: &Engine,
        mut customize: impl FnMut(&PluginSpec, ModuleBuilder) -> ModuleBuilder,
    ) -> Result<Plugins> {
        let plugins = Plugins::new();
        for spec in &self.plugins {
            let bytes = self.read_verified(&spec.name)?;
            let builder = customize(spec, self.builder(engine, &spec.name)?);
            let module = builder.build(&bytes)?;
            let options = PluginOptions {
                max_idle: spec.max_idle.unwrap_or(PluginOptions::default().max_idle),
                required: spec.required.clone(),
            };
            plugins.insert(&spec.name, module, options)?;
        }
        Ok(plugins)
    }

    /// Reload every plugin of `plugins` whose module in this (re-read) manifest has another
    /// digest than the one serving; returns the names reloaded. Each module is checked against
    /// its digest first. Only the code changes: limits and grants stay those the plugin was
    /// inserted with. Stops at the first failure, which leaves that plugin's module serving.
    pub fn reload(&self, plugins: &Plugins) -> Result<Vec<String>> {
        let mut reloaded = Vec::new();
        for spec in &self.plugins {
            let plugin = plugins.get(&spec.name)?;
            let expected = parse_digest(&spec.sha256).expect("checked when parsed");
            if *plugin.module().sha256() == expected {
                continue;
            }
            plugin.reload(self.read_verified(&spec.name)?)?;
            reloaded.push(spec.name.clone());
        }
        Ok(reloaded)
    }
}

/// 64 hex digits (either case) as 32 bytes.
fn parse_digest(text: &str) -> std::result::Result<[u8; 32], &'static str> {
    let text = text.trim();
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("is not hex");
    }
    if text.len() != 64 {
        return Err("is not 64 hex digits long");
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| "is not hex")?;
    }
    Ok(digest)
}
