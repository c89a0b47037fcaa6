import * as wabi from "../../../assembly/index"; // from npm: "wabi-guest/assembly"
export * from "../../../assembly/exports";       // wabi_abi_version, wabi_alloc, ...

class Person {
  name: string = "";
  age: u32 = 0;
  tags: string[] = [];

  decode(r: wabi.Reader): void {            // a struct is a map keyed by field name
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("name")) this.name = r.str();
      else if (r.keyIs("age")) this.age = r.uint32();
      else if (r.keyIs("tags")) this.tags = r.read<string[]>();
      else r.skipField();                   // unknown fields are ignored
    }
  }
  encode(w: wabi.Writer): void {
    w.mapHeader(3).field("name", this.name).field("age", this.age).field("tags", this.tags);
  }
}

// Rust host: plugin.call::<_, String>("greet", (person, "Hello"))
export function greet(ptr: u32, len: u32): u64 {
  return wabi.export2<Person, string, string>(ptr, len,
    (p: Person, greeting: string): string => greeting + ", " + p.name + "!");
}

// Fails with a message and a value, or calls the host; both are plain values, no exceptions.
export function birthday(ptr: u32, len: u32): u64 {
  return wabi.export1<Person, wabi.Result>(ptr, len, (p: Person): wabi.Result => {
    if (p.age >= 150) return wabi.failWith<u32>("too old: " + p.age.toString(), p.age);
    wabi.info("birthday of " + p.name);
    p.age++;
    return wabi.ok<Person>(p);
  });
}
