//! Native tests of outbound HTTP (http.zig): requests against the golden `request_*` vectors of
//! abi-spec/vectors/http.json (read at run time from $WABI_HTTP_VECTORS, default
//! ../../abi-spec/vectors/http.json from guest-sdk/zig), the `ok_*` and `error_*` answers, and
//! answers that break the rules. Run with `./test.sh` in guest-sdk/zig. The allocator is
//! std.testing's, so every test also checks that nothing leaks.

const std = @import("std");
const http = @import("http.zig");
const mp = @import("msgpack.zig");
const testing = std.testing;

const Vectors = struct {
    arena: std.heap.ArenaAllocator,
    root: std.json.Value,

    /// Reads the vectors into `v` (in place: its arena must not move).
    fn load(v: *Vectors) !void {
        v.arena = std.heap.ArenaAllocator.init(testing.allocator);
        errdefer v.arena.deinit();
        const a = v.arena.allocator();
        const path = std.process.getEnvVarOwned(a, "WABI_HTTP_VECTORS") catch "../../abi-spec/vectors/http.json";
        const json = try std.fs.cwd().readFileAlloc(a, path, 1 << 20);
        v.root = try std.json.parseFromSliceLeaky(std.json.Value, a, json, .{});
    }

    fn deinit(v: *Vectors) void {
        v.arena.deinit();
    }

    fn find(v: *Vectors, name: []const u8) !std.json.ObjectMap {
        for (v.root.object.get("vectors").?.array.items) |item| {
            if (std.mem.eql(u8, item.object.get("name").?.string, name)) return item.object;
        }
        std.debug.print("no vector {s}\n", .{name});
        return error.NoSuchVector;
    }

    /// The bytes of vector `name`.
    fn bytes(v: *Vectors, name: []const u8) ![]u8 {
        const hex = (try v.find(name)).get("hex").?.string;
        const out = try v.arena.allocator().alloc(u8, hex.len / 2);
        return std.fmt.hexToBytes(out, hex);
    }

    fn description(v: *Vectors, name: []const u8) ![]const u8 {
        return (try v.find(name)).get("description").?.string;
    }
};

fn encoded(req: http.Request) ![]u8 {
    var w = mp.Writer.init(testing.allocator);
    defer w.deinit();
    try req.encode(&w);
    return testing.allocator.dupe(u8, w.written());
}

test "requests encode as the golden request_* vectors" {
    var v: Vectors = undefined;
    try v.load();
    defer v.deinit();

    var get = http.Request.init(testing.allocator, "GET", "http://127.0.0.1:8080/users/7");
    defer get.deinit();
    const get_bytes = try encoded(get);
    defer testing.allocator.free(get_bytes);
    try testing.expectEqualSlices(u8, try v.bytes("request_get"), get_bytes);

    var post = http.Request.init(testing.allocator, "POST", "https://api.example.com/v1/check");
    defer post.deinit();
    try post.header("content-type", "application/json");
    try post.header("x-tag", "a");
    try post.header("x-tag", "b");
    post.body("{\"id\":7}");
    const post_bytes = try encoded(post);
    defer testing.allocator.free(post_bytes);
    try testing.expectEqualSlices(u8, try v.bytes("request_post"), post_bytes);

    // The request decodes back as the same map (as a host reads it).
    const Wire = struct { method: []const u8, url: []const u8, headers: []const http.Header, body: mp.Bytes };
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    const back = try mp.decodeSlice(Wire, post_bytes, arena.allocator());
    try testing.expectEqualStrings("POST", back.method);
    try testing.expectEqual(@as(usize, 3), back.headers.len);
    try testing.expectEqualStrings("b", back.headers[2].value);
    try testing.expectEqualStrings("{\"id\":7}", back.body.bytes);
}

test "many headers are sent in order" {
    var req = http.Request.init(testing.allocator, "DELETE", "https://example.com/");
    defer req.deinit();
    var names: [40][8]u8 = undefined;
    for (&names, 0..) |*n, i| try req.header(try std.fmt.bufPrint(n, "x-h{d}", .{i}), "v");
    const got = try encoded(req);
    defer testing.allocator.free(got);
    var arena = std.heap.ArenaAllocator.init(testing.allocator);
    defer arena.deinit();
    var r = mp.Reader.init(got);
    const Wire = struct { method: []const u8, url: []const u8, headers: []const http.Header, body: mp.Bytes };
    const back = try mp.decode(Wire, &r, arena.allocator());
    try testing.expect(r.atEnd());
    try testing.expectEqual(@as(usize, 40), back.headers.len);
    try testing.expectEqualStrings("x-h39", back.headers[39].name);
    try testing.expectEqual(@as(u8, 0x90), got[got.len - 1]); // an empty body is 90
}

test "Ok answers decode as responses; header() is case-insensitive" {
    var v: Vectors = undefined;
    try v.load();
    defer v.deinit();

    var ok = try http.decodeEnvelope(testing.allocator, try v.bytes("ok_200"));
    defer ok.deinit(testing.allocator);
    const resp = ok.ok;
    try testing.expectEqual(@as(u16, 200), resp.status);
    try testing.expectEqual(@as(usize, 1), resp.headers.len);
    try testing.expectEqualStrings("content-type", resp.headers[0].name);
    try testing.expectEqualStrings("text/plain", resp.header("Content-Type").?);
    try testing.expectEqualStrings("text/plain", resp.header("CONTENT-TYPE").?);
    try testing.expect(resp.header("content-typ") == null);
    try testing.expectEqualStrings("ok", resp.body);

    var empty = try http.decodeEnvelope(testing.allocator, try v.bytes("ok_204_empty"));
    defer empty.deinit(testing.allocator);
    try testing.expectEqual(@as(u16, 204), empty.ok.status);
    try testing.expectEqual(@as(usize, 0), empty.ok.headers.len);
    try testing.expectEqual(@as(usize, 0), empty.ok.body.len);
}

test "every error_* answer: its kind, the kind's name, the host's message" {
    var v: Vectors = undefined;
    try v.load();
    defer v.deinit();
    const kinds = [_]struct { []const u8, http.ErrorKind }{
        .{ "error_denied", .denied },
        .{ "error_timeout", .timeout },
        .{ "error_too_large", .too_large },
        .{ "error_connect", .connect },
        .{ "error_limit", .limit },
        .{ "error_bad_request", .bad_request },
        .{ "error_too_many_redirects", .too_many_redirects },
    };
    for (kinds) |k| {
        var res = try http.decodeEnvelope(testing.allocator, try v.bytes(k[0]));
        defer res.deinit(testing.allocator);
        const e = res.err;
        try testing.expectEqual(k[1], e.kind);
        try testing.expectEqualStrings(k[1].wireName(), e.kind_name);
        try testing.expectEqualStrings(k[0]["error_".len..], e.kind_name);
        try testing.expectEqualStrings(try v.description(k[0]), e.message);
    }
}

/// An envelope of `status` and `body` (in testing.allocator).
fn envelope(status: u32, body: []const u8) ![]u8 {
    const e = try testing.allocator.alloc(u8, 8 + body.len);
    std.mem.writeInt(u32, e[0..4], status, .little);
    std.mem.writeInt(u32, e[4..8], @intCast(body.len), .little);
    @memcpy(e[8..], body);
    return e;
}

fn errorEnvelope(message: []const u8, value: []const u8) ![]u8 {
    const body = try testing.allocator.alloc(u8, 8 + message.len + value.len);
    defer testing.allocator.free(body);
    std.mem.writeInt(u32, body[0..4], @intCast(message.len), .little);
    std.mem.writeInt(u32, body[4..8], @intCast(value.len), .little);
    @memcpy(body[8..][0..message.len], message);
    @memcpy(body[8 + message.len ..], value);
    return envelope(1, body);
}

/// Decodes `env` (and frees it), expecting an error of `kind` named `kind_name` whose message
/// starts with `message`.
fn expectError(env: []u8, kind: http.ErrorKind, kind_name: []const u8, message: []const u8) !void {
    defer testing.allocator.free(env);
    var res = try http.decodeEnvelope(testing.allocator, env);
    defer res.deinit(testing.allocator);
    switch (res) {
        .ok => return error.TestExpectedError,
        .err => |e| {
            try testing.expectEqual(kind, e.kind);
            try testing.expectEqualStrings(kind_name, e.kind_name);
            if (!std.mem.startsWith(u8, e.message, message)) {
                std.debug.print("message \"{s}\", want \"{s}...\"\n", .{ e.message, message });
                return error.TestUnexpectedMessage;
            }
        },
    }
}

test "an unknown kind is connect with its name kept; a value without a kind is connect" {
    try expectError(try errorEnvelope("http: a teapot", "\x82\xa4kind\xa6teapot\xa5extra\xc3"), .connect, "teapot", "http: a teapot");
    try expectError(try errorEnvelope("no value", ""), .connect, "connect", "no value");
    try expectError(try errorEnvelope("kind not a str", "\x81\xa4kind\x07"), .connect, "connect", "kind not a str");
    try expectError(try errorEnvelope("value not a map", "\x91\xa6denied"), .connect, "connect", "value not a map");
    try expectError(try errorEnvelope("a key not a str", "\x82\x01\x02\xa4kind\xa5limit"), .limit, "limit", "a key not a str");
    try testing.expectEqual(http.ErrorKind.too_large, http.ErrorKind.parse("too_large"));
    try testing.expectEqual(http.ErrorKind.connect, http.ErrorKind.parse("Denied"));
}

test "answers that break the rules are connect errors, and leak nothing" {
    try expectError(try envelope(3, "bad args"), .connect, "connect", "http: the host answered with status 3 (not 0 or 1)");
    try expectError(try envelope(2, ""), .connect, "connect", "http: the host answered with status 2");
    try expectError(try testing.allocator.dupe(u8, "\x00\x00\x00"), .connect, "connect", "http: the host answered with an invalid envelope");
    var lies = try envelope(0, "\xc0");
    lies[4] = 99;
    try expectError(lies, .connect, "connect", "http: the host answered with an invalid envelope");
    try expectError(try envelope(1, "\x05\x00\x00\x00\x00\x00\x00\x00abc"), .connect, "connect", "http: the host answered with an invalid envelope: error body lengths");
    try expectError(try errorEnvelope("\xff", ""), .connect, "connect", "http: the host answered with an invalid envelope: error message is not valid UTF-8");
    const undecodable = "http: the host's response does not decode";
    try expectError(try envelope(0, "\xc0"), .connect, "connect", undecodable);
    try expectError(try envelope(0, "\x81\xa4body\x90"), .connect, "connect", undecodable ++ ": missing field \"status\"");
    try expectError(try envelope(0, "\x81\xa6status\x00"), .connect, "connect", undecodable ++ ": its status is 0");
    try expectError(try envelope(0, "\x81\xa6status\xce\x00\x01\x00\x00"), .connect, "connect", undecodable);
    // A header that is not [name, value], after good ones: the copies made so far are freed.
    try expectError(try envelope(0, "\x82\xa6status\xcc\xc8\xa7headers\x92\x92\xa1a\xa1b\x91\xa1x"), .connect, "connect", undecodable ++ ": expected a header [name, value]");
    try expectError(try envelope(0, "\x82\xa7headers\x91\x92\xa1a\xa1b\xa4body\xc4\x05ab"), .connect, "connect", undecodable);
}

test "lenient decoding: keys in any order, unknown keys, a body as an array of 0-255, first match" {
    const body = "\x84\xa4body\x93\x01\x02\xcc\xff\xa5extra\x91\xc0\xa7headers\x92\x92\xa1a\xa11\x92\xa1A\xa12\xa6status\xcd\x01\xf4";
    const env = try envelope(0, body);
    defer testing.allocator.free(env);
    var res = try http.decodeEnvelope(testing.allocator, env);
    defer res.deinit(testing.allocator);
    try testing.expectEqual(@as(u16, 500), res.ok.status);
    try testing.expectEqualSlices(u8, &.{ 1, 2, 255 }, res.ok.body);
    try testing.expectEqualStrings("1", res.ok.header("A").?);
    try testing.expectEqual(@as(usize, 2), res.ok.headers.len);
}

test "running out of memory is the only Zig error, and leaks nothing" {
    var v: Vectors = undefined;
    try v.load();
    defer v.deinit();
    for ([_][]const u8{ "ok_200", "error_denied" }) |name| {
        const env = try v.bytes(name);
        var fail_index: usize = 0;
        while (true) : (fail_index += 1) {
            var failing = testing.FailingAllocator.init(testing.allocator, .{ .fail_index = fail_index });
            var res = http.decodeEnvelope(failing.allocator(), env) catch |e| {
                try testing.expectEqual(error.OutOfMemory, e);
                continue;
            };
            res.deinit(failing.allocator());
            break;
        }
        try testing.expect(fail_index > 0);
    }
}
