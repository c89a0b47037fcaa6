//! The call path shared by plugin calls and nested calls from host functions (ABI.md 6.2).
//!
//! Blocking and async calls share every step but the wasm calls themselves: [`call_guest`] and
//! `call_guest_async` (cargo feature `async`) are the same short sequence of the steps below
//! ([`enter`], [`place_input`], [`accept_block`] after the guest's allocator when needed, the
//! call, [`returned`], [`leave`]), one making the two wasm calls with `call`, the other with
//! `call_async`. (One generic `async` body, polled to completion with a no-op waker on the
//! blocking side, cost about 35 ns more per blocking call, so this hot path keeps two thin
//! drivers.) Instantiation, which is cold, is written once over [`Exec`].

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use wabi_spec::layout::{unpack, Envelope, INPUT_ALIGN};
use wabi_spec::names::EXPORT_ALLOC;
use wasmtime::{
    Instance, InstancePre, Memory, StoreContextMut, Trap, TypedFunc, WasmBacktrace, WasmParams,
    WasmResults,
};

use crate::error::{Direction, Error, GuestError, GuestPanic, Result};
use crate::exports::guest_alloc;
use crate::limits::restart_deadline;
use crate::log::GuestOutput;
use crate::memory::checked_range;
use crate::state::{AbiExports, HostState};

/// An exported user function: `(ptr, len) -> packed (ptr, len)`.
pub(crate) type UserFunc = TypedFunc<(u32, u32), u64>;

/// The input of a call: bytes to copy into guest memory ([`&[u8]`]), or arguments to encode
/// straight into it ([`EncodedArgs`]).
pub(crate) trait Input: Copy {
    /// Its length in bytes.
    fn len(self) -> usize;
    /// Write it into `dest`, exactly [`Input::len`] bytes of guest memory.
    fn write(self, dest: &mut [u8]) -> Result<()>;
}

impl Input for &[u8] {
    #[inline(always)]
    fn len(self) -> usize {
        <[u8]>::len(self)
    }

    #[inline(always)]
    fn write(self, dest: &mut [u8]) -> Result<()> {
        dest.copy_from_slice(self);
        Ok(())
    }
}

/// An argument list of a measured size (`codec::measure_args`), encoded where the guest reads
/// it: one copy of its payloads instead of two (see `Plugin::invoke_args`).
pub(crate) struct EncodedArgs<'a, A: ?Sized> {
    pub(crate) args: &'a A,
    pub(crate) len: usize,
}

impl<A: ?Sized> Clone for EncodedArgs<'_, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: ?Sized> Copy for EncodedArgs<'_, A> {}

impl<A: serde::Serialize + ?Sized> Input for EncodedArgs<'_, A> {
    fn len(self) -> usize {
        self.len
    }

    fn write(self, dest: &mut [u8]) -> Result<()> {
        wabi_spec::codec::encode_args_into(dest, self.args).map_err(|e| Error::Encode {
            function: String::new(),
            direction: Direction::Arguments,
            message: e.to_string(),
        })
    }
}

/// Call `func` with `input` in `store` and hand the success body to `ok`. Applies the
/// per-call limits at the outermost call; refuses nesting beyond the depth limit.
#[inline(always)]
pub(crate) fn call_guest<T>(
    mut store: StoreContextMut<'_, HostState>,
    func: &UserFunc,
    name: &str,
    input: impl Input,
    ok: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let outer = enter(&mut store, name)?;
    let result = match initialised(&store) {
        Ok(area) => {
            let ptr = match place_input(&mut store, area, input, outer) {
                Ok(Placement::At(ptr)) => Ok(ptr),
                Ok(Placement::Alloc(alloc, len)) => {
                    let block = alloc.call(&mut store, (len, INPUT_ALIGN));
                    accept_block(&mut store, input, block)
                }
                Err(e) => Err(e),
            };
            match ptr {
                Ok(ptr) => {
                    let outcome = func.call(&mut store, (ptr, input.len() as u32));
                    returned(&mut store, area, outcome, ok)
                }
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    leave(&mut store, name, outer, result)
}

/// [`call_guest`] with async wasm calls, which yield to the executor at every epoch tick.
#[cfg(feature = "async")]
pub(crate) async fn call_guest_async<T>(
    mut store: StoreContextMut<'_, HostState>,
    func: &UserFunc,
    name: &str,
    input: impl Input,
    ok: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let outer = enter(&mut store, name)?;
    let result = match initialised(&store) {
        Ok(area) => {
            let ptr = match place_input(&mut store, area, input, outer) {
                Ok(Placement::At(ptr)) => Ok(ptr),
                Ok(Placement::Alloc(alloc, len)) => {
                    let block = alloc.call_async(&mut store, (len, INPUT_ALIGN)).await;
                    accept_block(&mut store, input, block)
                }
                Err(e) => Err(e),
            };
            match ptr {
                Ok(ptr) => {
                    let outcome = func.call_async(&mut store, (ptr, input.len() as u32)).await;
                    returned(&mut store, area, outcome, ok)
                }
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    leave(&mut store, name, outer, result)
}

/// Start a call. The outermost call clears the last call's faults and sets the deadline and
/// the fuel budget; a nested call beyond the depth limit is refused (and ends the outer call).
/// Returns whether this is the outermost call.
#[inline(always)]
fn enter(store: &mut StoreContextMut<'_, HostState>, name: &str) -> Result<bool> {
    let state = store.data_mut();
    let outer = state.depth == 0;
    if outer {
        if state.fault.is_some() || state.panic.is_some() {
            // Left by a guest that reported a panic and then returned, or similar: they must
            // not explain this call's trap.
            state.fault = None;
            state.panic = None;
        }
        if let Some(output) = &state.output {
            // A `panic:` line from an earlier call must not explain this call's trap.
            output.iter().for_each(GuestOutput::clear_tail);
        }
        restart_deadline(state);
        state.http_requests = 0;
        if state.fuel_enabled {
            let fuel = state.limits.fuel.unwrap_or(u64::MAX);
            store
                .set_fuel(fuel)
                .expect("fuel is enabled on this engine");
        }
    } else if state.depth >= state.limits.max_depth {
        let error = Error::DepthLimit {
            function: name.to_string(),
            limit: state.limits.max_depth,
        };
        state.record_fault(error.clone());
        return Err(error);
    }
    // The call is on the stack from here on, including the `wabi_alloc` for its input: a host
    // function reached from there is nested and must not re-arm the deadline or clear faults.
    store.data_mut().depth += 1;
    Ok(outer)
}

/// End a call: name the function in its error; a fault in a nested call ends the outer call
/// too, whatever the host function does with this error.
#[inline(always)]
fn leave<T>(
    store: &mut StoreContextMut<'_, HostState>,
    name: &str,
    outer: bool,
    result: Result<T>,
) -> Result<T> {
    store.data_mut().depth -= 1;
    // Taken apart and put together again: moving the whole (large) `Result` through a
    // `map_err` cost copies of it on the success path.
    match result {
        Ok(value) => Ok(value),
        Err(mut e) => {
            failed(store, name, outer, &mut e);
            Err(e)
        }
    }
}

/// The error side of [`leave`].
#[cold]
#[inline(never)]
fn failed(store: &mut StoreContextMut<'_, HostState>, name: &str, outer: bool, e: &mut Error) {
    e.name_function(name);
    if !outer && e.discarded_instance() {
        store.data_mut().record_fault(e.clone());
    }
}

/// Where a live instance's memory and scratch buffer are: plain values, copied out per call
/// (the `wabi_alloc` function is cloned only when an input needs a block).
#[derive(Clone, Copy)]
struct InputArea {
    memory: Memory,
    scratch_ptr: u32,
    scratch_cap: u32,
}

/// The input area of the instance, or an error when a host function called back into a guest
/// that has not finished initialising (from `_initialize` or its start function).
#[inline]
fn initialised(store: &StoreContextMut<'_, HostState>) -> Result<InputArea> {
    let abi: Option<&AbiExports> = store.data().abi.as_ref();
    abi.map(|a| InputArea {
        memory: a.memory,
        scratch_ptr: a.scratch_ptr,
        scratch_cap: a.scratch_cap,
    })
    .ok_or_else(|| Error::Instantiate {
        reason: "a host function called back into the guest before it finished initialising; \
                 host functions may call the guest only once it is instantiated"
            .into(),
    })
}

/// Where the input of a call goes.
enum Placement {
    /// At this address, already written (the scratch buffer; 0 for no input).
    At(u32),
    /// In a block the guest's allocator must provide: call it with `(len, INPUT_ALIGN)` and
    /// hand its answer to [`accept_block`].
    Alloc(TypedFunc<(u32, u32), u32>, u32),
}

/// Put the input where the guest can read it (ABI.md 6.2, step 2): into the scratch buffer
/// when allowed and it fits, otherwise ask for a block from the guest's allocator.
#[inline]
fn place_input(
    store: &mut StoreContextMut<'_, HostState>,
    abi: InputArea,
    input: impl Input,
    scratch_allowed: bool,
) -> Result<Placement> {
    if input.len() == 0 {
        return Ok(Placement::At(0));
    }
    let len = u32::try_from(input.len()).map_err(|_| Error::Encode {
        function: String::new(),
        direction: Direction::Arguments,
        message: format!("{} bytes do not fit a 32-bit guest", input.len()),
    })?;
    if scratch_allowed && len <= abi.scratch_cap {
        let data = abi.memory.data_mut(&mut *store);
        let range = checked_range(abi.scratch_ptr, len as u64, data.len())?;
        input.write(&mut data[range])?;
        return Ok(Placement::At(abi.scratch_ptr));
    }
    let alloc = guest_alloc(&mut *store).ok_or_else(|| Error::Instantiate {
        reason: format!("the instance has no export `{EXPORT_ALLOC}`, which its module has"),
    })?;
    Ok(Placement::Alloc(alloc, len))
}

/// Check the block the guest's allocator returned for the input and write the input into it;
/// returns its address.
fn accept_block(
    store: &mut StoreContextMut<'_, HostState>,
    input: impl Input,
    block: wasmtime::Result<u32>,
) -> Result<u32> {
    let ptr = block.map_err(|e| trap_error(store, e))?;
    let abi = initialised(store)?;
    let len = input.len() as u32;
    let refuse = |reason: String| Error::Alloc {
        function: String::new(),
        host_function: None,
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
    let scratch_end = abi.scratch_ptr as u64 + abi.scratch_cap as u64;
    if abi.scratch_cap > 0
        && (ptr as u64) < scratch_end
        && ptr as u64 + len as u64 > abi.scratch_ptr as u64
    {
        return Err(refuse(format!(
            "wabi_alloc returned {ptr:#x}, which overlaps the scratch buffer"
        )));
    }
    let data = abi.memory.data_mut(&mut *store);
    let range = checked_range(ptr, len as u64, data.len())
        .map_err(|e| refuse(format!("wabi_alloc returned a block outside memory: {e}")))?;
    input.write(&mut data[range])?;
    Ok(ptr)
}

/// What the user function's call came to: its envelope interpreted, or its trap explained.
#[inline(always)]
fn returned<T>(
    store: &mut StoreContextMut<'_, HostState>,
    area: InputArea,
    outcome: wasmtime::Result<u64>,
    ok: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    match outcome {
        Ok(packed) => read_envelope(store, area.memory, packed as i64, ok),
        Err(trap) => Err(trap_error(store, trap)),
    }
}

/// How the wasm calls of instantiation are made: blocking ([`Blocking`]) or async
/// (`Yielding`, cargo feature `async`). Instantiation is written once, as `async` code generic
/// over this; the blocking side runs it with [`now`].
pub(crate) trait Exec {
    /// Call a typed wasm function.
    fn call<P, R>(
        store: StoreContextMut<'_, HostState>,
        func: &TypedFunc<P, R>,
        params: P,
    ) -> impl Future<Output = wasmtime::Result<R>> + Send
    where
        P: WasmParams + Send + Sync,
        R: WasmResults + Send + Sync;

    /// Instantiate a module, running its start function.
    fn instantiate(
        pre: &InstancePre<HostState>,
        store: StoreContextMut<'_, HostState>,
    ) -> impl Future<Output = wasmtime::Result<Instance>> + Send;
}

/// Blocking wasm calls: every future is ready when first polled.
pub(crate) struct Blocking;

impl Exec for Blocking {
    fn call<P, R>(
        store: StoreContextMut<'_, HostState>,
        func: &TypedFunc<P, R>,
        params: P,
    ) -> impl Future<Output = wasmtime::Result<R>> + Send
    where
        P: WasmParams + Send + Sync,
        R: WasmResults + Send + Sync,
    {
        std::future::ready(func.call(store, params))
    }

    fn instantiate(
        pre: &InstancePre<HostState>,
        store: StoreContextMut<'_, HostState>,
    ) -> impl Future<Output = wasmtime::Result<Instance>> + Send {
        std::future::ready(pre.instantiate(store))
    }
}

/// Async wasm calls: on a fiber, yielding to the executor (see `limits::install_deadline_check`).
#[cfg(feature = "async")]
pub(crate) struct Yielding;

#[cfg(feature = "async")]
impl Exec for Yielding {
    fn call<P, R>(
        store: StoreContextMut<'_, HostState>,
        func: &TypedFunc<P, R>,
        params: P,
    ) -> impl Future<Output = wasmtime::Result<R>> + Send
    where
        P: WasmParams + Send + Sync,
        R: WasmResults + Send + Sync,
    {
        func.call_async(store, params)
    }

    fn instantiate(
        pre: &InstancePre<HostState>,
        store: StoreContextMut<'_, HostState>,
    ) -> impl Future<Output = wasmtime::Result<Instance>> + Send {
        pre.instantiate_async(store)
    }
}

/// Run a future of the [`Blocking`] side to completion: it never waits, so one poll finishes it.
pub(crate) fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("blocking wasm calls never wait"),
    }
}

/// Validate and interpret the envelope a user function returned (ABI.md 6.2 step 4, section 7).
#[inline(always)]
fn read_envelope<T>(
    store: &StoreContextMut<'_, HostState>,
    memory: Memory,
    packed: i64,
    ok: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let (ptr, len) = unpack(packed);
    let state = store.data();
    let max_output = state.limits.max_output;
    if len as usize > max_output {
        return Err(Error::OutputTooLarge {
            function: String::new(),
            host_function: None,
            len: len as u64,
            limit: max_output as u64,
        });
    }
    let data = memory.data(store);
    let range = checked_range(ptr, len as u64, data.len()).map_err(|e| Error::BadResult {
        function: String::new(),
        reason: format!("the result location is invalid: {e}"),
    })?;
    let bytes = &data[range];
    match Envelope::ok_body(bytes) {
        Some(body) => ok(body),
        None => Err(not_ok(bytes)),
    }
}

/// The error an envelope that is not a well-formed `Ok` envelope stands for.
#[cold]
#[inline(never)]
fn not_ok(bytes: &[u8]) -> Error {
    match Envelope::parse(bytes) {
        Ok(envelope) => envelope_error(envelope),
        Err(e) => Error::BadResult {
            function: String::new(),
            reason: e.to_string(),
        },
    }
}

/// The error a parsed envelope that is not a well-formed `Ok` envelope stands for.
fn envelope_error(envelope: Envelope<'_>) -> Error {
    match envelope {
        // `Envelope::ok_body` accepts every well-formed Ok envelope before this is reached; a
        // guest's bytes must never panic the host, so this is an error all the same.
        Envelope::Ok(_) => Error::BadResult {
            function: String::new(),
            reason: "an Ok envelope that its fast path refused".into(),
        },
        Envelope::Error { message, value } => Error::Guest {
            function: String::new(),
            error: GuestError {
                message: message.to_string(),
                value: value.map(<[u8]>::to_vec),
            },
        },
        Envelope::Panic(record) => Error::Panic {
            function: String::new(),
            panic: GuestPanic {
                message: record.message.to_string(),
                file: (!record.file.is_empty()).then(|| record.file.to_string()),
                line: record.line,
                column: record.column,
            },
        },
        Envelope::BadArguments(message) => Error::Decode {
            function: String::new(),
            direction: Direction::Arguments,
            message: format!("the guest could not decode them: {message}"),
        },
        Envelope::BadResult(message) => Error::Encode {
            function: String::new(),
            direction: Direction::Result,
            message: format!("the guest could not encode it: {message}"),
        },
    }
}

/// Turn a failed wasm call into an error: a recorded limit or nested fault, a reported panic, a
/// deadline or fuel trap, a `panic:` line the runtime printed before trapping (TinyGo: stdout,
/// Go: stderr), or a plain trap.
pub(crate) fn trap_error(
    store: &mut StoreContextMut<'_, HostState>,
    err: wasmtime::Error,
) -> Error {
    let state = store.data_mut();
    if let Some(fault) = state.fault.take() {
        return fault;
    }
    if let Some(panic) = state.panic.take() {
        return Error::Panic {
            function: String::new(),
            panic,
        };
    }
    let backtrace = err.downcast_ref::<WasmBacktrace>().map(|b| b.to_string());
    match err.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => {
            return Error::Timeout {
                function: String::new(),
                limit: state.limits.timeout.unwrap_or_default(),
            }
        }
        Some(Trap::OutOfFuel) => {
            return Error::FuelExhausted {
                function: String::new(),
                limit: state.limits.fuel.unwrap_or(u64::MAX),
            }
        }
        Some(_) => {
            // stderr first: mainline Go's runtime writes there; TinyGo's writes to stdout.
            let line = state.output.as_ref().and_then(|[stdout, stderr]| {
                stderr
                    .take_panic_line()
                    .or_else(|| stdout.take_panic_line())
            });
            if let Some(message) = line {
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
        None => {}
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
