//! # wabi-host: call WebAssembly plugins like ordinary functions
//!
//! wabi moves typed values (strings, structs, enums, maps, bytes, `Pod` structs) in and out of
//! WebAssembly guests built with a wabi guest SDK (Rust `wabi-guest`, the Go SDK, or any
//! implementation of `abi-spec/ABI.md`). This crate is the host side, on wasmtime: it compiles a
//! module once, instantiates it sandboxed, writes arguments into guest memory, calls, reads the
//! result back, and turns every failure into a typed [`Error`].
//!
//! ```no_run
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Person { name: String, age: u32 }
//!
//! # fn main() -> wabi_host::Result<()> {
//! let engine = wabi_host::Engine::default();
//! let module = wabi_host::Module::from_file(&engine, "plugin.wasm")?;  // compile once
//! let mut plugin = module.instantiate()?;                               // instantiate many
//!
//! let hello: String = plugin.call("greet", (Person { name: "Ada".into(), age: 36 }, "Hello"))?;
//! match plugin.call::<_, u32>("fail", "why") {
//!     Err(wabi_host::Error::Guest { error, .. }) => println!("guest said: {}", error.message),
//!     other => println!("{other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! ## What happens on a call
//! Arguments are MessagePack-encoded (one argument bare, several as an array) into the guest's
//! scratch buffer, the export `(ptr, len) -> i64` is called once, and the result envelope is
//! validated and decoded in place from guest memory. Every pointer and length the guest hands
//! back is bounds-checked. See `abi-spec/ABI.md` for the byte-level rules.
//!
//! ## Failures
//! - a returned `Err` arrives as [`Error::Guest`] with the message and a decodable value;
//! - a panic arrives as [`Error::Panic`] with message and location;
//! - a trap as [`Error::Trap`] with the wasm backtrace.
//!
//! After a trap or panic the instance is discarded and the next call runs on a fresh one.
//!
//! ## Async (cargo feature `async`)
//! An engine built with `Engine::builder().async_support(true)` serves tokio hosts: plugins are
//! called with `Plugin::call_async` (and `Module::instantiate_async`, `Pool::call_async`,
//! `TypedFunction::call_async`, ...), whose futures are `Send`. Guest code yields to the
//! executor at every epoch tick ([`EPOCH_TICK`]) and stops with [`Error::Timeout`] once
//! [`Limits::timeout`] has passed, so a guest in an infinite loop never blocks other tasks. Host
//! functions may be async (`ModuleBuilder::host_fn_async`) and call back into the guest with
//! `HostContext::call_async`.
//!
//! An async engine's modules and plugins are used only through the async methods, a blocking
//! engine's only through the blocking ones: the other kind returns [`Error::Config`] naming the
//! method to use. Blocking host functions work on async engines too, but cannot make nested
//! calls ([`HostContext::call`] returns [`Error::Config`] there).
//!
//! ```no_run
//! # #[cfg(feature = "async")]
//! # async fn demo() -> wabi_host::Result<()> {
//! let engine = wabi_host::Engine::builder().async_support(true).build()?;
//! let pool = wabi_host::Module::from_file(&engine, "plugin.wasm")?.pool(16);
//! let greeting: String = pool.call_async("greet", ("Ada", 36)).await?;
//! # Ok(()) }
//! ```
//!
//! ## WASI
//! Guests built for `wasm32-wasip1` (and Go guests) get a minimal WASI preview 1: no files, no
//! environment, no arguments; clocks and random work; stdout and stderr go to the log handler
//! (by default `tracing`, target `wabi::guest`).
//!
//! ## Outbound HTTP
//! A plugin has no network access unless [`ModuleBuilder::allow_http`] grants it HTTP to listed
//! hosts ([`HttpGrant`]: host patterns, methods, timeouts, body limits, requests per call,
//! redirects). Every request is checked against the grant and every address it resolves to
//! against loopback, private, link-local and metadata ranges before a connection is made;
//! refusals reach the guest as error values of a [`HttpErrorKind`], never as traps
//! (`abi-spec/ABI.md` section 4.4, SECURITY.md).
//!
//! ## Many plugins in production
//! - [`Plugins`]: a registry of named plugins (module + pool each) whose modules are replaced
//!   by [`Plugins::reload`] without dropping a call: the new module is compiled, started once
//!   and checked (ABI version, the functions the old one exported and the required ones)
//!   before the swap; calls in flight finish on the old instances; a refused reload leaves
//!   the old module serving.
//! - [`metrics`]: per-plugin calls, errors by [`ErrorKind`], a latency histogram, fuel,
//!   instances created and the memory high-water mark, as a [`MetricsSnapshot`] or as
//!   Prometheus text ([`Plugins::to_prometheus`]).
//! - [`cache`]: [`CompileCache`], compiled modules on disk for fast restarts, authenticated
//!   with an HMAC so that a tampered entry is recompiled, never loaded (see its Security
//!   section).
//! - [`manifest`]: [`Manifest`], the plugins to run (TOML or JSON), each pinned by SHA-256
//!   ([`Error::Integrity`] for a file that differs), with its limits and grants.
#![deny(missing_docs)]

pub mod cache;
mod call;
mod clock;
mod engine;
mod error;
mod exports;
mod host_fn;
mod http;
mod imports;
mod limits;
mod log;
pub mod manifest;
mod memory;
pub mod metrics;
mod module;
mod plugin;
mod pool;
mod registry;
mod state;
pub mod value;

pub use cache::{CacheStats, CompileCache};
pub use engine::{Engine, EngineBuilder, PoolingLimits, EPOCH_TICK};
pub use error::{Direction, Error, GuestError, GuestPanic, Result, StartupPhase};
#[cfg(feature = "async")]
pub use host_fn::HostFuture;
pub use host_fn::{HostContext, HostError};
pub use http::{HttpGrant, DEFAULT_METHODS};
pub use limits::Limits;
pub use log::{tracing_handler, LogHandler, LogRecord, LogSource, MAX_LOG_LINE};
pub use manifest::{DirSpec, GrantsSpec, LimitsSpec, Manifest, PluginSpec};
pub use memory::GuestMemory;
pub use metrics::{to_prometheus, ErrorKind, Metrics, MetricsSnapshot};
pub use module::{DirAccess, Module, ModuleBuilder};
pub use plugin::{Plugin, TypedFunction};
pub use pool::{Pool, PooledPlugin};
pub use registry::{PluginOptions, PluginRef, PluginStatus, Plugins};
/// The values of outbound HTTP as the guest sees them (ABI.md 4.4).
pub use wabi_spec::http::{HttpErrorKind, HttpRequest, HttpResponse};
pub use wabi_spec::layout::LogLevel;
pub use wabi_spec::{AbiVersion, ABI_VERSION};

/// `bytemuck`, for the `Pod` structs of [`Plugin::call_pod`] (`#[derive(bytemuck::Pod,
/// bytemuck::Zeroable)]` with `#[bytemuck(crate = "wabi_host::bytemuck")]`), without a
/// dependency of your own.
pub use bytemuck;
/// `serde_bytes` (`Bytes`, `ByteBuf`), without a dependency of your own: for byte fields of types
/// that other serializers (JSON, rmp-serde) must also see as bytes. wabi's codec itself writes
/// every `Vec<u8>` and `&[u8]` as a MessagePack bin.
pub use serde_bytes;
