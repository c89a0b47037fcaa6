use wabi_guest::export;

#[export(name = other)]
fn original() {}

fn main() {}
