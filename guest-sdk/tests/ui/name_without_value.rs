use wabi_guest::export;

#[export(name)]
fn original() {}

fn main() {}
