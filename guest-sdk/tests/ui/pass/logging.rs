//! The logging API.
#![deny(warnings)]

use wabi_guest::export;

#[export]
fn log_everything(x: u32) {
    wabi_guest::log::trace("trace");
    wabi_guest::log::debug("debug");
    wabi_guest::log::info("info");
    wabi_guest::log::warn("warn");
    wabi_guest::log::error("error");
    wabi_guest::log::log(wabi_guest::log::Level::Info, "leveled");
    wabi_guest::trace!("x = {x}");
    wabi_guest::debug!("x = {}", x);
    wabi_guest::info!("plain literal");
    wabi_guest::warn!("{x:?}");
    wabi_guest::error!("{} and {}", x, x + 1);
}

fn main() {
    log_everything(1);
}
