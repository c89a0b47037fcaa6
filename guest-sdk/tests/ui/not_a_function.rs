use wabi_guest::export;

#[export]
struct Config {
    verbose: bool,
}

fn main() {}
