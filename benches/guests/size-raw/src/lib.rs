//! `add(a, b)` by hand: the host calls `alloc(len)`, writes the MessagePack array `[a, b]`
//! there, calls `add(ptr, len)` (which frees the input) and gets `(ptr << 32) | len` of the
//! encoded sum, which it frees with `dealloc(ptr, len)`. Same job as `size-wabi`, no wabi.

/// Allocate `len` bytes for the host to write the input into.
#[no_mangle]
pub extern "C" fn alloc(len: u32) -> u32 {
    let mut buf = Vec::<u8>::with_capacity(len as usize);
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr as u32
}

/// Free a block from `alloc` or an output.
///
/// # Safety
/// `ptr`/`len` must be a block from `alloc(len)` or an output of `add`.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: u32, len: u32) {
    drop(Vec::from_raw_parts(ptr as *mut u8, 0, len as usize));
}

/// `add(a, b)`: input `[a, b]`, output the sum; 0 when the input does not decode.
///
/// # Safety
/// `ptr`/`len` must be a block from `alloc(len)` holding the input.
#[no_mangle]
pub unsafe extern "C" fn add(ptr: u32, len: u32) -> u64 {
    let input = Vec::from_raw_parts(ptr as *mut u8, len as usize, len as usize);
    let Ok((a, b)) = rmp_serde::from_slice::<(i32, i32)>(&input) else {
        return 0;
    };
    let Ok(out) = rmp_serde::to_vec(&a.wrapping_add(b)) else {
        return 0;
    };
    let out = Box::into_raw(out.into_boxed_slice());
    ((out as *mut u8 as u64) << 32) | out.len() as u64
}
