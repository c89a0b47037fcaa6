//! The benchmark workloads as an Extism plug-in (extism-pdk). Each peer gets its cheapest
//! idiomatic encoding: structs as MessagePack (`Msgpack<T>`, rmp-serde compact like the raw
//! baseline), the W2 string and the W4 bytes as plain input bytes.

#[path = "../../../../../benches/src/common/types.rs"]
#[allow(dead_code)]
mod types;

use extism_pdk::{plugin_fn, FnResult, Msgpack};
use types::{AddIn, AddOut, BulkOut, Request};

#[plugin_fn]
pub fn noop() -> FnResult<()> {
    Ok(())
}

#[plugin_fn]
pub fn add(Msgpack(input): Msgpack<AddIn>) -> FnResult<Msgpack<AddOut>> {
    Ok(Msgpack(types::add(input)))
}

#[plugin_fn]
pub fn echo(s: String) -> FnResult<String> {
    Ok(s)
}

#[plugin_fn]
pub fn gateway(Msgpack(req): Msgpack<Request>) -> FnResult<Msgpack<Request>> {
    Ok(Msgpack(types::gateway(req)))
}

#[plugin_fn]
pub fn bulk(data: Vec<u8>) -> FnResult<Msgpack<BulkOut>> {
    Ok(Msgpack(types::bulk(&data)))
}
