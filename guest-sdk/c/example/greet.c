/* The example plugin of guest-sdk/c/README.md. Build: guest-sdk/c/build-plugin.sh greet.wasm greet.c */
#include "wabi.h"

/* The Rust host's struct Person { name: String, age: u32 }: a map keyed by field name. */
typedef struct Person {
    wabi_str name;
    uint32_t age;
} Person;

static void person_read(wabi_reader *r, Person *p) {
    uint32_t n = wabi_read_map(r);
    *p = (Person){0};
    for (uint32_t i = 0; i < n && wabi_ok(r); i++) {
        wabi_str key = wabi_read_str(r);
        if (wabi_str_eq(key, "name")) p->name = wabi_read_str(r);
        else if (wabi_str_eq(key, "age")) p->age = wabi_read_u32(r);
        else wabi_skip(r); /* unknown fields are ignored */
    }
}

/* greet(p: Person, greeting: String) -> String, or an error */
static wabi_status greet(wabi_reader *args, wabi_writer *out) {
    Person p;
    person_read(args, &p);
    wabi_str greeting = wabi_read_str(args);
    if (!wabi_ok(args)) return WABI_BAD_ARGUMENTS; /* the SDK answers with the reason */
    if (p.name.len == 0) return wabi_fail(out, "a person needs a name");
    wabi_log(WABI_LOG_INFO, "greeting someone");
    wabi_write_str_begin(out); /* "{greeting}, {name} ({age})" */
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
