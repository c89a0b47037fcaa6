use wabi_guest::export;

#[export]
async fn fetch(url: String) -> String {
    url
}

fn main() {}
