//! A plugin instance and the call path (ABI.md section 6).

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use std::any::Any;

use bytemuck::{AnyBitPattern, NoUninit};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wabi_spec::layout::{unpack, INPUT_ALIGN};
use wabi_spec::names::{EXPORT_ABI_VERSION, EXPORT_INITIALIZE, EXPORT_SCRATCH};
use wabi_spec::{codec, AbiVersion, ABI_VERSION, CONSTANT_SCRATCH_SINCE};
use wasmtime::{AsContextMut, Instance, Store};

use crate::call::{call_guest, now, trap_error, Blocking, EncodedArgs, Exec, UserFunc};
#[cfg(feature = "async")]
use crate::call::{call_guest_async, Yielding};
use crate::error::{Direction, Error, Result, StartupPhase};
use crate::memory::{checked_range, GuestMemory};
use crate::module::Module;
use crate::state::{AbiExports, HostState};

/// One live instance: its store and the user exports looked up so far.
struct Live {
    store: Store<HostState>,
    instance: Instance,
    /// The user functions looked up so far, by position in the module's
    /// [`Module::functions`].
    funcs: Vec<Option<UserFunc>>,
}

/// A ready-to-call plugin: one guest instance with its own memory.
///
/// Calls take `&mut self`; a `Plugin` is `Send`, so give each thread its own (instances are
/// cheap: see [`Module::instantiate`]).
///
/// A plugin of an async engine (cargo feature `async`, `EngineBuilder::async_support`)
/// is called through the `_async` methods, whose futures are `Send`; its blocking call methods
/// return [`Error::Config`] naming the method to use, and the other way round.
///
/// **After a trap or a panic** the instance is discarded, because its memory may be
/// inconsistent; the next call transparently runs on a fresh instance (so guest state such as
/// global counters starts over). A returned error value leaves the instance as it is.
pub struct Plugin {
    module: Module,
    live: Option<Live>,
    /// Process-wide unique id of the live instance, so typed handles know when their cached
    /// export belongs to another (or an older) instance and must be looked up again.
    instance_id: u64,
    /// Reused buffer for encoding arguments.
    args: Vec<u8>,
    /// How the last call's arguments were placed: decides whether this call measures its
    /// arguments to encode them straight into guest memory (see [`Plugin::invoke_args`]).
    last_args: LastArgs,
}

/// What the last argument list of a plugin was like.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LastArgs {
    /// Below [`DIRECT_MIN`] bytes: encode into the reused buffer and copy.
    Small,
    /// At least [`DIRECT_MIN`] bytes, mostly payload: measure, then encode into guest memory.
    BigPayload,
    /// At least [`DIRECT_MIN`] bytes of many small values: measuring would cost more than the
    /// copy it saves, so encode and copy.
    BigStructured,
}

/// Argument lists from this size on are written straight into guest memory when they are
/// mostly payload (byte strings, long strings): one copy of the payload instead of two.
const DIRECT_MIN: usize = 256 * 1024;

/// "Mostly payload": at least this many bytes per write of the encoder on average (a 1 MiB
/// byte string is one write; a struct of small fields is a few bytes per write).
const DIRECT_BYTES_PER_WRITE: usize = 4096;

impl Plugin {
    pub(crate) fn new(module: Module) -> Result<Plugin> {
        let mut plugin = Plugin {
            module,
            live: None,
            instance_id: 0,
            args: Vec::new(),
            last_args: LastArgs::Small,
        };
        plugin.live()?;
        Ok(plugin)
    }

    #[cfg(feature = "async")]
    pub(crate) async fn new_async(module: Module) -> Result<Plugin> {
        let mut plugin = Plugin {
            module,
            live: None,
            instance_id: 0,
            args: Vec::new(),
            last_args: LastArgs::Small,
        };
        plugin.live_async().await?;
        Ok(plugin)
    }

    /// The module this plugin was instantiated from.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The wabi ABI version the guest reported when it started.
    ///
    /// ```no_run
    /// # fn demo(plugin: &wabi_host::Plugin) {
    /// println!("the plugin speaks wabi {}", plugin.abi_version());
    /// # }
    /// ```
    pub fn abi_version(&self) -> AbiVersion {
        self.module
            .abi_version()
            .expect("a plugin exists only once an instance of its module has started")
    }

    /// Call `function` with MessagePack-encoded arguments and decode its result.
    ///
    /// `args` is a tuple of the arguments (`()`, `(a,)`, `(a, b, c)`) or, for one argument, the
    /// argument itself.
    ///
    /// ```no_run
    /// # fn demo(plugin: &mut wabi_host::Plugin) -> wabi_host::Result<()> {
    /// let greeting: String = plugin.call("greet", ("Ada", 36))?;
    /// let upper: String = plugin.call("upper", "hello")?;
    /// plugin.call::<_, ()>("reset", ())?;
    /// # Ok(()) }
    /// ```
    pub fn call<A, R>(&mut self, function: &str, args: A) -> Result<R>
    where
        A: Serialize,
        R: DeserializeOwned,
    {
        self.require_mode(false, "Plugin::call", "Plugin::call_async")?;
        self.with_func(function, |p, func| {
            p.invoke_args(function, func, &args, decode_result)
        })
    }

    /// [`Plugin::call`] on an async engine (cargo feature `async`). The guest yields to the
    /// executor at every epoch tick, so a long call never blocks other tasks; the future is
    /// `Send`.
    ///
    /// ```no_run
    /// # async fn demo(plugin: &mut wabi_host::Plugin) -> wabi_host::Result<()> {
    /// let greeting: String = plugin.call_async("greet", ("Ada", 36)).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "async")]
    pub async fn call_async<A, R>(&mut self, function: &str, args: A) -> Result<R>
    where
        A: Serialize + Send,
        R: DeserializeOwned,
    {
        self.require_mode(true, "Plugin::call_async", "Plugin::call")?;
        let func = self.lookup_async(function).await?;
        self.invoke_args_async(function, &func, &args, decode_result)
            .await
    }

    /// Call a raw function: `input` bytes in, the guest's bytes out, no MessagePack.
    pub fn call_raw(&mut self, function: &str, input: &[u8]) -> Result<Vec<u8>> {
        self.require_mode(false, "Plugin::call_raw", "Plugin::call_raw_async")?;
        self.with_func(function, |p, func| {
            p.invoke(function, func, input, |b| Ok(b.to_vec()))
        })
    }

    /// [`Plugin::call_raw`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn call_raw_async(&mut self, function: &str, input: &[u8]) -> Result<Vec<u8>> {
        self.require_mode(true, "Plugin::call_raw_async", "Plugin::call_raw")?;
        let func = self.lookup_async(function).await?;
        self.invoke_async(function, &func, input, |b| Ok(b.to_vec()))
            .await
    }

    /// Call a raw function and look at its output in place, without copying it out of guest
    /// memory.
    pub fn call_raw_with<T>(
        &mut self,
        function: &str,
        input: &[u8],
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T> {
        self.require_mode(false, "Plugin::call_raw_with", "Plugin::call_raw_async")?;
        self.with_func(function, |p, func| {
            p.invoke(function, func, input, |b| Ok(read(b)))
        })
    }

    /// Call a Pod function: the bytes of `input` in, a `R` read from the guest's bytes out.
    ///
    /// ```no_run
    /// # #[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)] #[repr(C)] struct Pair { a: i32, b: i32 }
    /// # fn demo(plugin: &mut wabi_host::Plugin) -> wabi_host::Result<()> {
    /// let sum: i64 = plugin.call_pod("pod_add", &Pair { a: 2, b: 3 })?;
    /// # Ok(()) }
    /// ```
    pub fn call_pod<A: NoUninit, R: AnyBitPattern>(
        &mut self,
        function: &str,
        input: &A,
    ) -> Result<R> {
        self.require_mode(false, "Plugin::call_pod", "Plugin::call_pod_async")?;
        self.with_func(function, |p, func| {
            p.invoke(function, func, bytemuck::bytes_of(input), read_pod)
        })
    }

    /// [`Plugin::call_pod`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn call_pod_async<A: NoUninit + Sync, R: AnyBitPattern>(
        &mut self,
        function: &str,
        input: &A,
    ) -> Result<R> {
        self.require_mode(true, "Plugin::call_pod_async", "Plugin::call_pod")?;
        let func = self.lookup_async(function).await?;
        let input = bytemuck::bytes_of(input);
        self.invoke_async(function, &func, input, read_pod).await
    }

    /// A typed handle to `function` that skips the name lookup on every call.
    ///
    /// ```no_run
    /// # fn demo(plugin: &mut wabi_host::Plugin) -> wabi_host::Result<()> {
    /// let mut add = plugin.typed::<(i32, i32), i32>("add")?;
    /// for i in 0..10 {
    ///     assert_eq!(add.call(plugin, (i, 1))?, i + 1);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn typed<A: Serialize, R: DeserializeOwned>(
        &mut self,
        function: &str,
    ) -> Result<TypedFunction<A, R>> {
        self.require_mode(false, "Plugin::typed", "Plugin::typed_async")?;
        let func = self.lookup(function)?;
        Ok(TypedFunction {
            name: function.into(),
            cached: Some((self.instance_id, func)),
            _marker: PhantomData,
        })
    }

    /// [`Plugin::typed`] on an async engine (cargo feature `async`); call the handle with
    /// [`TypedFunction::call_async`].
    #[cfg(feature = "async")]
    pub async fn typed_async<A: Serialize, R: DeserializeOwned>(
        &mut self,
        function: &str,
    ) -> Result<TypedFunction<A, R>> {
        self.require_mode(true, "Plugin::typed_async", "Plugin::typed")?;
        let func = self.lookup_async(function).await?;
        Ok(TypedFunction {
            name: function.into(),
            cached: Some((self.instance_id, func)),
            _marker: PhantomData,
        })
    }

    /// Bounds-checked access to the guest's linear memory.
    ///
    /// On an async engine, after a fault discarded the instance, this is an [`Error::Config`]
    /// until an async call starts a fresh one (so is [`Plugin::state`]).
    pub fn memory(&mut self) -> Result<GuestMemory<'_>> {
        let live = self.live()?;
        let memory = live
            .store
            .data()
            .abi
            .as_ref()
            .expect("live instances are initialised")
            .memory;
        Ok(GuestMemory {
            memory,
            store: live.store.as_context_mut(),
        })
    }

    /// Size of the guest's linear memory in bytes.
    pub fn memory_size(&mut self) -> Result<usize> {
        Ok(self.memory()?.size())
    }

    /// The per-instance state made by [`crate::ModuleBuilder::state`], if it is a `T`.
    pub fn state<T: Any>(&mut self) -> Result<Option<&mut T>> {
        let live = self.live()?;
        Ok(live
            .store
            .data_mut()
            .user
            .as_mut()
            .and_then(|u| u.downcast_mut()))
    }

    /// Discard the current instance; the next call starts a fresh one.
    pub fn reset(&mut self) {
        self.live = None;
    }

    /// Whether an instance is live (false after a fault, until the next call).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Fuel the last call consumed, when the engine counts fuel: the budget minus what is
    /// left, or the whole budget if the call ran out (and the instance is gone).
    pub(crate) fn fuel_used(&self, error: Option<&Error>) -> Option<u64> {
        let inner = &self.module.inner;
        if !inner.engine.fuel {
            return None;
        }
        let budget = inner.limits.fuel.unwrap_or(u64::MAX);
        if let Some(Error::FuelExhausted { .. }) = error.map(Error::innermost) {
            return Some(budget);
        }
        let left = self.live.as_ref()?.store.get_fuel().ok()?;
        Some(budget.saturating_sub(left))
    }

    /// Drop buffers a big call left behind before the plugin goes back to a pool.
    pub(crate) fn reset_call_state(&mut self) {
        if self.args.capacity() > 1 << 20 {
            self.args = Vec::new();
        }
    }

    /// Refuse a method of the wrong kind for the engine (see [`crate::Engine::is_async`]).
    #[inline]
    fn require_mode(&self, want_async: bool, method: &str, instead: &str) -> Result<()> {
        self.module
            .inner
            .engine
            .require_mode(want_async, method, instead)
    }

    /// The live instance, instantiating one if there is none.
    fn live(&mut self) -> Result<&mut Live> {
        if self.live.is_none() {
            self.require_mode(
                false,
                "restarting a discarded plugin instance from a blocking method",
                "an async call such as Plugin::call_async, which starts a fresh instance",
            )?;
            let live = instantiate(&self.module)?;
            self.set_live(live);
        }
        Ok(self.live.as_mut().expect("instantiated above"))
    }

    /// [`Plugin::live`] for async engines.
    #[cfg(feature = "async")]
    async fn live_async(&mut self) -> Result<&mut Live> {
        if self.live.is_none() {
            let live = start::<Yielding>(&self.module).await?;
            self.set_live(live);
        }
        Ok(self.live.as_mut().expect("instantiated above"))
    }

    fn set_live(&mut self, live: Live) {
        static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);
        self.instance_id = NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed);
        self.live = Some(live);
    }

    /// Find a user function by name, caching the typed export.
    fn lookup(&mut self, function: &str) -> Result<UserFunc> {
        self.live()?;
        self.find(function)
    }

    /// [`Plugin::lookup`] for async engines.
    #[cfg(feature = "async")]
    async fn lookup_async(&mut self, function: &str) -> Result<UserFunc> {
        self.live_async().await?;
        self.find(function)
    }

    /// Find a user function of the live instance by name, caching the typed export.
    fn find(&mut self, function: &str) -> Result<UserFunc> {
        let position = self.cache(function)?;
        let live = self.live.as_ref().expect("made live by the caller");
        Ok(live.funcs[position].clone().expect("cached above"))
    }

    /// Make sure the live instance's user function `function` is cached; returns its position in
    /// `Live::funcs`.
    #[inline]
    fn cache(&mut self, function: &str) -> Result<usize> {
        let exports = &self.module.inner.exports;
        let Some(position) = exports.position(function) else {
            return Err(Error::NoSuchFunction {
                function: function.to_string(),
                available: exports.functions.join(", "),
            });
        };
        let live = self.live.as_mut().expect("made live by the caller");
        if live.funcs[position].is_none() {
            let f = exports
                .function(position, &live.instance, &mut live.store)
                .ok_or_else(|| Error::NoSuchFunction {
                    function: format!("{function} (not in this instance, although in its module)"),
                    available: String::new(),
                })?;
            live.funcs[position] = Some(f);
        }
        Ok(position)
    }

    /// Run `call` with the user function `function` of the live instance (instantiated if there
    /// is none), looked up by name. The cached function is lent to the call, moved out of the
    /// cache and back, rather than cloned: a clone and its drop cost two atomic operations on
    /// wasmtime's type registry, about a fifth of a call by name.
    #[inline]
    fn with_func<T>(
        &mut self,
        function: &str,
        call: impl FnOnce(&mut Self, &UserFunc) -> Result<T>,
    ) -> Result<T> {
        self.live()?;
        let position = self.cache(function)?;
        let live = self.live.as_mut().expect("made live above");
        let func = live.funcs[position].take().expect("cached above");
        let result = call(self, &func);
        // After a trap the instance is gone, and the function with it; otherwise it goes back.
        // (If `call` panics, the next call looks it up again.)
        if let Some(live) = &mut self.live {
            live.funcs[position] = Some(func);
        }
        result
    }

    /// One call: place the input, call, parse the envelope, hand the success body to `ok`.
    fn invoke<T>(
        &mut self,
        name: &str,
        func: &UserFunc,
        input: &[u8],
        ok: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let live = self.live.as_mut().expect("lookup made the instance live");
        let result = call_guest(live.store.as_context_mut(), func, name, input, ok);
        self.after_call(result)
    }

    /// One call with an argument list, MessagePack-encoded into the reused buffer and copied
    /// into guest memory; or, after a call whose arguments were big and mostly payload,
    /// measured first and encoded straight into the guest's block (one copy of a 1 MiB byte
    /// string instead of two).
    ///
    /// Encoding small arguments straight into the guest's scratch buffer as well was measured
    /// (with rmp-serde, before wabi had its own encoder): 2-4% fewer instructions for W1 and W2
    /// of the benchmarks, 3% more for W3, the same time within the noise. That copy stays.
    #[inline(always)]
    fn invoke_args<A: Serialize + ?Sized, T>(
        &mut self,
        name: &str,
        func: &UserFunc,
        args: &A,
        ok: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        if self.last_args == LastArgs::BigPayload {
            if let Some(direct) = self.measure(name, args)? {
                return self.invoke_direct(name, func, direct, ok);
            }
        }
        self.encode(name, args)?;
        let live = self.live.as_mut().expect("lookup made the instance live");
        let result = call_guest(
            live.store.as_context_mut(),
            func,
            name,
            self.args.as_slice(),
            ok,
        );
        self.after_call(result)
    }

    /// [`Plugin::invoke_args`] with arguments encoded straight into guest memory. Out of line,
    /// so that the common path stays as small as it was.
    #[cold]
    #[inline(never)]
    fn invoke_direct<A: Serialize + ?Sized, T>(
        &mut self,
        name: &str,
        func: &UserFunc,
        direct: EncodedArgs<'_, A>,
        ok: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let live = self.live.as_mut().expect("lookup made the instance live");
        let result = call_guest(live.store.as_context_mut(), func, name, direct, ok);
        self.after_call(result)
    }

    /// Measure an argument list: `Some` when it is to be encoded straight into guest memory.
    #[cold]
    fn measure<'a, A: Serialize + ?Sized>(
        &mut self,
        name: &str,
        args: &'a A,
    ) -> Result<Option<EncodedArgs<'a, A>>> {
        let size = codec::measure_args(args).map_err(|e| Error::Encode {
            function: name.to_string(),
            direction: Direction::Arguments,
            message: e.to_string(),
        })?;
        self.last_args = classify(size.bytes, size.writes);
        Ok(
            (self.last_args == LastArgs::BigPayload).then_some(EncodedArgs {
                args,
                len: size.bytes,
            }),
        )
    }

    /// [`Plugin::invoke`] with async wasm calls.
    #[cfg(feature = "async")]
    async fn invoke_async<T>(
        &mut self,
        name: &str,
        func: &UserFunc,
        input: &[u8],
        ok: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let live = self.live.as_mut().expect("lookup made the instance live");
        let result = call_guest_async(live.store.as_context_mut(), func, name, input, ok).await;
        self.after_call(result)
    }

    /// [`Plugin::invoke_args`] with async wasm calls.
    #[cfg(feature = "async")]
    async fn invoke_args_async<A: Serialize + ?Sized, T>(
        &mut self,
        name: &str,
        func: &UserFunc,
        args: &A,
        ok: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        if self.last_args == LastArgs::BigPayload {
            if let Some(direct) = self.measure(name, args)? {
                let live = self.live.as_mut().expect("lookup made the instance live");
                let result =
                    call_guest_async(live.store.as_context_mut(), func, name, direct, ok).await;
                return self.after_call(result);
            }
        }
        self.encode(name, args)?;
        let live = self.live.as_mut().expect("lookup made the instance live");
        let result = call_guest_async(
            live.store.as_context_mut(),
            func,
            name,
            self.args.as_slice(),
            ok,
        )
        .await;
        self.after_call(result)
    }

    /// MessagePack-encode an argument list into the reused buffer.
    #[inline(always)]
    fn encode<A: Serialize + ?Sized>(&mut self, name: &str, args: &A) -> Result<()> {
        self.args.clear();
        codec::encode_args(&mut self.args, args).map_err(|e| Error::Encode {
            function: name.to_string(),
            direction: Direction::Arguments,
            message: e.to_string(),
        })?;
        if self.args.len() >= DIRECT_MIN {
            self.note_big_args();
        } else {
            self.last_args = LastArgs::Small;
        }
        Ok(())
    }

    /// Big arguments were just encoded into the buffer: the next call measures its arguments
    /// unless these were many small values (counted once here, on the buffer's writes).
    #[cold]
    fn note_big_args(&mut self) {
        if self.last_args == LastArgs::Small {
            self.last_args = LastArgs::BigPayload;
        }
    }

    /// Discard the instance if the call faulted.
    #[inline(always)]
    fn after_call<T>(&mut self, result: Result<T>) -> Result<T> {
        match result {
            Ok(value) => Ok(value),
            Err(e) => {
                if e.discarded_instance() {
                    self.live = None;
                }
                Err(e)
            }
        }
    }
}

/// A handle to one function with fixed argument and result types; see [`Plugin::typed`].
pub struct TypedFunction<A, R> {
    name: Arc<str>,
    cached: Option<(u64, UserFunc)>,
    _marker: PhantomData<fn(A) -> R>,
}

impl<A: Serialize, R: DeserializeOwned> TypedFunction<A, R> {
    /// Call the function on `plugin` (which must be an instance of the same module).
    pub fn call(&mut self, plugin: &mut Plugin, args: A) -> Result<R> {
        plugin.require_mode(false, "TypedFunction::call", "TypedFunction::call_async")?;
        if !self.is_current(plugin) {
            self.cached = Some((plugin.instance_id, plugin.lookup(&self.name)?));
        }
        let (_, func) = self.cached.as_ref().expect("looked up above");
        plugin.invoke_args(&self.name, func, &args, decode_result)
    }

    /// [`TypedFunction::call`] on an async engine (cargo feature `async`).
    #[cfg(feature = "async")]
    pub async fn call_async(&mut self, plugin: &mut Plugin, args: A) -> Result<R>
    where
        A: Send,
    {
        plugin.require_mode(true, "TypedFunction::call_async", "TypedFunction::call")?;
        if !self.is_current(plugin) {
            self.cached = Some((plugin.instance_id, plugin.lookup_async(&self.name).await?));
        }
        let (_, func) = self.cached.as_ref().expect("looked up above");
        plugin
            .invoke_args_async(&self.name, func, &args, decode_result)
            .await
    }

    /// Whether the cached export belongs to `plugin`'s live instance: another plugin, or a
    /// fresh instance after a trap, needs a new lookup.
    #[inline]
    fn is_current(&self, plugin: &Plugin) -> bool {
        matches!(&self.cached, Some((id, _)) if *id == plugin.instance_id && plugin.live.is_some())
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// How arguments of `bytes` bytes written in `writes` writes are best placed.
fn classify(bytes: usize, writes: usize) -> LastArgs {
    if bytes < DIRECT_MIN {
        LastArgs::Small
    } else if bytes / writes.max(1) >= DIRECT_BYTES_PER_WRITE {
        LastArgs::BigPayload
    } else {
        LastArgs::BigStructured
    }
}

#[inline(always)]
fn decode_result<R: DeserializeOwned>(body: &[u8]) -> Result<R> {
    // The result of a function returning nothing is `nil`: a value that deserialises from a
    // bare unit (`()`, `Option<T>`, a unit struct) is read without a MessagePack decoder. Any
    // other `R` (or a failure) takes the general path, which gives the same value or error.
    if body == [codec::NIL] {
        let unit = serde::de::value::UnitDeserializer::<serde::de::value::Error>::new();
        if let Ok(value) = R::deserialize(unit) {
            return Ok(value);
        }
    }
    decode_body(body)
}

/// [`decode_result`] with a MessagePack decoder. Out of line, so that the unit case inlines.
#[inline(never)]
fn decode_body<R: DeserializeOwned>(body: &[u8]) -> Result<R> {
    codec::decode(body).map_err(|e| Error::Decode {
        function: String::new(),
        direction: Direction::Result,
        message: e.to_string(),
    })
}

fn read_pod<R: AnyBitPattern>(body: &[u8]) -> Result<R> {
    bytemuck::try_pod_read_unaligned(body).map_err(|_| Error::Decode {
        function: String::new(),
        direction: Direction::Result,
        message: format!(
            "a Pod result of {} bytes was expected, the guest returned {} bytes",
            std::mem::size_of::<R>(),
            body.len()
        ),
    })
}

/// Instantiate and initialise one instance (ABI.md section 5).
fn instantiate(module: &Module) -> Result<Live> {
    now(start::<Blocking>(module))
}

/// [`instantiate`], for either kind of wasm calls.
async fn start<E: Exec>(module: &Module) -> Result<Live> {
    let mut store = module.new_store()?;
    // What the guest's code did wrong while starting: a trap, panic or limit, inside the phase.
    let failed = |phase: StartupPhase, e: wasmtime::Error, store: &mut Store<HostState>| {
        let state = store.data();
        if e.downcast_ref::<wasmtime::Trap>().is_none()
            && state.fault.is_none()
            && state.panic.is_none()
        {
            // Not the guest's code: wasmtime could not make the instance (e.g. the pooling
            // allocator has no free slot).
            return Error::Instantiate {
                reason: format!("{phase} failed: {e:#}"),
            };
        }
        let error = trap_error(&mut store.as_context_mut(), e);
        Error::Startup {
            phase,
            error: Box::new(match phase.export() {
                Some(name) => error.in_function(name),
                None => error,
            }),
        }
    };
    let instance = match E::instantiate(&module.inner.pre, store.as_context_mut()).await {
        Ok(i) => i,
        Err(e) => return Err(failed(StartupPhase::Instantiation, e, &mut store)),
    };
    let exports = &module.inner.exports;
    // Every export below was validated with the module; an instance of it has them all.
    let missing = |what: &str| Error::Instantiate {
        reason: format!("the instance has no export `{what}`, which its module has"),
    };
    if let Some(init) = exports.initialize(&instance, &mut store) {
        let init = init.ok_or_else(|| missing(EXPORT_INITIALIZE))?;
        if let Err(e) = E::call(store.as_context_mut(), &init, ()).await {
            return Err(failed(StartupPhase::Initialize, e, &mut store));
        }
    }
    // A guest of ABI 1.2 or later answers these two the same in every instance of its module
    // (ABI.md section 5): they are asked in the first instance only.
    let (scratch_ptr, mut scratch_cap) = match module.inner.constant_scratch.get() {
        Some(&known) => known,
        None => {
            let version = exports
                .abi_version(&instance, &mut store)
                .ok_or_else(|| missing(EXPORT_ABI_VERSION))?;
            let version = match E::call(store.as_context_mut(), &version, ()).await {
                Ok(v) => AbiVersion::from_raw(v),
                Err(e) => return Err(failed(StartupPhase::AbiVersion, e, &mut store)),
            };
            if !ABI_VERSION.accepts(version) {
                return Err(Error::AbiVersion {
                    guest: version,
                    host: ABI_VERSION,
                });
            }
            let _ = module.inner.abi_version.set(version);
            let scratch = exports
                .scratch(&instance, &mut store)
                .ok_or_else(|| missing(EXPORT_SCRATCH))?;
            let scratch = match E::call(store.as_context_mut(), &scratch, ()).await {
                Ok(packed) => unpack(packed as i64),
                Err(e) => return Err(failed(StartupPhase::Scratch, e, &mut store)),
            };
            if version >= CONSTANT_SCRATCH_SINCE {
                // Another thread may have set it first: with the same values, by the rule.
                let _ = module.inner.constant_scratch.set(scratch);
            }
            scratch
        }
    };
    let memory = exports
        .memory(&instance, &mut store)
        .ok_or_else(|| missing("memory"))?;
    let alloc = exports.alloc(instance);
    // Checked in every instance, against its own memory: a guest that breaks the rule above
    // only gets its own memory written.
    let size = memory.data_size(&store);
    if scratch_cap > 0
        && (scratch_ptr % INPUT_ALIGN != 0
            || checked_range(scratch_ptr, scratch_cap as u64, size).is_err())
    {
        // ABI.md section 5: an unusable scratch area means "no scratch".
        tracing::warn!(
            target: "wabi::host",
            plugin = %module.name(),
            "ignoring an invalid scratch buffer of {scratch_cap} bytes at {scratch_ptr:#x}"
        );
        scratch_cap = 0;
    }
    if let Some(metrics) = module.inner.metrics.get() {
        metrics.record_instance();
    }
    store.data_mut().abi = Some(AbiExports {
        memory,
        alloc,
        scratch_ptr,
        scratch_cap,
    });
    Ok(Live {
        store,
        instance,
        funcs: vec![None; exports.functions.len()],
    })
}
