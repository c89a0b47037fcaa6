/*
 * wabi.c: the implementation of wabi.h (ABI 1.3). Compile it into every plugin.
 *
 * Targets: wasm32-wasi (a WASI reactor; the heap is wasi-libc's malloc) and wasm32-freestanding
 * (no libc: the heap is the small allocator below). Built natively it serves the SDK's own
 * codec tests (no imports are called there).
 */
#include "wabi.h"

#include <stdarg.h>

#if defined(__wasm__) && !defined(__wasi__)
#define WABI__FREESTANDING 1
#else
#include <stdlib.h>
#endif

#define WABI__MEMCPY(d, s, n) __builtin_memcpy((d), (s), (n))
#define WABI__MEMMOVE(d, s, n) __builtin_memmove((d), (s), (n))
#define WABI__MEMSET(d, c, n) __builtin_memset((d), (c), (n))

/* Largest block or buffer the SDK makes (keeps every size computation far from 2^32). */
#define WABI__MAX_SIZE 0x7fff0000u

/* ------------------------------------------------------------------------------------------ */
/* Imports (ABI section 4)                                                                    */

#if defined(__wasm__)
#define WABI__IMPORT(n) __attribute__((import_module("wabi"), import_name(n)))
WABI__IMPORT("panic") void wabi__imp_panic(uint32_t ptr, uint32_t len);
WABI__IMPORT("log") void wabi__imp_log(uint32_t level, uint32_t ptr, uint32_t len);
WABI__IMPORT("host_call")
uint64_t wabi__imp_host_call(uint32_t name_ptr, uint32_t name_len, uint32_t args_ptr, uint32_t args_len);
WABI__IMPORT("config")
int32_t wabi__imp_config(uint32_t key_ptr, uint32_t key_len, uint32_t buf_ptr, uint32_t buf_cap);
WABI__IMPORT("http_request") uint64_t wabi__imp_http_request(uint32_t req_ptr, uint32_t req_len);
#define WABI__ADDR(p) ((uint32_t)(uintptr_t)(p))
#define WABI__PTR(a) ((uint8_t *)(uintptr_t)(a))
#else
/* Native builds (the SDK's tests) have no host: a program that needs one defines these. */
void wabi__imp_panic(uint32_t ptr, uint32_t len);
void wabi__imp_log(uint32_t level, uint32_t ptr, uint32_t len);
uint64_t wabi__imp_host_call(uint32_t name_ptr, uint32_t name_len, uint32_t args_ptr, uint32_t args_len);
int32_t wabi__imp_config(uint32_t key_ptr, uint32_t key_len, uint32_t buf_ptr, uint32_t buf_cap);
uint64_t wabi__imp_http_request(uint32_t req_ptr, uint32_t req_len);
#define WABI__ADDR(p) ((uint32_t)(uintptr_t)(p))
#define WABI__PTR(a) ((uint8_t *)(uintptr_t)(a))
#endif

/* ------------------------------------------------------------------------------------------ */
/* The heap                                                                                   */

#ifdef WABI__FREESTANDING
/*
 * A segregated free-list allocator: blocks of 2^k bytes (k = 4..31) with an 8-byte header,
 * one free list per size, new blocks cut from the top of the heap, which grows with
 * memory.grow. Freed blocks are reused for blocks of the same size, so a plugin whose calls
 * allocate the same sizes keeps a flat memory.
 */
extern unsigned char __heap_base;

#define WABI__FS_MAGIC 0x77616269u /* "wabi" */
typedef struct wabi__fs_hdr {
    uint32_t cls;
    uint32_t magic;
} wabi__fs_hdr;

static uintptr_t wabi__fs_top;
static void *wabi__fs_free[32];

static void *wabi__fs_bump(uint64_t size) {
    uint64_t end, have;
    if (wabi__fs_top == 0) wabi__fs_top = ((uintptr_t)&__heap_base + 7) & ~(uintptr_t)7;
    end = (uint64_t)wabi__fs_top + size;
    have = (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
    if (end > 0xffffffffull) return NULL;
    if (end > have) {
        uint64_t pages = (end - have + 65535u) / 65536u;
        if (__builtin_wasm_memory_grow(0, (size_t)pages) == (size_t)-1) return NULL;
    }
    {
        void *p = (void *)wabi__fs_top;
        wabi__fs_top = (uintptr_t)end;
        return p;
    }
}

void *wabi_heap_alloc(size_t n) {
    uint32_t cls = 4;
    uint64_t total = (uint64_t)n + sizeof(wabi__fs_hdr);
    wabi__fs_hdr *h;
    if (n > WABI__MAX_SIZE) return NULL;
    while (((uint64_t)1 << cls) < total) cls++;
    if (wabi__fs_free[cls]) {
        h = (wabi__fs_hdr *)wabi__fs_free[cls];
        wabi__fs_free[cls] = *(void **)(h + 1);
    } else {
        h = (wabi__fs_hdr *)wabi__fs_bump((uint64_t)1 << cls);
        if (!h) return NULL;
    }
    h->cls = cls;
    h->magic = WABI__FS_MAGIC;
    return h + 1;
}

void wabi_heap_free(void *p) {
    wabi__fs_hdr *h;
    if (!p) return;
    h = (wabi__fs_hdr *)p - 1;
    if (h->magic != WABI__FS_MAGIC || h->cls < 4 || h->cls > 31) __builtin_trap(); /* not ours */
    h->magic = 0;
    *(void **)p = wabi__fs_free[h->cls];
    wabi__fs_free[h->cls] = h;
}

void *wabi_heap_realloc(void *p, size_t n) {
    wabi__fs_hdr *h;
    size_t have;
    void *q;
    if (!p) return wabi_heap_alloc(n);
    h = (wabi__fs_hdr *)p - 1;
    have = ((size_t)1 << h->cls) - sizeof(wabi__fs_hdr);
    if (n <= have) return p;
    q = wabi_heap_alloc(n);
    if (!q) return NULL;
    WABI__MEMCPY(q, p, have);
    wabi_heap_free(p);
    return q;
}

/* memcpy, memmove, memset and memcmp come from the toolchain (zig's compiler_rt; with bulk
 * memory, clang lowers most copies to memory.copy and memory.fill). */
#else
#ifdef WABI__TEST
long wabi__heap_blocks; /* the SDK's tests check that calls leave no block behind */
#define WABI__COUNT(n) (wabi__heap_blocks += (n))
#else
#define WABI__COUNT(n) ((void)0)
#endif
void *wabi_heap_alloc(size_t n) {
    void *p = n > WABI__MAX_SIZE ? NULL : malloc(n ? n : 1);
    if (p) WABI__COUNT(1);
    return p;
}
void *wabi_heap_realloc(void *p, size_t n) {
    void *q = n > WABI__MAX_SIZE ? NULL : realloc(p, n ? n : 1);
    if (q && !p) WABI__COUNT(1);
    return q;
}
void wabi_heap_free(void *p) {
    if (p) WABI__COUNT(-1);
    free(p);
}
#endif

uint32_t wabi_memory_pages(void) {
#if defined(__wasm__)
    return (uint32_t)__builtin_wasm_memory_size(0);
#else
    return 0;
#endif
}

/* ------------------------------------------------------------------------------------------ */
/* Blocks handed to the host (wabi_alloc), the scratch buffer, the reserved exports           */

/* Every block from wabi_alloc starts with this header; live blocks (handed out, not yet freed
 * nor taken over by the guest) are on a list, so that a pointer the host passes back is used
 * only if it really is one of them (ABI 6.2). Blocks the guest has taken over (host-call
 * answers) are on their nesting level's list until they are freed. */
typedef struct wabi__block {
    uint32_t magic;
    uint32_t size;
    struct wabi__block *prev, *next;
} wabi__block;
#define WABI__BLOCK_MAGIC 0x6b6c6277u
#define WABI__HDR ((sizeof(wabi__block) + 15u) & ~(size_t)15u)
#define WABI__DATA(b) ((uint8_t *)(b) + WABI__HDR)

static wabi__block *wabi__live;

static _Alignas(8) uint8_t wabi__scratch[WABI_SCRATCH_SIZE];

static void wabi__unlink(wabi__block **list, wabi__block *b) {
    if (b->prev) b->prev->next = b->next;
    else *list = b->next;
    if (b->next) b->next->prev = b->prev;
    b->prev = b->next = NULL;
}

static void wabi__push(wabi__block **list, wabi__block *b) {
    b->prev = NULL;
    b->next = *list;
    if (*list) (*list)->prev = b;
    *list = b;
}

/* The live block whose data starts at ptr, or NULL. */
static wabi__block *wabi__find_live(uint32_t ptr) {
    wabi__block *b;
    for (b = wabi__live; b; b = b->next)
        if (WABI__ADDR(WABI__DATA(b)) == ptr) return b;
    return NULL;
}

WABI_EXPORT_NAME("wabi_abi_version") uint32_t wabi__export_abi_version(void);
uint32_t wabi__export_abi_version(void) { return WABI_ABI_VERSION; }

WABI_EXPORT_NAME("wabi_scratch") uint64_t wabi__export_scratch(void);
uint64_t wabi__export_scratch(void) {
    /* A static buffer: the same address in every instance of the module (ABI 5, 1.2). */
    return ((uint64_t)WABI__ADDR(wabi__scratch) << 32) | WABI_SCRATCH_SIZE;
}

WABI_EXPORT_NAME("wabi_alloc") uint32_t wabi__export_alloc(uint32_t size, uint32_t align);
uint32_t wabi__export_alloc(uint32_t size, uint32_t align) {
    wabi__block *b;
    if (size == 0 || align == 0 || align > 8 || (align & (align - 1)) || size > WABI__MAX_SIZE) return 0;
    b = (wabi__block *)wabi_heap_alloc(WABI__HDR + size);
    if (!b) return 0;
    b->magic = WABI__BLOCK_MAGIC;
    b->size = size;
    wabi__push(&wabi__live, b);
    return WABI__ADDR(WABI__DATA(b));
}

WABI_EXPORT_NAME("wabi_free") void wabi__export_free(uint32_t ptr, uint32_t size, uint32_t align);
void wabi__export_free(uint32_t ptr, uint32_t size, uint32_t align) {
    wabi__block *b = wabi__find_live(ptr);
    (void)size;
    (void)align;
    if (!b) return; /* not a live block: ignored (freeing twice is harmless) */
    wabi__unlink(&wabi__live, b);
    b->magic = 0;
    wabi_heap_free(b);
}

static void wabi__block_free(wabi__block *b) {
    b->magic = 0;
    wabi_heap_free(b);
}

/* ------------------------------------------------------------------------------------------ */
/* Nesting levels: buffers and call memory of each export call in progress                    */

struct wabi__buf {
    uint8_t *ptr;
    uint32_t cap;
};

typedef struct wabi__chunk {
    struct wabi__chunk *next;
    uint32_t used, cap;
    _Alignas(8) uint64_t data[]; /* 8-aligned on every target (i386 aligns uint64_t to 4) */
} wabi__chunk;
#define WABI__CHUNK 4096u

typedef struct wabi__level {
    struct wabi__level *up, *down;
    wabi__buf out;       /* the output buffer of calls at this level (reused) */
    wabi__buf args_home; /* the host-call argument buffer (reused) */
    wabi_writer args;
    wabi__chunk *chunks; /* call memory */
    wabi__block *owned;  /* host-call answers, freed when the call returns */
} wabi__level;

/* Level 0 is "no export call in progress"; an export at nesting depth d uses level d. */
static wabi__level wabi__level0;
static wabi__level *wabi__cur = &wabi__level0;
static uint32_t wabi__depth;

void *wabi_talloc(size_t size) {
    wabi__level *l = wabi__cur;
    wabi__chunk *c = l->chunks, *n;
    uint32_t cap;
    void *p;
    if (size > WABI__MAX_SIZE) return NULL;
    size = (size + 7u) & ~(size_t)7u;
    if (size == 0) size = 8;
    if (c && c->cap - c->used >= size) {
        p = (uint8_t *)c->data + c->used;
        c->used += (uint32_t)size;
        return p;
    }
    cap = size > WABI__CHUNK - sizeof(wabi__chunk) ? (uint32_t)size : WABI__CHUNK - (uint32_t)sizeof(wabi__chunk);
    n = (wabi__chunk *)wabi_heap_alloc(sizeof(wabi__chunk) + cap);
    if (!n) return NULL;
    n->cap = cap;
    n->used = (uint32_t)size;
    if (c && size > 512) {
        /* A large block gets a chunk of its own behind the current one, which stays in use. */
        n->next = c->next;
        c->next = n;
    } else {
        n->next = c;
        l->chunks = n;
    }
    return n->data;
}

void *wabi_talloc_n(size_t count, size_t size) {
    if (size && count > WABI__MAX_SIZE / size) return NULL;
    return wabi_talloc(count * size);
}

/* Release a level's call memory and host-call answers; keep one standard chunk for reuse. */
static void wabi__level_reset(wabi__level *l) {
    wabi__chunk *c = l->chunks, *keep = NULL;
    while (c) {
        wabi__chunk *next = c->next;
        if (!keep && c->cap == WABI__CHUNK - sizeof(wabi__chunk)) {
            keep = c;
            keep->used = 0;
            keep->next = NULL;
        } else {
            wabi_heap_free(c);
        }
        c = next;
    }
    l->chunks = keep;
    while (l->owned) {
        wabi__block *b = l->owned;
        wabi__unlink(&l->owned, b);
        wabi__block_free(b);
    }
}

char *wabi_str_dup(wabi_str s) {
    char *p = (char *)wabi_talloc((size_t)s.len + 1);
    if (!p) return NULL;
    if (s.len) WABI__MEMCPY(p, s.ptr, s.len);
    p[s.len] = 0;
    return p;
}

/* Concatenate n (pointer, length) pairs into call memory. */
static wabi_str wabi__join(int n, ...) {
    va_list ap;
    uint64_t total = 0;
    int i;
    char *p;
    wabi_str r = {"out of memory", 13};
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        (void)va_arg(ap, const char *);
        total += va_arg(ap, uint32_t);
    }
    va_end(ap);
    if (total > WABI__MAX_SIZE || !(p = (char *)wabi_talloc((size_t)total + 1))) return r;
    r.ptr = p;
    r.len = (uint32_t)total;
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        const char *s = va_arg(ap, const char *);
        uint32_t len = va_arg(ap, uint32_t);
        if (len) WABI__MEMCPY(p, s, len);
        p += len;
    }
    va_end(ap);
    *p = 0;
    return r;
}
#define WABI__S(lit) (lit), (uint32_t)(sizeof(lit) - 1)
#define WABI__C(s) (s), (uint32_t)wabi__strlen(s)
#define WABI__W(s) (s).ptr, (s).len

/* ------------------------------------------------------------------------------------------ */
/* Strings                                                                                    */

bool wabi_str_eq(wabi_str s, const char *lit) {
    uint32_t i;
    for (i = 0; i < s.len; i++)
        if (lit[i] == 0 || lit[i] != s.ptr[i]) return false;
    return lit[s.len] == 0;
}

int wabi_str_cmp(wabi_str a, wabi_str b) {
    uint32_t n = a.len < b.len ? a.len : b.len, i;
    for (i = 0; i < n; i++) {
        uint8_t x = (uint8_t)a.ptr[i], y = (uint8_t)b.ptr[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

bool wabi_utf8_valid(const void *data, uint32_t len) {
    const uint8_t *p = (const uint8_t *)data;
    uint32_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        uint32_t n, cp, k;
        if (c < 0x80) {
            i++;
            /* ASCII runs are the common case: skip them 4 bytes at a time. */
            while (i + 4 <= len) {
                uint32_t w;
                WABI__MEMCPY(&w, p + i, 4);
                if (w & 0x80808080u) break;
                i += 4;
            }
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef) n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4) n = 3, cp = c & 0x07;
        else return false;
        if (len - i <= n) return false;
        for (k = 1; k <= n; k++) {
            uint8_t d = p[i + k];
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += n + 1;
    }
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Reader                                                                                     */

static uint16_t wabi__be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t wabi__be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static uint64_t wabi__be64(const uint8_t *p) { return ((uint64_t)wabi__be32(p) << 32) | wabi__be32(p + 4); }

static const uint8_t wabi__empty[1] = {0};

wabi_reader wabi_reader_new(const void *buf, uint32_t len) {
    wabi_reader r;
    r.buf = len ? (const uint8_t *)buf : wabi__empty;
    r.len = len;
    r.pos = 0;
    r.err = NULL;
    r.err_pos = 0;
    return r;
}

static void wabi__rfail(wabi_reader *r, const char *msg, uint32_t pos) {
    if (!r->err) {
        r->err = msg;
        r->err_pos = pos;
    }
}

void wabi_reader_fail(wabi_reader *r, const char *msg) { wabi__rfail(r, msg, r->pos); }

/* Whether n more bytes are present after the current position (fails the reader if not). */
static bool wabi__need(wabi_reader *r, uint64_t n) {
    if ((uint64_t)(r->len - r->pos) < n) {
        wabi__rfail(r, "unexpected end of input", r->pos);
        return false;
    }
    return true;
}

/* The next byte, or -1 at the end or after a failure. */
static int wabi__next(const wabi_reader *r) { return r->err || r->pos >= r->len ? -1 : r->buf[r->pos]; }

wabi_type wabi_peek(const wabi_reader *r) {
    int b = wabi__next(r);
    if (b < 0) return WABI_T_END;
    if (b <= 0x7f) return WABI_T_UINT;
    if (b <= 0x8f) return WABI_T_MAP;
    if (b <= 0x9f) return WABI_T_ARRAY;
    if (b <= 0xbf) return WABI_T_STR;
    if (b >= 0xe0) return WABI_T_INT;
    switch (b) {
    case 0xc0: return WABI_T_NIL;
    case 0xc2: case 0xc3: return WABI_T_BOOL;
    case 0xc4: case 0xc5: case 0xc6: return WABI_T_BIN;
    case 0xc7: case 0xc8: case 0xc9: case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return WABI_T_EXT;
    case 0xca: return WABI_T_F32;
    case 0xcb: return WABI_T_F64;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: return WABI_T_UINT;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        /* signed forms: the sign is the top bit of the first payload byte */
        if (r->pos + 1 < r->len) return (r->buf[r->pos + 1] & 0x80) ? WABI_T_INT : WABI_T_UINT;
        return WABI_T_INT;
    case 0xd9: case 0xda: case 0xdb: return WABI_T_STR;
    case 0xdc: case 0xdd: return WABI_T_ARRAY;
    case 0xde: case 0xdf: return WABI_T_MAP;
    default: return WABI_T_INVALID;
    }
}

void wabi_read_nil(wabi_reader *r) {
    if (wabi__next(r) == 0xc0) r->pos++;
    else wabi__rfail(r, "expected nil", r->pos);
}

bool wabi_read_is_nil(wabi_reader *r) {
    if (wabi__next(r) != 0xc0) return false;
    r->pos++;
    return true;
}

bool wabi_read_bool(wabi_reader *r) {
    int b = wabi__next(r);
    if (b == 0xc2 || b == 0xc3) {
        r->pos++;
        return b == 0xc3;
    }
    wabi__rfail(r, "expected bool", r->pos);
    return false;
}

/* Read an integer of any form: *neg says whether it is negative; *v is its value as the bits of
 * an int64_t when negative, else as a uint64_t. */
static bool wabi__read_int(wabi_reader *r, bool *neg, uint64_t *v) {
    int b = wabi__next(r);
    const uint8_t *p;
    uint32_t start = r->pos;
    if (b < 0) {
        wabi__rfail(r, "expected an integer", r->pos);
        return false;
    }
    p = r->buf + r->pos;
    if (b <= 0x7f) {
        *neg = false, *v = (uint64_t)b, r->pos += 1;
        return true;
    }
    if (b >= 0xe0) {
        *neg = true, *v = (uint64_t)(int64_t)(int8_t)b, r->pos += 1;
        return true;
    }
    switch (b) {
    case 0xcc: if (!wabi__need(r, 2)) return false; *neg = false, *v = p[1], r->pos += 2; return true;
    case 0xcd: if (!wabi__need(r, 3)) return false; *neg = false, *v = wabi__be16(p + 1), r->pos += 3; return true;
    case 0xce: if (!wabi__need(r, 5)) return false; *neg = false, *v = wabi__be32(p + 1), r->pos += 5; return true;
    case 0xcf: if (!wabi__need(r, 9)) return false; *neg = false, *v = wabi__be64(p + 1), r->pos += 9; return true;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        int64_t s;
        if (b == 0xd0) { if (!wabi__need(r, 2)) return false; s = (int8_t)p[1]; r->pos += 2; }
        else if (b == 0xd1) { if (!wabi__need(r, 3)) return false; s = (int16_t)wabi__be16(p + 1); r->pos += 3; }
        else if (b == 0xd2) { if (!wabi__need(r, 5)) return false; s = (int32_t)wabi__be32(p + 1); r->pos += 5; }
        else { if (!wabi__need(r, 9)) return false; s = (int64_t)wabi__be64(p + 1); r->pos += 9; }
        *neg = s < 0;
        *v = (uint64_t)s;
        return true;
    }
    default:
        wabi__rfail(r, "expected an integer", start);
        return false;
    }
}

static int64_t wabi__read_signed(wabi_reader *r, int64_t min, int64_t max, const char *range) {
    bool neg;
    uint64_t v;
    uint32_t start = r->pos;
    if (!wabi__read_int(r, &neg, &v)) return 0;
    if (neg ? (int64_t)v < min : v > (uint64_t)max) {
        wabi__rfail(r, range, start);
        return 0;
    }
    return (int64_t)v;
}

static uint64_t wabi__read_unsigned(wabi_reader *r, uint64_t max, const char *range) {
    bool neg;
    uint64_t v;
    uint32_t start = r->pos;
    if (!wabi__read_int(r, &neg, &v)) return 0;
    if (neg || v > max) {
        wabi__rfail(r, range, start);
        return 0;
    }
    return v;
}

int64_t wabi_read_i64(wabi_reader *r) { return wabi__read_signed(r, INT64_MIN, INT64_MAX, "integer out of range for i64"); }
int32_t wabi_read_i32(wabi_reader *r) { return (int32_t)wabi__read_signed(r, INT32_MIN, INT32_MAX, "integer out of range for i32"); }
int16_t wabi_read_i16(wabi_reader *r) { return (int16_t)wabi__read_signed(r, INT16_MIN, INT16_MAX, "integer out of range for i16"); }
int8_t wabi_read_i8(wabi_reader *r) { return (int8_t)wabi__read_signed(r, INT8_MIN, INT8_MAX, "integer out of range for i8"); }
uint64_t wabi_read_u64(wabi_reader *r) { return wabi__read_unsigned(r, UINT64_MAX, "integer out of range for u64"); }
uint32_t wabi_read_u32(wabi_reader *r) { return (uint32_t)wabi__read_unsigned(r, UINT32_MAX, "integer out of range for u32"); }
uint16_t wabi_read_u16(wabi_reader *r) { return (uint16_t)wabi__read_unsigned(r, UINT16_MAX, "integer out of range for u16"); }
uint8_t wabi_read_u8(wabi_reader *r) { return (uint8_t)wabi__read_unsigned(r, UINT8_MAX, "integer out of range for u8"); }

static float wabi__f32_bits(uint32_t bits) {
    float f;
    WABI__MEMCPY(&f, &bits, 4);
    return f;
}
static double wabi__f64_bits(uint64_t bits) {
    double d;
    WABI__MEMCPY(&d, &bits, 8);
    return d;
}

double wabi_read_f64(wabi_reader *r) {
    int b = wabi__next(r);
    if (b == 0xcb) {
        if (!wabi__need(r, 9)) return 0;
        r->pos += 9;
        return wabi__f64_bits(wabi__be64(r->buf + r->pos - 8));
    }
    if (b == 0xca) {
        if (!wabi__need(r, 5)) return 0;
        r->pos += 5;
        return (double)wabi__f32_bits(wabi__be32(r->buf + r->pos - 4));
    }
    if (b >= 0 && (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3))) {
        bool neg;
        uint64_t v;
        if (!wabi__read_int(r, &neg, &v)) return 0;
        return neg ? (double)(int64_t)v : (double)v;
    }
    wabi__rfail(r, "expected a float", r->pos);
    return 0;
}

float wabi_read_f32(wabi_reader *r) {
    int b = wabi__next(r);
    uint32_t start = r->pos;
    if (b == 0xca) {
        if (!wabi__need(r, 5)) return 0;
        r->pos += 5;
        return wabi__f32_bits(wabi__be32(r->buf + r->pos - 4));
    }
    if (b == 0xcb || (b >= 0 && (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)))) {
        double d = wabi_read_f64(r);
        float f = (float)d;
        if (r->err) return 0;
        if ((double)f != d && d == d) {
            wabi__rfail(r, "number does not fit a float 32 exactly", start);
            return 0;
        }
        return f;
    }
    wabi__rfail(r, "expected a float", r->pos);
    return 0;
}

/* Reads a length-prefixed header: returns the payload length and advances past the header,
 * checking that the payload is present. kind: 0 str, 1 bin. */
static bool wabi__read_len(wabi_reader *r, int kind, uint32_t *n) {
    int b = wabi__next(r);
    const uint8_t *p = r->buf + r->pos;
    uint32_t hdr, len;
    if (kind == 0 && b >= 0xa0 && b <= 0xbf) hdr = 1, len = (uint32_t)b & 0x1f;
    else if (kind == 0 && b == 0xd9) { if (!wabi__need(r, 2)) return false; hdr = 2, len = p[1]; }
    else if (kind == 0 && b == 0xda) { if (!wabi__need(r, 3)) return false; hdr = 3, len = wabi__be16(p + 1); }
    else if (kind == 0 && b == 0xdb) { if (!wabi__need(r, 5)) return false; hdr = 5, len = wabi__be32(p + 1); }
    else if (kind == 1 && b == 0xc4) { if (!wabi__need(r, 2)) return false; hdr = 2, len = p[1]; }
    else if (kind == 1 && b == 0xc5) { if (!wabi__need(r, 3)) return false; hdr = 3, len = wabi__be16(p + 1); }
    else if (kind == 1 && b == 0xc6) { if (!wabi__need(r, 5)) return false; hdr = 5, len = wabi__be32(p + 1); }
    else {
        wabi__rfail(r, kind == 0 ? "expected str" : "expected bin", r->pos);
        return false;
    }
    if (!wabi__need(r, (uint64_t)hdr + len)) return false;
    r->pos += hdr;
    *n = len;
    return true;
}

wabi_str wabi_read_str(wabi_reader *r) {
    wabi_str s = {"", 0};
    uint32_t start = r->pos, n;
    if (!wabi__read_len(r, 0, &n)) return s;
    if (!wabi_utf8_valid(r->buf + r->pos, n)) {
        wabi__rfail(r, "str is not valid UTF-8", start);
        return s;
    }
    s.ptr = (const char *)r->buf + r->pos;
    s.len = n;
    r->pos += n;
    return s;
}

static uint32_t wabi__read_container(wabi_reader *r, bool map) {
    int b = wabi__next(r);
    const uint8_t *p = r->buf + r->pos;
    uint32_t start = r->pos, hdr, n;
    if (!map && b >= 0x90 && b <= 0x9f) hdr = 1, n = (uint32_t)b & 0x0f;
    else if (map && b >= 0x80 && b <= 0x8f) hdr = 1, n = (uint32_t)b & 0x0f;
    else if (b == (map ? 0xde : 0xdc)) { if (!wabi__need(r, 3)) return 0; hdr = 3, n = wabi__be16(p + 1); }
    else if (b == (map ? 0xdf : 0xdd)) { if (!wabi__need(r, 5)) return 0; hdr = 5, n = wabi__be32(p + 1); }
    else {
        wabi__rfail(r, map ? "expected map" : "expected array", r->pos);
        return 0;
    }
    /* Every element takes at least one byte: a count the input cannot hold is a lie. */
    if ((uint64_t)n * (map ? 2u : 1u) > (uint64_t)(r->len - r->pos - hdr)) {
        wabi__rfail(r, map ? "map length exceeds the input" : "array length exceeds the input", start);
        return 0;
    }
    r->pos += hdr;
    return n;
}

uint32_t wabi_read_array(wabi_reader *r) { return wabi__read_container(r, false); }
uint32_t wabi_read_map(wabi_reader *r) { return wabi__read_container(r, true); }

wabi_bytes wabi_read_bytes(wabi_reader *r) {
    wabi_bytes out = {wabi__empty, 0};
    int b = wabi__next(r);
    if (b == 0xc4 || b == 0xc5 || b == 0xc6) {
        uint32_t n;
        if (!wabi__read_len(r, 1, &n)) return out;
        out.ptr = r->buf + r->pos;
        out.len = n;
        r->pos += n;
        return out;
    }
    if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd) {
        /* An array of integers 0-255 (ABI 8): decoded into call memory, at most one byte per
         * element present. */
        uint32_t n = wabi_read_array(r), i;
        uint8_t *p;
        if (n == 0) return out;
        p = (uint8_t *)wabi_talloc(n);
        if (!p) {
            wabi__rfail(r, "out of memory", r->pos);
            return out;
        }
        for (i = 0; i < n && !r->err; i++) p[i] = wabi_read_u8(r);
        if (r->err) return out;
        out.ptr = p;
        out.len = n;
        return out;
    }
    wabi__rfail(r, "expected bin", r->pos);
    return out;
}

int8_t wabi_read_ext(wabi_reader *r, wabi_bytes *data) {
    int b = wabi__next(r);
    const uint8_t *p = r->buf + r->pos;
    uint32_t hdr, len;
    int8_t type;
    data->ptr = wabi__empty;
    data->len = 0;
    if (b >= 0xd4 && b <= 0xd8) hdr = 2, len = 1u << (b - 0xd4);
    else if (b == 0xc7) { if (!wabi__need(r, 2)) return 0; hdr = 3, len = p[1]; }
    else if (b == 0xc8) { if (!wabi__need(r, 3)) return 0; hdr = 4, len = wabi__be16(p + 1); }
    else if (b == 0xc9) { if (!wabi__need(r, 5)) return 0; hdr = 6, len = wabi__be32(p + 1); }
    else {
        wabi__rfail(r, "expected ext", r->pos);
        return 0;
    }
    if (!wabi__need(r, (uint64_t)hdr + len)) return 0;
    type = (int8_t)p[hdr - 1];
    data->ptr = p + hdr;
    data->len = len;
    r->pos += hdr + len;
    return type;
}

void wabi_read_timestamp(wabi_reader *r, int64_t *seconds, uint32_t *nanoseconds) {
    uint32_t start = r->pos;
    wabi_bytes d;
    int8_t type = wabi_read_ext(r, &d);
    *seconds = 0;
    *nanoseconds = 0;
    if (r->err) return;
    if (type != -1) {
        wabi__rfail(r, "expected a timestamp (ext -1)", start);
        return;
    }
    if (d.len == 4) {
        *seconds = wabi__be32(d.ptr);
    } else if (d.len == 8) {
        uint64_t v = wabi__be64(d.ptr);
        *nanoseconds = (uint32_t)(v >> 34);
        *seconds = (int64_t)(v & 0x3ffffffffull);
    } else if (d.len == 12) {
        *nanoseconds = wabi__be32(d.ptr);
        *seconds = (int64_t)wabi__be64(d.ptr + 4);
    } else {
        wabi__rfail(r, "a timestamp has 4, 8 or 12 bytes", start);
        return;
    }
    if (*nanoseconds >= 1000000000u) {
        wabi__rfail(r, "timestamp nanoseconds out of range", start);
        *seconds = 0;
        *nanoseconds = 0;
    }
}

wabi_str wabi_read_variant(wabi_reader *r, bool *has_value) {
    wabi_str none = {"", 0};
    wabi_type t = wabi_peek(r);
    *has_value = false;
    if (t == WABI_T_STR) return wabi_read_str(r);
    if (t == WABI_T_MAP) {
        uint32_t start = r->pos;
        if (wabi_read_map(r) != 1) {
            wabi__rfail(r, "an enum variant is a map of one entry", start);
            return none;
        }
        *has_value = true;
        return wabi_read_str(r);
    }
    wabi__rfail(r, "expected an enum variant (str or map of one entry)", r->pos);
    return none;
}

static void wabi__skip(wabi_reader *r, uint32_t depth) {
    int b = wabi__next(r);
    const uint8_t *p = r->buf + r->pos;
    uint64_t n = 0, size, elems = 0;
    if (b < 0) {
        wabi__rfail(r, "unexpected end of input", r->pos);
        return;
    }
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        r->pos++;
        return;
    }
    if (b <= 0x8f) elems = 2u * ((uint32_t)b & 0x0f), size = 1;
    else if (b <= 0x9f) elems = (uint32_t)b & 0x0f, size = 1;
    else if (b <= 0xbf) size = 1 + ((uint32_t)b & 0x1f);
    else {
        switch (b) {
    case 0xc4: case 0xd9: if (!wabi__need(r, 2)) return; size = 2 + (uint64_t)p[1]; break;
    case 0xc5: case 0xda: if (!wabi__need(r, 3)) return; size = 3 + (uint64_t)wabi__be16(p + 1); break;
    case 0xc6: case 0xdb: if (!wabi__need(r, 5)) return; size = 5 + (uint64_t)wabi__be32(p + 1); break;
    case 0xc7: if (!wabi__need(r, 2)) return; size = 3 + (uint64_t)p[1]; break;
    case 0xc8: if (!wabi__need(r, 3)) return; size = 4 + (uint64_t)wabi__be16(p + 1); break;
    case 0xc9: if (!wabi__need(r, 5)) return; size = 6 + (uint64_t)wabi__be32(p + 1); break;
    case 0xca: case 0xce: case 0xd2: size = 5; break;
    case 0xcb: case 0xcf: case 0xd3: size = 9; break;
    case 0xcc: case 0xd0: size = 2; break;
    case 0xcd: case 0xd1: size = 3; break;
    case 0xd4: size = 3; break;
    case 0xd5: size = 4; break;
    case 0xd6: size = 6; break;
    case 0xd7: size = 10; break;
    case 0xd8: size = 18; break;
    case 0xdc: if (!wabi__need(r, 3)) return; elems = wabi__be16(p + 1), size = 3; break;
    case 0xdd: if (!wabi__need(r, 5)) return; elems = wabi__be32(p + 1), size = 5; break;
    case 0xde: if (!wabi__need(r, 3)) return; elems = 2u * (uint64_t)wabi__be16(p + 1), size = 3; break;
    case 0xdf: if (!wabi__need(r, 5)) return; elems = 2u * (uint64_t)wabi__be32(p + 1), size = 5; break;
    default:
        wabi__rfail(r, "invalid MessagePack byte 0xc1", r->pos);
        return;
        }
    }
    if (!wabi__need(r, size)) return;
    if (b >= 0x80 && (b <= 0x9f || b >= 0xdc)) {
        uint32_t start = r->pos;
        if (depth >= WABI_MAX_DEPTH) {
            wabi__rfail(r, "arrays and maps nested deeper than 128 levels", r->pos);
            return;
        }
        if (elems > (uint64_t)(r->len - r->pos - size)) {
            wabi__rfail(r, "array or map length exceeds the input", start);
            return;
        }
        r->pos += (uint32_t)size;
        for (n = 0; n < elems && !r->err; n++) wabi__skip(r, depth + 1);
        return;
    }
    r->pos += (uint32_t)size;
}

void wabi_skip(wabi_reader *r) { wabi__skip(r, 0); }

wabi_bytes wabi_read_raw_value(wabi_reader *r) {
    wabi_bytes v = {wabi__empty, 0};
    uint32_t start = r->pos;
    if (r->err) return v;
    wabi__skip(r, 0);
    if (r->err) return v;
    v.ptr = r->buf + start;
    v.len = r->pos - start;
    return v;
}

static void wabi__bin_header(wabi_writer *w, uint32_t n);

static void wabi__copy(wabi_reader *r, wabi_writer *w, uint32_t depth) {
    switch (wabi_peek(r)) {
    case WABI_T_NIL: wabi_read_nil(r); wabi_write_nil(w); return;
    case WABI_T_BOOL: wabi_write_bool(w, wabi_read_bool(r)); return;
    case WABI_T_UINT: wabi_write_uint(w, wabi_read_u64(r)); return;
    case WABI_T_INT: wabi_write_int(w, wabi_read_i64(r)); return;
    case WABI_T_F32: {
        /* copy the bits: a NaN keeps its payload */
        uint8_t *p;
        if (!wabi__need(r, 5)) return;
        p = wabi_write_reserve(w, 5);
        if (p) WABI__MEMCPY(p, r->buf + r->pos, 5);
        r->pos += 5;
        return;
    }
    case WABI_T_F64: {
        uint8_t *p;
        if (!wabi__need(r, 9)) return;
        p = wabi_write_reserve(w, 9);
        if (p) WABI__MEMCPY(p, r->buf + r->pos, 9);
        r->pos += 9;
        return;
    }
    case WABI_T_STR: {
        wabi_str s = wabi_read_str(r);
        if (!r->err) wabi_write_str(w, s.ptr, s.len);
        return;
    }
    case WABI_T_BIN: {
        uint32_t n;
        if (!wabi__read_len(r, 1, &n)) return;
        wabi__bin_header(w, n); /* a dynamic bin stays a bin, even when empty */
        wabi_write_raw(w, r->buf + r->pos, n);
        r->pos += n;
        return;
    }
    case WABI_T_EXT: {
        wabi_bytes d;
        int8_t type = wabi_read_ext(r, &d);
        if (!r->err) wabi_write_ext(w, type, d.ptr, d.len);
        return;
    }
    case WABI_T_ARRAY: case WABI_T_MAP: {
        bool map = wabi_peek(r) == WABI_T_MAP;
        uint32_t n, i;
        if (depth >= WABI_MAX_DEPTH) {
            wabi__rfail(r, "arrays and maps nested deeper than 128 levels", r->pos);
            return;
        }
        n = map ? wabi_read_map(r) : wabi_read_array(r);
        if (r->err) return;
        if (map) wabi_write_map(w, n);
        else wabi_write_array(w, n);
        for (i = 0; i < n && !r->err; i++) {
            wabi__copy(r, w, depth + 1);
            if (map) wabi__copy(r, w, depth + 1);
        }
        return;
    }
    case WABI_T_INVALID: wabi__rfail(r, "invalid MessagePack byte 0xc1", r->pos); return;
    case WABI_T_END: wabi__rfail(r, "unexpected end of input", r->pos); return;
    }
}

void wabi_copy_value(wabi_reader *r, wabi_writer *w) { wabi__copy(r, w, 0); }

/* The name of the MessagePack type starting with byte b. */
static const char *wabi__type_name(const wabi_reader *r, uint32_t pos) {
    wabi_reader at = *r;
    at.err = NULL;
    at.pos = pos;
    switch (wabi_peek(&at)) {
    case WABI_T_NIL: return "nil";
    case WABI_T_BOOL: return "bool";
    case WABI_T_UINT: case WABI_T_INT: return "an integer";
    case WABI_T_F32: return "float 32";
    case WABI_T_F64: return "float 64";
    case WABI_T_STR: return "str";
    case WABI_T_BIN: return "bin";
    case WABI_T_ARRAY: return "array";
    case WABI_T_MAP: return "map";
    case WABI_T_EXT: return "ext";
    case WABI_T_INVALID: return "the invalid byte 0xc1";
    default: return "the end of the input";
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Writer                                                                                     */

static bool wabi__grow(wabi_writer *w, uint32_t n) {
    uint64_t need = (uint64_t)w->len + n, cap;
    uint8_t *p;
    if (w->err) return false;
    if (need > WABI__MAX_SIZE) {
        w->err = "the result is too large";
        return false;
    }
    cap = (uint64_t)w->cap * 2;
    if (cap < need) cap = need;
    if (cap < 256) cap = 256;
    if (cap > WABI__MAX_SIZE) cap = need;
    if (w->home) {
        wabi__buf *h = w->home;
        if (w->buf == h->ptr) {
            p = (uint8_t *)wabi_heap_realloc(h->ptr, (size_t)cap);
            if (!p) goto oom;
        } else if (h->cap >= need) {
            /* moving out of the scratch buffer into the level's buffer, big enough already */
            p = h->ptr;
            cap = h->cap;
            if (w->len) WABI__MEMCPY(p, w->buf, w->len);
        } else {
            p = (uint8_t *)wabi_heap_alloc((size_t)cap);
            if (!p) goto oom;
            if (w->len) WABI__MEMCPY(p, w->buf, w->len);
            wabi_heap_free(h->ptr);
        }
        h->ptr = p;
        h->cap = (uint32_t)cap;
    } else {
        p = (uint8_t *)wabi_heap_realloc(w->buf, (size_t)cap);
        if (!p) goto oom;
    }
    w->buf = p;
    w->cap = (uint32_t)cap;
    return true;
oom:
    w->err = "out of memory";
    return false;
}

uint8_t *wabi_write_reserve(wabi_writer *w, uint32_t n) {
    uint8_t *p;
    if (w->err || (w->cap - w->len < n && !wabi__grow(w, n))) return NULL;
    p = w->buf + w->len;
    w->len += n;
    return p;
}

void wabi_writer_free(wabi_writer *w) {
    if (!w->home) wabi_heap_free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
    w->err = NULL;
}

void wabi_writer_fail(wabi_writer *w, const char *msg) {
    if (!w->err) w->err = msg;
}

static void wabi__put1(wabi_writer *w, uint8_t a) {
    uint8_t *p = wabi_write_reserve(w, 1);
    if (p) p[0] = a;
}

static void wabi__put_be(wabi_writer *w, uint8_t marker, uint64_t v, uint32_t bytes) {
    uint8_t *p = wabi_write_reserve(w, 1 + bytes);
    uint32_t i;
    if (!p) return;
    p[0] = marker;
    for (i = 0; i < bytes; i++) p[1 + i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

void wabi_write_raw(wabi_writer *w, const void *data, uint32_t len) {
    uint8_t *p;
    if (!len) return;
    p = wabi_write_reserve(w, len);
    if (p) WABI__MEMCPY(p, data, len);
}

void wabi_write_nil(wabi_writer *w) { wabi__put1(w, 0xc0); }
void wabi_write_bool(wabi_writer *w, bool v) { wabi__put1(w, v ? 0xc3 : 0xc2); }

void wabi_write_uint(wabi_writer *w, uint64_t v) {
    if (v <= 0x7f) wabi__put1(w, (uint8_t)v);
    else if (v <= 0xff) wabi__put_be(w, 0xcc, v, 1);
    else if (v <= 0xffff) wabi__put_be(w, 0xcd, v, 2);
    else if (v <= 0xffffffffu) wabi__put_be(w, 0xce, v, 4);
    else wabi__put_be(w, 0xcf, v, 8);
}

void wabi_write_int(wabi_writer *w, int64_t v) {
    if (v >= 0) wabi_write_uint(w, (uint64_t)v);
    else if (v >= -32) wabi__put1(w, (uint8_t)(int8_t)v);
    else if (v >= INT8_MIN) wabi__put_be(w, 0xd0, (uint64_t)v, 1);
    else if (v >= INT16_MIN) wabi__put_be(w, 0xd1, (uint64_t)v, 2);
    else if (v >= INT32_MIN) wabi__put_be(w, 0xd2, (uint64_t)v, 4);
    else wabi__put_be(w, 0xd3, (uint64_t)v, 8);
}

void wabi_write_f32(wabi_writer *w, float v) {
    uint32_t bits;
    WABI__MEMCPY(&bits, &v, 4);
    wabi__put_be(w, 0xca, bits, 4);
}

void wabi_write_f64(wabi_writer *w, double v) {
    uint64_t bits;
    WABI__MEMCPY(&bits, &v, 8);
    wabi__put_be(w, 0xcb, bits, 8);
}

static void wabi__str_header(wabi_writer *w, uint32_t n) {
    if (n < 32) wabi__put1(w, (uint8_t)(0xa0 | n));
    else if (n <= 0xff) wabi__put_be(w, 0xd9, n, 1);
    else if (n <= 0xffff) wabi__put_be(w, 0xda, n, 2);
    else wabi__put_be(w, 0xdb, n, 4);
}

static void wabi__bin_header(wabi_writer *w, uint32_t n) {
    if (n <= 0xff) wabi__put_be(w, 0xc4, n, 1);
    else if (n <= 0xffff) wabi__put_be(w, 0xc5, n, 2);
    else wabi__put_be(w, 0xc6, n, 4);
}

void wabi_write_str(wabi_writer *w, const char *s, uint32_t len) {
    wabi__str_header(w, len);
    wabi_write_raw(w, s, len);
}

void wabi_write_cstr(wabi_writer *w, const char *s) { wabi_write_str(w, s, (uint32_t)wabi__strlen(s)); }

void wabi_write_bytes(wabi_writer *w, const void *data, uint32_t len) {
    if (len == 0) {
        wabi__put1(w, 0x90); /* ABI 8: an empty byte string is an empty array */
        return;
    }
    wabi__bin_header(w, len);
    wabi_write_raw(w, data, len);
}

uint8_t *wabi_write_bytes_reserve(wabi_writer *w, uint32_t len) {
    if (len == 0) {
        wabi__put1(w, 0x90);
        return w->err ? NULL : w->buf + w->len;
    }
    wabi__bin_header(w, len);
    return wabi_write_reserve(w, len);
}

void wabi_write_array(wabi_writer *w, uint32_t n) {
    if (n < 16) wabi__put1(w, (uint8_t)(0x90 | n));
    else if (n <= 0xffff) wabi__put_be(w, 0xdc, n, 2);
    else wabi__put_be(w, 0xdd, n, 4);
}

void wabi_write_map(wabi_writer *w, uint32_t n) {
    if (n < 16) wabi__put1(w, (uint8_t)(0x80 | n));
    else if (n <= 0xffff) wabi__put_be(w, 0xde, n, 2);
    else wabi__put_be(w, 0xdf, n, 4);
}

void wabi_write_ext(wabi_writer *w, int8_t type, const void *data, uint32_t len) {
    uint8_t *p;
    switch (len) {
    case 1: wabi__put1(w, 0xd4); break;
    case 2: wabi__put1(w, 0xd5); break;
    case 4: wabi__put1(w, 0xd6); break;
    case 8: wabi__put1(w, 0xd7); break;
    case 16: wabi__put1(w, 0xd8); break;
    default:
        if (len <= 0xff) wabi__put_be(w, 0xc7, len, 1);
        else if (len <= 0xffff) wabi__put_be(w, 0xc8, len, 2);
        else wabi__put_be(w, 0xc9, len, 4);
    }
    p = wabi_write_reserve(w, 1);
    if (p) *p = (uint8_t)type;
    wabi_write_raw(w, data, len);
}

void wabi_write_timestamp(wabi_writer *w, int64_t sec, uint32_t nsec) {
    uint8_t b[12];
    int i;
    if (nsec >= 1000000000u) {
        wabi_writer_fail(w, "timestamp nanoseconds out of range");
        return;
    }
    if (((uint64_t)sec >> 34) == 0) {
        uint64_t v = ((uint64_t)nsec << 34) | (uint64_t)sec;
        if ((v >> 32) == 0) {
            for (i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (24 - 8 * i));
            wabi_write_ext(w, -1, b, 4);
        } else {
            for (i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (56 - 8 * i));
            wabi_write_ext(w, -1, b, 8);
        }
        return;
    }
    for (i = 0; i < 4; i++) b[i] = (uint8_t)(nsec >> (24 - 8 * i));
    for (i = 0; i < 8; i++) b[4 + i] = (uint8_t)((uint64_t)sec >> (56 - 8 * i));
    wabi_write_ext(w, -1, b, 12);
}

void wabi_write_variant(wabi_writer *w, const char *name) {
    wabi__put1(w, 0x81);
    wabi_write_cstr(w, name);
}

void wabi_text(wabi_writer *w, const char *s) { wabi_write_raw(w, s, (uint32_t)wabi__strlen(s)); }
void wabi_text_n(wabi_writer *w, const char *s, uint32_t len) { wabi_write_raw(w, s, len); }

void wabi_text_u64(wabi_writer *w, uint64_t v) {
    char b[20];
    int i = 20;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    wabi_write_raw(w, b + i, (uint32_t)(20 - i));
}

void wabi_text_i64(wabi_writer *w, int64_t v) {
    if (v < 0) {
        wabi_write_raw(w, "-", 1);
        wabi_text_u64(w, (uint64_t)0 - (uint64_t)v);
    } else {
        wabi_text_u64(w, (uint64_t)v);
    }
}

void wabi_write_str_begin(wabi_writer *w) {
    if (w->str_at) {
        wabi_writer_fail(w, "wabi_write_str_begin: a string is already open");
        return;
    }
    if (wabi_write_reserve(w, 5)) w->str_at = w->len - 5 + 1;
}

void wabi_write_str_end(wabi_writer *w) {
    uint32_t at, n, hdr;
    uint8_t *p;
    if (!w->str_at) {
        wabi_writer_fail(w, "wabi_write_str_end without wabi_write_str_begin");
        return;
    }
    at = w->str_at - 1;
    w->str_at = 0;
    if (w->err) return;
    n = w->len - at - 5;
    hdr = n < 32 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
    p = w->buf + at;
    if (hdr < 5) WABI__MEMMOVE(p + hdr, p + 5, n);
    w->len -= 5 - hdr;
    if (hdr == 1) p[0] = (uint8_t)(0xa0 | n);
    else if (hdr == 2) p[0] = 0xd9, p[1] = (uint8_t)n;
    else if (hdr == 3) p[0] = 0xda, p[1] = (uint8_t)(n >> 8), p[2] = (uint8_t)n;
    else p[0] = 0xdb, p[1] = (uint8_t)(n >> 24), p[2] = (uint8_t)(n >> 16), p[3] = (uint8_t)(n >> 8), p[4] = (uint8_t)n;
}

/* Append why r failed to w: "expected bool, found str (at byte 0<where>)". */
static void wabi__reader_text(wabi_writer *w, const wabi_reader *r, const char *where) {
    const char *why = r->err;
    wabi_text(w, why);
    if (why[0] == 'e' && why[1] == 'x' && why[2] == 'p' && why[3] == 'e' && why[4] == 'c' && why[5] == 't' &&
        why[6] == 'e' && why[7] == 'd' && why[8] == ' ') {
        /* "expected X": say what was there */
        wabi_text(w, ", found ");
        wabi_text(w, wabi__type_name(r, r->err_pos));
    }
    wabi_text(w, " (at byte ");
    wabi_text_u64(w, r->err_pos);
    wabi_text(w, where);
    wabi_text(w, ")");
}

wabi_str wabi_reader_error(const wabi_reader *r) {
    wabi_writer w = WABI_WRITER_INIT;
    wabi_str s = {"", 0};
    if (!r->err) return s;
    wabi__reader_text(&w, r, "");
    s = w.err ? wabi_cstr("out of memory") : wabi__join(1, (const char *)w.buf, w.len);
    wabi_writer_free(&w);
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Envelopes (ABI section 7)                                                                  */

#define WABI__ENV 8u /* envelope header: status, body_len */

enum { WABI__BODY_RESULT = 0, WABI__BODY_MESSAGE, WABI__BODY_VALUE, WABI__BODY_BAD_ARGS };

static void wabi__le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static uint32_t wabi__rd_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Discard the body: the envelope header stays. */
static void wabi__body_reset(wabi_writer *w) {
    w->len = w->cap >= WABI__ENV ? WABI__ENV : w->len;
    w->err = NULL;
    w->str_at = 0;
    w->value_at = 0;
    w->fail = WABI__BODY_RESULT;
}

static bool wabi__is_envelope(wabi_writer *w) {
    if (w->envelope) return true;
    wabi_writer_fail(w, "wabi_fail and wabi_bad_arguments take the result writer of an export");
    return false;
}

void wabi_fail_begin(wabi_writer *out) {
    if (!wabi__is_envelope(out)) return;
    wabi__body_reset(out);
    wabi_write_reserve(out, 8); /* message_len, value_len */
    out->fail = WABI__BODY_MESSAGE;
}

void wabi_fail_value(wabi_writer *out) {
    if (!wabi__is_envelope(out)) return;
    if (out->fail != WABI__BODY_MESSAGE) {
        wabi_writer_fail(out, "wabi_fail_value without wabi_fail_begin");
        return;
    }
    if (out->err) return;
    wabi__le32(out->buf + WABI__ENV, out->len - WABI__ENV - 8);
    out->value_at = out->len;
    out->fail = WABI__BODY_VALUE;
}

wabi_status wabi_fail_n(wabi_writer *out, const char *msg, uint32_t len) {
    wabi_fail_begin(out);
    wabi_text_n(out, msg, len);
    wabi_fail_value(out);
    return WABI_ERROR;
}

wabi_status wabi_fail(wabi_writer *out, const char *msg) {
    return wabi_fail_n(out, msg, (uint32_t)wabi__strlen(msg));
}

wabi_status wabi_bad_arguments(wabi_writer *out, const char *msg) {
    if (!wabi__is_envelope(out)) return WABI_BAD_ARGUMENTS;
    wabi__body_reset(out);
    wabi_text(out, msg);
    out->fail = WABI__BODY_BAD_ARGS;
    return WABI_BAD_ARGUMENTS;
}

wabi_status wabi__pod_size(wabi_writer *out, uint32_t want, uint32_t got) {
    wabi_bad_arguments(out, "");
    wabi_text(out, "a Pod function takes exactly ");
    wabi_text_u64(out, want);
    wabi_text(out, " bytes of arguments, got ");
    wabi_text_u64(out, got);
    return WABI_BAD_ARGUMENTS;
}

/* Written when not even an envelope can be built (no memory for the output buffer). */
static const uint8_t wabi__oom_envelope[] = {4, 0, 0, 0, 13, 0, 0, 0, 'o', 'u', 't', ' ', 'o', 'f', ' ',
                                             'm', 'e', 'm', 'o', 'r', 'y'};

static uint64_t wabi__pack(const void *p, uint32_t len) { return ((uint64_t)WABI__ADDR(p) << 32) | len; }

/* Turn what the function left in w into a complete envelope; returns its packed (ptr, len). */
static uint64_t wabi__finish(wabi_writer *w, wabi_status st, wabi_reader *args, bool msgpack) {
    uint32_t status;
    if (w->cap < WABI__ENV) return wabi__pack(wabi__oom_envelope, sizeof wabi__oom_envelope);
    if (args && args->err) {
        /* The arguments did not decode: whatever the function did, BadArguments. */
        wabi__body_reset(w);
        wabi__reader_text(w, args, " of the arguments");
        status = WABI_BAD_ARGUMENTS;
    } else if (w->fail == WABI__BODY_MESSAGE || w->fail == WABI__BODY_VALUE || (st == WABI_ERROR && !w->err)) {
        if (w->fail == WABI__BODY_RESULT) wabi_fail(w, "the function failed (it returned WABI_ERROR without a message)");
        if (w->fail == WABI__BODY_MESSAGE) wabi_fail_value(w);
        if (w->err) {
            const char *why = w->err;
            wabi__body_reset(w);
            wabi_text(w, "cannot encode the error value: ");
            wabi_text(w, why);
            status = WABI_BAD_RESULT;
        } else {
            wabi__le32(w->buf + WABI__ENV + 4, w->len - w->value_at);
            status = WABI_ERROR;
        }
    } else if (w->fail == WABI__BODY_BAD_ARGS || st == WABI_BAD_ARGUMENTS) {
        if (w->fail != WABI__BODY_BAD_ARGS) wabi_bad_arguments(w, "the function refused its arguments");
        status = WABI_BAD_ARGUMENTS;
    } else if (w->err || st != WABI_OK) {
        const char *why = w->err ? w->err : st == WABI_BAD_RESULT ? "the function reported it" : "the function returned an unknown status";
        wabi__body_reset(w);
        wabi_text(w, "cannot encode the result: ");
        wabi_text(w, why);
        status = WABI_BAD_RESULT;
    } else {
        if (w->str_at) wabi_writer_fail(w, "wabi_write_str_begin without wabi_write_str_end");
        if (msgpack && w->len == WABI__ENV && !w->err) wabi_write_nil(w); /* returned nothing: nil */
        if (w->err) {
            const char *why = w->err;
            wabi__body_reset(w);
            wabi_text(w, "cannot encode the result: ");
            wabi_text(w, why);
            status = WABI_BAD_RESULT;
        } else {
            status = WABI_OK;
        }
    }
    if (w->err) return wabi__pack(wabi__oom_envelope, sizeof wabi__oom_envelope);
    wabi__le32(w->buf, status);
    wabi__le32(w->buf + 4, w->len - WABI__ENV);
    return wabi__pack(w->buf, w->len);
}

/* ------------------------------------------------------------------------------------------ */
/* Serving a call (ABI section 6)                                                             */

typedef struct wabi__call {
    wabi__level *level;
    wabi__block *owned; /* the input block this call frees */
    wabi_bytes in;
    const char *bad;    /* why the input pointer is unusable */
    wabi_writer out;
} wabi__call;

static bool wabi__begin(wabi__call *c, uint32_t ptr, uint32_t len) {
    wabi__level *l = wabi__cur->down;
    uint64_t s = WABI__ADDR(wabi__scratch);
    c->owned = NULL;
    c->bad = NULL;
    c->in.ptr = wabi__empty;
    c->in.len = 0;
    if (!l) {
        l = (wabi__level *)wabi_heap_alloc(sizeof *l);
        if (!l) {
            /* no memory for this nesting level: answered with the static envelope; an input
             * block is still this call's to free */
            wabi__block *b = len ? wabi__find_live(ptr) : NULL;
            if (b) {
                wabi__unlink(&wabi__live, b);
                wabi__block_free(b);
            }
            return false;
        }
        WABI__MEMSET(l, 0, sizeof *l);
        l->up = wabi__cur;
        wabi__cur->down = l;
    }
    c->level = l;
    wabi__cur = l;
    wabi__depth++;

    /* The input: nothing, the scratch buffer, or a block from wabi_alloc now owned by this call. */
    if (len != 0) {
        if ((uint64_t)ptr >= s && (uint64_t)ptr + len <= s + WABI_SCRATCH_SIZE) {
            c->in.ptr = WABI__PTR(ptr);
            c->in.len = len;
        } else {
            wabi__block *b = wabi__find_live(ptr);
            if (b) {
                wabi__unlink(&wabi__live, b);
                c->owned = b;
                if (b->size < len) {
                    c->bad = "the input is larger than its block from wabi_alloc";
                } else {
                    c->in.ptr = WABI__DATA(b);
                    c->in.len = len;
                }
            } else {
                c->bad = "the input is neither in the scratch buffer nor a block from wabi_alloc";
            }
        }
    }

    /* The output: the outermost call writes into the scratch buffer after its input (from the
     * start when the input is elsewhere) and moves to its level's buffer if that is too small;
     * nested calls always use their level's buffer (the outer arguments may be in scratch). */
    WABI__MEMSET(&c->out, 0, sizeof c->out);
    c->out.home = &l->out;
    c->out.envelope = 1;
    if (wabi__depth == 1) {
        uint32_t start = 0;
        if (c->in.len && c->in.ptr == WABI__PTR(ptr) && !c->owned)
            start = (uint32_t)(((uint64_t)ptr - s + len + 7u) & ~(uint64_t)7u);
        if (start + 64u <= WABI_SCRATCH_SIZE) {
            c->out.buf = wabi__scratch + start;
            c->out.cap = WABI_SCRATCH_SIZE - start;
        }
    }
    if (!c->out.buf) {
        c->out.buf = l->out.ptr;
        c->out.cap = l->out.cap;
    }
    wabi_write_reserve(&c->out, WABI__ENV);
    return true;
}

static void wabi__end(wabi__call *c) {
    wabi__level *l = c->level;
    if (c->owned) wabi__block_free(c->owned); /* arguments borrowed from it until now (ABI 6.2) */
    wabi__level_reset(l);
    wabi__cur = l->up;
    wabi__depth--;
}

/* Check the argument-list form (ABI 6.3) and position r at the first argument; false (with a
 * BadArguments body in out) if the form is wrong. */
static bool wabi__arg_list(wabi_reader *r, int nargs, wabi_writer *out) {
    if (nargs <= 0) {
        if (r->len == 0 || (r->len == 1 && (r->buf[0] == 0xc0 || r->buf[0] == 0x90))) {
            r->pos = r->len;
            return true;
        }
        wabi_bad_arguments(out, "the function takes no arguments, but ");
        wabi_text_u64(out, r->len);
        wabi_text(out, " bytes of arguments were sent");
        return false;
    }
    if (r->len == 0) {
        wabi_bad_arguments(out, "expected ");
        wabi_text_u64(out, (uint64_t)nargs);
        wabi_text(out, nargs == 1 ? " argument, got none (empty input)" : " arguments, got none (empty input)");
        return false;
    }
    if (nargs >= 2) {
        uint32_t n;
        if (wabi_peek(r) != WABI_T_ARRAY) {
            wabi_bad_arguments(out, "expected an array of ");
            wabi_text_u64(out, (uint64_t)nargs);
            wabi_text(out, " arguments, found ");
            wabi_text(out, wabi__type_name(r, 0));
            return false;
        }
        n = wabi_read_array(r);
        if (r->err) return true; /* reported as the reader's error */
        if (n != (uint32_t)nargs) {
            wabi_bad_arguments(out, "expected ");
            wabi_text_u64(out, (uint64_t)nargs);
            wabi_text(out, " arguments, got ");
            wabi_text_u64(out, n);
            return false;
        }
    }
    return true;
}

uint64_t wabi__serve(uint32_t ptr, uint32_t len, int nargs, wabi_fn fn) {
    wabi__call c;
    wabi_reader args;
    wabi_status st = WABI_BAD_ARGUMENTS;
    uint64_t packed;
    if (!wabi__begin(&c, ptr, len)) return wabi__pack(wabi__oom_envelope, sizeof wabi__oom_envelope);
    args = wabi_reader_new(c.in.ptr, c.in.len);
    if (c.bad) wabi_bad_arguments(&c.out, c.bad);
    else if (wabi__arg_list(&args, nargs, &c.out)) {
        if (args.err) st = WABI_OK; /* answered as BadArguments below */
        else st = fn(&args, &c.out);
    }
    packed = wabi__finish(&c.out, st, &args, true);
    wabi__end(&c);
    return packed;
}

uint64_t wabi__serve_raw(uint32_t ptr, uint32_t len, wabi_raw_fn fn) {
    wabi__call c;
    wabi_status st = WABI_BAD_ARGUMENTS;
    uint64_t packed;
    if (!wabi__begin(&c, ptr, len)) return wabi__pack(wabi__oom_envelope, sizeof wabi__oom_envelope);
    if (c.bad) wabi_bad_arguments(&c.out, c.bad);
    else st = fn(c.in, &c.out);
    packed = wabi__finish(&c.out, st, NULL, false);
    wabi__end(&c);
    return packed;
}

/* ------------------------------------------------------------------------------------------ */
/* Panics (ABI 7.3)                                                                           */

static uint8_t wabi__panic_buf[1024];

/* The longest prefix of the len bytes at s, at most max bytes, that ends at a UTF-8 character
 * boundary. */
static uint32_t wabi__utf8_cut(const char *s, uint32_t len, uint32_t max) {
    if (len <= max) return len;
    while (max && ((uint8_t)s[max] & 0xc0) == 0x80) max--;
    return max;
}

__attribute__((noreturn)) void wabi_panic_at(const char *msg, uint32_t len, const char *file, uint32_t line) {
    uint32_t flen = file ? (uint32_t)wabi__strlen(file) : 0;
    uint64_t total = 16u + (uint64_t)len + flen;
    uint8_t *rec = total <= WABI__MAX_SIZE ? (uint8_t *)wabi_heap_alloc((size_t)total) : NULL;
    if (!rec) {
        /* no memory: a record in a static buffer, the message cut at a character boundary */
        uint32_t room = (uint32_t)sizeof wabi__panic_buf - 16;
        rec = wabi__panic_buf;
        if (flen > room / 2) flen = 0;
        len = wabi__utf8_cut(msg, len, room - flen);
        total = 16u + len + flen;
    }
    wabi__le32(rec, len);
    wabi__le32(rec + 4, flen);
    wabi__le32(rec + 8, flen ? line : 0);
    wabi__le32(rec + 12, 0);
    if (len) WABI__MEMCPY(rec + 16, msg, len);
    if (flen) WABI__MEMCPY(rec + 16 + len, file, flen);
    wabi__imp_panic(WABI__ADDR(rec), (uint32_t)total);
    __builtin_trap(); /* not reached: wabi.panic never returns */
}

#if defined(__wasi__) && !defined(WABI_NO_LIBC_HOOKS)
/* assert() failures of C code in the plugin become wabi panics with their file and line
 * (instead of a message on stderr and a bare trap). Define WABI_NO_LIBC_HOOKS to keep libc's. */
__attribute__((noreturn)) void __assert_fail(const char *expr, const char *file, int line, const char *func) {
    static char buf[512];
    uint32_t n = 0;
    const char *parts[4] = {"assertion failed: ", expr, " in ", func};
    int i;
    for (i = 0; i < 4; i++) {
        const char *s = parts[i] ? parts[i] : "?";
        uint32_t len = wabi__utf8_cut(s, (uint32_t)wabi__strlen(s), (uint32_t)sizeof buf - n);
        WABI__MEMCPY(buf + n, s, len);
        n += len;
    }
    wabi_panic_at(buf, n, file, line > 0 ? (uint32_t)line : 0);
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* Host functions (ABI 4.1)                                                                   */

wabi_writer *wabi_host_args(uint32_t nargs) {
    wabi__level *l = wabi__cur;
    wabi_writer *w = &l->args;
    WABI__MEMSET(w, 0, sizeof *w);
    w->home = &l->args_home;
    w->buf = l->args_home.ptr;
    w->cap = l->args_home.cap;
    if (nargs >= 2) wabi_write_array(w, nargs);
    return w;
}

static bool wabi__host_fail(wabi_host_result *res, wabi_host_kind kind, wabi_str msg) {
    res->kind = kind;
    res->message = msg;
    res->value = wabi_reader_new(NULL, 0);
    return false;
}

static bool wabi__malformed(wabi_host_result *res, const char *name, uint32_t name_len, const char *why) {
    wabi_str n = {name, name_len};
    return wabi__host_fail(res, WABI_HOST_MALFORMED,
                           wabi__join(4, WABI__S("the host answered the call of host function `"), WABI__W(n),
                                      WABI__S("` with an invalid envelope: "), WABI__C(why)));
}

bool wabi_host_call(const char *name, wabi_writer *args, wabi_host_result *res) {
    uint32_t name_len = (uint32_t)wabi__strlen(name);
    if (args && args->err) {
        wabi_str n = {name, name_len};
        res->block = NULL;
        return wabi__host_fail(res, WABI_HOST_ENCODE,
                               wabi__join(4, WABI__S("cannot encode the arguments of host function `"), WABI__W(n),
                                          WABI__S("`: "), WABI__C(args->err)));
    }
    return wabi_host_call_n(name, name_len, args ? args->buf : NULL, args ? args->len : 0, res);
}

/* Take over the answer to an import call (wabi.host_call, wabi.http_request; ABI 4.1): it must be
 * a block from wabi_alloc with at least len >= 8 bytes holding an envelope whose body_len matches.
 * The block moves to the current level's answers (*block, freed when the export returns) and
 * *status, *body, *body_len describe the envelope. Returns NULL when every check passes, else
 * why not; a pointer that is not a live block is neither taken nor freed (*block stays NULL). */
static const char *wabi__take_answer(uint64_t packed, wabi__block **block, uint32_t *status, const uint8_t **body,
                                     uint32_t *body_len) {
    uint32_t ptr = (uint32_t)(packed >> 32), len = (uint32_t)packed;
    wabi__block *b = wabi__find_live(ptr);
    const uint8_t *env;
    *block = NULL;
    if (!b) return "the answer is not in a block from wabi_alloc";
    wabi__unlink(&wabi__live, b);
    wabi__push(&wabi__cur->owned, b);
    *block = b;
    if (b->size < len) return "the answer is larger than its block";
    if (len < WABI__ENV) return "result envelope needs at least 8 bytes";
    env = WABI__DATA(b);
    *status = wabi__rd_le32(env);
    *body_len = wabi__rd_le32(env + 4);
    *body = env + WABI__ENV;
    if (*body_len != len - WABI__ENV) return "envelope body_len does not match its length";
    return NULL;
}

/* Split an error body (ABI 7.4) into its message and value: NULL when its lengths add up and the
 * message is UTF-8, else why not. */
static const char *wabi__error_body(const uint8_t *body, uint32_t body_len, wabi_str *message, wabi_bytes *value) {
    uint32_t ml, vl;
    if (body_len < 8) return "error body needs at least 8 bytes";
    ml = wabi__rd_le32(body);
    vl = wabi__rd_le32(body + 4);
    if ((uint64_t)ml + vl != (uint64_t)body_len - 8) return "error body lengths do not match its length";
    if (!wabi_utf8_valid(body + 8, ml)) return "error message is not valid UTF-8";
    message->ptr = (const char *)body + 8;
    message->len = ml;
    value->ptr = body + 8 + ml;
    value->len = vl;
    return NULL;
}

/* Free an answer block taken over by wabi__take_answer (at any level; NULL or an already freed
 * block is ignored). */
static void wabi__answer_free(wabi__block *b) {
    wabi__block *o;
    wabi__level *l;
    if (!b) return;
    /* normally the current level's; look further up in case it was made by an outer call */
    for (l = wabi__cur; l; l = l->up) {
        for (o = l->owned; o; o = o->next) {
            if (o == b) {
                wabi__unlink(&l->owned, b);
                wabi__block_free(b);
                return;
            }
        }
    }
}

bool wabi_host_call_n(const char *name, uint32_t name_len, const uint8_t *args, uint32_t args_len,
                      wabi_host_result *res) {
    uint64_t packed;
    uint32_t status = 0, body_len = 0;
    const uint8_t *body = NULL;
    const char *why;
    wabi__block *b;
    wabi_str n = {name, name_len};
    res->block = NULL;
    packed = wabi__imp_host_call(name_len ? WABI__ADDR(name) : 0, name_len, args_len ? WABI__ADDR(args) : 0, args_len);
    why = wabi__take_answer(packed, &b, &status, &body, &body_len);
    res->block = b;
    if (why) return wabi__malformed(res, name, name_len, why);
    switch (status) {
    case WABI_OK:
        res->kind = WABI_HOST_OK;
        res->message.ptr = "";
        res->message.len = 0;
        res->value = wabi_reader_new(body, body_len);
        return true;
    case WABI_ERROR: {
        wabi_str m;
        wabi_bytes v;
        why = wabi__error_body(body, body_len, &m, &v);
        if (why) return wabi__malformed(res, name, name_len, why);
        res->kind = WABI_HOST_ERROR;
        res->message = m;
        res->value = wabi_reader_new(v.ptr, v.len);
        return false;
    }
    case WABI_BAD_ARGUMENTS:
    case WABI_BAD_RESULT: {
        wabi_str m = {(const char *)body, body_len};
        if (!wabi_utf8_valid(body, body_len)) return wabi__malformed(res, name, name_len, "message is not valid UTF-8");
        if (status == WABI_BAD_ARGUMENTS)
            return wabi__host_fail(res, WABI_HOST_BAD_ARGUMENTS,
                                   wabi__join(4, WABI__S("the host could not decode the arguments of host function `"),
                                              WABI__W(n), WABI__S("`: "), WABI__W(m)));
        return wabi__host_fail(res, WABI_HOST_BAD_RESULT,
                               wabi__join(4, WABI__S("the host could not encode the result of host function `"),
                                          WABI__W(n), WABI__S("`: "), WABI__W(m)));
    }
    case 2: {
        uint32_t ml, fl;
        wabi_str m, f;
        if (body_len < 16) return wabi__malformed(res, name, name_len, "panic record needs at least 16 bytes");
        ml = wabi__rd_le32(body);
        fl = wabi__rd_le32(body + 4);
        if ((uint64_t)ml + fl != (uint64_t)body_len - 16)
            return wabi__malformed(res, name, name_len, "panic record lengths do not match its length");
        if (!wabi_utf8_valid(body + 16, ml + fl)) return wabi__malformed(res, name, name_len, "panic record is not valid UTF-8");
        m.ptr = (const char *)body + 16, m.len = ml;
        f.ptr = (const char *)body + 16 + ml, f.len = fl;
        return wabi__host_fail(res, WABI_HOST_PANIC,
                               wabi__join(7, WABI__S("host function `"), WABI__W(n), WABI__S("` panicked"),
                                          fl ? " at " : "", fl ? 4u : 0u, WABI__W(f), WABI__S(": "), WABI__W(m)) );
    }
    default:
        return wabi__malformed(res, name, name_len, "unknown envelope status");
    }
}

void wabi_host_result_free(wabi_host_result *res) {
    wabi__block *b = (wabi__block *)res->block;
    res->block = NULL;
    res->value = wabi_reader_new(NULL, 0);
    res->message.ptr = "";
    res->message.len = 0;
    wabi__answer_free(b);
}

/* ------------------------------------------------------------------------------------------ */
/* Outbound HTTP (ABI 4.4)                                                                    */

static const char *const wabi__http_kinds[] = {"connect", "denied", "timeout", "too_large", "connect",
                                               "limit", "bad_request", "too_many_redirects"};

const char *wabi_http_error_kind_name(wabi_http_error_kind kind) {
    return (unsigned)kind < sizeof wabi__http_kinds / sizeof wabi__http_kinds[0] ? wabi__http_kinds[kind] : "connect";
}

/* A NUL-terminated copy of s in call memory; on failure the request remembers it. */
static wabi_str wabi__http_dup(wabi_http_request *req, wabi_str s) {
    wabi_str r = {"", 0};
    char *p;
    if (s.len == 0) return r;
    p = wabi_str_dup(s);
    if (!p) {
        if (!req->err) req->err = "out of memory";
        return r;
    }
    r.ptr = p;
    r.len = s.len;
    return r;
}

void wabi_http_request_init_str(wabi_http_request *req, wabi_str method, wabi_str url) {
    WABI__MEMSET(req, 0, sizeof *req);
    req->body.ptr = (const uint8_t *)"";
    req->method = wabi__http_dup(req, method);
    req->url = wabi__http_dup(req, url);
}

void wabi_http_request_init(wabi_http_request *req, const char *method, const char *url) {
    wabi_http_request_init_str(req, wabi_cstr(method), wabi_cstr(url));
}

void wabi_http_request_header_str(wabi_http_request *req, wabi_str name, wabi_str value) {
    wabi_http_header *h;
    if (req->err) return;
    if (req->nheaders == req->cap_headers) {
        uint32_t cap = req->cap_headers ? 2 * req->cap_headers : 8;
        h = cap > req->cap_headers ? (wabi_http_header *)wabi_talloc_n(cap, sizeof *h) : NULL;
        if (!h) {
            req->err = "out of memory";
            return;
        }
        if (req->nheaders) WABI__MEMCPY(h, req->headers, req->nheaders * sizeof *h);
        req->headers = h; /* the old array stays in call memory until the export returns */
        req->cap_headers = cap;
    }
    h = &req->headers[req->nheaders];
    h->name = wabi__http_dup(req, name);
    h->value = wabi__http_dup(req, value);
    if (!req->err) req->nheaders++;
}

void wabi_http_request_header(wabi_http_request *req, const char *name, const char *value) {
    wabi_http_request_header_str(req, wabi_cstr(name), wabi_cstr(value));
}

void wabi_http_request_body(wabi_http_request *req, const void *data, uint32_t len) {
    req->body.ptr = len ? (const uint8_t *)data : (const uint8_t *)"";
    req->body.len = len;
}

void wabi_http_request_encode(const wabi_http_request *req, wabi_writer *w) {
    uint32_t i;
    wabi_write_map(w, 4);
    wabi_write_cstr(w, "method");
    wabi_write_wstr(w, req->method);
    wabi_write_cstr(w, "url");
    wabi_write_wstr(w, req->url);
    wabi_write_cstr(w, "headers");
    wabi_write_array(w, req->nheaders);
    for (i = 0; i < req->nheaders; i++) {
        wabi_write_array(w, 2);
        wabi_write_wstr(w, req->headers[i].name);
        wabi_write_wstr(w, req->headers[i].value);
    }
    wabi_write_cstr(w, "body");
    wabi_write_bytes(w, req->body.ptr, req->body.len); /* empty: 90 */
}

/* Fill *err and return 0 (what wabi_http_send returns on failure). */
static int wabi__http_fail(wabi_http_error *err, wabi_http_error_kind kind, wabi_str kind_name, wabi_str message) {
    err->kind = kind;
    err->kind_name = kind_name;
    err->message = message;
    return 0;
}

static int wabi__http_fail_sdk(wabi_http_error *err, wabi_http_error_kind kind, wabi_str message) {
    return wabi__http_fail(err, kind, wabi_cstr(wabi_http_error_kind_name(kind)), message);
}

/* Read the body of an Ok answer, {status, headers, body} (keys matched by name, unknown ones
 * skipped, missing headers and body empty), into *resp: false (r failed) if it does not decode. */
static bool wabi__http_read_response(wabi_reader *r, wabi_http_response *resp) {
    uint32_t n = wabi_read_map(r), i, j;
    bool has_status = false;
    for (i = 0; i < n && wabi_ok(r); i++) {
        wabi_str key = wabi_read_str(r);
        if (wabi_str_eq(key, "status")) {
            resp->status = wabi_read_u16(r);
            has_status = true;
        } else if (wabi_str_eq(key, "headers")) {
            uint32_t m = wabi_read_array(r); /* bounded by the bytes present */
            wabi_http_header *h = m ? (wabi_http_header *)wabi_talloc_n(m, sizeof *h) : NULL;
            if (m && !h) wabi_reader_fail(r, "out of memory");
            for (j = 0; j < m && wabi_ok(r); j++) {
                if (wabi_read_array(r) != 2) wabi_reader_fail(r, "a header is an array of 2 strings");
                h[j].name = wabi_read_str(r);
                h[j].value = wabi_read_str(r);
            }
            resp->headers = h;
            resp->nheaders = wabi_ok(r) ? m : 0;
        } else if (wabi_str_eq(key, "body")) {
            resp->body = wabi_read_bytes(r);
        } else {
            wabi_skip(r);
        }
    }
    if (wabi_ok(r) && !has_status) wabi_reader_fail(r, "the response has no status");
    if (wabi_ok(r) && resp->status == 0) wabi_reader_fail(r, "the response's status is 0");
    return wabi_ok(r);
}

int wabi_http_send(const wabi_http_request *req, wabi_http_response *resp, wabi_http_error *err) {
    wabi_writer w = WABI_WRITER_INIT;
    uint64_t packed;
    uint32_t status = 0, body_len = 0;
    const uint8_t *body = NULL;
    const char *why;
    wabi__block *b;
    WABI__MEMSET(resp, 0, sizeof *resp);
    resp->body.ptr = (const uint8_t *)"";
    err->kind = WABI_HTTP_NONE;
    err->kind_name.ptr = err->message.ptr = "";
    err->kind_name.len = err->message.len = 0;
    if (req->err)
        return wabi__http_fail_sdk(err, WABI_HTTP_BAD_REQUEST,
                                   wabi__join(2, WABI__S("http: cannot build the request: "), WABI__C(req->err)));
    wabi_http_request_encode(req, &w);
    if (w.err) {
        wabi_str m = wabi__join(2, WABI__S("http: cannot encode the request: "), WABI__C(w.err));
        wabi_writer_free(&w);
        return wabi__http_fail_sdk(err, WABI_HTTP_BAD_REQUEST, m);
    }
    packed = wabi__imp_http_request(WABI__ADDR(w.buf), w.len);
    wabi_writer_free(&w);

    /* The answer: checked and owned exactly like a host call's (ABI 4.1). */
    why = wabi__take_answer(packed, &b, &status, &body, &body_len);
    if (why) {
        wabi__answer_free(b);
        return wabi__http_fail_sdk(err, WABI_HTTP_CONNECT,
                                   wabi__join(2, WABI__S("http: the host answered with an invalid envelope: "), WABI__C(why)));
    }
    if (status == WABI_OK) {
        wabi_reader r = wabi_reader_new(body, body_len);
        if (!wabi__http_read_response(&r, resp)) {
            wabi_str e = wabi_reader_error(&r);
            WABI__MEMSET(resp, 0, sizeof *resp);
            resp->body.ptr = (const uint8_t *)"";
            wabi__answer_free(b);
            return wabi__http_fail_sdk(err, WABI_HTTP_CONNECT,
                                       wabi__join(2, WABI__S("http: the host's response does not decode: "), WABI__W(e)));
        }
        if (resp->body.len == 0) resp->body.ptr = (const uint8_t *)"";
        resp->block = b;
        return (int)resp->status;
    }
    if (status == WABI_ERROR) {
        wabi_str m, kind_name = wabi_cstr("connect");
        wabi_bytes v;
        wabi_http_error_kind kind = WABI_HTTP_CONNECT;
        why = wabi__error_body(body, body_len, &m, &v);
        if (why) {
            wabi__answer_free(b);
            return wabi__http_fail_sdk(err, WABI_HTTP_CONNECT,
                                       wabi__join(2, WABI__S("http: the host answered with an invalid envelope: "), WABI__C(why)));
        }
        /* the value {"kind": KIND}; a kind this SDK does not know counts as connect (ABI 4.4) */
        {
            wabi_reader r = wabi_reader_new(v.ptr, v.len);
            uint32_t n = v.len ? wabi_read_map(&r) : 0, i;
            for (i = 0; i < n && wabi_ok(&r); i++) {
                wabi_str key = wabi_read_str(&r);
                if (wabi_str_eq(key, "kind") && wabi_peek(&r) == WABI_T_STR) {
                    wabi_str k = wabi_read_str(&r);
                    uint32_t j;
                    kind = WABI_HTTP_CONNECT;
                    kind_name = wabi__join(1, WABI__W(k));
                    for (j = 1; j < sizeof wabi__http_kinds / sizeof wabi__http_kinds[0]; j++) {
                        if (wabi_str_eq(k, wabi__http_kinds[j])) {
                            kind = (wabi_http_error_kind)j;
                            kind_name = wabi_cstr(wabi__http_kinds[j]);
                            break;
                        }
                    }
                } else {
                    wabi_skip(&r);
                }
            }
        }
        m = wabi__join(1, WABI__W(m)); /* copied: the answer is freed now */
        wabi__answer_free(b);
        return wabi__http_fail(err, kind, kind_name, m);
    }
    wabi__answer_free(b);
    {
        char digits[12];
        uint32_t i = sizeof digits, s = status;
        do digits[--i] = (char)('0' + s % 10), s /= 10;
        while (s);
        return wabi__http_fail_sdk(err, WABI_HTTP_CONNECT,
                                   wabi__join(3, WABI__S("http: the host answered with status "), digits + i,
                                              (uint32_t)(sizeof digits - i), WABI__S(" (not 0 or 1)")));
    }
}

static bool wabi__ascii_ieq(wabi_str a, wabi_str b) {
    uint32_t i;
    if (a.len != b.len) return false;
    for (i = 0; i < a.len; i++) {
        char x = a.ptr[i], y = b.ptr[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

const wabi_str *wabi_http_response_header_str(const wabi_http_response *resp, wabi_str name) {
    uint32_t i;
    for (i = 0; i < resp->nheaders; i++)
        if (wabi__ascii_ieq(resp->headers[i].name, name)) return &resp->headers[i].value;
    return NULL;
}

const wabi_str *wabi_http_response_header(const wabi_http_response *resp, const char *name) {
    return wabi_http_response_header_str(resp, wabi_cstr(name));
}

void wabi_http_response_free(wabi_http_response *resp) {
    wabi__block *b = (wabi__block *)resp->block;
    WABI__MEMSET(resp, 0, sizeof *resp);
    resp->body.ptr = (const uint8_t *)"";
    wabi__answer_free(b);
}

wabi_status wabi_fail_http(wabi_writer *out, const wabi_http_error *err) {
    wabi_fail_begin(out);
    wabi_text_str(out, err->message);
    wabi_fail_value(out);
    wabi_write_map(out, 1);
    wabi_write_cstr(out, "kind");
    wabi_write_wstr(out, err->kind_name.len ? err->kind_name : wabi_cstr(wabi_http_error_kind_name(err->kind)));
    return WABI_ERROR;
}

/* ------------------------------------------------------------------------------------------ */
/* Configuration and logging (ABI 4.2, 4)                                                     */

int32_t wabi_config_raw(const char *key, uint32_t key_len, void *buf, uint32_t cap) {
    return wabi__imp_config(key_len ? WABI__ADDR(key) : 0, key_len, cap ? WABI__ADDR(buf) : 0, cap);
}

bool wabi_config_n(const char *key, uint32_t key_len, wabi_str *value) {
    char first[256];
    char *buf;
    int32_t n = wabi_config_raw(key, key_len, first, sizeof first), m;
    value->ptr = "";
    value->len = 0;
    if (n < 0) return false;
    if ((uint32_t)n <= sizeof first) {
        buf = (char *)wabi_talloc((uint32_t)n + 1u);
        if (!buf) wabi_panic("wabi_config: out of memory");
        WABI__MEMCPY(buf, first, (uint32_t)n);
        buf[n] = 0;
        value->ptr = buf;
        value->len = (uint32_t)n;
        return true;
    }
    for (;;) {
        /* too small: ask again with a buffer of the value's length (ABI 4.2) */
        buf = (char *)wabi_talloc((uint32_t)n + 1u);
        if (!buf) wabi_panic("wabi_config: out of memory");
        m = wabi_config_raw(key, key_len, buf, (uint32_t)n);
        if (m < 0) return false;
        if (m <= n) {
            buf[m] = 0;
            value->ptr = buf;
            value->len = (uint32_t)m;
            return true;
        }
        n = m; /* the value grew in between: again */
    }
}

bool wabi_config(const char *key, wabi_str *value) {
    return wabi_config_n(key, (uint32_t)wabi__strlen(key), value);
}

void wabi_log_n(uint32_t level, const char *msg, uint32_t len) {
    wabi__imp_log(level, len ? WABI__ADDR(msg) : 0, len);
}
