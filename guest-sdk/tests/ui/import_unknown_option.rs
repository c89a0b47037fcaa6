use wabi_guest::{import, HostError};

#[import(rename = "other")]
fn original() -> Result<(), HostError>;

fn main() {}
