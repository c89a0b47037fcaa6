use wabi_guest::export;

#[export(pod)]
fn consume(value: u64) {
    let _ = value;
}

fn main() {}
