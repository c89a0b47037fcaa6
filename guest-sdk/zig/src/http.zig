//! Outbound HTTP (ABI 1.3, `abi-spec/ABI.md` section 4.4): requests through the host's
//! `wabi.http_request` import, under the HTTP grant the embedder gave the plugin.
//!
//! ```zig
//! var req = wabi.http.Request.init(c.allocator(), "GET", "https://api.example.com/v1/users/7");
//! try req.header("accept", "application/json");
//! switch (try req.send(c.allocator())) {
//!     .ok => |resp| {
//!         // resp.status, resp.header("content-type"), resp.body
//!     },
//!     .err => |e| return c.failValue(e.message, .{ .kind = e.kind_name }),
//! }
//! ```
//!
//! or, inside an exported function, `const resp = try c.fetch(req);`: a failed request is then
//! `error.HttpFailed` with the details in `c.http_failure`, and returned unhandled it fails the
//! call with the host's message and the value `{"kind": KIND}`.
//!
//! Every refusal (no grant for that host, method or address) and every failure (timeout, limit,
//! connection) is an `HttpError`, never a trap. A 4xx or 5xx status is a `Response`.
//!
//! The encoding and decoding (`Request.encode`, `decodeEnvelope`) touch no import, so they are
//! tested natively (`src/http_test.zig`).

const std = @import("std");
const msgpack = @import("msgpack.zig");
const Allocator = std.mem.Allocator;
const Writer = msgpack.Writer;
const Reader = msgpack.Reader;

/// A header field: `[name, value]` on the wire.
pub const Header = struct {
    name: []const u8,
    value: []const u8,

    pub fn wabiEncode(self: Header, w: *Writer) Writer.Error!void {
        try w.writeArrayHeader(2);
        try w.writeStr(self.name);
        try w.writeStr(self.value);
    }

    pub fn wabiDecode(r: *Reader, gpa: Allocator) Reader.Error!Header {
        const at = r.pos;
        const n = try r.readArrayHeader();
        if (n != 2) return r.fail("expected a header [name, value], found an array of {d} at byte {d}", .{ n, at });
        const name = try r.readStr(gpa);
        const value = try r.readStr(gpa);
        r.leave();
        return .{ .name = name, .value = value };
    }
};

/// Why a request got no response (the `kind` of the host's error value).
pub const ErrorKind = enum {
    /// No grant for this method, scheme, host, port or address (or a redirect to one).
    denied,
    /// No complete response within the grant's timeout (or what was left of the call's).
    timeout,
    /// The request body, or the response's headers or body, over the grant's limit.
    too_large,
    /// The name did not resolve, the connection or TLS failed, or the server broke HTTP. Also
    /// any kind this SDK does not know, and an answer from the host that is not valid.
    connect,
    /// As many requests during this call as the grant allows were already made.
    limit,
    /// An invalid URL, method or header, or a header the host sets itself (`host`,
    /// `content-length`, `transfer-encoding`, `connection`, ...).
    bad_request,
    /// More redirects than the grant follows.
    too_many_redirects,

    /// The kind named `name` on the wire; a name this SDK does not know is `.connect` (a later
    /// minor version of the ABI may add kinds).
    pub fn parse(name: []const u8) ErrorKind {
        return std.meta.stringToEnum(ErrorKind, name) orelse .connect;
    }

    /// The name on the wire (`"too_large"`, ...).
    pub fn wireName(self: ErrorKind) []const u8 {
        return @tagName(self);
    }
};

/// A failed request.
pub const HttpError = struct {
    kind: ErrorKind,
    /// The kind as the host named it: an unknown name, which `kind` reports as `.connect`, is
    /// kept as it came.
    kind_name: []const u8,
    /// For people: which host, which limit, what to change (the host's message, or the SDK's
    /// when the host's answer was not valid).
    message: []const u8,

    /// Frees `kind_name` and `message` (both allocated from the allocator given to `send`).
    pub fn deinit(self: *HttpError, allocator: Allocator) void {
        allocator.free(self.kind_name);
        allocator.free(self.message);
        self.* = undefined;
    }
};

/// The final response (after any redirects the host followed).
pub const Response = struct {
    /// 100-999 from a conforming host (never 0).
    status: u16,
    /// In the order received; names in lower case.
    headers: []const Header = &.{},
    body: []const u8 = "",

    /// The value of the first header named `name`, compared case-insensitively.
    pub fn header(self: Response, name: []const u8) ?[]const u8 {
        for (self.headers) |h| {
            if (std.ascii.eqlIgnoreCase(h.name, name)) return h.value;
        }
        return null;
    }

    /// Frees the headers and the body (allocated from the allocator given to `send`; with an
    /// arena such as `c.allocator()` there is nothing to do).
    pub fn deinit(self: *Response, allocator: Allocator) void {
        for (self.headers) |h| {
            allocator.free(h.name);
            allocator.free(h.value);
        }
        allocator.free(self.headers);
        allocator.free(self.body);
        self.* = undefined;
    }
};

/// What `Request.send` gets: a response, or why there is none.
pub const Result = union(enum) {
    ok: Response,
    err: HttpError,

    /// Frees the response or the error.
    pub fn deinit(self: *Result, allocator: Allocator) void {
        switch (self.*) {
            .ok => |*r| r.deinit(allocator),
            .err => |*e| e.deinit(allocator),
        }
    }
};

/// A request: method, URL, headers in order (a name may repeat), body. The strings and the body
/// are borrowed, not copied: keep them alive until `send` returns.
pub const Request = struct {
    allocator: Allocator,
    /// Upper case: `GET`, `POST`, ... (the host compares it case-sensitively).
    method: []const u8,
    /// An absolute `http://` or `https://` URL without user information.
    url: []const u8,
    headers: std.ArrayListUnmanaged(Header) = .empty,
    content: []const u8 = "",

    /// A request with no headers and no body; `allocator` holds the list of headers.
    pub fn init(allocator: Allocator, method: []const u8, url: []const u8) Request {
        return .{ .allocator = allocator, .method = method, .url = url };
    }

    /// Frees the list of headers.
    pub fn deinit(self: *Request) void {
        self.headers.deinit(self.allocator);
        self.* = undefined;
    }

    /// Adds a header field (repeatable; they are sent in order). The host refuses the headers
    /// it sets itself (`host`, `content-length`, `transfer-encoding`, `connection`, `upgrade`,
    /// `te`, `trailer`, `keep-alive`, `proxy-connection`) with `.bad_request`.
    pub fn header(self: *Request, name: []const u8, value: []const u8) Allocator.Error!void {
        try self.headers.append(self.allocator, .{ .name = name, .value = value });
    }

    /// Sets the body.
    pub fn body(self: *Request, bytes: []const u8) void {
        self.content = bytes;
    }

    /// The MessagePack map `wabi.http_request` takes: `{method, url, headers, body}`, in this
    /// order (ABI 4.4); no headers are `90`, an empty body is `90`.
    pub fn encode(self: Request, w: *Writer) Writer.Error!void {
        try w.writeMapHeader(4);
        try w.writeStr("method");
        try w.writeStr(self.method);
        try w.writeStr("url");
        try w.writeStr(self.url);
        try w.writeStr("headers");
        try w.writeArrayHeader(self.headers.items.len);
        for (self.headers.items) |h| try h.wabiEncode(w);
        try w.writeStr("body");
        try w.writeBin(self.content);
    }

    /// Sends the request and waits for the answer. The response or the error is allocated
    /// from `allocator` (the host's answer is freed before this returns); only running out of
    /// memory is a Zig error.
    pub fn send(self: Request, allocator: Allocator) Allocator.Error!Result {
        const wabi = @import("wabi.zig");
        var w = Writer.init(allocator);
        defer w.deinit();
        try self.encode(&w);
        const req = w.written();
        const answer = http_request(if (req.len == 0) 0 else @intFromPtr(req.ptr), req.len);
        var reply = wabi.Reply.take(answer) catch
            return sdkError(allocator, "http: the host answered with an invalid envelope", .{});
        defer reply.deinit();
        return decodeAnswer(allocator, @intFromEnum(reply.status), reply.body);
    }
};

extern "wabi" fn http_request(req_ptr: usize, req_len: usize) u64;

/// A `.connect` error with the SDK's own message.
fn sdkError(allocator: Allocator, comptime fmt: []const u8, args: anytype) Allocator.Error!Result {
    const message = try std.fmt.allocPrint(allocator, fmt, args);
    errdefer allocator.free(message);
    return .{ .err = .{ .kind = .connect, .kind_name = try allocator.dupe(u8, "connect"), .message = message } };
}

/// Decodes a complete answer of `wabi.http_request` (a result envelope, ABI 7): what `send`
/// does with the host's answer once it has checked its block.
pub fn decodeEnvelope(allocator: Allocator, envelope: []const u8) Allocator.Error!Result {
    if (envelope.len < 8) return sdkError(allocator, "http: the host answered with an invalid envelope: {d} bytes", .{envelope.len});
    const status = std.mem.readInt(u32, envelope[0..4], .little);
    const body_len = std.mem.readInt(u32, envelope[4..8], .little);
    if (body_len != envelope.len - 8) return sdkError(allocator, "http: the host answered with an invalid envelope: body_len does not match its length", .{});
    return decodeAnswer(allocator, status, envelope[8..]);
}

/// The wire form of an `Ok` answer's body.
const Wire = struct {
    status: u16,
    headers: []const Header = &.{},
    body: msgpack.Bytes = .{ .bytes = "" },
};

/// Decodes the envelope status and body of an answer.
pub fn decodeAnswer(allocator: Allocator, status: u32, body: []const u8) Allocator.Error!Result {
    switch (status) {
        0 => {
            // Decoded borrowing from the answer into a scratch arena (nothing leaks if it does
            // not decode), then copied out.
            var scratch = std.heap.ArenaAllocator.init(allocator);
            defer scratch.deinit();
            var r = Reader.init(body);
            const wire = msgpack.decode(Wire, &r, scratch.allocator()) catch |e| switch (e) {
                error.OutOfMemory => return error.OutOfMemory,
                error.Decode => return sdkError(allocator, "http: the host's response does not decode: {s}", .{r.message}),
            };
            if (wire.status == 0) return sdkError(allocator, "http: the host's response does not decode: its status is 0", .{});
            return .{ .ok = try copyResponse(allocator, wire) };
        },
        1 => {
            if (body.len < 8) return sdkError(allocator, "http: the host answered with an invalid envelope: error body needs at least 8 bytes", .{});
            const mlen = std.mem.readInt(u32, body[0..4], .little);
            const vlen = std.mem.readInt(u32, body[4..8], .little);
            if (@as(u64, 8) + mlen + vlen != body.len) return sdkError(allocator, "http: the host answered with an invalid envelope: error body lengths do not match its length", .{});
            const message = body[8..][0..mlen];
            if (!std.unicode.utf8ValidateSlice(message)) return sdkError(allocator, "http: the host answered with an invalid envelope: error message is not valid UTF-8", .{});
            const kind_name = kindName(body[8 + mlen ..]) orelse "connect";
            const m = try allocator.dupe(u8, message);
            errdefer allocator.free(m);
            return .{ .err = .{ .kind = ErrorKind.parse(kind_name), .kind_name = try allocator.dupe(u8, kind_name), .message = m } };
        },
        else => return sdkError(allocator, "http: the host answered with status {d} (not 0 or 1)", .{status}),
    }
}

/// The str under key "kind" of the error value, a map (null if there is none).
fn kindName(value: []const u8) ?[]const u8 {
    if (value.len == 0) return null;
    var r = Reader.init(value);
    const n = r.readMapHeader() catch return null;
    for (0..n) |_| {
        const key = r.readStrBorrowed() catch {
            r.skip() catch return null; // a key that is not a str
            r.skip() catch return null;
            continue;
        };
        if (std.mem.eql(u8, key, "kind")) return r.readStrBorrowed() catch null;
        r.skip() catch return null;
    }
    return null;
}

fn copyResponse(allocator: Allocator, wire: Wire) Allocator.Error!Response {
    const headers = try allocator.alloc(Header, wire.headers.len);
    var done: usize = 0;
    errdefer {
        for (headers[0..done]) |h| {
            allocator.free(h.name);
            allocator.free(h.value);
        }
        allocator.free(headers);
    }
    for (wire.headers, headers) |from, *to| {
        const name = try allocator.dupe(u8, from.name);
        errdefer allocator.free(name);
        to.* = .{ .name = name, .value = try allocator.dupe(u8, from.value) };
        done += 1;
    }
    return .{ .status = wire.status, .headers = headers, .body = try allocator.dupe(u8, wire.body.bytes) };
}
