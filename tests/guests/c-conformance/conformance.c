/*
 * The C guest of the wabi conformance suite: the exports of tests/README.md, with the same
 * semantics as the Rust and Go conformance guests, written with the C guest SDK
 * (guest-sdk/c). Build: guest-sdk/c/build-conformance.sh OUT.wasm
 */
#include "wabi.h"

/* ------------------------------------------------------------------------------------------ */
/* The types of the suite (tests/src/cases.rs) and their MessagePack forms (ABI section 8)    */

/* struct Person { name: String, age: u32, email: Option<String>, tags: Vec<String> } */
typedef struct Person {
    wabi_str name;
    uint32_t age;
    bool has_email;
    wabi_str email;
    wabi_str *tags;
    uint32_t ntags;
} Person;

/* A map keyed by field name: fields matched by name, unknown ones skipped, missing ones zero. */
static void person_read(wabi_reader *r, Person *p) {
    uint32_t n = wabi_read_map(r), i, j;
    *p = (Person){0};
    for (i = 0; i < n && wabi_ok(r); i++) {
        wabi_str key = wabi_read_str(r);
        if (wabi_str_eq(key, "name")) {
            p->name = wabi_read_str(r);
        } else if (wabi_str_eq(key, "age")) {
            p->age = wabi_read_u32(r);
        } else if (wabi_str_eq(key, "email")) {
            p->has_email = !wabi_read_is_nil(r);
            if (p->has_email) p->email = wabi_read_str(r);
        } else if (wabi_str_eq(key, "tags")) {
            p->ntags = wabi_read_array(r);
            p->tags = wabi_talloc_n(p->ntags, sizeof *p->tags); /* the count is bounded by the input */
            if (!p->tags) wabi_reader_fail(r, "out of memory");
            for (j = 0; j < p->ntags && wabi_ok(r); j++) p->tags[j] = wabi_read_str(r);
        } else {
            wabi_skip(r);
        }
    }
}

/* Fields in declaration order, keyed by name. */
static void person_write(wabi_writer *w, const Person *p) {
    uint32_t j;
    wabi_write_map(w, 4);
    wabi_write_cstr(w, "name");
    wabi_write_wstr(w, p->name);
    wabi_write_cstr(w, "age");
    wabi_write_u32(w, p->age);
    wabi_write_cstr(w, "email");
    if (p->has_email) wabi_write_wstr(w, p->email);
    else wabi_write_nil(w);
    wabi_write_cstr(w, "tags");
    wabi_write_array(w, p->ntags);
    for (j = 0; j < p->ntags; j++) wabi_write_wstr(w, p->tags[j]);
}

/* enum Shape { Unit, Circle(f64), Rect { w: f64, h: f64 }, Pair(i32, i32) }, externally tagged. */
typedef enum { SHAPE_UNIT, SHAPE_CIRCLE, SHAPE_RECT, SHAPE_PAIR } ShapeKind;
typedef struct Shape {
    ShapeKind kind;
    double radius; /* Circle */
    double w, h;   /* Rect */
    int32_t a, b;  /* Pair */
} Shape;

static void shape_read(wabi_reader *r, Shape *s) {
    bool has_value;
    wabi_str name = wabi_read_variant(r, &has_value);
    *s = (Shape){0};
    if (!wabi_ok(r)) return;
    if (wabi_str_eq(name, "Unit") && !has_value) {
        s->kind = SHAPE_UNIT;
    } else if (wabi_str_eq(name, "Circle") && has_value) {
        s->kind = SHAPE_CIRCLE;
        s->radius = wabi_read_f64(r);
    } else if (wabi_str_eq(name, "Rect") && has_value) {
        uint32_t n = wabi_read_map(r), i;
        s->kind = SHAPE_RECT;
        for (i = 0; i < n && wabi_ok(r); i++) {
            wabi_str key = wabi_read_str(r);
            if (wabi_str_eq(key, "w")) s->w = wabi_read_f64(r);
            else if (wabi_str_eq(key, "h")) s->h = wabi_read_f64(r);
            else wabi_skip(r);
        }
    } else if (wabi_str_eq(name, "Pair") && has_value) {
        s->kind = SHAPE_PAIR;
        if (wabi_read_array(r) != 2) {
            wabi_reader_fail(r, "Pair has 2 fields");
            return;
        }
        s->a = wabi_read_i32(r);
        s->b = wabi_read_i32(r);
    } else {
        wabi_reader_fail(r, "unknown Shape variant");
    }
}

static void shape_write(wabi_writer *w, const Shape *s) {
    switch (s->kind) {
    case SHAPE_UNIT:
        wabi_write_cstr(w, "Unit");
        break;
    case SHAPE_CIRCLE:
        wabi_write_variant(w, "Circle");
        wabi_write_f64(w, s->radius);
        break;
    case SHAPE_RECT:
        wabi_write_variant(w, "Rect");
        wabi_write_map(w, 2);
        wabi_write_cstr(w, "w");
        wabi_write_f64(w, s->w);
        wabi_write_cstr(w, "h");
        wabi_write_f64(w, s->h);
        break;
    case SHAPE_PAIR:
        wabi_write_variant(w, "Pair");
        wabi_write_array(w, 2);
        wabi_write_i32(w, s->a);
        wabi_write_i32(w, s->b);
        break;
    }
}

/* BTreeMap<String, i64>: entries sorted by key (byte order), one per key. */
typedef struct Entry {
    wabi_str key;
    int64_t value;
} Entry;
typedef struct IntMap {
    Entry *e;
    uint32_t n;
} IntMap;

/* Stable merge sort of n entries by key, with tmp as scratch space. */
static void sort_entries(Entry *e, Entry *tmp, uint32_t n) {
    uint32_t width, i;
    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            uint32_t lo = i, mid = i + width < n ? i + width : n, hi = i + 2 * width < n ? i + 2 * width : n;
            uint32_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) tmp[k++] = wabi_str_cmp(e[b].key, e[a].key) < 0 ? e[b++] : e[a++];
            while (a < mid) tmp[k++] = e[a++];
            while (b < hi) tmp[k++] = e[b++];
        }
        __builtin_memcpy(e, tmp, n * sizeof *e);
    }
}

static void intmap_read(wabi_reader *r, IntMap *m) {
    uint32_t n = wabi_read_map(r), i, k = 0;
    Entry *tmp;
    m->n = 0;
    m->e = wabi_talloc_n(n, sizeof *m->e);
    tmp = wabi_talloc_n(n, sizeof *tmp);
    if (!m->e || !tmp) {
        wabi_reader_fail(r, "out of memory");
        return;
    }
    for (i = 0; i < n && wabi_ok(r); i++) {
        m->e[i].key = wabi_read_str(r);
        m->e[i].value = wabi_read_i64(r);
    }
    if (!wabi_ok(r)) return;
    sort_entries(m->e, tmp, n);
    for (i = 0; i < n; i++) {
        /* a repeated key: the last one wins, as in a BTreeMap */
        if (k > 0 && wabi_str_cmp(m->e[k - 1].key, m->e[i].key) == 0) m->e[k - 1] = m->e[i];
        else m->e[k++] = m->e[i];
    }
    m->n = k;
}

static void intmap_write(wabi_writer *w, const IntMap *m) {
    uint32_t i;
    wabi_write_map(w, m->n);
    for (i = 0; i < m->n; i++) {
        wabi_write_wstr(w, m->e[i].key);
        wabi_write_i64(w, m->e[i].value);
    }
}

/* (Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32): an array of 5. */
typedef struct EchoAll {
    Person p;
    Shape s;
    IntMap m;
    wabi_bytes b;
    float f;
} EchoAll;

static void echo_all_read_fields(wabi_reader *r, EchoAll *a) {
    person_read(r, &a->p);
    shape_read(r, &a->s);
    intmap_read(r, &a->m);
    a->b = wabi_read_bytes(r);
    a->f = wabi_read_f32(r);
}

static void echo_all_write_fields(wabi_writer *w, const EchoAll *a) {
    person_write(w, &a->p);
    shape_write(w, &a->s);
    intmap_write(w, &a->m);
    wabi_write_bytes(w, a->b.ptr, a->b.len);
    wabi_write_f32(w, a->f);
}

static uint64_t checksum(const uint8_t *p, uint32_t n) {
    uint64_t sum = 0;
    uint32_t i;
    for (i = 0; i < n; i++) sum += p[i];
    return sum;
}

/* struct Stats { len: u64, checksum: u64 } */
static void stats_write(wabi_writer *w, const uint8_t *p, uint32_t n) {
    wabi_write_map(w, 2);
    wabi_write_cstr(w, "len");
    wabi_write_u64(w, n);
    wabi_write_cstr(w, "checksum");
    wabi_write_u64(w, checksum(p, n));
}

/* ------------------------------------------------------------------------------------------ */
/* Echoes                                                                                     */

static wabi_status noop(wabi_reader *args, wabi_writer *out) {
    (void)args, (void)out;
    return WABI_OK; /* writes nothing: the result is nil */
}
WABI_EXPORT(noop, 0)

static wabi_status echo_bool(wabi_reader *args, wabi_writer *out) {
    wabi_write_bool(out, wabi_read_bool(args));
    return WABI_OK;
}
WABI_EXPORT(echo_bool, 1)

static wabi_status echo_ints(wabi_reader *args, wabi_writer *out) {
    int8_t a = wabi_read_i8(args);
    int16_t b = wabi_read_i16(args);
    int32_t c = wabi_read_i32(args);
    int64_t d = wabi_read_i64(args);
    uint8_t e = wabi_read_u8(args);
    uint16_t f = wabi_read_u16(args);
    uint32_t g = wabi_read_u32(args);
    uint64_t h = wabi_read_u64(args);
    wabi_write_array(out, 8);
    wabi_write_i8(out, a);
    wabi_write_i16(out, b);
    wabi_write_i32(out, c);
    wabi_write_i64(out, d);
    wabi_write_u8(out, e);
    wabi_write_u16(out, f);
    wabi_write_u32(out, g);
    wabi_write_u64(out, h);
    return WABI_OK;
}
WABI_EXPORT(echo_ints, 8)

static wabi_status echo_floats(wabi_reader *args, wabi_writer *out) {
    float a = wabi_read_f32(args);
    double b = wabi_read_f64(args);
    wabi_write_array(out, 2);
    wabi_write_f32(out, a); /* stays a float 32 */
    wabi_write_f64(out, b);
    return WABI_OK;
}
WABI_EXPORT(echo_floats, 2)

static wabi_status echo_string(wabi_reader *args, wabi_writer *out) {
    wabi_write_wstr(out, wabi_read_str(args));
    return WABI_OK;
}
WABI_EXPORT(echo_string, 1)

static wabi_status echo_str(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args); /* a view of the input: no copy */
    wabi_write_str(out, s.ptr, s.len);
    return WABI_OK;
}
WABI_EXPORT(echo_str, 1)

static wabi_status echo_bytes(wabi_reader *args, wabi_writer *out) {
    wabi_bytes b = wabi_read_bytes(args);
    wabi_write_bytes(out, b.ptr, b.len);
    return WABI_OK;
}
WABI_EXPORT(echo_bytes, 1)

static wabi_status echo_option(wabi_reader *args, wabi_writer *out) {
    if (wabi_read_is_nil(args)) wabi_write_nil(out);
    else wabi_write_wstr(out, wabi_read_str(args));
    return WABI_OK;
}
WABI_EXPORT(echo_option, 1)

static wabi_status echo_person(wabi_reader *args, wabi_writer *out) {
    Person p;
    person_read(args, &p);
    person_write(out, &p);
    return WABI_OK;
}
WABI_EXPORT(echo_person, 1)

static wabi_status echo_shape(wabi_reader *args, wabi_writer *out) {
    Shape s;
    shape_read(args, &s);
    shape_write(out, &s);
    return WABI_OK;
}
WABI_EXPORT(echo_shape, 1)

static wabi_status echo_map(wabi_reader *args, wabi_writer *out) {
    IntMap m;
    intmap_read(args, &m); /* sorted by key */
    intmap_write(out, &m);
    return WABI_OK;
}
WABI_EXPORT(echo_map, 1)

/* HashMap<String, Vec<u32>>: any order, so the entries are written as they came. */
static wabi_status echo_hashmap(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_map(args), i, j;
    wabi_write_map(out, n);
    for (i = 0; i < n && wabi_ok(args); i++) {
        uint32_t len;
        wabi_write_wstr(out, wabi_read_str(args));
        len = wabi_read_array(args);
        wabi_write_array(out, len);
        for (j = 0; j < len && wabi_ok(args); j++) wabi_write_u32(out, wabi_read_u32(args));
    }
    return WABI_OK;
}
WABI_EXPORT(echo_hashmap, 1)

/* Vec<Vec<Vec<u32>>>, decoded and encoded level by level. */
static wabi_status echo_nested(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_array(args), i, j, k;
    wabi_write_array(out, n);
    for (i = 0; i < n && wabi_ok(args); i++) {
        uint32_t m = wabi_read_array(args);
        wabi_write_array(out, m);
        for (j = 0; j < m && wabi_ok(args); j++) {
            uint32_t l = wabi_read_array(args);
            wabi_write_array(out, l);
            for (k = 0; k < l && wabi_ok(args); k++) wabi_write_u32(out, wabi_read_u32(args));
        }
    }
    return WABI_OK;
}
WABI_EXPORT(echo_nested, 1)

static wabi_status echo_any(wabi_reader *args, wabi_writer *out) {
    wabi_copy_value(args, out);
    return WABI_OK;
}
WABI_EXPORT(echo_any, 1)

/* The nesting depth of maps and arrays (a scalar is 0, [] is 1), keys included. */
static uint32_t depth_of(wabi_reader *r, uint32_t level) {
    wabi_type t = wabi_peek(r);
    uint32_t n, i, deepest = 0;
    if (t != WABI_T_ARRAY && t != WABI_T_MAP) {
        wabi_skip(r);
        return 0;
    }
    if (level >= WABI_MAX_DEPTH) {
        wabi_reader_fail(r, "arrays and maps nested deeper than 128 levels");
        return 0;
    }
    n = t == WABI_T_MAP ? 2 * wabi_read_map(r) : wabi_read_array(r);
    for (i = 0; i < n && wabi_ok(r); i++) {
        uint32_t d = depth_of(r, level + 1);
        if (d > deepest) deepest = d;
    }
    return deepest + 1;
}

static wabi_status depth(wabi_reader *args, wabi_writer *out) {
    wabi_write_u32(out, depth_of(args, 0));
    return WABI_OK;
}
WABI_EXPORT(depth, 1)

/* ------------------------------------------------------------------------------------------ */
/* Several arguments, errors, panics                                                          */

static wabi_status concat3(wabi_reader *args, wabi_writer *out) {
    wabi_str a = wabi_read_str(args), b = wabi_read_str(args), c = wabi_read_str(args);
    wabi_write_str_begin(out);
    wabi_text_str(out, a);
    wabi_text_str(out, b);
    wabi_text_str(out, c);
    wabi_write_str_end(out);
    return WABI_OK;
}
WABI_EXPORT(concat3, 3)

static wabi_status greet(wabi_reader *args, wabi_writer *out) {
    Person p;
    wabi_str greeting;
    person_read(args, &p);
    greeting = wabi_read_str(args);
    /* "{greeting}, {name} ({age})" */
    wabi_write_str_begin(out);
    wabi_text_str(out, greeting);
    wabi_text(out, ", ");
    wabi_text_str(out, p.name);
    wabi_text(out, " (");
    wabi_text_u64(out, p.age);
    wabi_text(out, ")");
    wabi_write_str_end(out);
    return WABI_OK;
}
WABI_EXPORT(greet, 2)

/* An error with a message and a value: "app error 42: {s}", {code: 42, reason: s}. */
static wabi_status fail(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    wabi_fail_begin(out);
    wabi_text(out, "app error 42: ");
    wabi_text_str(out, s);
    wabi_fail_value(out);
    wabi_write_map(out, 2);
    wabi_write_cstr(out, "code");
    wabi_write_u32(out, 42);
    wabi_write_cstr(out, "reason");
    wabi_write_wstr(out, s);
    return WABI_ERROR;
}
WABI_EXPORT(fail, 1)

static wabi_status fail_plain(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    return wabi_fail_n(out, s.ptr, s.len);
}
WABI_EXPORT(fail_plain, 1)

static wabi_status boom(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    (void)out;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    wabi_panic_n(s.ptr, s.len); /* reports through wabi.panic with this file and line */
}
WABI_EXPORT(boom, 1)

/* ------------------------------------------------------------------------------------------ */
/* Payloads, raw and Pod functions                                                            */

static wabi_status make_bytes(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_u32(args), i;
    uint8_t *p;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    p = wabi_write_bytes_reserve(out, n); /* the bin header, then n bytes to fill in */
    if (p)
        for (i = 0; i < n; i++) p[i] = (uint8_t)(i % 251);
    return WABI_OK;
}
WABI_EXPORT(make_bytes, 1)

static wabi_status bytes_stats(wabi_reader *args, wabi_writer *out) {
    wabi_bytes b = wabi_read_bytes(args);
    stats_write(out, b.ptr, b.len);
    return WABI_OK;
}
WABI_EXPORT(bytes_stats, 1)

static wabi_status str_stats(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    stats_write(out, (const uint8_t *)s.ptr, s.len);
    return WABI_OK;
}
WABI_EXPORT(str_stats, 1)

static wabi_status raw_reverse(wabi_bytes in, wabi_writer *out) {
    uint8_t *p = wabi_write_reserve(out, in.len);
    uint32_t i;
    if (p)
        for (i = 0; i < in.len; i++) p[i] = in.ptr[in.len - 1 - i];
    return WABI_OK;
}
WABI_EXPORT_RAW(raw_reverse)

/* struct Pair { a: i32, b: i32 } -> struct Sum { sum: i64 }, as MessagePack maps. */
static wabi_status add_pair(wabi_reader *args, wabi_writer *out) {
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
    wabi_write_i64(out, (int64_t)a + b);
    return WABI_OK;
}
WABI_EXPORT(add_pair, 1)

/* The same as Pod structs: 8 bytes in, 8 bytes out. */
typedef struct PodPair {
    int32_t a, b;
} PodPair;
typedef struct PodSum {
    int64_t sum;
} PodSum;
_Static_assert(sizeof(PodPair) == 8 && sizeof(PodSum) == 8, "Pod structs have no padding");

static wabi_status pod_add(const PodPair *in, PodSum *result, wabi_writer *out) {
    (void)out;
    result->sum = (int64_t)in->a + in->b;
    return WABI_OK;
}
WABI_EXPORT_POD(pod_add, PodPair, PodSum)

/* ------------------------------------------------------------------------------------------ */
/* Logging, state, names, memory                                                              */

static wabi_status log_line(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    (void)out;
    if (wabi_ok(args)) wabi_log_n(WABI_LOG_INFO, s.ptr, s.len);
    return WABI_OK;
}
WABI_EXPORT(log_line, 1)

static uint64_t count;

static wabi_status counter(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_write_u64(out, ++count);
    return WABI_OK;
}
WABI_EXPORT(counter, 0)

static wabi_status renamed(wabi_reader *args, wabi_writer *out) {
    (void)args;
    wabi_write_cstr(out, "renamed");
    return WABI_OK;
}
WABI_EXPORT_AS("renamed.fn", renamed, 0)

/* The blocks grow_memory keeps allocated: a list threaded through their first bytes. */
static void *grown;

static wabi_status grow_memory(wabi_reader *args, wabi_writer *out) {
    uint32_t pages = wabi_read_u32(args);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    if (pages > 0) {
        void **block = (uint64_t)pages * 65536u > 0x7fff0000u ? NULL : wabi_heap_alloc((size_t)pages * 65536u);
        if (!block) return wabi_fail(out, "out of memory");
        *block = grown;
        grown = block;
    }
    wabi_write_u32(out, wabi_memory_pages());
    return WABI_OK;
}
WABI_EXPORT(grow_memory, 1)

/* ------------------------------------------------------------------------------------------ */
/* Host functions (ABI 1.1): the suite registers add, echo_all, birthday, fail and descend    */

/* A result that does not decode as the expected type. */
static wabi_status bad_host_result(wabi_writer *out, const char *name, const wabi_reader *r) {
    wabi_fail_begin(out);
    wabi_text(out, "cannot decode the result of host function `");
    wabi_text(out, name);
    wabi_text(out, "`: ");
    wabi_text_str(out, wabi_reader_error(r));
    wabi_fail_value(out);
    return WABI_ERROR;
}

static wabi_status call_host_add(wabi_reader *args, wabi_writer *out) {
    int64_t a = wabi_read_i64(args), b = wabi_read_i64(args), sum;
    wabi_writer *w;
    wabi_host_result res;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    w = wabi_host_args(2);
    wabi_write_i64(w, a);
    wabi_write_i64(w, b);
    if (!wabi_host_call("add", w, &res)) return wabi_fail_host(out, &res);
    sum = wabi_read_i64(&res.value);
    if (!wabi_ok(&res.value)) return bad_host_result(out, "add", &res.value);
    wabi_write_i64(out, sum);
    return WABI_OK;
}
WABI_EXPORT(call_host_add, 2)

static wabi_status call_host_echo_all(wabi_reader *args, wabi_writer *out) {
    EchoAll sent, got;
    wabi_writer *w;
    wabi_host_result res;
    echo_all_read_fields(args, &sent);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    w = wabi_host_args(5);
    echo_all_write_fields(w, &sent);
    if (!wabi_host_call("echo_all", w, &res)) return wabi_fail_host(out, &res);
    if (wabi_read_array(&res.value) != 5) wabi_reader_fail(&res.value, "expected a tuple of 5");
    echo_all_read_fields(&res.value, &got);
    if (!wabi_ok(&res.value)) return bad_host_result(out, "echo_all", &res.value);
    wabi_write_array(out, 5);
    echo_all_write_fields(out, &got); /* views into res, which lives until the call returns */
    return WABI_OK;
}
WABI_EXPORT(call_host_echo_all, 5)

static wabi_status call_host_birthday(wabi_reader *args, wabi_writer *out) {
    Person p, older;
    wabi_writer *w;
    wabi_host_result res;
    person_read(args, &p);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    w = wabi_host_args(1);
    person_write(w, &p);
    if (!wabi_host_call("birthday", w, &res)) return wabi_fail_host(out, &res);
    person_read(&res.value, &older);
    if (!wabi_ok(&res.value)) return bad_host_result(out, "birthday", &res.value);
    person_write(out, &older);
    return WABI_OK;
}
WABI_EXPORT(call_host_birthday, 1)

/* "{message} (code {code})" from the host's error and its value {code: u32}. */
static wabi_status call_host_fail(wabi_reader *args, wabi_writer *out) {
    wabi_str s = wabi_read_str(args);
    wabi_writer *w;
    wabi_host_result res;
    uint32_t code = 0, n, i;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    w = wabi_host_args(1);
    wabi_write_wstr(w, s);
    if (wabi_host_call("fail", w, &res)) {
        wabi_write_cstr(out, "unexpected success");
        return WABI_OK;
    }
    wabi_write_str_begin(out);
    wabi_text_str(out, res.message);
    if (res.kind != WABI_HOST_ERROR) {
        /* not the host function's own error: its message says what happened */
    } else if (res.value.len == 0) {
        wabi_text(out, " (no value)");
    } else {
        n = wabi_read_map(&res.value);
        for (i = 0; i < n && wabi_ok(&res.value); i++) {
            wabi_str key = wabi_read_str(&res.value);
            if (wabi_str_eq(key, "code")) code = wabi_read_u32(&res.value);
            else wabi_skip(&res.value);
        }
        if (wabi_ok(&res.value)) {
            wabi_text(out, " (code ");
            wabi_text_u64(out, code);
            wabi_text(out, ")");
        } else {
            wabi_text(out, " (undecodable value: ");
            wabi_text_str(out, wabi_reader_error(&res.value));
            wabi_text(out, ")");
        }
    }
    wabi_write_str_end(out);
    return WABI_OK;
}
WABI_EXPORT(call_host_fail, 1)

/* The message of the error a call of an unregistered host function gets. */
static wabi_status call_host_missing(wabi_reader *args, wabi_writer *out) {
    wabi_host_result res;
    (void)args;
    if (wabi_host_call("no_such_host_fn", NULL, &res)) wabi_write_cstr(out, "unexpected success");
    else wabi_write_wstr(out, res.message);
    return WABI_OK;
}
WABI_EXPORT(call_host_missing, 0)

/* n through n nested calls: the host's descend(n) calls back into recurse(n - 1). */
static wabi_status recurse(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_u32(args), below;
    wabi_writer *w;
    wabi_host_result res;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    if (n == 0) {
        wabi_write_u32(out, 0);
        return WABI_OK;
    }
    w = wabi_host_args(1);
    wabi_write_u32(w, n);
    if (!wabi_host_call("descend", w, &res)) return wabi_fail_host(out, &res);
    below = wabi_read_u32(&res.value);
    if (!wabi_ok(&res.value)) return bad_host_result(out, "descend", &res.value);
    wabi_write_u32(out, below);
    return WABI_OK;
}
WABI_EXPORT(recurse, 1)

static wabi_status config_get(wabi_reader *args, wabi_writer *out) {
    wabi_str key = wabi_read_str(args), value;
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;
    if (wabi_config_n(key.ptr, key.len, &value)) wabi_write_wstr(out, value);
    else wabi_write_nil(out);
    return WABI_OK;
}
WABI_EXPORT(config_get, 1)

/* The length of the configuration value big (0 when it is not set). */
static wabi_status config_big(wabi_reader *args, wabi_writer *out) {
    wabi_str value;
    (void)args;
    wabi_write_u32(out, wabi_config("big", &value) ? value.len : 0);
    return WABI_OK;
}
WABI_EXPORT(config_big, 0)

/* ------------------------------------------------------------------------------------------ */
/* Outbound HTTP (ABI 1.3)                                                                    */

/* http_fetch({method, url, headers, body}) -> {status, headers, body}, through the SDK's HTTP
 * API; a failed request is an error with the SDK error's message and the value {"kind": KIND}. */
static wabi_status http_fetch(wabi_reader *args, wabi_writer *out) {
    uint32_t n = wabi_read_map(args), i, nheaders = 0;
    wabi_str method = {"", 0}, url = {"", 0};
    wabi_http_header *headers = NULL;
    wabi_bytes body = {(const uint8_t *)"", 0};
    wabi_http_request req;
    wabi_http_response resp;
    wabi_http_error err;
    for (i = 0; i < n && wabi_ok(args); i++) {
        wabi_str key = wabi_read_str(args);
        if (wabi_str_eq(key, "method")) {
            method = wabi_read_str(args);
        } else if (wabi_str_eq(key, "url")) {
            url = wabi_read_str(args);
        } else if (wabi_str_eq(key, "headers")) {
            uint32_t j;
            nheaders = wabi_read_array(args);
            headers = wabi_talloc_n(nheaders, sizeof *headers); /* the count is bounded by the input */
            if (!headers) wabi_reader_fail(args, "out of memory");
            for (j = 0; j < nheaders && wabi_ok(args); j++) {
                if (wabi_read_array(args) != 2) wabi_reader_fail(args, "a header is [name, value]");
                headers[j].name = wabi_read_str(args);
                headers[j].value = wabi_read_str(args);
            }
        } else if (wabi_str_eq(key, "body")) {
            body = wabi_read_bytes(args); /* bin, or 90 when empty */
        } else {
            wabi_skip(args);
        }
    }
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS;

    wabi_http_request_init_str(&req, method, url);
    for (i = 0; i < nheaders; i++) wabi_http_request_header_str(&req, headers[i].name, headers[i].value);
    if (body.len) wabi_http_request_body(&req, body.ptr, body.len);
    if (!wabi_http_send(&req, &resp, &err)) return wabi_fail_http(out, &err); /* {"kind": KIND} */

    wabi_write_map(out, 3);
    wabi_write_cstr(out, "status");
    wabi_write_u32(out, resp.status);
    wabi_write_cstr(out, "headers");
    wabi_write_array(out, resp.nheaders);
    for (i = 0; i < resp.nheaders; i++) {
        wabi_write_array(out, 2);
        wabi_write_wstr(out, resp.headers[i].name);
        wabi_write_wstr(out, resp.headers[i].value);
    }
    wabi_write_cstr(out, "body");
    wabi_write_bytes(out, resp.body.ptr, resp.body.len);
    return WABI_OK;
}
WABI_EXPORT(http_fetch, 1)
