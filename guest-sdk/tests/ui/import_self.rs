use wabi_guest::import;

struct Client;

impl Client {
    #[import]
    fn get(&self, key: &str) -> Result<String, wabi_guest::HostError>;
}

fn main() {}
