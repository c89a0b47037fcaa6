//! The smallest useful wabi guest, to measure what `wabi-guest` adds to a release wasm.

#[wabi_guest::export]
fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}
