use wabi_guest::export;

#[export]
fn wabi_helper() {}

fn main() {}
