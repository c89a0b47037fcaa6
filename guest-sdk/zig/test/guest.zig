//! A guest of SDK features the conformance suite does not reach, driven by test/abi_test.mjs
//! (built in ReleaseSafe, so Zig's safety checks are on and panic through the SDK).

const std = @import("std");
const wabi = @import("wabi");

pub const panic = wabi.panic_handler;

pub const std_options: std.Options = .{ .logFn = wabi.logFn, .log_level = .debug };

fn panicAt(message: []const u8) void {
    wabi.panicAt(@src(), message);
}

fn stdLog(message: []const u8) void {
    std.log.info("{s}", .{message});
    std.log.scoped(.plugin).warn("scoped {d}", .{7});
}

/// Indexes a 3-element array: a safety panic with a formatted message for i >= 3.
fn index(i: u32) u32 {
    const a = [_]u32{ 10, 20, 30 };
    var idx: usize = i;
    _ = &idx;
    return a[idx];
}

fn echoTimestamp(t: wabi.Timestamp) wabi.Timestamp {
    return t;
}

/// Calls host `give_string`, which returns a string, as if it returned a u32.
fn hostWrongType(c: *wabi.Call) !u32 {
    return c.callHost(u32, "give_string", .{});
}

/// Calls host `add` and returns its error's status and message as a string when it fails.
fn hostStatus(c: *wabi.Call) ![]const u8 {
    _ = c.callHost(i64, "add", .{ 1, 2 }) catch |e| {
        const hf = c.host_failure orelse return @errorName(e);
        return c.print("{s} {d} {s}", .{ @errorName(e), @intFromEnum(hf.status), hf.message });
    };
    return "ok";
}

fn configEmptyKey(c: *wabi.Call) !?[]const u8 {
    return c.config("");
}

/// A struct with a default and a nested optional struct.
const Options = struct {
    retries: u8 = 3,
    name: []const u8,
    inner: ?struct { on: bool } = null,
    color: enum { red, green } = .red,
};

fn echoOptions(o: Options) Options {
    return o;
}

/// Returns a Zig error unhandled: its name becomes the message.
fn zigError(n: u32) !u32 {
    if (n == 0) return error.ZeroIsNotAllowed;
    return n;
}

/// A GET of `url` through `Request.send` and its result union: "STATUS CONTENT-TYPE BODY", or
/// "KIND KIND_NAME: MESSAGE".
fn httpProbe(c: *wabi.Call, url: []const u8) ![]const u8 {
    var req = wabi.http.Request.init(c.allocator(), "GET", url);
    try req.header("accept", "*/*");
    var result = try req.send(c.allocator());
    defer result.deinit(c.allocator());
    return switch (result) {
        .ok => |resp| c.print("{d} {s} {s}", .{ resp.status, resp.header("Content-Type") orelse "-", resp.body }),
        .err => |e| c.print("{s} {s}: {s}", .{ @tagName(e.kind), e.kind_name, e.message }),
    };
}

comptime {
    wabi.exportFn("http_probe", httpProbe);
    wabi.exportFn("panic_at", panicAt);
    wabi.exportFn("std_log", stdLog);
    wabi.exportFn("index", index);
    wabi.exportFn("echo_timestamp", echoTimestamp);
    wabi.exportFn("host_wrong_type", hostWrongType);
    wabi.exportFn("host_status", hostStatus);
    wabi.exportFn("config_empty_key", configEmptyKey);
    wabi.exportFn("echo_options", echoOptions);
    wabi.exportFn("zig_error", zigError);
}
