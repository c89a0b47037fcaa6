//! Tries what a sandboxed plugin may or may not do; every answer is the plain outcome, so the
//! host test decides what is right for each grant.

use wabi_guest::export;

#[export]
fn read_file(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

#[export]
fn write_file(path: &str, data: &str) -> Result<(), String> {
    std::fs::write(path, data).map_err(|e| e.to_string())
}

#[export]
fn list_dir(path: &str) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .map_err(|e| e.to_string())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    names.sort();
    Ok(names)
}

#[export]
fn env_var(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

#[export]
fn env_count() -> usize {
    std::env::vars().count()
}

#[export]
fn args() -> Vec<String> {
    std::env::args().collect()
}

#[export]
fn config(key: &str) -> Option<String> {
    wabi_guest::config::get(key)
}

/// Clocks and randomness are allowed by default (Go's runtime needs them).
#[export]
fn clock_and_random() -> (u64, u64) {
    use std::hash::{BuildHasher, Hasher};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(1);
    (now, h.finish())
}

#[export]
fn print(line: &str) {
    println!("{line}");
    eprintln!("err: {line}");
}
