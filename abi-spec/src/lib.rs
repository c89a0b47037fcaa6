//! The wabi ABI, version 1: the single source of truth shared by the host SDK, the Rust guest SDK
//! and the spec in `ABI.md`.
//!
//! Everything a guest and a host must agree on lives here:
//!
//! - [`names`]: the reserved export names a guest provides and the import module it may use;
//! - [`version`]: the ABI version and the compatibility rule;
//! - [`http`]: the outbound HTTP import of ABI 1.3, its request and answer values and error kinds;
//! - [`layout`]: the `#[repr(C)]` [`bytemuck::Pod`] headers of the result envelope and the
//!   panic record, the status codes, and how a `(ptr, len)` pair is packed into an `i64`;
//! - [`codec`] (feature `codec`, on by default): the canonical MessagePack configuration and the
//!   argument-list rule.
//!
//! `ABI.md` beside this crate documents the same rules at byte level for authors of guest SDKs in
//! other languages; `vectors/` holds golden encodings that every implementation tests against.
//!
//! ```
//! use wabi_spec::layout::{pack, unpack};
//! let packed = pack(0x1000, 42);
//! assert_eq!(unpack(packed), (0x1000, 42));
//! ```
#![deny(missing_docs)]

#[cfg(feature = "codec")]
pub mod codec;
pub mod http;
pub mod layout;
pub mod names;
pub mod version;

pub use layout::{pack, unpack, EnvelopeHeader, ErrorHeader, PanicHeader, Status};
pub use version::{AbiVersion, ABI_VERSION, CONSTANT_SCRATCH_SINCE, HTTP_SINCE};
