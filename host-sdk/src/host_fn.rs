//! Host functions: typed Rust closures a guest calls through `wabi.host_call` (ABI.md 4.1).

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wabi_spec::codec;
use wabi_spec::layout::{pack, EnvelopeWriter, Status, INPUT_ALIGN};
use wabi_spec::names::{IMPORT_HOST_CALL, IMPORT_MODULE};
use wasmtime::{AsContextMut, Caller, Linker};

use crate::call::{call_guest, UserFunc};
use crate::error::{Error, Result};
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
    pub fn call<A: Serialize, R: DeserializeOwned>(
        &mut self,
        function: &str,
        args: A,
    ) -> Result<R> {
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
        codec::encode_args(&mut input, &args).map_err(|e| Error::Encode {
            function: function.to_string(),
            direction: crate::Direction::Arguments,
            message: e.to_string(),
        })?;
        call_guest(
            self.caller.as_context_mut(),
            &func,
            function,
            &input,
            |body| {
                codec::decode(body).map_err(|e| Error::Decode {
                    function: String::new(),
                    direction: crate::Direction::Result,
                    message: e.to_string(),
                })
            },
        )
    }
}

/// A type-erased host function: decodes the argument list and writes a result envelope.
pub(crate) type HostFn = Arc<dyn Fn(&mut HostContext<'_, '_>, &[u8], &mut Vec<u8>) + Send + Sync>;

/// The host functions of a module, by name.
pub(crate) type HostFns = HashMap<String, HostFn>;

/// Wrap a typed closure. `A` is the argument itself for one argument, a tuple for several, `()`
/// for none (the argument-list rule, ABI.md 6.3).
pub(crate) fn erase<A, R, F>(name: String, f: F) -> HostFn
where
    A: DeserializeOwned,
    R: Serialize,
    F: Fn(&mut HostContext<'_, '_>, A) -> Result<R, HostError> + Send + Sync + 'static,
{
    Arc::new(
        move |ctx: &mut HostContext<'_, '_>, input: &[u8], out: &mut Vec<u8>| {
            // No arguments travel as empty input; `()` decodes from nil.
            let input = if input.is_empty() { &[0xc0][..] } else { input };
            let args: A = match codec::decode(input) {
                Ok(a) => a,
                Err(e) => {
                    let msg = format!("cannot decode the arguments of host function `{name}`: {e}");
                    return EnvelopeWriter::message(out, Status::BadArguments, &msg);
                }
            };
            match f(ctx, args) {
                Ok(value) => {
                    EnvelopeWriter::begin(out);
                    match codec::encode(out, &value) {
                        Ok(()) => EnvelopeWriter::finish(out, Status::Ok),
                        Err(e) => {
                            let msg =
                                format!("cannot encode the result of host function `{name}`: {e}");
                            EnvelopeWriter::message(out, Status::BadResult, &msg)
                        }
                    }
                }
                Err(e) => EnvelopeWriter::error(out, &e.message, e.value.as_deref().unwrap_or(&[])),
            }
        },
    )
}

/// Longest host function name a guest may send.
const MAX_NAME: u32 = 4096;

/// Define `wabi.host_call`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        IMPORT_MODULE,
        IMPORT_HOST_CALL,
        |mut caller: Caller<'_, HostState>,
         name_ptr: u32,
         name_len: u32,
         args_ptr: u32,
         args_len: u32|
         -> wasmtime::Result<u64> {
            if name_len > MAX_NAME {
                wasmtime::bail!(
                    "wabi.host_call: a function name of {name_len} bytes is longer than {MAX_NAME}"
                );
            }
            let name = read_caller(&mut caller, name_ptr, name_len, MAX_NAME)?;
            let name = String::from_utf8(name).map_err(|_| {
                wasmtime::Error::msg("wabi.host_call: the function name is not UTF-8")
            })?;
            let max = caller.data().limits.max_output;
            if args_len as usize > max {
                caller.data_mut().record_fault(Error::OutputTooLarge {
                    function: name.clone(),
                    len: args_len as u64,
                    limit: max as u64,
                });
                wasmtime::bail!("wabi.host_call: arguments over the output limit");
            }
            let input = read_caller(&mut caller, args_ptr, args_len, args_len)?;
            let mut out = Vec::new();
            match caller.data().host_fns.get(&name).cloned() {
                Some(f) => f(
                    &mut HostContext {
                        caller: &mut caller,
                    },
                    &input,
                    &mut out,
                ),
                None => EnvelopeWriter::error(
                    &mut out,
                    &format!("no host function named `{name}` is registered"),
                    &[],
                ),
            }
            if caller.data().fault.is_some() {
                wasmtime::bail!("host function `{name}` ended the call");
            }
            write_result(&mut caller, &name, &out)
        },
    )?;
    Ok(())
}

/// Copy a host function's envelope into a block from the guest's allocator; returns it packed.
fn write_result(
    caller: &mut Caller<'_, HostState>,
    name: &str,
    envelope: &[u8],
) -> wasmtime::Result<u64> {
    let abi = caller
        .data()
        .abi
        .clone()
        .ok_or_else(|| wasmtime::Error::msg("wabi.host_call during initialisation"))?;
    let len = envelope.len() as u32;
    let ptr = abi.alloc.call(&mut *caller, (len, INPUT_ALIGN))?;
    let size = abi.memory.data_size(&*caller);
    let fault = if ptr == 0 {
        Some("wabi_alloc returned 0: the guest is out of memory".to_string())
    } else if ptr % INPUT_ALIGN != 0 {
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
            function: format!("host function {name}"),
            size: len as u64,
            reason,
        });
        wasmtime::bail!("wabi.host_call: the guest cannot take the result");
    }
    let range = checked_range(ptr, len as u64, size)?;
    abi.memory.data_mut(&mut *caller)[range].copy_from_slice(envelope);
    Ok(pack(ptr, len) as u64)
}
