//! The host's imports (module `wabi`). On other targets than wasm32 they are replaced by stand-ins
//! so that plugin code can be unit-tested natively.

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
