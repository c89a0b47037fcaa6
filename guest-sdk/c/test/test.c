/*
 * Tests of the C guest SDK, run natively as a 32-bit program (pointers are 32 bits, as in
 * wasm32, so the export machinery runs unchanged): this file plays the host. It includes wabi.c
 * to see its internals (the live-block list, the levels). Run with test/run.sh.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WABI__TEST 1
#include "../wabi.c"
#include "vectors.h"

static int failures, checks;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        checks++;                                                                   \
        if (!(cond)) {                                                              \
            failures++;                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_BYTES(got, got_len, want, want_len) \
    check_bytes(__FILE__, __LINE__, (const uint8_t *)(got), (got_len), (const uint8_t *)(want), (want_len))

static void hexdump(const char *what, const uint8_t *p, uint32_t n) {
    uint32_t i;
    fprintf(stderr, "    %s:", what);
    for (i = 0; i < n && i < 64; i++) fprintf(stderr, " %02x", p[i]);
    fprintf(stderr, n > 64 ? " ...\n" : "\n");
}

static void check_bytes(const char *file, int line, const uint8_t *got, uint32_t got_len, const uint8_t *want,
                        uint32_t want_len) {
    checks++;
    if (got_len != want_len || (want_len && memcmp(got, want, want_len) != 0)) {
        failures++;
        fprintf(stderr, "%s:%d: bytes differ\n", file, line);
        hexdump("got ", got, got_len);
        hexdump("want", want, want_len);
    }
}

/* A copy of n bytes that ends right before an unmapped page: reading past it faults. */
static const uint8_t *guarded(const void *p, uint32_t n) {
    static uint8_t *region;
    static size_t region_size;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), need = (n + page - 1) / page * page + page;
    if (region) munmap(region, region_size);
    region = mmap(NULL, need + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) abort();
    region_size = need + page;
    mprotect(region + need, page, PROT_NONE);
    memcpy(region + need - n, p, n);
    return region + need - n;
}

/* ------------------------------------------------------------------------------------------ */
/* The test host: the imports                                                                 */

static jmp_buf panic_jump;
static bool expect_panic;
static uint8_t panic_record[4096];
static uint32_t panic_len;
static char last_log[256];
static uint32_t last_log_level;

void wabi__imp_panic(uint32_t ptr, uint32_t len) {
    CHECK(expect_panic);
    panic_len = len < sizeof panic_record ? len : (uint32_t)sizeof panic_record;
    memcpy(panic_record, WABI__PTR(ptr), panic_len);
    longjmp(panic_jump, 1);
}

void wabi__imp_log(uint32_t level, uint32_t ptr, uint32_t len) {
    last_log_level = level;
    snprintf(last_log, sizeof last_log, "%.*s", (int)len, (const char *)WABI__PTR(ptr));
}

static uint32_t calls_in_progress;
static char config_big[10000];

int32_t wabi__imp_config(uint32_t key_ptr, uint32_t key_len, uint32_t buf_ptr, uint32_t buf_cap) {
    const char *key = (const char *)WABI__PTR(key_ptr), *value;
    uint32_t n;
    if (key_len == 1 && key[0] == 'k') value = "v \xe2\x9c\x93";
    else if (key_len == 3 && memcmp(key, "big", 3) == 0) value = config_big;
    else if (key_len == 5 && memcmp(key, "empty", 5) == 0) value = "";
    else return -1;
    n = (uint32_t)strlen(value);
    if (n <= buf_cap) memcpy(WABI__PTR(buf_ptr), value, n);
    return (int32_t)n;
}

/* What the host answers a host call with: an envelope in a block from wabi_alloc. */
static uint64_t answer(uint32_t status, const void *body, uint32_t len) {
    uint32_t p = wabi__export_alloc(len + 8, 8);
    uint8_t *e = WABI__PTR(p);
    CHECK(p != 0 && p % 8 == 0);
    wabi__le32(e, status);
    wabi__le32(e + 4, len);
    if (len) memcpy(e + 8, body, len);
    return ((uint64_t)p << 32) | (len + 8);
}

typedef struct envelope {
    uint32_t ptr, len, status;
    const uint8_t *body;
    uint32_t body_len;
} envelope;

static envelope call_export(uint64_t (*fn)(uint32_t, uint32_t), const void *in, uint32_t len, bool scratch);

uint64_t wabi__export_nested(uint32_t ptr, uint32_t len);

uint64_t wabi__imp_host_call(uint32_t name_ptr, uint32_t name_len, uint32_t args_ptr, uint32_t args_len) {
    char name[64];
    const uint8_t *args = WABI__PTR(args_ptr);
    snprintf(name, sizeof name, "%.*s", (int)name_len, (const char *)WABI__PTR(name_ptr));
    if (strcmp(name, "echo") == 0) return answer(0, args, args_len);
    if (strcmp(name, "fail") == 0) {
        /* message "host says: no", value {"code": 7} */
        static const uint8_t body[] = {12, 0, 0, 0, 7, 0, 0, 0, 'h', 'o', 's', 't', ' ', 's', 'a', 'y', 's', ':', ' ', 'n',
                                       0x81, 0xa4, 'c', 'o', 'd', 'e', 7};
        return answer(1, body, sizeof body - 0);
    }
    if (strcmp(name, "bad_args") == 0) return answer(3, "nope", 4);
    if (strcmp(name, "panics") == 0) {
        static const uint8_t rec[] = {2, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 'o', 'w', 'm', 'a', 'i', 'n'};
        return answer(2, rec, sizeof rec);
    }
    if (strcmp(name, "lies") == 0) {
        uint64_t a = answer(0, "\xc0", 1);
        wabi__le32(WABI__PTR(a >> 32) + 4, 99); /* body_len that does not match */
        return a;
    }
    if (strcmp(name, "stray") == 0) {
        static uint8_t not_a_block[16] = {0, 0, 0, 0, 1, 0, 0, 0, 0xc0};
        return ((uint64_t)WABI__ADDR(not_a_block) << 32) | 9;
    }
    if (strcmp(name, "status9") == 0) return answer(9, "", 0);
    if (strcmp(name, "descend") == 0) {
        /* calls the guest's "nested" export with the same arguments (a nested call) */
        envelope e = call_export(wabi__export_nested, args, args_len, false);
        return answer(e.status, e.body, e.body_len);
    }
    return answer(1, "\x19\0\0\0\0\0\0\0no host function named ??", 33);
}

/* The test host's wabi.http_request: records the request, then answers with the envelope
 * http_next (copied into a block from wabi_alloc), or breaks a rule as http_mode says. */
enum { HTTP_ANSWER, HTTP_STRAY, HTTP_LIES, HTTP_SHORT };
static uint8_t http_last[4096];
static uint32_t http_last_len, http_calls;
static const uint8_t *http_next;
static uint32_t http_next_len;
static int http_mode;

uint64_t wabi__imp_http_request(uint32_t req_ptr, uint32_t req_len) {
    uint32_t p;
    http_calls++;
    CHECK(req_len > 0 && req_len <= sizeof http_last);
    http_last_len = req_len <= sizeof http_last ? req_len : (uint32_t)sizeof http_last;
    memcpy(http_last, WABI__PTR(req_ptr), http_last_len);
    if (http_mode == HTTP_STRAY) {
        static uint8_t not_a_block[16] = {0, 0, 0, 0, 1, 0, 0, 0, 0xc0};
        return ((uint64_t)WABI__ADDR(not_a_block) << 32) | 9;
    }
    p = wabi__export_alloc(http_next_len, 8);
    CHECK(p != 0);
    memcpy(WABI__PTR(p), http_next, http_next_len);
    if (http_mode == HTTP_LIES) wabi__le32(WABI__PTR(p) + 4, 99); /* body_len that does not match */
    if (http_mode == HTTP_SHORT) return ((uint64_t)p << 32) | 4;  /* shorter than an envelope header */
    return ((uint64_t)p << 32) | http_next_len;
}

/* ------------------------------------------------------------------------------------------ */
/* The test host: calling exports as ABI 6.2 says                                             */

static envelope call_export(uint64_t (*fn)(uint32_t, uint32_t), const void *in, uint32_t len, bool scratch) {
    uint64_t s = wabi__export_scratch(), packed;
    uint32_t sp = (uint32_t)(s >> 32), cap = (uint32_t)s, ptr = 0;
    envelope e;
    CHECK(sp % 8 == 0 && cap == WABI_SCRATCH_SIZE);
    if (len > 0) {
        if (scratch && len <= cap && calls_in_progress == 0) {
            ptr = sp;
        } else {
            ptr = wabi__export_alloc(len, 8);
            CHECK(ptr != 0 && ptr % 8 == 0);
        }
        memcpy(WABI__PTR(ptr), in, len);
    }
    calls_in_progress++;
    packed = fn(ptr, len);
    calls_in_progress--;
    e.ptr = (uint32_t)(packed >> 32);
    e.len = (uint32_t)packed;
    CHECK(e.len >= 8);
    e.status = wabi__rd_le32(WABI__PTR(e.ptr));
    CHECK(wabi__rd_le32(WABI__PTR(e.ptr) + 4) == e.len - 8);
    e.body = WABI__PTR(e.ptr) + 8;
    e.body_len = e.len - 8;
    return e;
}

static uint32_t live_blocks(void) {
    uint32_t n = 0;
    wabi__block *b;
    for (b = wabi__live; b; b = b->next) n++;
    return n;
}

static bool body_is(const envelope *e, uint32_t status, const char *text) {
    return e->status == status && e->body_len == strlen(text) && memcmp(e->body, text, e->body_len) == 0;
}

static bool body_starts(const envelope *e, uint32_t status, const char *text) {
    return e->status == status && e->body_len >= strlen(text) && memcmp(e->body, text, strlen(text)) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Exports used by the tests                                                                  */

static wabi_status t_noop(wabi_reader *args, wabi_writer *out) {
    (void)args, (void)out;
    return WABI_OK;
}
WABI_EXPORT(t_noop, 0)

static wabi_status t_echo(wabi_reader *args, wabi_writer *out) {
    wabi_copy_value(args, out);
    return WABI_OK;
}
WABI_EXPORT(t_echo, 1)

static wabi_status t_two(wabi_reader *args, wabi_writer *out) {
    uint32_t a = wabi_read_u32(args);
    bool b = wabi_read_bool(args);
    wabi_write_array(out, 2);
    wabi_write_u32(out, a);
    wabi_write_bool(out, b);
    return WABI_OK;
}
WABI_EXPORT(t_two, 2)

static wabi_status t_hi(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_write_cstr(out, "hi");
    return WABI_OK;
}
WABI_EXPORT(t_hi, 0)

static wabi_status t_err(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_write_cstr(out, "partial result, discarded");
    return wabi_fail(out, "bad");
}
WABI_EXPORT(t_err, 0)

static wabi_status t_err_value(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_fail_begin(out);
    wabi_text(out, "app error ");
    wabi_text_u64(out, 42);
    wabi_text(out, ": x");
    wabi_fail_value(out);
    wabi_write_map(out, 2);
    wabi_write_cstr(out, "code");
    wabi_write_u32(out, 42);
    wabi_write_cstr(out, "reason");
    wabi_write_cstr(out, "x");
    return WABI_ERROR;
}
WABI_EXPORT(t_err_value, 0)

static wabi_status t_err_bare(wabi_reader *args, wabi_writer *out) {
    (void)args, (void)out;
    return WABI_ERROR;
}
WABI_EXPORT(t_err_bare, 0)

static wabi_status t_bad_args(wabi_reader *args, wabi_writer *out) {
    (void)args;
    return wabi_bad_arguments(out, "expected 2 arguments");
}
WABI_EXPORT(t_bad_args, 0)

static wabi_status t_bad_result(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_writer_fail(out, "encode");
    return WABI_OK;
}
WABI_EXPORT(t_bad_result, 0)

static wabi_status t_unclosed(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_write_str_begin(out);
    wabi_text(out, "never closed");
    return WABI_OK;
}
WABI_EXPORT(t_unclosed, 0)

static wabi_status t_big(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_u32(args);
    uint8_t *p = wabi_write_bytes_reserve(out, n);
    if (p) memset(p, 0xab, n);
    return WABI_OK;
}
WABI_EXPORT(t_big, 1)

static wabi_status t_boom(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    (void)out;
    wabi_panic_n(s.ptr, s.len);
}
WABI_EXPORT(t_boom, 1)

static wabi_status t_raw(wabi_bytes in, wabi_writer *out) {
    wabi_write_raw(out, in.ptr, in.len);
    wabi_write_raw(out, "!", 1);
    return WABI_OK;
}
WABI_EXPORT_RAW(t_raw)

typedef struct {
    uint32_t a, b, c;
} Pod3;
static wabi_status t_pod(const Pod3 *in, Pod3 *result, wabi_writer *out) {
    if (in->a == 0) return wabi_fail(out, "a is 0");
    result->a = in->c, result->b = in->b, result->c = in->a;
    return WABI_OK;
}
WABI_EXPORT_POD(t_pod, Pod3, Pod3)

/* host calls: "nested" takes n; n > 0 calls host descend(n - 1), which calls nested again. */
static uint32_t deepest;
static wabi_status nested(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_u32(args), below;
    wabi_host_result res;
    wabi_writer *w;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    if (wabi__depth > deepest) deepest = wabi__depth;
    /* write part of the result before the host call: nested calls must not overwrite it */
    wabi_write_array(out, 2);
    wabi_write_cstr(out, "level");
    if (n == 0) {
        wabi_write_u32(out, 0);
        return WABI_OK;
    }
    w = wabi_host_args(1);
    wabi_write_u32(w, n - 1);
    if (!wabi_host_call("descend", w, &res)) return wabi_fail_host(out, &res);
    CHECK(wabi_read_array(&res.value) == 2);
    CHECK(wabi_str_eq(wabi_read_str(&res.value), "level"));
    below = wabi_read_u32(&res.value);
    CHECK(wabi_ok(&res.value));
    wabi_write_u32(out, below + 1);
    return WABI_OK;
}
WABI_EXPORT(nested, 1)

static wabi_status t_host(wabi_reader *args, wabi_writer *out) {
    wabi_str name = wabi_read_str(args);
    char *cname = wabi_str_dup(name);
    wabi_writer *w = wabi_host_args(2);
    wabi_host_result res;
    wabi_write_cstr(w, "arg");
    wabi_write_u32(w, 7);
    wabi_write_array(out, 3);
    if (wabi_host_call(cname, w, &res)) {
        wabi_write_cstr(out, "ok");
        wabi_write_raw(out, res.value.buf, res.value.len);
        wabi_write_nil(out);
    } else {
        wabi_write_uint(out, res.kind);
        wabi_write_wstr(out, res.message);
        wabi_write_bytes(out, res.value.buf, res.value.len);
    }
    return WABI_OK;
}
WABI_EXPORT(t_host, 1)

static wabi_status t_config(wabi_reader *args, wabi_writer *out) {
    wabi_str key = wabi_read_str(args), v;
    if (wabi_config_n(key.ptr, key.len, &v)) {
        CHECK(v.ptr[v.len] == 0);
        wabi_write_wstr(out, v);
    } else {
        wabi_write_nil(out);
    }
    return WABI_OK;
}
WABI_EXPORT(t_config, 1)

static wabi_status t_log(wabi_reader *args, wabi_writer *out) {
    (void)args, (void)out;
    wabi_log(WABI_LOG_WARN, "careful \xe2\x9c\x93");
    return WABI_OK;
}
WABI_EXPORT(t_log, 0)

/* The request of vector request_post; on success [status, content-type, body], on failure the
 * error as wabi_fail_http answers it. */
static void build_post(wabi_http_request *req) {
    char name[16];
    wabi_http_request_init(req, "POST", "https://api.example.com/v1/check");
    wabi_http_request_header(req, "content-type", "application/json");
    strcpy(name, "x-tag");
    wabi_http_request_header(req, name, "a");
    memset(name, 'z', sizeof name); /* the request copied the name */
    wabi_http_request_header(req, "x-tag", "b");
    wabi_http_request_body(req, "{\"id\":7}", 8);
}

static wabi_status t_http(wabi_reader *args, wabi_writer *out) {
    wabi_http_request req;
    wabi_http_response resp;
    wabi_http_error err;
    const wabi_str *type;
    int status;
    (void)args;
    build_post(&req);
    status = wabi_http_send(&req, &resp, &err);
    if (!status) return wabi_fail_http(out, &err);
    CHECK(status == (int)resp.status && err.kind == WABI_HTTP_NONE);
    type = wabi_http_response_header(&resp, "Content-Type");
    wabi_write_array(out, 3);
    wabi_write_u32(out, resp.status);
    if (type) wabi_write_wstr(out, *type);
    else wabi_write_nil(out);
    wabi_write_bytes(out, resp.body.ptr, resp.body.len);
    return WABI_OK;
}
WABI_EXPORT(t_http, 0)

/* ------------------------------------------------------------------------------------------ */
/* Codec tests                                                                                */

static void typed_roundtrip(const vector *v) {
    const char *t = v->rust_type;
    wabi_reader r = wabi_reader_new(guarded(v->hex, v->len), v->len);
    wabi_writer w = WABI_WRITER_INIT;
    bool known = true;
    if (!strcmp(t, "()")) wabi_read_nil(&r), wabi_write_nil(&w);
    else if (!strcmp(t, "bool")) wabi_write_bool(&w, wabi_read_bool(&r));
    else if (!strcmp(t, "u8")) wabi_write_u8(&w, wabi_read_u8(&r));
    else if (!strcmp(t, "u16")) wabi_write_u16(&w, wabi_read_u16(&r));
    else if (!strcmp(t, "u32")) wabi_write_u32(&w, wabi_read_u32(&r));
    else if (!strcmp(t, "u64")) wabi_write_u64(&w, wabi_read_u64(&r));
    else if (!strcmp(t, "i8")) wabi_write_i8(&w, wabi_read_i8(&r));
    else if (!strcmp(t, "i16")) wabi_write_i16(&w, wabi_read_i16(&r));
    else if (!strcmp(t, "i32")) wabi_write_i32(&w, wabi_read_i32(&r));
    else if (!strcmp(t, "i64")) wabi_write_i64(&w, wabi_read_i64(&r));
    else if (!strcmp(t, "f32")) wabi_write_f32(&w, wabi_read_f32(&r));
    else if (!strcmp(t, "f64")) wabi_write_f64(&w, wabi_read_f64(&r));
    else if (!strcmp(t, "String")) wabi_write_wstr(&w, wabi_read_str(&r));
    else if (!strcmp(t, "Vec<u8>")) {
        wabi_bytes b = wabi_read_bytes(&r);
        wabi_write_bytes(&w, b.ptr, b.len);
    } else if (!strcmp(t, "Option<String>")) {
        if (wabi_read_is_nil(&r)) wabi_write_nil(&w);
        else wabi_write_wstr(&w, wabi_read_str(&r));
    } else if (!strcmp(t, "Vec<u32>") || !strcmp(t, "Vec<u16>")) {
        uint32_t n = wabi_read_array(&r), i;
        wabi_write_array(&w, n);
        for (i = 0; i < n; i++) wabi_write_u32(&w, wabi_read_u32(&r));
    } else if (!strcmp(t, "BTreeMap<String, i64>") || !strcmp(t, "BTreeMap<String, u8>")) {
        uint32_t n = wabi_read_map(&r), i;
        wabi_write_map(&w, n);
        for (i = 0; i < n; i++) {
            wabi_write_wstr(&w, wabi_read_str(&r));
            wabi_write_i64(&w, wabi_read_i64(&r));
        }
    } else if (!strncmp(t, "Shape::", 7)) {
        bool has_value;
        wabi_str name = wabi_read_variant(&r, &has_value);
        if (!has_value) {
            wabi_write_wstr(&w, name);
        } else {
            wabi_write_map(&w, 1);
            wabi_write_wstr(&w, name);
            wabi_copy_value(&r, &w);
        }
    } else if (!strcmp(t, "(i8, u16, String)")) {
        CHECK(wabi_read_array(&r) == 3);
        wabi_write_array(&w, 3);
        wabi_write_i8(&w, wabi_read_i8(&r));
        wabi_write_u16(&w, wabi_read_u16(&r));
        wabi_write_wstr(&w, wabi_read_str(&r));
    } else {
        known = false;
    }
    if (known) {
        if (!wabi_ok(&r)) fprintf(stderr, "vector %s: %s\n", v->name, r.err);
        CHECK(wabi_ok(&r) && r.pos == r.len);
        CHECK_BYTES(w.buf, w.len, v->hex, v->len);
    }
    wabi_writer_free(&w);
}

static void test_vectors(void) {
    size_t i;
    for (i = 0; i < sizeof value_vectors / sizeof value_vectors[0]; i++) {
        const vector *v = &value_vectors[i];
        wabi_reader r;
        wabi_writer w = WABI_WRITER_INIT;
        uint32_t cut;
        if (v->len == 0) continue; /* args_0: the empty argument list */
        /* the dynamic echo reproduces every canonical encoding */
        r = wabi_reader_new(guarded(v->hex, v->len), v->len);
        wabi_copy_value(&r, &w);
        CHECK(wabi_ok(&r) && r.pos == v->len);
        CHECK_BYTES(w.buf, w.len, v->hex, v->len);
        /* skip measures it exactly */
        r = wabi_reader_new(v->hex, v->len);
        wabi_skip(&r);
        CHECK(wabi_ok(&r) && r.pos == v->len);
        /* every truncation fails cleanly, without reading past the end */
        for (cut = 0; cut < v->len; cut++) {
            wabi_writer w2 = WABI_WRITER_INIT;
            r = wabi_reader_new(guarded(v->hex, cut), cut);
            wabi_copy_value(&r, &w2);
            CHECK(!wabi_ok(&r));
            r = wabi_reader_new(guarded(v->hex, cut), cut);
            wabi_skip(&r);
            CHECK(!wabi_ok(&r));
            wabi_writer_free(&w2);
        }
        typed_roundtrip(v);
        wabi_writer_free(&w);
    }
}

static void test_ints(void) {
    static const struct {
        int64_t v;
        const char *hex;
    } s[] = {{0, "00"}, {127, "7f"}, {128, "cc80"}, {255, "ccff"}, {256, "cd0100"}, {65535, "cdffff"},
             {65536, "ce00010000"}, {4294967295LL, "ceffffffff"}, {4294967296LL, "cf0000000100000000"},
             {-1, "ff"}, {-32, "e0"}, {-33, "d0df"}, {-128, "d080"}, {-129, "d1ff7f"}, {-32768, "d18000"},
             {-32769, "d2ffff7fff"}, {INT32_MIN, "d280000000"}, {(int64_t)INT32_MIN - 1, "d3ffffffff7fffffff"},
             {INT64_MIN, "d38000000000000000"}, {INT64_MAX, "cf7fffffffffffffff"}};
    size_t i;
    for (i = 0; i < sizeof s / sizeof s[0]; i++) {
        uint8_t want[16];
        uint32_t n = (uint32_t)strlen(s[i].hex) / 2, k;
        wabi_writer w = WABI_WRITER_INIT;
        wabi_reader r;
        for (k = 0; k < n; k++) sscanf(s[i].hex + 2 * k, "%2hhx", &want[k]);
        wabi_write_int(&w, s[i].v);
        CHECK_BYTES(w.buf, w.len, want, n);
        r = wabi_reader_new(w.buf, w.len);
        CHECK(wabi_read_i64(&r) == s[i].v && wabi_ok(&r));
        wabi_writer_free(&w);
    }
    {
        /* range checks, and non-canonical forms accepted */
        static const uint8_t big[] = {0xcc, 0x80}, neg[] = {0xff}, u64max[] = {0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                             wide5[] = {0xd3, 0, 0, 0, 0, 0, 0, 0, 5};
        wabi_reader r = wabi_reader_new(big, 2);
        CHECK(wabi_read_i8(&r) == 0 && !wabi_ok(&r));
        r = wabi_reader_new(big, 2);
        CHECK(wabi_read_u8(&r) == 128 && wabi_ok(&r));
        r = wabi_reader_new(neg, 1);
        CHECK(wabi_read_u64(&r) == 0 && !wabi_ok(&r));
        r = wabi_reader_new(u64max, 9);
        CHECK(wabi_read_i64(&r) == 0 && !wabi_ok(&r));
        r = wabi_reader_new(u64max, 9);
        CHECK(wabi_read_u64(&r) == UINT64_MAX && wabi_ok(&r));
        r = wabi_reader_new(wide5, 9);
        CHECK(wabi_peek(&r) == WABI_T_UINT && wabi_read_u8(&r) == 5 && wabi_ok(&r));
    }
}

static void test_floats(void) {
    wabi_writer w = WABI_WRITER_INIT;
    wabi_reader r;
    static const uint8_t f64_1_5[] = {0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, f64_0_1[] = {0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a};
    wabi_write_f32(&w, -0.0f);
    CHECK_BYTES(w.buf, w.len, "\xca\x80\0\0\0", 5);
    r = wabi_reader_new(w.buf, w.len);
    CHECK(wabi_read_f64(&r) == 0.0 && wabi_ok(&r)); /* a float 32 where a float 64 is expected */
    r = wabi_reader_new(f64_1_5, 9);
    CHECK(wabi_read_f32(&r) == 1.5f && wabi_ok(&r)); /* exactly a float 32 */
    r = wabi_reader_new(f64_0_1, 9);
    wabi_read_f32(&r);
    CHECK(!wabi_ok(&r)); /* 0.1 is not */
    r = wabi_reader_new("\x05", 1);
    CHECK(wabi_read_f64(&r) == 5.0 && wabi_ok(&r)); /* an integer */
    r = wabi_reader_new("\xa1x", 2);
    wabi_read_f64(&r);
    CHECK(!wabi_ok(&r));
    wabi_writer_free(&w);
}

static void test_strings(void) {
    static const char *bad[] = {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x9c", "\x80", "\xf8\x88\x80\x80\x80", "\xe0\x80\xaf"};
    static const char *good[] = {"", "ascii only, long enough for the 4-byte loop", "\xc2\xa9", "\xe2\x9c\x93",
                                 "\xf0\x9f\xa6\x80", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80", "a\0b"};
    static const uint32_t lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536, 70000};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(!wabi_utf8_valid(bad[i], (uint32_t)strlen(bad[i])));
    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(wabi_utf8_valid(good[i], i == 8 ? 3 : (uint32_t)strlen(good[i])));
    {
        /* a str that is not UTF-8 is refused */
        wabi_reader r = wabi_reader_new("\xa2\xc0\x80", 3);
        wabi_read_str(&r);
        CHECK(!wabi_ok(&r));
    }
    /* str_begin/str_end choose the smallest header and match wabi_write_str */
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        wabi_writer a = WABI_WRITER_INIT, b = WABI_WRITER_INIT;
        char *s = malloc(lens[i] + 1);
        memset(s, 'q', lens[i]);
        wabi_write_nil(&a);
        wabi_write_str_begin(&a);
        wabi_text_n(&a, s, lens[i] / 2);
        wabi_text_n(&a, s, lens[i] - lens[i] / 2);
        wabi_write_str_end(&a);
        wabi_write_nil(&a);
        wabi_write_nil(&b);
        wabi_write_str(&b, s, lens[i]);
        wabi_write_nil(&b);
        CHECK(!a.err && !b.err);
        CHECK_BYTES(a.buf, a.len, b.buf, b.len);
        {
            wabi_reader r = wabi_reader_new(b.buf, b.len);
            wabi_str got;
            wabi_read_nil(&r);
            got = wabi_read_str(&r);
            wabi_read_nil(&r);
            CHECK(wabi_ok(&r) && got.len == lens[i] && r.pos == r.len);
        }
        free(s);
        wabi_writer_free(&a);
        wabi_writer_free(&b);
    }
    {
        wabi_writer w = WABI_WRITER_INIT;
        wabi_text_i64(&w, INT64_MIN);
        wabi_text(&w, " ");
        wabi_text_u64(&w, UINT64_MAX);
        CHECK_BYTES(w.buf, w.len, "-9223372036854775808 18446744073709551615", 41);
        wabi_writer_free(&w);
    }
    CHECK(wabi_str_eq(WABI_STR("abc"), "abc") && !wabi_str_eq(WABI_STR("ab"), "abc") && !wabi_str_eq(WABI_STR("abc"), "ab"));
    CHECK(wabi_str_cmp(WABI_STR("a"), WABI_STR("b")) < 0 && wabi_str_cmp(WABI_STR("ab"), WABI_STR("a")) > 0 &&
          wabi_str_cmp(WABI_STR("\xc3\xbc"), WABI_STR("z")) > 0 && wabi_str_cmp(WABI_STR(""), WABI_STR("")) == 0);
}

static void test_call_memory(void) {
    uint8_t *a = wabi_talloc(3), *b = wabi_talloc(5000);
    CHECK(a && b && ((uintptr_t)a % 8) == 0 && ((uintptr_t)b % 8) == 0);
    memset(b, 1, 5000);
    CHECK(wabi_talloc_n(0x40000000u, 16) == NULL && wabi_talloc_n(0, 8) != NULL && wabi_talloc(0xffffffffu) == NULL);
    {
        char *d = wabi_str_dup(WABI_STR("dup"));
        CHECK(d && strcmp(d, "dup") == 0);
    }
}

static void test_bytes(void) {
    static const uint8_t arr[] = {0x93, 0x01, 0xcc, 0xff, 0x00}, bad[] = {0x92, 0x01, 0xcd, 0x01, 0x00}, c4_0[] = {0xc4, 0x00};
    wabi_reader r = wabi_reader_new(arr, sizeof arr);
    wabi_bytes b = wabi_read_bytes(&r);
    CHECK(wabi_ok(&r) && b.len == 3 && b.ptr[0] == 1 && b.ptr[1] == 255 && b.ptr[2] == 0);
    r = wabi_reader_new(bad, sizeof bad);
    wabi_read_bytes(&r);
    CHECK(!wabi_ok(&r)); /* 256 is not a byte */
    r = wabi_reader_new(c4_0, 2);
    b = wabi_read_bytes(&r);
    CHECK(wabi_ok(&r) && b.len == 0 && r.pos == 2);
    {
        wabi_writer w = WABI_WRITER_INIT;
        wabi_write_bytes(&w, NULL, 0);
        CHECK_BYTES(w.buf, w.len, "\x90", 1);
        wabi_writer_free(&w);
    }
}

static void test_limits(void) {
    uint8_t buf[300];
    uint32_t i;
    wabi_reader r;
    wabi_writer w = WABI_WRITER_INIT;
    /* 128 nested arrays are accepted, 129 refused (by skip and by copy) */
    for (i = 0; i < 128; i++) buf[i] = 0x91;
    buf[128] = 0x01;
    r = wabi_reader_new(buf, 129);
    wabi_skip(&r);
    CHECK(wabi_ok(&r) && r.pos == 129);
    r = wabi_reader_new(buf, 129);
    wabi_copy_value(&r, &w);
    CHECK(wabi_ok(&r));
    CHECK_BYTES(w.buf, w.len, buf, 129);
    /* maps this time: {0: {0: ... nil}} */
    for (i = 0; i < 129; i++) buf[2 * i] = 0x81, buf[2 * i + 1] = 0x00;
    buf[258] = 0xc0;
    r = wabi_reader_new(buf, 259);
    wabi_skip(&r);
    CHECK(!wabi_ok(&r) && strstr(r.err, "128"));
    r = wabi_reader_new(buf + 2, 257);
    wabi_skip(&r);
    CHECK(wabi_ok(&r) && r.pos == 257);
    for (i = 0; i < 129; i++) buf[i] = 0x91;
    buf[129] = 0x01;
    r = wabi_reader_new(buf, 130);
    w.len = 0;
    wabi_copy_value(&r, &w);
    CHECK(!wabi_ok(&r));
    /* lengths that the input cannot hold */
    {
        static const uint8_t a[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}, m[] = {0xdf, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03},
                             s[] = {0xdb, 0xff, 0xff, 0xff, 0xfe, 'a'}, e[] = {0xc9, 0xff, 0xff, 0xff, 0xff, 0x01};
        r = wabi_reader_new(guarded(a, sizeof a), sizeof a);
        CHECK(wabi_read_array(&r) == 0 && !wabi_ok(&r));
        r = wabi_reader_new(guarded(m, sizeof m), sizeof m);
        CHECK(wabi_read_map(&r) == 0 && !wabi_ok(&r));
        r = wabi_reader_new(guarded(m, sizeof m), sizeof m);
        wabi_skip(&r);
        CHECK(!wabi_ok(&r));
        r = wabi_reader_new(guarded(s, sizeof s), sizeof s);
        CHECK(wabi_read_str(&r).len == 0 && !wabi_ok(&r));
        r = wabi_reader_new(guarded(e, sizeof e), sizeof e);
        wabi_skip(&r);
        CHECK(!wabi_ok(&r));
        r = wabi_reader_new("\xc1", 1);
        wabi_skip(&r);
        CHECK(!wabi_ok(&r));
    }
    /* errors are sticky; later reads return zero values */
    r = wabi_reader_new("\xa1x\x05", 3);
    CHECK(wabi_read_bool(&r) == false && !wabi_ok(&r));
    CHECK(wabi_read_u32(&r) == 0 && r.pos == 0 && wabi_peek(&r) == WABI_T_END);
    {
        wabi_str e = wabi_reader_error(&r);
        CHECK(e.len && strcmp(e.ptr, "expected bool, found str (at byte 0)") == 0);
    }
    wabi_writer_free(&w);
}

static void test_ext(void) {
    static const struct {
        int64_t s;
        uint32_t ns;
        uint32_t len;
    } t[] = {{0, 0, 6}, {1700000000, 0, 6}, {4294967296LL, 0, 10}, {1, 5, 10}, {17179869183LL, 999999999, 10},
             {17179869184LL, 0, 15}, {-1, 0, 15}, {-62135596800LL, 123, 15}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        wabi_writer w = WABI_WRITER_INIT, c = WABI_WRITER_INIT;
        wabi_reader r;
        int64_t s;
        uint32_t ns;
        wabi_write_timestamp(&w, t[i].s, t[i].ns);
        CHECK(w.len == t[i].len);
        r = wabi_reader_new(w.buf, w.len);
        CHECK(wabi_peek(&r) == WABI_T_EXT);
        wabi_read_timestamp(&r, &s, &ns);
        CHECK(wabi_ok(&r) && s == t[i].s && ns == t[i].ns && r.pos == w.len);
        r = wabi_reader_new(w.buf, w.len);
        wabi_copy_value(&r, &c);
        CHECK_BYTES(c.buf, c.len, w.buf, w.len);
        wabi_writer_free(&w);
        wabi_writer_free(&c);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Export tests                                                                               */

/* A panic record (ABI 7.3): its lengths add up, its message and file are as expected. */
static void check_record(const uint8_t *rec, uint32_t len, const char *msg, const char *file_suffix, bool golden) {
    uint32_t ml = wabi__rd_le32(rec), fl = wabi__rd_le32(rec + 4), line = wabi__rd_le32(rec + 8);
    uint32_t column = wabi__rd_le32(rec + 12), sl = (uint32_t)strlen(file_suffix);
    CHECK(len == 16 + ml + fl);
    CHECK(ml == strlen(msg) && memcmp(rec + 16, msg, ml) == 0);
    CHECK(fl >= sl && memcmp(rec + 16 + ml + fl - sl, file_suffix, sl) == 0);
    CHECK(line > 0 && (golden ? column == 5 : column == 0));
}

static void test_envelopes(void) {
    const vector *ev = envelope_vectors;
    envelope e;
    e = call_export(wabi__export_t_hi, NULL, 0, true);
    CHECK_BYTES(WABI__PTR(e.ptr), e.len, ev[0].hex, ev[0].len);
    e = call_export(wabi__export_t_noop, NULL, 0, true);
    CHECK_BYTES(WABI__PTR(e.ptr), e.len, ev[1].hex, ev[1].len);
    e = call_export(wabi__export_t_err, NULL, 0, true);
    CHECK_BYTES(WABI__PTR(e.ptr), e.len, ev[2].hex, ev[2].len);
    e = call_export(wabi__export_t_err_value, NULL, 0, true);
    CHECK_BYTES(WABI__PTR(e.ptr), e.len, ev[3].hex, ev[3].len);
    e = call_export(wabi__export_t_bad_args, NULL, 0, true);
    CHECK_BYTES(WABI__PTR(e.ptr), e.len, ev[5].hex, ev[5].len);
    e = call_export(wabi__export_t_err_bare, NULL, 0, true);
    CHECK(e.status == 1 && wabi__rd_le32(e.body + 4) == 0 && wabi__rd_le32(e.body) == e.body_len - 8);
    e = call_export(wabi__export_t_bad_result, NULL, 0, true);
    CHECK(body_is(&e, 4, "cannot encode the result: encode"));
    e = call_export(wabi__export_t_unclosed, NULL, 0, true);
    CHECK(body_starts(&e, 4, "cannot encode the result: wabi_write_str_begin without"));
    /* the panic record: message, file, line (checked against the vector's layout) */
    expect_panic = true;
    if (setjmp(panic_jump) == 0) {
        call_export(wabi__export_t_boom, "\xa4" "boom", 5, true);
        CHECK(!"wabi_panic returned");
    }
    expect_panic = false;
    /* the panic unwound past the export: put the nesting state back as a fresh instance has it */
    calls_in_progress = 0;
    wabi__cur = &wabi__level0;
    wabi__depth = 0;
    check_record(panic_record, panic_len, "boom", "test.c", false);
    check_record(ev[4].hex + 8, ev[4].len - 8, "boom", "src/lib.rs", true); /* the golden one */
}

static void test_arguments(void) {
    envelope e;
    /* zero arguments: empty, nil, empty array; anything else refused */
    e = call_export(wabi__export_t_noop, "\xc0", 1, true);
    CHECK(body_is(&e, 0, "\xc0"));
    e = call_export(wabi__export_t_noop, "\x90", 1, false);
    CHECK(body_is(&e, 0, "\xc0"));
    e = call_export(wabi__export_t_noop, "\x91\x01", 2, true);
    CHECK(body_is(&e, 3, "the function takes no arguments, but 2 bytes of arguments were sent"));
    /* one argument is the bare value */
    e = call_export(wabi__export_t_echo, "\xa2hi", 3, true);
    CHECK(body_is(&e, 0, "\xa2hi"));
    e = call_export(wabi__export_t_echo, NULL, 0, true);
    CHECK(body_is(&e, 3, "expected 1 argument, got none (empty input)"));
    /* two or more: an array of exactly that many */
    e = call_export(wabi__export_t_two, "\x92\x05\xc3", 3, true);
    CHECK(body_is(&e, 0, "\x92\x05\xc3"));
    e = call_export(wabi__export_t_two, "\x93\x05\xc3\xc3", 4, true);
    CHECK(body_is(&e, 3, "expected 2 arguments, got 3"));
    e = call_export(wabi__export_t_two, "\x05", 1, true);
    CHECK(body_is(&e, 3, "expected an array of 2 arguments, found an integer"));
    e = call_export(wabi__export_t_two, "\x92\x05\xa1x", 4, true);
    CHECK(body_is(&e, 3, "expected bool, found str (at byte 2 of the arguments)"));
    e = call_export(wabi__export_t_two, "\x92\xd0\xff\xc3", 4, true);
    CHECK(body_is(&e, 3, "integer out of range for u32 (at byte 1 of the arguments)"));
    e = call_export(wabi__export_t_two, "\xdd\xff\xff\xff\xff", 5, true);
    CHECK(body_starts(&e, 3, "array length exceeds the input"));
    CHECK(live_blocks() == 0);
}

static void test_memory(void) {
    uint64_t s = wabi__export_scratch();
    uint32_t sp = (uint32_t)(s >> 32), p, i;
    envelope e;
    uint8_t big[100000];
    /* the same scratch every time (a constant of the module) */
    CHECK(wabi__export_scratch() == s && wabi__export_abi_version() == 0x00010003u);
    /* wabi_alloc: alignment, refusals, frees */
    CHECK(wabi__export_alloc(0, 8) == 0 && wabi__export_alloc(8, 16) == 0 && wabi__export_alloc(8, 3) == 0 &&
          wabi__export_alloc(8, 0) == 0 && wabi__export_alloc(0xffffffffu, 1) == 0);
    for (i = 1; i <= 8; i *= 2) {
        p = wabi__export_alloc(13, i);
        CHECK(p && p % i == 0 && live_blocks() == 1);
        wabi__export_free(p, 13, i);
        wabi__export_free(p, 13, i); /* twice: ignored */
        CHECK(live_blocks() == 0);
    }
    wabi__export_free(sp, 8, 8); /* not a block: ignored */
    /* an input in the scratch buffer: the result follows it, 8-aligned */
    e = call_export(wabi__export_t_echo, "\xa3" "abc", 4, true);
    CHECK(body_is(&e, 0, "\xa3" "abc") && e.ptr == sp + 8);
    /* no input: the result at the start of the scratch buffer */
    e = call_export(wabi__export_t_hi, NULL, 0, true);
    CHECK(e.ptr == sp);
    /* an input in a block: owned by the call and freed after it; the result in scratch */
    e = call_export(wabi__export_t_echo, "\xa3" "abc", 4, false);
    CHECK(body_is(&e, 0, "\xa3" "abc") && e.ptr == sp && live_blocks() == 0);
    /* a large input and result: the block, then the level's heap buffer (reused) */
    big[0] = 0xc6, big[1] = 0, big[2] = 1, big[3] = 0x86, big[4] = 0x9b; /* bin 99995 */
    for (i = 5; i < sizeof big; i++) big[i] = (uint8_t)i;
    e = call_export(wabi__export_t_echo, big, sizeof big, true);
    CHECK(e.status == 0);
    CHECK_BYTES(e.body, e.body_len, big, sizeof big);
    CHECK(e.ptr < sp || e.ptr >= sp + WABI_SCRATCH_SIZE);
    p = e.ptr;
    e = call_export(wabi__export_t_big, "\xce\x00\x01\x80\x00", 5, true);
    CHECK(e.status == 0 && e.body_len == 5 + 98304 && e.ptr == p);
    /* pointers that are neither scratch nor a block */
    {
        uint64_t packed = wabi__export_t_echo(sp + WABI_SCRATCH_SIZE - 2, 4); /* straddles the end */
        envelope f = {(uint32_t)(packed >> 32), (uint32_t)packed, 0, NULL, 0};
        f.status = wabi__rd_le32(WABI__PTR(f.ptr));
        f.body = WABI__PTR(f.ptr) + 8, f.body_len = f.len - 8;
        CHECK(body_is(&f, 3, "the input is neither in the scratch buffer nor a block from wabi_alloc"));
        p = wabi__export_alloc(4, 8);
        packed = wabi__export_t_echo(p, 5); /* longer than its block */
        f.ptr = (uint32_t)(packed >> 32), f.len = (uint32_t)packed;
        f.status = wabi__rd_le32(WABI__PTR(f.ptr));
        f.body = WABI__PTR(f.ptr) + 8, f.body_len = f.len - 8;
        CHECK(body_is(&f, 3, "the input is larger than its block from wabi_alloc") && live_blocks() == 0);
    }
    /* raw and Pod functions */
    e = call_export(wabi__export_t_raw, "ab", 2, true);
    CHECK(body_is(&e, 0, "ab!"));
    e = call_export(wabi__export_t_raw, NULL, 0, true);
    CHECK(body_is(&e, 0, "!"));
    {
        Pod3 in = {1, 2, 3}, zero = {0, 0, 0};
        e = call_export(wabi__export_wabi__pod_t_pod, &in, sizeof in, true);
        CHECK(e.status == 0 && e.body_len == 12 && wabi__rd_le32(e.body) == 3 && wabi__rd_le32(e.body + 8) == 1);
        e = call_export(wabi__export_wabi__pod_t_pod, &in, 11, true);
        CHECK(body_is(&e, 3, "a Pod function takes exactly 12 bytes of arguments, got 11"));
        e = call_export(wabi__export_wabi__pod_t_pod, &zero, sizeof zero, true);
        CHECK(e.status == 1);
    }
    /* call memory is released when the export returns; one chunk is kept */
    {
        wabi__level *l = wabi__level0.down;
        CHECK(l && (!l->chunks || (l->chunks->used == 0 && !l->chunks->next)) && !l->owned);
    }
}

/* Call t_host(name): check the kind and message of the host call's failure. */
static void host_kind(const char *name, uint32_t kind, const char *message) {
    uint8_t in[64];
    wabi_writer w = WABI_WRITER_INIT;
    envelope e;
    wabi_reader r;
    wabi_str m;
    wabi_write_cstr(&w, name);
    memcpy(in, w.buf, w.len);
    e = call_export(wabi__export_t_host, in, w.len, true);
    wabi_writer_free(&w);
    r = wabi_reader_new(e.body, e.body_len);
    CHECK(e.status == 0 && wabi_read_array(&r) == 3);
    CHECK(wabi_read_u32(&r) == kind);
    m = wabi_read_str(&r);
    CHECK(wabi_ok(&r));
    if (m.len != strlen(message) || memcmp(m.ptr, message, m.len) != 0) {
        failures++;
        fprintf(stderr, "host call %s: message \"%.*s\", want \"%s\"\n", name, (int)m.len, m.ptr, message);
    }
}

static void test_host(void) {
    envelope e;
    uint32_t i;
    /* Ok: the value */
    e = call_export(wabi__export_t_host, "\xa4" "echo", 5, true);
    CHECK(body_is(&e, 0, "\x93\xa2ok\x92\xa3" "arg\x07\xc0"));
    /* Error with a value */
    e = call_export(wabi__export_t_host, "\xa4" "fail", 5, true);
    CHECK(body_is(&e, 0, "\x93\x01\xac" "host says: n\xc4\x07\x81\xa4" "code\x07"));
    /* the other kinds name the function */
    host_kind("bad_args", WABI_HOST_BAD_ARGUMENTS, "the host could not decode the arguments of host function `bad_args`: nope");
    host_kind("panics", WABI_HOST_PANIC, "host function `panics` panicked at main: ow");
    host_kind("lies", WABI_HOST_MALFORMED,
              "the host answered the call of host function `lies` with an invalid envelope: envelope body_len does not match its length");
    host_kind("stray", WABI_HOST_MALFORMED,
              "the host answered the call of host function `stray` with an invalid envelope: the answer is not in a block from wabi_alloc");
    host_kind("status9", WABI_HOST_MALFORMED,
              "the host answered the call of host function `status9` with an invalid envelope: unknown envelope status");
    host_kind("nothing", WABI_HOST_ERROR, "no host function named ??");
    CHECK(live_blocks() == 0 && !wabi__level0.down->owned); /* every answer freed */
    /* nested calls: each level keeps its own partial result and buffers */
    for (i = 0; i < 3; i++) {
        deepest = 0;
        e = call_export(wabi__export_nested, "\x06", 1, true);
        CHECK(body_is(&e, 0, "\x92\xa5level\x06") && deepest == 7);
    }
    CHECK(live_blocks() == 0 && wabi__depth == 0 && wabi__cur == &wabi__level0);
    /* config: small, absent, empty, larger than the first buffer (asked again) */
    e = call_export(wabi__export_t_config, "\xa1k", 2, true);
    CHECK(body_is(&e, 0, "\xa5v \xe2\x9c\x93"));
    e = call_export(wabi__export_t_config, "\xa1z", 2, true);
    CHECK(body_is(&e, 0, "\xc0"));
    e = call_export(wabi__export_t_config, "\xa5" "empty", 6, true);
    CHECK(body_is(&e, 0, "\xa0"));
    memset(config_big, 'x', sizeof config_big - 1);
    e = call_export(wabi__export_t_config, "\xa3" "big", 4, true);
    CHECK(e.status == 0 && e.body_len == 3 + 9999 && e.body[0] == 0xda);
    /* log */
    e = call_export(wabi__export_t_log, NULL, 0, true);
    CHECK(e.status == 0 && last_log_level == 3 && strcmp(last_log, "careful \xe2\x9c\x93") == 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Outbound HTTP                                                                              */

static const vector *http_vector(const char *name) {
    size_t i;
    for (i = 0; i < sizeof http_vectors / sizeof http_vectors[0]; i++)
        if (strcmp(http_vectors[i].name, name) == 0) return &http_vectors[i];
    fprintf(stderr, "no http vector %s\n", name);
    abort();
}

static void http_answer_with(const void *env, uint32_t len) {
    http_mode = HTTP_ANSWER;
    http_next = (const uint8_t *)env;
    http_next_len = len;
}

/* An envelope of a status and a body, in a static buffer. */
static const uint8_t *http_envelope(uint32_t status, const void *body, uint32_t len, uint32_t *env_len) {
    static uint8_t env[512];
    wabi__le32(env, status);
    wabi__le32(env + 4, len);
    memcpy(env + 8, body, len);
    *env_len = len + 8;
    return env;
}

/* An error envelope with a message and a value. */
static const uint8_t *http_error_envelope(const char *msg, const void *value, uint32_t vlen, uint32_t *env_len) {
    uint8_t body[256];
    uint32_t ml = (uint32_t)strlen(msg);
    wabi__le32(body, ml);
    wabi__le32(body + 4, vlen);
    memcpy(body + 8, msg, ml);
    memcpy(body + 8 + ml, value, vlen);
    return http_envelope(1, body, 8 + ml + vlen, env_len);
}

static bool wstr_is(wabi_str s, const char *text) {
    return s.len == strlen(text) && memcmp(s.ptr, text, s.len) == 0 && s.ptr[s.len] == 0;
}

/* Send a GET (no headers, no body) answered with env: the error it gets. */
static wabi_http_error http_get_error(const void *env, uint32_t len, int mode) {
    wabi_http_request req;
    wabi_http_response resp;
    wabi_http_error err;
    http_answer_with(env, len);
    http_mode = mode;
    wabi_http_request_init(&req, "GET", "http://127.0.0.1:8080/users/7");
    CHECK(wabi_http_send(&req, &resp, &err) == 0);
    CHECK(resp.status == 0 && resp.nheaders == 0 && resp.body.len == 0 && !resp.block);
    CHECK(err.kind != WABI_HTTP_NONE && err.message.len > 0);
    http_mode = HTTP_ANSWER;
    return err;
}

static void test_http(void) {
    static const struct {
        const char *vector, *kind;
        wabi_http_error_kind value;
    } kinds[] = {{"error_denied", "denied", WABI_HTTP_DENIED},
                 {"error_timeout", "timeout", WABI_HTTP_TIMEOUT},
                 {"error_too_large", "too_large", WABI_HTTP_TOO_LARGE},
                 {"error_connect", "connect", WABI_HTTP_CONNECT},
                 {"error_limit", "limit", WABI_HTTP_LIMIT},
                 {"error_bad_request", "bad_request", WABI_HTTP_BAD_REQUEST},
                 {"error_too_many_redirects", "too_many_redirects", WABI_HTTP_TOO_MANY_REDIRECTS}};
    const vector *get = http_vector("request_get"), *post = http_vector("request_post");
    const vector *ok200 = http_vector("ok_200"), *ok204 = http_vector("ok_204_empty");
    wabi_http_request req;
    wabi_http_response resp;
    wabi_http_error err;
    wabi_http_error e;
    const uint8_t *env;
    uint32_t env_len, i, calls;
    envelope x;

    /* request_get: both empty keys still written (90, 90); answered ok_204_empty */
    http_answer_with(ok204->hex, ok204->len);
    wabi_http_request_init(&req, "GET", "http://127.0.0.1:8080/users/7");
    CHECK(wabi_http_send(&req, &resp, &err) == 204);
    CHECK_BYTES(http_last, http_last_len, get->hex, get->len);
    CHECK(resp.status == 204 && resp.nheaders == 0 && resp.body.len == 0 && err.kind == WABI_HTTP_NONE);
    CHECK(wabi_http_response_header(&resp, "content-type") == NULL);
    CHECK(live_blocks() == 0 && wabi__level0.owned == resp.block && resp.block);
    wabi_http_response_free(&resp);
    CHECK(wabi__level0.owned == NULL && resp.block == NULL);
    wabi_http_response_free(&resp); /* twice: nothing */

    /* request_post: a repeated header, a body; answered ok_200 */
    http_answer_with(ok200->hex, ok200->len);
    build_post(&req);
    CHECK(req.nheaders == 3 && wstr_is(req.headers[1].name, "x-tag") && !req.err);
    {
        wabi_writer w = WABI_WRITER_INIT;
        wabi_http_request_encode(&req, &w);
        CHECK_BYTES(w.buf, w.len, post->hex, post->len);
        wabi_writer_free(&w);
    }
    CHECK(wabi_http_send(&req, &resp, &err) == 200);
    CHECK_BYTES(http_last, http_last_len, post->hex, post->len);
    CHECK(resp.status == 200 && resp.nheaders == 1);
    CHECK(wstr_is(resp.headers[0].name, "content-type") == false); /* a view into the answer: not NUL-terminated */
    CHECK(resp.headers[0].name.len == 12 && memcmp(resp.headers[0].name.ptr, "content-type", 12) == 0);
    CHECK_BYTES(resp.body.ptr, resp.body.len, "ok", 2);
    {
        const wabi_str *a = wabi_http_response_header(&resp, "Content-Type"),
                       *b = wabi_http_response_header(&resp, "CONTENT-TYPE"),
                       *c = wabi_http_response_header_str(&resp, WABI_STR("content-typ"));
        CHECK(a && a == b && !c && a->len == 10 && memcmp(a->ptr, "text/plain", 10) == 0);
    }
    wabi_http_response_free(&resp);
    CHECK(wabi__level0.owned == NULL && live_blocks() == 0);

    /* many headers: the array grows; every one is sent in order */
    {
        wabi_writer w = WABI_WRITER_INIT;
        char name[16], value[16];
        http_answer_with(ok204->hex, ok204->len);
        wabi_http_request_init(&req, "DELETE", "https://example.com/");
        for (i = 0; i < 40; i++) {
            snprintf(name, sizeof name, "x-h%u", i);
            snprintf(value, sizeof value, "v%u", i * 7);
            wabi_http_request_header(&req, name, value);
        }
        CHECK(wabi_http_send(&req, &resp, &err) == 204);
        wabi_write_map(&w, 4);
        wabi_write_cstr(&w, "method");
        wabi_write_cstr(&w, "DELETE");
        wabi_write_cstr(&w, "url");
        wabi_write_cstr(&w, "https://example.com/");
        wabi_write_cstr(&w, "headers");
        wabi_write_array(&w, 40);
        for (i = 0; i < 40; i++) {
            snprintf(name, sizeof name, "x-h%u", i);
            snprintf(value, sizeof value, "v%u", i * 7);
            wabi_write_array(&w, 2);
            wabi_write_cstr(&w, name);
            wabi_write_cstr(&w, value);
        }
        wabi_write_cstr(&w, "body");
        wabi_write_nil(&w);
        w.buf[w.len - 1] = 0x90; /* an empty body */
        CHECK_BYTES(http_last, http_last_len, w.buf, w.len);
        wabi_writer_free(&w);
        wabi_http_response_free(&resp);
    }

    /* every error vector: its kind, the kind's name, the host's message */
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const vector *v = http_vector(kinds[i].vector);
        e = http_get_error(v->hex, v->len, HTTP_ANSWER);
        CHECK(e.kind == kinds[i].value && wstr_is(e.kind_name, kinds[i].kind));
        CHECK(strcmp(wabi_http_error_kind_name(kinds[i].value), kinds[i].kind) == 0);
        if (!wstr_is(e.message, v->rust_type)) {
            failures++;
            fprintf(stderr, "http %s: message \"%.*s\", want \"%s\"\n", v->name, (int)e.message.len, e.message.ptr, v->rust_type);
        }
    }
    CHECK(wabi__level0.owned == NULL && live_blocks() == 0); /* error answers are freed at once */
    CHECK(strcmp(wabi_http_error_kind_name(WABI_HTTP_NONE), "connect") == 0 &&
          strcmp(wabi_http_error_kind_name((wabi_http_error_kind)99), "connect") == 0);

    /* a kind this SDK does not know is connect, its name kept; a value without a kind too */
    env = http_error_envelope("http: the server is a teapot", "\x82\xa4kind\xa6teapot\xa5" "extra\xc3", 20, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(e.kind == WABI_HTTP_CONNECT && wstr_is(e.kind_name, "teapot") && wstr_is(e.message, "http: the server is a teapot"));
    env = http_error_envelope("no value", "", 0, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(e.kind == WABI_HTTP_CONNECT && wstr_is(e.kind_name, "connect") && wstr_is(e.message, "no value"));
    env = http_error_envelope("kind not a str", "\x81\xa4kind\x07", 7, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(e.kind == WABI_HTTP_CONNECT && wstr_is(e.kind_name, "connect") && wstr_is(e.message, "kind not a str"));

    /* answers that break the rules: connect errors with the SDK's message, never a crash */
    env = http_envelope(3, "bad args", 8, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(e.kind == WABI_HTTP_CONNECT && wstr_is(e.message, "http: the host answered with status 3 (not 0 or 1)"));
    env = http_envelope(4000000000u, "", 0, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(wstr_is(e.message, "http: the host answered with status 4000000000 (not 0 or 1)"));
    e = http_get_error(ok200->hex, ok200->len, HTTP_STRAY);
    CHECK(e.kind == WABI_HTTP_CONNECT && wstr_is(e.kind_name, "connect") &&
          wstr_is(e.message, "http: the host answered with an invalid envelope: the answer is not in a block from wabi_alloc"));
    e = http_get_error(ok200->hex, ok200->len, HTTP_LIES);
    CHECK(wstr_is(e.message, "http: the host answered with an invalid envelope: envelope body_len does not match its length"));
    e = http_get_error(ok200->hex, ok200->len, HTTP_SHORT);
    CHECK(wstr_is(e.message, "http: the host answered with an invalid envelope: result envelope needs at least 8 bytes"));
    env = http_envelope(1, "\x05\0\0\0\0\0\0\0abc", 11, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(wstr_is(e.message, "http: the host answered with an invalid envelope: error body lengths do not match its length"));
    env = http_envelope(0, "\xc0", 1, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(e.kind == WABI_HTTP_CONNECT && wstr_is(e.message, "http: the host's response does not decode: expected map, found nil (at byte 0)"));
    env = http_envelope(0, "\x81\xa4" "body\x90", 7, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(wstr_is(e.message, "http: the host's response does not decode: the response has no status (at byte 7)"));
    env = http_envelope(0, "\x81\xa6status\x00", 9, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(wstr_is(e.message, "http: the host's response does not decode: the response's status is 0 (at byte 9)"));
    env = http_envelope(0, "\x82\xa6status\xcc\xc8\xa7headers\x91\x91\xa1x", 22, &env_len);
    e = http_get_error(env, env_len, HTTP_ANSWER);
    CHECK(wstr_is(e.message, "http: the host's response does not decode: a header is an array of 2 strings (at byte 20)"));
    CHECK(wabi__level0.owned == NULL && live_blocks() == 0); /* every broken answer freed */

    /* lenient decoding: keys in any order, unknown keys, a body as an array of 0-255, first match */
    {
        static const uint8_t body[] = {0x84, 0xa4, 'b', 'o', 'd', 'y', 0x93, 1, 2, 0xcc, 0xff, 0xa5, 'e', 'x', 't', 'r', 'a',
                                       0x91, 0xc0, 0xa7, 'h', 'e', 'a', 'd', 'e', 'r', 's', 0x92, 0x92, 0xa1, 'a', 0xa1, '1',
                                       0x92, 0xa1, 'A', 0xa1, '2', 0xa6, 's', 't', 'a', 't', 'u', 's', 0xcd, 0x01, 0xf4};
        const wabi_str *a;
        env = http_envelope(0, body, sizeof body, &env_len);
        http_answer_with(env, env_len);
        wabi_http_request_init(&req, "GET", "http://127.0.0.1:8080/users/7");
        CHECK(wabi_http_send(&req, &resp, &err) == 500);
        CHECK(resp.nheaders == 2 && resp.body.len == 3 && resp.body.ptr[2] == 0xff);
        a = wabi_http_response_header(&resp, "a");
        CHECK(a && a->len == 1 && a->ptr[0] == '1');
        wabi_http_response_free(&resp);
    }

    /* a request that could not be built is not sent */
    calls = http_calls;
    wabi_http_request_init(&req, "GET", "http://127.0.0.1:8080/users/7");
    req.err = "out of memory";
    wabi_http_request_header(&req, "ignored", "now");
    CHECK(req.nheaders == 0);
    CHECK(wabi_http_send(&req, &resp, &err) == 0 && http_calls == calls);
    CHECK(err.kind == WABI_HTTP_BAD_REQUEST && wstr_is(err.kind_name, "bad_request") &&
          wstr_is(err.message, "http: cannot build the request: out of memory"));

    /* inside an export: wabi_fail_http answers exactly what the host sent (message, {"kind"}) */
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const vector *v = http_vector(kinds[i].vector);
        http_answer_with(v->hex, v->len);
        x = call_export(wabi__export_t_http, NULL, 0, true);
        CHECK_BYTES(WABI__PTR(x.ptr), x.len, v->hex, v->len);
    }
    env = http_error_envelope("odd", "\x81\xa4kind\xa6teapot", 13, &env_len);
    http_answer_with(env, env_len);
    x = call_export(wabi__export_t_http, NULL, 0, true);
    CHECK_BYTES(WABI__PTR(x.ptr), x.len, env, env_len); /* the unknown name is passed on */
    http_answer_with(ok200->hex, ok200->len);
    x = call_export(wabi__export_t_http, NULL, 0, true);
    CHECK(body_is(&x, 0, "\x93\xcc\xc8\xaatext/plain\xc4\x02ok"));
    CHECK_BYTES(http_last, http_last_len, post->hex, post->len);
    CHECK(live_blocks() == 0 && !wabi__level0.down->owned && wabi__level0.owned == NULL);

    wabi__level_reset(&wabi__level0); /* the call memory the tests above used outside an export */
}

/* Calls of every kind leave the heap as they found it once buffers have warmed up. */
static void test_no_leaks(void) {
    long counts[3];
    int round;
    static uint8_t big[70000];
    big[0] = 0xc6, big[1] = 0, big[2] = 1, big[3] = 0x11, big[4] = 0x6b; /* bin 69995 */
    for (round = 0; round < 3; round++) {
        call_export(wabi__export_t_echo, big, sizeof big, true);     /* input in a block */
        call_export(wabi__export_t_echo, "\xa1x", 2, false);         /* small input in a block */
        call_export(wabi__export_t_host, "\xa4" "fail", 5, true);    /* host call answers */
        call_export(wabi__export_t_host, "\xa4" "lies", 5, true);
        call_export(wabi__export_nested, "\x05", 1, true);           /* nested calls */
        call_export(wabi__export_t_config, "\xa3" "big", 4, true);   /* call memory */
        call_export(wabi__export_t_err_value, NULL, 0, true);
        call_export(wabi__export_t_two, "\x93\x05\xc3\xc3", 4, false); /* refused arguments */
        http_answer_with(http_vector("ok_200")->hex, http_vector("ok_200")->len); /* HTTP answers */
        call_export(wabi__export_t_http, NULL, 0, true);
        http_answer_with(http_vector("error_denied")->hex, http_vector("error_denied")->len);
        call_export(wabi__export_t_http, NULL, 0, true);
        counts[round] = wabi__heap_blocks;
    }
    CHECK(counts[1] == counts[2] && live_blocks() == 0);
}

int main(void) {
    test_vectors();
    test_ints();
    test_floats();
    test_strings();
    test_bytes();
    test_call_memory();
    test_limits();
    test_ext();
    test_envelopes();
    test_arguments();
    test_memory();
    test_host();
    test_http();
    test_no_leaks();
    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
