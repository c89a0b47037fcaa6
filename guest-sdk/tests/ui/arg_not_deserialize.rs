use wabi_guest::export;

struct Opaque;

#[export]
fn take(value: Opaque) {
    let _ = value;
}

fn main() {}
