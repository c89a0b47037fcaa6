/*
 * The benchmark workloads (benches/src/common/types.rs) as a C wabi plugin: the same exports
 * as benches/guests/bench-wabi. Build: guest-sdk/c/bench/build.sh OUT.wasm
 */
#include "wabi.h"

/* noop: no arguments, no result. */
static wabi_status noop(wabi_reader *args, wabi_writer *out) {
    (void)args, (void)out;
    return WABI_OK;
}
WABI_EXPORT(noop, 0)

/* W1: struct AddIn { a: i32, b: i32 } -> struct AddOut { sum: i32 } (wrapping). */
static wabi_status add(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_map(args), i;
    int32_t a = 0, b = 0;
    for (i = 0; i < n && wabi_ok(args); i++) {
        wabi_str key = wabi_read_str(args);
        if (wabi_str_eq(key, "a")) a = wabi_read_i32(args);
        else if (wabi_str_eq(key, "b")) b = wabi_read_i32(args);
        else wabi_skip(args);
    }
    wabi_write_map(out, 1);
    wabi_write_cstr(out, "sum");
    wabi_write_i32(out, (int32_t)((uint32_t)a + (uint32_t)b));
    return WABI_OK;
}
WABI_EXPORT(add, 1)

/* W2: a string in, the same string out (a view of the input, no copy in between). */
static wabi_status echo(wabi_reader *args, wabi_writer *out) {
    wabi_write_wstr(out, wabi_read_str(args));
    return WABI_OK;
}
WABI_EXPORT(echo, 1)

/* W3: struct Request { method: String, path: String, headers: Vec<(String, String)>,
 * body: Vec<u8> }: the request with the header x-plugin: wabi-bench added and the path
 * upper-cased (ASCII). */
typedef struct Header {
    wabi_str name, value;
} Header;

typedef struct Request {
    wabi_str method, path;
    Header *headers;
    uint32_t nheaders;
    wabi_bytes body;
} Request;

static void request_read(wabi_reader *r, Request *req) {
    uint32_t n = wabi_read_map(r), i, j;
    *req = (Request){0};
    for (i = 0; i < n && wabi_ok(r); i++) {
        wabi_str key = wabi_read_str(r);
        if (wabi_str_eq(key, "method")) {
            req->method = wabi_read_str(r);
        } else if (wabi_str_eq(key, "path")) {
            req->path = wabi_read_str(r);
        } else if (wabi_str_eq(key, "headers")) {
            req->nheaders = wabi_read_array(r);
            req->headers = wabi_talloc_n(req->nheaders, sizeof *req->headers);
            if (!req->headers) wabi_reader_fail(r, "out of memory");
            for (j = 0; j < req->nheaders && wabi_ok(r); j++) {
                if (wabi_read_array(r) != 2) wabi_reader_fail(r, "a header is a pair (name, value)");
                req->headers[j].name = wabi_read_str(r);
                req->headers[j].value = wabi_read_str(r);
            }
        } else if (wabi_str_eq(key, "body")) {
            req->body = wabi_read_bytes(r);
        } else {
            wabi_skip(r);
        }
    }
}

static wabi_status gateway(wabi_reader *args, wabi_writer *out) {
    Request req;
    uint32_t i;
    char *path;
    request_read(args, &req);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    wabi_write_map(out, 4);
    wabi_write_cstr(out, "method");
    wabi_write_wstr(out, req.method);
    wabi_write_cstr(out, "path");
    wabi_write_str(out, req.path.ptr, req.path.len);
    path = (char *)out->buf + out->len - req.path.len; /* upper-case it in place */
    if (!out->err)
        for (i = 0; i < req.path.len; i++)
            if (path[i] >= 'a' && path[i] <= 'z') path[i] = (char)(path[i] - 'a' + 'A');
    wabi_write_cstr(out, "headers");
    wabi_write_array(out, req.nheaders + 1);
    for (i = 0; i < req.nheaders; i++) {
        wabi_write_array(out, 2);
        wabi_write_wstr(out, req.headers[i].name);
        wabi_write_wstr(out, req.headers[i].value);
    }
    wabi_write_array(out, 2);
    wabi_write_cstr(out, "x-plugin");
    wabi_write_cstr(out, "wabi-bench");
    wabi_write_cstr(out, "body");
    wabi_write_bytes(out, req.body.ptr, req.body.len);
    return WABI_OK;
}
WABI_EXPORT(gateway, 1)

/* W4: bytes in (a view of the input), struct BulkOut { len: u64, checksum: u64 } out. */
static uint64_t checksum(const uint8_t *p, uint32_t n) {
    uint64_t sum = 0;
    uint32_t i;
    for (i = 0; i < n; i++) sum += p[i];
    return sum;
}

static wabi_status bulk(wabi_reader *args, wabi_writer *out) {
    wabi_bytes data = wabi_read_bytes(args);
    wabi_write_map(out, 2);
    wabi_write_cstr(out, "len");
    wabi_write_u64(out, data.len);
    wabi_write_cstr(out, "checksum");
    wabi_write_u64(out, checksum(data.ptr, data.len));
    return WABI_OK;
}
WABI_EXPORT(bulk, 1)

/* W1 as a Pod function: struct { a: i32, b: i32 } in, i32 out. */
typedef struct PodPair {
    int32_t a, b;
} PodPair;

static wabi_status add_pod(const PodPair *in, int32_t *sum, wabi_writer *out) {
    (void)out;
    *sum = (int32_t)((uint32_t)in->a + (uint32_t)in->b);
    return WABI_OK;
}
WABI_EXPORT_POD(add_pod, PodPair, int32_t)

/* W4 as a raw function: the bytes as they are, 16 bytes (len, checksum little-endian) out. */
static wabi_status bulk_raw(wabi_bytes in, wabi_writer *out) {
    uint64_t v[2];
    v[0] = in.len;
    v[1] = checksum(in.ptr, in.len);
    wabi_write_raw(out, v, sizeof v); /* wasm is little-endian */
    return WABI_OK;
}
WABI_EXPORT_RAW(bulk_raw)
