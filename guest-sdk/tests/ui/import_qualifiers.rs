use wabi_guest::{import, HostError};

#[import]
const fn constant() -> Result<u32, HostError>;

#[import]
unsafe fn dangerous() -> Result<u32, HostError>;

#[import]
extern "C" fn foreign() -> Result<u32, HostError>;

fn main() {}
