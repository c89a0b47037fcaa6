//! Compiling and validating a guest: `Engine` and `Module`.

use std::any::Any;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde::Serialize;

use wabi_spec::AbiVersion;
use wasmtime::{AsContextMut, InstancePre, Store};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::cache::{compile, sha256, CompileCache};
use crate::engine::{make_linker, Engine};
use crate::error::{Error, Result};
use crate::exports::ExportIndex;
#[cfg(feature = "async")]
use crate::host_fn::HostFuture;
use crate::host_fn::{erase, HostContext, HostError, HostFns};
use crate::http::{HttpClient, HttpGrant};
use crate::imports;
use crate::limits::{arm_deadline, Limits};
use crate::log::{tracing_handler, GuestOutput, LogHandler, LogSource};
use crate::metrics::Metrics;
use crate::plugin::Plugin;
use crate::state::HostState;

/// Read-only or read-write access to a preopened directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirAccess {
    /// The guest may list and read.
    ReadOnly,
    /// The guest may also create, write, rename and delete.
    ReadWrite,
}

/// A directory of the host the guest may open through WASI.
#[derive(Clone, Debug)]
struct DirGrant {
    host: PathBuf,
    guest: String,
    access: DirAccess,
}

/// What the embedder grants a plugin beyond the deny-by-default sandbox.
#[derive(Clone, Debug, Default)]
struct Grants {
    env: Vec<(String, String)>,
    args: Vec<String>,
    dirs: Vec<DirGrant>,
}

/// Makes the embedder's per-instance state.
type StateFactory = Arc<dyn Fn() -> Box<dyn Any + Send> + Send + Sync>;

/// A compiled, validated guest module, ready to instantiate many times. Cheap to clone,
/// `Send + Sync`.
///
/// ```no_run
/// # fn main() -> wabi_host::Result<()> {
/// let engine = wabi_host::Engine::default();
/// let module = wabi_host::Module::from_file(&engine, "plugin.wasm")?;
/// let mut plugin = module.instantiate()?;
/// let sum: i64 = plugin.call("add", (2, 3))?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub(crate) engine: Engine,
    pub(crate) pre: InstancePre<HostState>,
    pub(crate) name: Arc<str>,
    pub(crate) uses_wasi: bool,
    /// The exports instances are called through, found once.
    pub(crate) exports: ExportIndex,
    /// The scratch buffer's `(ptr, capacity)` as the first instance of a guest of ABI 1.2 or
    /// later reported it: the same in every instance (ABI.md section 5), so later instances
    /// do not ask. Unset for older guests, which are asked in every instance.
    pub(crate) constant_scratch: OnceLock<(u32, u32)>,
    /// The ABI version the first instance that started reported.
    pub(crate) abi_version: OnceLock<AbiVersion>,
    pub(crate) log: LogHandler,
    pub(crate) limits: Limits,
    /// SHA-256 of the wasm bytes the module was compiled from.
    sha256: [u8; 32],
    /// Counters of a module served by a [`crate::Plugins`] registry (unset otherwise: then
    /// nothing is counted).
    pub(crate) metrics: OnceLock<Arc<Metrics>>,
    options: Options,
}

/// What a module was built with besides its code, reused by [`Module::recompile`].
#[derive(Clone)]
struct Options {
    grants: Grants,
    /// The HTTP client of an HTTP grant, shared by every instance (one connection pool).
    http: Option<Arc<HttpClient>>,
    host_fns: Arc<HostFns>,
    config: Arc<BTreeMap<String, String>>,
    state: Option<StateFactory>,
    cache: Option<CompileCache>,
}

/// Options for loading a module: name, limits, capabilities, host functions, state; see
/// [`Module::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use wabi_host::{DirAccess, Engine, HostError, Limits, Module};
///
/// # fn main() -> wabi_host::Result<()> {
/// let module = Module::builder(&Engine::default())
///     .name("gateway-plugin")
///     .limits(Limits { timeout: Some(Duration::from_millis(50)), ..Limits::default() })
///     .env("MODE", "strict")
///     .dir("/srv/static", "/static", DirAccess::ReadOnly)
///     .config("upstream", "http://127.0.0.1:8080")
///     .host_fn("lookup_user", |_ctx, id: u64| -> Result<String, HostError> {
///         Ok(format!("user-{id}"))
///     })
///     .build_file("plugin.wasm")?;
/// # Ok(()) }
/// ```
pub struct ModuleBuilder {
    engine: Engine,
    name: Option<String>,
    log: Option<LogHandler>,
    limits: Limits,
    grants: Grants,
    host_fns: HostFns,
    config: BTreeMap<String, String>,
    state: Option<StateFactory>,
    cache: Option<CompileCache>,
    http: Option<HttpGrant>,
}

impl ModuleBuilder {
    /// Grant the plugin outbound HTTP to the hosts `grant` lists, under its limits (see
    /// [`HttpGrant`]). Without it the plugin can make no request: every one is refused with the
    /// error kind `denied`. A second call replaces the first grant.
    ///
    /// ```no_run
    /// use wabi_host::{Engine, HttpGrant, Module};
    /// # fn main() -> wabi_host::Result<()> {
    /// let module = Module::builder(&Engine::default())
    ///     .allow_http(HttpGrant::hosts(["https://auth.example.com", "*.cdn.example.com"]))
    ///     .build_file("plugin.wasm")?;
    /// # Ok(()) }
    /// ```
    pub fn allow_http(mut self, grant: HttpGrant) -> Self {
        self.http = Some(grant);
        self
    }

    /// Load the compiled code from `cache` when it has a valid entry for these bytes and this
    /// engine, and write one when it has not (see [`CompileCache`]); modules recompiled by a
    /// reload use it too.
    pub fn cache(mut self, cache: &CompileCache) -> Self {
        self.cache = Some(cache.clone());
        self
    }

    /// Per-instance limits (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Grant an environment variable (WASI guests; none by default).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.grants.env.push((key.into(), value.into()));
        self
    }

    /// Grant a command-line argument (WASI guests; none by default).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.grants.args.push(arg.into());
        self
    }

    /// Grant access to the host directory `host`, seen by the guest as `guest` (WASI guests;
    /// no files at all by default).
    pub fn dir(
        mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
        access: DirAccess,
    ) -> Self {
        self.grants.dirs.push(DirGrant {
            host: host.into(),
            guest: guest.into(),
            access,
        });
        self
    }

    /// Add an entry to the read-only configuration map the guest reads through its SDK
    /// (`wabi_guest::config::get`, `wabi.Config`).
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// Register a host function the guest calls by `name`. `A` is the argument itself for one
    /// argument, a tuple for several, `()` for none. An `Err` reaches the guest as an error
    /// value; [`HostContext::call`] calls back into the guest.
    pub fn host_fn<A, R, F>(mut self, name: impl Into<String>, f: F) -> Self
    where
        A: DeserializeOwned + 'static,
        R: Serialize + 'static,
        F: Fn(&mut HostContext<'_, '_>, A) -> Result<R, HostError> + Send + Sync + 'static,
    {
        let name = name.into();
        self.host_fns.insert(name.clone(), erase(name, f));
        self
    }

    /// Register an async host function (cargo feature `async`; the engine must be async, see
    /// [`crate::EngineBuilder::async_support`]). Like [`ModuleBuilder::host_fn`], but `f`
    /// returns a boxed `Send` future ([`HostFuture`]) that may borrow the context: it can await
    /// I/O, timers, and nested calls back into the guest with [`HostContext::call_async`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use wabi_host::{Engine, HostError, Module};
    ///
    /// # async fn demo() -> wabi_host::Result<()> {
    /// let engine = Engine::builder().async_support(true).build()?;
    /// let module = Module::builder(&engine)
    ///     .host_fn_async("lookup_user", |ctx, id: u64| {
    ///         Box::pin(async move {
    ///             tokio::time::sleep(Duration::from_millis(1)).await; // e.g. a database query
    ///             // A nested call back into the guest.
    ///             let name: String = ctx.call_async("format_user", id).await?;
    ///             Ok::<_, HostError>(name)
    ///         })
    ///     })
    ///     .build_file("plugin.wasm")?;
    /// let answer: String = module.instantiate_async().await?.call_async("greet", 7u64).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "async")]
    pub fn host_fn_async<A, R, F>(mut self, name: impl Into<String>, f: F) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: for<'a, 'b, 'c> Fn(&'a mut HostContext<'b, 'c>, A) -> HostFuture<'a, R>
            + Send
            + Sync
            + 'static,
    {
        let name = name.into();
        self.host_fns
            .insert(name.clone(), crate::host_fn::erase_async(name, f));
        self
    }

    /// Per-instance state for host functions ([`HostContext::state`]) and the embedder
    /// ([`Plugin::state`]), made fresh for every instance.
    pub fn state<T: Any + Send>(mut self, make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        self.state = Some(Arc::new(move || Box::new(make())));
        self
    }

    /// The plugin's name in logs (default: `plugin`, or the file name for
    /// [`ModuleBuilder::build_file`]).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Where the plugin's log lines and stdout/stderr go (default: `tracing`).
    pub fn log_handler(mut self, handler: LogHandler) -> Self {
        self.log = Some(handler);
        self
    }

    /// Compile and validate wasm bytes (binary or text format).
    pub fn build(self, bytes: impl AsRef<[u8]>) -> Result<Module> {
        self.check_options()?;
        let options = Options {
            grants: self.grants,
            http: self.http.map(|grant| Arc::new(HttpClient::new(grant))),
            host_fns: Arc::new(self.host_fns),
            config: Arc::new(self.config),
            state: self.state,
            cache: self.cache,
        };
        assemble(
            self.engine,
            self.name.unwrap_or_else(|| "plugin".into()).into(),
            self.log.unwrap_or_else(tracing_handler),
            self.limits,
            options,
            bytes.as_ref(),
        )
    }

    /// Read, compile and validate a `.wasm` (or `.wat`) file.
    pub fn build_file(mut self, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source: Arc::new(source),
        })?;
        if self.name.is_none() {
            self.name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        }
        self.build(bytes)
    }

    /// Refuse options that cannot work, saying what to change.
    fn check_options(&self) -> Result<()> {
        let bad = |what: &str, reason: String| Error::Config {
            what: what.to_string(),
            reason,
        };
        if self.limits.timeout.is_some() && !self.engine.deadlines {
            return Err(bad(
                "Limits::timeout",
                "the engine has no deadlines (EngineBuilder::deadlines(false)); set \
                 `timeout: None` in the limits, or build the engine with deadlines"
                    .into(),
            ));
        }
        if self.limits.fuel.is_some() && !self.engine.fuel {
            return Err(bad(
                "Limits::fuel",
                "the engine does not count fuel; build it with Engine::builder().fuel(true)".into(),
            ));
        }
        if let Some(p) = self.engine.pooling {
            if self.limits.max_memory > p.max_memory_bytes {
                return Err(bad(
                    "Limits::max_memory",
                    format!("{} bytes exceed the pooling allocator's slot of {} bytes; lower the limit or raise PoolingLimits::max_memory_bytes", self.limits.max_memory, p.max_memory_bytes),
                ));
            }
        }
        if !self.engine.is_async {
            if let Some(name) = self
                .host_fns
                .iter()
                .find_map(|(n, f)| f.is_async().then_some(n))
            {
                return Err(bad(
                    &format!("host function `{name}`"),
                    "async host functions need an async engine: Engine::builder().async_support(true)".into(),
                ));
            }
        }
        if self.limits.max_depth == 0 {
            return Err(bad(
                "Limits::max_depth",
                "must be at least 1 (the call itself)".into(),
            ));
        }
        if let Some(grant) = &self.http {
            grant.check()?;
        }
        for d in &self.grants.dirs {
            if !d.host.is_dir() {
                return Err(bad(
                    &format!("directory {}", d.host.display()),
                    "it does not exist or is not a directory".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Compile `bytes` (through the cache, if any) and validate the module.
fn assemble(
    engine: Engine,
    name: Arc<str>,
    log: LogHandler,
    limits: Limits,
    options: Options,
    bytes: &[u8],
) -> Result<Module> {
    let digest = sha256(bytes);
    let module = match &options.cache {
        Some(cache) => cache.load_or_compile(&engine, bytes, &digest)?,
        None => compile(&engine, bytes)?,
    };
    let wasi_names = &engine.wasi_names;
    let uses_wasi = imports::validate(&module, &|n| wasi_names.contains(n))?;
    let exports = ExportIndex::new(&module)?;
    let linker = make_linker(&engine.inner, engine.is_async).map_err(|e| Error::Compile {
        reason: format!("cannot define host imports: {e:#}"),
    })?;
    let pre = linker
        .instantiate_pre(&module)
        .map_err(|e| Error::Instantiate {
            reason: format!("{e:#}"),
        })?;
    Ok(Module {
        inner: Arc::new(ModuleInner {
            engine,
            pre,
            name,
            uses_wasi,
            exports,
            constant_scratch: OnceLock::new(),
            abi_version: OnceLock::new(),
            log,
            limits,
            sha256: digest,
            metrics: OnceLock::new(),
            options,
        }),
    })
}

impl Module {
    /// Compile and validate wasm bytes with default options.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        Module::builder(engine).build(bytes)
    }

    /// Read, compile and validate a `.wasm` file with default options.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        Module::builder(engine).build_file(path)
    }

    /// Options for loading a module.
    pub fn builder(engine: &Engine) -> ModuleBuilder {
        ModuleBuilder {
            engine: engine.clone(),
            name: None,
            log: None,
            limits: Limits::default(),
            grants: Grants::default(),
            host_fns: HostFns::new(),
            config: BTreeMap::new(),
            state: None,
            cache: None,
            http: None,
        }
    }

    /// SHA-256 of the wasm bytes (binary or text, as given) the module was compiled from.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.inner.sha256
    }

    /// A module compiled from `bytes` with every option of this one (name, log handler,
    /// limits, grants, configuration, host functions, state, cache) and its metrics: the new
    /// code of a reload.
    pub(crate) fn recompile(&self, bytes: &[u8]) -> Result<Module> {
        let inner = &self.inner;
        let module = assemble(
            inner.engine.clone(),
            inner.name.clone(),
            inner.log.clone(),
            inner.limits,
            inner.options.clone(),
            bytes,
        )?;
        if let Some(metrics) = inner.metrics.get() {
            let _ = module.inner.metrics.set(metrics.clone());
        }
        Ok(module)
    }

    /// The module's counters, made now if it had none (by [`crate::Plugins`]).
    pub(crate) fn metrics_or_init(&self) -> Arc<Metrics> {
        self.inner
            .metrics
            .get_or_init(|| Arc::new(Metrics::new()))
            .clone()
    }

    /// The limits every instance runs under.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// A pool of instances of this module (see [`crate::Pool`]).
    pub fn pool(&self, max_idle: usize) -> crate::Pool {
        crate::Pool::new(self, max_idle)
    }

    /// The plugin's name in logs.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The user functions the module exports (every export with the signature
    /// `(i32, i32) -> i64` outside the reserved names).
    pub fn functions(&self) -> &[String] {
        &self.inner.exports.functions
    }

    /// The wabi ABI version the guest reported (its `wabi_abi_version`), once an instance of
    /// the module has started; `None` before. Asking it takes an instance, under the module's
    /// limits like any other: `module.instantiate()?` first, or read [`Plugin::abi_version`].
    /// A guest whose version this host does not accept never starts: its
    /// [`Error::AbiVersion`] carries the version.
    ///
    /// [`Plugin::abi_version`]: crate::Plugin::abi_version
    pub fn abi_version(&self) -> Option<AbiVersion> {
        self.inner.abi_version.get().copied()
    }

    /// Whether the module imports WASI preview 1.
    pub fn uses_wasi(&self) -> bool {
        self.inner.uses_wasi
    }

    /// Create a ready-to-call plugin instance: instantiate, run `_initialize`, check the ABI
    /// version and fetch the scratch buffer.
    ///
    /// On an async engine this is an [`Error::Config`]: use `Module::instantiate_async`.
    pub fn instantiate(&self) -> Result<Plugin> {
        self.inner.engine.require_mode(
            false,
            "Module::instantiate",
            "Module::instantiate_async",
        )?;
        Plugin::new(self.clone())
    }

    /// [`Module::instantiate`] for an async engine (cargo feature `async`); initialisation
    /// yields to the executor and is bounded by [`Limits::timeout`].
    #[cfg(feature = "async")]
    pub async fn instantiate_async(&self) -> Result<Plugin> {
        self.inner
            .engine
            .require_mode(true, "Module::instantiate_async", "Module::instantiate")?;
        Plugin::new_async(self.clone()).await
    }

    /// A fresh store for one instance, with its limits, grants and state.
    pub(crate) fn new_store(&self) -> Result<Store<HostState>> {
        let inner = &self.inner;
        let mut state = HostState {
            plugin: inner.name.clone(),
            log: inner.log.clone(),
            limits: inner.limits,
            deadline_span: inner.limits.timeout.map(crate::clock::span),
            epochs: inner.engine.deadlines,
            fuel_enabled: inner.engine.fuel,
            is_async: inner.engine.is_async,
            host_fns: inner.options.host_fns.clone(),
            config: inner.options.config.clone(),
            user: inner.options.state.as_ref().map(|make| make()),
            metrics: inner.metrics.get().cloned(),
            http: inner.options.http.clone(),
            http_requests: 0,
            // Not `..HostState::placeholder()`: that would build (and drop) the placeholder's
            // own `Arc`s and log handler for every instance.
            wasi: None,
            panic: None,
            fault: None,
            output: None,
            deadline: None,
            abi: None,
            depth: 0,
        };
        if inner.uses_wasi {
            let stdout = GuestOutput::new(inner.name.clone(), LogSource::Stdout, inner.log.clone());
            let stderr = GuestOutput::new(inner.name.clone(), LogSource::Stderr, inner.log.clone());
            let mut wasi = WasiCtxBuilder::new();
            wasi.stdout(stdout.clone()).stderr(stderr.clone());
            for (k, v) in &inner.options.grants.env {
                wasi.env(k, v);
            }
            wasi.args(&inner.options.grants.args);
            for d in &inner.options.grants.dirs {
                let perms = match d.access {
                    DirAccess::ReadOnly => FsPerms::ReadOnly,
                    DirAccess::ReadWrite => FsPerms::ReadWrite,
                };
                wasi.preopened_dir(&d.host, &d.guest, perms)
                    .map_err(|e| Error::Config {
                        what: format!("directory {}", d.host.display()),
                        reason: format!("{e:#}"),
                    })?;
            }
            state.wasi = Some(Box::new(wasi.build_p1()));
            state.output = Some([stdout, stderr]);
        }
        let mut store = Store::new(&inner.engine.inner, state);
        store.limiter(|s| s as &mut dyn wasmtime::ResourceLimiter);
        crate::limits::install_deadline_check(&mut store);
        arm_deadline(&mut store.as_context_mut());
        if inner.engine.fuel {
            store
                .set_fuel(inner.limits.fuel.unwrap_or(u64::MAX))
                .expect("fuel is enabled on this engine");
        }
        Ok(store)
    }
}
