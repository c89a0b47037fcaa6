//! Host functions: typed Rust closures a guest calls through `wabi.host_call` (ABI.md 4.1).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
#[cfg(feature = "async")]
use std::future::Future;
#[cfg(feature = "async")]
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wabi_spec::codec;
use wabi_spec::layout::{pack, EnvelopeWriter, Status, INPUT_ALIGN};
use wabi_spec::names::{IMPORT_HOST_CALL, IMPORT_MODULE};
use wasmtime::{AsContextMut, Caller, Linker, Memory};

#[cfg(feature = "async")]
use crate::call::call_guest_async;
use crate::call::{call_guest, UserFunc};
use crate::error::{Error, Result};
use crate::exports::{guest_alloc, GuestAlloc};
use crate::imports::read_caller;
use crate::memory::{checked_range, GuestMemory};
use crate::state::HostState;

/// A failure a host function reports to the guest: it arrives there as an error value (message
/// and optional MessagePack value), never as a trap.
///
/// Any `std::error::Error` converts into it, so host functions can use `?`.
///
/// ```
/// use wabi_host::HostError;
/// let plain = HostError::new("no such user");
/// let coded = HostError::with_value("rate limited", &429u16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// Shown to the guest as the error's message.
    pub message: String,
    /// MessagePack value for the guest to decode, if any.
    pub value: Option<Vec<u8>>,
}

impl HostError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        HostError {
            message: message.into(),
            value: None,
        }
    }

    /// An error with a message and a structured value (if the value cannot be encoded, the
    /// error carries the message only).
    pub fn with_value<T: Serialize + ?Sized>(message: impl Into<String>, value: &T) -> Self {
        HostError {
            message: message.into(),
            value: codec::to_vec(value).ok(),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error> From<E> for HostError {
    fn from(e: E) -> Self {
        HostError::new(e.to_string())
    }
}

/// What a host function can reach while it runs: the plugin's state and configuration, its
/// memory, and its exports (a nested call).
pub struct HostContext<'a, 'b> {
    caller: &'a mut Caller<'b, HostState>,
}

impl HostContext<'_, '_> {
    /// The plugin's name.
    pub fn plugin(&self) -> &str {
        &self.caller.data().plugin
    }

    /// The per-instance state made by [`crate::ModuleBuilder::state`], if it is a `T`.
    pub fn state<T: Any>(&mut self) -> Option<&mut T> {
        self.caller.data_mut().user.as_mut()?.downcast_mut()
    }

    /// A configuration value granted with [`crate::ModuleBuilder::config`].
    pub fn config(&self, key: &str) -> Option<&str> {
        self.caller.data().config.get(key).map(String::as_str)
    }

    /// Bounds-checked access to the guest's memory.
    pub fn memory(&mut self) -> Result<GuestMemory<'_>> {
        let memory = self
            .caller
            .data()
            .abi
            .as_ref()
            .map(|a| a.memory)
            .ok_or_else(|| Error::Instantiate {
                reason: "the instance is not initialised yet".into(),
            })?;
        Ok(GuestMemory {
            memory,
            store: self.caller.as_context_mut(),
        })
    }

    /// Call back into the guest (a nested call, limited by [`crate::Limits::max_depth`]). A
    /// fault in the nested call (trap, panic, limit) ends the outer call as well.
    ///
    /// On an async engine this is an [`Error::Config`] (wasmtime cannot block inside an async
    /// call): register the host function with `ModuleBuilder::host_fn_async` and use
    /// `HostContext::call_async`.
    pub fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        function: &str,
        args: A,
    ) -> Result<R> {
        self.require_mode(
            false,
            "HostContext::call",
            "HostContext::call_async from an async host function (ModuleBuilder::host_fn_async)",
        )?;
        let (func, input) = self.prepare(function, &args)?;
        call_guest(
            self.caller.as_context_mut(),
            &func,
            function,
            input.as_slice(),
            decode_result,
        )
    }

    /// [`HostContext::call`] from an async host function (cargo feature `async`; see
    /// [`crate::ModuleBuilder::host_fn_async`]): the nested call yields to the executor like
    /// the outer one.
    #[cfg(feature = "async")]
    pub async fn call_async<A: Serialize + Send, R: DeserializeOwned>(
        &mut self,
        function: &str,
        args: A,
    ) -> Result<R> {
        self.require_mode(true, "HostContext::call_async", "HostContext::call")?;
        let (func, input) = self.prepare(function, &args)?;
        call_guest_async(
            self.caller.as_context_mut(),
            &func,
            function,
            input.as_slice(),
            decode_result,
        )
        .await
    }

    /// Refuse a nested call of the wrong kind for the engine.
    fn require_mode(&self, want_async: bool, method: &str, instead: &str) -> Result<()> {
        crate::engine::require_mode(self.caller.data().is_async, want_async, method, instead)
    }

    /// The export to call and the encoded arguments of a nested call.
    fn prepare<A: Serialize>(&mut self, function: &str, args: &A) -> Result<(UserFunc, Vec<u8>)> {
        let func: UserFunc = self
            .caller
            .get_export(function)
            .and_then(|e| e.into_func())
            .and_then(|f| f.typed(&*self.caller).ok())
            .ok_or_else(|| Error::NoSuchFunction {
                function: function.to_string(),
                available: "(see Module::functions)".into(),
            })?;
        let mut input = Vec::new();
        codec::encode_args(&mut input, args).map_err(|e| Error::Encode {
            function: function.to_string(),
            direction: crate::Direction::Arguments,
            message: e.to_string(),
        })?;
        Ok((func, input))
    }
}

fn decode_result<R: DeserializeOwned>(body: &[u8]) -> Result<R> {
    codec::decode(body).map_err(|e| Error::Decode {
        function: String::new(),
        direction: crate::Direction::Result,
        message: e.to_string(),
    })
}

/// The future an async host function returns (see [`crate::ModuleBuilder::host_fn_async`]):
/// boxed, `Send`, and allowed to borrow the [`HostContext`] for `'a`.
#[cfg(feature = "async")]
pub type HostFuture<'a, R> = Pin<Box<dyn Future<Output = Result<R, HostError>> + Send + 'a>>;

/// A type-erased blocking host function: decodes the argument list and writes a result envelope.
type BlockingFn = Arc<dyn Fn(&mut HostContext<'_, '_>, &[u8], &mut Vec<u8>) + Send + Sync>;

/// A type-erased async host function: decodes the argument list, then its future makes the
/// result envelope.
#[cfg(feature = "async")]
type AsyncFn = Arc<
    dyn for<'a, 'b, 'c> Fn(
            &'a mut HostContext<'b, 'c>,
            &[u8],
        ) -> Pin<Box<dyn Future<Output = Vec<u8>> + Send + 'a>>
        + Send
        + Sync,
>;

/// A registered host function.
#[derive(Clone)]
pub(crate) enum HostFn {
    Blocking(BlockingFn),
    #[cfg(feature = "async")]
    Async(AsyncFn),
}

impl HostFn {
    pub(crate) fn is_async(&self) -> bool {
        !matches!(self, HostFn::Blocking(_))
    }
}

/// The host functions of a module, by name.
pub(crate) type HostFns = HashMap<String, HostFn>;

/// Decode a host function's argument list, or write the `BadArguments` envelope. `A` is the
/// argument itself for one argument, a tuple for several, `()` for none (the argument-list
/// rule, ABI.md 6.3).
#[inline(always)]
fn decode_args<A: DeserializeOwned>(name: &str, input: &[u8], out: &mut Vec<u8>) -> Option<A> {
    // No arguments travel as empty input; `()` decodes from nil.
    let input = if input.is_empty() { &[0xc0][..] } else { input };
    match codec::decode(input) {
        Ok(a) => Some(a),
        Err(e) => {
            let msg = format!("cannot decode the arguments of host function `{name}`: {e}");
            EnvelopeWriter::message(out, Status::BadArguments, &msg);
            None
        }
    }
}

/// Write the envelope of a host function's outcome.
#[inline(always)]
fn write_outcome<R: Serialize>(name: &str, outcome: Result<R, HostError>, out: &mut Vec<u8>) {
    match outcome {
        Ok(value) => {
            EnvelopeWriter::begin(out);
            match codec::encode(out, &value) {
                Ok(()) => EnvelopeWriter::finish(out, Status::Ok),
                Err(e) => {
                    let msg = format!("cannot encode the result of host function `{name}`: {e}");
                    EnvelopeWriter::message(out, Status::BadResult, &msg)
                }
            }
        }
        Err(e) => EnvelopeWriter::error(out, &e.message, e.value.as_deref().unwrap_or(&[])),
    }
}

/// Wrap a typed closure.
pub(crate) fn erase<A, R, F>(name: String, f: F) -> HostFn
where
    A: DeserializeOwned,
    R: Serialize,
    F: Fn(&mut HostContext<'_, '_>, A) -> Result<R, HostError> + Send + Sync + 'static,
{
    HostFn::Blocking(Arc::new(
        move |ctx: &mut HostContext<'_, '_>, input: &[u8], out: &mut Vec<u8>| {
            if let Some(args) = decode_args(&name, input, out) {
                write_outcome(&name, f(ctx, args), out);
            }
        },
    ))
}

/// Wrap a typed closure that returns a future.
#[cfg(feature = "async")]
pub(crate) fn erase_async<A, R, F>(name: String, f: F) -> HostFn
where
    A: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    F: for<'a, 'b, 'c> Fn(&'a mut HostContext<'b, 'c>, A) -> HostFuture<'a, R>
        + Send
        + Sync
        + 'static,
{
    let name: Arc<str> = name.into();
    HostFn::Async(Arc::new(
        move |ctx: &mut HostContext<'_, '_>,
              input: &[u8]|
              -> Pin<Box<dyn Future<Output = Vec<u8>> + Send + '_>> {
            let mut out = Vec::new();
            let Some(args) = decode_args(&name, input, &mut out) else {
                return Box::pin(std::future::ready(out));
            };
            let future = f(ctx, args);
            let name = name.clone();
            Box::pin(async move {
                write_outcome(&name, future.await, &mut out);
                out
            })
        },
    ))
}

/// Longest host function name a guest may send.
const MAX_NAME: u32 = 4096;

/// Define `wabi.host_call`, blocking or async. Both share every step but the calls of the
/// host function and of the guest's allocator (see `call.rs` for why the drivers are two).
pub(crate) fn add_to_linker(
    linker: &mut Linker<HostState>,
    is_async: bool,
) -> wasmtime::Result<()> {
    if is_async {
        #[cfg(feature = "async")]
        linker.func_wrap_async(
            IMPORT_MODULE,
            IMPORT_HOST_CALL,
            |mut caller: Caller<'_, HostState>,
             (name_ptr, name_len, args_ptr, args_len): (u32, u32, u32, u32)| {
                Box::new(async move {
                    let (name, input) =
                        read_request(&mut caller, name_ptr, name_len, args_ptr, args_len)?;
                    let envelope = match dispatch(&mut caller, &name, &input) {
                        Dispatch::Done(envelope) => envelope,
                        Dispatch::Async(f) => {
                            f(
                                &mut HostContext {
                                    caller: &mut caller,
                                },
                                &input,
                            )
                            .await
                        }
                    };
                    answer_async(&mut caller, &name, &envelope).await
                })
            },
        )?;
        return Ok(());
    }
    linker.func_wrap(
        IMPORT_MODULE,
        IMPORT_HOST_CALL,
        |mut caller: Caller<'_, HostState>,
         name_ptr: u32,
         name_len: u32,
         args_ptr: u32,
         args_len: u32|
         -> wasmtime::Result<u64> {
            let (name, input) = read_request(&mut caller, name_ptr, name_len, args_ptr, args_len)?;
            let envelope = dispatch(&mut caller, &name, &input).blocking();
            answer(&mut caller, &name, &envelope)
        },
    )?;
    Ok(())
}

/// Read the name and the arguments of a `wabi.host_call`.
#[inline]
fn read_request(
    caller: &mut Caller<'_, HostState>,
    name_ptr: u32,
    name_len: u32,
    args_ptr: u32,
    args_len: u32,
) -> wasmtime::Result<(String, Vec<u8>)> {
    // The host function's time counts against the call's deadline.
    crate::limits::deadline_at_host_call(caller.data_mut());
    if name_len > MAX_NAME {
        wasmtime::bail!(
            "wabi.host_call: a function name of {name_len} bytes is longer than {MAX_NAME}"
        );
    }
    let name = read_caller(caller, name_ptr, name_len, MAX_NAME)
        .map_err(|e| e.context("wabi.host_call: cannot read the function name"))?;
    let name = String::from_utf8(name)
        .map_err(|_| wasmtime::Error::msg("wabi.host_call: the function name is not UTF-8"))?;
    let max = caller.data().limits.max_output;
    if args_len as usize > max {
        // The guest traps here, mid-call: an error that discards the instance.
        caller.data_mut().record_fault(Error::OutputTooLarge {
            function: String::new(),
            host_function: Some(name),
            len: args_len as u64,
            limit: max as u64,
        });
        wasmtime::bail!("wabi.host_call: arguments over the output limit");
    }
    let input = read_caller(caller, args_ptr, args_len, args_len).map_err(|e| {
        e.context(format!(
            "wabi.host_call: cannot read the arguments of host function `{name}`"
        ))
    })?;
    Ok((name, input))
}

/// What a host call comes to.
enum Dispatch {
    /// The result envelope of a blocking host function (or the error of a missing one).
    Done(Vec<u8>),
    /// An async host function, to await.
    #[cfg(feature = "async")]
    Async(AsyncFn),
}

impl Dispatch {
    /// The envelope on a blocking engine, which cannot await (async host functions are
    /// refused there when the module is built).
    fn blocking(self) -> Vec<u8> {
        match self {
            Dispatch::Done(envelope) => envelope,
            #[cfg(feature = "async")]
            Dispatch::Async(_) => {
                let mut out = Vec::new();
                let msg = "an async host function cannot run on a blocking engine";
                EnvelopeWriter::error(&mut out, msg, &[]);
                out
            }
        }
    }
}

/// Run the host function `name` if it is blocking; hand back an async one.
#[inline]
fn dispatch(caller: &mut Caller<'_, HostState>, name: &str, input: &[u8]) -> Dispatch {
    let mut out = Vec::new();
    match caller.data().host_fns.get(name).cloned() {
        Some(HostFn::Blocking(f)) => f(&mut HostContext { caller }, input, &mut out),
        #[cfg(feature = "async")]
        Some(HostFn::Async(f)) => return Dispatch::Async(f),
        None => EnvelopeWriter::error(
            &mut out,
            &format!("no host function named `{name}` is registered"),
            &[],
        ),
    }
    Dispatch::Done(out)
}

/// After the host function: end the call if it faulted or returned after the call's deadline,
/// else the guest's memory and the allocator for its result.
#[inline]
fn result_allocator(
    caller: &mut Caller<'_, HostState>,
    name: &str,
) -> wasmtime::Result<(Memory, GuestAlloc)> {
    if crate::limits::deadline_passed_in_host_call(caller.data_mut()) {
        wasmtime::bail!("host function `{name}` returned after the call's deadline");
    }
    if caller.data().fault.is_some() {
        wasmtime::bail!("host function `{name}` ended the call");
    }
    let during_init = || wasmtime::Error::msg("wabi.host_call during initialisation");
    let alloc = guest_alloc(&mut *caller).ok_or_else(during_init)?;
    let memory = caller.data().abi.as_ref().ok_or_else(during_init)?.memory;
    Ok((memory, alloc))
}

/// Copy a host function's envelope into the block the guest's allocator returned; returns it
/// packed.
#[inline]
fn place_result(
    caller: &mut Caller<'_, HostState>,
    memory: Memory,
    name: &str,
    envelope: &[u8],
    ptr: u32,
) -> wasmtime::Result<u64> {
    let len = envelope.len() as u32;
    let size = memory.data_size(&*caller);
    let fault = if ptr == 0 {
        Some("wabi_alloc returned 0: the guest is out of memory".to_string())
    } else if !ptr.is_multiple_of(INPUT_ALIGN) {
        Some(format!(
            "wabi_alloc returned {ptr:#x}, which is not {INPUT_ALIGN}-byte aligned"
        ))
    } else {
        checked_range(ptr, len as u64, size)
            .err()
            .map(|e| format!("wabi_alloc returned a block outside memory: {e}"))
    };
    if let Some(reason) = fault {
        caller.data_mut().record_fault(Error::Alloc {
            function: String::new(),
            host_function: Some(name.to_string()),
            size: len as u64,
            reason,
        });
        wasmtime::bail!("wabi.host_call: the guest cannot take the result");
    }
    let range = checked_range(ptr, len as u64, size)?;
    memory.data_mut(&mut *caller)[range].copy_from_slice(envelope);
    Ok(pack(ptr, len) as u64)
}

/// Place `envelope` in a block of the guest's, after the checks of [`result_allocator`]: the
/// answer of an import that answers with an envelope (`wabi.host_call`, `wabi.http_request`).
#[inline]
pub(crate) fn answer(
    caller: &mut Caller<'_, HostState>,
    name: &str,
    envelope: &[u8],
) -> wasmtime::Result<u64> {
    let (memory, alloc) = result_allocator(caller, name)?;
    let block = alloc.call(&mut *caller, (envelope.len() as u32, INPUT_ALIGN))?;
    place_result(caller, memory, name, envelope, block)
}

/// [`answer`] on an async engine.
#[cfg(feature = "async")]
pub(crate) async fn answer_async(
    caller: &mut Caller<'_, HostState>,
    name: &str,
    envelope: &[u8],
) -> wasmtime::Result<u64> {
    let (memory, alloc) = result_allocator(caller, name)?;
    let block = alloc
        .call_async(&mut *caller, (envelope.len() as u32, INPUT_ALIGN))
        .await?;
    place_result(caller, memory, name, envelope, block)
}
