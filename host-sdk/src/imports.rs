//! The `wabi` import module every host provides (ABI.md section 4), and import validation.

use wabi_spec::layout::{LogLevel, PanicRecord};
use wabi_spec::names::{
    IMPORT_CONFIG, IMPORT_HOST_CALL, IMPORT_HTTP_REQUEST, IMPORT_LOG, IMPORT_MODULE, IMPORT_PANIC,
};
use wasmtime::{Caller, Extern, Linker, ValType};

use crate::error::{Error, GuestPanic};
use crate::log::{emit, LogSource, MAX_LOG_LINE};
use crate::memory::checked_range;
use crate::state::HostState;

/// WASI preview 1's import module name.
pub(crate) const WASI_P1: &str = "wasi_snapshot_preview1";

/// Largest panic record the host reads; longer messages are cut.
const MAX_PANIC_RECORD: u32 = 64 * 1024;

/// Copy up to `max` of the `len` bytes at `ptr` out of the caller's memory.
pub(crate) fn read_caller(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    len: u32,
    max: u32,
) -> wasmtime::Result<Vec<u8>> {
    if len == 0 {
        // ABI.md 4.1: the pointer of an empty buffer is not read, so it may hold anything (an
        // empty slice in Zig or Go carries an arbitrary pointer).
        return Ok(Vec::new());
    }
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        wasmtime::bail!("the guest has no exported memory");
    };
    let data = memory.data(&caller);
    // The whole claimed range must be valid, even if only a prefix is read.
    checked_range(ptr, len as u64, data.len())?;
    let range = checked_range(ptr, len.min(max) as u64, data.len())?;
    Ok(data[range].to_vec())
}

fn panic_from_record(bytes: &[u8], claimed: u32) -> GuestPanic {
    if (bytes.len() as u64) < claimed as u64 {
        return cut_panic_record(bytes, claimed);
    }
    match PanicRecord::parse(bytes) {
        Ok(r) => GuestPanic {
            message: r.message.to_string(),
            file: (!r.file.is_empty()).then(|| r.file.to_string()),
            line: r.line,
            column: r.column,
        },
        Err(e) => GuestPanic {
            message: format!(
                "(the guest panicked but sent a malformed panic record of {claimed} bytes: {e})"
            ),
            file: None,
            line: 0,
            column: 0,
        },
    }
}

/// Longest configuration key a guest may ask for.
const MAX_CONFIG_KEY: u32 = 4096;

/// A panic record longer than the host reads: keep the start of its message.
fn cut_panic_record(bytes: &[u8], claimed: u32) -> GuestPanic {
    let Ok(header) =
        bytemuck::try_pod_read_unaligned::<wabi_spec::PanicHeader>(&bytes[..bytes.len().min(16)])
    else {
        return panic_from_record(&[], 0);
    };
    let body = &bytes[16..];
    let message = &body[..body.len().min(header.message_len as usize)];
    GuestPanic {
        message: format!(
            "{}… [panic record of {claimed} bytes cut to {}]",
            String::from_utf8_lossy(message),
            bytes.len()
        ),
        file: None,
        line: header.line,
        column: header.column,
    }
}

/// Define every `wabi` import: `panic`, `log`, `config`, `host_call` and `http_request`
/// (blocking or async, as the engine is).
pub(crate) fn add_to_linker(
    linker: &mut Linker<HostState>,
    is_async: bool,
) -> wasmtime::Result<()> {
    linker.func_wrap(
        IMPORT_MODULE,
        IMPORT_PANIC,
        |mut caller: Caller<'_, HostState>, ptr: u32, len: u32| -> wasmtime::Result<()> {
            let panic = match read_caller(&mut caller, ptr, len, MAX_PANIC_RECORD) {
                Ok(bytes) => panic_from_record(&bytes, len),
                Err(e) => GuestPanic {
                    message: format!(
                        "(the guest panicked but its panic record is unreadable: {e})"
                    ),
                    file: None,
                    line: 0,
                    column: 0,
                },
            };
            caller.data_mut().panic = Some(panic);
            wasmtime::bail!("the guest panicked")
        },
    )?;
    linker.func_wrap(
        IMPORT_MODULE,
        IMPORT_LOG,
        |mut caller: Caller<'_, HostState>,
         level: u32,
         ptr: u32,
         len: u32|
         -> wasmtime::Result<()> {
            let bytes = read_caller(&mut caller, ptr, len, MAX_LOG_LINE as u32)
                .map_err(|e| e.context("wabi.log was called with an invalid message"))?;
            let state = caller.data();
            let dropped = (len as usize).saturating_sub(bytes.len());
            emit(
                &state.log,
                &state.plugin,
                LogSource::Guest,
                LogLevel::from_u32(level),
                &bytes,
                dropped,
            );
            Ok(())
        },
    )?;
    linker.func_wrap(
        IMPORT_MODULE,
        IMPORT_CONFIG,
        |mut caller: Caller<'_, HostState>,
         key_ptr: u32,
         key_len: u32,
         buf_ptr: u32,
         buf_cap: u32|
         -> wasmtime::Result<i32> {
            if key_len > MAX_CONFIG_KEY {
                wasmtime::bail!(
                    "wabi.config: a key of {key_len} bytes is longer than {MAX_CONFIG_KEY}"
                );
            }
            let key = read_caller(&mut caller, key_ptr, key_len, MAX_CONFIG_KEY)
                .map_err(|e| e.context("wabi.config: cannot read the key"))?;
            let key = std::str::from_utf8(&key)
                .map_err(|_| wasmtime::Error::msg("wabi.config: the key is not UTF-8"))?;
            let config = caller.data().config.clone();
            let Some(value) = config.get(key) else {
                return Ok(-1);
            };
            if !value.is_empty() && value.len() <= buf_cap as usize {
                let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                    wasmtime::bail!("wabi.config: the guest has no exported memory");
                };
                let data = memory.data_mut(&mut caller);
                let range =
                    checked_range(buf_ptr, value.len() as u64, data.len()).map_err(|e| {
                        wasmtime::Error::new(e).context("wabi.config: cannot write the value")
                    })?;
                data[range].copy_from_slice(value.as_bytes());
            }
            Ok(i32::try_from(value.len())?)
        },
    )?;
    crate::host_fn::add_to_linker(linker, is_async)?;
    crate::http::add_to_linker(linker, is_async)?;
    Ok(())
}

/// The exact signature of each `wabi` import: (params, results).
fn wabi_import_signature(name: &str) -> Option<(&'static [ValType], &'static [ValType])> {
    match name {
        IMPORT_PANIC => Some((&[ValType::I32, ValType::I32], &[])),
        IMPORT_LOG => Some((&[ValType::I32, ValType::I32, ValType::I32], &[])),
        IMPORT_CONFIG => Some((
            &[ValType::I32, ValType::I32, ValType::I32, ValType::I32],
            &[ValType::I32],
        )),
        IMPORT_HOST_CALL => Some((
            &[ValType::I32, ValType::I32, ValType::I32, ValType::I32],
            &[ValType::I64],
        )),
        IMPORT_HTTP_REQUEST => Some((&[ValType::I32, ValType::I32], &[ValType::I64])),
        _ => None,
    }
}

pub(crate) fn signature_text<'a>(
    params: impl Iterator<Item = &'a ValType>,
    results: impl Iterator<Item = &'a ValType>,
) -> String {
    let list = |it: &mut dyn Iterator<Item = &'a ValType>| {
        it.map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
    };
    format!(
        "func({}) -> ({})",
        list(&mut { params }),
        list(&mut { results })
    )
}

/// Check every import of `module` against what the host provides, with a useful error for the
/// first one it cannot satisfy.
pub(crate) fn validate(
    module: &wasmtime::Module,
    provided_wasi: &dyn Fn(&str) -> bool,
) -> Result<bool, Error> {
    let mut uses_wasi = false;
    for import in module.imports() {
        let (m, name) = (import.module(), import.name());
        let unknown = |hint: String| Error::UnknownImport {
            module: m.to_string(),
            name: name.to_string(),
            hint,
        };
        match m {
            IMPORT_MODULE => {
                let Some((params, results)) = wabi_import_signature(name) else {
                    return Err(unknown(format!(
                        "wabi ABI {} defines only `panic`, `log`, `config`, `host_call` and `http_request` in module `{IMPORT_MODULE}`; the guest may need a newer host",
                        wabi_spec::ABI_VERSION
                    )));
                };
                let ok = match import.ty() {
                    wasmtime::ExternType::Func(f) => {
                        f.params().map(|p| p.to_string()).eq(params.iter().map(|p| p.to_string()))
                            && f.results().map(|p| p.to_string()).eq(results.iter().map(|p| p.to_string()))
                    }
                    _ => false,
                };
                if !ok {
                    return Err(unknown(format!(
                        "it is imported with the wrong type; ABI v1 declares it as {}",
                        signature_text(params.iter(), results.iter())
                    )));
                }
            }
            WASI_P1 => {
                if !provided_wasi(name) {
                    return Err(unknown("it is not a WASI preview 1 function".to_string()));
                }
                uses_wasi = true;
            }
            "env" => {
                return Err(unknown(
                    "module `env` usually means a C runtime or a direct host import; wabi provides only the `wabi` module and WASI preview 1. Give the plugin host capabilities as host functions (ModuleBuilder::host_fn) that it calls through its SDK, and build it for wasm32-unknown-unknown or wasm32-wasip1".to_string(),
                ))
            }
            m if m.starts_with("__wbindgen") => {
                return Err(unknown(
                    "the guest was built with wasm-bindgen, which targets JavaScript hosts; build it without wasm-bindgen".to_string(),
                ))
            }
            m if m.starts_with("wasi:") => {
                return Err(unknown(
                    "component-model WASI (preview 2) imports need a component host; build the guest for wasm32-wasip1".to_string(),
                ))
            }
            _ => {
                return Err(unknown(
                    "wabi provides only the `wabi` module and WASI preview 1; give the plugin host capabilities as host functions (ModuleBuilder::host_fn)".to_string(),
                ))
            }
        }
    }
    Ok(uses_wasi)
}
