//! The Zig guest of the wabi conformance suite: the exports of tests/README.md, with the same
//! semantics as the Rust and Go conformance guests.
//!
//! Build: guest-sdk/zig/build-conformance.sh OUT.wasm

const std = @import("std");
const wabi = @import("wabi");

pub const panic = wabi.panic_handler;

// --- Types (tests/src/cases.rs) ---

/// Rust `Person { name: String, age: u32, email: Option<String>, tags: Vec<String> }`.
const Person = struct {
    name: []const u8,
    age: u32,
    email: ?[]const u8 = null,
    tags: []const []const u8,
};

/// Rust `enum Shape { Unit, Circle(f64), Rect { w: f64, h: f64 }, Pair(i32, i32) }`.
const Shape = union(enum) {
    Unit,
    Circle: f64,
    Rect: struct { w: f64, h: f64 },
    Pair: struct { i32, i32 },
};

const Stats = struct { len: u64, checksum: u64 };

/// The error value of `fail`.
const AppError = struct { code: u32, reason: []const u8 };

/// The error value of the host's `fail`.
const HostCode = struct { code: u32 };

const Pair = struct { a: i32, b: i32 };
const Sum = struct { sum: i64 };

const PodPair = extern struct { a: i32, b: i32 };
const PodSum = extern struct { sum: i64 };

const StrMap = wabi.Map([]const u8, i64);

/// Rust `(Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32)`.
const EchoAll = struct { Person, Shape, StrMap, wabi.Bytes, f32 };

// --- Functions ---

fn noop() void {}

fn echoBool(b: bool) bool {
    return b;
}

const Ints = struct { i8, i16, i32, i64, u8, u16, u32, u64 };

fn echoInts(a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: u64) Ints {
    return .{ a, b, c, d, e, f, g, h };
}

fn echoFloats(a: f32, b: f64) struct { f32, f64 } {
    return .{ a, b };
}

fn echoString(s: []const u8) []const u8 {
    return s;
}

fn echoBytes(b: wabi.Bytes) wabi.Bytes {
    return b;
}

fn echoOption(o: ?[]const u8) ?[]const u8 {
    return o;
}

fn echoPerson(p: Person) Person {
    return p;
}

fn echoShape(s: Shape) Shape {
    return s;
}

/// A Rust BTreeMap<String, i64>: written back with its keys sorted.
fn echoMap(gpa: std.mem.Allocator, m: StrMap) !StrMap {
    const entries = try gpa.dupe(StrMap.Entry, m.entries);
    StrMap.sortByKey(entries);
    return .{ .entries = entries };
}

fn echoHashmap(m: wabi.Map([]const u8, []const u32)) wabi.Map([]const u8, []const u32) {
    return m;
}

fn echoNested(v: []const []const []const u32) []const []const []const u32 {
    return v;
}

fn echoAny(v: wabi.Value) wabi.Value {
    return v;
}

fn depth(v: wabi.Value) u32 {
    return v.depth();
}

fn concat3(gpa: std.mem.Allocator, a: []const u8, b: []const u8, c: []const u8) ![]const u8 {
    return std.mem.concat(gpa, u8, &.{ a, b, c });
}

fn greet(c: *wabi.Call, p: Person, greeting: []const u8) ![]const u8 {
    return c.print("{s}, {s} ({d})", .{ greeting, p.name, p.age });
}

fn fail(c: *wabi.Call, reason: []const u8) !void {
    return c.failValue(try c.print("app error 42: {s}", .{reason}), AppError{ .code = 42, .reason = reason });
}

fn failPlain(c: *wabi.Call, message: []const u8) !void {
    return c.fail(message);
}

fn boom(message: []const u8) void {
    @panic(message);
}

fn makeBytes(gpa: std.mem.Allocator, n: u32) !wabi.Bytes {
    const b = try gpa.alloc(u8, n);
    for (b, 0..) |*x, i| x.* = @intCast(i % 251);
    return wabi.bytes(b);
}

fn stats(b: []const u8) Stats {
    var sum: u64 = 0;
    for (b) |x| sum +%= x;
    return .{ .len = b.len, .checksum = sum };
}

fn bytesStats(b: wabi.Bytes) Stats {
    return stats(b.bytes);
}

fn strStats(s: []const u8) Stats {
    return stats(s);
}

fn rawReverse(gpa: std.mem.Allocator, in: []const u8) ![]const u8 {
    const out = try gpa.alloc(u8, in.len);
    for (in, 0..) |x, i| out[in.len - 1 - i] = x;
    return out;
}

fn addPair(p: Pair) Sum {
    return .{ .sum = @as(i64, p.a) + p.b };
}

fn podAdd(p: PodPair) PodSum {
    return .{ .sum = @as(i64, p.a) + p.b };
}

fn logLine(message: []const u8) void {
    wabi.log(.info, message);
}

var count: u64 = 0;

fn counter() u64 {
    count += 1;
    return count;
}

fn renamed() []const u8 {
    return "renamed";
}

/// The blocks grow_memory keeps (never freed).
var grown: ?*anyopaque = null;

fn growMemory(pages: u32) !u32 {
    if (pages > 0) {
        const b = try wabi.gpa.alloc(u8, @as(usize, pages) * 65536);
        @memset(b, 0);
        grown = b.ptr;
    }
    return @intCast(wabi.memoryPages());
}

// --- Host functions (ABI 1.1): the suite registers add, echo_all, birthday, fail and descend ---

fn callHostAdd(c: *wabi.Call, a: i64, b: i64) !i64 {
    return c.callHost(i64, "add", .{ a, b });
}

fn callHostEchoAll(c: *wabi.Call, p: Person, s: Shape, m: StrMap, b: wabi.Bytes, f: f32) !EchoAll {
    return c.callHost(EchoAll, "echo_all", .{ p, s, m, b, f });
}

fn callHostBirthday(c: *wabi.Call, p: Person) !Person {
    return c.callHost(Person, "birthday", .{p});
}

/// "{message} (code {code})" from the error of the host's fail, or "unexpected success".
fn callHostFail(c: *wabi.Call, message: []const u8) ![]const u8 {
    c.callHost(void, "fail", .{message}) catch |e| {
        if (e != error.HostFailed) return e;
        const hf = c.host_failure.?;
        const code = hf.valueAs(HostCode, c.allocator()) catch
            return c.print("{s} (undecodable value)", .{hf.message});
        if (code) |v| return c.print("{s} (code {d})", .{ hf.message, v.code });
        return c.print("{s} (no value)", .{hf.message});
    };
    return "unexpected success";
}

/// The message of the error a call of an unregistered host function gets.
fn callHostMissing(c: *wabi.Call) ![]const u8 {
    c.callHost(void, "no_such_host_fn", .{}) catch |e| {
        if (c.host_failure) |hf| return hf.message;
        return @errorName(e);
    };
    return "unexpected success";
}

/// n through n nested calls: the host's descend(n) calls back into recurse(n - 1).
fn recurse(c: *wabi.Call, n: u32) !u32 {
    if (n == 0) return 0;
    return c.callHost(u32, "descend", .{n});
}

fn configGet(c: *wabi.Call, key: []const u8) !?[]const u8 {
    return c.config(key);
}

fn configBig(c: *wabi.Call) !u32 {
    const v = try c.config("big") orelse return 0;
    return @intCast(v.len);
}

// --- Outbound HTTP (ABI 1.3) ---

/// The argument of http_fetch: the request as the suite sends it (`headers` and `body` as `90`
/// when empty).
const FetchRequest = struct {
    method: []const u8,
    url: []const u8,
    headers: []const wabi.http.Header = &.{},
    body: wabi.Bytes = .{ .bytes = "" },
};

/// What http_fetch returns: `{status, headers, body}`, keys in this order.
const FetchResponse = struct {
    status: u16,
    headers: []const wabi.http.Header,
    body: wabi.Bytes,
};

/// Sends the request through the SDK's HTTP API. A failed request is returned unhandled
/// (`error.HttpFailed`): the call fails with the error's message and the value {"kind": KIND}.
fn httpFetch(c: *wabi.Call, in: FetchRequest) !FetchResponse {
    var req = wabi.http.Request.init(c.allocator(), in.method, in.url);
    for (in.headers) |h| try req.header(h.name, h.value);
    if (in.body.bytes.len > 0) req.body(in.body.bytes);
    const resp = try c.fetch(req);
    return .{ .status = resp.status, .headers = resp.headers, .body = wabi.bytes(resp.body) };
}

comptime {
    wabi.exportFn("noop", noop);
    wabi.exportFn("echo_bool", echoBool);
    wabi.exportFn("echo_ints", echoInts);
    wabi.exportFn("echo_floats", echoFloats);
    wabi.exportFn("echo_string", echoString);
    wabi.exportFn("echo_str", echoString);
    wabi.exportFn("echo_bytes", echoBytes);
    wabi.exportFn("echo_option", echoOption);
    wabi.exportFn("echo_person", echoPerson);
    wabi.exportFn("echo_shape", echoShape);
    wabi.exportFn("echo_map", echoMap);
    wabi.exportFn("echo_hashmap", echoHashmap);
    wabi.exportFn("echo_nested", echoNested);
    wabi.exportFn("echo_any", echoAny);
    wabi.exportFn("depth", depth);
    wabi.exportFn("concat3", concat3);
    wabi.exportFn("greet", greet);
    wabi.exportFn("fail", fail);
    wabi.exportFn("fail_plain", failPlain);
    wabi.exportFn("boom", boom);
    wabi.exportFn("make_bytes", makeBytes);
    wabi.exportFn("bytes_stats", bytesStats);
    wabi.exportFn("str_stats", strStats);
    wabi.exportRaw("raw_reverse", rawReverse);
    wabi.exportFn("add_pair", addPair);
    wabi.exportPod("pod_add", podAdd);
    wabi.exportFn("log_line", logLine);
    wabi.exportFn("counter", counter);
    wabi.exportFn("renamed.fn", renamed);
    wabi.exportFn("grow_memory", growMemory);
    wabi.exportFn("call_host_add", callHostAdd);
    wabi.exportFn("call_host_echo_all", callHostEchoAll);
    wabi.exportFn("call_host_birthday", callHostBirthday);
    wabi.exportFn("call_host_fail", callHostFail);
    wabi.exportFn("call_host_missing", callHostMissing);
    wabi.exportFn("recurse", recurse);
    wabi.exportFn("config_get", configGet);
    wabi.exportFn("config_big", configBig);
    wabi.exportFn("http_fetch", httpFetch);
}
