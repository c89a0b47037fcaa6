//! The wabi guest SDK for Zig (ABI 1.3, `abi-spec/ABI.md`).
//!
//! Importing this module exports the ABI's own functions (`wabi_abi_version`, `wabi_alloc`,
//! `wabi_free`, `wabi_scratch`); `exportFn` turns an ordinary Zig function into a wabi export:
//!
//! ```zig
//! const std = @import("std");
//! const wabi = @import("wabi");
//!
//! pub const panic = wabi.panic_handler; // panics reach the host through wabi.panic
//!
//! const Person = struct { name: []const u8, age: u32, email: ?[]const u8 = null };
//!
//! fn greet(c: *wabi.Call, p: Person, greeting: []const u8) ![]const u8 {
//!     return std.fmt.allocPrint(c.allocator(), "{s}, {s} ({d})", .{ greeting, p.name, p.age });
//! }
//!
//! comptime {
//!     wabi.exportFn("greet", greet);
//! }
//! ```
//!
//! Memory: arguments borrow from the call's input (strings and bytes are not copied) and
//! `c.allocator()` is an arena; both live until the function has returned and its result has
//! been encoded. Copy anything you keep across calls into `wabi.gpa`.

const std = @import("std");
const builtin = @import("builtin");
const Allocator = std.mem.Allocator;

pub const msgpack = @import("msgpack.zig");
pub const Writer = msgpack.Writer;
pub const Reader = msgpack.Reader;
pub const Value = msgpack.Value;
pub const Bytes = msgpack.Bytes;
pub const Map = msgpack.Map;
pub const Timestamp = msgpack.Timestamp;
pub const bytes = msgpack.bytes;
pub const encode = msgpack.encode;
pub const encodeAlloc = msgpack.encodeAlloc;
pub const decode = msgpack.decode;
pub const decodeSlice = msgpack.decodeSlice;

/// Outbound HTTP through `wabi.http_request` (ABI 4.4): `wabi.http.Request`, `Call.fetch`.
pub const http = @import("http.zig");

/// The ABI version this SDK implements: 1.3 (`major << 16 | minor`).
pub const abi_version: u32 = 0x0001_0003;

/// Capacity of the scratch input buffer `wabi_scratch` reports.
pub const scratch_size: usize = 64 * 1024;

/// The allocator behind `wabi_alloc`, the output buffer and every call's arena: std's wasm
/// allocator (size classes over `memory.grow`; freed blocks are reused, memory is never
/// returned to the host).
pub const gpa: Allocator = std.heap.wasm_allocator;

/// Result envelope status codes (ABI 7.2).
pub const Status = enum(u32) {
    ok = 0,
    err = 1,
    panic = 2,
    bad_arguments = 3,
    bad_result = 4,
    _,
};

// ---------------------------------------------------------------------------------------------
// Host imports (ABI 4). Only the ones a module uses are imported (`wabi.http_request` is
// declared in http.zig).
// ---------------------------------------------------------------------------------------------

const imports = struct {
    extern "wabi" fn panic(ptr: usize, len: usize) void;
    extern "wabi" fn log(level: u32, ptr: usize, len: usize) void;
    extern "wabi" fn host_call(name_ptr: usize, name_len: usize, args_ptr: usize, args_len: usize) u64;
    extern "wabi" fn config(key_ptr: usize, key_len: usize, buf_ptr: usize, buf_cap: usize) i32;
};

/// The address of a buffer to pass to an import: 0 for an empty one (whose pointer the host
/// does not read; an empty Zig slice's pointer may be any value).
fn addr(s: []const u8) usize {
    return if (s.len == 0) 0 else @intFromPtr(s.ptr);
}

// ---------------------------------------------------------------------------------------------
// Guest exports of the ABI itself (ABI 3)
// ---------------------------------------------------------------------------------------------

/// The scratch buffer: static, so its address is a constant of the module (ABI 5, "once per
/// module"), and zero-initialised, so it costs no bytes in the module's data.
var scratch: [scratch_size]u8 align(8) = [_]u8{0} ** scratch_size;

comptime {
    if (builtin.target.cpu.arch.isWasm()) {
        @export(&wabiAbiVersion, .{ .name = "wabi_abi_version" });
        @export(&wabiAlloc, .{ .name = "wabi_alloc" });
        @export(&wabiFree, .{ .name = "wabi_free" });
        @export(&wabiScratch, .{ .name = "wabi_scratch" });
        const root = @import("root");
        if (!@hasDecl(root, "panic")) {
            @compileError("a wabi plugin reports panics to the host: add `pub const panic = wabi.panic_handler;` to the root source file");
        }
    }
}

fn wabiAbiVersion() callconv(.c) u32 {
    return abi_version;
}

fn wabiAlloc(size: usize, alignment: usize) callconv(.c) usize {
    return allocBlock(size, alignment);
}

fn wabiFree(ptr: usize, size: usize, alignment: usize) callconv(.c) void {
    _ = size;
    _ = alignment;
    releaseBlock(ptr);
}

fn wabiScratch() callconv(.c) u64 {
    return pack(@intFromPtr(&scratch), scratch_size);
}

fn pack(ptr: usize, len: usize) u64 {
    return @as(u64, @intCast(ptr)) << 32 | @as(u64, @intCast(len));
}

// ---------------------------------------------------------------------------------------------
// Blocks handed to the host (wabi_alloc / wabi_free)
// ---------------------------------------------------------------------------------------------

/// Every live block from `wabi_alloc` starts with this header, and is on a list: the guest can
/// then tell a block it handed out from any other pointer (ABI 6.2), and a `wabi_free` of an
/// unknown pointer is ignored instead of corrupting the allocator. The list is short (blocks
/// live for one call or one host-call answer), so a walk is cheap.
const Block = struct { next: ?*Block, size: usize };
const block_header = 8;

var blocks: ?*Block = null;

fn allocBlock(size: usize, alignment: usize) usize {
    if (size == 0 or alignment == 0 or alignment > 8 or alignment & (alignment - 1) != 0) return 0;
    const total = std.math.add(usize, size, block_header) catch return 0;
    const mem = gpa.alignedAlloc(u8, 8, total) catch return 0;
    const b: *Block = @ptrCast(mem.ptr);
    b.* = .{ .next = blocks, .size = size };
    blocks = b;
    return @intFromPtr(mem.ptr) + block_header;
}

/// The live block whose data starts at `ptr`.
fn findBlock(ptr: usize) ?*Block {
    var it = blocks;
    while (it) |b| : (it = b.next) {
        if (@intFromPtr(b) + block_header == ptr) return b;
    }
    return null;
}

/// Frees the live block whose data starts at `ptr`; anything else is ignored.
fn releaseBlock(ptr: usize) void {
    var link: *?*Block = &blocks;
    while (link.*) |b| : (link = &b.next) {
        if (@intFromPtr(b) + block_header == ptr) {
            link.* = b.next;
            const base: [*]align(8) u8 = @ptrCast(@alignCast(b));
            gpa.free(base[0 .. b.size + block_header]);
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Calls: input, output, envelopes
// ---------------------------------------------------------------------------------------------

/// Calls into this instance now in progress (1 in a plain call, more in nested calls).
var nesting: u32 = 0;

/// The output buffer: reused from call to call, grown as needed (ABI 6.2 step 5).
var out_heap: []u8 = &.{};

/// The arena of calls that are not nested, kept warm between calls.
var top_arena = std.heap.ArenaAllocator.init(std.heap.wasm_allocator);

const Input = struct {
    bytes: []const u8 = &.{},
    /// A block from wabi_alloc that this call owns and frees when it is done.
    owned: bool = false,
    /// Where in the scratch buffer the output may start (not nested only).
    scratch_free: usize = 0,
    bad: ?[]const u8 = null,
};

fn takeInput(ptr: usize, len: usize) Input {
    if (len == 0) return .{};
    const s = @intFromPtr(&scratch);
    if (ptr >= s and ptr - s <= scratch_size) {
        const off = ptr - s;
        if (len > scratch_size - off) return .{ .bad = "the input overflows the scratch buffer" };
        return .{
            .bytes = scratch[off..][0..len],
            .scratch_free = std.mem.alignForward(usize, off + len, 8),
        };
    }
    const b = findBlock(ptr) orelse
        return .{ .bad = "the input pointer is neither the scratch buffer nor a block from wabi_alloc" };
    // Still the guest's block (the host handed it over): freed after the call either way.
    if (len > b.size) return .{ .owned = true, .bad = "the input is larger than its block from wabi_alloc" };
    const p: [*]const u8 = @ptrFromInt(ptr);
    return .{ .bytes = p[0..len], .owned = true };
}

/// The writer a call's envelope goes to. A call that is not nested writes into the scratch
/// buffer after its input (from the start when the input is elsewhere) and moves to the output
/// buffer when the envelope does not fit; nested calls always use the output buffer (ABI 6.2).
fn beginOutput(top: bool, input: Input) Writer {
    if (top and input.scratch_free < scratch_size) {
        const spare = out_heap;
        out_heap = &.{};
        return .{ .buf = scratch[input.scratch_free..], .gpa = gpa, .owned = false, .spare = spare };
    }
    const buf = out_heap;
    out_heap = &.{};
    return .{ .buf = buf, .gpa = gpa, .owned = true };
}

/// Keeps the writer's heap buffer for the next call and returns the packed envelope location.
fn finish(w: *Writer, status: Status) u64 {
    const env = w.buf[0..w.end];
    std.mem.writeInt(u32, env[0..4], @intFromEnum(status), .little);
    std.mem.writeInt(u32, env[4..8], @intCast(w.end - 8), .little);
    keepHeap(w);
    return pack(@intFromPtr(env.ptr), env.len);
}

fn keepHeap(w: *Writer) void {
    if (out_heap.len > 0) gpa.free(@as([]align(8) u8, @alignCast(out_heap)));
    out_heap = if (w.owned) w.buf else w.spare;
}

const oom_envelope: [8 + oom_message.len]u8 align(8) = blk: {
    var e: [8 + oom_message.len]u8 = undefined;
    std.mem.writeInt(u32, e[0..4], @intFromEnum(Status.bad_result), .little);
    std.mem.writeInt(u32, e[4..8], oom_message.len, .little);
    @memcpy(e[8..], oom_message);
    break :blk e;
};
const oom_message = "out of memory while writing the result envelope";

/// A constant BadResult envelope, for when not even a small envelope can be written.
fn oomEnvelope(w: *Writer) u64 {
    keepHeap(w);
    return pack(@intFromPtr(&oom_envelope), oom_envelope.len);
}

fn writeMessage(w: *Writer, status: Status, message: []const u8) u64 {
    w.end = 0;
    _ = w.reserve(8) catch return oomEnvelope(w);
    w.writeAll(message) catch return oomEnvelope(w);
    return finish(w, status);
}

/// An error envelope: message and optional MessagePack value (ABI 7.4).
fn writeError(w: *Writer, message: []const u8, value: ?[]const u8) u64 {
    w.end = 0;
    const v = value orelse "";
    const head = w.reserve(16) catch return oomEnvelope(w);
    std.mem.writeInt(u32, head[8..12], @intCast(message.len), .little);
    std.mem.writeInt(u32, head[12..16], @intCast(v.len), .little);
    w.writeAll(message) catch return oomEnvelope(w);
    w.writeAll(v) catch return oomEnvelope(w);
    return finish(w, .err);
}

fn writeOk(w: *Writer, value: anytype) u64 {
    w.end = 0;
    _ = w.reserve(8) catch return oomEnvelope(w);
    encode(w, value) catch return writeMessage(w, .bad_result, "out of memory while encoding the result");
    return finish(w, .ok);
}

fn writeOkBytes(w: *Writer, body: []const u8) u64 {
    w.end = 0;
    _ = w.reserve(8) catch return oomEnvelope(w);
    w.writeAll(body) catch return writeMessage(w, .bad_result, "out of memory while writing the result");
    return finish(w, .ok);
}

/// Whether the error set `E` may hold `error.<name>` (only then is the code that handles it
/// compiled into a function's wrapper).
fn mayBe(comptime E: type, comptime name: []const u8) bool {
    const set = @typeInfo(E).error_set orelse return true; // anyerror
    for (set) |e| {
        if (std.mem.eql(u8, e.name, name)) return true;
    }
    return false;
}

fn writeFailure(w: *Writer, call: *Call, function_err: anytype) u64 {
    const err: anyerror = function_err;
    if (comptime mayBe(@TypeOf(function_err), "HttpFailed")) {
        if (err == error.HttpFailed) {
            // What the host itself sends: the message, and the value {"kind": KIND}.
            if (call.http_failure) |hf| return writeError(w, hf.message, encodeAlloc(call.allocator(), .{ .kind = hf.kind_name }) catch null);
        }
    }
    if (err == error.Failed) {
        if (call.failure) |f| return writeError(w, f.message, f.value);
    }
    if (err == error.HostFailed or err == error.HostResultDecode or err == error.HostProtocol) {
        if (call.host_failure) |hf| return writeError(w, hf.message, null);
    }
    return writeError(w, @errorName(err), null);
}

// ---------------------------------------------------------------------------------------------
// The per-call context
// ---------------------------------------------------------------------------------------------

/// A failure a function reports with `Call.fail` / `Call.failValue`.
pub const Failure = struct {
    message: []const u8,
    /// The error's MessagePack value (ABI 7.4), null for none.
    value: ?[]const u8 = null,
};

/// What a host function answered instead of a result (`error.HostFailed`), or why its result
/// could not be used (`error.HostResultDecode`, `error.HostProtocol`).
pub const HostFailure = struct {
    /// `.err` for a host function's error; `.bad_arguments` / `.bad_result` when the host could
    /// not decode the arguments or encode its result; `.bad_result` too when the guest could not
    /// decode the host's result.
    status: Status,
    message: []const u8,
    /// The error's MessagePack value, when it has one.
    value: ?[]const u8 = null,

    /// Decodes the error's value as a `T`; null when the error has none.
    pub fn valueAs(self: HostFailure, comptime T: type, allocator: Allocator) Reader.Error!?T {
        const v = self.value orelse return null;
        var r = Reader.init(v);
        r.copy = true;
        return try decode(T, &r, allocator);
    }
};

/// The context of one call. A function receives it by declaring a `*wabi.Call` parameter (it is
/// not one of the function's MessagePack arguments).
pub const Call = struct {
    arena: *std.heap.ArenaAllocator,
    failure: ?Failure = null,
    host_failure: ?HostFailure = null,
    /// Why the last `fetch` failed (`error.HttpFailed`).
    http_failure: ?http.HttpError = null,

    /// The call's arena: everything allocated from it is freed after the result is encoded.
    pub fn allocator(c: *Call) Allocator {
        return c.arena.allocator();
    }

    /// Fails the call with `message` and no value: `return c.fail("...")`.
    pub fn fail(c: *Call, message: []const u8) error{Failed} {
        c.failure = .{ .message = c.allocator().dupe(u8, message) catch "out of memory" };
        return error.Failed;
    }

    /// Fails the call with `message` and `value` (any encodable value; the host decodes it into
    /// a type of its choice): `return c.failValue(msg, AppError{ .code = 42 })`.
    pub fn failValue(c: *Call, message: []const u8, value: anytype) error{Failed} {
        const a = c.allocator();
        c.failure = .{
            .message = a.dupe(u8, message) catch "out of memory",
            .value = encodeAlloc(a, value) catch null,
        };
        return error.Failed;
    }

    /// Formats a string into the call's arena.
    pub fn print(c: *Call, comptime fmt: []const u8, args: anytype) error{OutOfMemory}![]u8 {
        return std.fmt.allocPrint(c.allocator(), fmt, args);
    }

    /// Calls host function `name` with the arguments of the tuple `args` and decodes its result
    /// as `R`. A host error is `error.HostFailed`, with the details in `c.host_failure`; if the
    /// function returns that error unhandled, the call fails with the host's message.
    pub fn callHost(c: *Call, comptime R: type, name: []const u8, args: anytype) HostCallError!R {
        var hf: HostFailure = undefined;
        return callHostAlloc(c.allocator(), R, name, args, &hf) catch |e| {
            if (e != error.OutOfMemory) c.host_failure = hf;
            return e;
        };
    }

    /// The configuration value of `key` (in the call's arena), null when it is not set.
    pub fn config(c: *Call, key: []const u8) error{OutOfMemory}!?[]u8 {
        return configAlloc(c.allocator(), key);
    }

    /// Sends the HTTP request `req` and returns the response (in the call's arena; a 4xx or
    /// 5xx status is a response). A failed request is `error.HttpFailed`, with its kind and
    /// message in `c.http_failure`; if the function returns that error unhandled, the call
    /// fails with the host's message and the value `{"kind": KIND}`, as the host sent them.
    pub fn fetch(c: *Call, req: http.Request) FetchError!http.Response {
        switch (try req.send(c.allocator())) {
            .ok => |resp| return resp,
            .err => |e| {
                c.http_failure = e;
                return error.HttpFailed;
            },
        }
    }
};

pub const FetchError = error{ HttpFailed, OutOfMemory };

fn isInjected(comptime T: type) bool {
    return T == *Call or T == Allocator;
}

fn paramType(comptime p: std.builtin.Type.Fn.Param) type {
    return p.type orelse @compileError("wabi: exported functions cannot have anytype parameters");
}

fn wireParamCount(comptime params: []const std.builtin.Type.Fn.Param) usize {
    comptime var n = 0;
    inline for (params) |p| {
        if (!isInjected(paramType(p))) n += 1;
    }
    return n;
}

fn injectArgs(comptime params: []const std.builtin.Type.Fn.Param, args: anytype, call: *Call) void {
    inline for (params, 0..) |p, i| {
        if (comptime paramType(p) == *Call) args[i] = call;
        if (comptime paramType(p) == Allocator) args[i] = call.allocator();
    }
}

/// Decodes the argument list (ABI 6.3) into the function's parameters.
fn decodeArgs(comptime params: []const std.builtin.Type.Fn.Param, args: anytype, r: *Reader, call: *Call) Reader.Error!void {
    const n = comptime wireParamCount(params);
    const a = call.allocator();
    if (n == 0) {
        // Empty input, nil and an empty array all mean "no arguments".
        if (!r.atEnd() and (r.buf[0] == 0xc0 or r.buf[0] == 0x90)) r.pos = 1;
        if (!r.atEnd()) return r.fail("expected no arguments, found {s}", .{Reader.kindName(r.buf[0])});
    } else if (n == 1) {
        inline for (params, 0..) |p, i| {
            if (comptime !isInjected(paramType(p))) args[i] = try decode(paramType(p), r, a);
        }
    } else {
        const m = try r.peek();
        if (!(m >= 0x90 and m <= 0x9f or m == 0xdc or m == 0xdd)) {
            return r.fail("expected an array of {d} arguments, found {s}", .{ n, Reader.kindName(m) });
        }
        const count = try r.readArrayHeader();
        if (count != n) return r.fail("expected {d} arguments, found {d}", .{ n, count });
        inline for (params, 0..) |p, i| {
            if (comptime !isInjected(paramType(p))) args[i] = try decode(paramType(p), r, a);
        }
        r.leave();
    }
    if (!r.atEnd()) return r.fail("{d} bytes after the arguments", .{r.remaining()});
    injectArgs(params, args, call);
}

const Kind = enum { msgpack, raw, pod };

fn run(comptime kind: Kind, comptime func: anytype, ptr: usize, len: usize) u64 {
    const F = @typeInfo(@TypeOf(func)).@"fn";
    const top = nesting == 0;
    nesting += 1;
    defer nesting -= 1;
    const input = takeInput(ptr, len);
    defer if (input.owned) releaseBlock(ptr);
    // The output is taken only once the function has returned: nested calls made while it runs
    // reuse the same output buffer.
    var w: Writer = undefined;
    if (input.bad) |message| {
        w = beginOutput(top, input);
        return writeMessage(&w, .bad_arguments, message);
    }

    var nested_arena = std.heap.ArenaAllocator.init(gpa);
    const arena = if (top) &top_arena else &nested_arena;
    defer if (top) {
        _ = top_arena.reset(.{ .retain_with_limit = 64 * 1024 - 64 });
    } else nested_arena.deinit();
    var call = Call{ .arena = arena };
    var args: std.meta.ArgsTuple(@TypeOf(func)) = undefined;

    switch (kind) {
        .msgpack => {
            var r = Reader.init(input.bytes);
            decodeArgs(F.params, &args, &r, &call) catch |e| {
                w = beginOutput(top, input);
                return switch (e) {
                    error.Decode => writeMessage(&w, .bad_arguments, r.message),
                    error.OutOfMemory => writeError(&w, "out of memory while decoding the arguments", null),
                };
            };
        },
        .raw => {
            inline for (F.params, 0..) |p, i| {
                if (comptime !isInjected(paramType(p))) args[i] = input.bytes;
            }
            injectArgs(F.params, &args, &call);
        },
        .pod => {
            const In = comptime podParam(F.params);
            const size = if (In == void) 0 else @sizeOf(In);
            if (input.bytes.len != size) {
                var msg_buf: [96]u8 = undefined;
                const msg = std.fmt.bufPrint(&msg_buf, "expected {d} bytes of Pod input, found {d}", .{ size, input.bytes.len }) catch "wrong Pod input size";
                w = beginOutput(top, input);
                return writeMessage(&w, .bad_arguments, msg);
            }
            inline for (F.params, 0..) |p, i| {
                if (comptime !isInjected(paramType(p))) @memcpy(std.mem.asBytes(&args[i]), input.bytes);
            }
            injectArgs(F.params, &args, &call);
        },
    }

    const result = @call(.auto, func, args);
    w = beginOutput(top, input);
    const payload = switch (@typeInfo(@TypeOf(result))) {
        .error_union => result catch |err| return writeFailure(&w, &call, err),
        else => result,
    };
    return switch (kind) {
        .msgpack => writeOk(&w, payload),
        .raw => writeOkBytes(&w, payload),
        .pod => writeOkBytes(&w, if (@TypeOf(payload) == void) "" else std.mem.asBytes(&payload)),
    };
}

fn checkName(comptime name: []const u8) void {
    if (std.mem.startsWith(u8, name, "wabi_") or std.mem.eql(u8, name, "_initialize") or
        std.mem.eql(u8, name, "_start") or std.mem.eql(u8, name, "memory"))
    {
        @compileError("wabi: \"" ++ name ++ "\" is reserved and cannot name a user function (ABI 3)");
    }
}

fn returnPayload(comptime F: std.builtin.Type.Fn) type {
    const R = F.return_type orelse @compileError("wabi: exported functions cannot be generic");
    return switch (@typeInfo(R)) {
        .error_union => |e| e.payload,
        else => R,
    };
}

fn exportAs(comptime kind: Kind, comptime name: []const u8, comptime func: anytype) void {
    comptime checkName(name);
    const S = struct {
        fn entry(ptr: usize, len: usize) callconv(.c) u64 {
            return run(kind, func, ptr, len);
        }
    };
    if (builtin.target.cpu.arch.isWasm()) @export(&S.entry, .{ .name = name });
}

/// Exports `func` under `name` as a MessagePack function (ABI 6): its parameters are decoded
/// from the argument list (nothing, the bare value, or an array; a `*wabi.Call` or
/// `std.mem.Allocator` parameter is passed by the SDK instead) and its return value is encoded
/// as the result. A returned Zig error fails the call with the error's name as its message, or
/// with the message and value given to `Call.fail` / `Call.failValue`. Use in a comptime block.
pub fn exportFn(comptime name: []const u8, comptime func: anytype) void {
    const F = @typeInfo(@TypeOf(func)).@"fn";
    _ = returnPayload(F);
    exportAs(.msgpack, name, func);
}

/// Exports `func` as a raw function (ABI 6.4): its one byte-slice parameter is the input exactly
/// as the host gave it, and the byte slice it returns is the result body.
pub fn exportRaw(comptime name: []const u8, comptime func: anytype) void {
    const F = @typeInfo(@TypeOf(func)).@"fn";
    if (wireParamCount(F.params) != 1) @compileError("wabi: a raw function takes one []const u8 (besides *wabi.Call or an allocator)");
    inline for (F.params) |p| {
        const T = paramType(p);
        if (!isInjected(T) and T != []const u8) @compileError("wabi: a raw function's input is a []const u8, not " ++ @typeName(T));
    }
    const R = returnPayload(F);
    if (R != []const u8 and R != []u8) @compileError("wabi: a raw function returns []const u8 (or an error union of it), not " ++ @typeName(R));
    exportAs(.raw, name, func);
}

/// Exports `func` as a Pod function (ABI 6.4): its one parameter (or none) and its result are
/// plain-old-data (integers, floats, arrays of them, `extern struct`s without padding), passed
/// as their little-endian in-memory bytes. Input of any other size is BadArguments.
pub fn exportPod(comptime name: []const u8, comptime func: anytype) void {
    const F = @typeInfo(@TypeOf(func)).@"fn";
    _ = podParam(F.params);
    const R = returnPayload(F);
    if (R != void) checkPod(R);
    exportAs(.pod, name, func);
}

fn podParam(comptime params: []const std.builtin.Type.Fn.Param) type {
    const n = wireParamCount(params);
    if (n == 0) return void;
    if (n > 1) @compileError("wabi: a Pod function takes at most one argument (an extern struct)");
    inline for (params) |p| {
        if (!isInjected(paramType(p))) {
            checkPod(paramType(p));
            return paramType(p);
        }
    }
    unreachable;
}

/// Refuses, at compile time, a type whose in-memory bytes are not a fixed little-endian layout
/// without padding.
fn checkPod(comptime T: type) void {
    switch (@typeInfo(T)) {
        .int => |i| if (i.bits % 8 != 0 or @sizeOf(T) * 8 != i.bits) @compileError("wabi: Pod integers are whole bytes, not " ++ @typeName(T)),
        .float => |f| if (f.bits != 32 and f.bits != 64) @compileError("wabi: Pod floats are f32 or f64"),
        .array => |a| checkPod(a.child),
        .@"struct" => |s| {
            if (s.layout != .@"extern") @compileError("wabi: a Pod struct must be an extern struct: " ++ @typeName(T));
            comptime var size = 0;
            inline for (s.fields) |f| {
                checkPod(f.type);
                if (@offsetOf(T, f.name) != size) @compileError("wabi: the Pod struct " ++ @typeName(T) ++ " has padding before field " ++ f.name);
                size += @sizeOf(f.type);
            }
            if (size != @sizeOf(T)) @compileError("wabi: the Pod struct " ++ @typeName(T) ++ " has trailing padding");
        },
        else => @compileError("wabi: " ++ @typeName(T) ++ " is not a Pod type"),
    }
}

// ---------------------------------------------------------------------------------------------
// Host functions (ABI 4.1)
// ---------------------------------------------------------------------------------------------

pub const HostCallError = error{ HostFailed, HostResultDecode, HostProtocol, OutOfMemory };

/// The answer to an import call (a host function's, or `wabi.http_request`'s): a result
/// envelope in a block the guest owns; `deinit` frees it.
pub const Reply = struct {
    ptr: usize,
    status: Status,
    body: []const u8,

    /// Takes over the packed (ptr, len) an import answered with, after the checks of ABI 4.1:
    /// a block from this guest's wabi_alloc with at least `len` bytes, `len >= 8`, a body_len
    /// that matches (the status is not checked). `error.HostProtocol` means the host broke those
    /// rules; a block that failed the checks is freed, any other pointer left alone.
    pub fn take(answer: u64) error{HostProtocol}!Reply {
        const ptr: usize = @intCast(answer >> 32);
        const len: usize = @intCast(answer & 0xffff_ffff);
        const b = findBlock(ptr) orelse return error.HostProtocol;
        if (len < 8 or len > b.size) {
            releaseBlock(ptr);
            return error.HostProtocol;
        }
        const env = @as([*]const u8, @ptrFromInt(ptr))[0..len];
        const status = std.mem.readInt(u32, env[0..4], .little);
        const body_len = std.mem.readInt(u32, env[4..8], .little);
        if (body_len != len - 8) {
            releaseBlock(ptr);
            return error.HostProtocol;
        }
        return .{ .ptr = ptr, .status = @enumFromInt(status), .body = env[8..] };
    }

    pub fn deinit(self: *Reply) void {
        releaseBlock(self.ptr);
        self.* = undefined;
    }
};

/// Calls host function `name` with `args`, an argument list already encoded (ABI 6.3). The
/// envelope is checked (a block from this guest's wabi_alloc, a known status, consistent
/// lengths); `error.HostProtocol` means the host broke those rules.
pub fn callHostRaw(name: []const u8, args: []const u8) error{HostProtocol}!Reply {
    var reply = try Reply.take(imports.host_call(addr(name), name.len, addr(args), args.len));
    if (@intFromEnum(reply.status) > 4) {
        reply.deinit();
        return error.HostProtocol;
    }
    return reply;
}

/// Encodes the tuple `args` as an argument list (ABI 6.3): nothing, the one value, or an array.
pub fn encodeArgs(w: *Writer, args: anytype) Writer.Error!void {
    const info = @typeInfo(@TypeOf(args));
    if (info != .@"struct" or !info.@"struct".is_tuple) @compileError("wabi: host-call arguments are a tuple, e.g. .{ a, b }");
    const fields = info.@"struct".fields;
    if (fields.len == 0) return;
    if (fields.len == 1) return encode(w, args[0]);
    try w.writeArrayHeader(fields.len);
    inline for (0..fields.len) |i| try encode(w, args[i]);
}

/// Calls host function `name` with the tuple `args` and decodes the result as `R`, allocating
/// from `allocator` (strings are copied: the answer's block is freed before this returns). When
/// the call fails and `failure` is not null, it receives the details (allocated too).
pub fn callHostAlloc(allocator: Allocator, comptime R: type, name: []const u8, args: anytype, failure: ?*HostFailure) HostCallError!R {
    var w = Writer.init(allocator);
    defer w.deinit();
    try encodeArgs(&w, args);
    var reply = callHostRaw(name, w.written()) catch {
        if (failure) |f| f.* = .{ .status = .bad_result, .message = "host function answered with an invalid envelope" };
        return error.HostProtocol;
    };
    defer reply.deinit();
    switch (reply.status) {
        .ok => {
            var r = Reader.init(reply.body);
            r.copy = true;
            return decode(R, &r, allocator) catch |e| switch (e) {
                error.OutOfMemory => error.OutOfMemory,
                error.Decode => {
                    if (failure) |f| f.* = .{
                        .status = .bad_result,
                        .message = try std.fmt.allocPrint(allocator, "the result of host function {s} does not decode as {s}: {s}", .{ name, @typeName(R), r.message }),
                    };
                    return error.HostResultDecode;
                },
            };
        },
        .err => {
            const body = reply.body;
            if (body.len < 8) return protocolError(failure);
            const mlen = std.mem.readInt(u32, body[0..4], .little);
            const vlen = std.mem.readInt(u32, body[4..8], .little);
            if (@as(u64, 8) + mlen + vlen != body.len) return protocolError(failure);
            if (failure) |f| f.* = .{
                .status = .err,
                .message = try allocator.dupe(u8, body[8..][0..mlen]),
                .value = if (vlen == 0) null else try allocator.dupe(u8, body[8 + mlen ..]),
            };
            return error.HostFailed;
        },
        else => {
            if (failure) |f| f.* = .{ .status = reply.status, .message = try allocator.dupe(u8, reply.body) };
            return error.HostFailed;
        },
    }
}

fn protocolError(failure: ?*HostFailure) error{HostProtocol} {
    if (failure) |f| f.* = .{ .status = .bad_result, .message = "host function answered with a malformed error body" };
    return error.HostProtocol;
}

// ---------------------------------------------------------------------------------------------
// Configuration (ABI 4.2)
// ---------------------------------------------------------------------------------------------

/// The configuration value of `key`, allocated from `allocator`; null when it is not set. A
/// first lookup uses a small buffer on the stack; a longer value is read again into a buffer of
/// its size (the rule of ABI 4.2).
pub fn configAlloc(allocator: Allocator, key: []const u8) error{OutOfMemory}!?[]u8 {
    var small: [256]u8 = undefined;
    const first = imports.config(addr(key), key.len, @intFromPtr(&small), small.len);
    if (first < 0) return null;
    var n: usize = @intCast(first);
    if (n <= small.len) return try allocator.dupe(u8, small[0..n]);
    while (true) {
        const buf = try allocator.alloc(u8, n);
        const got = imports.config(addr(key), key.len, addr(buf), buf.len);
        if (got < 0) {
            allocator.free(buf);
            return null;
        }
        const m: usize = @intCast(got);
        if (m <= buf.len) {
            if (m == buf.len) return buf;
            const out = try allocator.dupe(u8, buf[0..m]);
            allocator.free(buf);
            return out;
        }
        allocator.free(buf); // the value grew between the two lookups: try again with its size
        n = m;
    }
}

// ---------------------------------------------------------------------------------------------
// Logging (ABI 4)
// ---------------------------------------------------------------------------------------------

/// Log levels of `wabi.log`.
pub const Level = enum(u32) { trace = 0, debug = 1, info = 2, warn = 3, err = 4 };

/// Emits one log line.
pub fn log(level: Level, message: []const u8) void {
    imports.log(@intFromEnum(level), addr(message), message.len);
}

/// Emits one formatted log line (at most 4 KiB; longer lines are cut).
pub fn logf(level: Level, comptime fmt: []const u8, args: anytype) void {
    var buf: [4096]u8 = undefined;
    var fbs = std.io.fixedBufferStream(&buf);
    fbs.writer().print(fmt, args) catch {};
    log(level, fbs.getWritten());
}

/// A `std.log` back end: `pub const std_options: std.Options = .{ .logFn = wabi.logFn };` sends
/// `std.log.info(...)` and friends to the host (mind `std_options.log_level`, which is `.err`
/// by default in release builds).
pub fn logFn(
    comptime message_level: std.log.Level,
    comptime scope: @Type(.enum_literal),
    comptime format: []const u8,
    args: anytype,
) void {
    const level: Level = switch (message_level) {
        .err => .err,
        .warn => .warn,
        .info => .info,
        .debug => .debug,
    };
    const prefix = if (scope == .default) "" else "(" ++ @tagName(scope) ++ ") ";
    logf(level, prefix ++ format, args);
}

// ---------------------------------------------------------------------------------------------
// Panics (ABI 7.3)
// ---------------------------------------------------------------------------------------------

var panic_fallback: [2048]u8 align(4) = undefined;

/// Reports a panic through `wabi.panic` with a panic record, and never returns: the host ends
/// the call with a panic error and discards the instance.
pub fn reportPanic(message: []const u8, file: []const u8, line: u32, column: u32) noreturn {
    @branchHint(.cold);
    var msg = message;
    var f = file;
    const total = 16 + msg.len + f.len;
    const rec: []u8 = gpa.alignedAlloc(u8, 4, total) catch blk: {
        // No memory left: cut the message to fit a static buffer.
        f = f[0..@min(f.len, 256)];
        msg = msg[0..@min(msg.len, panic_fallback.len - 16 - f.len)];
        break :blk panic_fallback[0 .. 16 + msg.len + f.len];
    };
    std.mem.writeInt(u32, rec[0..4], @intCast(msg.len), .little);
    std.mem.writeInt(u32, rec[4..8], @intCast(f.len), .little);
    std.mem.writeInt(u32, rec[8..12], line, .little);
    std.mem.writeInt(u32, rec[12..16], column, .little);
    @memcpy(rec[16..][0..msg.len], msg);
    @memcpy(rec[16 + msg.len ..][0..f.len], f);
    imports.panic(@intFromPtr(rec.ptr), rec.len);
    @trap(); // not reached: wabi.panic never returns
}

/// Panics with `message` and the source location `src` (`wabi.panicAt(@src(), "...")`).
pub fn panicAt(src: std.builtin.SourceLocation, message: []const u8) noreturn {
    reportPanic(message, src.file, src.line, src.column);
}

fn panicFn(message: []const u8, first_trace_addr: ?usize) noreturn {
    _ = first_trace_addr;
    reportPanic(message, "", 0, 0);
}

/// The root file's panic handler: `pub const panic = wabi.panic_handler;`. Every panic
/// (`@panic`, and the safety checks of Debug and ReleaseSafe builds, with their formatted
/// messages) reaches the host through `wabi.panic`.
pub const panic_handler = std.debug.FullPanic(panicFn);

/// The memory size in 64 KiB pages.
pub fn memoryPages() usize {
    return @wasmMemorySize(0);
}
