//! Compiling and validating a guest: `Engine` and `Module`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use wabi_spec::names::{
    self, EXPORT_ABI_VERSION, EXPORT_ALLOC, EXPORT_FREE, EXPORT_INITIALIZE, EXPORT_SCRATCH,
};
use wasmtime::{ExternType, FuncType, InstancePre, Linker, Store, ValType};
use wasmtime_wasi::WasiCtxBuilder;

use crate::error::{Error, Result};
use crate::imports::{self, signature_text, WASI_P1};
use crate::log::{tracing_handler, GuestOutput, LogHandler, LogSource};
use crate::plugin::Plugin;
use crate::state::HostState;

/// A compilation environment shared by every module and plugin; cheap to clone, `Send + Sync`.
///
/// ```
/// let engine = wabi_host::Engine::default();
/// let _copy = engine.clone();
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: wasmtime::Engine,
    /// Names of the WASI preview 1 functions the host defines.
    wasi_names: Arc<HashSet<String>>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&wasmtime::Config::new())
            .expect("wasmtime's default configuration is valid on supported platforms")
    }
}

impl Engine {
    /// An engine with a custom wasmtime configuration.
    pub fn new(config: &wasmtime::Config) -> Result<Self> {
        let inner = wasmtime::Engine::new(config).map_err(|e| Error::Compile {
            reason: format!("invalid engine configuration: {e:#}"),
        })?;
        let linker = make_linker(&inner).map_err(|e| Error::Compile {
            reason: format!("cannot define host imports: {e:#}"),
        })?;
        let mut store = Store::new(&inner, HostState::placeholder());
        let wasi_names = linker
            .iter(&mut store)
            .filter(|(m, _, _)| *m == WASI_P1)
            .map(|(_, n, _)| n.to_string())
            .collect();
        Ok(Engine {
            inner,
            wasi_names: Arc::new(wasi_names),
        })
    }

    /// The underlying wasmtime engine.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner
    }
}

fn make_linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    imports::add_to_linker(&mut linker)?;
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, HostState::wasi)?;
    Ok(linker)
}

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
    pub(crate) has_initialize: bool,
    pub(crate) functions: Vec<String>,
    pub(crate) log: LogHandler,
}

/// Options for loading a module; see [`Module::builder`].
pub struct ModuleBuilder {
    engine: Engine,
    name: Option<String>,
    log: Option<LogHandler>,
}

impl ModuleBuilder {
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
        let module = wasmtime::Module::new(&self.engine.inner, bytes.as_ref()).map_err(|e| {
            Error::Compile {
                reason: format!("{e:#}"),
            }
        })?;
        self.finish(module)
    }

    /// Read, compile and validate a `.wasm` (or `.wat`) file.
    pub fn build_file(mut self, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if self.name.is_none() {
            self.name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        }
        self.build(bytes)
    }

    fn finish(self, module: wasmtime::Module) -> Result<Module> {
        let wasi_names = &self.engine.wasi_names;
        let uses_wasi = imports::validate(&module, &|n| wasi_names.contains(n))?;
        let functions = validate_exports(&module)?;
        let has_initialize = matches!(
            module.get_export(EXPORT_INITIALIZE),
            Some(ExternType::Func(f)) if f.params().len() == 0 && f.results().len() == 0
        );
        let linker = make_linker(&self.engine.inner).map_err(|e| Error::Compile {
            reason: format!("cannot define host imports: {e:#}"),
        })?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| Error::Instantiate {
                reason: format!("{e:#}"),
            })?;
        Ok(Module {
            inner: Arc::new(ModuleInner {
                engine: self.engine,
                pre,
                name: self.name.unwrap_or_else(|| "plugin".into()).into(),
                uses_wasi,
                has_initialize,
                functions,
                log: self.log.unwrap_or_else(tracing_handler),
            }),
        })
    }
}

fn func_type(params: &[ValType], results: &[ValType]) -> String {
    signature_text(params.iter(), results.iter())
}

/// Check the ABI's required exports and list the user functions.
fn validate_exports(module: &wasmtime::Module) -> Result<Vec<String>> {
    use ValType::{I32, I64};
    let required: [(&str, &[ValType], &[ValType], &str); 4] = [
        (EXPORT_ABI_VERSION, &[], &[I32], "the ABI version"),
        (EXPORT_ALLOC, &[I32, I32], &[I32], "the guest allocator"),
        (EXPORT_FREE, &[I32, I32, I32], &[], "the guest allocator"),
        (EXPORT_SCRATCH, &[], &[I64], "the scratch input buffer"),
    ];
    let hint = "every wabi guest SDK exports it; build the guest with wabi-guest (Rust) or the wabi Go SDK, or implement abi-spec/ABI.md section 3";
    if !matches!(module.get_export("memory"), Some(ExternType::Memory(_))) {
        return Err(Error::MissingExport {
            name: "memory".into(),
            hint,
        });
    }
    for (name, params, results, _what) in required {
        match module.get_export(name) {
            None => {
                return Err(Error::MissingExport {
                    name: name.into(),
                    hint,
                })
            }
            Some(ExternType::Func(f)) if sig_is(&f, params, results) => {}
            Some(other) => {
                return Err(Error::ExportSignature {
                    name: name.into(),
                    expected: func_type(params, results),
                    found: describe(&other),
                })
            }
        }
    }
    let mut functions = Vec::new();
    for export in module.exports() {
        let name = export.name();
        if !names::is_user_function_name(name) {
            continue;
        }
        if let ExternType::Func(f) = export.ty() {
            if sig_is(&f, &[I32, I32], &[I64]) {
                functions.push(name.to_string());
            }
        }
    }
    Ok(functions)
}

fn sig_is(f: &FuncType, params: &[ValType], results: &[ValType]) -> bool {
    f.params().len() == params.len()
        && f.results().len() == results.len()
        && f.params().zip(params).all(|(a, b)| ValType::eq(&a, b))
        && f.results().zip(results).all(|(a, b)| ValType::eq(&a, b))
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => {
            let p: Vec<_> = f.params().collect();
            let r: Vec<_> = f.results().collect();
            signature_text(p.iter(), r.iter())
        }
        ExternType::Memory(_) => "a memory".into(),
        ExternType::Table(_) => "a table".into(),
        ExternType::Global(_) => "a global".into(),
        ExternType::Tag(_) => "a tag".into(),
    }
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
        }
    }

    /// The plugin's name in logs.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The user functions the module exports (every export with the signature
    /// `(i32, i32) -> i64` outside the reserved names).
    pub fn functions(&self) -> &[String] {
        &self.inner.functions
    }

    /// Whether the module imports WASI preview 1.
    pub fn uses_wasi(&self) -> bool {
        self.inner.uses_wasi
    }

    /// Create a ready-to-call plugin instance: instantiate, run `_initialize`, check the ABI
    /// version and fetch the scratch buffer.
    pub fn instantiate(&self) -> Result<Plugin> {
        Plugin::new(self.clone())
    }

    /// A fresh store for one instance.
    pub(crate) fn new_store(&self) -> Store<HostState> {
        let inner = &self.inner;
        let mut state = HostState {
            wasi: None,
            panic: None,
            stderr: None,
            plugin: inner.name.clone(),
            log: inner.log.clone(),
        };
        if inner.uses_wasi {
            let stderr = GuestOutput::new(inner.name.clone(), LogSource::Stderr, inner.log.clone());
            let mut wasi = WasiCtxBuilder::new();
            wasi.stdout(GuestOutput::new(
                inner.name.clone(),
                LogSource::Stdout,
                inner.log.clone(),
            ))
            .stderr(stderr.clone());
            state.wasi = Some(wasi.build_p1());
            state.stderr = Some(stderr);
        }
        Store::new(&inner.engine.inner, state)
    }
}

impl HostState {
    /// State for a store that never runs guest code (used to list linker definitions).
    fn placeholder() -> Self {
        HostState {
            wasi: None,
            panic: None,
            stderr: None,
            plugin: "".into(),
            log: tracing_handler(),
        }
    }
}
