//! Examples of wabi hosts; the guests they call live in `examples/guests/`.

/// Path of the compiled `hello` example guest.
pub const HELLO_WASM: &str = env!("WABI_EXAMPLE_HELLO");
