use wabi_guest::export;

#[export(raw)]
fn reverse(bytes: Vec<u8>) -> Vec<u8> {
    bytes.into_iter().rev().collect()
}

fn main() {}
