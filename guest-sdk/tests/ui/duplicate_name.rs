use wabi_guest::export;

#[export(name = "a", name = "b")]
fn original() {}

fn main() {}
