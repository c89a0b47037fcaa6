use wabi_guest::export;

struct Counter(u64);

impl Counter {
    #[export]
    fn get(&self) -> u64 {
        self.0
    }
}

fn main() {}
