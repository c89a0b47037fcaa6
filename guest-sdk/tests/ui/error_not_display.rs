use wabi_guest::export;

#[derive(Debug)]
struct Failure;

#[export]
fn attempt() -> Result<u32, Failure> {
    Err(Failure)
}

fn main() {}
