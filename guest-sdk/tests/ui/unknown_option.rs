use wabi_guest::export;

#[export(rename = "other")]
fn original() {}

fn main() {}
