//! Guest memory the host works with: blocks it allocates for inputs (`wabi_alloc`/`wabi_free`)
//! and the scratch buffer (`wabi_scratch`).

use crate::output::{heap_vec, HeapParts, Output, NO_HEAP};
use std::alloc::{self, Layout};
use std::cell::{Cell, UnsafeCell};
use std::ptr;
use wabi_spec::codec::DecoderSlot;
use wabi_spec::layout::INPUT_ALIGN;

/// Capacity of the scratch buffer in bytes: inputs up to this size need no allocation.
pub const SCRATCH_CAPACITY: usize = 64 * 1024;

/// The largest alignment `wabi_alloc` accepts (one wasm page).
pub const MAX_ALIGN: u32 = 65536;

/// The state every call reads and writes, besides the scratch buffer: whether the panic hook is
/// installed, whether a call is running (nested calls write their envelope to the heap), the
/// heap output buffer ([`crate::output`]), and the output and decoder of the call that is not
/// nested.
///
/// That call's output and decoder live here rather than in the export's stack frame, because
/// their addresses escape to out-of-line code (a growing buffer, error paths), which keeps them
/// in memory: here that memory is the page the input was written to, on the stack it would be
/// one more page for a fresh instance's first call to touch (a page fault in the host's
/// kernel, and a page to free when the instance goes).
pub struct CallState {
    /// Whether [`crate::panic::install_hook`] has run.
    pub hook_installed: Cell<bool>,
    /// Whether an export call is running (see `__private::run`).
    pub in_call: Cell<bool>,
    /// Whether [`CallState::decoder`] is in use (see `__private::decode`).
    pub decoding: Cell<bool>,
    /// The output of the call that is not nested, used only by `__private::run` while
    /// `in_call` is set by that call.
    pub output: UnsafeCell<Output>,
    /// The decoder state of `__private::decode`, used only while `decoding` is set by it.
    pub decoder: UnsafeCell<DecoderSlot>,
    /// The heap output buffer, kept from call to call, as its pointer and capacity (null and 0
    /// for none): unlike an empty `Vec`, whose pointer is dangling but not null, that is all
    /// zero bytes, so these statics stay in zero-initialised memory and out of the module's
    /// data (64 KiB more per module otherwise).
    heap_output: Cell<HeapParts>,
}

impl CallState {
    const fn new() -> Self {
        CallState {
            hook_installed: Cell::new(false),
            in_call: Cell::new(false),
            decoding: Cell::new(false),
            output: UnsafeCell::new(Output::EMPTY),
            decoder: UnsafeCell::new(DecoderSlot::new()),
            heap_output: Cell::new(NO_HEAP),
        }
    }

    /// Take the heap output buffer's parts ([`crate::output::NO_HEAP`] when there is none).
    #[inline(always)]
    pub fn take_heap_output(&self) -> HeapParts {
        self.heap_output.replace(NO_HEAP)
    }

    /// Keep a heap output buffer for the next call; the one kept before, if any (a nested
    /// call's), is freed.
    #[inline(always)]
    pub fn put_heap_output(&self, parts: HeapParts) {
        let old = self.heap_output.replace(parts);
        if !old.0.is_null() {
            free_heap_output(old);
        }
    }
}

#[cold]
fn free_heap_output(parts: HeapParts) {
    // SAFETY: the parts were given to `put_heap_output`, which owned them.
    drop(unsafe { heap_vec(parts) });
}

impl Drop for CallState {
    fn drop(&mut self) {
        self.put_heap_output(NO_HEAP);
    }
}

/// The guest's statics, together: the call state, then the scratch buffer. Both are in the
/// module's zero-initialised memory, so that an instance gets them without an allocation or a
/// `memory.grow`; and the state shares its memory page with the scratch buffer's first bytes
/// (the struct is 128-byte aligned and the state smaller than 128 bytes), so that a fresh
/// instance's first call touches one page for the state, its input and a small result, instead
/// of a page for each (a page touched first costs a page fault in the host's kernel).
#[repr(C, align(128))]
struct Statics {
    state: CallState,
    scratch: ScratchBytes,
}

/// The scratch buffer's bytes, aligned as the ABI requires of it.
#[repr(C, align(8))]
struct ScratchBytes(UnsafeCell<[u8; SCRATCH_CAPACITY]>);

// SAFETY: one call at a time per instance: the host writes an input into the scratch buffer
// between calls and the guest reads that input during the call (ABI.md section 6), and the
// call state is only touched by the call running. Native builds (the SDK's own tests, many
// threads) use a state per thread and only take the scratch buffer's address.
unsafe impl Sync for Statics {}

const _: () = assert!(std::mem::align_of::<ScratchBytes>() == INPUT_ALIGN as usize);
const _: () = assert!(std::mem::offset_of!(Statics, scratch) < 128);

static STATICS: Statics = Statics {
    state: CallState::new(),
    scratch: ScratchBytes(UnsafeCell::new([0; SCRATCH_CAPACITY])),
};

/// Run `f` with the instance's call state: on wasm32 the one next to the scratch buffer,
/// natively one per thread.
#[inline(always)]
pub fn with_state<R>(f: impl FnOnce(&CallState) -> R) -> R {
    #[cfg(target_arch = "wasm32")]
    {
        f(&STATICS.state)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        thread_local! {
            static STATE: CallState = const { CallState::new() };
        }
        STATE.with(f)
    }
}

/// The layout `wabi_alloc(size, align)` describes, or `None` when the request is invalid:
/// `size == 0`, `align` not a power of two or above [`MAX_ALIGN`], or too large.
fn layout(size: u32, align: u32) -> Option<Layout> {
    if size == 0 || !align.is_power_of_two() || align > MAX_ALIGN {
        return None;
    }
    Layout::from_size_align(size as usize, align as usize).ok()
}

/// `wabi_alloc`: a block of `size` bytes aligned to `align`, or null when the request is invalid
/// or memory is exhausted.
pub fn alloc(size: u32, align: u32) -> *mut u8 {
    match layout(size, align) {
        // SAFETY: `layout` has a non-zero size.
        Some(layout) => unsafe { alloc::alloc(layout) },
        None => ptr::null_mut(),
    }
}

/// `wabi_free`: release a block returned by [`alloc`]. Null pointers, invalid layouts and the
/// scratch buffer are ignored.
///
/// # Safety
///
/// A non-null `ptr` that is not the scratch buffer must come from [`alloc`] with the same `size`
/// and `align`, and must not be used afterwards.
pub unsafe fn free(ptr: *mut u8, size: u32, align: u32) {
    if ptr.is_null() || is_scratch(ptr) {
        return;
    }
    if let Some(layout) = layout(size, align) {
        // SAFETY: the caller guarantees `ptr` was allocated with this layout.
        unsafe { alloc::dealloc(ptr, layout) }
    }
}

/// The scratch buffer: [`SCRATCH_CAPACITY`] bytes aligned to [`INPUT_ALIGN`], static, never
/// moved or freed.
#[inline]
pub fn scratch() -> *mut u8 {
    STATICS.scratch.0.get().cast()
}

/// Whether `ptr` points into the scratch buffer.
#[inline]
pub fn is_scratch(ptr: *const u8) -> bool {
    (ptr as usize).wrapping_sub(scratch() as usize) < SCRATCH_CAPACITY
}

/// Where a call that is not nested writes its result envelope first (see [`crate::output`]):
/// the part of the scratch buffer after the call's input, from the next 8-byte boundary, or all
/// of it when the input is elsewhere (empty, or in a block from [`alloc`]).
///
/// The host writes the next input into the scratch buffer only after it has read the envelope
/// (ABI.md section 6.2), and nested calls never use the scratch buffer for either.
#[inline]
pub fn output_region(input: *const u8, len: usize) -> (*mut u8, usize) {
    let offset = if len != 0 && is_scratch(input) {
        let end = (input as usize - scratch() as usize).saturating_add(len);
        end.saturating_add(7) & !7
    } else {
        0
    };
    let offset = offset.min(SCRATCH_CAPACITY);
    (scratch().wrapping_add(offset), SCRATCH_CAPACITY - offset)
}

/// Release an input of `len > 0` bytes at `ptr` after a call: the host allocated it with
/// `wabi_alloc(len, 8)` and the guest owns it, unless it lives in the scratch buffer.
///
/// # Safety
///
/// `ptr` must be the scratch buffer or a block from [`alloc`]`(len, 8)` that is not used again.
#[inline]
pub unsafe fn release_input(ptr: *mut u8, len: u32) {
    // SAFETY: forwarded from the caller.
    unsafe { free(ptr, len, INPUT_ALIGN) }
}

/// The reserved exports. `#[unsafe(export_name)]` items of a library are exported by every cdylib
/// that links it, so a plugin gets them by depending on `wabi-guest`.
#[cfg(target_arch = "wasm32")]
mod exports {
    use wabi_spec::{pack, ABI_VERSION};

    /// `wabi_abi_version() -> i32`.
    #[unsafe(export_name = "wabi_abi_version")]
    pub extern "C" fn wabi_abi_version() -> u32 {
        ABI_VERSION.to_raw()
    }

    /// `wabi_alloc(size: i32, align: i32) -> i32`.
    #[unsafe(export_name = "wabi_alloc")]
    pub extern "C" fn wabi_alloc(size: u32, align: u32) -> u32 {
        super::alloc(size, align) as u32
    }

    /// `wabi_free(ptr: i32, size: i32, align: i32)`.
    ///
    /// # Safety
    ///
    /// As [`super::free`].
    #[unsafe(export_name = "wabi_free")]
    pub unsafe extern "C" fn wabi_free(ptr: u32, size: u32, align: u32) {
        // SAFETY: forwarded from the host, which follows the ABI.
        unsafe { super::free(ptr as usize as *mut u8, size, align) }
    }

    /// `wabi_scratch() -> i64`. The buffer is a static, so the answer is the same in every
    /// instance of the module, as ABI 1.2 requires (a host asks the first instance only). It
    /// touches no memory: the page of the scratch buffer and the
    /// call state is first touched by the host writing the first input, one page fault instead
    /// of two (a read, then a write). The panic hook is installed by the first export call,
    /// before any user code runs.
    #[unsafe(export_name = "wabi_scratch")]
    pub extern "C" fn wabi_scratch() -> u64 {
        pack(super::scratch() as u32, super::SCRATCH_CAPACITY as u32) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_buffer_is_aligned_and_shares_a_page_with_the_state() {
        assert_eq!(scratch() as usize % INPUT_ALIGN as usize, 0);
        let state = &STATICS.state as *const CallState as usize;
        assert_eq!(state / 4096, scratch() as usize / 4096);
    }

    #[test]
    fn the_heap_output_buffer_is_kept_between_calls() {
        use crate::output::into_parts;
        let state = CallState::new();
        assert_eq!(state.take_heap_output(), NO_HEAP);
        let mut buffer = Vec::with_capacity(100);
        buffer.extend_from_slice(b"old bytes");
        let ptr = buffer.as_mut_ptr();
        state.put_heap_output(into_parts(buffer));
        let again = state.take_heap_output();
        assert_eq!(again.0, ptr);
        assert!(again.1 >= 100);
        // Taking leaves nothing behind; an empty vector has no parts.
        assert_eq!(state.take_heap_output(), NO_HEAP);
        assert_eq!(into_parts(Vec::new()), NO_HEAP);
        // A second put frees the first buffer and keeps the second; dropping the state frees
        // that one.
        state.put_heap_output(again);
        state.put_heap_output(into_parts(vec![1, 2, 3]));
        // SAFETY: the parts just taken, used once.
        let last = unsafe { heap_vec(state.take_heap_output()) };
        assert_eq!((last.len(), last.capacity()), (0, 3));
        state.put_heap_output(into_parts(last));
    }

    #[test]
    fn the_output_region_follows_the_input() {
        let base = scratch();
        assert_eq!(output_region(base, 0), (base, SCRATCH_CAPACITY));
        assert_eq!(
            output_region(base, 13),
            (base.wrapping_add(16), SCRATCH_CAPACITY - 16)
        );
        assert_eq!(
            output_region(base, 16),
            (base.wrapping_add(16), SCRATCH_CAPACITY - 16)
        );
        let full = output_region(base, SCRATCH_CAPACITY);
        assert_eq!(full.1, 0);
        // An input elsewhere leaves the whole buffer; a length past the end leaves nothing.
        let elsewhere = [0u8; 4];
        assert_eq!(
            output_region(elsewhere.as_ptr(), 4),
            (base, SCRATCH_CAPACITY)
        );
        assert_eq!(output_region(base.wrapping_add(8), usize::MAX).1, 0);
    }

    #[test]
    fn alloc_rejects_invalid_requests() {
        assert!(alloc(0, 8).is_null(), "size 0");
        for align in [0, 3, 6, 12, 131072, u32::MAX] {
            assert!(alloc(16, align).is_null(), "align {align}");
        }
        assert!(alloc(u32::MAX, MAX_ALIGN).is_null() || cfg!(target_pointer_width = "64"));
    }

    #[test]
    fn alloc_honours_alignment_and_free_releases() {
        for align in [1u32, 2, 4, 8, 16, 4096, MAX_ALIGN] {
            let p = alloc(24, align);
            assert!(!p.is_null());
            assert_eq!(p as usize % align as usize, 0, "align {align}");
            // SAFETY: freshly allocated with the same layout.
            unsafe {
                p.write_bytes(0xab, 24);
                free(p, 24, align);
            }
        }
        // Null and invalid layouts are ignored rather than undefined.
        // SAFETY: null is always accepted.
        unsafe { free(ptr::null_mut(), 8, 8) };
    }

    #[test]
    fn scratch_is_stable_aligned_and_never_freed() {
        let a = scratch();
        let b = scratch();
        assert_eq!(a, b);
        assert_eq!(a as usize % INPUT_ALIGN as usize, 0);
        assert!(is_scratch(a));
        // SAFETY: the scratch buffer is writable for its capacity.
        assert!(is_scratch(unsafe { a.add(SCRATCH_CAPACITY - 1) }));
        assert!(!is_scratch(unsafe { a.add(SCRATCH_CAPACITY) }));
        // Freeing it (a host bug) is ignored.
        // SAFETY: `free` ignores the scratch buffer.
        unsafe { free(a, SCRATCH_CAPACITY as u32, 8) };
        assert_eq!(scratch(), a);
    }
}
