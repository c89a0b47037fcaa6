//! Per-plugin limits and their enforcement.

use std::time::Duration;

use wasmtime::ResourceLimiter;

use crate::engine::EPOCH_TICK;
use crate::error::Error;
use crate::state::HostState;

/// What one plugin instance may use. Every limit is enforced: exceeding one ends the call with
/// its own [`Error`] (see each field).
///
/// ```
/// use std::time::Duration;
/// let limits = wabi_host::Limits {
///     max_memory: 64 << 20,
///     timeout: Some(Duration::from_millis(100)),
///     ..Default::default()
/// };
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest linear memory, in bytes ([`Error::MemoryLimit`]; the instance is discarded).
    pub max_memory: usize,
    /// Largest table, in elements ([`Error::TableLimit`]; the instance is discarded).
    pub max_table_elements: usize,
    /// Wall-clock time of one call, including nested calls and host functions
    /// ([`Error::Timeout`], within about 2 x 5 ms; the instance is discarded). `None`: no limit.
    pub timeout: Option<Duration>,
    /// Instructions ("fuel") per call, if the engine counts fuel ([`Error::FuelExhausted`];
    /// the instance is discarded). `None`: no limit.
    pub fuel: Option<u64>,
    /// Largest result envelope, and largest argument list a guest may pass to a host function,
    /// in bytes ([`Error::OutputTooLarge`]; the instance stays usable).
    pub max_output: usize,
    /// Deepest host -> guest -> host nesting: 1 means host functions may not call back into the
    /// guest ([`Error::DepthLimit`]; the instance is discarded).
    pub max_depth: u32,
}

impl Default for Limits {
    /// 512 MiB of memory, 100,000 table elements, a 10 s deadline, no fuel limit, 64 MiB of
    /// output, nesting depth 8.
    fn default() -> Self {
        Limits {
            max_memory: 512 << 20,
            max_table_elements: 100_000,
            timeout: Some(Duration::from_secs(10)),
            fuel: None,
            max_output: 64 << 20,
            max_depth: 8,
        }
    }
}

impl Limits {
    /// Epoch ticks to allow for [`Limits::timeout`]: never fewer than the deadline (the epoch
    /// may advance right after the deadline is set), at most two ticks more.
    pub(crate) fn deadline_ticks(&self) -> u64 {
        match self.timeout {
            Some(t) => (t.as_nanos().div_ceil(EPOCH_TICK.as_nanos()) as u64).saturating_add(1),
            None => u64::MAX / 2,
        }
    }
}

impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let limit = self.limits.max_memory;
        if desired > limit {
            self.record_fault(Error::MemoryLimit {
                function: String::new(),
                requested: desired as u64,
                limit: limit as u64,
            });
            wasmtime::bail!("memory limit of {limit} bytes exceeded");
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let limit = self.limits.max_table_elements;
        if desired > limit {
            self.record_fault(Error::TableLimit {
                function: String::new(),
                requested: desired as u64,
                limit: limit as u64,
            });
            wasmtime::bail!("table limit of {limit} elements exceeded");
        }
        Ok(true)
    }
}
