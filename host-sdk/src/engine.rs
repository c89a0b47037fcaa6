//! The compilation environment: wasmtime configuration, the epoch ticker behind deadlines.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::{InstanceAllocationStrategy, Linker, PoolingAllocationConfig, Store};

use crate::error::{Error, Result};
use crate::imports::{self, WASI_P1};
use crate::state::HostState;

/// How often the engine's epoch advances; deadlines are enforced with this resolution.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// A compilation environment shared by every module and plugin; cheap to clone, `Send + Sync`.
///
/// Every engine interrupts guests by epoch (a background thread advances it every
/// [`EPOCH_TICK`]), which is what enforces [`crate::Limits::timeout`].
///
/// ```
/// let engine = wabi_host::Engine::builder().fuel(true).build().unwrap();
/// let _copy = engine.clone();
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: wasmtime::Engine,
    /// Names of the WASI preview 1 functions the host defines.
    pub(crate) wasi_names: Arc<HashSet<String>>,
    pub(crate) fuel: bool,
    pub(crate) pooling: Option<PoolingLimits>,
    /// Whether modules and plugins of this engine run through the async methods.
    pub(crate) is_async: bool,
    /// Whether guests are compiled with epoch checks, so calls can have deadlines
    /// ([`EngineBuilder::deadlines`]).
    pub(crate) deadlines: bool,
    _ticker: Option<Arc<Ticker>>,
}

/// Sizes of the pooling instance allocator (see [`EngineBuilder::pooling_allocator`]).
#[derive(Clone, Copy, Debug)]
pub struct PoolingLimits {
    /// Instances alive at the same time, across every module of the engine.
    pub total_instances: u32,
    /// Largest linear memory one instance may have, in bytes; also the ceiling for
    /// [`crate::Limits::max_memory`].
    pub max_memory_bytes: usize,
}

/// Options for an [`Engine`].
pub struct EngineBuilder {
    fuel: bool,
    deadlines: bool,
    pooling: Option<PoolingLimits>,
    config: Option<wasmtime::Config>,
    #[cfg(feature = "async")]
    async_support: bool,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            fuel: false,
            deadlines: true,
            pooling: None,
            config: None,
            #[cfg(feature = "async")]
            async_support: false,
        }
    }
}

impl EngineBuilder {
    /// Whether calls can have a wall-clock deadline ([`crate::Limits::timeout`]; default: yes).
    ///
    /// Deadlines are enforced with wasmtime's epoch interruption: compiled guest code checks
    /// the engine's epoch at every function entry and loop, which costs about 5-15% of the
    /// guest's own time (most on call-heavy code such as MessagePack decoding). An engine for
    /// plugins you trust not to run away can leave the checks out with `deadlines(false)`;
    /// modules of such an engine must then set `Limits::timeout` to `None` (building one with a
    /// timeout is an [`Error::Config`], so a limit is never silently not enforced), and fuel
    /// ([`EngineBuilder::fuel`]) is the only bound on a call's work. Async engines need
    /// deadlines: their guests yield to the executor at every epoch tick.
    ///
    /// ```
    /// use wabi_host::{Engine, Limits, Module};
    /// let engine = Engine::builder().deadlines(false).build()?;
    /// # let wat = r#"(module (memory (export "memory") 1)
    /// #   (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
    /// #   (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.const 4096))
    /// #   (func (export "wabi_free") (param i32 i32 i32))
    /// #   (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)))"#;
    /// let no_timeout = Limits { timeout: None, ..Limits::default() };
    /// let module = Module::builder(&engine).limits(no_timeout).build(wat)?;
    /// assert!(Module::builder(&engine).build(wat).is_err()); // the default 10 s timeout
    /// # Ok::<(), wabi_host::Error>(())
    /// ```
    pub fn deadlines(mut self, on: bool) -> Self {
        self.deadlines = on;
        self
    }

    /// Count instructions so that [`crate::Limits::fuel`] can bound them (slows guests down by
    /// roughly 10-30%).
    pub fn fuel(mut self, on: bool) -> Self {
        self.fuel = on;
        self
    }

    /// Pre-allocate instance slots (memories, tables) so instantiation is much cheaper; the
    /// right choice for a pool serving many requests.
    pub fn pooling_allocator(mut self, limits: PoolingLimits) -> Self {
        self.pooling = Some(limits);
        self
    }

    /// Start from a custom wasmtime configuration (wabi still sets epoch interruption, fuel and
    /// pooling as asked).
    pub fn wasmtime_config(mut self, config: wasmtime::Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Run guests on an async executor (cargo feature `async`): the engine's modules and
    /// plugins are then used through the `_async` methods only ([`crate::Module::instantiate_async`],
    /// [`crate::Plugin::call_async`], [`crate::Pool::call_async`], ...), which return `Send`
    /// futures; the blocking methods return [`Error::Config`] naming the method to use instead.
    ///
    /// Guest code yields to the executor at every epoch tick ([`EPOCH_TICK`]) until
    /// [`crate::Limits::timeout`] passes, so a guest in an infinite loop never blocks other tasks.
    /// Host functions may be async ([`crate::ModuleBuilder::host_fn_async`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> wabi_host::Result<()> {
    /// let engine = wabi_host::Engine::builder().async_support(true).build()?;
    /// # let wat = r#"(module (memory (export "memory") 1)
    /// #   (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
    /// #   (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.const 4096))
    /// #   (func (export "wabi_free") (param i32 i32 i32))
    /// #   (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100))
    /// #   (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
    /// #   (func (export "yes") (param i32 i32) (result i64) (i64.const 0x0000004000000009)))"#;
    /// let module = wabi_host::Module::new(&engine, wat)?;
    /// let mut plugin = module.instantiate_async().await?;
    /// let yes: bool = plugin.call_async("yes", ()).await?;
    /// assert!(yes);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "async")]
    pub fn async_support(mut self, on: bool) -> Self {
        self.async_support = on;
        self
    }

    /// Create the engine.
    pub fn build(self) -> Result<Engine> {
        #[cfg(feature = "async")]
        if self.async_support && !self.deadlines {
            return Err(Error::Config {
                what: "EngineBuilder::deadlines(false)".into(),
                reason: "async engines need deadlines: their guests yield to the executor at \
                         every epoch tick; drop deadlines(false) or async_support(true)"
                    .into(),
            });
        }
        let mut config = self.config.unwrap_or_default();
        config.epoch_interruption(self.deadlines);
        config.consume_fuel(self.fuel);
        if let Some(p) = self.pooling {
            let mut pool = PoolingAllocationConfig::default();
            pool.total_core_instances(p.total_instances)
                .total_memories(p.total_instances)
                .total_tables(p.total_instances)
                .max_memory_size(p.max_memory_bytes);
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let invalid = |e: wasmtime::Error| Error::Compile {
            reason: format!("invalid engine configuration: {e:#}"),
        };
        #[cfg(feature = "async")]
        let is_async = self.async_support;
        #[cfg(not(feature = "async"))]
        let is_async = false;
        let inner = wasmtime::Engine::new(&config).map_err(invalid)?;
        let linker = make_linker(&inner, is_async).map_err(invalid)?;
        let mut store = Store::new(&inner, HostState::placeholder());
        let wasi_names = linker
            .iter(&mut store)
            .filter(|(m, _, _)| *m == WASI_P1)
            .map(|(_, n, _)| n.to_string())
            .collect();
        Ok(Engine {
            _ticker: self.deadlines.then(|| Ticker::start(inner.clone())),
            deadlines: self.deadlines,
            inner,
            wasi_names: Arc::new(wasi_names),
            fuel: self.fuel,
            pooling: self.pooling,
            is_async,
        })
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::builder()
            .build()
            .expect("the default engine configuration is valid on supported platforms")
    }
}

impl Engine {
    /// Options for a new engine.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The underlying wasmtime engine.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner
    }

    /// Whether the engine runs guests on an async executor (`EngineBuilder::async_support`,
    /// cargo feature `async`).
    pub fn is_async(&self) -> bool {
        self.is_async
    }

    /// Refuse a method of the wrong kind for this engine (see [`require_mode`]).
    #[inline]
    pub(crate) fn require_mode(&self, want_async: bool, method: &str, instead: &str) -> Result<()> {
        require_mode(self.is_async, want_async, method, instead)
    }
}

/// Refuse a method of the wrong kind: on an engine that `is_async` or not, `method` is async
/// (`want_async`) or blocking; `instead` is the method of the engine's kind to use.
#[inline]
pub(crate) fn require_mode(
    is_async: bool,
    want_async: bool,
    method: &str,
    instead: &str,
) -> Result<()> {
    if is_async == want_async {
        return Ok(());
    }
    let reason = if is_async {
        format!("the engine is async (built with EngineBuilder::async_support(true)), so its plugins run only through async methods; use {instead}")
    } else {
        format!("the engine is not async; use {instead}, or build the engine with Engine::builder().async_support(true) (cargo feature `async`)")
    };
    Err(Error::Config {
        what: method.to_string(),
        reason,
    })
}

/// The linker with every import wabi provides: the `wabi` module and WASI preview 1, blocking
/// or async as the engine is.
pub(crate) fn make_linker(
    engine: &wasmtime::Engine,
    is_async: bool,
) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    imports::add_to_linker(&mut linker, is_async)?;
    if is_async {
        #[cfg(feature = "async")]
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, HostState::wasi)?;
    } else {
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, HostState::wasi)?;
    }
    Ok(linker)
}

/// Advances an engine's epoch every [`EPOCH_TICK`] until the last [`Engine`] clone is dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: wasmtime::Engine) -> Arc<Ticker> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("wabi-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        Arc::new(Ticker { stop })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
