use wabi_guest::export;

struct Point {
    x: f32,
    y: f32,
}

#[export(pod)]
fn norm(p: Point) -> f32 {
    (p.x * p.x + p.y * p.y).sqrt()
}

fn main() {}
