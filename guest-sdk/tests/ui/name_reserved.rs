use wabi_guest::export;

#[export(name = "wabi_alloc")]
fn my_alloc() {}

fn main() {}
