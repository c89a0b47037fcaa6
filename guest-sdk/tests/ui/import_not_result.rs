use wabi_guest::import;

#[import]
fn add(a: i64, b: i64) -> i64;

fn main() {}
