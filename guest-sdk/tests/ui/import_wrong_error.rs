use wabi_guest::import;

#[import]
fn add(a: i64, b: i64) -> Result<i64, String>;

fn main() {}
