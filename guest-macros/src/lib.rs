//! The `#[export]` and `#[import]` attributes of the wabi guest SDK.
//!
//! Use them through `wabi_guest::export` and `wabi_guest::import`, which document them; the
//! generated code refers to the runtime as `::wabi_guest`, so a crate using these macros must
//! depend on `wabi-guest`.
//!
//! `#[import]` lives in `import` (options, validation and expansion together: it is small).
//! `#[export]` works in three phases, each in its own module:
//!
//! - `options` parses the attribute's arguments (`name = "..."`, `raw`, `pod`);
//! - `signature` validates the function and turns its signature into an `Export` model;
//! - `expand` generates the wasm entry point from that model.
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod expand;
mod import;
mod names;
mod options;
mod signature;

/// Export a function to the wasm host; documented, and to be used, as `wabi_guest::export`.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::export(attr.into(), item.into()).into()
}

/// Declare a host function; documented, and to be used, as `wabi_guest::import`.
#[proc_macro_attribute]
pub fn import(attr: TokenStream, item: TokenStream) -> TokenStream {
    import::import(attr.into(), item.into()).into()
}
