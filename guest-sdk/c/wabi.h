/*
 * wabi.h: the wabi guest SDK for C (ABI version 1.3, see abi-spec/ABI.md).
 *
 * A plugin is plain C functions plus one macro line each:
 *
 *     #include "wabi.h"
 *
 *     static wabi_status shout(wabi_reader *args, wabi_writer *out) {
 *         wabi_str s = wabi_read_str(args);          // a view of the input, no copy
 *         uint32_t times = wabi_read_u32(args);
 *         if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
 *         if (times > 100) return wabi_fail(out, "too loud");
 *         wabi_write_str_begin(out);
 *         for (uint32_t i = 0; i < times; i++) wabi_text_str(out, s);
 *         wabi_write_str_end(out);
 *         return WABI_OK;
 *     }
 *     WABI_EXPORT(shout, 2)     // exported as "shout", takes 2 arguments: (String, u32) -> String
 *
 * Compile it together with wabi.c (see README.md). wabi.c defines the exports the ABI reserves
 * (wabi_abi_version, wabi_alloc, wabi_free, wabi_scratch), so nothing else is needed.
 *
 * Conventions:
 *   - Readers and writers have a *sticky error*: the first failure is remembered, every later
 *     read returns a zero value (0, false, an empty string, a count of 0) and every later write
 *     does nothing. A function therefore reads all its arguments and checks once; the export
 *     wrapper checks too: a function that returns WABI_OK while its argument reader failed
 *     answers BadArguments with the reader's message, and a writer that failed (out of memory,
 *     or wabi_writer_fail) answers BadResult.
 *   - Strings (wabi_str) and byte strings (wabi_bytes) read from the arguments are *views*
 *     borrowed from the input: valid until the export returns. They are not NUL-terminated
 *     (use wabi_str_dup for a C string).
 *   - "Call memory" (wabi_talloc, wabi_str_dup, wabi_config, host call results, HTTP requests
 *     and responses) belongs to the export call in progress and is released when it returns:
 *     no free needed.
 *   - Exports are re-entrant: a host function may call back into the plugin while an export
 *     waits in wabi_host_call (a nested call); each nesting level has its own buffers.
 */
#ifndef WABI_H
#define WABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this SDK implements (major << 16 | minor), returned by wabi_abi_version. */
#define WABI_ABI_VERSION 0x00010003u
/* Capacity of the scratch input buffer reported by wabi_scratch. */
#define WABI_SCRATCH_SIZE 65536u
/* Deepest nesting of arrays and maps the generic readers accept (ABI section 8). */
#define WABI_MAX_DEPTH 128

/* ------------------------------------------------------------------------------------------ */
/* Basic types                                                                                */

/* What an exported function returns (the status of its result envelope, ABI 7.2): WABI_OK
 * after writing its result; `return wabi_fail(out, msg);` (or WABI_ERROR after wabi_fail_begin
 * ... wabi_fail_value ...) for an error; WABI_BAD_ARGUMENTS (wabi_bad_arguments) when the
 * arguments are unusable. Panics are not returned: see wabi_panic. */
typedef enum wabi_status {
    WABI_OK = 0,
    WABI_ERROR = 1,
    WABI_BAD_ARGUMENTS = 3,
    WABI_BAD_RESULT = 4
} wabi_status;

/* A UTF-8 string view: len bytes at ptr, not NUL-terminated. */
typedef struct wabi_str {
    const char *ptr;
    uint32_t len;
} wabi_str;

/* A byte string view. */
typedef struct wabi_bytes {
    const uint8_t *ptr;
    uint32_t len;
} wabi_bytes;

/* The wabi_str of a string literal (or any NUL-terminated string). */
#define WABI_STR(s) wabi_cstr(s)

/* The kind of the next MessagePack value (wabi_peek). */
typedef enum wabi_type {
    WABI_T_END = 0,   /* no more input (or the reader has failed) */
    WABI_T_INVALID,   /* a byte that starts no MessagePack value (0xc1) */
    WABI_T_NIL,
    WABI_T_BOOL,
    WABI_T_UINT,      /* an integer >= 0, whatever its encoding */
    WABI_T_INT,       /* an integer < 0 */
    WABI_T_F32,
    WABI_T_F64,
    WABI_T_STR,
    WABI_T_BIN,
    WABI_T_ARRAY,
    WABI_T_MAP,
    WABI_T_EXT
} wabi_type;

/* ------------------------------------------------------------------------------------------ */
/* Reading MessagePack                                                                        */

/* A bounds-checked MessagePack reader over len bytes at buf. Every length it reads is checked
 * against the bytes present before anything is used. */
typedef struct wabi_reader {
    const uint8_t *buf;
    uint32_t len;
    uint32_t pos;
    const char *err;  /* NULL while no read has failed; then why the first one failed */
    uint32_t err_pos; /* the offset of the value that failed */
} wabi_reader;

/* A reader over len bytes at buf. */
wabi_reader wabi_reader_new(const void *buf, uint32_t len);
/* True while no read has failed. */
static inline bool wabi_ok(const wabi_reader *r) { return r->err == NULL; }
/* Make the reader fail with msg (a string that outlives the call: a literal, or call memory),
 * unless it has already failed. Use it for values that decode but are invalid. */
void wabi_reader_fail(wabi_reader *r, const char *msg);
/* Why the reader failed, as one sentence in call memory ("expected bool, found str (at byte 0)");
 * empty while it has not failed. */
wabi_str wabi_reader_error(const wabi_reader *r);
/* Bytes not read yet. */
static inline uint32_t wabi_remaining(const wabi_reader *r) { return r->err ? 0 : r->len - r->pos; }

/* The kind of the next value, without consuming it. */
wabi_type wabi_peek(const wabi_reader *r);
/* Consume a nil. */
void wabi_read_nil(wabi_reader *r);
/* If the next value is nil, consume it and return true (an absent Option); otherwise false. */
bool wabi_read_is_nil(wabi_reader *r);
bool wabi_read_bool(wabi_reader *r);
/* Integers in any MessagePack form, range-checked against the C type. */
int64_t wabi_read_i64(wabi_reader *r);
uint64_t wabi_read_u64(wabi_reader *r);
int32_t wabi_read_i32(wabi_reader *r);
uint32_t wabi_read_u32(wabi_reader *r);
int16_t wabi_read_i16(wabi_reader *r);
uint16_t wabi_read_u16(wabi_reader *r);
int8_t wabi_read_i8(wabi_reader *r);
uint8_t wabi_read_u8(wabi_reader *r);
/* A float 32 (an integer, or a float 64 that is exactly a float 32, is accepted too). */
float wabi_read_f32(wabi_reader *r);
/* A float 64 (a float 32 or an integer is accepted too). */
double wabi_read_f64(wabi_reader *r);
/* A str, checked to be UTF-8; a view into the input. */
wabi_str wabi_read_str(wabi_reader *r);
/* A byte string: bin (a view into the input) or an array of integers 0-255 (copied into call
 * memory), as ABI section 8 requires. */
wabi_bytes wabi_read_bytes(wabi_reader *r);
/* An array header: the number of elements that follow. The count is checked against the bytes
 * left (each element takes at least one), so it is safe to allocate count small items. */
uint32_t wabi_read_array(wabi_reader *r);
/* A map header: the number of key/value pairs that follow (checked like wabi_read_array). */
uint32_t wabi_read_map(wabi_reader *r);
/* An ext value: its type; *data is a view of its payload. */
int8_t wabi_read_ext(wabi_reader *r, wabi_bytes *data);
/* A timestamp (ext type -1, any of its three forms). */
void wabi_read_timestamp(wabi_reader *r, int64_t *seconds, uint32_t *nanoseconds);
/* An enum variant (ABI 8, externally tagged): a str is a unit variant (*has_value = false); a
 * map of one entry is a variant with a value (*has_value = true), and the reader is then at that
 * value. Returns the variant's name. */
wabi_str wabi_read_variant(wabi_reader *r, bool *has_value);
/* Skip one value of any kind, nested at most WABI_MAX_DEPTH deep. */
void wabi_skip(wabi_reader *r);
/* Skip one value and return its encoded bytes (a view), e.g. to decode it later with
 * wabi_reader_new. */
wabi_bytes wabi_read_raw_value(wabi_reader *r);
/* Read one value of any kind and write it to w in canonical form (smallest integers, the same
 * float widths): echoing a dynamic value. Nested at most WABI_MAX_DEPTH deep. */
struct wabi_writer;
void wabi_copy_value(wabi_reader *r, struct wabi_writer *w);

/* ------------------------------------------------------------------------------------------ */
/* Writing MessagePack                                                                        */

typedef struct wabi__buf wabi__buf;

/* A growing MessagePack writer. The export wrapper hands one to every function (the result is
 * what the function writes into it); wabi_host_args gives one for host-call arguments; a
 * writer of your own starts as WABI_WRITER_INIT and is released with wabi_writer_free. */
typedef struct wabi_writer {
    uint8_t *buf;
    uint32_t len;
    uint32_t cap;
    const char *err;   /* NULL while no write has failed */
    wabi__buf *home;   /* private: the buffer it grows into (NULL: buf is its own) */
    uint32_t str_at;   /* private: 1 + where an open string's header starts, 0 if none */
    uint32_t value_at; /* private: where an error's value starts */
    uint8_t envelope;  /* private: the writer of an export's result envelope */
    uint8_t fail;      /* private: what the envelope's body holds (wabi.c) */
} wabi_writer;

#define WABI_WRITER_INIT {0}
/* Release a writer made from WABI_WRITER_INIT. */
void wabi_writer_free(wabi_writer *w);
/* Make the writer fail with msg (a literal or call memory): the function answers BadResult. */
void wabi_writer_fail(wabi_writer *w, const char *msg);
/* The bytes written so far. */
static inline wabi_bytes wabi_writer_bytes(const wabi_writer *w) {
    wabi_bytes b = {w->buf, w->len};
    return b;
}

void wabi_write_nil(wabi_writer *w);
void wabi_write_bool(wabi_writer *w, bool v);
/* Integers, always in their smallest form (ABI section 8), whatever the C type. */
void wabi_write_int(wabi_writer *w, int64_t v);
void wabi_write_uint(wabi_writer *w, uint64_t v);
static inline void wabi_write_i8(wabi_writer *w, int8_t v) { wabi_write_int(w, v); }
static inline void wabi_write_i16(wabi_writer *w, int16_t v) { wabi_write_int(w, v); }
static inline void wabi_write_i32(wabi_writer *w, int32_t v) { wabi_write_int(w, v); }
static inline void wabi_write_i64(wabi_writer *w, int64_t v) { wabi_write_int(w, v); }
static inline void wabi_write_u8(wabi_writer *w, uint8_t v) { wabi_write_uint(w, v); }
static inline void wabi_write_u16(wabi_writer *w, uint16_t v) { wabi_write_uint(w, v); }
static inline void wabi_write_u32(wabi_writer *w, uint32_t v) { wabi_write_uint(w, v); }
static inline void wabi_write_u64(wabi_writer *w, uint64_t v) { wabi_write_uint(w, v); }
/* Floats keep their width: f32 is float 32 (ca), f64 float 64 (cb). */
void wabi_write_f32(wabi_writer *w, float v);
void wabi_write_f64(wabi_writer *w, double v);
/* A str of len bytes of UTF-8 (not checked: pass valid UTF-8). */
void wabi_write_str(wabi_writer *w, const char *s, uint32_t len);
/* A str from a NUL-terminated string. */
void wabi_write_cstr(wabi_writer *w, const char *s);
static inline void wabi_write_wstr(wabi_writer *w, wabi_str s) { wabi_write_str(w, s.ptr, s.len); }
/* A byte string: bin, or the empty array 90 when len is 0 (ABI section 8). */
void wabi_write_bytes(wabi_writer *w, const void *data, uint32_t len);
/* A byte string of len bytes that the caller fills in: returns where (NULL on failure). */
uint8_t *wabi_write_bytes_reserve(wabi_writer *w, uint32_t len);
/* Array and map headers: then write count values (count key/value pairs for a map). */
void wabi_write_array(wabi_writer *w, uint32_t count);
void wabi_write_map(wabi_writer *w, uint32_t count);
/* An ext value of a type and payload, in its smallest form. */
void wabi_write_ext(wabi_writer *w, int8_t type, const void *data, uint32_t len);
/* A timestamp (ext -1) in its smallest form; nanoseconds < 1e9. */
void wabi_write_timestamp(wabi_writer *w, int64_t seconds, uint32_t nanoseconds);
/* An enum variant with a value (a map of one entry): write the value next. A unit variant is
 * just its name: wabi_write_cstr. */
void wabi_write_variant(wabi_writer *w, const char *name);
/* Bytes as they are (raw functions, or pre-encoded MessagePack). */
void wabi_write_raw(wabi_writer *w, const void *data, uint32_t len);
/* Reserve n bytes for the caller to fill in: returns where (NULL on failure). */
uint8_t *wabi_write_reserve(wabi_writer *w, uint32_t n);

/* Text: build a string from pieces. wabi_text* append raw UTF-8 (no MessagePack header); use
 * them between wabi_write_str_begin and wabi_write_str_end to write one str, or between
 * wabi_fail_begin and wabi_fail_value to build an error message. */
void wabi_text(wabi_writer *w, const char *s);
void wabi_text_n(wabi_writer *w, const char *s, uint32_t len);
static inline void wabi_text_str(wabi_writer *w, wabi_str s) { wabi_text_n(w, s.ptr, s.len); }
void wabi_text_u64(wabi_writer *w, uint64_t v);
void wabi_text_i64(wabi_writer *w, int64_t v);
void wabi_write_str_begin(wabi_writer *w);
void wabi_write_str_end(wabi_writer *w);

/* ------------------------------------------------------------------------------------------ */
/* Results of exported functions                                                              */

/* Answer with an error (envelope status 1) whose message is msg and which has no value:
 * `return wabi_fail(out, "not found");`. Whatever was written to out is discarded. */
wabi_status wabi_fail(wabi_writer *out, const char *msg);
wabi_status wabi_fail_n(wabi_writer *out, const char *msg, uint32_t len);
/* An error with a message and a value (ABI 7.4): wabi_fail_begin, the message with wabi_text*,
 * wabi_fail_value, then the value (one MessagePack value), then `return WABI_ERROR;`. */
void wabi_fail_begin(wabi_writer *out);
void wabi_fail_value(wabi_writer *out);
/* Answer BadArguments (status 3) with a message: the arguments are unusable. */
wabi_status wabi_bad_arguments(wabi_writer *out, const char *msg);

/* Report a panic through wabi.panic (ABI 7.3) with msg and this file and line. Never returns:
 * the host ends the call with a panic error and discards the instance. */
#define wabi_panic(msg) wabi_panic_at((msg), wabi__strlen(msg), __FILE__, __LINE__)
#define wabi_panic_n(msg, len) wabi_panic_at((msg), (len), __FILE__, __LINE__)
/* Panic unless cond holds. */
#define WABI_ASSERT(cond) \
    ((cond) ? (void)0 : wabi_panic_at("assertion failed: " #cond, \
                                      sizeof("assertion failed: " #cond) - 1, __FILE__, __LINE__))
__attribute__((noreturn)) void wabi_panic_at(const char *msg, uint32_t len, const char *file, uint32_t line);

/* ------------------------------------------------------------------------------------------ */
/* Exporting functions                                                                        */

/* A MessagePack function: reads its arguments from args (positioned at the first argument;
 * the wrapper has checked the argument-list form, ABI 6.3) and writes its result, one value,
 * to out. Writing nothing returns nil (a function that returns nothing). */
typedef wabi_status (*wabi_fn)(wabi_reader *args, wabi_writer *out);
/* A raw function (ABI 6.4): the input bytes exactly; its result bytes go to out with
 * wabi_write_raw / wabi_write_reserve. */
typedef wabi_status (*wabi_raw_fn)(wabi_bytes in, wabi_writer *out);

/* The attribute that exports a function from the module under a name (nothing off wasm, where
 * the SDK's own tests run). */
#if defined(__wasm__)
#define WABI_EXPORT_NAME(name) __attribute__((export_name(name)))
#else
#define WABI_EXPORT_NAME(name)
#endif

/* Export fn under its own name; nargs is the number of arguments it takes (0 accepts empty
 * input, nil and an empty array; 1 takes the bare value; 2 or more an array of exactly nargs). */
#define WABI_EXPORT(fn, nargs) WABI_EXPORT_AS(#fn, fn, nargs)
/* Export fn under another name (any string not starting with "wabi_", e.g. "renamed.fn"). */
#define WABI_EXPORT_AS(name, fn, nargs)                                                    \
    WABI_EXPORT_NAME(name) uint64_t wabi__export_##fn(uint32_t ptr, uint32_t len); \
    uint64_t wabi__export_##fn(uint32_t ptr, uint32_t len) {                               \
        return wabi__serve(ptr, len, (nargs), fn);                                         \
    }
/* Export a raw function. */
#define WABI_EXPORT_RAW(fn) WABI_EXPORT_RAW_AS(#fn, fn)
#define WABI_EXPORT_RAW_AS(name, fn)                                                       \
    WABI_EXPORT_NAME(name) uint64_t wabi__export_##fn(uint32_t ptr, uint32_t len); \
    uint64_t wabi__export_##fn(uint32_t ptr, uint32_t len) {                               \
        return wabi__serve_raw(ptr, len, fn);                                              \
    }
/* Export a Pod function (ABI 6.4): `wabi_status fn(const In *in, Out *result, wabi_writer *out)`.
 * In and Out are structs without padding (little-endian, as wasm is). An input of any other
 * size than sizeof(In) answers BadArguments; on WABI_OK the body is the bytes of *result
 * (zeroed before the call); use out only to fail. */
#define WABI_EXPORT_POD(fn, In, Out) WABI_EXPORT_POD_AS(#fn, fn, In, Out)
#define WABI_EXPORT_POD_AS(name, fn, In, Out)                                              \
    static wabi_status wabi__pod_##fn(wabi_bytes in, wabi_writer *out) {                   \
        In arg;                                                                            \
        Out result;                                                                        \
        wabi_status status;                                                                \
        if (in.len != sizeof(In)) return wabi__pod_size(out, (uint32_t)sizeof(In), in.len); \
        __builtin_memcpy(&arg, in.ptr, sizeof(In));                                        \
        __builtin_memset(&result, 0, sizeof(Out));                                         \
        status = fn(&arg, &result, out);                                                   \
        if (status == WABI_OK) wabi_write_raw(out, &result, (uint32_t)sizeof(Out));        \
        return status;                                                                     \
    }                                                                                      \
    WABI_EXPORT_RAW_AS(name, wabi__pod_##fn)

/* ------------------------------------------------------------------------------------------ */
/* Host functions (wabi.host_call, ABI 4.1)                                                   */

typedef enum wabi_host_kind {
    WABI_HOST_OK = 0,         /* value is the return value */
    WABI_HOST_ERROR,          /* the host function failed: message, and value if it has one
                                 (also for "no host function named ...") */
    WABI_HOST_BAD_ARGUMENTS,  /* the host could not decode the arguments */
    WABI_HOST_BAD_RESULT,     /* the host could not encode the function's result */
    WABI_HOST_PANIC,          /* the host answered with a panic record */
    WABI_HOST_MALFORMED,      /* the answer was not a valid result envelope */
    WABI_HOST_ENCODE          /* the arguments' writer had failed: the host was not called */
} wabi_host_kind;

/* The answer to a host call. Its memory is the guest's (ABI 4.1): it is released with
 * wabi_free when the export that made the call returns, or earlier by wabi_host_result_free
 * (outside an export, e.g. in a constructor, only by wabi_host_result_free). */
typedef struct wabi_host_result {
    wabi_host_kind kind;
    /* WABI_HOST_OK: a reader over the return value. WABI_HOST_ERROR: over the error's value
     * (value.len == 0 when it has none). Otherwise empty. */
    wabi_reader value;
    /* Otherwise than WABI_HOST_OK: what went wrong (the host's own message for WABI_HOST_ERROR,
     * a sentence naming the function for the other kinds). */
    wabi_str message;
    void *block; /* private */
} wabi_host_result;

/* A writer for the arguments of a host call of nargs arguments (for 2 or more it has already
 * written the array header; write the nargs values next). One per nesting level: finish one
 * host call before starting the next. */
wabi_writer *wabi_host_args(uint32_t nargs);
/* Call the host function name with the arguments in args (from wabi_host_args; NULL for no
 * arguments). Returns true when res->kind is WABI_HOST_OK. The host may call back into the
 * plugin's exports before this returns. */
bool wabi_host_call(const char *name, wabi_writer *args, wabi_host_result *res);
/* The same with a name of name_len bytes and arguments already encoded by the argument-list
 * rule (ABI 6.3). */
bool wabi_host_call_n(const char *name, uint32_t name_len, const uint8_t *args, uint32_t args_len,
                      wabi_host_result *res);
/* Release a host call's answer now rather than when the export returns. */
void wabi_host_result_free(wabi_host_result *res);
/* Answer with an error whose message is the failed host call's message (and no value). */
static inline wabi_status wabi_fail_host(wabi_writer *out, const wabi_host_result *res) {
    return wabi_fail_n(out, res->message.ptr, res->message.len);
}

/* ------------------------------------------------------------------------------------------ */
/* Outbound HTTP (wabi.http_request, ABI 4.4)                                                 */
/*
 *     wabi_http_request req;
 *     wabi_http_response resp;
 *     wabi_http_error err;
 *     wabi_http_request_init(&req, "GET", "https://api.example.com/v1/users/7");
 *     wabi_http_request_header(&req, "accept", "application/json");
 *     if (!wabi_http_send(&req, &resp, &err)) return wabi_fail_http(out, &err);
 *     const wabi_str *type = wabi_http_response_header(&resp, "Content-Type");
 *     ... resp.status, resp.body ...
 *
 * The host sends the request only if the embedder granted this plugin HTTP to that host; every
 * refusal or failure is a wabi_http_error, never a trap. */

typedef enum wabi_http_error_kind {
    WABI_HTTP_NONE = 0,           /* no error: wabi_http_send returned a response */
    WABI_HTTP_DENIED,             /* "denied": no grant for this method, scheme, host, port or address */
    WABI_HTTP_TIMEOUT,            /* "timeout": no complete response in time */
    WABI_HTTP_TOO_LARGE,          /* "too_large": the request body or the response over the grant's limit */
    WABI_HTTP_CONNECT,            /* "connect": name, connection, TLS or HTTP failure; also any kind this
                                     SDK does not know, and an answer from the host that is not valid */
    WABI_HTTP_LIMIT,              /* "limit": too many requests during this call */
    WABI_HTTP_BAD_REQUEST,        /* "bad_request": an invalid URL, method or header, or a header the host
                                     owns (host, content-length, connection, ...); also a request this
                                     SDK could not build (out of memory) */
    WABI_HTTP_TOO_MANY_REDIRECTS  /* "too_many_redirects" */
} wabi_http_error_kind;

/* A header field. */
typedef struct wabi_http_header {
    wabi_str name;
    wabi_str value;
} wabi_http_header;

/* A request. Build it with wabi_http_request_init and the functions below; its fields may be
 * read. Method, URL, header names and values are copied into call memory (so they may come
 * from temporary buffers); the body is borrowed: it must stay valid until wabi_http_send. */
typedef struct wabi_http_request {
    wabi_str method;
    wabi_str url;
    wabi_http_header *headers; /* in order, call memory */
    uint32_t nheaders;
    uint32_t cap_headers; /* private */
    wabi_bytes body;
    const char *err; /* NULL, or why the request could not be built (out of memory) */
} wabi_http_request;

/* The response: the final one, after any redirects the host followed (a 4xx or 5xx status is a
 * response, not an error). headers and body are views into the host's answer, which is released
 * when the export returns, or earlier by wabi_http_response_free; the headers array is call
 * memory. */
typedef struct wabi_http_response {
    uint32_t status;                 /* 100-999 from a conforming host (never 0) */
    const wabi_http_header *headers; /* in the order received; names in lower case */
    uint32_t nheaders;
    wabi_bytes body;
    void *block; /* private */
} wabi_http_response;

/* Why a request got no response. */
typedef struct wabi_http_error {
    wabi_http_error_kind kind;
    /* The kind as the host named it ("denied", ...; an unknown name, which kind reports as
     * WABI_HTTP_CONNECT, is kept as it came). NUL-terminated, a literal or call memory. */
    wabi_str kind_name;
    /* For people: which host, which limit, what to change (the host's message, or the SDK's
     * when the host's answer was not valid). NUL-terminated, call memory. */
    wabi_str message;
} wabi_http_error;

/* Start a request: a method (upper case, e.g. "GET", "POST") and an absolute http:// or https://
 * URL; no headers, no body. */
void wabi_http_request_init(wabi_http_request *req, const char *method, const char *url);
void wabi_http_request_init_str(wabi_http_request *req, wabi_str method, wabi_str url);
/* Add a header field (repeatable: a name may appear several times; they are sent in order).
 * The host refuses headers it sets itself (host, content-length, transfer-encoding,
 * connection, upgrade, te, trailer, keep-alive, proxy-connection) with WABI_HTTP_BAD_REQUEST. */
void wabi_http_request_header(wabi_http_request *req, const char *name, const char *value);
void wabi_http_request_header_str(wabi_http_request *req, wabi_str name, wabi_str value);
/* Set the body: len bytes at data, borrowed until wabi_http_send. */
void wabi_http_request_body(wabi_http_request *req, const void *data, uint32_t len);
/* The request as the MessagePack map wabi.http_request takes ({method, url, headers, body}, in
 * this order; ABI 4.4). wabi_http_send does this itself. */
void wabi_http_request_encode(const wabi_http_request *req, wabi_writer *w);
/* Send the request and wait for the response: returns its status code (> 0) and fills *resp, or
 * returns 0 and fills *err. */
int wabi_http_send(const wabi_http_request *req, wabi_http_response *resp, wabi_http_error *err);
/* The value of the first header named name, compared case-insensitively (ASCII); NULL if none. */
const wabi_str *wabi_http_response_header(const wabi_http_response *resp, const char *name);
const wabi_str *wabi_http_response_header_str(const wabi_http_response *resp, wabi_str name);
/* Release the response's memory now rather than when the export returns (its views become
 * invalid; *resp is emptied). */
void wabi_http_response_free(wabi_http_response *resp);
/* The wire name of a kind ("denied", ..., "too_many_redirects"; "connect" for WABI_HTTP_NONE or
 * any other value). */
const char *wabi_http_error_kind_name(wabi_http_error_kind kind);
/* Answer with an error whose message is err's and whose value is {"kind": kind_name} (what
 * the host itself sends): `if (!wabi_http_send(...)) return wabi_fail_http(out, &err);`. */
wabi_status wabi_fail_http(wabi_writer *out, const wabi_http_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Configuration (wabi.config, ABI 4.2) and logging (wabi.log)                                */

/* Look up a configuration value: false when it is not set. *value is in call memory and
 * NUL-terminated (value->len does not count the NUL). */
bool wabi_config(const char *key, wabi_str *value);
bool wabi_config_n(const char *key, uint32_t key_len, wabi_str *value);
/* The import itself: -1 when key is not set, else the value's length n, the value being
 * written to buf only when n <= cap. */
int32_t wabi_config_raw(const char *key, uint32_t key_len, void *buf, uint32_t cap);

enum {
    WABI_LOG_TRACE = 0,
    WABI_LOG_DEBUG = 1,
    WABI_LOG_INFO = 2,
    WABI_LOG_WARN = 3,
    WABI_LOG_ERROR = 4
};
/* Emit one log line (UTF-8) at a level: wabi_log(WABI_LOG_INFO, "started"). */
void wabi_log_n(uint32_t level, const char *msg, uint32_t len);
#define wabi_log(level, msg) wabi_log_n((level), (msg), (uint32_t)wabi__strlen(msg))

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                     */

/* Call memory: size bytes, 8-aligned, released when the export in progress returns (outside
 * an export: never). NULL when out of memory. */
void *wabi_talloc(size_t size);
/* Call memory for count items of size bytes each (NULL when out of memory or when the product
 * overflows). */
void *wabi_talloc_n(size_t count, size_t size);
/* A NUL-terminated copy of s in call memory (NULL when out of memory). */
char *wabi_str_dup(wabi_str s);
/* The heap: malloc/realloc/free of libc under WASI, the SDK's own allocator when freestanding. */
void *wabi_heap_alloc(size_t size);
void *wabi_heap_realloc(void *p, size_t size);
void wabi_heap_free(void *p);
/* The size of linear memory in 64 KiB pages. */
uint32_t wabi_memory_pages(void);

/* ------------------------------------------------------------------------------------------ */
/* Strings                                                                                    */

static inline size_t wabi__strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline wabi_str wabi_cstr(const char *s) {
    wabi_str r = {s, (uint32_t)wabi__strlen(s)};
    return r;
}
/* Whether s holds exactly the NUL-terminated string lit. */
bool wabi_str_eq(wabi_str s, const char *lit);
/* Byte-wise comparison (the order of Rust's String and BTreeMap keys): <0, 0 or >0. */
int wabi_str_cmp(wabi_str a, wabi_str b);
/* Whether len bytes at p are valid UTF-8. */
bool wabi_utf8_valid(const void *p, uint32_t len);

/* ------------------------------------------------------------------------------------------ */
/* Private: used by the macros above.                                                         */

uint64_t wabi__serve(uint32_t ptr, uint32_t len, int nargs, wabi_fn fn);
uint64_t wabi__serve_raw(uint32_t ptr, uint32_t len, wabi_raw_fn fn);
wabi_status wabi__pod_size(wabi_writer *out, uint32_t want, uint32_t got);

#ifdef __cplusplus
}
#endif

#endif /* WABI_H */
