//! Eight and sixteen arguments (the maximum).
#![deny(warnings)]
#![allow(clippy::too_many_arguments)]

use wabi_guest::export;

#[export]
fn eight(a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: u64) -> (i8, i16, i32, i64, u8, u16, u32, u64) {
    (a, b, c, d, e, f, g, h)
}

#[export]
fn sixteen(
    a0: u8, a1: u8, a2: u8, a3: u8, a4: u8, a5: u8, a6: u8, a7: u8,
    a8: u8, a9: u8, a10: u8, a11: u8, a12: u8, a13: u8, a14: u8, a15: String,
) -> String {
    format!("{}{a15}", a0 ^ a1 ^ a2 ^ a3 ^ a4 ^ a5 ^ a6 ^ a7 ^ a8 ^ a9 ^ a10 ^ a11 ^ a12 ^ a13 ^ a14)
}

fn main() {}
