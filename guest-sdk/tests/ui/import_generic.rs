use wabi_guest::{import, HostError};

#[import]
fn lookup<T: serde::Serialize, const N: usize>(key: T) -> Result<u32, HostError>;

fn main() {}
