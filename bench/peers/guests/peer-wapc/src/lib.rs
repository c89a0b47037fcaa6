//! The benchmark workloads as a waPC guest (wapc-guest). Payloads are bytes: structs as
//! MessagePack (rmp-serde compact, like the raw baseline), the W2 string and the W4 bytes as
//! they are.

#[path = "../../../../../benches/src/common/types.rs"]
#[allow(dead_code)]
mod types;

use types::{AddIn, Request};
use wapc_guest::{register_function, CallResult};

#[no_mangle]
pub fn wapc_init() {
    register_function("noop", noop);
    register_function("add", add);
    register_function("echo", echo);
    register_function("gateway", gateway);
    register_function("bulk", bulk);
}

fn noop(_: &[u8]) -> CallResult {
    Ok(Vec::new())
}

fn add(msg: &[u8]) -> CallResult {
    let input: AddIn = rmp_serde::from_slice(msg)?;
    Ok(rmp_serde::to_vec(&types::add(input))?)
}

fn echo(msg: &[u8]) -> CallResult {
    Ok(std::str::from_utf8(msg)?.as_bytes().to_vec())
}

fn gateway(msg: &[u8]) -> CallResult {
    let req: Request = rmp_serde::from_slice(msg)?;
    Ok(rmp_serde::to_vec(&types::gateway(req))?)
}

fn bulk(msg: &[u8]) -> CallResult {
    Ok(rmp_serde::to_vec(&types::bulk(msg))?)
}
