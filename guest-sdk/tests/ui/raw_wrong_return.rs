use wabi_guest::export;

#[export(raw)]
fn length(bytes: &[u8]) -> usize {
    bytes.len()
}

fn main() {}
