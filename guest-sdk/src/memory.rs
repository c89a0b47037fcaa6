//! Guest memory the host works with: blocks it allocates for inputs (`wabi_alloc`/`wabi_free`)
//! and the scratch buffer (`wabi_scratch`).

use std::alloc::{self, Layout};
use std::cell::UnsafeCell;
use std::ptr;
use wabi_spec::layout::INPUT_ALIGN;

/// Capacity of the scratch buffer in bytes: inputs up to this size need no allocation.
pub const SCRATCH_CAPACITY: usize = 64 * 1024;

/// The largest alignment `wabi_alloc` accepts (one wasm page).
pub const MAX_ALIGN: u32 = 65536;

/// The scratch buffer: static, in the module's zero-initialised memory, so that an instance
/// gets it without an allocation or a `memory.grow`, and touches only the pages the host
/// writes inputs into.
#[repr(C, align(8))]
struct Scratch(UnsafeCell<[u8; SCRATCH_CAPACITY]>);

// SAFETY: the guest never writes the buffer; the host writes an input into it between calls and
// the guest reads that input during the call (ABI.md section 6), one call at a time per
// instance. Native builds (the SDK's own tests) only take its address.
unsafe impl Sync for Scratch {}

const _: () = assert!(std::mem::align_of::<Scratch>() == INPUT_ALIGN as usize);

static SCRATCH: Scratch = Scratch(UnsafeCell::new([0; SCRATCH_CAPACITY]));

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
    SCRATCH.0.get().cast()
}

/// Whether `ptr` points into the scratch buffer.
#[inline]
pub fn is_scratch(ptr: *const u8) -> bool {
    (ptr as usize).wrapping_sub(scratch() as usize) < SCRATCH_CAPACITY
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

    /// `wabi_scratch() -> i64`.
    #[unsafe(export_name = "wabi_scratch")]
    pub extern "C" fn wabi_scratch() -> u64 {
        crate::panic::install_hook();
        pack(super::scratch() as u32, super::SCRATCH_CAPACITY as u32) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
