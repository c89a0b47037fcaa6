use wabi_guest::import;

#[import]
fn notify(event: &str);

fn main() {}
