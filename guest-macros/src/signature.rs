//! Validation of the exported function and the model the expansion works from.

use crate::names::{self, Origin};
use crate::options::{Encoding, Options};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::visit::Visit;
use syn::{FnArg, GenericArgument, GenericParam, ItemFn, Pat, PathArguments, ReturnType, Type};

/// The most arguments an export may take (serde implements `Deserialize` for tuples up to 16).
pub const MAX_ARGS: usize = 16;

/// A validated export.
pub struct Export<'a> {
    /// The user's function.
    pub func: &'a ItemFn,
    /// The wasm export name.
    pub name: String,
    /// How values cross the boundary.
    pub encoding: Encoding,
    /// The arguments, in order.
    pub args: Vec<Arg<'a>>,
    /// What the function returns.
    pub output: Output<'a>,
}

/// One argument of an export.
pub struct Arg<'a> {
    /// The binding's name as written (`_` for a wildcard), for messages.
    pub name: String,
    /// The declared type.
    pub ty: &'a Type,
}

/// The return type of an export.
pub enum Output<'a> {
    /// No return type.
    Unit,
    /// `-> T`, any other type (including `()`).
    Value(&'a Type),
    /// `-> Result<T, E>`, recognised by the last path segment `Result` with two type arguments.
    Result {
        /// `T`.
        ok: &'a Type,
        /// `E`.
        err: &'a Type,
    },
}

impl<'a> Export<'a> {
    /// The user-facing signature, `name(a: A, b: B)`, used in bad-arguments messages.
    pub fn display_signature(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, type_string(a.ty)))
            .collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

/// Collects every error found, so one expansion reports them all.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn at(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// The checks `#[export]` and `#[import]` share: no type or const parameters and no variadics,
/// because the function has one concrete signature. `attr` is the attribute's name and `what`
/// the thing that has that signature (`"a wasm export"`, `"a host function"`).
pub fn check_concrete(errors: &mut Errors, sig: &syn::Signature, attr: &str, what: &str) {
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(t) => errors.at(
                t,
                format_args!(
                    "`#[{attr}]` functions cannot have type parameters: {what} has one concrete \
                     signature; use concrete types"
                ),
            ),
            GenericParam::Const(c) => errors.at(
                c,
                format_args!(
                    "`#[{attr}]` functions cannot have const parameters: {what} has one concrete \
                     signature; use concrete values"
                ),
            ),
        }
    }
    if let Some(v) = &sig.variadic {
        errors.at(
            v,
            format_args!(
                "`#[{attr}]` functions cannot be variadic; take a `Vec` or a slice instead"
            ),
        );
    }
}

/// Validate `func` under `options` and build the export model.
pub fn analyze<'a>(func: &'a ItemFn, options: &Options) -> syn::Result<Export<'a>> {
    let mut errors = Errors::default();
    let sig = &func.sig;

    if let Some(t) = &sig.asyncness {
        errors.at(
            t,
            "`#[export]` cannot be used on an `async fn`: wasm exports are synchronous; \
             make the function synchronous",
        );
    }
    if let Some(t) = &sig.unsafety {
        errors.at(
            t,
            "`#[export]` cannot be used on an `unsafe fn`: the host cannot uphold its safety \
             contract; make the function safe",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.at(
            abi,
            "`#[export]` functions must use the Rust ABI: the macro generates the wasm entry \
             point itself; remove the `extern` qualifier",
        );
    }
    check_concrete(&mut errors, sig, "export", "a wasm export");

    let mut args = Vec::new();
    for (index, input) in sig.inputs.iter().enumerate() {
        if index == MAX_ARGS {
            errors.at(
                input,
                format_args!(
                    "`#[export]` functions take at most {MAX_ARGS} arguments; group the others \
                     in a struct"
                ),
            );
        }
        match input {
            FnArg::Receiver(r) => errors.at(
                r,
                "`#[export]` cannot be used on methods: exports are free functions; remove the \
                 `self` argument",
            ),
            FnArg::Typed(pat_type) => {
                let name = match &*pat_type.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        p.ident.unraw().to_string()
                    }
                    Pat::Wild(_) => "_".to_owned(),
                    other => {
                        errors.at(
                            other,
                            "`#[export]` arguments must be plain identifiers; bind the argument \
                             to a name and destructure it in the function body",
                        );
                        continue;
                    }
                };
                let mut checker = TypeChecker(&mut errors);
                checker.visit_type(&pat_type.ty);
                args.push(Arg {
                    name,
                    ty: &pat_type.ty,
                });
            }
        }
    }

    let output = match &sig.output {
        ReturnType::Default => Output::Unit,
        ReturnType::Type(_, ty) => match result_args(ty) {
            Some((ok, err)) => Output::Result { ok, err },
            None => Output::Value(ty),
        },
    };

    match options.encoding {
        Encoding::Serde => {}
        Encoding::Raw => check_raw(func, &args, &output, &mut errors),
        Encoding::Pod => check_pod(func, &args, &output, &mut errors),
    }

    let name = match &options.name {
        Some(lit) => {
            let name = lit.value();
            if let Err(e) = names::validate(&name, lit.span(), Origin::Option) {
                errors.push(e);
            }
            name
        }
        None => {
            let name = sig.ident.unraw().to_string();
            if let Err(e) = names::validate(&name, sig.ident.span(), Origin::Ident) {
                errors.push(e);
            }
            name
        }
    };

    errors.finish(Export {
        func,
        name,
        encoding: options.encoding,
        args,
        output,
    })
}

/// Rejects argument types no export can receive: `impl Trait` and `&mut`.
struct TypeChecker<'e>(&'e mut Errors);

impl<'ast> Visit<'ast> for TypeChecker<'_> {
    fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
        self.0.at(
            t,
            "`#[export]` arguments cannot be `impl Trait`: the argument is decoded from the \
             host's bytes into one concrete type; use a concrete type",
        );
    }

    fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
        if let Some(m) = &r.mutability {
            let mut tokens = TokenStream::new();
            r.and_token.to_tokens(&mut tokens);
            m.to_tokens(&mut tokens);
            self.0.at(
                tokens,
                "`#[export]` arguments cannot be `&mut` references: arguments are decoded from \
                 the host's bytes; take the value by value (e.g. `String`, `Vec<T>`) instead",
            );
        }
        syn::visit::visit_type_reference(self, r);
    }
}

/// `Result<T, E>`: the last path segment is `Result` with exactly two type arguments.
pub fn result_args(ty: &Type) -> Option<(&Type, &Type)> {
    let [ok, err] = generic_types(ty, "Result")?[..] else {
        return None;
    };
    Some((ok, err))
}

/// The type arguments of a path type whose last segment is `name`, if it is one.
fn generic_types<'t>(ty: &'t Type, name: &str) -> Option<Vec<&'t Type>> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args
        .iter()
        .map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn is_u8(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("u8"))
}

/// `Vec<u8>`, by its last path segment.
fn is_vec_u8(ty: &Type) -> bool {
    matches!(generic_types(ty, "Vec").as_deref(), Some([t]) if is_u8(t))
}

/// `&[u8]` with any lifetime.
fn is_byte_slice(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => {
            matches!(&*r.elem, Type::Slice(s) if is_u8(&s.elem))
        }
        _ => false,
    }
}

/// What to point at when the signature as a whole is wrong: `fn name(...)`.
fn signature_tokens(func: &ItemFn) -> TokenStream {
    let sig = &func.sig;
    let mut tokens = TokenStream::new();
    sig.fn_token.to_tokens(&mut tokens);
    sig.ident.to_tokens(&mut tokens);
    sig.paren_token
        .surround(&mut tokens, |t| sig.inputs.to_tokens(t));
    tokens
}

fn check_raw(func: &ItemFn, args: &[Arg<'_>], output: &Output<'_>, errors: &mut Errors) {
    const ARGS: &str =
        "`#[export(raw)]` functions take exactly one argument of type `&[u8]` (the input bytes)";
    const RETURN: &str =
        "`#[export(raw)]` functions must return `Vec<u8>` or `Result<Vec<u8>, E>` (the output bytes)";
    match args {
        [arg] if is_byte_slice(arg.ty) => {}
        [arg] => errors.at(arg.ty, ARGS),
        _ if func.sig.inputs.len() == 1 => {} // a receiver, already reported
        _ => errors.at(signature_tokens(func), ARGS),
    }
    match output {
        Output::Unit => errors.at(signature_tokens(func), RETURN),
        Output::Value(ty) | Output::Result { ok: ty, .. } if !is_vec_u8(ty) => {
            errors.at(ty, RETURN)
        }
        _ => {}
    }
}

fn check_pod(func: &ItemFn, args: &[Arg<'_>], output: &Output<'_>, errors: &mut Errors) {
    const ARGS: &str = "`#[export(pod)]` functions take zero or one argument of a \
                        `bytemuck::Pod` type; put several values in one `#[repr(C)]` Pod struct";
    const ARG_TYPE: &str = "`#[export(pod)]` arguments are read as a value's memory layout and \
                            cannot be references or slices; take a `bytemuck::Pod` type by value";
    const RETURN: &str =
        "`#[export(pod)]` functions must return a `bytemuck::Pod` type or `Result<T, E>` with a Pod `T`";
    if args.len() > 1 {
        errors.at(&func.sig.inputs, ARGS);
    }
    for arg in args {
        if matches!(arg.ty, Type::Reference(_) | Type::Slice(_) | Type::Ptr(_)) {
            errors.at(arg.ty, ARG_TYPE);
        }
    }
    if let Output::Unit = output {
        errors.at(signature_tokens(func), RETURN);
    }
}

/// A type as the user would write it, from its tokens: `Vec<u8>`, `&str`, `HashMap<K, V>`.
pub fn type_string(ty: &Type) -> String {
    let raw = ty.to_token_stream().to_string();
    let mut s = raw;
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_strings_look_written() {
        for (src, want) in [
            ("Vec<u8>", "Vec<u8>"),
            ("&'a str", "&'a str"),
            ("&mut [u8; 4]", "&mut [u8; 4]"),
            (
                "std::collections::HashMap<String, Vec<Vec<u32>>>",
                "std::collections::HashMap<String, Vec<Vec<u32>>>",
            ),
            ("(u8, Option<i64>)", "(u8, Option<i64>)"),
        ] {
            let ty: Type = syn::parse_str(src).unwrap();
            assert_eq!(type_string(&ty), want);
        }
    }

    #[test]
    fn result_is_recognised_syntactically() {
        let ty: Type = syn::parse_str("std::result::Result<u8, MyError>").unwrap();
        assert!(result_args(&ty).is_some());
        let ty: Type = syn::parse_str("io::Result<u8>").unwrap();
        assert!(result_args(&ty).is_none());
        let ty: Type = syn::parse_str("Vec<u8>").unwrap();
        assert!(is_vec_u8(&ty));
        let ty: Type = syn::parse_str("&'a [u8]").unwrap();
        assert!(is_byte_slice(&ty));
        let ty: Type = syn::parse_str("&mut [u8]").unwrap();
        assert!(!is_byte_slice(&ty));
    }
}
