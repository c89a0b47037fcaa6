//! The benchmark workloads (benches/src/common/types.rs) as a Zig wabi guest, with the exports of
//! the Rust bench guest (benches/guests/bench-wabi): noop, add (W1), echo (W2), gateway (W3),
//! bulk (W4), add_pod and bulk_raw.
//!
//! Build: guest-sdk/zig/bench/build.sh OUT.wasm

const std = @import("std");
const wabi = @import("wabi");

pub const panic = wabi.panic_handler;

/// W1 input.
const AddIn = struct { a: i32, b: i32 };
/// W1 output.
const AddOut = struct { sum: i32 };

/// W3: an HTTP request; headers are (name, value) pairs in order, the body is bin.
const Request = struct {
    method: []const u8,
    path: []const u8,
    headers: []const Header,
    body: wabi.Bytes,
};
const Header = struct { []const u8, []const u8 };

/// W4 output.
const BulkOut = struct { len: u64, checksum: u64 };

const PodPair = extern struct { a: i32, b: i32 };

fn noop() void {}

/// W1: a struct in, a struct out.
fn add(in: AddIn) AddOut {
    return .{ .sum = in.a +% in.b };
}

/// W2: a string in, the same string out (borrowed from the input, not copied).
fn echo(s: []const u8) []const u8 {
    return s;
}

/// W3: the request with one header added and the path upper-cased.
fn gateway(gpa: std.mem.Allocator, req: Request) !Request {
    const headers = try gpa.alloc(Header, req.headers.len + 1);
    @memcpy(headers[0..req.headers.len], req.headers);
    headers[req.headers.len] = .{ "x-plugin", "wabi-bench" };
    return .{
        .method = req.method,
        .path = try std.ascii.allocUpperString(gpa, req.path),
        .headers = headers,
        .body = req.body,
    };
}

fn bulkOf(data: []const u8) BulkOut {
    var sum: u64 = 0;
    for (data) |b| sum +%= b;
    return .{ .len = data.len, .checksum = sum };
}

/// W4: bytes in (borrowed), their length and checksum out.
fn bulk(data: wabi.Bytes) BulkOut {
    return bulkOf(data.bytes);
}

/// W1 as a Pod function.
fn addPod(p: PodPair) i32 {
    return p.a +% p.b;
}

/// W4 as a raw function: the bytes as they are, the result as 16 bytes (len, checksum, LE).
fn bulkRaw(gpa: std.mem.Allocator, data: []const u8) ![]const u8 {
    const out = bulkOf(data);
    const b = try gpa.alloc(u8, 16);
    std.mem.writeInt(u64, b[0..8], out.len, .little);
    std.mem.writeInt(u64, b[8..16], out.checksum, .little);
    return b;
}

comptime {
    wabi.exportFn("noop", noop);
    wabi.exportFn("add", add);
    wabi.exportFn("echo", echo);
    wabi.exportFn("gateway", gateway);
    wabi.exportFn("bulk", bulk);
    wabi.exportPod("add_pod", addPod);
    wabi.exportRaw("bulk_raw", bulkRaw);
}
