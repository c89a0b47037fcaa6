//! Arguments of every supported kind.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use wabi_guest::export;

#[derive(Serialize, Deserialize)]
struct Person {
    name: String,
    tags: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum Shape {
    Unit,
    Circle(f64),
    Rect { w: f64, h: f64 },
}

#[export]
fn scalars(a: bool, b: i8, c: u64, d: f32, e: f64, f: char) -> String {
    format!("{a}{b}{c}{d}{e}{f}")
}

#[export]
fn strings(owned: String, borrowed: &str, bytes: Vec<u8>, raw: &[u8]) -> usize {
    owned.len() + borrowed.len() + bytes.len() + raw.len()
}

#[export]
fn containers(
    o: Option<Person>,
    m: HashMap<String, Vec<u32>>,
    b: BTreeMap<u8, Shape>,
    nested: Vec<Vec<Option<(u8, String)>>>,
) -> usize {
    o.map_or(0, |p| p.tags.len() + p.name.len()) + m.len() + b.len() + nested.len()
}

#[export]
fn patterns(mut counter: u32, _: String, r#type: u8) -> u32 {
    counter += u32::from(r#type);
    counter
}

mod inner {
    use wabi_guest::export;

    #[export]
    pub(crate) fn in_a_module(x: u32) -> u32 {
        x
    }
}

#[export]
fn r#match(x: u8) -> u8 {
    x
}

fn main() {
    assert_eq!(inner::in_a_module(3), 3);
    assert_eq!(r#match(1), 1);
}
