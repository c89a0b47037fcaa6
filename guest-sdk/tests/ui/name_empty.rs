use wabi_guest::export;

#[export(name = "")]
fn nameless() {}

fn main() {}
