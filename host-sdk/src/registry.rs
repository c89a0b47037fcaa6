//! A registry of named plugins whose modules can be replaced while they serve: [`Plugins`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cache::hex;
use crate::error::{Error, Result};
use crate::metrics::{ErrorKind, Metrics, MetricsSnapshot};
use crate::module::Module;
use crate::plugin::Plugin;
use crate::pool::Pool;

/// Named plugins, each a [`Module`] and its [`Pool`] of instances, with per-plugin metrics and
/// reloads that drop no call. `Send + Sync`: share it (in an `Arc`, or by cloning the
/// [`PluginRef`]s it hands out) between threads.
///
/// ```no_run
/// use wabi_host::{Engine, Module, PluginOptions, Plugins};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let engine = Engine::default();
/// let plugins = Plugins::new();
/// let module = Module::builder(&engine).name("transform").build_file("v1.wasm")?;
/// let transform = plugins.insert("transform", module, PluginOptions::required(["transform"]))?;
///
/// let out: String = transform.call("transform", "GET /")?;          // the v1 module
/// plugins.reload("transform", std::fs::read("v2.wasm")?)?;          // validated, then swapped
/// let out: String = transform.call("transform", "GET /")?;          // the v2 module
/// println!("{}", plugins.to_prometheus());                          // per-plugin metrics
/// # Ok(()) }
/// ```
///
/// **Reload** ([`Plugins::reload`], [`PluginRef::reload`]) compiles the new bytes with the
/// options of the module serving (limits, grants, configuration, host functions, state, cache)
/// and starts one instance of it, which checks the guest's ABI version and initialisation; the
/// new module must export every function the serving one exports and every function of
/// [`PluginOptions::required`]. Only then does it replace the serving module: calls already
/// running finish on instances of the old module (whose pool is dropped with its last call),
/// calls that start afterwards run on the new one. A reload that fails changes nothing and
/// returns why ([`Error::Compile`], [`Error::AbiVersion`], [`Error::Startup`],
/// [`Error::MissingFunctions`], ...). Reloads of one plugin run one at a time.
///
/// **Metrics**: every call through the registry is counted in the plugin's [`Metrics`] (see
/// [`crate::metrics`](crate::MetricsSnapshot)); read them with [`PluginRef::metrics`],
/// [`Plugins::snapshots`] or [`Plugins::to_prometheus`].
#[derive(Default)]
pub struct Plugins {
    slots: RwLock<BTreeMap<String, PluginRef>>,
}

/// How the registry serves one plugin.
#[derive(Clone, Debug)]
pub struct PluginOptions {
    /// Idle instances kept for reuse (see [`Pool`]); default 16.
    pub max_idle: usize,
    /// Functions every module of the plugin must export, the first one included; a reload to
    /// a module without them is refused.
    pub required: Vec<String>,
}

impl Default for PluginOptions {
    fn default() -> Self {
        PluginOptions {
            max_idle: 16,
            required: Vec::new(),
        }
    }
}

impl PluginOptions {
    /// The default options with these required functions.
    pub fn required<S: Into<String>>(functions: impl IntoIterator<Item = S>) -> PluginOptions {
        PluginOptions {
            required: functions.into_iter().map(Into::into).collect(),
            ..PluginOptions::default()
        }
    }
}

/// One plugin of a [`Plugins`] registry: always calls the module serving at the time of the
/// call. Cheap to clone, `Send + Sync`; keep one to skip the registry's name lookup.
#[derive(Clone)]
pub struct PluginRef {
    inner: Arc<Slot>,
}

struct Slot {
    name: String,
    current: RwLock<Arc<Loaded>>,
    /// Held through a reload, so reloads of one plugin do not race.
    reloading: Mutex<()>,
    metrics: Arc<Metrics>,
    options: PluginOptions,
}

/// One generation of a plugin.
struct Loaded {
    pool: Pool,
    generation: u64,
    loaded_at: SystemTime,
}

/// What a plugin is serving, and its metrics; see [`Plugins::snapshots`].
#[derive(Clone, Debug)]
pub struct PluginStatus {
    /// The plugin's name in the registry.
    pub name: String,
    /// 0 for the first module, +1 per reload.
    pub generation: u64,
    /// SHA-256 of the serving module's wasm bytes, lower-case hex.
    pub sha256: String,
    /// When the serving module replaced the previous one (or was inserted).
    pub loaded_at: SystemTime,
    /// The functions it exports.
    pub functions: Vec<String>,
    /// Its counters.
    pub metrics: MetricsSnapshot,
}

impl Plugins {
    /// An empty registry.
    pub fn new() -> Plugins {
        Plugins::default()
    }

    /// Serve `module` as plugin `name`. Like a reload, this starts one instance first (so a
    /// guest that cannot start is refused here, not at its first call) and checks the
    /// required functions. A name already taken is an [`Error::DuplicatePlugin`].
    ///
    /// On an async engine this is an [`Error::Config`]: use `Plugins::insert_async`.
    pub fn insert(
        &self,
        name: impl Into<String>,
        module: Module,
        options: PluginOptions,
    ) -> Result<PluginRef> {
        let name = self.prepare(name.into(), &module, &options)?;
        let first = module.instantiate()?;
        self.add(name, module, first, options)
    }

    /// [`Plugins::insert`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn insert_async(
        &self,
        name: impl Into<String>,
        module: Module,
        options: PluginOptions,
    ) -> Result<PluginRef> {
        let name = self.prepare(name.into(), &module, &options)?;
        let first = module.instantiate_async().await?;
        self.add(name, module, first, options)
    }

    /// What an insert checks before it starts an instance: the name is free and the module
    /// has the required functions. Metrics count from here on, so the first instance is
    /// counted too.
    fn prepare(&self, name: String, module: &Module, options: &PluginOptions) -> Result<String> {
        if self.read().contains_key(&name) {
            return Err(Error::DuplicatePlugin { name });
        }
        check_functions(&name, module, None, &options.required)?;
        module.metrics_or_init();
        Ok(name)
    }

    fn add(
        &self,
        name: String,
        module: Module,
        first: Plugin,
        options: PluginOptions,
    ) -> Result<PluginRef> {
        let metrics = module.metrics_or_init();
        // The instance that proved the module starts serves first.
        let pool = module.pool(options.max_idle);
        pool.adopt(first);
        let plugin = PluginRef {
            inner: Arc::new(Slot {
                name: name.clone(),
                current: RwLock::new(Arc::new(Loaded {
                    pool,
                    generation: 0,
                    loaded_at: SystemTime::now(),
                })),
                reloading: Mutex::new(()),
                metrics,
                options,
            }),
        };
        let mut slots = self.slots.write().unwrap_or_else(|p| p.into_inner());
        if slots.contains_key(&name) {
            return Err(Error::DuplicatePlugin { name });
        }
        slots.insert(name, plugin.clone());
        Ok(plugin)
    }

    /// The plugin `name`, or [`Error::NoSuchPlugin`] naming the registered ones.
    pub fn get(&self, name: &str) -> Result<PluginRef> {
        let slots = self.read();
        slots.get(name).cloned().ok_or_else(|| Error::NoSuchPlugin {
            name: name.to_string(),
            registered: slots.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    /// Stop serving `name`: new calls by name fail; [`PluginRef`]s already handed out keep
    /// working until dropped.
    pub fn remove(&self, name: &str) -> Option<PluginRef> {
        self.slots
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// Call `function` of plugin `name` (see [`PluginRef::call`]).
    pub fn call<A: Serialize, R: DeserializeOwned>(
        &self,
        name: &str,
        function: &str,
        args: A,
    ) -> Result<R> {
        self.get(name)?.call(function, args)
    }

    /// [`Plugins::call`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn call_async<A, R>(&self, name: &str, function: &str, args: A) -> Result<R>
    where
        A: Serialize + Send,
        R: DeserializeOwned,
    {
        self.get(name)?.call_async(function, args).await
    }

    /// Replace the module of plugin `name` by one compiled from `bytes`, after validating it
    /// (see [`Plugins`]); returns the new generation.
    pub fn reload(&self, name: &str, bytes: impl AsRef<[u8]>) -> Result<u64> {
        self.get(name)?.reload(bytes)
    }

    /// [`Plugins::reload`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn reload_async(&self, name: &str, bytes: impl AsRef<[u8]>) -> Result<u64> {
        self.get(name)?.reload_async(bytes).await
    }

    /// What every plugin serves and its counters, by name.
    pub fn snapshots(&self) -> Vec<PluginStatus> {
        let plugins: Vec<PluginRef> = self.read().values().cloned().collect();
        plugins.iter().map(PluginRef::status).collect()
    }

    /// Every plugin's metrics in the Prometheus text format (see [`crate::to_prometheus`]).
    pub fn to_prometheus(&self) -> String {
        let statuses = self.snapshots();
        crate::metrics::to_prometheus(statuses.iter().map(|s| (s.name.as_str(), &s.metrics)))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, PluginRef>> {
        self.slots.read().unwrap_or_else(|p| p.into_inner())
    }
}

impl PluginRef {
    /// The plugin's name in the registry.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The module serving now.
    pub fn module(&self) -> Module {
        self.current().pool.module().clone()
    }

    /// The generation serving now: 0 for the first module, +1 per reload.
    pub fn generation(&self) -> u64 {
        self.current().generation
    }

    /// The plugin's counters now.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot()
    }

    /// What the plugin serves and its counters.
    pub fn status(&self) -> PluginStatus {
        let loaded = self.current();
        let module = loaded.pool.module();
        PluginStatus {
            name: self.inner.name.clone(),
            generation: loaded.generation,
            sha256: hex(module.sha256()),
            loaded_at: loaded.loaded_at,
            functions: module.functions().to_vec(),
            metrics: self.inner.metrics.snapshot(),
        }
    }

    /// Call `function` on an instance of the serving module (see [`Plugin::call`]).
    pub fn call<A: Serialize, R: DeserializeOwned>(&self, function: &str, args: A) -> Result<R> {
        self.with(|p| p.call(function, args))
    }

    /// Call a raw function (see [`Plugin::call_raw`]).
    pub fn call_raw(&self, function: &str, input: &[u8]) -> Result<Vec<u8>> {
        self.with(|p| p.call_raw(function, input))
    }

    /// Run `f` with an instance of the serving module, counted in the metrics as one call
    /// (its time, its error, its fuel): for the other call methods of [`Plugin`] (`call_pod`,
    /// `typed`, several calls on one instance).
    ///
    /// ```no_run
    /// # fn demo(plugin: &wabi_host::PluginRef) -> wabi_host::Result<()> {
    /// let sum: i64 = plugin.with(|p| p.call_pod("pod_add", &[2i32, 3i32]))?;
    /// # Ok(()) }
    /// ```
    pub fn with<T>(&self, f: impl FnOnce(&mut Plugin) -> Result<T>) -> Result<T> {
        let loaded = self.current();
        let started = Instant::now();
        let result = match loaded.pool.get() {
            Ok(mut plugin) => {
                let result = f(&mut plugin);
                self.count_fuel(&mut plugin, &result);
                result
            }
            Err(e) => Err(e),
        };
        self.record_call(started, result.as_ref().err());
        result
    }

    /// [`PluginRef::call`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn call_async<A, R>(&self, function: &str, args: A) -> Result<R>
    where
        A: Serialize + Send,
        R: DeserializeOwned,
    {
        let loaded = self.current();
        let started = Instant::now();
        let result = match loaded.pool.get_async().await {
            Ok(mut plugin) => {
                let result = plugin.call_async(function, args).await;
                self.count_fuel(&mut plugin, &result);
                result
            }
            Err(e) => Err(e),
        };
        self.record_call(started, result.as_ref().err());
        result
    }

    /// Count one call in the metrics, and report it as a `tracing` event (target
    /// `wabi::metrics`, level TRACE: when that level is off, as by default, the event costs one
    /// check of a static).
    fn record_call(&self, started: Instant, error: Option<&Error>) {
        let elapsed = started.elapsed();
        self.inner.metrics.record_call(elapsed, error);
        tracing::trace!(
            target: "wabi::metrics",
            plugin = %self.name(),
            elapsed_ns = elapsed.as_nanos() as u64,
            error = error.map(|e| ErrorKind::of(e).as_str()),
            "call"
        );
    }

    fn count_fuel<T>(&self, plugin: &mut Plugin, result: &Result<T>) {
        if let Some(fuel) = plugin.fuel_used(result.as_ref().err()) {
            self.inner.metrics.record_fuel(fuel);
        }
    }

    /// Replace the serving module by one compiled from `bytes`, after validating it (see
    /// [`Plugins`]); returns the new generation. On an async engine use
    /// `PluginRef::reload_async`.
    pub fn reload(&self, bytes: impl AsRef<[u8]>) -> Result<u64> {
        let _one_at_a_time = self
            .inner
            .reloading
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let old = self.current();
        let outcome = self
            .candidate(&old, bytes.as_ref())
            .and_then(|module| Ok((module.instantiate()?, module)));
        self.finish_reload(&old, outcome)
    }

    /// [`PluginRef::reload`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn reload_async(&self, bytes: impl AsRef<[u8]>) -> Result<u64> {
        let old = self.current();
        let outcome = match self.candidate(&old, bytes.as_ref()) {
            Ok(module) => match module.instantiate_async().await {
                Ok(first) => Ok((first, module)),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        // The lock is taken after the await (a std guard held across it would make the
        // future non-Send); the swap checks that no other reload came in between.
        let _one_at_a_time = self
            .inner
            .reloading
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if outcome.is_ok() && self.current().generation != old.generation {
            let error = Error::Config {
                what: format!("reload of plugin `{}`", self.inner.name),
                reason: "another reload of the plugin finished first; retry if this module \
                         should still replace it"
                    .into(),
            };
            return self.finish_reload(&old, Err(error));
        }
        self.finish_reload(&old, outcome)
    }

    /// Compile `bytes` with the serving module's options and check its exports.
    fn candidate(&self, old: &Loaded, bytes: &[u8]) -> Result<Module> {
        let old_module = old.pool.module();
        let module = old_module.recompile(bytes)?;
        check_functions(
            &self.inner.name,
            &module,
            Some(old_module),
            &self.inner.options.required,
        )?;
        Ok(module)
    }

    /// Swap in the validated module, or count and log the failure.
    fn finish_reload(&self, old: &Loaded, outcome: Result<(Plugin, Module)>) -> Result<u64> {
        let name = &self.inner.name;
        let (first, module) = match outcome {
            Ok(ok) => ok,
            Err(e) => {
                self.inner.metrics.record_reload(None);
                tracing::warn!(
                    target: "wabi::host",
                    plugin = %name,
                    generation = old.generation,
                    "reload refused, the serving module stays: {e}"
                );
                return Err(e);
            }
        };
        let generation = old.generation + 1;
        let sha256 = hex(module.sha256());
        let pool = module.pool(self.inner.options.max_idle);
        pool.adopt(first);
        let loaded = Arc::new(Loaded {
            pool,
            generation,
            loaded_at: SystemTime::now(),
        });
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(|p| p.into_inner()) = loaded;
        self.inner.metrics.record_reload(Some(generation));
        tracing::info!(
            target: "wabi::host",
            plugin = %name,
            generation,
            sha256 = %sha256,
            "reloaded"
        );
        Ok(generation)
    }

    #[inline]
    fn current(&self) -> Arc<Loaded> {
        self.inner
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Refuse a module of plugin `name` that lacks a function of `required` or of the module it
/// replaces.
fn check_functions(
    name: &str,
    module: &Module,
    replaces: Option<&Module>,
    required: &[String],
) -> Result<()> {
    let has = |f: &String| module.functions().contains(f);
    let mut missing: Vec<String> = Vec::new();
    let wanted = required
        .iter()
        .chain(replaces.into_iter().flat_map(|m| m.functions()));
    for f in wanted {
        if !has(f) && !missing.contains(f) {
            missing.push(f.clone());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::MissingFunctions {
        plugin: name.to_string(),
        missing,
        available: module.functions().join(", "),
    })
}
