use wabi_guest::export;

#[export(raw = true)]
fn reverse(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

fn main() {}
