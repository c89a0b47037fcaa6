//! The benchmark workloads through the hand-written "raw" ABI a careful user writes without an
//! SDK: the host calls `alloc(len)`, writes the input there, calls `f(ptr, len)` (which takes
//! ownership of the input and frees it) and receives `(out_ptr << 32) | out_len`; it decodes the
//! output in place and frees it with `dealloc(out_ptr, out_len)`. Three guest calls per
//! invocation, fewer when the input or output is empty. Values are rmp-serde's compact form
//! (structs as arrays).
//!
//! Also exports `empty`, the floor: a function that does nothing, called as a typed
//! `() -> ()` wasmtime function.

#[path = "../../../src/common/types.rs"]
#[allow(dead_code)]
mod types;

use serde::Serialize;
use types::{AddIn, Request};

/// Allocate `len` bytes for the host to write an input into.
#[no_mangle]
pub extern "C" fn alloc(len: u32) -> u32 {
    let mut buf = Vec::<u8>::with_capacity(len as usize);
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr as u32
}

/// Free an output (or an unused input block).
///
/// # Safety
/// `ptr`/`len` must be a block from `alloc(len)` or an output returned by a function.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: u32, len: u32) {
    drop(Vec::from_raw_parts(ptr as *mut u8, 0, len as usize));
}

/// Take ownership of the input block.
unsafe fn input(ptr: u32, len: u32) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    Vec::from_raw_parts(ptr as *mut u8, len as usize, len as usize)
}

/// Encode `value` into a block the host frees with `dealloc`, and pack its location.
fn output<T: Serialize + ?Sized>(value: &T) -> u64 {
    let bytes = rmp_serde::to_vec(value).expect("encodable");
    let len = bytes.len() as u64;
    let ptr = Box::into_raw(bytes.into_boxed_slice()) as *mut u8;
    ((ptr as u64) << 32) | len
}

/// The floor: an empty function.
#[no_mangle]
pub extern "C" fn empty() {}

/// noop: nothing in, nothing out (no allocation, no free: one guest call).
#[no_mangle]
pub extern "C" fn noop(_ptr: u32, _len: u32) -> u64 {
    0
}

/// W1.
///
/// # Safety
/// As for every function of this ABI: the input is a block from `alloc(len)`.
#[no_mangle]
pub unsafe extern "C" fn add(ptr: u32, len: u32) -> u64 {
    let input = input(ptr, len);
    let args: AddIn = rmp_serde::from_slice(&input).expect("W1 input");
    output(&types::add(args))
}

/// W2: the string is decoded borrowed from the input and encoded from there.
///
/// # Safety
/// See `add`.
#[no_mangle]
pub unsafe extern "C" fn echo(ptr: u32, len: u32) -> u64 {
    let input = input(ptr, len);
    let s: &str = rmp_serde::from_slice(&input).expect("W2 input");
    output(s)
}

/// W3.
///
/// # Safety
/// See `add`.
#[no_mangle]
pub unsafe extern "C" fn gateway(ptr: u32, len: u32) -> u64 {
    let input = input(ptr, len);
    let req: Request = rmp_serde::from_slice(&input).expect("W3 input");
    output(&types::gateway(req))
}

/// W4: the bytes are read borrowed from the input.
///
/// # Safety
/// See `add`.
#[no_mangle]
pub unsafe extern "C" fn bulk(ptr: u32, len: u32) -> u64 {
    let input = input(ptr, len);
    let data: &[u8] = rmp_serde::from_slice(&input).expect("W4 input");
    output(&types::bulk(data))
}
