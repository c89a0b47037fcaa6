use wabi_guest::import;

#[import]
struct Client;

#[import]
extern "C" {
    fn lookup(key: u32) -> u32;
}

fn main() {}
