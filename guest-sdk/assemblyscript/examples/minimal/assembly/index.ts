// The smallest useful wabi guest (the same as benches/guests/size-wabi): add(a: i32, b: i32) -> i32.
import * as wabi from "../../../assembly/index";
export * from "../../../assembly/exports";

export function add(ptr: u32, len: u32): u64 {
  return wabi.export2<i32, i32, i32>(ptr, len, (a: i32, b: i32): i32 => a + b);
}
