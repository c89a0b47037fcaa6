//! Per-instance host state kept in the wasmtime `Store`.

use std::sync::Arc;

use wasmtime_wasi::p1::WasiP1Ctx;

use crate::error::GuestPanic;
use crate::log::{GuestOutput, LogHandler};

/// What the host keeps for one plugin instance.
pub(crate) struct HostState {
    /// WASI preview 1, built only for modules that import it.
    pub(crate) wasi: Option<WasiP1Ctx>,
    /// Set by the `wabi.panic` import; taken when the call unwinds.
    pub(crate) panic: Option<GuestPanic>,
    /// The guest's stderr, to explain a trap by a `panic: ` line (TinyGo).
    pub(crate) stderr: Option<GuestOutput>,
    /// The plugin's name, for logs.
    pub(crate) plugin: Arc<str>,
    /// Where log lines go.
    pub(crate) log: LogHandler,
}

impl HostState {
    pub(crate) fn wasi(&mut self) -> &mut WasiP1Ctx {
        // Only modules that import WASI reach WASI functions, and for them `wasi` is built at
        // instantiation (see `Module::new_store`).
        self.wasi
            .as_mut()
            .expect("WASI context is built for every module that imports WASI")
    }
}
