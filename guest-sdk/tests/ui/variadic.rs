use wabi_guest::export;

#[export]
fn sum(count: u32, _: ...) -> u32 {
    count
}

fn main() {}
