//! Native tests of the codec: the golden vectors of abi-spec/vectors/values.json (read at run time
//! from $WABI_VECTORS, default ../../abi-spec/vectors/values.json from guest-sdk/zig), typed
//! round trips, and the reader's limits. Run with `./test.sh` in guest-sdk/zig.

const std = @import("std");
const mp = @import("msgpack.zig");
const testing = std.testing;

const Person = struct {
    name: []const u8,
    age: u32,
    email: ?[]const u8 = null,
    tags: []const []const u8,
};

const Shape = union(enum) {
    Unit,
    Circle: f64,
    Rect: struct { w: f64, h: f64 },
    Pair: struct { i32, i32 },
};

fn unhex(gpa: std.mem.Allocator, hex: []const u8) ![]u8 {
    const out = try gpa.alloc(u8, hex.len / 2);
    return std.fmt.hexToBytes(out, hex);
}

fn encoded(gpa: std.mem.Allocator, value: anytype) ![]u8 {
    return mp.encodeAlloc(gpa, value);
}

fn vectorsJson(gpa: std.mem.Allocator) ![]u8 {
    const path = std.process.getEnvVarOwned(gpa, "WABI_VECTORS") catch "../../abi-spec/vectors/values.json";
    return std.fs.cwd().readFileAlloc(gpa, path, 1 << 20);
}

/// The hex of the vector `name`.
fn vector(gpa: std.mem.Allocator, root: std.json.Value, name: []const u8) ![]u8 {
    for (root.object.get("vectors").?.array.items) |v| {
        if (std.mem.eql(u8, v.object.get("name").?.string, name)) return unhex(gpa, v.object.get("hex").?.string);
    }
    std.debug.print("no vector {s}\n", .{name});
    return error.NoSuchVector;
}

test "every golden vector decodes as a Value and re-encodes byte for byte" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    const json = try vectorsJson(gpa);
    const root = try std.json.parseFromSliceLeaky(std.json.Value, gpa, json, .{});
    var count: usize = 0;
    for (root.object.get("vectors").?.array.items) |v| {
        const hex = v.object.get("hex").?.string;
        if (hex.len == 0) continue; // args_0: no arguments, no bytes
        const bytes = try unhex(gpa, hex);
        const value = try mp.decodeSlice(mp.Value, bytes, gpa);
        const again = try encoded(gpa, value);
        testing.expectEqualSlices(u8, bytes, again) catch |e| {
            std.debug.print("vector {s}\n", .{v.object.get("name").?.string});
            return e;
        };
        count += 1;
    }
    try testing.expect(count > 40);
}

fn checkVector(gpa: std.mem.Allocator, root: std.json.Value, name: []const u8, value: anytype) !void {
    const want = try vector(gpa, root, name);
    const got = try encoded(gpa, value);
    testing.expectEqualSlices(u8, want, got) catch |e| {
        std.debug.print("encoding vector {s}\n", .{name});
        return e;
    };
    const back = mp.decodeSlice(@TypeOf(value), want, gpa) catch |e| {
        std.debug.print("decoding vector {s}\n", .{name});
        return e;
    };
    testing.expectEqualDeep(value, back) catch |e| {
        std.debug.print("decoding vector {s}\n", .{name});
        return e;
    };
}

test "typed values reproduce the golden vectors" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    const root = try std.json.parseFromSliceLeaky(std.json.Value, gpa, try vectorsJson(gpa), .{});
    try checkVector(gpa, root, "unit", {});
    try checkVector(gpa, root, "true", true);
    try checkVector(gpa, root, "false", false);
    try checkVector(gpa, root, "u8_0", @as(u8, 0));
    try checkVector(gpa, root, "u8_127", @as(u8, 127));
    try checkVector(gpa, root, "u8_128", @as(u8, 128));
    try checkVector(gpa, root, "u16_256", @as(u16, 256));
    try checkVector(gpa, root, "u32_65536", @as(u32, 65536));
    try checkVector(gpa, root, "u64_4294967296", @as(u64, 4294967296));
    try checkVector(gpa, root, "u64_max", @as(u64, std.math.maxInt(u64)));
    try checkVector(gpa, root, "u64_small", @as(u64, 5));
    try checkVector(gpa, root, "i8_-1", @as(i8, -1));
    try checkVector(gpa, root, "i8_-32", @as(i8, -32));
    try checkVector(gpa, root, "i8_-33", @as(i8, -33));
    try checkVector(gpa, root, "i16_-129", @as(i16, -129));
    try checkVector(gpa, root, "i32_-40000", @as(i32, -40000));
    try checkVector(gpa, root, "i64_min", @as(i64, std.math.minInt(i64)));
    try checkVector(gpa, root, "i32_200", @as(i32, 200));
    try checkVector(gpa, root, "f32_1.5", @as(f32, 1.5));
    try checkVector(gpa, root, "f64_-0.1", @as(f64, -0.1));
    try checkVector(gpa, root, "str_empty", @as([]const u8, ""));
    try checkVector(gpa, root, "str_hello", @as([]const u8, "hello"));
    try checkVector(gpa, root, "str_unicode", @as([]const u8, "héllo ✓ 日本 🦀"));
    try checkVector(gpa, root, "str_32", @as([]const u8, "a" ** 32));
    try checkVector(gpa, root, "bytes_empty", mp.bytes(""));
    try checkVector(gpa, root, "bytes_3", mp.bytes(&.{ 1, 2, 3 }));
    try checkVector(gpa, root, "option_none", @as(?[]const u8, null));
    try checkVector(gpa, root, "option_some", @as(?[]const u8, "x"));
    try checkVector(gpa, root, "vec_u32", @as([]const u32, &.{ 1, 2, 300 }));
    var v16: [16]u16 = undefined;
    for (&v16, 0..) |*x, i| x.* = @intCast(i);
    try checkVector(gpa, root, "vec_16", @as([]const u16, &v16));
    const nested: []const []const []const u32 = &.{ &.{ &.{1}, &.{} }, &.{&.{ 2, 3 }} };
    try checkVector(gpa, root, "nested", nested);
    const M = mp.Map([]const u8, i64);
    try checkVector(gpa, root, "map", M{ .entries = &.{ .{ .key = "a", .value = 1 }, .{ .key = "b", .value = -2 } } });
    try checkVector(gpa, root, "struct_person", Person{ .name = "Ada", .age = 36, .email = null, .tags = &.{"math"} });
    try checkVector(gpa, root, "enum_unit", Shape.Unit);
    try checkVector(gpa, root, "enum_newtype", Shape{ .Circle = 1.5 });
    try checkVector(gpa, root, "enum_struct", Shape{ .Rect = .{ .w = 2.0, .h = 3.0 } });
    try checkVector(gpa, root, "enum_tuple", Shape{ .Pair = .{ 1, 2 } });
    try checkVector(gpa, root, "tuple", struct { i8, u16, []const u8 }{ -1, 1000, "z" });
    try checkVector(gpa, root, "args_3", struct { u8, []const u8, bool }{ 1, "two", true });
    try checkVector(gpa, root, "args_8", struct { i8, i16, i32, i64, u8, u16, u32, u64 }{ -1, -2, -3, -4, 1, 2, 3, 4 });
}

test "structs match fields by name, skip unknown ones, default missing optionals" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    // {"tags": ["x"], "extra": {"ignored": [1, 2]}, "age": 7, "name": "Bo"}
    var w = mp.Writer.init(gpa);
    try w.writeMapHeader(4);
    try mp.encode(&w, "tags");
    try mp.encode(&w, .{"x"});
    try mp.encode(&w, "extra");
    try w.writeMapHeader(1);
    try mp.encode(&w, "ignored");
    try mp.encode(&w, .{ 1, 2 });
    try mp.encode(&w, "age");
    try mp.encode(&w, 7);
    try mp.encode(&w, "name");
    try mp.encode(&w, "Bo");
    const p = try mp.decodeSlice(Person, w.written(), gpa);
    try testing.expectEqualDeep(Person{ .name = "Bo", .age = 7, .email = null, .tags = &.{"x"} }, p);

    // A missing required field is an error that names it.
    var r = mp.Reader.init(&.{ 0x81, 0xa3, 'a', 'g', 'e', 0x01 });
    try testing.expectError(error.Decode, mp.decode(Person, &r, gpa));
    try testing.expect(std.mem.indexOf(u8, r.message, "\"name\"") != null);
}

test "integers: ranges are checked, every width decodes" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    try testing.expectError(error.Decode, mp.decodeSlice(u8, &.{ 0xcd, 0x01, 0x00 }, gpa));
    try testing.expectError(error.Decode, mp.decodeSlice(u32, &.{0xff}, gpa));
    try testing.expectError(error.Decode, mp.decodeSlice(i8, &.{ 0xcc, 0x80 }, gpa));
    try testing.expectEqual(@as(i64, 1), try mp.decodeSlice(i64, &.{ 0xd3, 0, 0, 0, 0, 0, 0, 0, 1 }, gpa));
    try testing.expectEqual(@as(u16, 5), try mp.decodeSlice(u16, &.{ 0xcf, 0, 0, 0, 0, 0, 0, 0, 5 }, gpa));
    inline for (.{ i8, i16, i32, i64, u8, u16, u32, u64 }) |T| {
        for ([_]T{ std.math.minInt(T), std.math.maxInt(T), 0, 1 }) |x| {
            try testing.expectEqual(x, try mp.decodeSlice(T, try encoded(gpa, x), gpa));
        }
    }
    // f32 stays float 32, f64 float 64; an integer is accepted where a float is expected.
    try testing.expectEqualSlices(u8, &.{ 0xca, 0x3f, 0xc0, 0, 0 }, try encoded(gpa, @as(f32, 1.5)));
    try testing.expectEqual(@as(f64, 3), try mp.decodeSlice(f64, &.{0x03}, gpa));
}

test "bytes: bin, empty bin, and an array of integers are all accepted" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    try testing.expectEqualSlices(u8, &.{}, (try mp.decodeSlice(mp.Bytes, &.{ 0xc4, 0x00 }, gpa)).bytes);
    try testing.expectEqualSlices(u8, &.{}, (try mp.decodeSlice(mp.Bytes, &.{0x90}, gpa)).bytes);
    try testing.expectEqualSlices(u8, &.{ 1, 255 }, (try mp.decodeSlice(mp.Bytes, &.{ 0x92, 0x01, 0xcc, 0xff }, gpa)).bytes);
    try testing.expectError(error.Decode, mp.decodeSlice(mp.Bytes, &.{ 0x91, 0xcd, 0x01, 0x00 }, gpa));
}

test "depth: 128 levels are accepted, 129 refused without a stack overflow" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    var ok = [_]u8{0x91} ** 127 ++ [_]u8{0x90};
    const v = try mp.decodeSlice(mp.Value, &ok, gpa);
    try testing.expectEqual(@as(u32, 128), v.depth());
    var r = mp.Reader.init(&ok);
    try r.skip();
    const deep = [_]u8{0x91} ** 128 ++ [_]u8{0x90};
    try testing.expectError(error.Decode, mp.decodeSlice(mp.Value, &deep, gpa));
    r = mp.Reader.init(&deep);
    try testing.expectError(error.Decode, r.skip());
    const deeper = [_]u8{0x81} ** 1 ++ ([_]u8{ 0xa1, 'k', 0x81 } ** 200) ++ [_]u8{0xc0};
    r = mp.Reader.init(&deeper);
    try testing.expectError(error.Decode, mp.decode(mp.Value, &r, gpa));
}

test "lengths are checked before anything is allocated" {
    const gpa = testing.allocator; // leaks or huge allocations fail the test
    const cases = [_][]const u8{
        &.{ 0xdd, 0xff, 0xff, 0xff, 0xff },
        &.{ 0xdf, 0xff, 0xff, 0xff, 0xff, 0x00 },
        &.{ 0xdb, 0xff, 0xff, 0xff, 0xff },
        &.{ 0xc6, 0x7f, 0xff, 0xff, 0xff },
        &.{ 0xc9, 0x7f, 0xff, 0xff, 0xff, 0x01 },
        &.{ 0xcf, 0x00 },
        &.{0xc1},
        &.{ 0x92, 0x01 },
    };
    for (cases) |c| {
        var arena = std.heap.ArenaAllocator.init(gpa);
        defer arena.deinit();
        try testing.expectError(error.Decode, mp.decodeSlice(mp.Value, c, arena.allocator()));
        var r = mp.Reader.init(c);
        try testing.expectError(error.Decode, r.skip());
        var r2 = mp.Reader.init(c);
        try testing.expectError(error.Decode, mp.decode([]const []const u8, &r2, arena.allocator()));
    }
}

test "strings must be UTF-8; copies outlive the input" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    try testing.expectError(error.Decode, mp.decodeSlice([]const u8, &.{ 0xa1, 0xff }, gpa));
    var input = [_]u8{ 0xa2, 'h', 'i' };
    var r = mp.Reader.init(&input);
    r.copy = true;
    const s = try mp.decode([]const u8, &r, gpa);
    input[1] = 'X';
    try testing.expectEqualStrings("hi", s);
}

test "enums, unions, timestamps, maps" {
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const gpa = arena.allocator();
    const Color = enum { red, green };
    try testing.expectEqual(Color.green, try mp.decodeSlice(Color, try encoded(gpa, Color.green), gpa));
    try testing.expectError(error.Decode, mp.decodeSlice(Color, try encoded(gpa, "blue"), gpa));
    for ([_]Shape{ .Unit, .{ .Circle = -2.5 }, .{ .Rect = .{ .w = 1, .h = 2 } }, .{ .Pair = .{ -7, 9 } } }) |s| {
        try testing.expectEqualDeep(s, try mp.decodeSlice(Shape, try encoded(gpa, s), gpa));
    }
    try testing.expectError(error.Decode, mp.decodeSlice(Shape, try encoded(gpa, "Circle"), gpa));
    for ([_]mp.Timestamp{ .{ .seconds = 1 }, .{ .seconds = 1, .nanoseconds = 5 }, .{ .seconds = -1, .nanoseconds = 7 }, .{ .seconds = 1 << 40 } }) |t| {
        try testing.expectEqualDeep(t, try mp.decodeSlice(mp.Timestamp, try encoded(gpa, t), gpa));
    }
    try testing.expectEqualSlices(u8, &.{ 0xd6, 0xff, 0, 0, 0, 1 }, try encoded(gpa, mp.Timestamp{ .seconds = 1 }));
    const M = mp.Map([]const u8, []const u32);
    var entries = [_]M.Entry{ .{ .key = "z", .value = &.{} }, .{ .key = "a", .value = &.{ 1, 2 } } };
    M.sortByKey(&entries);
    const m = M{ .entries = &entries };
    const back = try mp.decodeSlice(M, try encoded(gpa, m), gpa);
    try testing.expectEqualStrings("a", back.entries[0].key);
    try testing.expectEqualSlices(u32, &.{ 1, 2 }, back.get("a").?);
}

test "a fixed writer refuses to overflow; a spare buffer takes over" {
    var small: [4]u8 = undefined;
    var w = mp.Writer.fixed(&small);
    try testing.expectError(error.OutOfMemory, w.writeStr("hello"));
    var w2 = mp.Writer.fixed(&small);
    w2.gpa = testing.allocator;
    w2.spare = try testing.allocator.alignedAlloc(u8, 8, 32);
    try w2.writeStr("hello world");
    try testing.expect(w2.owned);
    try testing.expectEqualSlices(u8, "\xabhello world", w2.written());
    w2.deinit();
}
