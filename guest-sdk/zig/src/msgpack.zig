//! MessagePack as wabi uses it (ABI.md section 8): a growable writer, a bounds-checked reader, and
//! `encode` / `decode`, which map Zig types to MessagePack by reflection at compile time.
//!
//! This file depends on nothing but `std`, so it also builds and is tested natively.
//!
//! | Zig type                                   | MessagePack                                  |
//! |--------------------------------------------|----------------------------------------------|
//! | `void`                                     | nil                                          |
//! | `bool`                                     | `c2` / `c3`                                  |
//! | `i8`..`i64`, `u8`..`u64` (any width <= 64) | the smallest integer form                    |
//! | `f32` / `f64`                              | float 32 / float 64                          |
//! | `[]const u8`, `[]u8`, string literals      | str (UTF-8, checked when decoded)            |
//! | `Bytes`                                    | bin (empty: `90`, as ABI 8 says)             |
//! | `?T`                                       | nil or `T`                                   |
//! | `[]const T`, `[N]T`                        | array                                        |
//! | tuple `struct { A, B }`                    | array                                        |
//! | `struct { a: A, b: B }`                    | map keyed by field name, declaration order   |
//! | `enum { a, b }`                            | the tag name as str                          |
//! | `union(enum) { a, b: T }`                  | `"a"` / `{"b": T}` (serde's external tagging)|
//! | `Map(K, V)`                                | map, in the order of its entries             |
//! | `Value`                                    | any value                                    |
//! | `Timestamp`                                | ext -1 in its smallest form                  |
//!
//! A type may take over its own encoding by declaring
//! `pub fn wabiEncode(self: @This(), w: *Writer) Writer.Error!void` and
//! `pub fn wabiDecode(r: *Reader, gpa: Allocator) Reader.Error!@This()`.

const std = @import("std");
const Allocator = std.mem.Allocator;

/// The deepest nesting of arrays and maps a `Reader` accepts (ABI 8).
pub const max_depth = 128;

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/// A byte buffer that MessagePack is written into. It either grows through an allocator (its
/// buffers are then 8-byte aligned) or is a fixed slice (writing past it is `error.OutOfMemory`),
/// or starts as a fixed slice and moves to the heap when it overflows (what an export's output
/// does: small envelopes stay in the scratch buffer).
pub const Writer = struct {
    buf: []u8 = &.{},
    end: usize = 0,
    gpa: ?Allocator = null,
    /// `buf` came from `gpa` (aligned to 8) and is resized and freed through it.
    owned: bool = false,
    /// A heap buffer from `gpa` (aligned to 8) to move to when a fixed `buf` overflows.
    spare: []u8 = &.{},

    pub const Error = error{OutOfMemory};

    /// A writer that grows through `gpa`; free it with `deinit` (or let an arena do it).
    pub fn init(gpa: Allocator) Writer {
        return .{ .gpa = gpa, .owned = true };
    }

    /// A writer into `buf` that never allocates.
    pub fn fixed(buf: []u8) Writer {
        return .{ .buf = buf };
    }

    /// The bytes written so far.
    pub fn written(w: *const Writer) []u8 {
        return w.buf[0..w.end];
    }

    /// Frees the heap buffers of a growing writer.
    pub fn deinit(w: *Writer) void {
        if (w.gpa) |gpa| {
            if (w.owned and w.buf.len > 0) gpa.free(aligned(w.buf));
            if (w.spare.len > 0) gpa.free(aligned(w.spare));
        }
        w.* = .{};
    }

    fn aligned(b: []u8) []align(8) u8 {
        return @alignCast(b);
    }

    /// Capacities are 2^k - 16 so that std's power-of-two wasm allocator, which adds a word of
    /// its own, does not double them.
    fn capacityFor(need: usize) Error!usize {
        const want = std.math.add(usize, @max(need, 48), 16) catch return error.OutOfMemory;
        const pow = std.math.ceilPowerOfTwo(usize, want) catch return error.OutOfMemory;
        return pow - 16;
    }

    fn grow(w: *Writer, need: usize) Error!void {
        const gpa = w.gpa orelse return error.OutOfMemory;
        const cap = try capacityFor(@max(need, w.buf.len +| w.buf.len / 2));
        if (w.owned and w.buf.len > 0) {
            if (gpa.remap(aligned(w.buf), cap)) |nb| {
                w.buf = nb;
                return;
            }
        }
        var nb: []u8 = undefined;
        if (!w.owned and w.spare.len >= need) {
            nb = w.spare;
            w.spare = &.{};
        } else {
            nb = try gpa.alignedAlloc(u8, 8, cap);
        }
        @memcpy(nb[0..w.end], w.buf[0..w.end]);
        if (w.owned and w.buf.len > 0) gpa.free(aligned(w.buf));
        if (!w.owned and w.spare.len > 0) {
            gpa.free(aligned(w.spare));
            w.spare = &.{};
        }
        w.buf = nb;
        w.owned = true;
    }

    /// Makes room for `n` more bytes.
    pub inline fn ensure(w: *Writer, n: usize) Error!void {
        if (w.buf.len - w.end < n) {
            try w.grow(std.math.add(usize, w.end, n) catch return error.OutOfMemory);
        }
    }

    /// Reserves `n` bytes and returns them, to be filled in by the caller.
    pub fn reserve(w: *Writer, n: usize) Error![]u8 {
        try w.ensure(n);
        const s = w.buf[w.end..][0..n];
        w.end += n;
        return s;
    }

    pub fn writeByte(w: *Writer, b: u8) Error!void {
        try w.ensure(1);
        w.buf[w.end] = b;
        w.end += 1;
    }

    /// Appends raw bytes (not a MessagePack value by themselves).
    pub fn writeAll(w: *Writer, data: []const u8) Error!void {
        try w.ensure(data.len);
        @memcpy(w.buf[w.end..][0..data.len], data);
        w.end += data.len;
    }

    fn markerBE(w: *Writer, marker: u8, comptime T: type, v: T) Error!void {
        try w.ensure(1 + @sizeOf(T));
        w.buf[w.end] = marker;
        std.mem.writeInt(T, w.buf[w.end + 1 ..][0..@sizeOf(T)], v, .big);
        w.end += 1 + @sizeOf(T);
    }

    pub fn writeNil(w: *Writer) Error!void {
        return w.writeByte(0xc0);
    }

    pub fn writeBool(w: *Writer, b: bool) Error!void {
        return w.writeByte(if (b) 0xc3 else 0xc2);
    }

    /// Writes a non-negative integer in its smallest form.
    pub fn writeUint(w: *Writer, v: u64) Error!void {
        if (v <= 0x7f) return w.writeByte(@intCast(v));
        if (v <= 0xff) return w.markerBE(0xcc, u8, @intCast(v));
        if (v <= 0xffff) return w.markerBE(0xcd, u16, @intCast(v));
        if (v <= 0xffff_ffff) return w.markerBE(0xce, u32, @intCast(v));
        return w.markerBE(0xcf, u64, v);
    }

    /// Writes a signed integer in its smallest form (non-negative values use the unsigned forms).
    pub fn writeSint(w: *Writer, v: i64) Error!void {
        if (v >= 0) return w.writeUint(@intCast(v));
        if (v >= -32) return w.writeByte(@bitCast(@as(i8, @intCast(v))));
        if (v >= std.math.minInt(i8)) return w.markerBE(0xd0, i8, @intCast(v));
        if (v >= std.math.minInt(i16)) return w.markerBE(0xd1, i16, @intCast(v));
        if (v >= std.math.minInt(i32)) return w.markerBE(0xd2, i32, @intCast(v));
        return w.markerBE(0xd3, i64, v);
    }

    /// Writes any integer (at most 64 bits, or a comptime_int that fits i64 or u64).
    pub fn writeInt(w: *Writer, v: anytype) Error!void {
        const T = @TypeOf(v);
        if (T == comptime_int) {
            if (v < 0) return w.writeSint(v) else return w.writeUint(v);
        }
        const info = @typeInfo(T).int;
        if (info.bits > 64) @compileError("wabi: integers wider than 64 bits are not part of ABI v1 (" ++ @typeName(T) ++ ")");
        if (info.signedness == .unsigned) return w.writeUint(v);
        return w.writeSint(v);
    }

    pub fn writeF32(w: *Writer, v: f32) Error!void {
        return w.markerBE(0xca, u32, @bitCast(v));
    }

    pub fn writeF64(w: *Writer, v: f64) Error!void {
        return w.markerBE(0xcb, u64, @bitCast(v));
    }

    fn header(w: *Writer, n: usize, fix: u8, fix_max: usize, m8: ?u8, m16: u8, m32: u8) Error!void {
        if (n <= fix_max) return w.writeByte(fix | @as(u8, @intCast(n)));
        if (m8) |m| if (n <= 0xff) return w.markerBE(m, u8, @intCast(n));
        if (n <= 0xffff) return w.markerBE(m16, u16, @intCast(n));
        const n32 = std.math.cast(u32, n) orelse return error.OutOfMemory;
        return w.markerBE(m32, u32, n32);
    }

    /// Writes a str header for `n` bytes.
    pub fn writeStrHeader(w: *Writer, n: usize) Error!void {
        return w.header(n, 0xa0, 31, 0xd9, 0xda, 0xdb);
    }

    /// Writes a string (it should be UTF-8: the host checks it).
    pub fn writeStr(w: *Writer, s: []const u8) Error!void {
        try w.writeStrHeader(s.len);
        return w.writeAll(s);
    }

    /// Writes bytes as bin; an empty byte string is `90` (ABI 8, vector `bytes_empty`).
    pub fn writeBin(w: *Writer, b: []const u8) Error!void {
        if (b.len == 0) return w.writeByte(0x90);
        if (b.len <= 0xff) {
            try w.markerBE(0xc4, u8, @intCast(b.len));
        } else if (b.len <= 0xffff) {
            try w.markerBE(0xc5, u16, @intCast(b.len));
        } else {
            try w.markerBE(0xc6, u32, std.math.cast(u32, b.len) orelse return error.OutOfMemory);
        }
        return w.writeAll(b);
    }

    /// Writes an array header; `n` values follow.
    pub fn writeArrayHeader(w: *Writer, n: usize) Error!void {
        return w.header(n, 0x90, 15, null, 0xdc, 0xdd);
    }

    /// Writes a map header; `n` key-value pairs follow.
    pub fn writeMapHeader(w: *Writer, n: usize) Error!void {
        return w.header(n, 0x80, 15, null, 0xde, 0xdf);
    }

    /// Writes an extension value in its smallest form.
    pub fn writeExt(w: *Writer, ext_type: i8, data: []const u8) Error!void {
        const t: u8 = @bitCast(ext_type);
        switch (data.len) {
            1 => try w.writeAll(&.{ 0xd4, t }),
            2 => try w.writeAll(&.{ 0xd5, t }),
            4 => try w.writeAll(&.{ 0xd6, t }),
            8 => try w.writeAll(&.{ 0xd7, t }),
            16 => try w.writeAll(&.{ 0xd8, t }),
            else => {
                if (data.len <= 0xff) {
                    try w.markerBE(0xc7, u8, @intCast(data.len));
                } else if (data.len <= 0xffff) {
                    try w.markerBE(0xc8, u16, @intCast(data.len));
                } else {
                    try w.markerBE(0xc9, u32, std.math.cast(u32, data.len) orelse return error.OutOfMemory);
                }
                try w.writeByte(t);
            },
        }
        return w.writeAll(data);
    }
};

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/// Reads MessagePack from a byte slice. Every length is checked against the bytes present before
/// it is used, nesting deeper than `max_depth` is refused, and a failure leaves a message in
/// `message` and returns `error.Decode`.
pub const Reader = struct {
    buf: []const u8,
    pos: usize = 0,
    depth: u32 = 0,
    /// Copy strings and bytes into the allocator instead of borrowing them from `buf` (for
    /// buffers that are freed before the decoded value is used).
    copy: bool = false,
    /// Why the last decode failed.
    message: []const u8 = "",
    msg_buf: [200]u8 = undefined,

    pub const Error = error{ Decode, OutOfMemory };

    pub fn init(buf: []const u8) Reader {
        return .{ .buf = buf };
    }

    /// Records a message and returns `error.Decode`.
    pub fn fail(r: *Reader, comptime fmt: []const u8, args: anytype) error{Decode} {
        r.message = std.fmt.bufPrint(&r.msg_buf, fmt, args) catch blk: {
            const dots = "...";
            @memcpy(r.msg_buf[r.msg_buf.len - dots.len ..], dots);
            break :blk &r.msg_buf;
        };
        return error.Decode;
    }

    /// Bytes not read yet.
    pub fn remaining(r: *const Reader) usize {
        return r.buf.len - r.pos;
    }

    pub fn atEnd(r: *const Reader) bool {
        return r.pos >= r.buf.len;
    }

    /// The next marker byte, not consumed.
    pub fn peek(r: *Reader) error{Decode}!u8 {
        if (r.pos >= r.buf.len) return r.fail("unexpected end of input at byte {d}", .{r.pos});
        return r.buf[r.pos];
    }

    fn byte(r: *Reader) error{Decode}!u8 {
        const b = try r.peek();
        r.pos += 1;
        return b;
    }

    /// Takes `n` bytes, checked against what is present.
    pub fn take(r: *Reader, n: usize) error{Decode}![]const u8 {
        if (n > r.remaining()) {
            return r.fail("{d} bytes announced at byte {d} but only {d} present", .{ n, r.pos, r.remaining() });
        }
        const s = r.buf[r.pos..][0..n];
        r.pos += n;
        return s;
    }

    fn be(r: *Reader, comptime T: type) error{Decode}!T {
        const s = try r.take(@sizeOf(T));
        return std.mem.readInt(T, s[0..@sizeOf(T)], .big);
    }

    /// The name of the kind of value a marker starts, for messages.
    pub fn kindName(marker: u8) []const u8 {
        return switch (marker) {
            0x00...0x7f, 0xe0...0xff, 0xcc...0xd3 => "an integer",
            0x80...0x8f, 0xde, 0xdf => "a map",
            0x90...0x9f, 0xdc, 0xdd => "an array",
            0xa0...0xbf, 0xd9...0xdb => "a string",
            0xc0 => "nil",
            0xc1 => "the reserved byte c1",
            0xc2, 0xc3 => "a bool",
            0xc4...0xc6 => "bin",
            0xc7...0xc9, 0xd4...0xd8 => "an extension",
            0xca => "a float 32",
            0xcb => "a float 64",
        };
    }

    fn expected(r: *Reader, what: []const u8, marker: u8) error{Decode} {
        return r.fail("expected {s}, found {s} at byte {d}", .{ what, kindName(marker), r.pos });
    }

    /// Whether the next value is nil (not consumed).
    pub fn nextIsNil(r: *Reader) bool {
        return r.pos < r.buf.len and r.buf[r.pos] == 0xc0;
    }

    pub fn readNil(r: *Reader) error{Decode}!void {
        const m = try r.peek();
        if (m != 0xc0) return r.expected("nil", m);
        r.pos += 1;
    }

    pub fn readBool(r: *Reader) error{Decode}!bool {
        const m = try r.peek();
        switch (m) {
            0xc2, 0xc3 => {
                r.pos += 1;
                return m == 0xc3;
            },
            else => return r.expected("a bool", m),
        }
    }

    /// An integer as read: negative values are `.neg`, every other one `.pos`.
    pub const Int = union(enum) { pos: u64, neg: i64 };

    pub fn readIntAny(r: *Reader) error{Decode}!Int {
        const m = try r.peek();
        const v: i128 = switch (m) {
            0x00...0x7f => m,
            0xe0...0xff => @as(i8, @bitCast(m)),
            0xcc...0xd3 => blk: {
                r.pos += 1;
                break :blk switch (m) {
                    0xcc => try r.be(u8),
                    0xcd => try r.be(u16),
                    0xce => try r.be(u32),
                    0xcf => try r.be(u64),
                    0xd0 => try r.be(i8),
                    0xd1 => try r.be(i16),
                    0xd2 => try r.be(i32),
                    0xd3 => try r.be(i64),
                    else => unreachable,
                };
            },
            else => return r.expected("an integer", m),
        };
        if (m <= 0x7f or m >= 0xe0) r.pos += 1;
        return if (v < 0) .{ .neg = @intCast(v) } else .{ .pos = @intCast(v) };
    }

    /// An integer of type `T`; a value out of `T`'s range is an error.
    pub fn readInt(r: *Reader, comptime T: type) error{Decode}!T {
        const start = r.pos;
        const v = try r.readIntAny();
        const out: ?T = switch (v) {
            .pos => |p| std.math.cast(T, p),
            .neg => |n| std.math.cast(T, n),
        };
        return out orelse switch (v) {
            inline else => |x| r.fail("integer {d} at byte {d} is out of range for {s}", .{ x, start, @typeName(T) }),
        };
    }

    /// A float: float 64, float 32 or an integer for `f64`; float 32 or an integer for `f32`
    /// (a float 64 only when it converts exactly).
    pub fn readFloat(r: *Reader, comptime T: type) error{Decode}!T {
        const m = try r.peek();
        switch (m) {
            0xca => {
                r.pos += 1;
                const f: f32 = @bitCast(try r.be(u32));
                return f;
            },
            0xcb => {
                r.pos += 1;
                const f: f64 = @bitCast(try r.be(u64));
                if (T == f64) return f;
                const g: T = @floatCast(f);
                if (@as(f64, g) == f or std.math.isNan(f)) return g;
                return r.fail("the float 64 at byte {d} does not convert exactly to f32", .{r.pos - 9});
            },
            0x00...0x7f, 0xe0...0xff, 0xcc...0xd3 => return switch (try r.readIntAny()) {
                inline else => |x| @floatFromInt(x),
            },
            else => return r.expected("a float", m),
        }
    }

    fn strLen(r: *Reader) error{Decode}!?usize {
        const m = try r.peek();
        const n: usize = switch (m) {
            0xa0...0xbf => m & 0x1f,
            0xd9 => blk: {
                r.pos += 1;
                break :blk try r.be(u8);
            },
            0xda => blk: {
                r.pos += 1;
                break :blk try r.be(u16);
            },
            0xdb => blk: {
                r.pos += 1;
                break :blk try r.be(u32);
            },
            else => return null,
        };
        if (m <= 0xbf) r.pos += 1;
        return n;
    }

    /// A string, checked to be UTF-8, borrowed from the input (copied into `gpa` when `copy`).
    pub fn readStr(r: *Reader, gpa: Allocator) Error![]const u8 {
        const m = try r.peek();
        const n = (try r.strLen()) orelse return r.expected("a string", m);
        const start = r.pos;
        const s = try r.take(n);
        if (!std.unicode.utf8ValidateSlice(s)) return r.fail("the string at byte {d} is not valid UTF-8", .{start});
        return if (r.copy) try gpa.dupe(u8, s) else s;
    }

    /// Like `readStr`, always borrowing (map keys and variant names, compared and dropped).
    pub fn readStrBorrowed(r: *Reader) error{Decode}![]const u8 {
        const saved = r.copy;
        r.copy = false;
        defer r.copy = saved;
        return r.readStr(undefined) catch |e| switch (e) {
            error.OutOfMemory => unreachable,
            error.Decode => error.Decode,
        };
    }

    /// Bytes: bin (borrowed, or copied when `copy`), or an array of integers 0-255 (ABI 8).
    pub fn readBin(r: *Reader, gpa: Allocator) Error![]const u8 {
        const m = try r.peek();
        const n: usize = switch (m) {
            0xc4 => blk: {
                r.pos += 1;
                break :blk try r.be(u8);
            },
            0xc5 => blk: {
                r.pos += 1;
                break :blk try r.be(u16);
            },
            0xc6 => blk: {
                r.pos += 1;
                break :blk try r.be(u32);
            },
            0x90...0x9f, 0xdc, 0xdd => {
                const count = try r.readArrayHeader();
                const out = try gpa.alloc(u8, count);
                for (out) |*b| b.* = try r.readInt(u8);
                r.leave();
                return out;
            },
            else => return r.expected("bytes", m),
        };
        const s = try r.take(n);
        return if (r.copy) try gpa.dupe(u8, s) else s;
    }

    fn enter(r: *Reader) error{Decode}!void {
        if (r.depth >= max_depth) return r.fail("values nested deeper than {d} levels at byte {d}", .{ max_depth, r.pos });
        r.depth += 1;
    }

    /// Ends an array or map begun with `readArrayHeader` / `readMapHeader`.
    pub fn leave(r: *Reader) void {
        r.depth -= 1;
    }

    fn containerLen(r: *Reader, fix_lo: u8, m16: u8, m32: u8) error{Decode}!?usize {
        const m = try r.peek();
        if (m >= fix_lo and m <= fix_lo + 15) {
            r.pos += 1;
            return m & 0x0f;
        }
        if (m == m16) {
            r.pos += 1;
            return try r.be(u16);
        }
        if (m == m32) {
            r.pos += 1;
            return try r.be(u32);
        }
        return null;
    }

    /// An array header: the number of values that follow. Enters one level of nesting (call
    /// `leave` after the values). The count is checked against the bytes present.
    pub fn readArrayHeader(r: *Reader) error{Decode}!usize {
        const m = try r.peek();
        const at = r.pos;
        const n = (try r.containerLen(0x90, 0xdc, 0xdd)) orelse return r.expected("an array", m);
        if (n > r.remaining()) return r.fail("array of {d} values at byte {d} but only {d} bytes left", .{ n, at, r.remaining() });
        try r.enter();
        return n;
    }

    /// A map header: the number of key-value pairs that follow. Enters one level of nesting.
    pub fn readMapHeader(r: *Reader) error{Decode}!usize {
        const m = try r.peek();
        const at = r.pos;
        const n = (try r.containerLen(0x80, 0xde, 0xdf)) orelse return r.expected("a map", m);
        if (n > r.remaining() / 2) return r.fail("map of {d} entries at byte {d} but only {d} bytes left", .{ n, at, r.remaining() });
        try r.enter();
        return n;
    }

    /// An extension value: its type and data (borrowed, or copied when `copy`).
    pub fn readExt(r: *Reader, gpa: Allocator) Error!Value.Ext {
        const m = try r.peek();
        const n: usize = switch (m) {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => blk: {
                r.pos += 1;
                break :blk try r.be(u8);
            },
            0xc8 => blk: {
                r.pos += 1;
                break :blk try r.be(u16);
            },
            0xc9 => blk: {
                r.pos += 1;
                break :blk try r.be(u32);
            },
            else => return r.expected("an extension", m),
        };
        if (m >= 0xd4) r.pos += 1;
        const t: i8 = @bitCast(try r.byte());
        const data = try r.take(n);
        return .{ .type = t, .data = if (r.copy) try gpa.dupe(u8, data) else data };
    }

    /// Skips one value of any kind (with the same depth limit).
    pub fn skip(r: *Reader) error{Decode}!void {
        const m = try r.peek();
        switch (m) {
            0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3 => r.pos += 1,
            0xcc...0xd3 => _ = try r.readIntAny(),
            0xca => _ = try r.take(5),
            0xcb => _ = try r.take(9),
            0xa0...0xbf, 0xd9...0xdb => _ = try r.take((try r.strLen()).?),
            0xc4 => {
                r.pos += 1;
                _ = try r.take(try r.be(u8));
            },
            0xc5 => {
                r.pos += 1;
                _ = try r.take(try r.be(u16));
            },
            0xc6 => {
                r.pos += 1;
                _ = try r.take(try r.be(u32));
            },
            0xc7...0xc9, 0xd4...0xd8 => {
                const saved = r.copy;
                r.copy = false;
                defer r.copy = saved;
                _ = r.readExt(undefined) catch |e| return switch (e) {
                    error.OutOfMemory => unreachable,
                    error.Decode => error.Decode,
                };
            },
            0x90...0x9f, 0xdc, 0xdd => {
                const n = try r.readArrayHeader();
                for (0..n) |_| try r.skip();
                r.leave();
            },
            0x80...0x8f, 0xde, 0xdf => {
                const n = try r.readMapHeader();
                for (0..n) |_| {
                    try r.skip();
                    try r.skip();
                }
                r.leave();
            },
            0xc1 => return r.fail("the reserved byte c1 at byte {d}", .{r.pos}),
        }
    }
};

// ---------------------------------------------------------------------------------------------
// Typed encoding and decoding by reflection
// ---------------------------------------------------------------------------------------------

fn hasHook(comptime T: type, comptime name: []const u8) bool {
    return switch (@typeInfo(T)) {
        .@"struct", .@"union", .@"enum", .@"opaque" => @hasDecl(T, name),
        else => false,
    };
}

/// Whether `T` is written as a MessagePack str (byte slices and pointers to byte arrays).
fn isString(comptime T: type) bool {
    return switch (@typeInfo(T)) {
        .pointer => |p| switch (p.size) {
            .slice => p.child == u8,
            .one => switch (@typeInfo(p.child)) {
                .array => |a| a.child == u8,
                else => false,
            },
            else => false,
        },
        else => false,
    };
}

fn nonComptimeFieldCount(comptime fields: []const std.builtin.Type.StructField) usize {
    comptime var n = 0;
    inline for (fields) |f| {
        if (!f.is_comptime) n += 1;
    }
    return n;
}

/// Writes `value` as MessagePack (see the table at the top of this file).
pub fn encode(w: *Writer, value: anytype) Writer.Error!void {
    const T = @TypeOf(value);
    if (comptime hasHook(T, "wabiEncode")) return value.wabiEncode(w);
    if (comptime isString(T)) return w.writeStr(value);
    switch (@typeInfo(T)) {
        .void, .null => return w.writeNil(),
        .bool => return w.writeBool(value),
        .int, .comptime_int => return w.writeInt(value),
        .float => |f| switch (f.bits) {
            32 => return w.writeF32(value),
            64 => return w.writeF64(value),
            else => @compileError("wabi: only f32 and f64 have a MessagePack form, not " ++ @typeName(T)),
        },
        .comptime_float => return w.writeF64(value),
        .optional => return if (value) |v| encode(w, v) else w.writeNil(),
        .enum_literal => return w.writeStr(@tagName(value)),
        .@"enum" => |e| {
            if (e.is_exhaustive) return w.writeStr(@tagName(value));
            if (std.enums.tagName(T, value)) |name| return w.writeStr(name);
            return w.writeInt(@intFromEnum(value));
        },
        .pointer => |p| switch (p.size) {
            .one => return encode(w, value.*),
            .slice => {
                try w.writeArrayHeader(value.len);
                for (value) |item| try encode(w, item);
            },
            else => @compileError("wabi cannot encode the many-item pointer " ++ @typeName(T) ++ "; use a slice"),
        },
        .array => {
            try w.writeArrayHeader(value.len);
            for (value) |item| try encode(w, item);
        },
        .@"struct" => |s| {
            // Comptime fields are written too: literals such as `.{ 1, "x" }` consist of them.
            if (s.is_tuple) {
                try w.writeArrayHeader(s.fields.len);
                inline for (s.fields) |f| try encode(w, @field(value, f.name));
            } else {
                try w.writeMapHeader(s.fields.len);
                inline for (s.fields) |f| {
                    try w.writeStr(f.name);
                    try encode(w, @field(value, f.name));
                }
            }
        },
        .@"union" => |u| {
            if (u.tag_type == null) @compileError("wabi: the union " ++ @typeName(T) ++ " needs a tag (union(enum)) to be encoded");
            switch (value) {
                inline else => |payload, tag| {
                    if (@TypeOf(payload) == void) return w.writeStr(@tagName(tag));
                    try w.writeMapHeader(1);
                    try w.writeStr(@tagName(tag));
                    try encode(w, payload);
                },
            }
        },
        else => @compileError("wabi cannot encode " ++ @typeName(T)),
    }
}

/// Encodes `value` into a new buffer from `gpa`.
pub fn encodeAlloc(gpa: Allocator, value: anytype) Writer.Error![]u8 {
    var w = Writer.init(gpa);
    errdefer w.deinit();
    try encode(&w, value);
    return w.written();
}

/// Reads a `T` (see the table at the top of this file). Strings and bytes borrow from the
/// reader's buffer unless `r.copy`; slices, pointers and copies are allocated from `gpa` (an
/// arena is the natural choice: nothing is freed on error).
pub fn decode(comptime T: type, r: *Reader, gpa: Allocator) Reader.Error!T {
    if (comptime hasHook(T, "wabiDecode")) return T.wabiDecode(r, gpa);
    switch (@typeInfo(T)) {
        .void => return r.readNil(),
        .bool => return r.readBool(),
        .int => |i| {
            if (i.bits > 64) @compileError("wabi: integers wider than 64 bits are not part of ABI v1 (" ++ @typeName(T) ++ ")");
            return r.readInt(T);
        },
        .float => |f| {
            if (f.bits != 32 and f.bits != 64) @compileError("wabi: only f32 and f64 have a MessagePack form, not " ++ @typeName(T));
            return r.readFloat(T);
        },
        .optional => |o| {
            if (r.nextIsNil()) {
                r.pos += 1;
                return null;
            }
            return try decode(o.child, r, gpa);
        },
        .@"enum" => |e| {
            const at = r.pos;
            const m = try r.peek();
            if (!e.is_exhaustive and m != 0xc0 and (m <= 0x7f or m >= 0xcc and m <= 0xd3 or m >= 0xe0)) {
                return @enumFromInt(try r.readInt(e.tag_type));
            }
            const name = try r.readStrBorrowed();
            return std.meta.stringToEnum(T, name) orelse r.fail("unknown variant \"{s}\" of {s} at byte {d}", .{ name, @typeName(T), at });
        },
        .pointer => |p| switch (p.size) {
            .slice => {
                if (p.sentinel() != null) @compileError("wabi cannot decode the sentinel-terminated slice " ++ @typeName(T));
                if (p.child == u8) {
                    const s = try r.readStr(gpa);
                    if (p.is_const) return s;
                    return if (r.copy) @constCast(s) else try gpa.dupe(u8, s);
                }
                const n = try r.readArrayHeader();
                const out = try gpa.alloc(p.child, n);
                for (out) |*item| item.* = try decode(p.child, r, gpa);
                r.leave();
                return out;
            },
            .one => {
                const out = try gpa.create(p.child);
                out.* = try decode(p.child, r, gpa);
                return out;
            },
            else => @compileError("wabi cannot decode the many-item pointer " ++ @typeName(T) ++ "; use a slice"),
        },
        .array => |a| {
            var out: T = undefined;
            if (a.child == u8 and r.pos < r.buf.len and r.buf[r.pos] >= 0xc4 and r.buf[r.pos] <= 0xc6) {
                const at = r.pos;
                const b = try r.readBin(gpa);
                if (b.len != a.len) return r.fail("expected {d} bytes, found {d} at byte {d}", .{ a.len, b.len, at });
                @memcpy(&out, b);
                return out;
            }
            const at = r.pos;
            const n = try r.readArrayHeader();
            if (n != a.len) return r.fail("expected an array of {d}, found {d} values at byte {d}", .{ a.len, n, at });
            for (&out) |*item| item.* = try decode(a.child, r, gpa);
            r.leave();
            return out;
        },
        .@"struct" => |s| return decodeStruct(T, s, r, gpa),
        .@"union" => |u| {
            if (u.tag_type == null) @compileError("wabi: the union " ++ @typeName(T) ++ " needs a tag (union(enum)) to be decoded");
            const at = r.pos;
            const m = try r.peek();
            if (m >= 0xa0 and m <= 0xbf or m >= 0xd9 and m <= 0xdb) {
                const name = try r.readStrBorrowed();
                inline for (u.fields) |f| {
                    if (f.type == void and std.mem.eql(u8, name, f.name)) return @unionInit(T, f.name, {});
                }
                return r.fail("\"{s}\" at byte {d} is not a unit variant of {s}", .{ name, at, @typeName(T) });
            }
            const n = try r.readMapHeader();
            if (n != 1) return r.fail("expected a variant of {s} (a map of 1), found a map of {d} at byte {d}", .{ @typeName(T), n, at });
            const name = try r.readStrBorrowed();
            inline for (u.fields) |f| {
                if (std.mem.eql(u8, name, f.name)) {
                    const payload = try decode(f.type, r, gpa);
                    r.leave();
                    return @unionInit(T, f.name, payload);
                }
            }
            return r.fail("unknown variant \"{s}\" of {s} at byte {d}", .{ name, @typeName(T), at });
        },
        else => @compileError("wabi cannot decode " ++ @typeName(T)),
    }
}

fn decodeStruct(comptime T: type, comptime s: std.builtin.Type.Struct, r: *Reader, gpa: Allocator) Reader.Error!T {
    var out: T = undefined;
    const count = comptime nonComptimeFieldCount(s.fields);
    const at = r.pos;
    const m = try r.peek();
    if (s.is_tuple or (m >= 0x90 and m <= 0x9f) or m == 0xdc or m == 0xdd) {
        // A tuple, or a struct sent as the array of its fields in order (what serde also accepts).
        const n = try r.readArrayHeader();
        if (n != count) return r.fail("expected {d} values for {s}, found {d} at byte {d}", .{ count, @typeName(T), n, at });
        inline for (s.fields) |f| {
            if (!f.is_comptime) @field(out, f.name) = try decode(f.type, r, gpa);
        }
        r.leave();
        return out;
    }
    var seen = [_]bool{false} ** s.fields.len;
    const n = try r.readMapHeader();
    for (0..n) |_| {
        const km = try r.peek();
        if (!(km >= 0xa0 and km <= 0xbf or km >= 0xd9 and km <= 0xdb)) {
            try r.skip(); // a key that is not a name cannot be a field
            try r.skip();
            continue;
        }
        const key = try r.readStrBorrowed();
        matched: {
            inline for (s.fields, 0..) |f, i| {
                if (!f.is_comptime and std.mem.eql(u8, key, f.name)) {
                    @field(out, f.name) = try decode(f.type, r, gpa);
                    seen[i] = true;
                    break :matched;
                }
            }
            try r.skip(); // unknown fields are ignored (ABI 8)
        }
    }
    r.leave();
    inline for (s.fields, 0..) |f, i| {
        if (!f.is_comptime and !seen[i]) {
            if (f.defaultValue()) |d| {
                @field(out, f.name) = d;
            } else if (@typeInfo(f.type) == .optional) {
                @field(out, f.name) = null;
            } else {
                return r.fail("missing field \"{s}\" of {s} in the map at byte {d}", .{ f.name, @typeName(T), at });
            }
        }
    }
    return out;
}

/// Decodes one `T` from `bytes`, which must hold exactly one value.
pub fn decodeSlice(comptime T: type, input: []const u8, gpa: Allocator) Reader.Error!T {
    var r = Reader.init(input);
    const v = try decode(T, &r, gpa);
    if (!r.atEnd()) return r.fail("{d} bytes after the value", .{r.remaining()});
    return v;
}

// ---------------------------------------------------------------------------------------------
// Helper types
// ---------------------------------------------------------------------------------------------

/// A byte string written as MessagePack bin (a `[]const u8` alone is a str). Decodes from bin or
/// from an array of integers 0-255; borrows from the input like a string does.
pub const Bytes = struct {
    bytes: []const u8,

    pub fn wabiEncode(self: Bytes, w: *Writer) Writer.Error!void {
        return w.writeBin(self.bytes);
    }

    pub fn wabiDecode(r: *Reader, gpa: Allocator) Reader.Error!Bytes {
        return .{ .bytes = try r.readBin(gpa) };
    }
};

/// Wraps a slice as `Bytes`.
pub fn bytes(b: []const u8) Bytes {
    return .{ .bytes = b };
}

/// A MessagePack map with keys of type `K` and values of type `V`, kept as a slice of entries in
/// the order they were read or built (write them sorted for a canonical encoding of an ordered
/// map; `sortByKey` does so for string and integer keys).
pub fn Map(comptime K: type, comptime V: type) type {
    return struct {
        entries: []const Entry = &.{},

        const Self = @This();
        pub const Entry = struct { key: K, value: V };

        pub fn wabiEncode(self: Self, w: *Writer) Writer.Error!void {
            try w.writeMapHeader(self.entries.len);
            for (self.entries) |e| {
                try encode(w, e.key);
                try encode(w, e.value);
            }
        }

        pub fn wabiDecode(r: *Reader, gpa: Allocator) Reader.Error!Self {
            const n = try r.readMapHeader();
            const entries = try gpa.alloc(Entry, n);
            for (entries) |*e| {
                e.key = try decode(K, r, gpa);
                e.value = try decode(V, r, gpa);
            }
            r.leave();
            return .{ .entries = entries };
        }

        /// The value of the first entry whose key equals `key` (strings compare by content).
        pub fn get(self: Self, key: K) ?V {
            for (self.entries) |e| {
                if (eqlKey(e.key, key)) return e.value;
            }
            return null;
        }

        fn eqlKey(a: K, b: K) bool {
            if (comptime isString(K)) return std.mem.eql(u8, a, b);
            return std.meta.eql(a, b);
        }

        /// Sorts `entries` (which must be mutable) by key, as a Rust `BTreeMap` orders them.
        pub fn sortByKey(entries: []Entry) void {
            std.sort.pdq(Entry, entries, {}, struct {
                fn lt(_: void, a: Entry, b: Entry) bool {
                    if (comptime isString(K)) return std.mem.order(u8, a.key, b.key) == .lt;
                    return a.key < b.key;
                }
            }.lt);
        }
    };
}

/// MessagePack's timestamp extension (type -1), written in its smallest form.
pub const Timestamp = struct {
    seconds: i64,
    nanoseconds: u32 = 0,

    pub fn wabiEncode(self: Timestamp, w: *Writer) Writer.Error!void {
        var buf: [12]u8 = undefined;
        if (self.seconds >= 0 and self.seconds >> 34 == 0) {
            if (self.nanoseconds == 0 and self.seconds >> 32 == 0) {
                std.mem.writeInt(u32, buf[0..4], @intCast(self.seconds), .big);
                return w.writeExt(-1, buf[0..4]);
            }
            const v = (@as(u64, self.nanoseconds) << 34) | @as(u64, @intCast(self.seconds));
            std.mem.writeInt(u64, buf[0..8], v, .big);
            return w.writeExt(-1, buf[0..8]);
        }
        std.mem.writeInt(u32, buf[0..4], self.nanoseconds, .big);
        std.mem.writeInt(i64, buf[4..12], self.seconds, .big);
        return w.writeExt(-1, &buf);
    }

    pub fn wabiDecode(r: *Reader, gpa: Allocator) Reader.Error!Timestamp {
        _ = gpa;
        const at = r.pos;
        const saved = r.copy;
        r.copy = false;
        const ext = r.readExt(undefined) catch |e| {
            r.copy = saved;
            return switch (e) {
                error.OutOfMemory => unreachable,
                error.Decode => error.Decode,
            };
        };
        r.copy = saved;
        if (ext.type != -1) return r.fail("expected a timestamp (extension -1), found extension {d} at byte {d}", .{ ext.type, at });
        return fromExt(ext.data) orelse r.fail("a timestamp of {d} bytes at byte {d}", .{ ext.data.len, at });
    }

    fn fromExt(d: []const u8) ?Timestamp {
        switch (d.len) {
            4 => return .{ .seconds = std.mem.readInt(u32, d[0..4], .big) },
            8 => {
                const v = std.mem.readInt(u64, d[0..8], .big);
                const ns: u32 = @intCast(v >> 34);
                if (ns > 999_999_999) return null;
                return .{ .seconds = @intCast(v & ((1 << 34) - 1)), .nanoseconds = ns };
            },
            12 => {
                const ns = std.mem.readInt(u32, d[0..4], .big);
                if (ns > 999_999_999) return null;
                return .{ .seconds = std.mem.readInt(i64, d[4..12], .big), .nanoseconds = ns };
            },
            else => return null,
        }
    }
};

/// Any MessagePack value, for functions that take or return dynamic data.
pub const Value = union(enum) {
    nil,
    boolean: bool,
    /// A negative integer (any integer may be built as `.int`; it is written in its smallest form).
    int: i64,
    /// A non-negative integer (how the reader returns every integer >= 0).
    uint: u64,
    float32: f32,
    float64: f64,
    string: []const u8,
    binary: []const u8,
    array: []const Value,
    map: []const Entry,
    ext: Ext,

    pub const Entry = struct { key: Value, value: Value };
    pub const Ext = struct { type: i8, data: []const u8 };

    pub fn wabiEncode(self: Value, w: *Writer) Writer.Error!void {
        switch (self) {
            .nil => return w.writeNil(),
            .boolean => |b| return w.writeBool(b),
            .int => |i| return w.writeSint(i),
            .uint => |u| return w.writeUint(u),
            .float32 => |f| return w.writeF32(f),
            .float64 => |f| return w.writeF64(f),
            .string => |s| return w.writeStr(s),
            .binary => |b| return w.writeBin(b),
            .array => |a| {
                try w.writeArrayHeader(a.len);
                for (a) |v| try v.wabiEncode(w);
            },
            .map => |m| {
                try w.writeMapHeader(m.len);
                for (m) |e| {
                    try e.key.wabiEncode(w);
                    try e.value.wabiEncode(w);
                }
            },
            .ext => |e| return w.writeExt(e.type, e.data),
        }
    }

    pub fn wabiDecode(r: *Reader, gpa: Allocator) Reader.Error!Value {
        const m = try r.peek();
        switch (m) {
            0xc0 => {
                r.pos += 1;
                return .nil;
            },
            0xc2, 0xc3 => return .{ .boolean = try r.readBool() },
            0x00...0x7f, 0xe0...0xff, 0xcc...0xd3 => return switch (try r.readIntAny()) {
                .pos => |p| .{ .uint = p },
                .neg => |n| .{ .int = n },
            },
            0xca => return .{ .float32 = try r.readFloat(f32) },
            0xcb => return .{ .float64 = try r.readFloat(f64) },
            0xa0...0xbf, 0xd9...0xdb => return .{ .string = try r.readStr(gpa) },
            0xc4...0xc6 => return .{ .binary = try r.readBin(gpa) },
            0xc7...0xc9, 0xd4...0xd8 => return .{ .ext = try r.readExt(gpa) },
            0x90...0x9f, 0xdc, 0xdd => {
                const n = try r.readArrayHeader();
                const items = try gpa.alloc(Value, n);
                for (items) |*v| v.* = try wabiDecode(r, gpa);
                r.leave();
                return .{ .array = items };
            },
            0x80...0x8f, 0xde, 0xdf => {
                const n = try r.readMapHeader();
                const entries = try gpa.alloc(Entry, n);
                for (entries) |*e| {
                    e.key = try wabiDecode(r, gpa);
                    e.value = try wabiDecode(r, gpa);
                }
                r.leave();
                return .{ .map = entries };
            },
            0xc1 => return r.fail("the reserved byte c1 at byte {d}", .{r.pos}),
        }
    }

    /// Nesting depth of arrays and maps: a scalar is 0, `[]` is 1, `[[1]]` is 2.
    pub fn depth(self: Value) u32 {
        var deepest: u32 = 0;
        switch (self) {
            .array => |a| for (a) |v| {
                deepest = @max(deepest, v.depth());
            },
            .map => |m| for (m) |e| {
                deepest = @max(deepest, @max(e.key.depth(), e.value.depth()));
            },
            else => return 0,
        }
        return deepest + 1;
    }

    /// The value under string key `key` of a map (null for other kinds or a missing key).
    pub fn get(self: Value, key: []const u8) ?Value {
        if (self != .map) return null;
        for (self.map) |e| {
            if (e.key == .string and std.mem.eql(u8, e.key.string, key)) return e.value;
        }
        return null;
    }
};
