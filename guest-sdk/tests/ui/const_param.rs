use wabi_guest::export;

#[export]
fn repeat<const N: usize>(byte: u8) -> Vec<u8> {
    vec![byte; N]
}

fn main() {}
