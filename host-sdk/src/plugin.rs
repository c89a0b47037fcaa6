//! A plugin instance and the call path (ABI.md section 6).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use std::any::Any;

use bytemuck::{AnyBitPattern, NoUninit};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wabi_spec::layout::{unpack, INPUT_ALIGN};
use wabi_spec::names::{EXPORT_ABI_VERSION, EXPORT_ALLOC, EXPORT_INITIALIZE, EXPORT_SCRATCH};
use wabi_spec::{codec, AbiVersion, ABI_VERSION};
use wasmtime::{AsContextMut, Instance, Store};

use crate::call::{call_guest, trap_error, UserFunc};
use crate::error::{Direction, Error, Result};
use crate::memory::{checked_range, GuestMemory};
use crate::module::Module;
use crate::state::{AbiExports, HostState};

/// One live instance: its store and the user exports looked up so far.
struct Live {
    store: Store<HostState>,
    instance: Instance,
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

    /// Drop buffers a big call left behind before the plugin goes back to a pool.
    pub(crate) fn reset_call_state(&mut self) {
        if self.args.capacity() > 1 << 20 {
            self.args = Vec::new();
        }
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
        let result = call_guest(live.store.as_context_mut(), &func, name, bytes, ok);
        if result.as_ref().is_err_and(Error::discarded_instance) {
            self.live = None;
        }
        result
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
    let mut store = module.new_store()?;
    let failed = |what: &str, e: wasmtime::Error, store: &mut Store<HostState>| {
        match trap_error(&mut store.as_context_mut(), e) {
            // A limit hit while starting up is reported as itself.
            limit @ (Error::MemoryLimit { .. }
            | Error::TableLimit { .. }
            | Error::Timeout { .. }
            | Error::FuelExhausted { .. }) => limit.in_function(what),
            other => Error::Instantiate {
                reason: format!("{what} failed: {other}"),
            },
        }
    };
    let instance = match module.inner.pre.instantiate(&mut store) {
        Ok(i) => i,
        Err(e) => return Err(failed("the start function", e, &mut store)),
    };
    if module.inner.has_initialize {
        let init = instance
            .get_typed_func::<(), ()>(&mut store, EXPORT_INITIALIZE)
            .map_err(|e| failed(EXPORT_INITIALIZE, e, &mut store))?;
        if let Err(e) = init.call(&mut store, ()) {
            return Err(failed(EXPORT_INITIALIZE, e, &mut store));
        }
    }
    let version = instance
        .get_typed_func::<(), u32>(&mut store, EXPORT_ABI_VERSION)
        .and_then(|f| f.call(&mut store, ()));
    let version = match version {
        Ok(v) => AbiVersion::from_raw(v),
        Err(e) => return Err(failed(EXPORT_ABI_VERSION, e, &mut store)),
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
        Err(e) => return Err(failed(EXPORT_SCRATCH, e, &mut store)),
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
    store.data_mut().abi = Some(AbiExports {
        memory,
        alloc,
        scratch_ptr,
        scratch_cap,
    });
    Ok(Live {
        store,
        instance,
        funcs: HashMap::new(),
    })
}
