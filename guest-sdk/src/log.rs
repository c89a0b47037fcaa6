//! Logging to the host through the `wabi.log` import.
//!
//! Each call sends one UTF-8 line; the host decides where it goes (by default, its `tracing`
//! subscriber) and which levels it keeps. On targets other than wasm32 the lines are printed to
//! stderr, so plugin code can be unit-tested natively.
//!
//! The format-style macros [`trace!`](crate::trace), [`debug!`](crate::debug),
//! [`info!`](crate::info), [`warn!`](crate::warn) and [`error!`](crate::error) format only when
//! there is something to format: a plain literal is sent as it is.
//!
//! ```
//! use wabi_guest::log;
//! log::info("starting");
//! wabi_guest::warn!("{} items skipped", 3);
//! ```

use std::fmt;

/// Log levels, from most to least verbose.
pub use wabi_spec::layout::LogLevel as Level;

/// Send `message` at `level`.
#[inline]
pub fn log(level: Level, message: &str) {
    crate::imports::log(level, message)
}

/// Send `message` at [`Level::Trace`].
#[inline]
pub fn trace(message: &str) {
    log(Level::Trace, message)
}

/// Send `message` at [`Level::Debug`].
#[inline]
pub fn debug(message: &str) {
    log(Level::Debug, message)
}

/// Send `message` at [`Level::Info`].
#[inline]
pub fn info(message: &str) {
    log(Level::Info, message)
}

/// Send `message` at [`Level::Warn`].
#[inline]
pub fn warn(message: &str) {
    log(Level::Warn, message)
}

/// Send `message` at [`Level::Error`].
#[inline]
pub fn error(message: &str) {
    log(Level::Error, message)
}

/// Send formatted arguments at `level`; what the macros expand to. Allocates only when the
/// arguments are not a plain string.
pub fn log_fmt(level: Level, args: fmt::Arguments<'_>) {
    match args.as_str() {
        Some(message) => log(level, message),
        None => log(level, &fmt::format(args)),
    }
}

/// Log a formatted line at trace level: `trace!("{x} items")`.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => {
        $crate::log::log_fmt($crate::log::Level::Trace, ::core::format_args!($($arg)+))
    };
}

/// Log a formatted line at debug level: `debug!("{x} items")`.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => {
        $crate::log::log_fmt($crate::log::Level::Debug, ::core::format_args!($($arg)+))
    };
}

/// Log a formatted line at info level: `info!("{x} items")`.
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => {
        $crate::log::log_fmt($crate::log::Level::Info, ::core::format_args!($($arg)+))
    };
}

/// Log a formatted line at warn level: `warn!("{x} items")`.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => {
        $crate::log::log_fmt($crate::log::Level::Warn, ::core::format_args!($($arg)+))
    };
}

/// Log a formatted line at error level: `error!("{x} items")`.
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => {
        $crate::log::log_fmt($crate::log::Level::Error, ::core::format_args!($($arg)+))
    };
}
