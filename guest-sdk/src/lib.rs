//! Write WebAssembly plugins as ordinary Rust functions.
//!
//! `wabi-guest` is the guest side of wabi: mark functions with [`#[export]`](export) and build the
//! crate as a `cdylib` for `wasm32-unknown-unknown` or `wasm32-wasip1`. A wabi host then calls them
//! by name with ordinary values; arguments and results cross the boundary in MessagePack (or as
//! raw bytes, or as plain-old-data), errors come back as errors and panics as panics.
//!
//! # Example plugin
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! wabi-guest = "0.1"
//! serde = { version = "1", features = ["derive"] }
//! ```
//!
//! `src/lib.rs`:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use wabi_guest::export;
//!
//! #[derive(Serialize, Deserialize)]
//! pub struct Person {
//!     name: String,
//!     age: u32,
//! }
//!
//! /// Arguments and results are any serde types; `&str` and `&[u8]` borrow from the input.
//! #[export]
//! fn greet(person: Person, greeting: &str) -> String {
//!     wabi_guest::info!("greeting {}", person.name);
//!     format!("{greeting}, {} ({})", person.name, person.age)
//! }
//!
//! #[derive(Debug, Serialize)]
//! pub struct NotFound {
//!     id: u64,
//! }
//!
//! impl std::fmt::Display for NotFound {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
//!         write!(f, "no record {}", self.id)
//!     }
//! }
//!
//! /// An `Err` reaches the host as an error with its message (and, because `NotFound` is
//! /// `Serialize`, its value).
//! #[export]
//! fn lookup(id: u64) -> Result<String, NotFound> {
//!     if id == 1 { Ok("one".into()) } else { Err(NotFound { id }) }
//! }
//!
//! /// Bytes in, bytes out, no encoding at all; exported under another name.
//! #[export(raw, name = "reverse-bytes")]
//! fn reverse(bytes: &[u8]) -> Vec<u8> {
//!     bytes.iter().rev().copied().collect()
//! }
//! # fn main() {
//! #     assert_eq!(greet(Person { name: "Ada".into(), age: 36 }, "Hello"), "Hello, Ada (36)");
//! # }
//! ```
//!
//! Build it with `cargo build --release --target wasm32-unknown-unknown`. The functions stay
//! ordinary Rust functions, so they can be unit-tested natively; logging then goes to stderr.
//!
//! # What a plugin exports
//!
//! Besides one `(i32, i32) -> i64` function per `#[export]`, linking this crate exports the
//! runtime the host needs: `wabi_abi_version`, `wabi_alloc`, `wabi_free` and `wabi_scratch`. It
//! imports nothing but `wabi.panic` and, when the plugin uses them, `wabi.log` (logging),
//! `wabi.host_call` (host functions), `wabi.config` (configuration) and `wabi.http_request`
//! (outbound HTTP), plus WASI's functions on `wasm32-wasip1`.
//!
//! # Calling the host
//!
//! The embedder may register host functions; declare one with [`#[import]`](import) and call it
//! like any function (see [`host`]). It may also give the plugin read-only configuration
//! strings, read with [`config::get`] (ABI 1.1, both).
//!
//! ```
//! use wabi_guest::{export, import, HostError};
//!
//! #[import]
//! fn exchange_rate(from: &str, to: &str) -> Result<f64, HostError>;
//!
//! #[export]
//! fn convert(amount: f64, currency: &str) -> Result<f64, HostError> {
//!     let target = wabi_guest::config::get("currency").unwrap_or_else(|| "EUR".into());
//!     Ok(amount * exchange_rate(currency, &target)?)
//! }
//! ```
//!
//! A host function may call back into the plugin's exports while it runs; exports are
//! re-entrant (a nested call gets an output buffer of its own).
//!
//! # Outbound HTTP
//!
//! A plugin has no network access of its own; when the embedder grants it HTTP to some hosts,
//! it sends requests through the host with [`http`] (ABI 1.3, `wabi.http_request`). A request
//! the grant does not allow, or one that fails, is an [`http::HttpError`] with a kind
//! (`denied`, `timeout`, `too_large`, `connect`, `limit`, `bad_request`,
//! `too_many_redirects`) and the host's message; a 4xx or 5xx status is a response.
//!
//! ```no_run
//! use wabi_guest::{export, http};
//!
//! /// Whether the auth service accepts `token`. An `HttpError` reaches the host as an error
//! /// whose message is the host's and whose value is `{"kind": "..."}`.
//! #[export]
//! fn check(token: &str) -> Result<bool, http::HttpError> {
//!     let url = wabi_guest::config::get("auth_url")
//!         .unwrap_or_else(|| "https://auth.example.com/check".into());
//!     let response = http::Request::get(url)
//!         .header("authorization", format!("Bearer {token}"))
//!         .send()?;
//!     if let Some(user) = response.header("x-user") {
//!         wabi_guest::info!("token of {user}");
//!     }
//!     Ok(response.status == 200)
//! }
//! ```
//!
//! Results are written into one output buffer that is reused by every call: it grows to the
//! largest result returned so far and is never shrunk. The host writes inputs that fit into a
//! reusable 64 KiB scratch buffer, and larger ones into a block it allocates with `wabi_alloc`,
//! which the guest frees after the call. A call therefore allocates nothing of its own beyond
//! what the function's arguments and return value need.
//!
//! # Panics
//!
//! The first call installs a panic hook that reports the message and location to the host
//! through `wabi.panic`; the host then ends the call with a panic error. Build plugins with
//! `panic = "abort"` (the only strategy on wasm32 today). A plugin that replaces the panic hook
//! with its own loses that report, and its panics reach the host as plain traps.
#![deny(missing_docs)]

pub mod config;
pub mod host;
pub mod http;
mod imports;
pub mod log;
// The runtime of the reserved exports and of the panic hook is only reachable on wasm32; it is
// compiled (and unit-tested) natively too.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod memory;
mod output;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod panic;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// Export a function to the wasm host.
///
/// The function stays as it is; beside it the macro generates its wasm entry point, an
/// `extern "C" fn(ptr: i32, len: i32) -> i64` exported under the function's name, which decodes
/// the arguments, calls the function and encodes what it returns.
///
/// ```
/// # use wabi_guest::export;
/// # #[derive(serde::Serialize, serde::Deserialize)] pub struct Order { total: u64 }
/// #[export]
/// fn total(orders: Vec<Order>, discount: Option<u64>) -> u64 {
///     orders.iter().map(|o| o.total).sum::<u64>() - discount.unwrap_or(0)
/// }
/// ```
///
/// # Arguments
///
/// Up to 16 arguments of any type implementing `serde::Deserialize`: integers, floats, `bool`,
/// `String`, `Vec<T>`, `Option<T>`, maps, tuples, your own structs and enums. `&str` and `&[u8]`
/// borrow from the input without copying; lifetime parameters (`fn f<'a>(s: &'a str)`) are
/// allowed. Each argument is a plain name (or `_`); type and const parameters, `impl Trait`,
/// `&mut`, `self`, `async fn`, `unsafe fn` and `extern fn` are rejected.
///
/// The host sends nothing for no arguments, the value itself for one argument and an array for
/// several; an input that does not decode is answered with a "bad arguments" error naming the
/// function and what failed.
///
/// # Return value
///
/// - nothing or `()`: the host receives `nil`;
/// - `T: Serialize`: the value;
/// - `Result<T, E>` (recognised by its name: the last path segment is `Result` with two type
///   arguments) where `E: Display`: `Ok(v)` is returned as `v`, `Err(e)` becomes an error whose
///   message is `e.to_string()` and which, when `E` also implements `Serialize`, carries `e`'s
///   value.
///
/// A value that fails to serialize is answered with a "bad result" error.
///
/// # Options
///
/// - `#[export(name = "other.name")]`: export under another name. Names consist of ASCII
///   letters, digits, `_`, `-` and `.`, and may not start with `wabi_` (reserved).
/// - `#[export(raw)]`: no encoding. The function takes exactly one `&[u8]` (the input bytes)
///   and returns `Vec<u8>` or `Result<Vec<u8>, E>` (the output bytes).
/// - `#[export(pod)]`: plain-old-data. The function takes zero or one argument of a
///   `bytemuck::Pod` type and returns a Pod type or `Result<T, E>` with a Pod `T`; values cross
///   as their memory layout (an input of the wrong size is a "bad arguments" error; without an
///   argument the input must be empty).
///
/// Options combine: `#[export(pod, name = "add")]`.
///
/// # Errors and panics
///
/// A panic inside the function is reported to the host with its message and location, and the
/// call fails with a panic error.
#[doc(inline)]
pub use wabi_macros::export;

/// Declare a host function: a function without a body whose calls go to the host
/// (`wabi.host_call`, ABI 1.1).
///
/// ```
/// use wabi_guest::{import, HostError};
/// # #[derive(serde::Serialize, serde::Deserialize)] pub struct Person { name: String, age: u32 }
///
/// /// Ask the host for a user.
/// #[import]
/// pub fn find_user(id: u64) -> Result<Option<Person>, HostError>;
///
/// #[import(name = "kv.get")]
/// fn kv_get(key: &str) -> Result<Vec<u8>, HostError>;
/// ```
///
/// The macro replaces the declaration by a function of the same signature, visibility and
/// attributes that encodes the arguments by the argument-list rule (nothing for none, the value
/// for one, an array for several), calls the host function named like the Rust function, and
/// decodes its result. It is [`host::call`] with the types written once.
///
/// A body-less `fn` is not valid Rust on its own, but an attribute macro sees it before rustc
/// rejects it, and `#[import]` turns it into a complete function.
///
/// # Arguments
///
/// Up to 16 arguments of any type implementing `serde::Serialize`; borrowed types (`&str`,
/// `&[u8]`, `&Person`) are sent without being copied first. Each argument is a plain name (or
/// `_`); lifetime parameters are allowed, type and const parameters, `impl Trait`, `self`,
/// `async fn`, `const fn`, `unsafe fn` and `extern fn` are not.
///
/// # Return type
///
/// `Result<T, E>`, because a host call can always fail: the host function may return an error,
/// may not be registered, or may not accept the arguments. `T` is any owned
/// `serde::de::DeserializeOwned` type (`()` for a function that returns nothing): the result is
/// decoded from a block that is freed before the function returns, so it cannot borrow.
/// `E` is [`HostError`] or any type implementing `From<HostError>`.
///
/// # Options
///
/// - `#[import(name = "other.name")]`: call the host function registered under another name
///   (any non-empty string).
#[doc(inline)]
pub use wabi_macros::import;

pub use host::{HostError, HostErrorKind};
pub use http::{HttpError, HttpErrorKind};
pub use wabi_spec::{AbiVersion, ABI_VERSION};

/// Re-exported so a plugin needs no direct dependency on serde for the traits (the derive macros
/// need `serde` itself, or `#[serde(crate = "wabi_guest::serde")]`).
pub use serde;

/// Re-exported for `#[export(pod)]`: derive with
/// `#[derive(wabi_guest::bytemuck::Pod, wabi_guest::bytemuck::Zeroable)]` and
/// `#[bytemuck(crate = "wabi_guest::bytemuck")]`.
pub use bytemuck;

/// Capacity of the scratch buffer reported by `wabi_scratch`: inputs up to this many bytes are
/// written there by the host and need no allocation.
pub const SCRATCH_CAPACITY: usize = memory::SCRATCH_CAPACITY;
