use wabi_guest::export;

#[export(raw)]
fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    [a, b].concat()
}

fn main() {}
