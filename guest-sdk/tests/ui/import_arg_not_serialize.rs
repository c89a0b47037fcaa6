use wabi_guest::{import, HostError};

struct Opaque;

#[import]
fn send(id: u32, value: Opaque) -> Result<(), HostError>;

fn main() {}
