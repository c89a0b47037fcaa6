use wabi_guest::export;

struct Opaque;

#[export]
fn make() -> Opaque {
    Opaque
}

fn main() {}
