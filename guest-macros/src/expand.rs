//! Code generation: the user's function is kept as it is and a wasm entry point is added beside
//! it.
//!
//! For `fn greet(p: Person, greeting: &str) -> String` the expansion is, in outline:
//!
//! ```text
//! fn greet(p: Person, greeting: &str) -> String { ... }
//!
//! #[cfg_attr(target_arch = "wasm32", unsafe(export_name = "greet"))]
//! pub unsafe extern "C" fn __wabi_export_greet(ptr: u32, len: u32) -> u64 {
//!     ::wabi_guest::__private::export(ptr, len, |input, out| {
//!         let (a0, a1): (Person, &'_ str) = match decode(input) {
//!             Ok(v) => v,
//!             Err(e) => return bad_arguments(out, "greet(p: Person, greeting: &str)", &e),
//!         };
//!         let ret = greet(a0, a1);
//!         write_value(out, "greet", &ret)
//!     })
//! }
//! ```
//!
//! A function of no arguments that returns nothing calls
//! `::wabi_guest::__private::export_nothing(ptr, len, "f()", || { f(); })` instead, which
//! answers a call without input with a constant envelope.
//!
//! The entry point is compiled on every target so that native builds type-check it (and the
//! user's function is not reported as dead code); only on wasm32 does it get its export name.

use crate::options::{Encoding, Options};
use crate::signature::{self, Export, Output};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Item, Lifetime, Type};

/// Expand `#[export(attr)] item`.
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(func)) => func,
        Ok(other) => {
            let error = syn::Error::new_spanned(
                item_head(&other),
                "`#[export]` can only be applied to a function",
            );
            return with_item(error, item);
        }
        Err(error) => return with_item(error, item),
    };
    match Options::parse(attr).and_then(|options| signature::analyze(&func, &options)) {
        Ok(export) => {
            let entry = entry_point(&export);
            quote!(#func #entry)
        }
        Err(error) => {
            // Keep the function so that its uses do not fail as well, unless rustc would reject
            // it by itself too (and so report the same mistake twice).
            let invalid_alone = func.sig.variadic.is_some()
                || matches!(func.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
            if invalid_alone {
                error.to_compile_error()
            } else {
                with_item(error, func.into_token_stream())
            }
        }
    }
}

fn with_item(error: syn::Error, item: TokenStream) -> TokenStream {
    let error = error.to_compile_error();
    quote!(#error #item)
}

/// The tokens to point at when `#[export]` is put on something that is not a function.
fn item_head(item: &Item) -> TokenStream {
    match item {
        Item::Struct(s) => head(&s.struct_token, &s.ident),
        Item::Enum(e) => head(&e.enum_token, &e.ident),
        Item::Const(c) => head(&c.const_token, &c.ident),
        Item::Static(s) => head(&s.static_token, &s.ident),
        Item::Mod(m) => head(&m.mod_token, &m.ident),
        Item::Trait(t) => head(&t.trait_token, &t.ident),
        Item::Type(t) => head(&t.type_token, &t.ident),
        Item::Impl(i) => i.impl_token.into_token_stream(),
        other => other.into_token_stream(),
    }
}

fn head(keyword: &impl ToTokens, ident: &Ident) -> TokenStream {
    let mut tokens = keyword.to_token_stream();
    ident.to_tokens(&mut tokens);
    tokens
}

/// Local variables of the generated code, hygienic so they can never shadow the user's names.
fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// A use of a call-site local (see `value` in [`entry_point`]) with the span, and so the syntax
/// context, of the user's `span`: it resolves to the same binding, and a diagnostic about it is
/// shown there rather than at the attribute.
fn located_at(local: &Ident, span: Span) -> Ident {
    Ident::new(&local.to_string(), span)
}

/// The generated `extern "C"` entry point.
fn entry_point(export: &Export<'_>) -> TokenStream {
    let rt = quote!(::wabi_guest::__private);
    let func = export.func;
    let ident = &func.sig.ident;
    let entry = format_ident!("__wabi_export_{}", ident.unraw());
    let name = &export.name;
    let signature = export.display_signature();
    let (ptr, len, input, out) = (
        local("__wabi_ptr"),
        local("__wabi_len"),
        local("__wabi_input"),
        local("__wabi_out"),
    );
    // Resolved at the call site, not hygienic: rustc points a diagnostic at a use of these (a
    // result that is not `Serialize`, an error that is not `Display`) only when the use has the
    // user's syntax context. Nothing of the user's is written where they are in scope.
    let error = Ident::new("__wabi_error", Span::call_site());
    let value = Ident::new("__wabi_value", Span::call_site());
    let args: Vec<Ident> = (0..export.args.len())
        .map(|i| local(&format!("__wabi_arg{i}")))
        .collect();
    let lifetimes: Vec<Ident> = func
        .sig
        .generics
        .lifetimes()
        .map(|l| l.lifetime.ident.clone())
        .collect();
    let types: Vec<Type> = export
        .args
        .iter()
        .map(|a| erase_lifetimes(a.ty, &lifetimes))
        .collect();

    let bad_arguments = quote! {
        return #rt::bad_arguments(#out, #signature, &#error)
    };
    let decode_args = match (export.encoding, &args[..], &types[..]) {
        (Encoding::Serde, [], []) => quote! {
            if let ::core::result::Result::Err(#error) = #rt::decode_no_args(#input) {
                #bad_arguments;
            }
        },
        // No Pod argument: the input must be empty, the size of `()`.
        (Encoding::Pod, [], []) => quote! {
            if let ::core::result::Result::Err(#error) = #rt::read_pod::<()>(#input) {
                #bad_arguments;
            }
        },
        (Encoding::Raw, [arg], _) => quote! {
            let #arg = #input;
        },
        (Encoding::Pod, [arg], [ty]) => quote_spanned! {ty.span()=>
            let #arg: #ty = match ::wabi_guest::__private::read_pod(#input) {
                ::core::result::Result::Ok(#value) => #value,
                ::core::result::Result::Err(#error) => #bad_arguments,
            };
        },
        (_, [arg], [ty]) => quote_spanned! {ty.span()=>
            let #arg: #ty = match ::wabi_guest::__private::decode(#input) {
                ::core::result::Result::Ok(#value) => #value,
                ::core::result::Result::Err(#error) => #bad_arguments,
            };
        },
        (_, args, types) => quote! {
            let (#(#args),*): (#(#types),*) = match #rt::decode(#input) {
                ::core::result::Result::Ok(#value) => #value,
                ::core::result::Result::Err(#error) => #bad_arguments,
            };
        },
    };

    let call = quote!(#ident(#(#args),*));
    // Paths spanned at the user's type, so that a missing trait points there.
    let write_ok = |ty: &Type, value: &Ident| {
        let value = located_at(value, ty.span());
        let write = match export.encoding {
            Encoding::Serde => quote_spanned!(ty.span()=> write_value(#out, #name, &#value)),
            Encoding::Raw => quote_spanned!(ty.span()=> write_raw(#out, &#value)),
            Encoding::Pod => quote_spanned!(ty.span()=> write_pod(#out, &#value)),
        };
        quote_spanned!(ty.span()=> ::wabi_guest::__private::#write)
    };
    let call_and_write = match &export.output {
        Output::Unit => quote! {
            #call;
            #rt::write_unit(#out)
        },
        Output::Value(ty) => {
            let write = write_ok(ty, &value);
            quote! {
                let #value = #call;
                #write
            }
        }
        Output::Result { ok, err } => {
            let write = write_ok(ok, &value);
            let error_at_type = located_at(&error, err.span());
            let write_error = quote_spanned! {err.span()=>
                (&::wabi_guest::__private::ErrorValue(&#error))
                    .__wabi_error_kind()
                    .write(#out, #name, &#error_at_type)
            };
            quote! {
                match #call {
                    ::core::result::Result::Ok(#value) => #write,
                    ::core::result::Result::Err(#error) => {
                        #[allow(unused_imports)]
                        use #rt::{ErrorMessageKind as _, ErrorWithValueKind as _};
                        #write_error
                    }
                }
            }
        }
    };

    // A function of no arguments returning nothing has an entry point of its own, which needs
    // no output buffer when there is no input (the common case).
    let body = if matches!(
        (export.encoding, &export.output, args.len()),
        (Encoding::Serde, Output::Unit, 0)
    ) {
        quote! {
            #rt::export_nothing(#ptr, #len, #signature, || {
                #call;
            })
        }
    } else {
        quote! {
            #rt::export(
                #ptr,
                #len,
                |#input: &[u8], #out: &mut #rt::Output| {
                    #decode_args
                    #call_and_write
                },
            )
        }
    };

    let doc = format!(
        "The wasm entry point of `{ident}`, exported as `{name}`.\n\n# Safety\n\nOnly the wasm \
         host may call it, with an input as the wabi ABI describes."
    );
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(
            dead_code,
            non_snake_case,
            unreachable_pub,
            unsafe_code,
            unused_unsafe,
            clippy::all,
            clippy::pedantic
        )]
        #[cfg_attr(target_arch = "wasm32", unsafe(export_name = #name))]
        pub unsafe extern "C" fn #entry(#ptr: u32, #len: u32) -> u64 {
            unsafe { #body }
        }
    }
}

/// `ty` with the function's own lifetime parameters replaced by `'_`, which the entry point
/// cannot name; `'static` and anonymous lifetimes stay as they are.
fn erase_lifetimes(ty: &Type, lifetimes: &[Ident]) -> Type {
    struct Eraser<'a>(&'a [Ident]);
    impl VisitMut for Eraser<'_> {
        fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
            if self.0.contains(&lifetime.ident) {
                *lifetime = Lifetime::new("'_", lifetime.span());
            }
        }
    }
    let mut ty = ty.clone();
    Eraser(lifetimes).visit_type_mut(&mut ty);
    ty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_erased() {
        let ty: Type = syn::parse_str("(&'a str, &'static str, Cow<'b, [u8]>, &str)").unwrap();
        let names = [
            Ident::new("a", Span::call_site()),
            Ident::new("b", Span::call_site()),
        ];
        let erased = erase_lifetimes(&ty, &names);
        assert_eq!(
            signature::type_string(&erased),
            "(&'_ str, &'static str, Cow<'_, [u8]>, &str)"
        );
    }

    #[test]
    fn expands_a_simple_function() {
        let item: TokenStream = syn::parse_str("fn add(a: u32, b: u32) -> u32 { a + b }").unwrap();
        let out = export(TokenStream::new(), item).to_string();
        assert!(out.contains("__wabi_export_add"), "{out}");
        assert!(out.contains("export_name = \"add\""), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }
}
