//! Export and import names. Every name wabi owns starts with [`RESERVED_PREFIX`] (exports) or
//! lives in the import module [`IMPORT_MODULE`] (imports); user functions may not use either.

/// Prefix reserved for wabi's own exports. A user function name must not start with it.
pub const RESERVED_PREFIX: &str = "wabi_";

/// `wabi_abi_version() -> i32`: the guest's ABI version, `major << 16 | minor`.
pub const EXPORT_ABI_VERSION: &str = "wabi_abi_version";

/// `wabi_alloc(size: i32, align: i32) -> i32`: allocate `size` bytes aligned to `align` in guest
/// memory; returns 0 on failure. The host calls it only with `size > 0` and `align` in
/// `{1, 2, 4, 8}`.
pub const EXPORT_ALLOC: &str = "wabi_alloc";

/// `wabi_free(ptr: i32, size: i32, align: i32)`: release a block returned by `wabi_alloc`.
pub const EXPORT_FREE: &str = "wabi_free";

/// `wabi_scratch() -> i64`: the guest's reusable input buffer as a packed `(ptr, capacity)`.
/// Called once per instance, after initialisation.
pub const EXPORT_SCRATCH: &str = "wabi_scratch";

/// The reactor initialiser of WASI modules; called first when exported.
pub const EXPORT_INITIALIZE: &str = "_initialize";

/// The entry point of a WASI *command* (a program with `main`). A wabi guest is a library (a
/// *reactor*) and MUST NOT export it: a host refuses such a module at load time (ABI.md
/// section 3), because a command's exports are not meant to be called without `_start`
/// (TinyGo's and Go's traps at their first call when built without `-buildmode=c-shared`).
pub const EXPORT_START: &str = "_start";

/// The import module owned by wabi. A guest may import only the functions listed here from it.
pub const IMPORT_MODULE: &str = "wabi";

/// `wabi.panic(ptr: i32, len: i32)`: report a panic; the bytes are a panic record
/// ([`crate::PanicHeader`] followed by the message and the file name). Never returns: the host
/// ends the current call with a panic error.
pub const IMPORT_PANIC: &str = "panic";

/// `wabi.log(level: i32, ptr: i32, len: i32)`: emit one UTF-8 log line at `level`
/// (see [`crate::layout::LogLevel`]).
pub const IMPORT_LOG: &str = "log";

/// `wabi.host_call(name_ptr: i32, name_len: i32, args_ptr: i32, args_len: i32) -> i64` (ABI 1.1):
/// call the host function named by the UTF-8 name with an argument list; returns the packed
/// `(ptr, len)` of a result envelope the host wrote into a block from the guest's `wabi_alloc`,
/// which the guest owns and frees with `wabi_free(ptr, len, 8)`.
pub const IMPORT_HOST_CALL: &str = "host_call";

/// `wabi.config(key_ptr: i32, key_len: i32, buf_ptr: i32, buf_cap: i32) -> i32` (ABI 1.1): the
/// length of the configuration value for the UTF-8 key, written to `buf` only when it fits, or
/// -1 when the key is not set.
pub const IMPORT_CONFIG: &str = "config";

/// `wabi.http_request(req_ptr: i32, req_len: i32) -> i64` (ABI 1.3): make an outbound HTTP
/// request ([`crate::http::HttpRequest`]) under the plugin's HTTP grant; returns the packed
/// `(ptr, len)` of a result envelope in a block from the guest's `wabi_alloc`, exactly like
/// [`IMPORT_HOST_CALL`]: `Ok` with a [`crate::http::HttpResponse`], or `Error` with a
/// [`crate::http::HttpErrorValue`].
pub const IMPORT_HTTP_REQUEST: &str = "http_request";

/// The wasm signature of every exported user function: `(ptr: i32, len: i32) -> i64`.
pub const USER_FUNCTION_SIGNATURE: &str = "(i32, i32) -> i64";

/// Whether `name` may be used for a user function (it is not reserved and not empty).
///
/// ```
/// assert!(wabi_spec::names::is_user_function_name("transform"));
/// assert!(!wabi_spec::names::is_user_function_name("wabi_alloc"));
/// ```
pub fn is_user_function_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(RESERVED_PREFIX)
        && name != EXPORT_INITIALIZE
        && name != EXPORT_START
}
