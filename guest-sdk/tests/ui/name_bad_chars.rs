use wabi_guest::export;

#[export(name = "say hello")]
fn hello() {}

fn main() {}
