//! The host's imports (module `wabi`, ABI.md section 4), wrapped in safe functions. On other
//! targets than wasm32 they are replaced by stand-ins so that plugin code can be unit-tested
//! natively: logging prints to stderr, host calls, configuration and HTTP requests panic.
//!
//! An import is only linked into a plugin that uses it: a plugin that never calls a host
//! function does not import `wabi.host_call`, one that sends no HTTP request does not import
//! `wabi.http_request`.

use wabi_spec::layout::LogLevel;

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "wabi")]
unsafe extern "C" {
    /// `wabi.log(level: i32, ptr: i32, len: i32)`.
    #[link_name = "log"]
    fn wabi_log(level: u32, ptr: *const u8, len: usize);

    /// `wabi.panic(ptr: i32, len: i32)`: never returns, the host ends the call.
    #[link_name = "panic"]
    fn wabi_panic(ptr: *const u8, len: usize);

    /// `wabi.host_call(name_ptr: i32, name_len: i32, args_ptr: i32, args_len: i32) -> i64`
    /// (ABI 1.1): the packed `(ptr, len)` of a result envelope in a block from `wabi_alloc`.
    #[link_name = "host_call"]
    fn wabi_host_call(
        name_ptr: *const u8,
        name_len: usize,
        args_ptr: *const u8,
        args_len: usize,
    ) -> u64;

    /// `wabi.config(key_ptr: i32, key_len: i32, buf_ptr: i32, buf_cap: i32) -> i32` (ABI 1.1):
    /// -1 when the key is not set, else the value's length, written only if it fits.
    #[link_name = "config"]
    fn wabi_config(key_ptr: *const u8, key_len: usize, buf_ptr: *mut u8, buf_cap: usize) -> i32;

    /// `wabi.http_request(req_ptr: i32, req_len: i32) -> i64` (ABI 1.3): the packed
    /// `(ptr, len)` of a result envelope in a block from `wabi_alloc`, like `host_call`.
    #[link_name = "http_request"]
    fn wabi_http_request(req_ptr: *const u8, req_len: usize) -> u64;
}

/// Send one log line to the host (natively: print it to stderr).
#[inline]
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the pointer and length describe `message`, which the host only reads.
    unsafe {
        wabi_log(level as u32, message.as_ptr(), message.len())
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

/// Report a panic record to the host, which ends the call.
#[cfg(target_arch = "wasm32")]
pub fn panic(record: &[u8]) -> ! {
    // SAFETY: the pointer and length describe `record`, which the host only reads.
    unsafe { wabi_panic(record.as_ptr(), record.len()) };
    // The import does not return; should a host return anyway, trap.
    core::arch::wasm32::unreachable()
}

/// A pointer for `bytes` as the ABI likes it: null for an empty slice.
#[cfg(target_arch = "wasm32")]
#[inline]
fn ptr_of(bytes: &[u8]) -> *const u8 {
    if bytes.is_empty() {
        core::ptr::null()
    } else {
        bytes.as_ptr()
    }
}

/// Call the host function `name` with encoded `args`; returns the packed `(ptr, len)` of the
/// result envelope, in a block from `wabi_alloc(len, 8)` that the caller now owns.
///
/// The host may call back into the guest before this returns (a nested call).
#[inline]
pub fn host_call(name: &str, args: &[u8]) -> u64 {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: both pointers and lengths describe live slices, which the host only reads (it
    // copies them before running the host function).
    unsafe {
        wabi_host_call(
            ptr_of(name.as_bytes()),
            name.len(),
            ptr_of(args),
            args.len(),
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = args;
        panic!("cannot call host function `{name}`: host calls need a wasm host (wabi.host_call)");
    }
}

/// Look up the configuration value of `key`: `None` when it is not set, else its length `n`,
/// the value having been written to `buf` only if `n <= buf.len()`.
#[inline]
pub fn config(key: &str, buf: &mut [u8]) -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    {
        let buf_ptr = if buf.is_empty() {
            core::ptr::null_mut()
        } else {
            buf.as_mut_ptr()
        };
        // SAFETY: the key is only read; the host writes at most `buf.len()` bytes to `buf`.
        let n = unsafe { wabi_config(ptr_of(key.as_bytes()), key.len(), buf_ptr, buf.len()) };
        // -1 is "not set"; any other negative value is no length either.
        usize::try_from(n).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = buf;
        panic!(
            "cannot read configuration key `{key}`: configuration needs a wasm host (wabi.config)"
        );
    }
}

/// Send the encoded HTTP request `request` (ABI.md section 4.4); returns the packed `(ptr, len)`
/// of the result envelope, in a block from `wabi_alloc(len, 8)` that the caller now owns.
#[inline]
pub fn http_request(request: &[u8]) -> u64 {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: the pointer and length describe a live slice, which the host only reads.
    unsafe {
        wabi_http_request(ptr_of(request), request.len())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = request;
        panic!("cannot send an HTTP request: outbound HTTP needs a wasm host (wabi.http_request)");
    }
}
