use wabi_guest::export;

#[export(pod)]
fn first(values: &[u32]) -> u32 {
    values[0]
}

fn main() {}
