//! The smallest useful wabi plugin (to measure what the SDK adds): `add(a: i32, b: i32) -> i32`.
const wabi = @import("wabi");

pub const panic = wabi.panic_handler;

fn add(a: i32, b: i32) i32 {
    return a +% b;
}

comptime {
    wabi.exportFn("add", add);
}
