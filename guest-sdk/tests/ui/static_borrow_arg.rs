use wabi_guest::export;

// Arguments borrow from the input, which lives only for the call: `'static` cannot be borrowed.
#[export]
fn keep(text: &'static str) -> usize {
    text.len()
}

fn main() {}
