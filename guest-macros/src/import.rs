//! `#[import]`: a host function declared as a Rust function without a body.
//!
//! For `fn lookup(key: &str, n: u32) -> Result<String, HostError>;` the expansion is, in
//! outline:
//!
//! ```text
//! fn lookup(key: &str, n: u32) -> Result<String, HostError> {
//!     let args = match import_args("lookup", &(&key, &n)) {
//!         Ok(args) => args,
//!         Err(e) => return Err(import_error::<HostError>(e)),
//!     };
//!     match import_call::<String>("lookup", args) {
//!         Ok(v) => Ok(v),
//!         Err(e) => Err(import_error::<HostError>(e)),
//!     }
//! }
//! ```
//!
//! (all from `::wabi_guest::__private`). It is `wabi_guest::host::call` in two steps, each
//! spanned where rustc should report its trait bound: the arguments' `Serialize` at the
//! argument list, the result's `DeserializeOwned` at `String`, and `import_error`'s
//! `From<HostError>` at the error type.
//!
//! rustc parses a body-less free function (`fn f();`) and rejects it only after expansion, so
//! the attribute receives it intact and replaces it with a complete function.

use crate::signature::{check_concrete, result_args, Errors, MAX_ARGS};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Attribute, Block, FnArg, Item, LitStr, Pat, ReturnType, Signature, Token, Visibility};

/// The parsed arguments of `#[import(...)]`.
struct Options {
    /// `name = "..."`: the host function's name, if not the Rust function's.
    name: Option<LitStr>,
}

impl Options {
    fn parse(attr: TokenStream) -> syn::Result<Options> {
        let mut options = Options { name: None };
        let parser = syn::meta::parser(|meta| options.parse_one(meta));
        parser.parse2(attr)?;
        Ok(options)
    }

    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        let option = meta
            .path
            .get_ident()
            .map(|i| i.unraw().to_string())
            .unwrap_or_default();
        if option != "name" {
            let shown = if option.is_empty() {
                String::new()
            } else {
                format!(" `{option}`")
            };
            return Err(meta.error(format!(
                "unknown `#[import]` option{shown}; expected `name = \"...\"`"
            )));
        }
        if self.name.is_some() {
            return Err(meta.error("duplicate `name` option: a host function has one name"));
        }
        if !meta.input.peek(Token![=]) {
            return Err(meta.error("`name` needs a value: `#[import(name = \"...\")]`"));
        }
        let lit: LitStr = meta.value()?.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a string literal: `#[import(name = \"...\")]`",
            )
        })?;
        if lit.value().is_empty() {
            return Err(syn::Error::new(
                lit.span(),
                "the host function name must not be empty",
            ));
        }
        self.name = Some(lit);
        Ok(())
    }
}

/// A function declaration: `attrs vis sig ;`, or with a body (which is an error).
struct Declaration {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    body: Option<Block>,
}

impl Parse for Declaration {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let body = if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            None
        } else {
            Some(input.parse()?)
        };
        Ok(Declaration {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Expand `#[import(attr)] item`.
pub fn import(attr: TokenStream, item: TokenStream) -> TokenStream {
    let decl = match syn::parse2::<Declaration>(item.clone()) {
        Ok(decl) => decl,
        Err(error) => return not_a_declaration(error, item),
    };
    match Options::parse(attr).and_then(|options| expand(&decl, &options)) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.to_compile_error();
            let stub = stub(&decl);
            quote!(#error #stub)
        }
    }
}

/// What stands in for a declaration that was rejected: the function with its own body, or with
/// one that never returns, so that its uses (and the imports its signature names) do not fail
/// as well. Nothing, when rustc would reject the function by itself too (a receiver outside an
/// `impl`, a variadic) and so report the same mistake twice.
fn stub(decl: &Declaration) -> TokenStream {
    let sig = &decl.sig;
    if sig.variadic.is_some() || matches!(sig.inputs.first(), Some(FnArg::Receiver(_))) {
        return TokenStream::new();
    }
    let attrs = &decl.attrs;
    let vis = &decl.vis;
    let body = match &decl.body {
        Some(body) => body.to_token_stream(),
        None => quote!({ ::core::unreachable!() }),
    };
    quote! {
        #(#attrs)*
        #[allow(unused_variables, unused_mut, clippy::all)]
        #vis #sig #body
    }
}

/// Report an item that is not a function declaration, keeping the item when it is valid Rust.
fn not_a_declaration(error: syn::Error, item: TokenStream) -> TokenStream {
    match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(_)) | Err(_) => error.to_compile_error(),
        Ok(other) => {
            let message = if matches!(other, Item::ForeignMod(_)) {
                "`#[import]` goes on each function declaration, not on an `extern` block: \
                 write `#[import] fn name(arg: Type) -> Result<T, HostError>;`"
            } else {
                "`#[import]` can only be applied to a function declaration: \
                 `#[import] fn name(arg: Type) -> Result<T, HostError>;`"
            };
            let head = head_of(&other);
            let error = syn::Error::new_spanned(head, message).to_compile_error();
            quote!(#error #item)
        }
    }
}

/// The tokens to point at for an item that is not a function: its keyword and name.
fn head_of(item: &Item) -> TokenStream {
    fn head(keyword: &impl ToTokens, ident: &Ident) -> TokenStream {
        let mut tokens = keyword.to_token_stream();
        ident.to_tokens(&mut tokens);
        tokens
    }
    match item {
        Item::Struct(s) => head(&s.struct_token, &s.ident),
        Item::Enum(e) => head(&e.enum_token, &e.ident),
        Item::Const(c) => head(&c.const_token, &c.ident),
        Item::Static(s) => head(&s.static_token, &s.ident),
        Item::Mod(m) => head(&m.mod_token, &m.ident),
        Item::Trait(t) => head(&t.trait_token, &t.ident),
        Item::Type(t) => head(&t.type_token, &t.ident),
        Item::Impl(i) => i.impl_token.into_token_stream(),
        Item::ForeignMod(m) => m.abi.to_token_stream(),
        other => other.into_token_stream(),
    }
}

/// Why the return type must be a `Result`.
const RETURN: &str = "`#[import]` functions must return `Result<T, HostError>`: a host call can \
                      fail (the host function may return an error, may not be registered, or may \
                      reject the arguments)";

/// Validate the declaration and generate the function.
fn expand(decl: &Declaration, options: &Options) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let sig = &decl.sig;

    if let Some(body) = &decl.body {
        errors.push(syn::Error::new(
            body.brace_token.span.open(),
            "`#[import]` declares a host function, which has no body here: replace the body \
             with `;`",
        ));
    }
    if let Some(t) = &sig.constness {
        errors.at(
            t,
            "`#[import]` functions cannot be `const fn`: a host call happens at run time; \
             remove `const`",
        );
    }
    if let Some(t) = &sig.asyncness {
        errors.at(
            t,
            "`#[import]` cannot be used on an `async fn`: host calls are synchronous; remove \
             `async`",
        );
    }
    if let Some(t) = &sig.unsafety {
        errors.at(
            t,
            "`#[import]` functions cannot be `unsafe fn`: calling a host function is safe; \
             remove `unsafe`",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.at(
            abi,
            "`#[import]` functions must use the Rust ABI: the macro generates the call to \
             `wabi.host_call` itself; remove the `extern` qualifier",
        );
    }
    check_concrete(&mut errors, sig, "import", "a host function");

    // The signature as emitted: `_` arguments get a name so that the body can pass them on.
    let mut out_sig = sig.clone();
    let mut args: Vec<Ident> = Vec::new();
    for (index, (input, out_input)) in sig.inputs.iter().zip(&mut out_sig.inputs).enumerate() {
        if index == MAX_ARGS {
            errors.at(
                input,
                format_args!(
                    "`#[import]` functions take at most {MAX_ARGS} arguments; group the others \
                     in a struct"
                ),
            );
        }
        match (input, out_input) {
            (FnArg::Receiver(r), _) => errors.at(
                r,
                "`#[import]` declares a free function: host functions have no receiver; remove \
                 the `self` argument",
            ),
            (FnArg::Typed(pat_type), FnArg::Typed(out)) => {
                let ident = match &*pat_type.pat {
                    Pat::Ident(p)
                        if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() =>
                    {
                        p.ident.clone()
                    }
                    Pat::Wild(w) => {
                        let ident = Ident::new(&format!("__wabi_arg{index}"), Span::mixed_site());
                        let mut pat = syn::PatIdent {
                            attrs: w.attrs.clone(),
                            by_ref: None,
                            mutability: None,
                            ident: ident.clone(),
                            subpat: None,
                        };
                        pat.ident.set_span(Span::mixed_site().located_at(w.span()));
                        *out.pat = Pat::Ident(pat);
                        ident
                    }
                    other => {
                        errors.at(
                            other,
                            "`#[import]` arguments must be plain names (or `_`): they are sent \
                             to the host as they are; bind the argument to a name",
                        );
                        continue;
                    }
                };
                let mut checker = ArgTypeChecker(&mut errors);
                checker.visit_type(&pat_type.ty);
                args.push(ident);
            }
            (FnArg::Typed(_), FnArg::Receiver(_)) => unreachable!("a clone has the same inputs"),
        }
    }

    let (ok, err) = match &sig.output {
        ReturnType::Default => {
            errors.at(signature_head(sig), RETURN);
            return errors.finish(TokenStream::new());
        }
        ReturnType::Type(_, ty) => match result_args(ty) {
            Some((ok, err)) => {
                let mut checker = ResultTypeChecker(&mut errors);
                checker.visit_type(ok);
                (ok, err)
            }
            None => {
                errors.at(ty, RETURN);
                return errors.finish(TokenStream::new());
            }
        },
    };

    let name = match &options.name {
        Some(lit) => lit.value(),
        None => sig.ident.unraw().to_string(),
    };
    errors.finish(())?;

    // Each path is spanned where rustc should report its trait bound: `Serialize` for the
    // tuple of arguments at the argument list, `DeserializeOwned` at `T`, `From<HostError>`
    // at `E`.
    let arg_list = sig.paren_token.span.join();
    let encode = quote_spanned!(arg_list=> ::wabi_guest::__private::import_args);
    let call = quote_spanned!(ok.span()=> ::wabi_guest::__private::import_call::<#ok>);
    let convert = quote_spanned!(err.span()=> ::wabi_guest::__private::import_error::<#err>);
    let tuple = quote_spanned!(arg_list=> &(#(&#args,)*));
    let (encoded, value, error) = (
        Ident::new("__wabi_args", Span::mixed_site()),
        Ident::new("__wabi_value", Span::mixed_site()),
        Ident::new("__wabi_error", Span::mixed_site()),
    );
    let attrs = &decl.attrs;
    let vis = &decl.vis;
    Ok(quote! {
        #(#attrs)*
        #vis #out_sig {
            let #encoded = match #encode(#name, #tuple) {
                ::core::result::Result::Ok(#encoded) => #encoded,
                ::core::result::Result::Err(#error) => {
                    return ::core::result::Result::Err(#convert(#error));
                }
            };
            match #call(#name, #encoded) {
                ::core::result::Result::Ok(#value) => ::core::result::Result::Ok(#value),
                ::core::result::Result::Err(#error) => ::core::result::Result::Err(#convert(#error)),
            }
        }
    })
}

/// What to point at when the signature as a whole is wrong: `fn name(...)`.
fn signature_head(sig: &Signature) -> TokenStream {
    let mut tokens = TokenStream::new();
    sig.fn_token.to_tokens(&mut tokens);
    sig.ident.to_tokens(&mut tokens);
    sig.paren_token
        .surround(&mut tokens, |t| sig.inputs.to_tokens(t));
    tokens
}

/// Rejects argument types no host call can send: `impl Trait`.
struct ArgTypeChecker<'e>(&'e mut Errors);

impl<'ast> Visit<'ast> for ArgTypeChecker<'_> {
    fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
        self.0.at(
            t,
            "`#[import]` arguments cannot be `impl Trait`: a host function has one concrete \
             signature; use a concrete type",
        );
    }
}

/// Rejects result types no host call can return: borrowed ones and `impl Trait`.
struct ResultTypeChecker<'e>(&'e mut Errors);

impl<'ast> Visit<'ast> for ResultTypeChecker<'_> {
    fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
        self.0.at(
            t,
            "the result of an `#[import]` function cannot be `impl Trait`: it is decoded into \
             one concrete type; use a concrete type",
        );
    }

    fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
        self.0.at(
            r,
            "the result of an `#[import]` function cannot borrow: it is decoded from the host's \
             answer, which is freed before the function returns; return an owned type (e.g. \
             `String` for `&str`, `Vec<u8>` for `&[u8]`)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(attr: &str, item: &str) -> String {
        import(syn::parse_str(attr).unwrap(), syn::parse_str(item).unwrap()).to_string()
    }

    #[test]
    fn expands_a_declaration() {
        let out = expand_str("", "pub fn add(a: i64, _: i64) -> Result<i64, HostError>;");
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("\"add\""), "{out}");
        assert!(out.contains("import_call :: < i64 >"), "{out}");
        assert!(out.contains("__wabi_arg1"), "{out}");
    }

    #[test]
    fn renames() {
        let out = expand_str(
            "name = \"kv.get\"",
            "fn get(k: &str) -> Result<(), HostError>;",
        );
        assert!(out.contains("\"kv.get\""), "{out}");
        assert!(!out.contains("\"get\""), "{out}");
    }

    #[test]
    fn rejects_what_cannot_be_called() {
        for (attr, item, needle) in [
            ("", "fn f() -> u32;", "must return `Result<T, HostError>`"),
            ("", "fn f();", "must return `Result<T, HostError>`"),
            ("", "fn f() -> Result<u32, E> { 1 }", "has no body here"),
            ("", "fn f() -> Result<&str, E>;", "cannot borrow"),
            (
                "rename = \"x\"",
                "fn f() -> Result<u32, E>;",
                "unknown `#[import]` option",
            ),
            (
                "name = \"\"",
                "fn f() -> Result<u32, E>;",
                "must not be empty",
            ),
            ("", "struct S;", "only be applied to a function declaration"),
        ] {
            let out = expand_str(attr, item);
            assert!(out.contains(needle), "{item}: {out}");
        }
    }
}
