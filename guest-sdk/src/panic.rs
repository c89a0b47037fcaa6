//! Panics: a hook that reports them to the host as a panic record through `wabi.panic`.

use std::any::Any;

/// Install the panic hook once; a cheap check on later calls. Natively it does nothing, so
/// tests keep the default hook.
#[inline]
pub fn install_hook() {
    crate::memory::with_state(|state| {
        if !state.hook_installed.get() {
            state.hook_installed.set(true);
            #[cfg(target_arch = "wasm32")]
            std::panic::set_hook(Box::new(hook));
        }
    })
}

#[cfg(target_arch = "wasm32")]
fn hook(info: &std::panic::PanicHookInfo<'_>) {
    let (file, line, column) = match info.location() {
        Some(l) => (l.file(), l.line(), l.column()),
        None => ("", 0, 0),
    };
    let record = wabi_spec::layout::PanicRecord {
        message: message(info.payload()),
        file,
        line,
        column,
    };
    let mut bytes = Vec::new();
    record.write_to(&mut bytes);
    crate::imports::panic(&bytes)
}

/// The text of a panic payload: the `&str` or `String` given to `panic!`, else `Box<dyn Any>`.
pub fn message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "Box<dyn Any>"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_messages() {
        assert_eq!(message(&"static"), "static");
        assert_eq!(message(&String::from("owned")), "owned");
        assert_eq!(message(&42u32), "Box<dyn Any>");
        let payload = std::panic::catch_unwind(|| panic!("formatted {}", 7)).unwrap_err();
        assert_eq!(message(&*payload), "formatted 7");
    }
}
