//! Every kind of return value.
#![deny(warnings)]

use serde::{Deserialize, Serialize};
use std::fmt;
use wabi_guest::export;

#[derive(Serialize, Deserialize)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Debug, Serialize)]
struct WithValue {
    code: u32,
}

impl fmt::Display for WithValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failed with {}", self.code)
    }
}

#[derive(Debug)]
struct MessageOnly;

impl fmt::Display for MessageOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("failed")
    }
}

impl std::error::Error for MessageOnly {}

#[export]
fn nothing() {}

#[export]
fn unit() -> () {}

#[export]
fn value() -> Point {
    Point { x: 1, y: 2 }
}

#[export]
fn borrowed_from_input<'a>(s: &'a str) -> &'a str {
    s
}

#[export]
fn error_with_value(ok: bool) -> Result<Point, WithValue> {
    if ok { Ok(Point { x: 0, y: 0 }) } else { Err(WithValue { code: 7 }) }
}

#[export]
fn error_message_only(ok: bool) -> Result<u32, MessageOnly> {
    if ok { Ok(1) } else { Err(MessageOnly) }
}

#[export]
fn unit_or_error(ok: bool) -> Result<(), String> {
    if ok { Ok(()) } else { Err("no".to_owned()) }
}

#[export]
fn boxed_error(ok: bool) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error>> {
    if ok { Ok(vec![1]) } else { Err(Box::new(MessageOnly)) }
}

type Alias = Option<Vec<Point>>;

#[export]
fn aliased() -> Alias {
    None
}

fn main() {
    // The functions stay ordinary functions.
    nothing();
    assert_eq!(value().x, 1);
    assert!(error_with_value(false).is_err());
}
