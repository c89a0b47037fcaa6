use wabi_guest::export;

struct Opaque;

#[export]
fn take(count: u32, value: Opaque) -> u32 {
    let _ = value;
    count
}

fn main() {}
