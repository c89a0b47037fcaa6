//! A plugin instance and the call path (ABI.md section 6).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytemuck::{AnyBitPattern, NoUninit};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wabi_spec::layout::{unpack, Envelope, INPUT_ALIGN};
use wabi_spec::names::{EXPORT_ABI_VERSION, EXPORT_ALLOC, EXPORT_INITIALIZE, EXPORT_SCRATCH};
use wabi_spec::{codec, AbiVersion, ABI_VERSION};
use wasmtime::{AsContextMut, Instance, Memory, Store, Trap, TypedFunc, WasmBacktrace};

use crate::error::{Direction, Error, GuestError, GuestPanic, Result};
use crate::memory::{checked_range, GuestMemory};
use crate::module::Module;
use crate::state::HostState;

type UserFunc = TypedFunc<(u32, u32), u64>;

/// One live instance: its store and what was looked up once.
struct Live {
    store: Store<HostState>,
    instance: Instance,
    memory: Memory,
    alloc: TypedFunc<(u32, u32), u32>,
    scratch_ptr: u32,
    scratch_cap: u32,
    funcs: HashMap<Arc<str>, UserFunc>,
}

/// A ready-to-call plugin: one guest instance with its own memory.
///
/// Calls take `&mut self`; a `Plugin` is `Send`, so give each thread its own (instances are
/// cheap: see [`Module::instantiate`]).
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
}

/// Where the input of a call comes from.
enum Input<'a, A: ?Sized> {
    /// MessagePack-encode an argument list.
    Args(&'a A),
    /// Raw bytes, as they are.
    Bytes(&'a [u8]),
}

impl Plugin {
    pub(crate) fn new(module: Module) -> Result<Plugin> {
        let mut plugin = Plugin {
            module,
            live: None,
            instance_id: 0,
            args: Vec::new(),
        };
        plugin.live()?;
        Ok(plugin)
    }

    /// The module this plugin was instantiated from.
    pub fn module(&self) -> &Module {
        &self.module
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
        let func = self.lookup(function)?;
        self.invoke(function, func, Input::Args(&args), decode_result)
    }

    /// Call a raw function: `input` bytes in, the guest's bytes out, no MessagePack.
    pub fn call_raw(&mut self, function: &str, input: &[u8]) -> Result<Vec<u8>> {
        let func = self.lookup(function)?;
        self.invoke(
            function,
            func,
            Input::<()>::Bytes(input),
            |b| Ok(b.to_vec()),
        )
    }

    /// Call a raw function and look at its output in place, without copying it out of guest
    /// memory.
    pub fn call_raw_with<T>(
        &mut self,
        function: &str,
        input: &[u8],
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T> {
        let func = self.lookup(function)?;
        self.invoke(function, func, Input::<()>::Bytes(input), |b| Ok(read(b)))
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
        let func = self.lookup(function)?;
        self.invoke(
            function,
            func,
            Input::<()>::Bytes(bytemuck::bytes_of(input)),
            read_pod,
        )
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
        let func = self.lookup(function)?;
        Ok(TypedFunction {
            name: function.into(),
            cached: Some((self.instance_id, func)),
            _marker: PhantomData,
        })
    }

    /// Bounds-checked access to the guest's linear memory.
    pub fn memory(&mut self) -> Result<GuestMemory<'_>> {
        let live = self.live()?;
        Ok(GuestMemory {
            memory: live.memory,
            store: live.store.as_context_mut(),
        })
    }

    /// Size of the guest's linear memory in bytes.
    pub fn memory_size(&mut self) -> Result<usize> {
        let live = self.live()?;
        Ok(live.memory.data_size(&live.store))
    }

    /// Discard the current instance; the next call starts a fresh one.
    pub fn reset(&mut self) {
        self.live = None;
    }

    /// The live instance, instantiating one if there is none.
    fn live(&mut self) -> Result<&mut Live> {
        if self.live.is_none() {
            static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);
            let live = instantiate(&self.module)?;
            self.instance_id = NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed);
            self.live = Some(live);
        }
        Ok(self.live.as_mut().expect("instantiated above"))
    }

    /// Find a user function by name, caching the typed export.
    fn lookup(&mut self, function: &str) -> Result<UserFunc> {
        let live = self.live()?;
        if let Some(f) = live.funcs.get(function) {
            return Ok(f.clone());
        }
        if !self.module.functions().iter().any(|f| f == function) {
            return Err(Error::NoSuchFunction {
                function: function.to_string(),
                available: self.module.functions().join(", "),
            });
        }
        let live = self.live.as_mut().expect("live above");
        let f = live
            .instance
            .get_typed_func::<(u32, u32), u64>(&mut live.store, function)
            .map_err(|e| Error::NoSuchFunction {
                function: format!("{function} ({e})"),
                available: String::new(),
            })?;
        live.funcs.insert(function.into(), f.clone());
        Ok(f)
    }

    /// One call: place the input, call, parse the envelope, hand the success body to `ok`.
    fn invoke<A: Serialize + ?Sized, T>(
        &mut self,
        name: &str,
        func: UserFunc,
        input: Input<'_, A>,
        ok: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let bytes: &[u8] = match input {
            Input::Bytes(b) => b,
            Input::Args(a) => {
                self.args.clear();
                codec::encode_args(&mut self.args, a).map_err(|e| Error::Encode {
                    function: name.to_string(),
                    direction: Direction::Arguments,
                    message: e.to_string(),
                })?;
                &self.args
            }
        };
        let live = self.live.as_mut().expect("lookup made the instance live");
        let result = match place_input(live, bytes) {
            Ok(ptr) => match func.call(&mut live.store, (ptr, bytes.len() as u32)) {
                Ok(packed) => read_envelope(live, packed as i64, ok),
                Err(trap) => Err(trap_error(&mut live.store, trap)),
            },
            Err(e) => Err(e),
        };
        result.map_err(|e| {
            if e.discarded_instance() {
                self.live = None;
            }
            e.in_function(name)
        })
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
        let func = match &self.cached {
            // A cached export is valid only for the instance it was looked up in; another
            // plugin, or a fresh instance after a trap, needs a new lookup.
            Some((id, f)) if *id == plugin.instance_id && plugin.live.is_some() => f.clone(),
            _ => {
                let f = plugin.lookup(&self.name)?;
                self.cached = Some((plugin.instance_id, f.clone()));
                f
            }
        };
        plugin.invoke(&self.name, func, Input::Args(&args), decode_result)
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

fn decode_result<R: DeserializeOwned>(body: &[u8]) -> Result<R> {
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
    let mut store = module.new_store();
    let failed =
        |what: &str, e: wasmtime::Error, store: &mut Store<HostState>| Error::Instantiate {
            reason: format!("{what}: {}", trap_error(store, e)),
        };
    let instance = match module.inner.pre.instantiate(&mut store) {
        Ok(i) => i,
        Err(e) => return Err(failed("the start function failed", e, &mut store)),
    };
    if module.inner.has_initialize {
        let init = instance
            .get_typed_func::<(), ()>(&mut store, EXPORT_INITIALIZE)
            .map_err(|e| failed(EXPORT_INITIALIZE, e, &mut store))?;
        if let Err(e) = init.call(&mut store, ()) {
            return Err(failed("`_initialize` failed", e, &mut store));
        }
    }
    let version = instance
        .get_typed_func::<(), u32>(&mut store, EXPORT_ABI_VERSION)
        .and_then(|f| f.call(&mut store, ()));
    let version = match version {
        Ok(v) => AbiVersion::from_raw(v),
        Err(e) => return Err(failed("`wabi_abi_version` failed", e, &mut store)),
    };
    if !ABI_VERSION.accepts(version) {
        return Err(Error::AbiVersion {
            guest: version,
            host: ABI_VERSION,
        });
    }
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or_else(|| Error::Instantiate {
            reason: "the instance has no memory named `memory`".into(),
        })?;
    let alloc = instance
        .get_typed_func::<(u32, u32), u32>(&mut store, EXPORT_ALLOC)
        .map_err(|e| failed(EXPORT_ALLOC, e, &mut store))?;
    let scratch = instance
        .get_typed_func::<(), u64>(&mut store, EXPORT_SCRATCH)
        .and_then(|f| f.call(&mut store, ()));
    let (scratch_ptr, mut scratch_cap) = match scratch {
        Ok(packed) => unpack(packed as i64),
        Err(e) => return Err(failed("`wabi_scratch` failed", e, &mut store)),
    };
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
    Ok(Live {
        store,
        instance,
        memory,
        alloc,
        scratch_ptr,
        scratch_cap,
        funcs: HashMap::new(),
    })
}

/// Put the input where the guest can read it (ABI.md 6.2, step 2); returns its address.
fn place_input(live: &mut Live, bytes: &[u8]) -> Result<u32> {
    if bytes.is_empty() {
        return Ok(0);
    }
    let len = u32::try_from(bytes.len()).map_err(|_| Error::Encode {
        function: String::new(),
        direction: Direction::Arguments,
        message: format!("{} bytes do not fit a 32-bit guest", bytes.len()),
    })?;
    if len <= live.scratch_cap {
        let data = live.memory.data_mut(&mut live.store);
        let range = checked_range(live.scratch_ptr, len as u64, data.len())?;
        data[range].copy_from_slice(bytes);
        return Ok(live.scratch_ptr);
    }
    let ptr = live
        .alloc
        .call(&mut live.store, (len, INPUT_ALIGN))
        .map_err(|e| trap_error(&mut live.store, e))?;
    let refuse = |reason: String| Error::Alloc {
        function: String::new(),
        size: len as u64,
        reason,
    };
    if ptr == 0 {
        return Err(refuse(
            "wabi_alloc returned 0: the guest is out of memory".into(),
        ));
    }
    if ptr % INPUT_ALIGN != 0 {
        return Err(refuse(format!(
            "wabi_alloc returned {ptr:#x}, which is not {INPUT_ALIGN}-byte aligned"
        )));
    }
    let scratch_end = live.scratch_ptr as u64 + live.scratch_cap as u64;
    if live.scratch_cap > 0
        && (ptr as u64) < scratch_end
        && ptr as u64 + len as u64 > live.scratch_ptr as u64
    {
        return Err(refuse(format!(
            "wabi_alloc returned {ptr:#x}, which overlaps the scratch buffer"
        )));
    }
    let data = live.memory.data_mut(&mut live.store);
    let range = checked_range(ptr, len as u64, data.len())
        .map_err(|e| refuse(format!("wabi_alloc returned a block outside memory: {e}")))?;
    data[range].copy_from_slice(bytes);
    Ok(ptr)
}

/// Validate and interpret the envelope a user function returned (ABI.md 6.2 step 4, section 7).
fn read_envelope<T>(
    live: &mut Live,
    packed: i64,
    ok: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let (ptr, len) = unpack(packed);
    let data = live.memory.data(&live.store);
    let bad = |reason: String| Error::BadResult {
        function: String::new(),
        reason,
    };
    let range = checked_range(ptr, len as u64, data.len())
        .map_err(|e| bad(format!("the result location is invalid: {e}")))?;
    let envelope = Envelope::parse(&data[range]).map_err(|e| bad(e.to_string()))?;
    match envelope {
        Envelope::Ok(body) => ok(body),
        Envelope::Error { message, value } => Err(Error::Guest {
            function: String::new(),
            error: GuestError {
                message: message.to_string(),
                value: value.map(<[u8]>::to_vec),
            },
        }),
        Envelope::Panic(record) => Err(Error::Panic {
            function: String::new(),
            panic: GuestPanic {
                message: record.message.to_string(),
                file: (!record.file.is_empty()).then(|| record.file.to_string()),
                line: record.line,
                column: record.column,
            },
        }),
        Envelope::BadArguments(message) => Err(Error::Decode {
            function: String::new(),
            direction: Direction::Arguments,
            message: format!("the guest could not decode them: {message}"),
        }),
        Envelope::BadResult(message) => Err(Error::Encode {
            function: String::new(),
            direction: Direction::Result,
            message: format!("the guest could not encode it: {message}"),
        }),
    }
}

/// Turn a failed wasm call into an error: a reported panic, a TinyGo-style `panic:` line on
/// stderr, or a trap with its backtrace.
fn trap_error(store: &mut Store<HostState>, err: wasmtime::Error) -> Error {
    if let Some(panic) = store.data_mut().panic.take() {
        return Error::Panic {
            function: String::new(),
            panic,
        };
    }
    let backtrace = err.downcast_ref::<WasmBacktrace>().map(|b| b.to_string());
    if err.downcast_ref::<Trap>().is_some() {
        if let Some(message) = store
            .data()
            .stderr
            .as_ref()
            .and_then(|s| s.take_panic_line())
        {
            return Error::Panic {
                function: String::new(),
                panic: GuestPanic {
                    message,
                    file: None,
                    line: 0,
                    column: 0,
                },
            };
        }
    }
    let message = match err.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{err:#}"),
    };
    Error::Trap {
        function: String::new(),
        message,
        backtrace,
    }
}
