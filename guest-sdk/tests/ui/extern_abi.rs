use wabi_guest::export;

#[export]
extern "C" fn add(a: u32, b: u32) -> u32 {
    a + b
}

fn main() {}
