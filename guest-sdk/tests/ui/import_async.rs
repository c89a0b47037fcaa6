use wabi_guest::{import, HostError};

#[import]
async fn fetch(url: &str) -> Result<Vec<u8>, HostError>;

fn main() {}
