use wabi_guest::{import, HostError};

struct Opaque;

#[import]
fn receive(id: u32) -> Result<Opaque, HostError>;

fn main() {}
