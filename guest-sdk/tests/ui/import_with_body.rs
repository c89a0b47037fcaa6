use wabi_guest::{import, HostError};

#[import]
fn add(a: i64, b: i64) -> Result<i64, HostError> {
    Ok(a + b)
}

fn main() {}
