use wabi_guest::export;

#[export]
fn add((a, b): (u32, u32)) -> u32 {
    a + b
}

fn main() {}
