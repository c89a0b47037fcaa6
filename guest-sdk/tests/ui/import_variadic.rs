use wabi_guest::import;

#[import]
fn sum(count: u32, _: ...) -> Result<u32, wabi_guest::HostError>;

fn main() {}
