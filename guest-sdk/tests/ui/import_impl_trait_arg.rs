use wabi_guest::{import, HostError};

#[import]
fn send(value: impl serde::Serialize) -> Result<(), HostError>;

fn main() {}
