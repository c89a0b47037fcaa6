use wabi_guest::{import, HostError};

#[import(name = "")]
fn nameless() -> Result<(), HostError>;

#[import(name = other)]
fn unquoted() -> Result<(), HostError>;

fn main() {}
