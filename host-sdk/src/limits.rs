//! Per-plugin limits and their enforcement.

use std::time::Duration;

use wasmtime::{ResourceLimiter, StoreContextMut};

use crate::clock;
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
    /// Wall-clock time of one call, counted from its start and including nested calls and the
    /// time spent in host functions ([`Error::Timeout`]; the instance is discarded). It never
    /// fires early, and at most about 3 x 5 ms late: the epoch tick is 5 ms, and the deadline
    /// is taken at the call's first tick or at its first host function, whichever comes first
    /// (neither is more than a tick after the call's start). `None`: no limit, which an engine
    /// built with `EngineBuilder::deadlines(false)` requires.
    ///
    /// A host function is not interrupted, but one that returns after the deadline ends the
    /// call with [`Error::Timeout`] (blocking and async engines alike) instead of handing its
    /// result back to the guest. On an async engine the guest yields to the executor at every
    /// epoch tick until the deadline passes, so a long call never blocks other tasks.
    pub timeout: Option<Duration>,
    /// Instructions ("fuel") per call, if the engine counts fuel ([`Error::FuelExhausted`];
    /// the instance is discarded). `None`: no limit.
    pub fuel: Option<u64>,
    /// Largest result envelope, and largest argument list a guest may pass to a host function,
    /// in bytes ([`Error::OutputTooLarge`]). A result over the limit is refused before it is
    /// read and the instance stays usable; arguments over the limit make the guest trap inside
    /// `wabi.host_call`, so the instance is discarded.
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

/// Set up the epoch deadline of a new store, for its initialisation and all its calls.
///
/// With a timeout (or on an async engine) the guest calls the callback of
/// [`install_deadline_check`] at the first epoch check after each tick, and the callback asks
/// for the next tick again: a call never re-arms wasmtime's deadline. It only forgets its
/// predecessor's deadline ([`restart_deadline`]), and the callback sets the call's own deadline
/// at the first tick it sees, from that tick's time (at most one tick after the call started,
/// or at its start when a tick passed between calls), so the deadline is never early and at
/// most one tick later than from the start. Most calls end before the next tick and never read
/// the clock: reading it on every call cost about 5% of a small call, and re-arming wasmtime's
/// deadline on every call another 12 instructions.
pub(crate) fn arm_deadline(store: &mut StoreContextMut<'_, HostState>) {
    let state = store.data_mut();
    if !state.epochs {
        // No epoch checks in the guest: nothing to arm (and no timeout, see `check_options`).
        return;
    }
    state.deadline = None;
    if state.deadline_span.is_some() || state.is_async {
        store.set_epoch_deadline(1);
    } else {
        // No deadline and nothing to yield to: never stop.
        store.set_epoch_deadline(u64::MAX / 2);
    }
}

/// Start the deadline of an outermost call: the callback of [`install_deadline_check`] sets it
/// at the call's first tick (see [`arm_deadline`]).
#[inline(always)]
pub(crate) fn restart_deadline(state: &mut HostState) {
    state.deadline = None;
}

/// Check the clock at every epoch tick ([`crate::EPOCH_TICK`]) and end the call with a trap that
/// becomes [`Error::Timeout`] once the deadline has passed; at a call's first tick, set the
/// deadline (see [`arm_deadline`]). Comparing with the clock, rather
/// than counting ticks, keeps the deadline accurate when the ticker thread is starved of CPU.
/// Async engines also yield to the executor at every tick.
pub(crate) fn install_deadline_check(store: &mut wasmtime::Store<HostState>) {
    use wasmtime::UpdateDeadline;
    if !store.data().epochs {
        // No epoch checks in the guest: the callback would never run.
        return;
    }
    #[cfg(feature = "async")]
    if store.data().is_async {
        store.epoch_deadline_callback(|mut store| {
            if deadline_passed(store.data_mut()) {
                return Ok(UpdateDeadline::Interrupt);
            }
            // tokio's `yield_now` lets the timer and I/O drivers run before the guest resumes
            // (it wakes at once outside a tokio runtime).
            Ok(UpdateDeadline::YieldCustom(
                1,
                Box::pin(tokio::task::yield_now()),
            ))
        });
        return;
    }
    store.epoch_deadline_callback(|mut store| {
        if deadline_passed(store.data_mut()) {
            return Ok(UpdateDeadline::Interrupt);
        }
        Ok(UpdateDeadline::Continue(1))
    });
}

/// At an epoch tick during a call: whether its deadline has passed. The first tick of a call
/// sets the deadline, from now: the call started at most one tick ago.
fn deadline_passed(state: &mut HostState) -> bool {
    match (state.deadline, state.deadline_span) {
        (Some(deadline), _) => clock::passed(deadline),
        (None, Some(span)) => {
            state.deadline = Some(clock::deadline_after(span));
            false
        }
        (None, None) => false,
    }
}

/// At the entry of a host function: take the call's deadline now if no epoch tick has taken
/// it yet. No tick was seen in guest code since the call began, so it began at most about one
/// tick ago (see [`arm_deadline`]); without this, time spent in host functions before the first
/// tick would not count.
#[inline]
pub(crate) fn deadline_at_host_call(state: &mut HostState) {
    if let (None, Some(span)) = (state.deadline, state.deadline_span) {
        state.deadline = Some(clock::deadline_after(span));
    }
}

/// When a host function returns: if the call's deadline has passed, record [`Error::Timeout`]
/// as the call's fault and return `true` (the caller then traps, ending the call).
#[inline]
pub(crate) fn deadline_passed_in_host_call(state: &mut HostState) -> bool {
    match state.deadline {
        Some(deadline) if clock::passed(deadline) => {
            state.record_fault(Error::Timeout {
                function: String::new(),
                limit: state.limits.timeout.unwrap_or_default(),
            });
            true
        }
        _ => false,
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
        if let Some(metrics) = &self.metrics {
            metrics.record_memory(desired as u64);
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
