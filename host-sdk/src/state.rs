//! Per-instance host state kept in the wasmtime `Store`.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::Memory;
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::error::{Error, GuestPanic};
use crate::exports::LazyAlloc;
use crate::host_fn::HostFns;
use crate::limits::Limits;
use crate::log::{tracing_handler, GuestOutput, LogHandler};

/// The ABI exports of a live instance (ABI.md section 5), looked up once (`wabi_alloc` when a
/// call first needs it).
pub(crate) struct AbiExports {
    pub(crate) memory: Memory,
    /// `wabi_alloc`, looked up at its first use ([`crate::exports::guest_alloc`]).
    pub(crate) alloc: LazyAlloc,
    pub(crate) scratch_ptr: u32,
    pub(crate) scratch_cap: u32,
}

/// What the host keeps for one plugin instance.
pub(crate) struct HostState {
    /// WASI preview 1, built only for modules that import it; boxed, so that the state of the
    /// others stays small (wasmtime moves it a few times while it builds a store).
    pub(crate) wasi: Option<Box<WasiP1Ctx>>,
    /// Set by the `wabi.panic` import; taken when the call unwinds.
    pub(crate) panic: Option<GuestPanic>,
    /// A limit or nested-call fault that must end the whole call with this error; taken when
    /// the outermost call unwinds.
    pub(crate) fault: Option<Error>,
    /// The guest's stdout and stderr (WASI modules only), to explain a trap by a `panic: `
    /// line (TinyGo prints its panics to stdout, mainline Go to stderr).
    pub(crate) output: Option<[GuestOutput; 2]>,
    /// The plugin's name, for logs.
    pub(crate) plugin: Arc<str>,
    /// Where log lines go.
    pub(crate) log: LogHandler,
    pub(crate) limits: Limits,
    /// Whether the engine counts fuel (then every outer call sets the budget).
    pub(crate) fuel_enabled: bool,
    /// Whether the engine is async: guests run through the async methods and yield to the
    /// executor at every epoch tick.
    pub(crate) is_async: bool,
    /// When the current outermost call (or the initialisation) must end, on the coarse
    /// [`crate::clock`]; checked at every epoch tick. `None` until the call's first tick sets
    /// it (see `limits::arm_deadline`).
    pub(crate) deadline: Option<crate::clock::Nanos>,
    /// `limits.timeout` as a [`crate::clock::span`], computed once: arming a deadline is then one
    /// clock read and one addition.
    pub(crate) deadline_span: Option<crate::clock::Nanos>,
    /// Whether the engine interrupts guests by epoch (false: no deadlines to arm).
    pub(crate) epochs: bool,
    /// Set once the instance is initialised.
    pub(crate) abi: Option<AbiExports>,
    /// Calls into the guest currently on the stack (1 during a plain call).
    pub(crate) depth: u32,
    pub(crate) host_fns: Arc<HostFns>,
    pub(crate) config: Arc<BTreeMap<String, String>>,
    /// The embedder's per-instance state.
    pub(crate) user: Option<Box<dyn Any + Send>>,
    /// The module's counters, when a [`crate::Plugins`] registry serves it.
    pub(crate) metrics: Option<Arc<crate::metrics::Metrics>>,
    /// The module's HTTP client; `None` without an HTTP grant (every request is refused).
    pub(crate) http: Option<Arc<crate::http::HttpClient>>,
    /// HTTP requests sent during the current outermost call (reset when one starts).
    pub(crate) http_requests: u32,
}

impl HostState {
    pub(crate) fn wasi(&mut self) -> &mut WasiP1Ctx {
        // Only modules that import WASI reach WASI functions, and for them `wasi` is built at
        // instantiation (see `Module::new_store`).
        self.wasi
            .as_mut()
            .expect("WASI context is built for every module that imports WASI")
    }

    /// Remember the first fault of a call.
    pub(crate) fn record_fault(&mut self, error: Error) {
        if self.fault.is_none() {
            self.fault = Some(error);
        }
    }

    /// State for a store that never runs guest code (used to list linker definitions).
    pub(crate) fn placeholder() -> Self {
        HostState {
            wasi: None,
            panic: None,
            fault: None,
            output: None,
            plugin: "".into(),
            log: tracing_handler(),
            limits: Limits::default(),
            fuel_enabled: false,
            is_async: false,
            deadline: None,
            deadline_span: None,
            epochs: true,
            abi: None,
            depth: 0,
            host_fns: Arc::default(),
            config: Arc::default(),
            user: None,
            metrics: None,
            http: None,
            http_requests: 0,
        }
    }
}
