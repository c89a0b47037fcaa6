//! The buffer an export writes its result envelope into.
//!
//! A call's envelope goes into a *region* it is given, normally the part of the scratch buffer
//! after the call's own input ([`crate::memory::output_region`]): a small result then needs no
//! allocation, and on a fresh instance touches no memory page the input did not (no
//! `memory.grow`, no page fault). A result that does not fit moves into a heap buffer, kept
//! from call to call, which grows as needed. Both are one pointer, length and capacity, so a
//! write costs one comparison, as with a `Vec`.
//!
//! The host reads the envelope before it makes the next call into the instance (ABI.md section
//! 6.2), and writes the next input into the scratch buffer only then.

use std::fmt;
use std::ptr;
use wabi_spec::codec;
use wabi_spec::layout::EnvelopeBuffer;

/// An export's result envelope, being written: in a region of the caller's (see the module
/// documentation) until it outgrows it, then in a heap buffer.
pub struct Output {
    /// Where the bytes are: the region, or the heap buffer.
    ptr: *mut u8,
    len: usize,
    cap: usize,
    /// The heap buffer's allocation (null and 0 for none), owned as a `Vec<u8>` would own it;
    /// kept as its parts so that a call that never needs it never builds or drops a `Vec`.
    heap: HeapParts,
}

/// The pointer and capacity of a `Vec<u8>` allocation (null and 0 for none), owned.
pub type HeapParts = (*mut u8, usize);

/// No heap buffer.
pub const NO_HEAP: HeapParts = (ptr::null_mut(), 0);

/// The `Vec` that owns `parts` (empty: only the allocation counts).
///
/// # Safety
///
/// `parts` must be [`NO_HEAP`] or come from [`into_parts`], and be used only once.
#[inline]
pub unsafe fn heap_vec((ptr, cap): HeapParts) -> Vec<u8> {
    if ptr.is_null() {
        Vec::new()
    } else {
        // SAFETY: the parts of a `Vec<u8>` allocation, owned by the caller.
        unsafe { Vec::from_raw_parts(ptr, 0, cap) }
    }
}

/// Give up `vec`'s allocation as its parts ([`NO_HEAP`] when it has none); its contents are
/// dropped, the bytes in its allocation stay.
#[inline]
pub fn into_parts(vec: Vec<u8>) -> HeapParts {
    let mut vec = std::mem::ManuallyDrop::new(vec);
    match vec.capacity() {
        0 => NO_HEAP,
        cap => (vec.as_mut_ptr(), cap),
    }
}

impl Output {
    /// An output with no region and no heap buffer, to be replaced before use.
    pub(crate) const EMPTY: Output = Output {
        ptr: ptr::null_mut(),
        len: 0,
        cap: 0,
        heap: NO_HEAP,
    };

    /// An empty output that writes into `cap` bytes at `region` first, and into the heap buffer
    /// `heap` (its allocation reused) once they are not enough. A heap buffer that is already
    /// larger than the region (the last results were big) is used from the start.
    ///
    /// # Safety
    ///
    /// `region` must be valid for writes of `cap` bytes, and neither read nor written by
    /// anything else, until the envelope written here has been read. `heap` must be
    /// [`NO_HEAP`] or come from [`into_parts`], owned by this output from now on.
    #[inline]
    pub unsafe fn new(region: *mut u8, cap: usize, heap: HeapParts) -> Self {
        let (ptr, cap) = if heap.1 > cap { heap } else { (region, cap) };
        Output {
            ptr,
            len: 0,
            cap,
            heap,
        }
    }

    /// An output that only has the heap buffer (for tests of what writes into an output).
    #[cfg(test)]
    pub(crate) fn on_heap(heap: Vec<u8>) -> Self {
        // SAFETY: a region of 0 bytes is never written; the parts come from `into_parts`.
        unsafe { Self::new(ptr::NonNull::dangling().as_ptr(), 0, into_parts(heap)) }
    }

    /// The heap buffer's parts, to keep for the next call (see [`heap_vec`]). The envelope stays
    /// where it is: in the region, or in the heap buffer (valid until it is written or freed).
    #[inline]
    pub fn into_heap(self) -> HeapParts {
        self.heap
    }

    /// [`Output::into_heap`] for an output that stays where it is: it keeps its envelope, and
    /// no longer owns a heap buffer.
    #[inline]
    pub(crate) fn take_heap(&mut self) -> HeapParts {
        std::mem::replace(&mut self.heap, NO_HEAP)
    }

    /// Where the bytes written so far are, and how many.
    #[inline]
    pub fn written(&self) -> (*const u8, usize) {
        (self.ptr, self.len)
    }

    /// The number of bytes written so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` is valid for `cap >= len` bytes, of which `len` are written.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// The bytes written so far, to fill in a header.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as `as_slice`, and `&mut self` is the only access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    /// Forget what was written; keep the storage.
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Append `bytes`.
    #[inline(always)]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        if bytes.len() > self.cap - self.len {
            self.grow(bytes.len());
        }
        // SAFETY: `len + bytes.len() <= cap`, and `bytes` cannot alias the storage (it is
        // borrowed while `self` is borrowed mutably; the region belongs to this output alone).
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.add(self.len), bytes.len()) };
        self.len += bytes.len();
    }

    /// Append one byte.
    #[inline(always)]
    pub fn push(&mut self, byte: u8) {
        if self.len == self.cap {
            self.grow(1);
        }
        // SAFETY: `len < cap`.
        unsafe { self.ptr.add(self.len).write(byte) };
        self.len += 1;
    }

    /// Make room for `additional` more bytes: move into the heap buffer, or grow it.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, additional: usize) {
        let on_heap = !self.heap.0.is_null() && self.ptr == self.heap.0;
        // SAFETY: this output owns `heap` (see `new`); it gets the parts back below.
        let mut heap = unsafe { heap_vec(self.heap) };
        if on_heap {
            // SAFETY: the first `len` bytes of the allocation are written; counting them makes
            // `reserve` keep them.
            unsafe { heap.set_len(self.len) };
            heap.reserve(additional);
        } else {
            heap.reserve(self.len + additional);
            heap.extend_from_slice(self.as_slice());
        }
        self.ptr = heap.as_mut_ptr();
        self.cap = heap.capacity();
        self.heap = into_parts(heap);
    }
}

impl codec::Output for Output {
    #[inline(always)]
    fn push(&mut self, byte: u8) {
        Output::push(self, byte)
    }

    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Output::extend_from_slice(self, bytes)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }

    fn insert(&mut self, at: usize, bytes: &[u8]) {
        assert!(at <= self.len, "insert at {at} past the end ({})", self.len);
        if bytes.len() > self.cap - self.len {
            self.grow(bytes.len());
        }
        // SAFETY: `at <= len` and `len + bytes.len() <= cap`: the tail moves within the
        // storage, then `bytes` (not aliasing it, as in `extend_from_slice`) fills the gap.
        unsafe {
            let at_ptr = self.ptr.add(at);
            ptr::copy(at_ptr, at_ptr.add(bytes.len()), self.len - at);
            ptr::copy_nonoverlapping(bytes.as_ptr(), at_ptr, bytes.len());
        }
        self.len += bytes.len();
    }
}

impl EnvelopeBuffer for Output {
    #[inline(always)]
    fn clear(&mut self) {
        Output::clear(self)
    }

    #[inline(always)]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        Output::extend_from_slice(self, bytes)
    }

    #[inline(always)]
    fn bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl fmt::Write for Output {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region_output(region: &mut [u8], heap: Vec<u8>) -> Output {
        // SAFETY: `region` is borrowed for as long as the tests use the output; the heap
        // buffer's parts come from `into_parts`.
        unsafe { Output::new(region.as_mut_ptr(), region.len(), into_parts(heap)) }
    }

    /// The heap buffer an output ends with.
    fn heap_of(out: Output) -> Vec<u8> {
        // SAFETY: the parts of the output's own heap buffer, used once.
        unsafe { heap_vec(out.into_heap()) }
    }

    #[test]
    fn small_results_stay_in_the_region() {
        let mut region = [0u8; 16];
        let start = region.as_ptr();
        let mut out = region_output(&mut region, Vec::new());
        out.extend_from_slice(b"0123456789");
        out.push(b'x');
        codec::Output::insert(&mut out, 0, b"<>");
        assert_eq!(out.as_slice(), b"<>0123456789x");
        assert_eq!(out.written(), (start, 13));
        assert_eq!(heap_of(out).capacity(), 0, "no allocation");
    }

    #[test]
    fn a_result_that_outgrows_the_region_moves_to_the_heap_intact() {
        let mut region = [0u8; 8];
        let start = region.as_ptr();
        let mut out = region_output(&mut region, Vec::new());
        out.extend_from_slice(b"abcdef");
        out.extend_from_slice(b"ghij");
        assert_ne!(out.written().0, start);
        for b in b'k'..=b'z' {
            out.push(b);
        }
        // Insert in the middle, then force growth by inserting more than the spare capacity.
        codec::Output::insert(&mut out, 3, b"-");
        let big = vec![b'#'; 4096];
        codec::Output::insert(&mut out, 0, &big);
        let mut want = big.clone();
        want.extend_from_slice(b"abc-defghijklmnopqrstuvwxyz");
        assert_eq!(out.as_slice(), &want[..]);
        assert_eq!(out.len(), want.len());
        let heap = heap_of(out);
        assert!(heap.is_empty() && heap.capacity() >= want.len());
    }

    #[test]
    fn a_large_heap_buffer_is_used_from_the_start_and_reused() {
        let heap = Vec::with_capacity(1024);
        let heap_ptr = heap.as_ptr();
        let mut region = [0u8; 64];
        let mut out = region_output(&mut region, heap);
        out.extend_from_slice(b"hello");
        assert_eq!(out.written(), (heap_ptr, 5));
        assert_eq!(out.as_slice(), b"hello");
        out.clear();
        out.extend_from_slice(&[7; 1000]);
        assert_eq!(out.written(), (heap_ptr, 1000), "no reallocation");
        // A heap buffer smaller than the region is not: the region serves first.
        let mut region = [0u8; 64];
        let start = region.as_ptr();
        let out = region_output(&mut region, Vec::with_capacity(8));
        assert_eq!(out.written().0, start);
        assert_eq!(heap_of(out).capacity(), 8);
    }

    #[test]
    fn only_the_heap() {
        let mut out = Output::on_heap(Vec::new());
        assert!(out.as_slice().is_empty());
        out.push(1);
        out.extend_from_slice(&[2, 3]);
        assert_eq!(out.as_slice(), [1, 2, 3]);
        out.as_mut_slice()[0] = 9;
        assert_eq!(out.as_slice(), [9, 2, 3]);
        assert!(!codec::Output::is_empty(&out));
    }
}
