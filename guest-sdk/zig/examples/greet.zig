//! The README's example plugin.
const std = @import("std");
const wabi = @import("wabi");

pub const panic = wabi.panic_handler; // panics reach the host through wabi.panic

const Person = struct {
    name: []const u8,
    age: u32,
    email: ?[]const u8 = null, // optional: may be missing or nil
    tags: []const []const u8 = &.{},
};

const Shape = union(enum) { Unit, Circle: f64, Rect: struct { w: f64, h: f64 } };

fn greet(c: *wabi.Call, p: Person, greeting: []const u8) ![]const u8 {
    wabi.log(.info, "greeting someone");
    return c.print("{s}, {s} ({d})", .{ greeting, p.name, p.age });
}

fn area(c: *wabi.Call, s: Shape) !f64 {
    return switch (s) {
        .Circle => |r| std.math.pi * r * r,
        .Rect => |r| r.w * r.h,
        .Unit => c.failValue("a unit has no area", .{ .code = 1 }),
    };
}

fn addOnHost(c: *wabi.Call, a: i64, b: i64) !i64 {
    return c.callHost(i64, "add", .{ a, b }); // a host function registered by the embedder
}

comptime {
    wabi.exportFn("greet", greet);
    wabi.exportFn("area", area);
    wabi.exportFn("add_on_host", addOnHost);
}
