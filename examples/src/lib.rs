//! Examples of wabi hosts; the guests they call live in `examples/guests/` (Rust) and
//! `examples/go/` (Go), compiled to wasm by this crate's build script.
//!
//! - [`gateway`]: the types of the API-gateway plugin's `transform(Request) -> Action`.
//! - [`proxy`]: a reverse proxy on hyper that runs the plugin on every request.
//! - [`upstream`]: an echo server to proxy to, for the guide and the tests.

pub mod gateway;
pub mod proxy;
pub mod upstream;

/// The compiled `hello` example guest (the README's first plugin).
pub const HELLO_WASM: &str = env!("WABI_EXAMPLE_HELLO");

/// The gateway plugin written in Rust (`examples/guests/gateway`).
pub const GATEWAY_WASM: &str = env!("WABI_EXAMPLE_GATEWAY");

/// The auth gateway plugin (`guests/auth-gateway`): asks an auth service over HTTP (the
/// `auth_url` configuration) before it forwards a request.
pub const AUTH_GATEWAY_WASM: &str = env!("WABI_EXAMPLE_AUTH_GATEWAY");

/// The same gateway plugin written in Go (`examples/go/gateway`); `None` when `go` was not on
/// PATH at build time.
pub const GATEWAY_GO_WASM: Option<&str> = match env!("WABI_EXAMPLE_GATEWAY_GO").as_bytes() {
    [] => None,
    _ => Some(env!("WABI_EXAMPLE_GATEWAY_GO")),
};

/// A plugin with one function per failure mode (`examples/guests/misbehave`), built for
/// `wasm32-wasip1`: its `transform` traps, panics, spins or exhausts memory on request.
pub const MISBEHAVE_WASM: &str = env!("WABI_EXAMPLE_MISBEHAVE");
