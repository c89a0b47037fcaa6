//! Parsing of the attribute's arguments: `#[export]`, `#[export(name = "x")]`, `#[export(raw)]`,
//! `#[export(pod)]`, in any combination that makes sense.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{LitStr, Token};

/// How arguments and the return value cross the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// MessagePack values, by the argument-list rule (the default).
    Serde,
    /// `&[u8]` in, `Vec<u8>` out, bytes as they are.
    Raw,
    /// `bytemuck::Pod` values in and out, as their memory layout.
    Pod,
}

/// The parsed arguments of `#[export(...)]`.
pub struct Options {
    /// `name = "..."`: the export's name, if renamed.
    pub name: Option<LitStr>,
    /// The encoding chosen by `raw` or `pod`.
    pub encoding: Encoding,
}

impl Options {
    /// Parse the tokens between the attribute's parentheses.
    pub fn parse(attr: TokenStream) -> syn::Result<Options> {
        let mut options = Options {
            name: None,
            encoding: Encoding::Serde,
        };
        let parser = syn::meta::parser(|meta| options.parse_one(meta));
        parser.parse2(attr)?;
        Ok(options)
    }

    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(ident) = meta.path.get_ident() else {
            return Err(meta.error(UNKNOWN));
        };
        match ident.to_string().as_str() {
            "name" => {
                if self.name.is_some() {
                    return Err(meta.error("duplicate `name` option: an export has one name"));
                }
                if !meta.input.peek(Token![=]) {
                    return Err(meta.error("`name` needs a value: `#[export(name = \"...\")]`"));
                }
                let value = meta.value()?;
                let lit: LitStr = value.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected a string literal: `#[export(name = \"...\")]`",
                    )
                })?;
                self.name = Some(lit);
            }
            flag @ ("raw" | "pod") => {
                if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
                    return Err(meta.error(format!("`{flag}` takes no value: write `{flag}`")));
                }
                let encoding = if flag == "raw" {
                    Encoding::Raw
                } else {
                    Encoding::Pod
                };
                if self.encoding == encoding {
                    return Err(meta.error(format!("duplicate `{flag}` option")));
                }
                if self.encoding != Encoding::Serde {
                    return Err(meta.error(
                        "`raw` and `pod` cannot be combined: choose one encoding for the export",
                    ));
                }
                self.encoding = encoding;
            }
            other => {
                return Err(meta.error(format!(
                "unknown `#[export]` option `{other}`; expected `name = \"...\"`, `raw` or `pod`"
            )))
            }
        }
        Ok(())
    }
}

const UNKNOWN: &str = "unknown `#[export]` option; expected `name = \"...\"`, `raw` or `pod`";
