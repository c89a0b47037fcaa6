use wabi_guest::export;

#[export]
fn _initialize() {}

fn main() {}
