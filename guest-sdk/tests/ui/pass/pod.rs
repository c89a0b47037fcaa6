//! `#[export(pod)]`: values as their memory layout.
#![deny(warnings)]

use std::fmt;
use wabi_guest::bytemuck::{Pod, Zeroable};
use wabi_guest::export;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
#[bytemuck(crate = "wabi_guest::bytemuck")]
struct Pair {
    a: i32,
    b: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
#[bytemuck(crate = "wabi_guest::bytemuck")]
struct Sum {
    sum: i64,
}

#[derive(Debug)]
struct Overflow;

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("overflow")
    }
}

#[export(pod)]
fn add(p: Pair) -> Sum {
    Sum { sum: i64::from(p.a) + i64::from(p.b) }
}

#[export(pod)]
fn constant() -> [u32; 4] {
    [1, 2, 3, 4]
}

#[export(pod)]
fn checked_add(p: Pair) -> Result<i32, Overflow> {
    p.a.checked_add(p.b).ok_or(Overflow)
}

#[export(pod)]
fn scalar(x: f64) -> f64 {
    x * 2.0
}

#[export(name = "pod.renamed", pod)]
fn renamed_pod(x: u8) -> u8 {
    x
}

fn main() {}
