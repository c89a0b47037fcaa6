use wabi_guest::{import, HostError};

#[import]
fn lookup(key: &str) -> Result<&'static str, HostError>;

fn main() {}
