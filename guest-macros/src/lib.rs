//! The `#[export]` attribute of the wabi guest SDK.
//!
//! Use it through `wabi_guest::export`, which documents it; the generated code refers to the
//! runtime as `::wabi_guest::__private`, so a crate using this macro must depend on `wabi-guest`.
//!
//! The macro works in three phases, each in its own module:
//!
//! - `options` parses the attribute's arguments (`name = "..."`, `raw`, `pod`);
//! - `signature` validates the function and turns its signature into an `Export` model;
//! - `expand` generates the wasm entry point from that model.
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod expand;
mod names;
mod options;
mod signature;

/// Export a function to the wasm host; documented, and to be used, as `wabi_guest::export`.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::export(attr.into(), item.into()).into()
}
