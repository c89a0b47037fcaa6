//! Validation of export names.

use proc_macro2::Span;
use wabi_spec::names::{is_user_function_name, RESERVED_PREFIX};

/// Where the name came from, to suggest the right fix.
#[derive(Clone, Copy)]
pub enum Origin {
    /// The function's identifier.
    Ident,
    /// `#[export(name = "...")]`.
    Option,
}

/// Check that `name` can be a user function's export name.
pub fn validate(name: &str, span: Span, origin: Origin) -> syn::Result<()> {
    let fix = match origin {
        Origin::Ident => {
            "rename the function or give the export another name with `#[export(name = \"...\")]`"
        }
        Origin::Option => "choose another name",
    };
    if name.is_empty() {
        return Err(syn::Error::new(span, "the export name must not be empty"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(syn::Error::new(
            span,
            format!(
                "export name `{name}` contains {bad:?}; export names may contain only ASCII \
                 letters, digits, `_`, `-` and `.`: {fix}"
            ),
        ));
    }
    if !is_user_function_name(name) {
        let why = if name.starts_with(RESERVED_PREFIX) {
            format!("names starting with `{RESERVED_PREFIX}` are reserved for the wabi runtime")
        } else {
            "it is reserved for the WASI initialiser".to_owned()
        };
        return Err(syn::Error::new(
            span,
            format!("export name `{name}` is reserved: {why}; {fix}"),
        ));
    }
    Ok(())
}
