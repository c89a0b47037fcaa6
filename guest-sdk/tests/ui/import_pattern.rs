use wabi_guest::{import, HostError};

#[import]
fn add((a, b): (i64, i64), mut c: i64, ref d: i64) -> Result<i64, HostError>;

fn main() {}
