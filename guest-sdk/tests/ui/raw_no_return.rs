use wabi_guest::export;

#[export(raw)]
fn consume(bytes: &[u8]) {
    let _ = bytes;
}

fn main() {}
